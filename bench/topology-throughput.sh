#!/usr/bin/env bash
# Topology throughput (issue 5): natshift's topology vs the most trivial stateful Kafka Streams app
# (one persistent store, one get + one put per record), both exactly_once_v2, one stream thread,
# default cache, on the same input topic of a real Apache Kafka broker (Kafka's own kafka.Kafka,
# KRaft combined mode, loopback, temporary directory); plus a plain consumer for scale.
# Usage: bench/topology-throughput.sh [SAS [ROUNDS]]   (default 100000 SAs ~ 1M packets, 3 rounds)
# TOPOLOGY_INPUT=synth: the input is a `natshift synth` capture instead (SAS = subscribers, default 110000:
# 3 minutes, 20 pools of which one arbitrary, about 1.03 M IKE packets of 100,000+ SAs), published by
# `natshift replay` to natshift.ike-packets (one partition).
# With NATSHIFT_BOOTSTRAP=host:port it uses that broker instead of starting one. Alert latency: LATENCY_RATE
# (20000 packets/s) for LATENCY_SECONDS (100), shifts of the first LATENCY_STEADY_AFTER seconds (40) not counted
# (one partition: at 2,000 new SAs/s the task reaches its live-SA cap of 250,000 after about 120 s).
# BENCH_JAVA_OPTS / BROKER_JAVA_OPTS / LATENCY_JAVA_OPTS: extra JVM options (a profiler agent; -Dbench.warmups=N
# uncounted rounds of each app first, default 2; -Dbench.baseline.tuned=true gives the baseline natshift's RocksDB
# and producer settings; -Dnatshift.<setting>=value sets one of natshift's settings, docs/topology.md).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -o -q -pl bench -am package -DskipTests
cp="bench/target/natshift-bench.jar:bench/target/lib/*"
work=$(mktemp -d "${TMPDIR:-/tmp}/natshift-topology-bench.XXXXXX")
broker_pid=
cleanup() {
  if [ -n "$broker_pid" ]; then kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

bootstrap="${NATSHIFT_BOOTSTRAP:-}"
if [ -z "$bootstrap" ]; then
  mvn -B -o -q -pl local-kafka dependency:build-classpath -Dmdep.outputFile="$work/broker.cp" >/dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$work/server.properties" <<PROPS
process.roles=broker,controller
node.id=0
controller.quorum.voters=0@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$work/logs
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.message.timestamp.before.max.ms=9223372036854775807
PROPS
  cat > "$work/log4j2.properties" <<'PROPS'
rootLogger.level=WARN
rootLogger.appenderRef.f.ref=F
appender.f.type=File
appender.f.name=F
appender.f.fileName=${sys:natshift.bench.dir}/broker.log
appender.f.layout.type=PatternLayout
appender.f.layout.pattern=%d %p %c - %m%n
PROPS
  bcp=$(cat "$work/broker.cp")
  java -cp "$bcp" kafka.tools.StorageTool format -t "$(java -cp "$bcp" kafka.tools.StorageTool random-uuid)" \
       -c "$work/server.properties" --standalone >/dev/null 2>"$work/format.err" \
    || java -cp "$bcp" kafka.tools.StorageTool format -t "$(java -cp "$bcp" kafka.tools.StorageTool random-uuid)" \
       -c "$work/server.properties" >/dev/null
  java -Xms1g -Xmx1g ${BROKER_JAVA_OPTS:-} -Dnatshift.bench.dir="$work" -Dlog4j2.configurationFile="$work/log4j2.properties" \
       -cp "$bcp" kafka.Kafka "$work/server.properties" >"$work/broker.out" 2>&1 &
  broker_pid=$!
  bootstrap="127.0.0.1:$port"
  for _ in $(seq 1 120); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
    sleep 0.5
  done
  echo "broker: Apache Kafka (kafka.Kafka, KRaft) on $bootstrap"
fi
input_opts=()
if [ "${TOPOLOGY_INPUT:-generated}" = synth ]; then
  bin/natshift synth --subscribers "${1:-110000}" --duration 3m --esp-rate 0 --seed 7 --pools 20 --pooling mix:0.05 \
      --out "$work/synth.pcap" --no-progress >&2
  bin/natshift topics create --bootstrap "$bootstrap" --partitions 1 >/dev/null
  bin/natshift replay --bootstrap "$bootstrap" --heartbeat 0 --probe-id bench --vantage outside "$work/synth.pcap" >/dev/null
  truth=$(python3 -c "import json; t=json.load(open('$work/synth.pcap'[:-5] + '.truth.json'))['totals']; print(f\"natshift synth, ${1:-110000} subscribers, 3 min: {t['packets']:,} frames, {t['establishedSas']:,} established SAs, {t['shifts']:,} shifts\")")
  input_opts=(-Dbench.input.topic=natshift.ike-packets "-Dbench.input.description=$truth")
fi
java -Xms2g -Xmx2g ${BENCH_JAVA_OPTS:-} "${input_opts[@]}" -Dbench.broker.pid="$broker_pid" -cp "$cp" io.natshift.bench.TopologyThroughput "$bootstrap" "${1:-100000}" "${2:-3}" "$work/state"
if [ "${NATSHIFT_LATENCY:-1}" = 1 ]; then
  java -Xms4g -Xmx4g ${LATENCY_JAVA_OPTS:-} -cp "$cp" io.natshift.bench.AlertLatency "$bootstrap" "${LATENCY_RATE:-20000}" "${LATENCY_SECONDS:-100}" "${LATENCY_STEADY_AFTER:-40}"
fi
