package io.flinkmirror.cli;

import io.flinkmirror.cli.local.DemoProducer;
import io.flinkmirror.cli.local.EmbeddedFlink;
import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.cli.local.LocalState;
import io.flinkmirror.cli.local.Progress;
import io.flinkmirror.job.MirrorJob;
import io.flinkmirror.job.MirrorJobMain;
import io.flinkmirror.job.config.FlowConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/mirror quickstart}: two real local Kafka clusters ({@code source}, {@code target}), demo traffic on the
 * source, and the mirror job replicating exactly-once in an embedded Flink with its web UI. Ctrl-C stops everything.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Start two local Kafka clusters, demo traffic, and the mirror job with the Flink web UI. "
                + "Ctrl-C stops everything and removes its data.")
final class QuickstartCommand implements Callable<Integer> {

    static final List<String> TOPICS = List.of("orders", "payments", "clicks");

    @Option(names = "--web-port", defaultValue = "8081", paramLabel = "PORT",
            description = "Port of the Flink web UI and REST API (default: ${DEFAULT-VALUE}).")
    int webPort;

    @Option(names = "--rate", defaultValue = "500", paramLabel = "N",
            description = "Demo records per second, over all topics (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--parallelism", defaultValue = "2", paramLabel = "N",
            description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Path dir = Files.createTempDirectory("flink-mirror-quickstart-");
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch cleanedUp = new CountDownLatch(1);
        out.println("Starting two local Kafka clusters (source, target) in " + dir + " ...");
        List<LocalKafkaCluster> clusters = quietly(() -> LocalKafkaCluster.startMany(2, dir));
        LocalKafkaCluster source = clusters.get(0);
        LocalKafkaCluster target = clusters.get(1);
        DemoProducer producer = null;
        EmbeddedFlink flink = null;
        try {
            for (String topic : TOPICS) {
                source.createTopic(topic, 4);
            }
            Path config = dir.resolve("mirror.properties");
            Files.writeString(config, String.join("\n",
                    "# Written by bin/mirror quickstart",
                    "clusters = source, target",
                    "source.bootstrap.servers = " + source.bootstrapServers(),
                    "target.bootstrap.servers = " + target.bootstrapServers(),
                    "source->target.enabled = true",
                    "source->target.topics = " + String.join(", ", TOPICS),
                    "flink.pipeline.name = flink-mirror-quickstart",
                    ""));
            out.println("source: " + source.bootstrapServers() + "   target: " + target.bootstrapServers()
                    + "   config: " + config);
            producer = new DemoProducer(source.bootstrapServers(), TOPICS, rate);
            MirrorJob job = MirrorJobMain.prepare(config, false);
            // Durable checkpoints, kept with the clusters they belong to (both are removed on exit).
            org.apache.flink.configuration.Configuration conf = job.flinkConfiguration();
            new LocalState(dir.resolve("state"), null, null).prepare(conf,
                    job.config().flows().stream().map(FlowConfig::name).toList(), Map.of());
            flink = EmbeddedFlink.start(job, conf, webPort, parallelism);
            out.println("Flink web UI: " + flink.webUrl() + "   job " + flink.client().getJobID()
                    + "   (replicating " + TOPICS + " to source." + TOPICS.get(0) + ", ...; Ctrl-C to stop)");

            installStopOnShutdown(stopped, cleanedUp);
            try (Progress progress = new Progress(source.admin(), TOPICS, "flink-mirror-source-target",
                    flink.webUrl(), flink.client().getJobID().toString())) {
                boolean tty = System.console() != null;
                long lastPrint = 0;
                while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                    long now = System.currentTimeMillis();
                    if (tty) {
                        out.print("\r\033[K" + progress.line());
                        out.flush();
                    } else if (now - lastPrint >= 5_000) {
                        out.println(progress.line());
                        lastPrint = now;
                    }
                }
            }
            return 0;
        } finally {
            out.println();
            out.println("Stopping: job, demo producer, Kafka clusters ...");
            if (flink != null) {
                flink.close();
            }
            if (producer != null) {
                producer.close();
            }
            for (LocalKafkaCluster cluster : clusters) {
                cluster.close();
            }
            deleteRecursively(dir);
            out.println("Stopped; removed " + dir);
            out.flush();
            cleanedUp.countDown();
        }
    }

    /**
     * Ctrl-C runs shutdown hooks while the main thread still works: the hook releases the main loop and then waits
     * for its cleanup to finish, so the JVM exits only after the job, producer and clusters are closed.
     */
    private static void installStopOnShutdown(CountDownLatch stopped, CountDownLatch cleanedUp) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopped.countDown();
            try {
                cleanedUp.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "quickstart-cleanup-wait"));
    }

    /** Kafka's test kit prints its storage formatting to stdout; keep the quickstart's console readable. */
    private static <T> T quietly(Callable<T> action) throws Exception {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            return action.call();
        } finally {
            System.setOut(stdout);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            System.err.println("Could not remove " + dir + ": " + e);
        }
    }
}
