package io.flinkmirror.testutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Two real in-process Kafka clusters, the record generator and the exactly-once checker against them. */
class LocalKafkaClusterIT {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaClusterIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static List<LocalKafkaCluster> clusters;
    private static Path dataDir;

    @BeforeAll
    static void startClusters() throws Exception {
        dataDir = Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir"), "local-kafka-it"));
        long start = System.nanoTime();
        clusters = LocalKafkaCluster.startMany(2, dataDir);
        LOG.info("2 clusters started in {} ms: {}", (System.nanoTime() - start) / 1_000_000, clusters);
    }

    @AfterAll
    static void stopClusters() {
        if (clusters != null) {
            clusters.forEach(LocalKafkaCluster::close);
        }
    }

    @Test
    void twoClustersAreIndependent() throws Exception {
        LocalKafkaCluster a = clusters.get(0);
        LocalKafkaCluster b = clusters.get(1);
        assertThat(a.bootstrapServers()).isNotEqualTo(b.bootstrapServers());
        a.createTopic("only-on-a", 1);
        Poll.until("only-on-a listed on cluster a", TIMEOUT,
                () -> topics(a).contains("only-on-a"));
        assertThat(b.admin().listTopics().names().get()).doesNotContain("only-on-a");
    }

    private static Set<String> topics(LocalKafkaCluster cluster) {
        try {
            return cluster.admin().listTopics().names().get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void committedRecordsAreExactlyOnceAndAbortedOnesAreUnexpected() {
        LocalKafkaCluster cluster = clusters.get(0);
        String topic = "eos-check";
        cluster.createTopic(topic, 4, Map.of("min.insync.replicas", "1"));
        List<ProducedRecord> plain = TestRecords.builder().topic(topic, 4).count(5_000).idPrefix("plain").build();
        List<ProducedRecord> aborted = TestRecords.builder().topic(topic, 4).count(100).idPrefix("aborted").seed(7)
                .build();
        List<ProducedRecord> committed = TestRecords.builder().topic(topic, 4).count(100).idPrefix("committed")
                .seed(8).build();

        long start = System.nanoTime();
        TestRecords.produce(cluster.bootstrapServers(), plain);
        TestRecords.produceTransactional(cluster.bootstrapServers(), aborted, false);
        TestRecords.produceTransactional(cluster.bootstrapServers(), committed, true);
        LOG.info("produced {} records in {} ms", plain.size() + aborted.size() + committed.size(),
                (System.nanoTime() - start) / 1_000_000);

        List<ProducedRecord> expected = new ArrayList<>(plain);
        expected.addAll(committed);
        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(expected)
                .verify(cluster.bootstrapServers(), topic, TIMEOUT);
        LOG.info("{}", report);
        report.assertExactlyOnce();
        assertThat(report.actualCount()).isEqualTo(5_100);
        assertThat(report.partitions()).hasSize(4);

        // The aborted records are in the log but must stay invisible: if the checker saw them it would say so.
        List<ProducedRecord> withAborted = new ArrayList<>(expected);
        withAborted.addAll(aborted);
        ExactlyOnceChecker.Report strict = ExactlyOnceChecker.expecting(withAborted)
                .verify(cluster.bootstrapServers(), topic, TIMEOUT);
        assertThat(strict.missing()).containsExactlyInAnyOrderElementsOf(aborted);
        assertThat(strict.unexpectedCount()).isZero();

        // Told only about the plain records, the checker flags the committed transaction's records as unexpected.
        ExactlyOnceChecker.Report partial = ExactlyOnceChecker.expecting(plain)
                .verify(cluster.bootstrapServers(), topic, TIMEOUT);
        assertThat(partial.unexpected()).extracting(ExactlyOnceChecker.Located::record)
                .containsExactlyInAnyOrderElementsOf(committed);
        assertThatThrownBy(partial::assertExactlyOnce).hasMessageContaining("unexpected 100");
    }

    @Test
    void reportsARecordProducedTwice() {
        LocalKafkaCluster cluster = clusters.get(1);
        String topic = "with-duplicate";
        cluster.createTopic(topic, 2);
        List<ProducedRecord> records = TestRecords.builder().topic(topic, 2).count(200).build();
        ProducedRecord twice = records.get(50);
        List<ProducedRecord> sent = new ArrayList<>(records);
        sent.add(twice);
        TestRecords.produce(cluster.bootstrapServers(), sent);

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        ExactlyOnceChecker.Report report;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            report = ExactlyOnceChecker.expecting(records).verify(consumer, topic, TIMEOUT);
        }

        assertThat(report.duplicated()).extracting(ExactlyOnceChecker.Located::record).containsExactly(twice);
        assertThat(report.partition(twice.partition()).duplicated().get(0).offset())
                .isEqualTo(records.stream().filter(r -> r.partition() == twice.partition()).count());
        assertThat(report.missingCount() + report.outOfOrderCount() + report.unexpectedCount()).isZero();
        assertThatThrownBy(report::assertExactlyOnce).hasMessageContaining("1 duplicated")
                .hasMessageContaining(TestRecords.idOf(twice));
        assertThat(records.stream().map(TestRecords::idOf).collect(Collectors.toSet())).hasSize(200);
    }
}
