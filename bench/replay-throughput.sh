#!/usr/bin/env bash
# Replay throughput into the embedded Kafka broker beside Kafka's own ProducerPerformance, same
# broker, same run, same record count and size. Prints every run, the medians and the ratio.
# Usage: bench/replay-throughput.sh [IKE_PACKETS (default 1000000)] [RUNS (default 3)] [PARTITIONS (default 6)]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
mvn -B -q -o -pl bench -am package -DskipTests >&2
exec java ${BENCH_JAVA_OPTS:--Xmx3g -XX:+UseParallelGC} -cp "bench/target/natshift-bench.jar:bench/target/lib/*" \
  io.natshift.bench.ReplayThroughput "$@"
