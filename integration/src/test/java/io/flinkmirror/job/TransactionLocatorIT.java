package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.udfs.offsets.KafkaReader;
import io.flinkmirror.udfs.offsets.PartitionWrites;
import io.flinkmirror.udfs.offsets.TransactionLocator.Placement;
import io.flinkmirror.udfs.offsets.TransactionLocator;
import io.flinkmirror.udfs.record.RecordFingerprint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link TransactionLocator} against a real broker: transactions whose records are split by other transactions'
 * commit and abort markers (and aborted records) are placed exactly, with few reads; uncommitted ones are not found;
 * foreign committed records mixed in are detected.
 */
class TransactionLocatorIT {

    @RegisterExtension
    static final KafkaClusters KAFKA = KafkaClusters.of(1);

    @Test
    void placesATransactionSplitByMarkersAndAbortedRecordsExactly() {
        LocalKafkaCluster kafka = KAFKA.get(0);
        String topic = "split";
        kafka.createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        int n = 3000;
        try (KafkaProducer<byte[], byte[]> previous = producer(kafka, "previous");
             KafkaProducer<byte[], byte[]> ours = producer(kafka, "ours");
             KafkaProducer<byte[], byte[]> aborted = producer(kafka, "aborted");
             KafkaReader reader = new KafkaReader(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            // As in the sink: the previous transaction commits while ours is already being filled, and a
            // transaction of a failed attempt is aborted in the middle of it.
            previous.beginTransaction();
            send(previous, topic, "previous", 0, 500);
            ours.beginTransaction();
            send(ours, topic, "ours", 0, 40);
            previous.commitTransaction();
            send(ours, topic, "ours", 40, 1700);
            aborted.beginTransaction();
            send(aborted, topic, "aborted", 0, 300);
            aborted.flush();
            aborted.abortTransaction();
            send(ours, topic, "ours", 1700, n);
            PartitionWrites writes = writes(topic, "ours", n);

            TransactionLocator locator = new TransactionLocator(reader);
            assertThat(locator.locate(tp, 500, writes)).as("not committed yet").isEmpty();
            ours.commitTransaction();
            awaitCommitted(reader, tp, 500 + 1 + n + 300 + 1 + 1);

            List<Long> expected = offsetsOf(kafka, tp, "ours-");
            assertThat(expected).hasSize(n);
            TransactionLocator counting = new TransactionLocator(reader);
            Placement placement = counting.locate(tp, 500, writes).orElseThrow();
            assertThat(placement.aligned()).isTrue();
            assertThat(flatten(placement.segments())).containsExactlyElementsOf(expected);
            // Split by the commit marker, the aborted records and the abort marker (the coordinator writes markers
            // after commit/abort returns, so a marker may land apart from what it ends).
            assertThat(placement.segments()).hasSizeBetween(3, 4);
            // first + last, then per gap a bisection over the n / SAMPLE_EVERY samples and one stretch read
            int samples = n / PartitionWrites.SAMPLE_EVERY;
            int gaps = placement.segments().size() - 1;
            int bound = 2 + gaps * (32 - Integer.numberOfLeadingZeros(samples) + 1);
            assertThat(counting.reads()).as("reads, at most %d", bound).isLessThanOrEqualTo(bound);

        }
    }

    @Test
    void contiguousTransactionTakesTwoReadsAndForeignRecordsAreDetected() {
        LocalKafkaCluster kafka = KAFKA.get(0);
        String topic = "contiguous";
        kafka.createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<byte[], byte[]> ours = producer(kafka, "ours-2");
             KafkaProducer<byte[], byte[]> foreign = producer(kafka, "foreign");
             KafkaReader reader = new KafkaReader(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            ours.beginTransaction();
            send(ours, topic, "one", 0, 1000);
            ours.commitTransaction();
            awaitCommitted(reader, tp, 1001); // the markers land shortly after commitTransaction returns
            TransactionLocator locator = new TransactionLocator(reader);
            Placement placement = locator.locate(tp, 0, writes(topic, "one", 1000)).orElseThrow();
            assertThat(placement.segments()).containsExactly(new long[] {0, 1000});
            assertThat(locator.reads()).isEqualTo(2);

            // Another writer's committed records inside our range: not ours, so not placed.
            ours.beginTransaction();
            send(ours, topic, "two", 0, 600);
            foreign.beginTransaction();
            send(foreign, topic, "foreign", 0, 5);
            foreign.commitTransaction();
            send(ours, topic, "two", 600, 1000);
            ours.commitTransaction();
            awaitCommitted(reader, tp, 1001 + 1000 + 6 + 1);
            Placement mixed = new TransactionLocator(reader).locate(tp, 1001, writes(topic, "two", 1000))
                    .orElseThrow();
            assertThat(mixed.aligned()).isFalse();
        }
    }

    @Test
    void atLeastOnceBatchesAreFoundBackFromTheEndAndWithinABoundedScan() throws Exception {
        LocalKafkaCluster kafka = KAFKA.get(0);
        String topic = "at-least-once";
        kafka.createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<byte[], byte[]> plain = plainProducer(kafka);
             KafkaReader reader = new KafkaReader(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            send(plain, topic, "one", 0, 3000);
            send(plain, topic, "two", 0, 500); // written after batch one's barrier, before the mapping looks
            plain.flush();
            TransactionLocator locator = new TransactionLocator(reader);
            PartitionWrites one = writes(topic, "one", 3000);
            assertThat(locator.startBeforeEnd(tp, 0, List.of(one))).hasValue(0);
            assertThat(locator.startBeforeEnd(tp, 0, List.of(writes(topic, "never", 10)))).as("not written")
                    .isEmpty();
            assertThat(locator.locate(tp, 0, one, 100).orElseThrow().segments())
                    .containsExactly(new long[] {0, 3000});
            assertThat(locator.locate(tp, 3000, writes(topic, "two", 500), 100).orElseThrow().segments())
                    .containsExactly(new long[] {3000, 500});
            // Not written yet: nothing past the end to look at, so not found, try again later.
            assertThat(locator.locate(tp, 3500, writes(topic, "three", 10), 100)).isEmpty();
            // Stray records where the batch should start, more than the scan allows: skipped, not read to the end.
            send(plain, topic, "stray", 0, 300);
            send(plain, topic, "three", 0, 10);
            plain.flush();
            Placement skipped = locator.locate(tp, 3500, writes(topic, "three", 10), 100).orElseThrow();
            assertThat(skipped.aligned()).isFalse();
            assertThat(skipped.firstOffset()).isEqualTo(3599);
        }
    }

    @Test
    void atLeastOnceFirstBatchesAreFoundFarBackFromTheEndWithFewReads() {
        // During a bulk copy the sink keeps writing while the offset mapping catches up: when it first looks, a
        // partition's first batches can lie hundreds of thousands of records back from the end offset.
        LocalKafkaCluster kafka = KAFKA.get(0);
        String topic = "at-least-once-far";
        kafka.createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<byte[], byte[]> plain = plainProducer(kafka);
             KafkaReader reader = new KafkaReader(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            send(plain, topic, "before", 0, 700); // a previous run's records: the batches do not start at 0
            send(plain, topic, "one", 0, 1000);
            send(plain, topic, "two", 0, 20_000);
            send(plain, topic, "three", 0, 5);
            send(plain, topic, "later", 0, 80_000); // written since, not reported to the mapping yet
            plain.flush();
            PartitionWrites one = writes(topic, "one", 1000);
            PartitionWrites two = writes(topic, "two", 20_000);
            PartitionWrites three = writes(topic, "three", 5);

            TransactionLocator all = new TransactionLocator(reader);
            assertThat(all.startBeforeEnd(tp, 0, List.of(one, two, three))).as("found through a later batch")
                    .hasValue(700);
            // 80,000 records back in windows of SAMPLE_EVERY records at distances doubling from 128 (~10 reads to
            // reach past the tail), steps never longer than the 21,005 records of the batches.
            assertThat(all.reads()).as("reads").isLessThanOrEqualTo(14);
            // Only the small first batch pending: steps of at most its length (no window may jump over it).
            TransactionLocator alone = new TransactionLocator(reader);
            assertThat(alone.startBeforeEnd(tp, 0, List.of(one))).as("only the first batch pending").hasValue(700);
            assertThat(alone.reads()).as("reads").isLessThanOrEqualTo(10 + 101_005 / (1000 - 128) + 1);
            assertThat(all.locate(tp, 700, one, 4 * 1000 + 10_000).orElseThrow().segments())
                    .containsExactly(new long[] {700, 1000});

            assertThat(new TransactionLocator(reader).startBeforeEnd(tp, 0, List.of(three))).as("a tiny batch")
                    .hasValue(700 + 1000 + 20_000);
            assertThat(new TransactionLocator(reader).startBeforeEnd(tp, 1_000, List.of(one)))
                    .as("its first records deleted (log start past them): from the log start").hasValue(1_000);

            // A batch reaches the mapping while the sink may still be flushing it: partly written is not complete
            // yet (looked for again later), not "another writer's records".
            long end = 700 + 1000 + 20_000 + 5 + 80_000;
            send(plain, topic, "four", 0, 600);
            PartitionWrites four = writes(topic, "four", 1000);
            assertThat(new TransactionLocator(reader).locate(tp, end, four, 4 * 1000 + 10_000))
                    .as("600 of 1000 records written").isEmpty();
            send(plain, topic, "four", 600, 1000);
            assertThat(new TransactionLocator(reader).locate(tp, end, four, 4 * 1000 + 10_000).orElseThrow()
                    .segments()).containsExactly(new long[] {end, 1000});

            // The same records written twice (at-least-once: a previous run's copies): the later copy is taken.
            send(plain, topic, "again", 0, 50);
            send(plain, topic, "again", 0, 50);
            assertThat(new TransactionLocator(reader).startBeforeEnd(tp, 0, List.of(writes(topic, "again", 50))))
                    .hasValue(end + 1000 + 50);
            // Twice within the batches themselves (identical source records): such a record tells no position,
            // and here every known one is such (taking the latest copy of the first record would say end + 1050).
            PartitionWrites twice = writes(topic, "again", 50);
            assertThat(new TransactionLocator(reader).startBeforeEnd(tp, 0, List.of(twice, twice))).isEmpty();
        }
    }

    private static void awaitCommitted(KafkaReader reader, TopicPartition tp, long endOffset) {
        Poll.until(tp + " committed up to " + endOffset, Duration.ofSeconds(30),
                () -> reader.endOffset(tp) >= endOffset);
    }

    /** What the offset tracker reports for records {@code prefix-0 .. prefix-(n-1)} written in order. */
    private static PartitionWrites writes(String topic, String prefix, int n) {
        List<Long> indexes = new ArrayList<>();
        List<Long> fingerprints = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if ((i + 1) % PartitionWrites.SAMPLE_EVERY == 0) {
                indexes.add((long) i);
                fingerprints.add(fingerprint(prefix, i));
            }
        }
        PartitionWrites writes = new PartitionWrites(topic, topic, 0, 1, new long[] {0}, new long[] {n},
                fingerprint(prefix, 0), fingerprint(prefix, n - 1));
        writes.sampleIndexes = indexes.stream().mapToLong(Long::longValue).toArray();
        writes.sampleFingerprints = fingerprints.stream().mapToLong(Long::longValue).toArray();
        return writes;
    }

    private static long fingerprint(String prefix, int i) {
        return RecordFingerprint.of(key(prefix, i), value(prefix, i), TIMESTAMP + i);
    }

    private static final long TIMESTAMP = 1_700_000_000_000L;

    private static byte[] key(String prefix, int i) {
        return (prefix + "-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(String prefix, int i) {
        byte[] value = new byte[200];
        byte[] id = key(prefix, i);
        System.arraycopy(id, 0, value, 0, id.length);
        return value;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String prefix, int from, int to) {
        for (int i = from; i < to; i++) {
            producer.send(new ProducerRecord<>(topic, 0, TIMESTAMP + i, key(prefix, i), value(prefix, i)));
        }
        producer.flush();
    }

    /** A non-transactional producer, as the at-least-once sink writes. */
    private static KafkaProducer<byte[], byte[]> plainProducer(LocalKafkaCluster kafka) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaProducer<byte[], byte[]> producer(LocalKafkaCluster kafka, String transactionalId) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("transactional.id", transactionalId);
        props.put("batch.size", "16384");
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    /** Target offsets of the committed records whose key starts with {@code prefix}, read independently. */
    private static List<Long> offsetsOf(LocalKafkaCluster kafka, TopicPartition tp, String prefix) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("isolation.level", "read_committed");
        List<Long> offsets = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (new String(r.key(), StandardCharsets.UTF_8).startsWith(prefix)) {
                        offsets.add(r.offset());
                    }
                }
            }
            assertThat(consumer.position(tp)).as("read to the end").isGreaterThanOrEqualTo(end);
        }
        return offsets;
    }

    private static List<Long> flatten(List<long[]> segments) {
        List<Long> offsets = new ArrayList<>();
        Optional.ofNullable(segments).orElseThrow().forEach(s -> {
            for (long i = 0; i < s[1]; i++) {
                offsets.add(s[0] + i);
            }
        });
        return offsets;
    }
}
