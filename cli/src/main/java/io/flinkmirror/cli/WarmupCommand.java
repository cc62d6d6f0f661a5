package io.flinkmirror.cli;

import io.flinkmirror.job.MirrorJob;
import io.flinkmirror.job.config.MirrorConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;

/**
 * {@code bin/mirror warmup} (hidden): loads the classes a start of {@code bin/mirror run} loads, without any Kafka
 * cluster, so that {@code bin/mirror} can record them in a class-data-sharing archive
 * ({@code -XX:ArchiveClassesAtExit}) once per build. Later starts map the archive instead of loading and verifying
 * some ten thousand classes from jars: the embedded Flink starts in about half the time.
 */
@Command(name = "warmup", hidden = true, description = "Load the classes of a start (for bin/mirror's class archive).")
final class WarmupCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        // The job graph of a flow, built as for a run (no cluster is contacted while building it).
        MirrorConfig config = MirrorConfig.parse(Map.of("clusters", "a, b",
                "a.bootstrap.servers", "localhost:1", "b.bootstrap.servers", "localhost:1", "a->b.enabled", "true"));
        MirrorJob job = new MirrorJob(config);
        StreamExecutionEnvironment graph = StreamExecutionEnvironment.getExecutionEnvironment(job.flinkConfiguration());
        job.build(graph);
        graph.getStreamGraph().getJobGraph();

        // Kafka's clients, created and closed without connecting.
        Map<String, Object> admin = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        Admin.create(admin).close(Duration.ZERO);
        new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer()).close(Duration.ZERO);
        new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1",
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "warmup"), new ByteArraySerializer(),
                new ByteArraySerializer()).close(Duration.ZERO);

        // An embedded Flink with its web UI, running a job until its tasks run.
        Configuration conf = new Configuration();
        conf.set(RestOptions.PORT, 0);
        conf.set(RestOptions.BIND_ADDRESS, "localhost");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.fromSequence(0, Long.MAX_VALUE).sinkTo(new DiscardingSink<>());
        JobClient running = env.executeAsync("warmup");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (running.getJobStatus().get() != JobStatus.RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        running.cancel().get(30, TimeUnit.SECONDS);
        return 0;
    }
}
