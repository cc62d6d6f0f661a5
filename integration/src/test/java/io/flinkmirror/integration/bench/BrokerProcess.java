package io.flinkmirror.integration.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka 4.2 KRaft node (broker and controller in one) in its own JVM: free ports, data in its own
 * directory, formatted with {@code kafka.tools.StorageTool --standalone}, started with {@code kafka.Kafka}. Sized for
 * one node: replication factor and min.isr 1 for the internal topics, and a transaction timeout cap of 30 minutes
 * (above the 15 minutes Flink Mirror's sink asks for).
 */
final class BrokerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final String name;
    private final Path dir;
    private final ChildJvm jvm;
    private final String bootstrapServers;

    private BrokerProcess(String name, Path dir, ChildJvm jvm, String bootstrapServers) {
        this.name = name;
        this.dir = dir;
        this.jvm = jvm;
        this.bootstrapServers = bootstrapServers;
    }

    /** Formats and starts a node named {@code name} under {@code env.workDir()}, and waits until it answers. */
    static BrokerProcess start(BenchEnv env, String name) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(env.workDir().resolve("broker-" + name));
        int port = BenchEnv.freePort();
        int controllerPort = BenchEnv.freePort();
        String bootstrap = "localhost:" + port;
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.quorum.bootstrap.servers=localhost:" + controllerPort,
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=10",
                "transaction.max.timeout.ms=1800000",
                "group.initial.rebalance.delay.ms=0",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                ""));
        List<String> jvmArgs = Stream.concat(Stream.of("-Xmx1g", "-Xms1g", "-Dkafka.logs.dir=" + dir.resolve("logs")),
                env.peerLogging().stream()).toList();
        ChildJvm format = ChildJvm.start(name + "-format", dir, jvmArgs, env.peerClasspath(), "kafka.tools.StorageTool",
                List.of("format", "-t", Uuid.randomUuid().toString(), "-c", properties.toString(), "--standalone"));
        if (format.awaitExit(Duration.ofSeconds(60)) != 0) {
            throw new IllegalStateException("formatting broker " + name + " failed:\n" + format.tail(30));
        }
        ChildJvm jvm = ChildJvm.start(name, dir, jvmArgs, env.peerClasspath(), "kafka.Kafka",
                List.of(properties.toString()));
        BrokerProcess broker = new BrokerProcess(name, dir, jvm, bootstrap);
        try {
            broker.awaitReady();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    String name() {
        return name;
    }

    /** User plus system CPU seconds the broker has used so far. */
    double cpuSeconds() throws IOException {
        return jvm.cpuSeconds();
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** An admin client on this broker (the caller closes it). */
    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000"));
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                jvm.checkAlive();
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker " + name + " did not answer within " + START_TIMEOUT
                            + ":\n" + jvm.tail(30));
                }
                Thread.sleep(200);
            }
        }
    }

    /** Stops the broker and deletes its data. */
    @Override
    public void close() {
        jvm.stop(30);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is under target/
        }
    }
}
