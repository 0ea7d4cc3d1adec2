#!/usr/bin/env bash
# natshift lab: reproduce the NAT-T address shift with real strongSwan peers, a real Linux NAT and
# real captures, all inside network namespaces created (and removed) by this script.
#
#   lab/run.sh [paired|arbitrary|random] [stock|strict] [--ike v1-aggressive|v2]
#              [--subscribers N] [--pool P] [--observe SECONDS] [--out DIR] [--hold]
#              [--linger SECONDS] [--hook CMD [--hook-delay SECONDS]]
#
# See lab/README.md for the topology, the files written and what each scenario should show.
set -euo pipefail

usage() {
  sed -n '5,7p' "$0" | sed 's/^#  //' >&2
  exit 2
}

nat=arbitrary gwmode=strict ike=v1-aggressive subscribers=2 pool=2 observe=13 out="" hold=no hook="" hook_delay=2 linger=0
while [ $# -gt 0 ]; do
  case "$1" in
    paired|arbitrary|random) nat=$1 ;;
    stock|strict) gwmode=$1 ;;
    --ike) ike=${2:?--ike needs v1-aggressive or v2}; shift ;;
    --subscribers) subscribers=${2:?--subscribers needs a number}; shift ;;
    --pool) pool=${2:?--pool needs a number}; shift ;;
    --observe) observe=${2:?--observe needs seconds}; shift ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    --hold) hold=yes ;;
    --linger) linger=${2:?--linger needs seconds}; shift ;;
    --hook) hook=${2:?--hook needs a command}; shift ;;
    --hook-delay) hook_delay=${2:?--hook-delay needs seconds}; shift ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
case "$ike" in v1-aggressive|v2) ;; *) echo "run.sh: --ike must be v1-aggressive or v2, not '$ike'" >&2; exit 2 ;; esac
[[ "$subscribers" =~ ^[0-9]+$ ]] && [ "$subscribers" -ge 1 ] && [ "$subscribers" -le 200 ] \
  || { echo "run.sh: --subscribers must be 1..200, not '$subscribers'" >&2; exit 2; }
[[ "$pool" =~ ^[0-9]+$ ]] && [ "$pool" -ge 2 ] && [ "$pool" -le 200 ] \
  || { echo "run.sh: --pool must be 2..200, not '$pool'" >&2; exit 2; }
[[ "$linger" =~ ^[0-9]+$ ]] || { echo "run.sh: --linger must be whole seconds, not '$linger'" >&2; exit 2; }
[[ "$hook_delay" =~ ^[0-9]+$ ]] || { echo "run.sh: --hook-delay must be whole seconds, not '$hook_delay'" >&2; exit 2; }
[[ "$observe" =~ ^[0-9]+$ ]] || { echo "run.sh: --observe must be whole seconds, not '$observe'" >&2; exit 2; }
out=${out:-lab-out/$nat-$gwmode-$ike}
lab_dir=$(cd "$(dirname "$0")" && pwd)

# ---- prerequisites: fail with one line naming what is missing ----
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (network namespaces, nftables, tcpdump)" >&2; exit 3; }
for cmd in ip nft conntrack tcpdump swanctl python3 unshare; do
  command -v "$cmd" >/dev/null || { echo "run.sh: '$cmd' not found (see lab/README.md for the Debian packages)" >&2; exit 3; }
done
charon_bin=/usr/lib/ipsec/charon
[ -x "$charon_bin" ] || { echo "run.sh: $charon_bin not found (package strongswan-charon)" >&2; exit 3; }
[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] \
  || { echo "run.sh: strongSwan kernel-libipsec plugin not found (package libcharon-extra-plugins)" >&2; exit 3; }

# ---- addressing: documentation ranges outside, private inside, nothing routes anywhere else ----
sub_net=10.0.0.0/24 sub_gw=10.0.0.1            # subscriber LAN behind the carrier NAT
cgn_wan=198.51.100.1 gw_wan=198.51.100.2       # carrier NAT <-> gateway link ("the Internet")
gw_ike=192.0.2.76                              # the VPN gateway's IKE address (on gw's loopback)
corp_host=192.0.2.129 corp_net=192.0.2.128/25  # behind the gateway, reached through the tunnel
sub_addr() { echo "10.0.0.$((10 + $1))"; }
pool_addr() { echo "203.0.113.$((10 + $1))"; }  # index 0..pool-1

run_id=$(printf '%04x' $((RANDOM % 65536)))
ns_prefix="nsl$run_id-"
ns_cgn=${ns_prefix}cgn ns_gw=${ns_prefix}gw
ns_sub() { echo "${ns_prefix}sub$1"; }
tmp=$(mktemp -d "/tmp/natshift-lab.$run_id.XXXXXX")
pids=()           # every background process this script started, stopped by pid in cleanup
capture_pids=()   # tcpdumps, stopped last so they record the daemons' final DELETEs
namespaces=()     # every namespace this script created

log() { printf '%s lab: %s\n' "$(date -u +%T.%3N)" "$*" >&2; }

copy_logs() {
  [ -d "$out" ] || return 0
  local f
  for f in "$tmp"/*/charon.log; do
    [ -e "$f" ] && cp "$f" "$out/charon-$(basename "$(dirname "$f")").log"
  done
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  local group p
  for group in pids capture_pids; do
    local -n list=$group
    for p in "${list[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${list[@]}"; do
      for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$p" 2>/dev/null
      wait "$p" 2>/dev/null
    done
    [ "$group" = pids ] || continue
    sleep 0.3  # let the last packets reach the captures
    # then the hook's whole process group (live probes), by the group id we gave it: after the
    # daemons, so the probes see their last packets as tcpdump does; TERM lets a probe publish
    # what it queued and commit, KILL only what is still there after 20 s
    if [ -n "${hook_pid:-}" ]; then
      kill -TERM -- "-$hook_pid" 2>/dev/null
      for _ in $(seq 200); do kill -0 -- "-$hook_pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$hook_pid" 2>/dev/null
      wait "$hook_pid" 2>/dev/null
    fi
  done
  for ns in "${namespaces[@]}"; do
    # processes we started inside a namespace are gone by now; anything left is ours too
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  copy_logs
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.pcap "$out"/truth.json "$out"/charon-*.log "$out"/*.txt "$out"/sas-*.raw "$out"/probe-*.* "$out"/relay-*.log

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

add_ns() {
  ip netns add "$1" 2>"$tmp/netns.err" || {
    echo "run.sh: the kernel refuses network namespaces: ip netns add $1: $(tr '\n' ' ' <"$tmp/netns.err")" >&2
    exit 3
  }
  namespaces+=("$1")
  nsx "$1" ip link set lo up
  nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# ---- namespaces and links ----
t_start=$(date +%s.%N)
log "run $run_id: nat=$nat gateway=$gwmode ike=$ike subscribers=$subscribers pool=$pool out=$out"
add_ns "$ns_cgn"
add_ns "$ns_gw"
nsx "$ns_cgn" sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_timestamp=1 2>/dev/null \
  || nsx "$ns_cgn" sysctl -qw net.ipv4.ip_forward=1
ip -n "$ns_cgn" link add sub-lan type bridge
ip -n "$ns_cgn" addr add "$sub_gw/24" dev sub-lan
ip -n "$ns_cgn" link set sub-lan up
ip -n "$ns_cgn" link add wan type veth peer name wan netns "$ns_gw"
ip -n "$ns_cgn" addr add "$cgn_wan/24" dev wan
ip -n "$ns_gw" addr add "$gw_wan/24" dev wan
ip -n "$ns_cgn" link set wan up
ip -n "$ns_gw" link set wan up
ip -n "$ns_gw" addr add "$gw_ike/32" dev lo
ip -n "$ns_gw" addr add "$corp_host/32" dev lo
ip -n "$ns_cgn" route add 192.0.2.0/24 via "$gw_wan"
ip -n "$ns_gw" route add 203.0.113.0/24 via "$cgn_wan"
for k in $(seq "$subscribers"); do
  ns=$(ns_sub "$k")
  add_ns "$ns"
  ip -n "$ns_cgn" link add "sub$k" type veth peer name eth0 netns "$ns"
  ip -n "$ns_cgn" link set "sub$k" master sub-lan up
  ip -n "$ns" addr add "$(sub_addr "$k")/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$sub_gw"
done

# ---- carrier NAT ----
subscriber_map() {  # nft map: subscriber k -> a pool address from the part of the pool starting at $1, $2 long
  local k entries=()
  for k in $(seq "$subscribers"); do entries+=("$(sub_addr "$k") : $(pool_addr $(($1 + (k - 1) % $2)))"); done
  local IFS=,
  echo "{ ${entries[*]} }"
}
pool_numgen_map() {
  local i entries=()
  for ((i=0; i<pool; i++)); do entries+=("$i : $(pool_addr "$i")"); done
  local IFS=,
  echo "{ ${entries[*]} }"
}
case "$nat" in
  paired)    # RFC 4787 paired pooling: Linux SNAT over the pool range, 'persistent' = keyed on the source only
    nat_rules="ip saddr $sub_net oifname \"wan\" snat ip to $(pool_addr 0)-$(pool_addr $((pool - 1))) persistent" ;;
  arbitrary) # per-flow choice, the worst case made deterministic: UDP 4500 flows leave from the upper half
             # of the pool, all other flows from the lower half, so no subscriber's 4500 address is an
             # address any subscriber negotiated from on 500 (which an address-keyed filter would admit)
    low=$((pool / 2))
    nat_rules="ip saddr $sub_net oifname \"wan\" udp dport 4500 snat ip to ip saddr map $(subscriber_map "$low" $((pool - low)))
    ip saddr $sub_net oifname \"wan\" snat ip to ip saddr map $(subscriber_map 0 "$low")" ;;
  random)    # per-flow random choice, as a real arbitrary pool: a tunnel comes up when both draws agree
    nat_rules="ip saddr $sub_net oifname \"wan\" snat ip to numgen random mod $pool map $(pool_numgen_map)" ;;
esac
nsx "$ns_cgn" nft -f - <<EOF
table ip natshift_cgn {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    $nat_rules
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    iifname "sub-lan" oifname "wan" accept
    iifname "wan" oifname "sub-lan" ct state established,related accept
  }
}
EOF

# ---- gateway filter ----
if [ "$gwmode" = strict ]; then
  # The incident's gateway/IPS path: UDP 4500 only from a source that spoke UDP 500 first.
  nsx "$ns_gw" nft -f - <<EOF
table inet natshift_gw {
  set ike_peers { type ipv4_addr; flags timeout; timeout 10m; }
  chain input {
    type filter hook input priority filter; policy accept;
    udp dport 500 update @ike_peers { ip saddr } counter accept
    udp dport 4500 ip saddr @ike_peers counter accept
    udp dport 4500 counter drop comment "4500 from a source that never negotiated on 500"
  }
}
EOF
fi

# ---- captures: outside = gateway side of the carrier link, inside = subscriber LAN at the NAT ----
start_capture() {  # ns interface file
  local errf="$tmp/tcpdump-$3.err"
  ip netns exec "$1" tcpdump -i "$2" -n -U -s 0 -Z root -w "$out/$3" 'not arp' 2>"$errf" &
  capture_pids+=($!)
  for _ in $(seq 50); do grep -qs 'listening on' "$errf" && return 0; sleep 0.1; done
  echo "run.sh: tcpdump on $1/$2 did not start: $(tr '\n' ' ' <"$errf")" >&2
  exit 1
}
start_capture "$ns_gw" wan outside.pcap
start_capture "$ns_cgn" sub-lan inside.pcap
nsx "$ns_cgn" conntrack -E -p udp -o timestamp >"$out/conntrack-events.txt" 2>"$tmp/conntrack-events.err" &
pids+=($!)

# ---- optional hook: e.g. live natshift probes on the same two links, started before any IKE packet ----
if [ -n "$hook" ]; then
  export LAB_OUT="$out" LAB_NS_GW="$ns_gw" LAB_NS_CGN="$ns_cgn" LAB_OUTSIDE_IF=wan LAB_INSIDE_IF=sub-lan \
    LAB_GATEWAY="$gw_ike" LAB_SUBSCRIBERS="$subscribers" LAB_HOOK_READY="$tmp/hook.ready"
  setsid bash -c "$hook" >"$out/hook.log" 2>&1 &
  hook_pid=$!
  log "hook started (process group $hook_pid, log $out/hook.log); waiting up to ${hook_delay}s for it to settle"
  # a hook that can tell when it is ready (live probes capturing) touches LAB_HOOK_READY: no need to wait longer
  hook_deadline=$(( $(date +%s%N) + hook_delay * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$hook_deadline" ] && [ ! -e "$LAB_HOOK_READY" ] && kill -0 "$hook_pid" 2>/dev/null; do
    sleep 0.1
  done
  if ! kill -0 "$hook_pid" 2>/dev/null; then
    log "hook exited early: $(tail -1 "$out/hook.log")"
  elif [ -e "$LAB_HOOK_READY" ]; then
    log "hook ready"
  fi
fi

# ---- strongSwan: one charon per namespace, each in a private mount namespace with its own /run ----
if [ "$ike" = v2 ]; then ike_version=2 aggressive=no; else ike_version=1 aggressive=yes; fi
psk="natshift-lab-psk-$run_id"

write_strongswan_conf() {  # dir
  cat >"$1/strongswan.conf" <<EOF
charon {
  load_modular = no
  load = random nonce openssl aes sha1 sha2 hmac kdf pem pkcs1 x509 pubkey gmp kernel-libipsec kernel-netlink socket-default vici
  port = 500
  port_nat_t = 4500
  # the incident's timers (4 s, x1.8) shortened so a scenario runs in seconds: +1, +2.8, +6 s
  retransmit_timeout = 1.0
  retransmit_base = 1.8
  retransmit_tries = 3
  half_open_timeout = 30
  # NAT-T keepalives every 5 s instead of 20, so the captures of a short run contain some
  keep_alive = 5s
  install_virtual_ip = no
  i_dont_care_about_security_and_use_aggressive_mode_psk = yes
  plugins {
    vici { socket = unix://$1/charon.vici }
  }
  syslog { daemon { default = -1 } }
  filelog {
    lab {
      path = $1/charon.log
      time_format = %H:%M:%S
      ike_name = yes
      append = no
      flush_line = yes
      default = 1
      ike = 2
      cfg = 1
      net = 1
      knl = 2
    }
  }
}
swanctl { load = pem pkcs1 x509 pubkey openssl random nonce }
EOF
}

start_charon() {  # ns name
  local dir="$tmp/$2"
  mkdir -p "$dir"
  write_strongswan_conf "$dir"
  ip netns exec "$1" unshare --mount --propagation private -- \
    sh -c 'mount -t tmpfs -o size=1m,mode=0755 natshift-lab-run /run && exec env STRONGSWAN_CONF="$1/strongswan.conf" "$2"' \
    sh "$dir" "$charon_bin" >"$dir/charon.stdout" 2>&1 &
  pids+=($!)
}

swan() {  # ns name swanctl-args...
  local ns=$1 dir="$tmp/$2"; shift 2
  ip netns exec "$ns" env STRONGSWAN_CONF="$dir/strongswan.conf" swanctl "$@" --uri "unix://$dir/charon.vici"
}

wait_vici() {  # ns name
  for _ in $(seq 100); do
    [ -S "$tmp/$2/charon.vici" ] && swan "$1" "$2" --stats >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "run.sh: charon '$2' did not come up: $(tail -3 "$tmp/$2/charon.stdout" "$tmp/$2/charon.log" 2>/dev/null | tr '\n' ' ')" >&2
  exit 1
}

mkdir -p "$tmp/gw"
cat >"$tmp/gw/swanctl.conf" <<EOF
connections {
  gateway {
    version = $ike_version
    aggressive = $aggressive
    local_addrs = $gw_ike
    proposals = aes128-sha256-modp2048
    dpd_delay = 0
    local { auth = psk
            id = gw@lab.example }
    remote { auth = psk }
    children {
      corp { local_ts = $corp_net
             remote_ts = $sub_net
             esp_proposals = aes128-sha256 }
    }
  }
}
secrets { ike-lab { secret = "$psk" } }
EOF
start_charon "$ns_gw" gw
for k in $(seq "$subscribers"); do
  name=sub$k
  mkdir -p "$tmp/$name"
  cat >"$tmp/$name/swanctl.conf" <<EOF
connections {
  vpn {
    version = $ike_version
    aggressive = $aggressive
    local_addrs = $(sub_addr "$k")
    remote_addrs = $gw_ike
    proposals = aes128-sha256-modp2048
    dpd_delay = 0
    keyingtries = 1
    local { auth = psk
            id = $name@lab.example }
    remote { auth = psk
             id = gw@lab.example }
    children {
      corp { local_ts = dynamic
             remote_ts = $corp_net
             esp_proposals = aes128-sha256 }
    }
  }
}
secrets { ike-lab { secret = "$psk" } }
EOF
  start_charon "$(ns_sub "$k")" "$name"
done
wait_vici "$ns_gw" gw
swan "$ns_gw" gw --load-all --file "$tmp/gw/swanctl.conf" >"$tmp/gw/load.txt" 2>&1
for k in $(seq "$subscribers"); do
  wait_vici "$(ns_sub "$k")" "sub$k"
  swan "$(ns_sub "$k")" "sub$k" --load-all --file "$tmp/sub$k/swanctl.conf" >"$tmp/sub$k/load.txt" 2>&1
done

# strongSwan's own view, sampled while the negotiations run (half-open SAs vanish when they time out)
poll_sas() {
  while :; do
    local ts k
    ts=$(date +%s.%N)
    # a missed sample only thins the history; the final snapshot decides
    swan "$ns_gw" gw --list-sas --raw 2>/dev/null | sed "s/^/$ts /" >>"$out/sas-gw.raw" || true
    for k in $(seq "$subscribers"); do
      swan "$(ns_sub "$k")" "sub$k" --list-sas --raw 2>/dev/null | sed "s/^/$ts /" >>"$out/sas-sub$k.raw" || true
    done
    sleep 0.3
  done
}
poll_sas &
poll_pid=$!
pids+=("$poll_pid")

t_ready=$(date +%s.%N)
log "lab up in $(python3 -c "print(round($t_ready-$t_start,2))") s; initiating $subscribers tunnels"
for k in $(seq "$subscribers"); do
  # swanctl waits at most 1 s for the outcome; strongSwan's own view comes from the SA polls
  swan "$(ns_sub "$k")" "sub$k" --initiate --child corp --timeout 1 >"$tmp/sub$k/initiate.txt" 2>&1 &
  pids+=($!)
done

all_up() {
  local k n
  n=$(swan "$ns_gw" gw --list-sas --raw 2>/dev/null | grep -c 'state=INSTALLED' || true)
  [ "$n" -ge "$subscribers" ] || return 1
  for k in $(seq "$subscribers"); do
    swan "$(ns_sub "$k")" "sub$k" --list-sas --raw 2>/dev/null | grep -q 'state=INSTALLED' || return 1
  done
}
deadline=$(( $(date +%s) + observe ))
outcome="not all tunnels up after ${observe}s"
while [ "$(date +%s)" -lt "$deadline" ]; do
  if all_up; then outcome="all tunnels up"; break; fi
  sleep 0.3
done
t_done=$(date +%s.%N)
log "$outcome ($(python3 -c "print(round($t_done-$t_ready,1))") s after initiating)"

# traffic through each tunnel that is up: proof the data path (user-space ESP over UDP 4500) works
for k in $(seq "$subscribers"); do
  if ! command -v ping >/dev/null; then
    echo "sub$k ping: not tested (no ping command; package iputils-ping)" >>"$out/tunnel-ping.txt"
  elif swan "$(ns_sub "$k")" "sub$k" --list-sas --raw 2>/dev/null | grep -q 'state=INSTALLED'; then
    if nsx "$(ns_sub "$k")" ping -c 1 -W 2 -I "$(sub_addr "$k")" "$corp_host" >/dev/null 2>&1; then
      echo "sub$k ping $corp_host through the tunnel: ok" >>"$out/tunnel-ping.txt"
    else
      echo "sub$k ping $corp_host through the tunnel: no reply" >>"$out/tunnel-ping.txt"
    fi
  fi
done
sleep 0.5
if [ "$linger" -gt 0 ]; then
  # e.g. live probes: their heartbeats carry stream time past natshift's timeouts while the lab is still up
  log "lingering ${linger}s with everything up"
  sleep "$linger"
fi
if [ "$hold" = yes ]; then
  log "holding the lab up (namespaces: ${namespaces[*]}); press Enter or Ctrl-C to tear it down"
  log "  e.g. ip netns exec $ns_gw tcpdump -ni wan   |   STRONGSWAN_CONF=$tmp/gw/strongswan.conf ip netns exec $ns_gw swanctl --list-sas --uri unix://$tmp/gw/charon.vici"
  read -r _ || true
fi

# ---- truth ----
kill -TERM "$poll_pid" 2>/dev/null; wait "$poll_pid" 2>/dev/null || true
# final snapshot, the poller stopped: strongSwan's verdict on each tunnel
ts=$(date +%s.%N)
swan "$ns_gw" gw --list-sas --raw | sed "s/^/$ts /" >"$out/sas-final-gw.raw"
for k in $(seq "$subscribers"); do
  swan "$(ns_sub "$k")" "sub$k" --list-sas --raw | sed "s/^/$ts /" >"$out/sas-final-sub$k.raw"
done
nsx "$ns_cgn" conntrack -L -p udp -o extended >"$out/conntrack.txt" 2>/dev/null || true
nsx "$ns_cgn" nft list ruleset >"$out/nft-cgn.txt"
nsx "$ns_gw" nft list ruleset >"$out/nft-gw.txt"
for k in $(seq "$subscribers"); do
  swan "$(ns_sub "$k")" "sub$k" --list-sas >"$out/swanctl-sub$k.txt" 2>&1 || true
done
swan "$ns_gw" gw --list-sas >"$out/swanctl-gw.txt" 2>&1 || true
copy_logs
subs_arg=()
for k in $(seq "$subscribers"); do subs_arg+=("sub$k=$(sub_addr "$k")"); done
python3 "$lab_dir/truth.py" --out "$out" --nat "$nat" --gateway-mode "$gwmode" --ike "$ike" \
  --gateway "$gw_ike" --pool "$(for ((i=0; i<pool; i++)); do printf '%s ' "$(pool_addr $i)"; done)" \
  --timings "start=$t_start ready=$t_ready done=$t_done" "${subs_arg[@]}" >"$out/truth.json"
python3 "$lab_dir/truth.py" --summary "$out/truth.json" >&2
log "done in $(python3 -c "print(round($(date +%s.%N)-$t_start,1))") s; files in $out"
