package io.flinkmirror.job;

import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.job.topics.TopicAclSync;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.LogCapture;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.SecureKafka;
import io.flinkmirror.testutils.TestRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Topic ACL sync ({@code sync.topic.acls.*}) between two clusters that enforce ACLs (SASL/PLAIN over TLS,
 * StandardAuthorizer, nothing allowed without an ACL): MM2's rules for literal ACLs, prefixed ACLs mapped through the
 * replication policy, removal of exactly the copies the flow created (also by a later run without any Flink state),
 * and a flow without the rights: one WARN, replication exactly-once all the same.
 */
class TopicAclSyncIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** May sync ACLs: DESCRIBE on the source cluster, ALTER on the target cluster. */
    private static final String SOURCE_USER = "acl-reader";
    private static final String TARGET_USER = "acl-writer";
    /** The same topic rights, no cluster rights. */
    private static final String PLAIN_SOURCE_USER = "plain-reader";
    private static final String PLAIN_TARGET_USER = "plain-writer";
    /** ALTER on the target cluster, but no right on the topic recording the flow's ACLs. */
    private static final String UNRECORDED_TARGET_USER = "unrecorded-writer";

    static SecureKafka secure;
    static LocalKafkaCluster a;
    static LocalKafkaCluster b;

    @BeforeAll
    static void clusters() throws Exception {
        Path base = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"))),
                "acl-sync-");
        secure = SecureKafka.create(base.resolve("tls"), SOURCE_USER, TARGET_USER, PLAIN_SOURCE_USER,
                PLAIN_TARGET_USER, UNRECORDED_TARGET_USER);
        a = secure.start("A", base);
        b = secure.start("B", base);
        for (String user : List.of(SOURCE_USER, PLAIN_SOURCE_USER)) {
            SecureKafka.acls(user)
                    .allow(TOPIC, "acl-", PREFIXED, READ, DESCRIBE)
                    .allow(GROUP, "flink-mirror-A-B", LITERAL, READ)
                    .allow(GROUP, "*", LITERAL, DESCRIBE)
                    .createOn(a);
        }
        for (String user : List.of(TARGET_USER, PLAIN_TARGET_USER, UNRECORDED_TARGET_USER)) {
            SecureKafka.acls(user)
                    .allow(TOPIC, "A.", PREFIXED, CREATE, WRITE, READ, DESCRIBE)
                    .allow(TOPIC, "mm2-offset-syncs.A.internal", LITERAL, CREATE, WRITE, READ, DESCRIBE)
                    .allow(TOPIC, "mm2-progress.A.internal", LITERAL, CREATE, WRITE, READ, DESCRIBE)
                    .allow(TOPIC, "heartbeats", LITERAL, CREATE, WRITE, DESCRIBE)
                    .allow(TRANSACTIONAL_ID, "acl-", PREFIXED, WRITE, DESCRIBE)
                    .createOn(b);
        }
        // The rights topic ACL sync needs, as docs/configuration.md (Topic ACLs) and docs/security.md list them.
        SecureKafka.acls(SOURCE_USER).allow(CLUSTER, "kafka-cluster", LITERAL, DESCRIBE).createOn(a);
        SecureKafka.acls(TARGET_USER)
                .allow(CLUSTER, "kafka-cluster", LITERAL, ALTER)
                .allow(TOPIC, "mm2-topic-acls.A.internal", LITERAL, CREATE, WRITE, READ, DESCRIBE)
                .createOn(b);
        SecureKafka.acls(UNRECORDED_TARGET_USER).allow(CLUSTER, "kafka-cluster", LITERAL, ALTER).createOn(b);
    }

    @AfterAll
    static void stop() {
        for (LocalKafkaCluster c : new LocalKafkaCluster[] {a, b}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static Map<String, String> flow(String sourceUser, String targetUser, String topics, String job) {
        Map<String, String> props = new LinkedHashMap<>(MirrorRunner.flowProperties(a, b, topics));
        props.putAll(secure.mirrorProperties("A", sourceUser));
        props.putAll(secure.mirrorProperties("B", targetUser));
        props.put("flink.pipeline.name", job);
        props.put("refresh.topics.interval.seconds", "1");
        props.put("sync.topic.acls.interval.seconds", "1");
        props.put("sync.topic.configs.enabled", "false");
        props.put("B->A.emit.heartbeats.enabled", "false");
        return props;
    }

    private static AclBinding acl(String topic, PatternType type, String user, AclOperation op,
                                  AclPermissionType permission) {
        return acl(topic, type, user, "*", op, permission);
    }

    private static AclBinding acl(String topic, PatternType type, String user, String host, AclOperation op,
                                  AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(TOPIC, topic, type),
                new AccessControlEntry("User:" + user, host, op, permission));
    }

    private static void create(LocalKafkaCluster cluster, AclBinding... bindings) throws Exception {
        cluster.admin().createAcls(List.of(bindings)).all().get(30, TimeUnit.SECONDS);
    }

    private static void delete(LocalKafkaCluster cluster, AclBinding... bindings) throws Exception {
        List<AclBindingFilter> filters = new ArrayList<>();
        for (AclBinding binding : bindings) {
            filters.add(binding.toFilter());
        }
        cluster.admin().deleteAcls(filters).all().get(30, TimeUnit.SECONDS);
    }

    /** Every topic ACL of {@code cluster}, read as its super user. */
    private static Set<AclBinding> topicAcls(LocalKafkaCluster cluster) {
        try {
            return new HashSet<>(cluster.admin().describeAcls(new AclBindingFilter(
                    new ResourcePatternFilter(TOPIC, null, PatternType.ANY), AccessControlEntryFilter.ANY))
                    .values().get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The WARN lines about topic ACL sync. */
    private static List<String> warnings(LogCapture logs) {
        return logs.linesContaining("topic ACL").stream().filter(l -> l.startsWith("WARN")).toList();
    }

    private static long principalsOnTarget(String user) {
        return topicAcls(b).stream().filter(x -> x.entry().principal().equals("User:" + user)).count();
    }

    @Test
    void shouldSyncLiteralAndPrefixedTopicAclsAndRemoveOnlyTheCopiesItCreated() throws Exception {
        a.createTopic("acl-orders", 1);
        a.createTopic("acl-payments-eu", 1);
        AclBinding aliceRead = acl("acl-orders", LITERAL, "alice", READ, ALLOW);
        AclBinding bobAll = acl("acl-orders", LITERAL, "bob", ALL, ALLOW);
        AclBinding carolWrite = acl("acl-orders", LITERAL, "carol", WRITE, ALLOW);
        AclBinding daveDeny = acl("acl-orders", LITERAL, "dave", "10.0.0.7", WRITE, DENY);
        AclBinding erinPrefix = acl("acl-pay", PREFIXED, "erin", READ, ALLOW);
        AclBinding frankOther = acl("other-orders", LITERAL, "frank", READ, ALLOW);
        AclBinding ginaRead = acl("acl-orders", LITERAL, "gina", READ, ALLOW);
        create(a, aliceRead, bobAll, carolWrite, daveDeny, erinPrefix, frankOther, ginaRead);
        // On the target before the job: the same shape as gina's copy (not the flow's), and two unrelated ACLs.
        AclBinding ginaOnTarget = acl("A.acl-orders", LITERAL, "gina", READ, ALLOW);
        AclBinding henryOnTarget = acl("A.acl-orders", LITERAL, "henry", READ, ALLOW);
        AclBinding ivanOnTarget = acl("local-", PREFIXED, "ivan", DESCRIBE, ALLOW);
        create(b, ginaOnTarget, henryOnTarget, ivanOnTarget);

        AclBinding aliceCopy = acl("A.acl-orders", LITERAL, "alice", READ, ALLOW);
        AclBinding bobCopy = acl("A.acl-orders", LITERAL, "bob", READ, ALLOW);
        AclBinding daveCopy = acl("A.acl-orders", LITERAL, "dave", "10.0.0.7", WRITE, DENY);
        AclBinding erinCopy = acl("A.acl-pay", PREFIXED, "erin", READ, ALLOW);
        // Not 'acl-.*': the mirror principals' own prefixed ACLs on 'acl-' would be synced too (they are ACLs of
        // replicated topics like any other).
        Map<String, String> props = flow(SOURCE_USER, TARGET_USER, "acl-orders.*|acl-pay.*", "acl-sync");
        List<String> syncLines;
        try (LogCapture logs = LogCapture.start(Level.INFO)) {
            MirrorJob job = new MirrorJob(MirrorConfig.parse(props))
                    .withoutTopicAclSync(Preflight.run(MirrorConfig.parse(props), Duration.ofSeconds(15))
                            .topicAclSyncOff());
            try (MirrorRunner mirror = MirrorRunner.start(job)) {
                Poll.until("the source's topic ACLs copied to B", TIMEOUT,
                        () -> topicAcls(b).containsAll(List.of(aliceCopy, bobCopy, daveCopy, erinCopy)),
                        () -> "target ACLs " + topicAcls(b) + ", job " + mirror.jobStatus());
                assertThat(principalsOnTarget("carol")).as("ALLOW WRITE is not synced").isZero();
                assertThat(principalsOnTarget("frank")).as("ACL of a topic the flow does not replicate").isZero();
                assertThat(principalsOnTarget("bob")).as("ALLOW ALL becomes READ, nothing else").isEqualTo(1);

                delete(a, aliceRead, erinPrefix, ginaRead, daveDeny);
                Poll.until("the copies of the removed ACLs removed from B", TIMEOUT,
                        () -> !topicAcls(b).contains(aliceCopy) && !topicAcls(b).contains(erinCopy)
                                && !topicAcls(b).contains(daveCopy),
                        () -> "target ACLs " + topicAcls(b));
                // A sync after all four removals were visible: a new source ACL shows up on B.
                create(a, acl("acl-orders", LITERAL, "judy", DESCRIBE, ALLOW));
                Poll.until("judy's ACL copied", TIMEOUT,
                        () -> topicAcls(b).contains(acl("A.acl-orders", LITERAL, "judy", DESCRIBE, ALLOW)));
                // The line is logged once the copy is recorded as the flow's own, just after the copy appears.
                Poll.until("judy's sync logged", TIMEOUT,
                        () -> !logs.linesContaining("created 1, deleted 0").isEmpty());
                assertThat(topicAcls(b)).as("pre-existing, unrelated and still-wanted ACLs untouched")
                        .contains(ginaOnTarget, henryOnTarget, ivanOnTarget, bobCopy);
            }
            syncLines = logs.linesContaining("topic ACLs synced to B");
            assertThat(warnings(logs)).isEmpty();
        }
        assertThat(syncLines.get(0)).contains("A->B topic ACLs synced to B: created 4, deleted 0");
        assertThat(String.join("\n", syncLines)).contains("deleted").contains("created 1, deleted 0");
        assertThat(syncLines).as("one INFO line per sync that changed something, none for the others (every 1 s)")
                .hasSizeBetween(3, 4);

        // A new run without any Flink state learns from B which copies are its own.
        delete(a, bobAll);
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            Poll.until("bob's copy removed by a run without state", TIMEOUT, () -> !topicAcls(b).contains(bobCopy),
                    () -> "target ACLs " + topicAcls(b) + ", job " + mirror.jobStatus());
            create(a, acl("acl-orders", LITERAL, "kim", DESCRIBE, ALLOW));
            Poll.until("kim's ACL copied", TIMEOUT,
                    () -> topicAcls(b).contains(acl("A.acl-orders", LITERAL, "kim", DESCRIBE, ALLOW)));
        }
        assertThat(topicAcls(b)).contains(ginaOnTarget, henryOnTarget, ivanOnTarget);
        assertThat(principalsOnTarget("carol") + principalsOnTarget("frank") + principalsOnTarget("alice")
                + principalsOnTarget("erin") + principalsOnTarget("dave") + principalsOnTarget("bob")).isZero();
    }

    @Test
    void shouldWarnOnceAndReplicateExactlyOnceWhenTheFlowLacksTheRights() throws Exception {
        a.createTopic("acl-norights", 2);
        create(a, acl("acl-norights", LITERAL, "lena", READ, ALLOW));
        List<ProducedRecord> produced = TestRecords.builder().topic("acl-norights", 2).count(2_000)
                .idPrefix("norights").build();
        TestRecords.produce(a.clientProperties(), produced.subList(0, 1_000));
        Map<String, String> props = flow(PLAIN_SOURCE_USER, PLAIN_TARGET_USER, "acl-norights", "acl-norights");

        List<String> warnings;
        try (LogCapture logs = LogCapture.start(Level.INFO)) {
            MirrorConfig config = MirrorConfig.parse(props);
            Preflight.Report report = Preflight.run(config, Duration.ofSeconds(15));
            assertThat(report.topicAclSyncOff()).containsExactly("A->B");
            try (MirrorRunner mirror = MirrorRunner.start(new MirrorJob(config)
                    .withoutTopicAclSync(report.topicAclSyncOff()))) {
                TestRecords.produce(a.clientProperties(), produced.subList(1_000, 2_000));
                mirror.awaitCaughtUp(a, b.name(), List.of("acl-norights"), TIMEOUT);
            }
            warnings = warnings(logs);
        }
        ExactlyOnceChecker.expecting(produced).verify(b.clientProperties(), "A.acl-norights", TIMEOUT)
                .assertExactlyOnce();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).as("no stack trace").doesNotContain("\tat ");
        assertThat(warnings.get(0)).contains("WARN").contains("A->B topic ACL sync off: principal User:"
                        + PLAIN_SOURCE_USER + " lacks DESCRIBE on the cluster (source cluster 'A'), needed to read "
                        + "its topic ACLs; principal User:" + PLAIN_TARGET_USER + " lacks ALTER on the cluster (target "
                        + "cluster 'B'), needed to create and delete its topic ACLs");
        assertThat(principalsOnTarget("lena")).isZero();
    }

    @Test
    void shouldWarnOnceAtRunTimeWhenThePreflightWasSkippedAndKeepReplicating() throws Exception {
        a.createTopic("acl-skipped", 1);
        List<ProducedRecord> produced = TestRecords.builder().topic("acl-skipped", 1).count(500)
                .idPrefix("skipped").build();
        TestRecords.produce(a.clientProperties(), produced);
        Map<String, String> props = flow(PLAIN_SOURCE_USER, PLAIN_TARGET_USER, "acl-skipped|acl-later", "acl-skip");

        List<String> warnings;
        try (LogCapture logs = LogCapture.start(Level.INFO)) {
            try (MirrorRunner mirror = MirrorRunner.start(props)) {
                mirror.awaitCaughtUp(a, b.name(), List.of("acl-skipped"), TIMEOUT);
                // Topic discovery, which runs the ACL sync, goes on after the WARN: a new topic is replicated.
                a.createTopic("acl-later", 1);
                List<ProducedRecord> later = TestRecords.builder().topic("acl-later", 1).count(100)
                        .idPrefix("later").build();
                TestRecords.produce(a.clientProperties(), later);
                mirror.awaitCaughtUp(a, b.name(), List.of("acl-later"), TIMEOUT);
            }
            warnings = warnings(logs);
        }
        ExactlyOnceChecker.expecting(produced).verify(b.clientProperties(), "A.acl-skipped", TIMEOUT)
                .assertExactlyOnce();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).as("no stack trace").doesNotContain("\tat ");
        assertThat(warnings.get(0)).contains("WARN").contains("A->B topic ACL sync off: principal User:"
                + PLAIN_SOURCE_USER + " lacks DESCRIBE on the cluster (source cluster 'A'), needed to read its topic "
                + "ACLs");
    }

    @Test
    void shouldCreateNoAclItCannotRecordAndWarnOnce() throws Exception {
        a.createTopic("acl-unrecorded", 1);
        create(a, acl("acl-unrecorded", LITERAL, "max", READ, ALLOW));
        FlowConfig flow = MirrorConfig.parse(
                flow(SOURCE_USER, UNRECORDED_TARGET_USER, "acl-unrecorded", "acl-unrec")).flows().get(0);
        TopicAclSync sync = KafkaConnectors.topicAclSync(flow);
        List<String> warnings;
        try (LogCapture logs = LogCapture.start(Level.INFO);
             Admin source = Admin.create(new HashMap<>(flow.sourceAdminProps()));
             Admin target = Admin.create(new HashMap<>(flow.targetAdminProps()))) {
            sync.maybeSync(source, target);
            assertThat(sync.isOff()).isTrue();
            sync.maybeSync(source, target);
            warnings = warnings(logs);
        }
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("A->B topic ACL sync off: principal User:" + UNRECORDED_TARGET_USER
                + " lacks DESCRIBE on topic mm2-topic-acls.A.internal (target cluster 'B'), needed to read the record "
                + "of the topic ACLs it created");
        assertThat(principalsOnTarget("max")).as("nothing created that could not be recorded").isZero();
    }

    @Test
    void shouldTurnOffWithOneInfoLineOnClustersWithoutAnAuthorizer() throws Exception {
        Path base = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "no-authorizer-");
        try (LocalKafkaCluster plainA = LocalKafkaCluster.start("A", base);
             LocalKafkaCluster plainB = LocalKafkaCluster.start("B", base);
             LogCapture logs = LogCapture.start(Level.INFO)) {
            FlowConfig flow = MirrorConfig.parse(MirrorRunner.flowProperties(plainA, plainB)).flows().get(0);
            TopicAclSync sync = KafkaConnectors.topicAclSync(flow);
            sync.maybeSync(plainA.admin(), plainB.admin());
            assertThat(sync.isOff()).isTrue();
            sync.maybeSync(plainA.admin(), plainB.admin());
            assertThat(logs.linesContaining("topic ACL sync off")).containsExactly("INFO "
                    + TopicAclSync.class.getName() + " - A->B topic ACL sync off: the source cluster 'A' has no ACL "
                    + "authorizer, so there are no ACLs to sync (set sync.topic.acls.enabled=false to skip this "
                    + "check)");
            assertThat(plainB.admin().listTopics().names().get(30, TimeUnit.SECONDS))
                    .doesNotContain("mm2-topic-acls.A.internal");
        }
    }

    /**
     * Active-active with the identity policy: A's ACL is copied to B under the same name, where the flow B->A sees it
     * as one of B's. Once the original is removed from A, B->A must not copy the copy back (it would live forever).
     */
    @Test
    void shouldNotCopyBackTheReverseFlowsCopiesInActiveActiveWithTheIdentityPolicy() throws Exception {
        a.createTopic("aa-orders", 1);
        b.createTopic("aa-orders", 1);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", "A, B");
        props.put("A.bootstrap.servers", a.bootstrapServers());
        props.put("B.bootstrap.servers", b.bootstrapServers());
        props.putAll(secure.mirrorProperties("A", "admin"));
        props.putAll(secure.mirrorProperties("B", "admin"));
        props.put("A->B.enabled", "true");
        props.put("B->A.enabled", "true");
        props.put("topics", "aa-.*");
        props.put("replication.policy.class", "org.apache.kafka.connect.mirror.IdentityReplicationPolicy");
        MirrorConfig config = MirrorConfig.parse(props);
        FlowConfig ab = config.flows().stream().filter(f -> f.name().equals("A->B")).findFirst().orElseThrow();
        FlowConfig ba = config.flows().stream().filter(f -> f.name().equals("B->A")).findFirst().orElseThrow();
        TopicAclSync syncAb = KafkaConnectors.topicAclSync(ab);
        TopicAclSync syncBa = KafkaConnectors.topicAclSync(ba);
        AclBinding original = acl("aa-orders", LITERAL, "olga", READ, ALLOW);
        create(a, original);

        syncAb.syncNow(a.admin(), b.admin());
        assertThat(topicAcls(b)).as("copied under the same name").contains(original);
        syncBa.syncNow(b.admin(), a.admin());
        delete(a, original);
        syncBa.syncNow(b.admin(), a.admin());
        assertThat(topicAcls(a)).as("B->A did not copy A->B's copy back").doesNotContain(original);
        syncAb.syncNow(a.admin(), b.admin());
        assertThat(topicAcls(b)).as("A->B removed its copy").doesNotContain(original);
        assertThat(syncAb.isOff() || syncBa.isOff()).isFalse();
    }
}
