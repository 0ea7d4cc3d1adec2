#!/usr/bin/env bash
# Whole-process decode speed (issue 2): `natshift decode` (JVM start included, JSON to /dev/null)
# against `tshark -Y isakmp -T fields` extracting the same fields from the same file, same run.
# The capture is made by `natshift synth` (fixed seed): about 750,000 frames, 350,000 of them IKE,
# the rest ESP-in-UDP, NAT keepalives and other traffic. Prints each run and the medians.
# Usage: bench/decode-vs-tshark.sh [NATSHIFT_RUNS [TSHARK_RUNS]]. Needs tshark (apt-get install -y tshark).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
tshark_runs=${2:-3}
command -v tshark >/dev/null || { echo "tshark is missing: apt-get install -y tshark" >&2; exit 2; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
file="$dir/decode-bench.pcap"
bin/natshift synth --subscribers 9800 --duration 5m --esp-rate 0.3 --seed 7 --no-progress --out "$file" >&2
bin/natshift decode "$file" 2>&1 >/dev/null | sed 's/^/capture: /' >&2
cat "$file" > /dev/null   # page cache warm for both tools

seconds() { # command... -> elapsed seconds of one run, output discarded
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'; }

natshift=()
for i in $(seq "$runs"); do
  s=$(seconds bin/natshift decode -q "$file")
  natshift+=("$s")
  printf 'natshift decode run %d: %.3f s\n' "$i" "$s"
done
tshark_times=()
for i in $(seq "$tshark_runs"); do
  s=$(seconds tshark -n -r "$file" -Y isakmp -T fields -E separator=/t -E occurrence=f \
      -e frame.number -e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e udp.srcport -e udp.dstport \
      -e isakmp.ispi -e isakmp.rspi -e isakmp.nextpayload -e isakmp.version -e isakmp.exchangetype -e isakmp.flags \
      -e isakmp.messageid -e isakmp.length -e isakmp.notify.msgtype -e isakmp.vid_bytes -e frame.len)
  tshark_times+=("$s")
  printf 'tshark run %d: %.3f s\n' "$i" "$s"
done
frames=$(bin/natshift decode "$file" 2>&1 >/dev/null | sed -n 's/.*frames \([0-9]*\), IKE packets \([0-9]*\).*/\1 \2/p')
n=$(printf '%s\n' "${natshift[@]}" | median)
t=$(printf '%s\n' "${tshark_times[@]}" | median)
read -r f ike <<< "$frames"
echo "frames $f, IKE packets $ike"
printf 'natshift decode median %.3f s (%.0f frames/s), tshark median %.3f s (%.0f frames/s), ratio %.1fx\n' \
  "$n" "$(echo "$f / $n" | bc -l)" "$t" "$(echo "$f / $t" | bc -l)" "$(echo "$t / $n" | bc -l)"
