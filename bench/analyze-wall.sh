#!/usr/bin/env bash
# Wall time of `natshift analyze` (issue 7) on a synthetic capture of >= 1 million IKE packets, with the
# share of each phase (broker start, replay, processing, report) as analyze prints it on stderr.
# Reference in the same run: `natshift decode --format tsv` of the same file to /dev/null (read + decode
# every frame, no Kafka), so the ratio says what Kafka, the topology and the report cost on top.
# Usage: bench/analyze-wall.sh [SUBSCRIBERS [ROUNDS]]   (default 25000 subscribers ~ 1.04M IKE packets, 3 rounds)
# Target: analyze under 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers="${1:-25000}"
rounds="${2:-3}"
base=/dev/shm
[ -w "$base" ] || base="${TMPDIR:-/tmp}"
work=$(mktemp -d "$base/natshift-analyze-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

bin/natshift synth --subscribers "$subscribers" --duration 10m --esp-rate 0 --seed 7 --out "$work/bench.pcap" --no-progress >&2
ike=$(bin/natshift decode --format tsv "$work/bench.pcap" 2>/dev/null | tail -n +2 | wc -l)
echo "capture: $(du -h "$work/bench.pcap" | cut -f1), $ike IKE packets ($subscribers subscribers, 10 min)"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
: > "$work/analyze.txt"; : > "$work/decode.txt"
for r in $(seq "$rounds"); do
  start=$(date +%s.%N)
  bin/natshift decode --format tsv "$work/bench.pcap" >/dev/null 2>&1
  echo "$(date +%s.%N) - $start" | bc >> "$work/decode.txt"
  start=$(date +%s.%N)
  bin/natshift analyze "$work/bench.pcap" --format json --out "$work/report.json" 2> "$work/stderr.txt"
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  line=$(grep 'analyze: timings:' "$work/stderr.txt" | sed 's/.*timings: //; s/; report in.*//')
  echo "round $r: wall $wall s (JVM included); phases: $line; load $(cut -d' ' -f1 /proc/loadavg)"
  echo "$wall $line" >> "$work/analyze.txt"
done
shifts=$(python3 -c "import json,sys; print(len(json.load(open('$work/report.json'))['natShifts']))")
truth=$(python3 -c "import json; print(json.load(open('$work/bench.truth.json'))['totals']['shifts'])")
echo "shifts reported $shifts, ground truth $truth"
for phase in broker replay processing report; do
  m=$(sed -n "s/.*$phase \([0-9.]*\) s.*/\1/p" "$work/analyze.txt" | median)
  echo "median $phase: $m s"
done
a=$(cut -d' ' -f1 "$work/analyze.txt" | median)
d=$(median < "$work/decode.txt")
echo "median analyze wall: $a s; median decode-only reference: $d s; ratio $(echo "scale=1; $a / $d" | bc)x"
