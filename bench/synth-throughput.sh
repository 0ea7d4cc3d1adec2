#!/usr/bin/env bash
# Generation speed of natshift synth (issue 4, target >= 1,000,000 packets/s written), against
# PcapWriter alone writing as many frames of the same mean size (same JVM, same run). Prints medians.
# Usage: bench/synth-throughput.sh [ROUNDS [WARMUP [SUBSCRIBERS [DURATION_S [ESP_RATE]]]]]
# Files go to $SYNTH_BENCH_DIR (default /dev/shm when present, so the disk is not what is measured).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${SYNTH_BENCH_DIR:-}"
if [ -z "$dir" ]; then
  if [ -d /dev/shm ]; then dir=/dev/shm; else dir="${TMPDIR:-/tmp}"; fi
fi
mvn -B -o -q -pl bench -am package -DskipTests
cp="bench/target/natshift-bench.jar:bench/target/lib/*"
java -Xms512m -Xmx512m -cp "$cp" io.natshift.bench.SynthThroughput "$dir" "${1:-5}" "${2:-2}" "${3:-2000}" "${4:-600}" "${5:-5}"
