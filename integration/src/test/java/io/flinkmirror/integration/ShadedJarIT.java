package io.flinkmirror.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar on a stock Flink classpath (Flink and its dependencies only: Kafka clients and the connector must
 * come from the jar), run through its manifest's Main-Class with {@code --config}, as {@code flink run} does.
 */
class ShadedJarIT {

    @TempDir
    Path dir;

    @Test
    void shouldRunFromTheShadedJarAndReplicateExactlyOnce() throws Exception {
        String mainClass;
        try (JarFile jar = new JarFile(Processes.jobJar().toFile())) {
            mainClass = jar.getManifest().getMainAttributes().getValue("Main-Class");
            assertThat(jar.getEntry("org/apache/flink/connector/kafka/sink/KafkaSink.class")).isNotNull();
            assertThat(jar.getEntry("org/apache/flink/connector/base/DeliveryGuarantee.class")).isNotNull();
            assertThat(jar.getEntry("org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class"))
                    .as("Flink itself is provided by the cluster, not shaded").isNull();
        }
        assertThat(mainClass).isEqualTo("io.flinkmirror.job.MirrorJobMain");

        List<LocalKafkaCluster> clusters = LocalKafkaCluster.startMany(2, dir.resolve("kafka"));
        LocalKafkaCluster a = clusters.get(0);
        LocalKafkaCluster b = clusters.get(1);
        Processes.Started job = null;
        try {
            a.createTopic("events", 3);
            List<ProducedRecord> produced = TestRecords.builder().topic("events", 3).count(5_000).idPrefix("e")
                    .build();
            TestRecords.produce(a.bootstrapServers(), produced);

            Map<String, String> props = MirrorRunner.flowProperties(a, b);
            props.put(a.name() + "->" + b.name() + ".topics", "events");
            Path config = dir.resolve("mirror.properties");
            StringBuilder text = new StringBuilder();
            props.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
            Files.writeString(config, text);

            job = Processes.start(dir, "job", Map.of(), "java", "-Xmx1g",
                    "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "-Djava.io.tmpdir=" + dir, "-cp", Processes.jobJar() + ":" + Processes.flinkClasspath(),
                    mainClass, "--config", config.toString());
            Processes.Started running = job;
            MirrorRunner.awaitCaughtUp(a, b.name(), List.of("events"), Duration.ofSeconds(120),
                    () -> "job alive " + running.process().isAlive() + ", stderr tail: "
                            + tail(running.err()));
            ExactlyOnceChecker.expecting(produced).verify(b.bootstrapServers(), a.name() + ".events",
                    Duration.ofSeconds(60)).assertExactlyOnce();
        } finally {
            if (job != null) {
                job.kill();
            }
            a.close();
            b.close();
        }
    }

    private static String tail(String text) {
        return text.length() <= 2_000 ? text : text.substring(text.length() - 2_000);
    }
}
