#!/usr/bin/env bash
# Whole-process decode speed (issue 2): `natshift decode` (JVM start included, JSON to /dev/null)
# against `tshark -Y isakmp -T fields` extracting the same fields from the same file, same run.
# The capture is made by `natshift synth` (fixed seed): about 750,000 frames, 350,000 of them IKE,
# the rest ESP-in-UDP, NAT keepalives and other traffic. Prints each run and the medians.
# Usage: bench/decode-vs-tshark.sh [NATSHIFT_RUNS_PER_ROUND [ROUNDS]] (default 6 3): each round is one tshark run
# between natshift runs. Needs tshark (apt-get install -y tshark).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-6}
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

# This VM's speed drifts by a third from one minute to the next, and a tshark run takes ~20 s:
# so the runs interleave. Each round times natshift RUNS/2 times, tshark once, natshift RUNS/2 times
# again; the round's ratio is tshark's time over the median of that round's natshift runs.
half=$(( (runs + 1) / 2 ))
natshift_runs() { # round -> appends $half timings to natshift
  for _ in $(seq "$half"); do
    s=$(seconds bin/natshift decode -q "$file")
    natshift+=("$s")
    printf 'round %d: natshift decode run %d: %.3f s\n' "$1" "${#natshift[@]}" "$s"
  done
}
natshift_all=()
tshark_times=()
ratios=()
for round in $(seq "$tshark_runs"); do
  natshift=()
  natshift_runs "$round"
  ts=$(seconds tshark -n -r "$file" -Y isakmp -T fields -E separator=/t -E occurrence=f \
      -e frame.number -e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e udp.srcport -e udp.dstport \
      -e isakmp.ispi -e isakmp.rspi -e isakmp.nextpayload -e isakmp.version -e isakmp.exchangetype -e isakmp.flags \
      -e isakmp.messageid -e isakmp.length -e isakmp.notify.msgtype -e isakmp.vid_bytes -e frame.len)
  tshark_times+=("$ts")
  printf 'round %d: tshark run: %.3f s\n' "$round" "$ts"
  natshift_runs "$round"
  n=$(printf '%s\n' "${natshift[@]}" | median)
  natshift_all+=("${natshift[@]}")
  r=$(echo "$ts / $n" | bc -l)
  ratios+=("$r")
  printf 'round %d: natshift median %.3f s, tshark %.3f s, ratio %.1fx\n' "$round" "$n" "$ts" "$r"
done
frames=$(bin/natshift decode "$file" 2>&1 >/dev/null | sed -n 's/.*frames \([0-9]*\), IKE packets \([0-9]*\).*/\1 \2/p')
n=$(printf '%s\n' "${natshift_all[@]}" | median)
t=$(printf '%s\n' "${tshark_times[@]}" | median)
per_round=$(printf '%s\n' "${ratios[@]}" | median)
read -r f ike <<< "$frames"
echo "frames $f, IKE packets $ike"
printf 'natshift decode median %.3f s (%.0f frames/s), tshark median %.3f s (%.0f frames/s), ratio of medians %.1fx, median of per-round ratios %.1fx\n' \
  "$n" "$(echo "$f / $n" | bc -l)" "$t" "$(echo "$f / $t" | bc -l)" "$(echo "$t / $n" | bc -l)" "$per_round"
