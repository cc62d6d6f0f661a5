package io.flinkmirror.cli;

import io.flinkmirror.cli.local.EmbeddedFlink;
import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.cli.local.LocalState;
import io.flinkmirror.job.MirrorJob;
import io.flinkmirror.job.Preflight;
import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.config.MirrorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * {@code bin/mirror warmup} (hidden): does what a start of {@code bin/mirror run} does, end to end, so that
 * {@code bin/mirror} can record the classes it loads in a class-data-sharing archive ({@code -XX:ArchiveClassesAtExit})
 * once per build. Later starts map the archive instead of loading and verifying some ten thousand classes from jars.
 *
 * <p>It runs a real flow on a throw-away one-node Kafka cluster in this JVM (source and target aliases on the same
 * cluster): preflight, a start without state through the embedded Flink of {@code run}, records copied and committed,
 * a stop with a savepoint, and a start restored from it. A start that only built the job graph left the classes of
 * the running tasks out (Kafka's protocol messages, the checkpoint path, the sink's transactions): some 2,600 classes
 * loaded from jars while the tasks start.
 */
@Command(name = "warmup", hidden = true, description = "Run a start end to end (for bin/mirror's class archive).")
final class WarmupCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(WarmupCommand.class);
    private static final String TOPIC = "warmup";
    private static final int RECORDS = 200;
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("flink-mirror-warmup");
        try (LocalKafkaCluster kafka = LocalKafkaCluster.start("warmup", dir)) {
            kafka.createTopic(TOPIC, 2);
            MirrorConfig config = MirrorConfig.parse(Map.of("clusters", "a, b",
                    "a.bootstrap.servers", kafka.bootstrapServers(), "b.bootstrap.servers", kafka.bootstrapServers(),
                    "a->b.enabled", "true", "a->b.topics", TOPIC, "emit.checkpoints.interval.seconds", "1",
                    "sync.group.offsets.enabled", "true", "sync.group.offsets.interval.seconds", "1"));
            produce(kafka, 0);
            LocalState state = new LocalState(dir.resolve("state"), null, null);
            runOnce(config, state, kafka, RECORDS);
            produce(kafka, RECORDS);
            runOnce(config, state, kafka, 2 * RECORDS); // restored from the first run's savepoint
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    /** Starts the job as {@code run} does, waits for {@code expected} records on the target, stops it. */
    private static void runOnce(MirrorConfig config, LocalState state, LocalKafkaCluster kafka, int expected)
            throws Exception {
        MirrorJob job = new MirrorJob(config);
        Configuration conf = job.flinkConfiguration();
        EmbeddedFlink.Cluster cluster = EmbeddedFlink.Cluster.start(conf, 0, 1);
        Map<String, String> clusterIds = Preflight.check(config, Duration.ofSeconds(15));
        state.prepare(conf, config.flows().stream().map(FlowConfig::name).toList(), clusterIds);
        EmbeddedFlink flink = cluster.submit(job, conf, 1);
        try {
            awaitCopied(kafka, "a." + TOPIC, expected);
        } catch (RuntimeException | InterruptedException e) {
            flink.close();
            throw e;
        }
        flink.stopWithSavepoint(state.savepoints().toUri().toString(), STEP_TIMEOUT);
        flink.awaitTermination();
    }

    private static void produce(LocalKafkaCluster kafka, int first) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "flink-mirror-warmup");
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = first; i < first + RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, null, ("k" + i).getBytes(), ("v" + i).getBytes()));
            }
            producer.commitTransaction();
        }
    }

    /** Polls the target topic (read_committed) until it holds {@code expected} records, within a deadline. */
    private static void awaitCopied(LocalKafkaCluster kafka, String topic, int expected) throws InterruptedException {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            while (System.nanoTime() < deadline) {
                try {
                    long visible = 0;
                    for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(partitions).entrySet()) {
                        visible += end.getValue();
                    }
                    // Transaction markers take offsets too: read what is visible when the ends suffice.
                    if (visible >= expected && count(consumer, partitions) >= expected) {
                        return;
                    }
                } catch (org.apache.kafka.common.KafkaException e) {
                    LOG.debug("Warm-up target {} not readable yet: {}", topic, e.toString());
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("warm-up: " + expected + " records not on " + topic + " within "
                + STEP_TIMEOUT.toSeconds() + " s");
    }

    private static long count(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        long n = 0;
        for (int empty = 0; empty < 3; ) {
            int got = consumer.poll(Duration.ofMillis(200)).count();
            n += got;
            empty = got == 0 ? empty + 1 : 0;
        }
        return n;
    }
}
