#!/usr/bin/env bash
# Read throughput of the capture readers (issue 2): natshift's pure-Java reader vs pcap4j/libpcap on
# the same generated ~750,000-frame, ~274 MB Ethernet pcap, same JVM, same run; then the same frames
# as pcapng (both readers) and as gzip (ours only: libpcap does not decompress). Prints medians.
# Usage: bench/read-throughput.sh [ROUNDS [WARMUP]]. Needs libpcap (apt-get install -y libpcap0.8).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${NATSHIFT_SHARED_DIR:-}"
if [ -z "$shared" ]; then
  for d in .. ../.. ../../..; do
    if [ -d "$d/shared/captures/thirdparty" ]; then shared="$d/shared"; break; fi
  done
fi
[ -n "$shared" ] || { echo "set NATSHIFT_SHARED_DIR to the shared folder (captures/thirdparty inside)" >&2; exit 2; }
mvn -B -o -q -pl bench -am package -DskipTests
cp="bench/target/natshift-bench.jar:bench/target/lib/*"
file="${TMPDIR:-/tmp}/natshift-read-throughput.pcap"
trap 'rm -f "$file" "${file}ng" "$file.gz"' EXIT
java -cp "$cp" io.natshift.bench.BigCapture "$shared/captures/thirdparty" "$file" 754205 274000000
cat "$file" "${file}ng" "$file.gz" > /dev/null   # into the page cache: the target is about reading from memory
java -Xms1g -Xmx1g -cp "$cp" io.natshift.bench.ReadThroughput "${1:-7}" "${2:-3}" "$file" "${file}ng" "$file.gz"
