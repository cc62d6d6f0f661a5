package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.testutils.TwoClusterTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job started without state resumes each partition from what the target holds, not from the source consumer group:
 * a group behind the target copies nothing twice, a group ahead of an emptied target skips nothing (both fail on the
 * old start from the group), and transactions an earlier run left open on the target are aborted before the target is
 * read. Counted with read_committed: 0
 * missing, 0 duplicated.
 */
class ResumeFromTargetIT extends TwoClusterTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int PARTITIONS = 3;
    private static final int COUNT = 3_000;

    private static Map<String, String> flow(String topic) {
        Map<String, String> props = MirrorRunner.flowProperties(a, b, topic);
        props.put("emit.heartbeats.enabled", "false");
        props.put("flink.pipeline.name", "resume-" + topic);
        return props;
    }

    private static String group() {
        return "flink-mirror-" + a.name() + "-" + b.name();
    }

    /** Runs a job without state on {@code regex} until it caught up on {@code topics}, then cancels it. */
    private static void runUntilCaughtUp(String regex, List<String> topics) throws Exception {
        try (MirrorRunner mirror = MirrorRunner.start(flow(regex))) {
            mirror.awaitCaughtUp(a, b.name(), topics, TIMEOUT);
        }
    }

    private static void commitSourceGroup(String topic, long offset) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(offset));
        }
        a.admin().alterConsumerGroupOffsets(group(), offsets).all().get(30, TimeUnit.SECONDS);
    }

    private static boolean topicExists(String topic) {
        try {
            return b.admin().listTopics().names().get(10, TimeUnit.SECONDS).contains(topic);
        } catch (Exception e) {
            return true;
        }
    }

    private static List<ProducedRecord> records(String topic) {
        return TestRecords.builder().topic(topic, PARTITIONS).count(COUNT).idPrefix(topic).build();
    }

    private static void verify(String topic, List<ProducedRecord> expected) {
        ExactlyOnceChecker.expecting(expected).verify(b.bootstrapServers(), a.name() + "." + topic, TIMEOUT)
                .assertExactlyOnce();
    }

    /**
     * Creates {@code topic} and produces the first half of its records, then an aborted transaction (offsets the
     * target never sees). Returns all its records.
     */
    private static List<ProducedRecord> firstHalf(String topic) {
        a.createTopic(topic, PARTITIONS);
        List<ProducedRecord> records = records(topic);
        TestRecords.produce(a.bootstrapServers(), records.subList(0, COUNT / 2));
        TestRecords.produceTransactional(a.bootstrapServers(),
                TestRecords.builder().topic(topic, PARTITIONS).count(30).idPrefix(topic + "-aborted").build(), false);
        return records;
    }

    @Test
    void shouldResumeFromWhatTheTargetHoldsWhateverTheSourceGroupSays() throws Exception {
        String behind = "resume-behind"; // the group will say: nothing copied yet
        String emptied = "resume-emptied"; // the target will lose what the group counts as copied
        String both = "resume-(behind|emptied)";
        List<ProducedRecord> behindRecords = firstHalf(behind);
        List<ProducedRecord> emptiedRecords = firstHalf(emptied);
        runUntilCaughtUp(both, List.of(behind, emptied));

        commitSourceGroup(behind, 0);
        String remote = a.name() + "." + emptied;
        b.admin().deleteTopics(List.of(remote)).all().get(30, TimeUnit.SECONDS);
        Poll.until(remote + " to be deleted", TIMEOUT, () -> !topicExists(remote));
        TestRecords.produce(a.bootstrapServers(), behindRecords.subList(COUNT / 2, COUNT));
        TestRecords.produce(a.bootstrapServers(), emptiedRecords.subList(COUNT / 2, COUNT));
        runUntilCaughtUp(both, List.of(behind, emptied));

        verify(behind, behindRecords);
        verify(emptied, emptiedRecords);
    }

    @Test
    void shouldAbortTheTransactionsItsEarlierRunLeftOpenOnTheTarget() throws Exception {
        String topic = "resume-lingering";
        List<ProducedRecord> records = firstHalf(topic);
        runUntilCaughtUp(topic, List.of(topic));

        // A transaction with one of the flow's transactional ids, left open on the target as by a killed run
        // (a transaction timeout far beyond the test: only fencing ends it).
        FlowConfig flowConfig = MirrorConfig.parse(flow(topic)).flows().get(0);
        String transactionalId = new MirrorJob(MirrorConfig.parse(flow(topic))).transactionalIdPrefix(flowConfig)
                + "-0-424242";
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "600000");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        List<ProducedRecord> rest = records.subList(COUNT / 2, COUNT);
        try (KafkaProducer<byte[], byte[]> zombie = new KafkaProducer<>(props)) {
            zombie.initTransactions();
            zombie.beginTransaction();
            // Copies of records the source is about to get: they must not count as replicated.
            List<ProducedRecord> early = new ArrayList<>(rest.subList(0, 20));
            for (ProducedRecord r : early) {
                ProducerRecord<byte[], byte[]> copy = r.toProducerRecord();
                zombie.send(new ProducerRecord<>(a.name() + "." + topic, copy.partition(), copy.timestamp(),
                        copy.key(), copy.value(), copy.headers())).get(30, TimeUnit.SECONDS);
            }
            zombie.flush();

            TestRecords.produce(a.bootstrapServers(), rest);
            try (MirrorRunner mirror = MirrorRunner.start(flow(topic))) {
                mirror.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
            }
            // Checked while the zombie producer is still alive: closing it would abort its transaction anyway.
            List<String> open = new ArrayList<>();
            b.admin().listTransactions().all().get(30, TimeUnit.SECONDS).forEach(t -> {
                if (t.transactionalId().equals(transactionalId) && t.state().toString().equals("Ongoing")) {
                    open.add(t.transactionalId());
                }
            });
            assertThat(open).as("transactions of the earlier run still open").isEmpty();
            verify(topic, records);
        }
    }
}
