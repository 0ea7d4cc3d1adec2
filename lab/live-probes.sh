#!/usr/bin/env bash
# Two live natshift probes for a lab run, meant as lab/run.sh's --hook:
#
#   lab/run.sh arbitrary strict --hook 'lab/live-probes.sh 127.0.0.1:PORT'
#
# PORT is a broker on the root namespace's loopback with natshift's topics (e.g. `bin/natshift up`).
# `natshift capture` runs inside the lab's namespaces (`ip netns exec`), on the same links tcpdump
# records: vantage outside on the gateway's link to the NAT (LAB_NS_GW/LAB_OUTSIDE_IF), vantage
# inside on the NAT's subscriber bridge (LAB_NS_CGN/LAB_INSIDE_IF). A namespace's loopback is not
# the root namespace's, so each probe reaches the broker through lab/kafka-relay.py, which listens
# on 127.0.0.1:PORT inside the namespace (the broker's advertised address is then right on both
# sides, and the lab gets no extra interface). Touches $LAB_HOOK_READY once both probes capture.
# Probe options can be added with NATSHIFT_PROBE_OPTS (default: --heartbeat 1s).
set -uo pipefail
bootstrap=${1:?usage: live-probes.sh 127.0.0.1:PORT (run as lab/run.sh --hook)}
: "${LAB_NS_GW:?run me as lab/run.sh --hook}" "${LAB_NS_CGN:?}" "${LAB_OUT:?}"
here=$(cd "$(dirname "$0")/.." && pwd)
children=()

stop() {
  # run.sh sends TERM to this whole process group; the probes flush, the relays drain, we wait
  trap - TERM INT
  kill -TERM "${children[@]}" 2>/dev/null
  wait
  exit 0
}
trap stop TERM INT

start_probe() {  # vantage namespace interface
  local vantage=$1 ns=$2 ifname=$3
  python3 "$here/lab/kafka-relay.py" "$ns" "$bootstrap" >"$LAB_OUT/relay-$vantage.log" 2>&1 &
  children+=($!)
  for _ in $(seq 50); do grep -q 'relay ready' "$LAB_OUT/relay-$vantage.log" && break; sleep 0.1; done
  # shellcheck disable=SC2086  # NATSHIFT_PROBE_OPTS is a list of options
  ip netns exec "$ns" "$here/bin/natshift" capture --interface "$ifname" --vantage "$vantage" \
    --probe-id "lab-$vantage" --bootstrap "$bootstrap" ${NATSHIFT_PROBE_OPTS:---heartbeat 1s} \
    >"$LAB_OUT/probe-$vantage.out" 2>"$LAB_OUT/probe-$vantage.log" &
  children+=($!)
}

start_probe outside "$LAB_NS_GW" "${LAB_OUTSIDE_IF:-wan}"
start_probe inside "$LAB_NS_CGN" "${LAB_INSIDE_IF:-sub-lan}"
for _ in $(seq 600); do
  if grep -q 'capturing on' "$LAB_OUT/probe-outside.log" && grep -q 'capturing on' "$LAB_OUT/probe-inside.log"; then
    echo "live-probes: both probes capturing, broker $bootstrap"
    [ -n "${LAB_HOOK_READY:-}" ] && touch "$LAB_HOOK_READY"
    break
  fi
  sleep 0.1
done
wait
