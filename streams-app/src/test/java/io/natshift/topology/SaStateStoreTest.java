package io.natshift.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-behind sa-state store. The driver commits after every input record, so all puts made while
 * one record is processed must reach the changelog as one record per SA, with that record's timestamp.
 * Input: "spi:lastTs,spi:lastTs,..." puts, "-spi" deletes, "?spi" reads (the read's result goes to "reads").
 */
class SaStateStoreTest {
    private static final String STORE = "sa-state";
    private static final String CHANGELOG = "store-test-" + STORE + "-changelog";

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, String> ops;
    private TestOutputTopic<Long, byte[]> changelog;
    private TestOutputTopic<Long, Long> reads;
    private SaStateStore store;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** Without packed states: what the map pushes out goes to RocksDB. */
    private void start(int capacity) {
        start(capacity, 0);
    }

    private void start(int capacity, long packedBytes) {
        Topology t = new Topology();
        t.addSource("ops", new StringDeserializer(), new StringDeserializer(), "ops");
        t.addProcessor("apply", () -> new Ops(), "ops");
        t.addStateStore(SaStateStore.builder(STORE, capacity, packedBytes, Map.of()), "apply");
        t.addSink("reads", "reads", new LongSerializer(), new LongSerializer(), "apply");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "store-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // natshift's default: commits record no changelog offsets in the store, checkpoints (clean close) do
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(t, p);
        ops = driver.createInputTopic("ops", new StringSerializer(), new StringSerializer());
        changelog = driver.createOutputTopic(CHANGELOG, new LongDeserializer(), (topic, b) -> b);
        reads = driver.createOutputTopic("reads", new LongDeserializer(), new LongDeserializer());
    }

    private final class Ops implements Processor<String, String, Long, Long> {
        private ProcessorContext<Long, Long> context;

        @Override
        public void init(ProcessorContext<Long, Long> context) {
            this.context = context;
            store = (SaStateStore) unwrap(context.getStateStore(STORE));
        }

        @Override
        public void process(Record<String, String> record) {
            for (String op : record.value().split(",")) {
                if (op.equals("!")) {
                    store.flushCache();   // what Kafka Streams does before every commit
                } else if (op.equals("#")) {
                    context.forward(new Record<>(0L, store.localWrites(), record.timestamp()));
                } else if (op.startsWith("-")) {
                    store.delete(Long.parseLong(op.substring(1)));
                } else if (op.startsWith("?")) {
                    long spi = Long.parseLong(op.substring(1));
                    SaState s = store.get(spi);
                    context.forward(new Record<>(spi, s == null ? -1L : s.lastTs, record.timestamp()));
                } else if (op.startsWith("=")) {
                    // mutate the stored object in place and put it back, as SaTracker does
                    String[] kv = op.substring(1).split(":");
                    SaState s = store.get(Long.parseLong(kv[0]));
                    s.lastTs = Long.parseLong(kv[1]);
                    store.put(Long.parseLong(kv[0]), s);
                } else {
                    String[] kv = op.split(":");
                    SaState s = new SaState();
                    s.lastTs = Long.parseLong(kv[1]);
                    store.put(Long.parseLong(kv[0]), s);
                }
            }
        }
    }

    /** getStateStore hands out a read-write decorator; the test needs the store behind it. */
    private static Object unwrap(Object decorated) {
        Object s = decorated;
        while (!(s instanceof SaStateStore)) {
            s = ((org.apache.kafka.streams.state.internals.WrappedStateStore<?, ?, ?>) s).wrapped();
        }
        return s;
    }

    private static long lastTs(byte[] value) {
        return new SaStateSerde().deserializer().deserialize(CHANGELOG, value).lastTs;
    }

    @Test
    void shouldWriteOneChangelogRecordPerSaForAllPutsBeforeACommit() {
        start(1000);
        ops.pipeInput("a", "1:100,2:200,=1:101,=1:102,=2:201", 5_000L);

        List<TestRecord<Long, byte[]>> written = changelog.readRecordsToList();
        assertThat(written).extracting(TestRecord::key).containsExactlyInAnyOrder(1L, 2L);
        assertThat(written).extracting(r -> lastTs(r.value())).containsExactlyInAnyOrder(102L, 201L);
        assertThat(written).extracting(TestRecord::timestamp).containsOnly(5_000L);
    }

    @Test
    void shouldWriteNothingForAnSaThatWasOnlyRead() {
        start(1000);
        ops.pipeInput("a", "1:100", 1_000L);
        changelog.readRecordsToList();

        ops.pipeInput("b", "?1,?1", 2_000L);

        assertThat(changelog.readRecordsToList()).isEmpty();
        assertThat(reads.readValuesToList()).containsExactly(100L, 100L);
    }

    @Test
    void shouldStampEachChangelogRecordWithTheCaptureTimeOfThePacketThatChangedIt() {
        start(1000);
        ops.pipeInput("a", "1:100", 1_000L);
        ops.pipeInput("b", "2:200", 9_000L);

        assertThat(changelog.readRecordsToList()).extracting(r -> r.key() + "@" + r.timestamp())
                .containsExactly("1@1000", "2@9000");
    }

    @Test
    void shouldWriteTheLeastRecentlyUsedDirtySaWhenTheMapIsFullAndReadItBackFromRocksDb() {
        start(2);
        ops.pipeInput("a", "1:100,2:200,3:300", 1_000L);

        assertThat(store.evictedDirty()).isEqualTo(1);
        assertThat(store.cachedObjects()).isEqualTo(2);
        assertThat(changelog.readRecordsToList()).extracting(TestRecord::key).containsExactly(1L, 2L, 3L);

        ops.pipeInput("b", "?1,?3,?4", 2_000L);
        assertThat(reads.readValuesToList()).containsExactly(100L, 300L, -1L);
    }

    @Test
    void shouldLogATombstoneAndForgetTheObjectWhenDeleted() {
        start(1000);
        ops.pipeInput("a", "1:100", 1_000L);
        changelog.readRecordsToList();

        ops.pipeInput("b", "-1,?1", 2_000L);

        List<TestRecord<Long, byte[]>> written = changelog.readRecordsToList();
        assertThat(written).hasSize(1);
        assertThat(written.get(0).value()).isNull();
        assertThat(reads.readValuesToList()).containsExactly(-1L);
    }

    @Test
    void shouldNotResurrectADeletedSaWhosePutWasStillDirty() {
        start(1000);
        ops.pipeInput("a", "1:100,-1", 1_000L);

        List<TestRecord<Long, byte[]>> written = changelog.readRecordsToList();
        assertThat(written).hasSize(1);
        assertThat(written.get(0).value()).isNull();
    }

    @Test
    void shouldListDirtySasWhenIterated() {
        start(1000);
        ops.pipeInput("a", "1:100,2:200", 1_000L);
        ops.pipeInput("b", "=1:150,3:300", 2_000L);

        // all() is what SaTracker reads when its task starts; the query here runs outside process()
        try (var all = store.all()) {
            StringBuilder seen = new StringBuilder();
            all.forEachRemaining(kv -> seen.append(kv.key).append('=').append(kv.value.lastTs).append(' '));
            assertThat(seen.toString()).isEqualTo("1=150 2=200 3=300 ");
        }
    }

    @Test
    void shouldWriteEveryPutThroughWhenTheObjectMapIsOff() {
        start(0);
        ops.pipeInput("a", "1:100,=1:101", 1_000L);

        assertThat(changelog.readRecordsToList()).extracting(r -> lastTs(r.value())).containsExactly(100L, 101L);
        assertThat(store.cachedObjects()).isZero();
    }

    private static long localLastTs(SaStateStore store, long spi) {
        SaState s = store.wrapped().get(spi);
        return s == null ? -1L : s.lastTs;
    }

    // The test driver records changelog offsets in the stores after every input record (a checkpoint);
    // a running exactly-once app only at a clean close or a revocation. "!" is the flush before a commit
    // without that, "#" reads how many RocksDB writes the store made so far.

    @Test
    void shouldSendFlushedSasToTheChangelogWithoutWritingRocksDb() {
        start(1000);
        ops.pipeInput("a", "1:100,2:200,!,#", 1_000L);

        assertThat(reads.readValuesToList()).containsExactly(0L);
        assertThat(changelog.readRecordsToList()).extracting(TestRecord::key).containsExactly(1L, 2L);
    }

    @Test
    void shouldBringRocksDbUpToTheChangelogWhenOffsetsAreRecorded() {
        start(1000);
        ops.pipeInput("a", "1:100,2:200,!,=1:150", 1_000L);

        // the driver's checkpoint after the record: the flushed 2 and the still dirty 1, both now logged
        assertThat(store.localWrites()).isEqualTo(2);
        assertThat(localLastTs(store, 1L)).isEqualTo(150L);
        assertThat(localLastTs(store, 2L)).isEqualTo(200L);
    }

    @Test
    void shouldNeverTouchRocksDbForAnSaCreatedAndDeletedWhileInTheMap() {
        start(1000);
        ops.pipeInput("a", "?1,1:100,!,=1:150,!,-1,?1,#", 1_000L);

        assertThat(changelog.readRecordsToList()).extracting(r -> r.value() == null ? "tombstone" : "ts " + lastTs(r.value()))
                .containsExactly("ts 100", "ts 150", "tombstone");
        assertThat(reads.readValuesToList()).containsExactly(-1L, -1L, 0L);
        assertThat(store.localWrites()).isZero();
    }

    @Test
    void shouldDeleteFromRocksDbAnSaThatWasWrittenThereBefore() {
        start(1000);
        ops.pipeInput("a", "1:100", 1_000L);
        assertThat(localLastTs(store, 1L)).isEqualTo(100L);

        ops.pipeInput("b", "-1", 2_000L);

        assertThat(localLastTs(store, 1L)).isEqualTo(-1L);
        assertThat(store.localWrites()).isEqualTo(2);
    }

    @Test
    void shouldWriteAnEvictedSaToRocksDbWhenOnlyItsChangelogRecordWasSent() {
        start(2);
        // 3 evicts 1 or 2, both logged and clean: one RocksDB write, no second changelog record
        ops.pipeInput("a", "1:100,2:200,!,3:300,#,?1,?2,?3", 1_000L);

        assertThat(reads.readValuesToList()).containsExactly(1L, 100L, 200L, 300L);
        assertThat(changelog.readRecordsToList()).extracting(TestRecord::key).containsExactly(1L, 2L, 3L);
    }

    @Test
    void shouldNotReadRocksDbForANewSaWhileEverySaFitsInTheMap() {
        start(1000);
        ops.pipeInput("a", "?1,1:100,?2,2:200,?1", 1_000L);

        assertThat(reads.readValuesToList()).containsExactly(-1L, -1L, 100L);
        assertThat(store.localReads()).isZero();
    }

    @Test
    void shouldReadRocksDbForSasOutsideTheMapOnceItHasEvicted() {
        start(2);
        ops.pipeInput("a", "1:100,2:200,3:300,?4", 1_000L);

        assertThat(store.localReads()).isEqualTo(1);
        assertThat(reads.readValuesToList()).containsExactly(-1L);
    }

    @Test
    void shouldReadRocksDbAgainAfterTheMapWasDroppedOverStoredSas() {
        start(1000);
        ops.pipeInput("a", "1:100", 1_000L);   // the driver's checkpoint writes it to RocksDB
        store.clearCache();   // what Kafka Streams does when it closes the task without committing

        ops.pipeInput("b", "?1,?2", 2_000L);

        assertThat(reads.readValuesToList()).containsExactly(100L, -1L);
        assertThat(store.localReads()).isEqualTo(2);
    }

    // Packed states: what the object map pushes out stays on the heap, encoded, within a byte budget.

    @Test
    void shouldKeepStatesPushedOutOfTheMapEncodedOnTheHeapWithoutTouchingRocksDb() {
        start(2, 1 << 20);
        ops.pipeInput("a", "1:100,2:200,3:300,4:400,!,#,?1,?2,?3,?4,?5", 1_000L);

        assertThat(reads.readValuesToList()).containsExactly(0L, 100L, 200L, 300L, 400L, -1L);
        assertThat(store.cachedObjects()).isEqualTo(2);
        assertThat(store.packedStates()).isEqualTo(2);
        assertThat(store.evictedDirty()).isZero();
        assertThat(store.localReads()).isZero();   // 5 is new: nothing has left the heap, so no RocksDB read
    }

    @Test
    void shouldSendAPackedStateToTheChangelogOnceAtTheFlushWithItsLatestChange() {
        start(1, 1 << 20);
        // 2 pushes 1 out while dirty; 1 comes back, changes, and pushes 2 out: one record each, at the flush
        ops.pipeInput("a", "1:100,2:200,=1:150,#", 7_000L);

        List<TestRecord<Long, byte[]>> written = changelog.readRecordsToList();
        assertThat(written).extracting(r -> r.key() + "=" + lastTs(r.value()) + "@" + r.timestamp())
                .containsExactly("1=150@7000", "2=200@7000");
        assertThat(reads.readValuesToList()).containsExactly(0L);
        assertThat(store.evictedDirty()).isZero();
    }

    @Test
    void shouldWritePackedStatesToRocksDbWhenOffsetsAreRecorded() {
        start(1, 1 << 20);
        ops.pipeInput("a", "1:100,2:200", 1_000L);

        // the driver's checkpoint after the record: 1 is packed, 2 an object, both logged and now stored
        assertThat(store.packedStates()).isEqualTo(1);
        assertThat(store.localWrites()).isEqualTo(2);
        assertThat(localLastTs(store, 1L)).isEqualTo(100L);
        assertThat(localLastTs(store, 2L)).isEqualTo(200L);
    }

    @Test
    void shouldLogATombstoneAndDeleteFromRocksDbForAPackedState() {
        start(1, 1 << 20);
        ops.pipeInput("a", "1:100,2:200", 1_000L);   // stored by the checkpoint
        changelog.readRecordsToList();

        ops.pipeInput("b", "-1,?1", 2_000L);

        List<TestRecord<Long, byte[]>> written = changelog.readRecordsToList();
        assertThat(written).extracting(TestRecord::key).containsExactly(1L);
        assertThat(written.get(0).value()).isNull();
        assertThat(localLastTs(store, 1L)).isEqualTo(-1L);
        assertThat(reads.readValuesToList()).containsExactly(-1L);
        assertThat(store.packedStates()).isZero();
    }

    @Test
    void shouldPushPackedStatesOnToRocksDbAndTheChangelogWhenTheBudgetIsSpent() {
        start(1, 1);   // a budget smaller than the table itself: every packed state goes straight on
        ops.pipeInput("a", "1:100,2:200,3:300,?1,?2,?3", 1_000L);

        assertThat(reads.readValuesToList()).containsExactly(100L, 200L, 300L);
        assertThat(store.packedStates()).isZero();
        assertThat(store.evictedDirty()).isEqualTo(3);   // each pushed out by the next, dirty, the reads' ones clean
        assertThat(store.localReads()).isEqualTo(3);
    }

    @Test
    void shouldPushOutAStateReadBackUnchangedWithItsBytesAndAChangedOneWithItsChange() {
        start(1, 1 << 20);
        // 1 packed, read back unchanged (pushing 2 out), packed again by 2's read: its bytes as read
        ops.pipeInput("a", "1:100,2:200,?1,?2,?1", 1_000L);
        byte[] packedOnce = store.packedBytes(2L);
        ops.pipeInput("b", "?2", 2_000L);   // 2 back in the map, 1 out again
        assertThat(store.packedBytes(1L)).isNotNull();
        assertThat(store.packedBytes(2L)).isNull();
        ops.pipeInput("c", "?1", 3_000L);   // 2 out again, unchanged: the very same bytes
        assertThat(store.packedBytes(2L)).isSameAs(packedOnce);

        ops.pipeInput("d", "=2:250,?1,?2", 4_000L);   // 2 changed, then pushed out by 1 and read back
        assertThat(reads.readValuesToList()).endsWith(100L, 250L);
        assertThat(lastTs(store.packedBytes(1L))).isEqualTo(100L);
    }
}
