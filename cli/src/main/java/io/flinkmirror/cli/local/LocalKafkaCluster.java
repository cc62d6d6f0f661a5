package io.flinkmirror.cli.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real, in-process Apache Kafka cluster in KRaft mode (combined broker+controller nodes), started through Kafka's own
 * {@code KafkaClusterTestKit}. This is a real broker speaking the real wire protocol on a local port, not a mock: what
 * works against it works against a production broker of the same version. Settings suit single-node use (replication
 * factor 1 for internal topics, no initial rebalance delay, 15 min max transaction timeout). Several clusters can run
 * in one JVM. Used by the tests and by {@code bin/mirror quickstart}.
 */
public final class LocalKafkaCluster implements AutoCloseable {

    private static final Duration TOPIC_WAIT = Duration.ofSeconds(60);
    /** Single-node friendly defaults; few internal-topic partitions keep the first group/transaction fast. */
    private static final Map<String, String> DEFAULT_BROKER_PROPERTIES = Map.of(
            "offsets.topic.replication.factor", "1", "offsets.topic.num.partitions", "5",
            "transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1",
            "transaction.state.log.num.partitions", "5", "group.initial.rebalance.delay.ms", "0",
            "transaction.max.timeout.ms", "900000", "log.cleaner.backoff.ms", "500");

    private final String name;
    private final Path dataDir;
    private final KafkaClusterTestKit kit;
    private final Map<String, String> clientSecurity;
    private Admin admin;

    private LocalKafkaCluster(String name, Path dataDir, KafkaClusterTestKit kit, Map<String, String> clientSecurity) {
        this.name = name;
        this.dataDir = dataDir;
        this.kit = kit;
        this.clientSecurity = Map.copyOf(clientSecurity);
    }

    /**
     * How clients talk to a cluster: the broker listener's protocol, the controller listener's protocol, and the
     * client properties (security.protocol, sasl.*, ssl.*) of a super user, used by {@link #admin()} and
     * {@link #clientProperties()}. The listener, SASL, TLS and authorizer settings themselves go in the broker
     * properties.
     */
    public record Security(SecurityProtocol brokerProtocol, SecurityProtocol controllerProtocol,
                           Map<String, String> superUserClientProperties) {
        /** No authentication, no encryption (the default). */
        public static final Security PLAINTEXT = new Security(SecurityProtocol.PLAINTEXT, SecurityProtocol.PLAINTEXT,
                Map.of());
    }

    /** Starts a one-node cluster whose data lives in a fresh directory under {@code baseDir}. */
    public static LocalKafkaCluster start(String name, Path baseDir) {
        return start(name, baseDir, 1, Map.of());
    }

    /** Starts a one-node cluster; {@code brokerProperties} override the defaults. */
    public static LocalKafkaCluster start(String name, Path baseDir, Map<String, String> brokerProperties) {
        return start(name, baseDir, 1, brokerProperties);
    }

    /** Starts a cluster of {@code nodes} combined broker+controller nodes. */
    public static LocalKafkaCluster start(String name, Path baseDir, int nodes, Map<String, String> brokerProperties) {
        return start(name, baseDir, nodes, brokerProperties, Security.PLAINTEXT);
    }

    /** Starts a cluster of {@code nodes} combined nodes whose listeners use {@code security}. */
    public static LocalKafkaCluster start(String name, Path baseDir, int nodes, Map<String, String> brokerProperties,
                                          Security security) {
        Path dataDir = createDataDir(name, baseDir);
        KafkaClusterTestKit kit = null;
        try {
            // The test kit defaults to the next, unreleased metadata.version: pin the one a real 4.2 broker formats.
            TestKitNodes testKitNodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(nodes)
                    .setNumControllerNodes(nodes).setBaseDirectory(dataDir)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction()).build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(testKitNodes).setDeleteOnClose(true);
            DEFAULT_BROKER_PROPERTIES.forEach(builder::setConfigProp);
            // The test kit's own protocol settings stop at SASL_PLAINTEXT (with fixed users in a JVM-wide JAAS file):
            // map its listeners to our protocols instead; SASL/TLS/authorizer settings come with brokerProperties.
            builder.setConfigProp("listener.security.protocol.map", testKitNodes.brokerListenerName().value() + ":"
                    + security.brokerProtocol().name + "," + testKitNodes.controllerListenerName().value() + ":"
                    + security.controllerProtocol().name);
            brokerProperties.forEach(builder::setConfigProp); // later values win
            kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new LocalKafkaCluster(name, dataDir, kit, security.superUserClientProperties());
        } catch (Exception e) {
            closeQuietly(kit);
            deleteRecursively(dataDir);
            throw new IllegalStateException("cannot start Kafka cluster " + name, e);
        }
    }

    /** Starts {@code n} one-node clusters in parallel, named {@code cluster-0 .. cluster-(n-1)}. */
    public static List<LocalKafkaCluster> startMany(int n, Path baseDir) {
        ExecutorService pool = Executors.newFixedThreadPool(n); // not the common pool: 1 thread on 2 cores
        List<Future<LocalKafkaCluster>> futures = new ArrayList<>();
        IntStream.range(0, n).forEach(i -> futures.add(pool.submit(() -> start("cluster-" + i, baseDir))));
        pool.shutdown();
        List<LocalKafkaCluster> started = new ArrayList<>();
        Exception failure = null;
        for (Future<LocalKafkaCluster> f : futures) {
            try {
                started.add(f.get());
            } catch (ExecutionException | InterruptedException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            started.forEach(LocalKafkaCluster::close);
            throw new IllegalStateException("cannot start " + n + " Kafka clusters", failure);
        }
        return started;
    }

    public String name() {
        return name;
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** {@code bootstrap.servers} plus the security settings of a super user: enough for any Kafka client. */
    public Map<String, String> clientProperties() {
        Map<String, String> props = new java.util.HashMap<>(clientSecurity);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** A shared admin client, created on first use and closed with the cluster. */
    public synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> props = new java.util.HashMap<>(clientProperties());
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "local-kafka-" + name + "-admin");
            admin = Admin.create(props);
        }
        return admin;
    }

    /**
     * Stops every broker (the controllers of combined nodes keep running) and keeps their log directories:
     * {@link #startBrokers()} brings them back on the same ports with the same data.
     */
    public void stopBrokers() {
        kit.brokers().values().forEach(b -> b.shutdown());
    }

    /** Starts the brokers again after {@link #stopBrokers()}, on the same ports and data, and waits until ready. */
    public void startBrokers() {
        kit.brokers().values().forEach(b -> b.startup());
        try {
            kit.waitForReadyBrokers();
        } catch (ExecutionException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("brokers of cluster " + name + " did not get ready after a restart", e);
        }
    }

    public void createTopic(String topic, int partitions) {
        createTopic(topic, partitions, Map.of());
    }

    /**
     * Creates a topic (replication factor 1) and returns once every partition answers {@code listOffsets}: Kafka 4.2
     * can lose a batch produced right after {@code createTopics} returns.
     */
    public void createTopic(String topic, int partitions, Map<String, String> configs) {
        Map<TopicPartition, OffsetSpec> request = IntStream.range(0, partitions).boxed()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
        Exception last = null;
        try {
            admin().createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get();
            for (long end = System.nanoTime() + TOPIC_WAIT.toNanos(); System.nanoTime() < end; Thread.sleep(50)) {
                try {
                    if (admin().listOffsets(request).all().get().size() == partitions) {
                        return;
                    }
                } catch (ExecutionException e) {
                    last = e;
                }
            }
        } catch (ExecutionException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot create topic " + topic + " on cluster " + name, e);
        }
        throw new IllegalStateException("topic " + topic + " (" + partitions + " partitions) on cluster " + name
                + " did not answer listOffsets on every partition within " + TOPIC_WAIT, last);
    }

    /** Stops the cluster and deletes its data directory. */
    @Override
    public synchronized void close() {
        closeQuietly(admin);
        admin = null;
        closeQuietly(kit);
        deleteRecursively(dataDir);
    }

    private static Path createDataDir(String name, Path baseDir) {
        try {
            return Files.createTempDirectory(Files.createDirectories(baseDir), "kafka-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory of Kafka cluster " + name, e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception ignored) { // best effort: the data directory is deleted next
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) { // best effort
        }
    }

    @Override
    public String toString() {
        return "LocalKafkaCluster[" + name + " @ " + bootstrapServers() + "]";
    }
}
