#!/usr/bin/env python3
"""Ground truth of one lab run, from the NAT's and strongSwan's own records (never from the captures).

  truth.py --out DIR --nat M --gateway-mode M --ike P --gateway ADDR --pool "A B" --timings "k=v ..." sub1=ADDR ...
      reads DIR/sas-*.raw (swanctl --list-sas --raw, sampled during the run), DIR/conntrack.txt
      (conntrack -L in the NAT) and DIR/conntrack-events.txt (conntrack -E), prints truth.json
  truth.py --summary DIR/truth.json
      one readable line per SA
"""
import argparse
import json
import re
import sys
from pathlib import Path

TOKEN = re.compile(r"(\S+?)=\[([^\]]*)\]|(\S+?)=(\S*)|(\S+) \{|(\})")


def parse_vici_raw(text):
    """swanctl --raw prints one vici message per line: 'list-sa event {name {k=v k=[a b] sub {..}}}'."""
    root, stack = {}, []
    node = root
    for m in TOKEN.finditer(text):
        if m.group(1) is not None:
            node[m.group(1)] = m.group(2).split()
        elif m.group(3) is not None:
            node[m.group(3)] = m.group(4)
        elif m.group(5) is not None:
            child = {}
            node[m.group(5)] = child
            stack.append(node)
            node = child
        elif stack:
            node = stack.pop()
    return root


def read_sa_samples(path):
    """Yields (time, sa dict) for every IKE SA in every sample of one charon."""
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        ts, _, rest = line.partition(" ")
        if " event " not in rest:
            continue
        event = parse_vici_raw(rest.split(" event ", 1)[1])
        for sa in event.values():
            if isinstance(sa, dict):
                yield float(ts), sa


def child_states(sa):
    children = sa.get("child-sas", {})
    return [c.get("state") for c in children.values() if isinstance(c, dict)]


CT_LINE = re.compile(r"src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+).*?src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)")


def read_conntrack(out):
    """inside address -> {500|4500: (pool address, pool port)} from the NAT's conntrack table.
    The reply direction's destination is the address the NAT really put on the flow."""
    flows = {}
    for name in ("conntrack-events.txt", "conntrack.txt"):  # final table wins over events
        path = out / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            m = CT_LINE.search(line)
            if not m:
                continue
            src, _dst, sport, dport, _rsrc, rdst, _rsport, rdport = m.groups()
            if dport in ("500", "4500"):
                flows.setdefault(src, {})[int(dport)] = {"address": rdst, "port": int(rdport)}
    return flows


ENDPOINT_CHANGE = re.compile(r"<[^|>]*\|(\d+)> remote endpoint changed from (\S+) to (\S+)")


def endpoint_changes(log):
    """IKE SA unique id -> ["A[port] -> B[port]"]: the gateway's own record of each float it followed."""
    changes = {}
    if log.exists():
        for m in ENDPOINT_CHANGE.finditer(log.read_text(errors="replace")):
            changes.setdefault(m.group(1), []).append(f"{m.group(2)} -> {m.group(3)}")
    return changes


def build(args):
    out = Path(args.out)
    subscribers = dict(s.split("=", 1) for s in args.subscribers)
    conntrack = read_conntrack(out)
    sas = {}

    def sa_record(ispi):
        return sas.setdefault(ispi, {"initiatorSpi": ispi, "responderSpi": None})

    def samples(name):  # the polls during the run, then the final snapshot
        yield from read_sa_samples(out / f"sas-{name}.raw")
        yield from read_sa_samples(out / f"sas-final-{name}.raw")

    for name, inside in subscribers.items():
        for ts, sa in samples(name):
            ispi = sa.get("initiator-spi")
            if not ispi:
                continue
            rec = sa_record(ispi)
            rec["responderSpi"] = rec["responderSpi"] or sa.get("responder-spi")
            rec["subscriber"] = name
            rec["insideAddress"] = sa.get("local-host", inside)
            view = rec.setdefault("initiatorView", {"firstSeen": ts, "everEstablished": False, "everInstalled": False})
            view.update(lastSeen=ts, ikeState=sa.get("state"), childStates=child_states(sa))
            view["everEstablished"] |= sa.get("state") == "ESTABLISHED"
            view["everInstalled"] |= "INSTALLED" in child_states(sa)
    changes = endpoint_changes(out / "charon-gw.log")
    for ts, sa in samples("gw"):
        ispi = sa.get("initiator-spi")
        if not ispi:
            continue
        rec = sa_record(ispi)
        rec["gatewayRemoteEndpointChanges"] = changes.get(sa.get("uniqueid"), [])
        rec["responderSpi"] = rec["responderSpi"] or sa.get("responder-spi")
        view = rec.setdefault("gatewayView", {"firstSeen": ts, "remoteEndpoints": [],
                                              "everEstablished": False, "everInstalled": False})
        endpoint = f"{sa.get('remote-host')}:{sa.get('remote-port')}"
        if endpoint not in view["remoteEndpoints"]:
            view["remoteEndpoints"].append(endpoint)
        view.update(lastSeen=ts, ikeState=sa.get("state"), childStates=child_states(sa))
        view["everEstablished"] |= sa.get("state") == "ESTABLISHED"
        view["everInstalled"] |= "INSTALLED" in child_states(sa)

    final = {}  # name -> {initiator spi: sa} from the snapshot taken after the negotiations
    for name in list(subscribers) + ["gw"]:
        final[name] = {sa.get("initiator-spi"): sa for _, sa in read_sa_samples(out / f"sas-final-{name}.raw")}

    result = []
    for rec in sas.values():
        sub = rec.get("subscriber")
        flows = conntrack.get(rec.get("insideAddress") or subscribers.get(sub, ""), {})
        rec["gateway"] = args.gateway
        rec["pool500"] = flows.get(500)
        rec["pool4500"] = flows.get(4500)
        rec["shifted"] = bool(rec["pool500"] and rec["pool4500"]
                              and rec["pool500"]["address"] != rec["pool4500"]["address"])
        # Up = the CHILD_SA is installed at both ends in the final snapshot.
        ini_final = final.get(sub, {}).get(rec["initiatorSpi"])
        gw_final = final["gw"].get(rec["initiatorSpi"])
        rec["tunnelUp"] = bool(ini_final and gw_final and "INSTALLED" in child_states(ini_final)
                               and "INSTALLED" in child_states(gw_final))
        result.append(rec)
    result.sort(key=lambda r: (r.get("subscriber") or "~", r["initiatorView"]["firstSeen"] if r.get("initiatorView") else 0))

    pings = {}
    ping_file = out / "tunnel-ping.txt"
    if ping_file.exists():
        for line in ping_file.read_text().splitlines():
            name, _, verdict = line.partition(" ")
            pings[name] = verdict.rsplit(": ", 1)[-1]

    # the strict filter's own count of UDP 4500 packets it dropped (absent in stock mode)
    dropped = None
    nft_gw = out / "nft-gw.txt"
    if nft_gw.exists():
        m = re.search(r"udp dport 4500 counter packets (\d+) bytes \d+ drop", nft_gw.read_text())
        dropped = int(m.group(1)) if m else None

    timings = dict(kv.split("=", 1) for kv in args.timings.split())
    t = {k: float(v) for k, v in timings.items()}
    truth = {
        "scenario": {"nat": args.nat, "gatewayMode": args.gateway_mode, "ike": args.ike},
        "gateway": args.gateway,
        "gatewayFilterDropped4500": dropped,
        "pool": args.pool.split(),
        "subscribers": [{"name": n, "insideAddress": a,
                         "pool500": conntrack.get(a, {}).get(500), "pool4500": conntrack.get(a, {}).get(4500),
                         "pingThroughTunnel": pings.get(n, "not tried (no tunnel up)")}
                        for n, a in subscribers.items()],
        "sas": result,
        "timings": {"setupSeconds": round(t["ready"] - t["start"], 2),
                    "negotiationSeconds": round(t["done"] - t["ready"], 2),
                    "initiatedAtEpoch": t["ready"]},
    }
    json.dump(truth, sys.stdout, indent=2)
    print()


def summary(path):
    truth = json.loads(Path(path).read_text())
    s = truth["scenario"]
    print(f"truth: nat={s['nat']} gateway={s['gatewayMode']} ike={s['ike']} gateway-address={truth['gateway']}")
    for sa in truth["sas"]:
        p500 = sa["pool500"]["address"] if sa.get("pool500") else "-"
        p4500 = sa["pool4500"]["address"] if sa.get("pool4500") else "-"
        print(f"  {sa.get('subscriber', '?')} {sa.get('insideAddress', '?')} SA {sa['initiatorSpi']}/{sa['responderSpi'] or '-'}"
              f"  500 via {p500}  4500 via {p4500}  {'SHIFTED' if sa['shifted'] else 'same address'}"
              f"  tunnel {'UP' if sa['tunnelUp'] else 'DOWN'}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--summary":
        summary(sys.argv[2])
        return
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--nat", required=True)
    p.add_argument("--gateway-mode", required=True)
    p.add_argument("--ike", required=True)
    p.add_argument("--gateway", required=True)
    p.add_argument("--pool", required=True)
    p.add_argument("--timings", required=True)
    p.add_argument("subscribers", nargs="+")
    build(p.parse_args())


if __name__ == "__main__":
    main()
