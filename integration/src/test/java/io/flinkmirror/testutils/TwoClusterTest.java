package io.flinkmirror.testutils;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Base of the tests on two real in-process Kafka clusters, started for the test class and deleted after it:
 * {@link #a} ({@code cluster-0}, the source of flow {@code a->b}) and {@link #b} ({@code cluster-1}, its target).
 */
public abstract class TwoClusterTest {

    @RegisterExtension
    protected static final KafkaClusters KAFKA = KafkaClusters.of(2);

    protected static LocalKafkaCluster a;
    protected static LocalKafkaCluster b;

    @BeforeAll
    static void twoClusters() {
        a = KAFKA.get(0);
        b = KAFKA.get(1);
    }
}
