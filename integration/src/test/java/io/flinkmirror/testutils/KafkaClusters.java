package io.flinkmirror.testutils;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: {@code n} real in-process Kafka clusters ({@link LocalKafkaCluster}) for a test class
 * ({@code static} field) or for each test (instance field), stopped and deleted afterwards.
 *
 * <pre>{@code
 * @RegisterExtension static final MiniClusterExtension FLINK = KafkaClusters.flink();
 * @RegisterExtension static final KafkaClusters KAFKA = KafkaClusters.of(2);
 * }</pre>
 */
public final class KafkaClusters implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {

    private final int n;
    private List<LocalKafkaCluster> clusters;
    private boolean perClass;

    private KafkaClusters(int n) {
        this.n = n;
    }

    /** {@code n} clusters, named {@code cluster-0 .. cluster-(n-1)}. */
    public static KafkaClusters of(int n) {
        return new KafkaClusters(n);
    }

    /** The Flink MiniCluster our job ITs run on: one TaskManager with enough slots for every flow's operators. */
    public static MiniClusterExtension flink() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(8).build());
    }

    /** Cluster {@code i}. */
    public LocalKafkaCluster get(int i) {
        if (clusters == null) {
            throw new IllegalStateException("the Kafka clusters are not started: register the extension");
        }
        return clusters.get(i);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    private void start() throws Exception {
        Path base = Paths.get(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(base);
        clusters = LocalKafkaCluster.startMany(n, Files.createTempDirectory(base, "kafka-clusters-"));
    }

    private void stop() {
        if (clusters != null) {
            clusters.forEach(LocalKafkaCluster::close);
            clusters = null;
        }
    }
}
