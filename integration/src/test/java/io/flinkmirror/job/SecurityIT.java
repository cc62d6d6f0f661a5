package io.flinkmirror.job;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.LogCapture;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.SecureKafka;
import io.flinkmirror.testutils.TestRecords;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both clusters speak SASL/PLAIN over TLS and enforce ACLs (StandardAuthorizer, nothing allowed without an ACL). The
 * job replicates exactly-once with a source principal that may only READ and DESCRIBE, and a target principal with
 * the rights docs/security.md lists; no secret shows up in any log line, error message or toString; wrong credentials
 * and missing ACLs fail the preflight with the alias, the principal, the permission and the resource.
 */
class SecurityIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String SOURCE_USER = "mirror-reader";
    private static final String TARGET_USER = "mirror-writer";
    private static final String JOB = "secure-mirror";

    static SecureKafka secure;
    static LocalKafkaCluster a;
    static LocalKafkaCluster b;

    @BeforeAll
    static void clusters() throws Exception {
        Path base = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"))),
                "secure-");
        secure = SecureKafka.create(base.resolve("tls"), SOURCE_USER, TARGET_USER, "no-acls");
        a = secure.start("A", base);
        b = secure.start("B", base);
        // Source: READ and DESCRIBE only (READ on a group implies DESCRIBE).
        SecureKafka.acls(SOURCE_USER)
                .allow(TOPIC, "sec-", PREFIXED, READ, DESCRIBE)
                .allow(GROUP, "flink-mirror-A-B", LITERAL, READ)
                .allow(GROUP, "*", LITERAL, DESCRIBE)
                .createOn(a);
        // Target: the minimal rights documented in docs/security.md.
        SecureKafka.acls(TARGET_USER)
                .allow(TOPIC, "A.", PREFIXED, CREATE, WRITE, READ, DESCRIBE)
                .allow(TOPIC, "mm2-offset-syncs.A.internal", LITERAL, CREATE, WRITE, READ, DESCRIBE)
                .allow(TOPIC, "mm2-progress.A.internal", LITERAL, CREATE, WRITE, READ, DESCRIBE)
                .allow(TOPIC, "heartbeats", LITERAL, CREATE, WRITE, DESCRIBE)
                .allow(TRANSACTIONAL_ID, JOB + "-A-B", PREFIXED, WRITE, DESCRIBE)
                .createOn(b);
    }

    @AfterAll
    static void stop() {
        for (LocalKafkaCluster c : new LocalKafkaCluster[] {a, b}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static Map<String, String> flow(String sourceUser, String targetUser) {
        Map<String, String> props = new LinkedHashMap<>(MirrorRunner.flowProperties(a, b, "sec-.*"));
        props.putAll(secure.mirrorProperties("A", sourceUser));
        props.putAll(secure.mirrorProperties("B", targetUser));
        props.put("flink.pipeline.name", JOB);
        // Topic config sync reads source configs: DESCRIBE_CONFIGS, which a read-only principal does not have.
        props.put("sync.topic.configs.enabled", "false");
        // As in MM2, every cluster pair emits heartbeats, B->A too (into A): a read-only source needs this off.
        props.put("B->A.emit.heartbeats.enabled", "false");
        return props;
    }

    @Test
    void shouldReplicateExactlyOnceWithAReadOnlySourcePrincipalAndNeverLogSecrets() throws Exception {
        a.createTopic("sec-orders", 3);
        List<ProducedRecord> produced = TestRecords.builder().topic("sec-orders", 3).count(3_000).idPrefix("sec")
                .build();
        TestRecords.produce(a.clientProperties(), produced.subList(0, 1_500));
        Map<String, String> props = flow(SOURCE_USER, TARGET_USER);
        MirrorConfig config = MirrorConfig.parse(props);

        List<String> lines;
        try (LogCapture logs = LogCapture.start(Level.INFO)) {
            try {
                Preflight.check(config, Duration.ofSeconds(15));
                try (MirrorRunner mirror = MirrorRunner.start(props)) {
                    TestRecords.produce(a.clientProperties(), produced.subList(1_500, 3_000));
                    mirror.awaitCaughtUp(a, b.name(), List.of("sec-orders"), TIMEOUT);
                }
            } finally {
                lines = logs.lines();
                Files.write(Path.of("target", "SecurityIT-captured.log"), lines);
            }
        }
        ExactlyOnceChecker.expecting(produced).verify(b.clientProperties(), "A.sec-orders", TIMEOUT)
                .assertExactlyOnce();

        assertThat(lines).as("captured log lines").hasSizeGreaterThan(100);
        assertThat(lines).as("the Kafka clients logged their configs").anyMatch(l -> l.contains("sasl.jaas.config"));
        List<String> leaks = new ArrayList<>();
        for (String secret : secure.secrets()) {
            lines.stream().filter(l -> l.contains(secret)).forEach(leaks::add);
            assertThat(config.toString()).doesNotContain(secret);
            for (FlowConfig f : config.flows()) {
                assertThat(f.toString()).doesNotContain(secret);
            }
        }
        assertThat(leaks).as("log lines containing a password").isEmpty();
        assertThat(lines.stream().filter(l -> l.contains(SecureKafka.SECRET_MARK)).collect(Collectors.toList()))
                .isEmpty();
    }

    @Test
    void shouldFailPreflightNamingTheAliasWhenCredentialsAreWrong() {
        Map<String, String> props = flow(SOURCE_USER, TARGET_USER);
        String wrong = SecureKafka.SECRET_MARK + "-wrong-password";
        props.put("A.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"" + SOURCE_USER + "\" password=\"" + wrong + "\";");
        long start = System.nanoTime();
        assertThatThrownBy(() -> Preflight.check(MirrorConfig.parse(props), Duration.ofSeconds(15)))
                .isInstanceOf(Preflight.PreflightException.class)
                .hasMessageContaining("cluster 'A' (A.bootstrap.servers=" + a.bootstrapServers() + ")")
                .hasMessageContaining("rejected the credentials")
                .hasMessageContaining("Invalid username or password")
                .hasMessageNotContaining(wrong);
        // Generous (shared, noisy machines): what matters is that it does not wait for the clients' 60 s timeouts.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15 + 15));
    }

    @Test
    void shouldFailPreflightNamingTheMissingPermissionAndResource() throws Exception {
        a.createTopic("sec-payments", 1);
        SecureKafka.acls("no-acls").allow(TOPIC, "sec-payments", LITERAL, DESCRIBE).createOn(a);
        Map<String, String> props = flow("no-acls", TARGET_USER);
        props.put("A->B.topics", "sec-payments");
        assertThatThrownBy(() -> Preflight.check(MirrorConfig.parse(props), Duration.ofSeconds(15)))
                .isInstanceOf(Preflight.PreflightException.class)
                .hasMessage("principal User:no-acls lacks READ on topic sec-payments, READ on group flink-mirror-A-B"
                        + " (source cluster 'A')");

        props.remove("sync.topic.configs.enabled");
        props.put("A.sasl.jaas.config", secure.clientProperties(SOURCE_USER).get("sasl.jaas.config"));
        assertThatThrownBy(() -> Preflight.check(MirrorConfig.parse(props), Duration.ofSeconds(15)))
                .hasMessageContaining("principal User:" + SOURCE_USER + " lacks DESCRIBE_CONFIGS on topic "
                        + "sec-payments (needed by sync.topic.configs.enabled=true");
    }

    @Test
    void shouldFailPreflightWithinBoundedTimeNamingAliasAndAddressOfAnUnreachableCluster() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> props = flow(SOURCE_USER, TARGET_USER);
        props.put("B.bootstrap.servers", "localhost:" + closedPort);
        long start = System.nanoTime();
        assertThatThrownBy(() -> Preflight.check(MirrorConfig.parse(props), Duration.ofSeconds(5)))
                .isInstanceOf(Preflight.PreflightException.class)
                .hasMessage("cluster 'B' (B.bootstrap.servers=localhost:" + closedPort + ") is unreachable: no answer"
                        + " within 5 s");
        // Generous (shared, noisy machines): bounded by the 5 s given, not by the clients' 60 s timeouts.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5 + 15));
    }

    @Test
    void shouldNotEchoSecretsInConfigErrors() {
        String secret = SecureKafka.SECRET_MARK + "-in-a-misspelled-key";
        Map<String, String> props = flow(SOURCE_USER, TARGET_USER);
        props.put("A.sasl.jaas.confg", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"x\" password=\"" + secret + "\";");
        props.put("A.ssl.truststore.passwd", secret);
        StringBuilder file = new StringBuilder();
        props.forEach((k, v) -> file.append(k.replace(":", "\\:")).append('=').append(v.replace("\\", "\\\\"))
                .append('\n'));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            Path config = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "secret-", ".properties");
            Files.writeString(config, file);
            PrintStream saved = System.err;
            int code;
            try (PrintStream capture = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                System.setErr(capture);
                code = MirrorJobMain.run("--config", config.toString());
            } finally {
                System.setErr(saved);
            }
            assertThat(code).isEqualTo(2);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown key 'A.sasl.jaas.confg'")
                .doesNotContain(secret);
    }
}
