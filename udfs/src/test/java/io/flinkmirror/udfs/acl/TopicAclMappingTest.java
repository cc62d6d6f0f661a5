package io.flinkmirror.udfs.acl;

import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.udfs.filter.DefaultTopicFilter;
import io.flinkmirror.udfs.policy.DefaultReplicationPolicy;
import io.flinkmirror.udfs.policy.IdentityReplicationPolicy;
import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.topic.TopicSelector;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class TopicAclMappingTest {

    private static final List<String> TOPICS = List.of("orders.*", "payments", "heartbeats", "B\\..*", "__.*");

    private static TopicAclMapping mapping(ReplicationPolicy policy) {
        return new TopicAclMapping("A", policy, new TopicSelector(
                new DefaultTopicFilter(TOPICS, DefaultTopicFilter.TOPICS_EXCLUDE_DEFAULT), policy, "B"));
    }

    private final TopicAclMapping defaultPolicy = mapping(new DefaultReplicationPolicy());
    private final TopicAclMapping identityPolicy = mapping(new IdentityReplicationPolicy(".", "A"));

    private static AclBinding topic(String name, PatternType type, String principal, AclOperation op,
                                    AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, name, type),
                new AccessControlEntry(principal, "10.0.0.1", op, permission));
    }

    @Test
    void shouldRenameLiteralTopicAclsKeepingPrincipalAndHost() {
        assertThat(defaultPolicy.targetBinding(topic("orders", LITERAL, "User:alice", READ, ALLOW)))
                .contains(topic("A.orders", LITERAL, "User:alice", READ, ALLOW));
        assertThat(identityPolicy.targetBinding(topic("orders", LITERAL, "User:alice", DESCRIBE, ALLOW)))
                .contains(topic("orders", LITERAL, "User:alice", DESCRIBE, ALLOW));
    }

    @Test
    void shouldNotSyncAllowWriteAndShouldDowngradeAllowAllToRead() {
        assertThat(defaultPolicy.targetBinding(topic("orders", LITERAL, "User:alice", WRITE, ALLOW))).isEmpty();
        assertThat(defaultPolicy.targetBinding(topic("orders", LITERAL, "User:alice", ALL, ALLOW)))
                .contains(topic("A.orders", LITERAL, "User:alice", READ, ALLOW));
    }

    @Test
    void shouldKeepDenyEntriesAsTheyAre() {
        for (AclOperation op : List.of(READ, WRITE, ALL, DESCRIBE)) {
            assertThat(defaultPolicy.targetBinding(topic("orders", LITERAL, "User:mallory", op, DENY)))
                    .contains(topic("A.orders", LITERAL, "User:mallory", op, DENY));
        }
    }

    @Test
    void shouldSkipTopicsTheFlowDoesNotReplicate() {
        assertThat(defaultPolicy.targetBinding(topic("invoices", LITERAL, "User:alice", READ, ALLOW))).isEmpty();
        assertThat(defaultPolicy.targetBinding(topic("B.orders", LITERAL, "User:alice", READ, ALLOW)))
                .as("a topic that came from the target (cycle)").isEmpty();
        assertThat(defaultPolicy.targetBinding(topic("__consumer_offsets", LITERAL, "User:alice", READ, ALLOW)))
                .as("internal").isEmpty();
        assertThat(defaultPolicy.targetBinding(topic("*", LITERAL, "User:alice", READ, ALLOW)))
                .as("the literal wildcard").isEmpty();
        assertThat(defaultPolicy.targetBinding(new AclBinding(
                new ResourcePattern(ResourceType.GROUP, "orders", LITERAL),
                new AccessControlEntry("User:alice", "*", READ, ALLOW)))).as("not a topic").isEmpty();
    }

    @Test
    void shouldMapPrefixesThroughThePolicy() {
        assertThat(defaultPolicy.targetBinding(topic("orders", PREFIXED, "User:alice", READ, ALLOW)))
                .contains(topic("A.orders", PREFIXED, "User:alice", READ, ALLOW));
        assertThat(defaultPolicy.targetBinding(topic("orders-eu", PREFIXED, "User:alice", ALL, ALLOW)))
                .contains(topic("A.orders-eu", PREFIXED, "User:alice", READ, ALLOW));
        assertThat(identityPolicy.targetBinding(topic("orders", PREFIXED, "User:alice", READ, ALLOW)))
                .contains(topic("orders", PREFIXED, "User:alice", READ, ALLOW));
        DefaultReplicationPolicy underscore = new DefaultReplicationPolicy("__");
        assertThat(mapping(underscore).targetBinding(topic("orders", PREFIXED, "User:alice", DESCRIBE, DENY)))
                .contains(topic("A__orders", PREFIXED, "User:alice", DESCRIBE, DENY));
    }

    @Test
    void shouldSkipPrefixesThePolicyOrTheFilterCannotCover() {
        assertThat(defaultPolicy.targetBinding(topic("ord", PREFIXED, "User:alice", READ, ALLOW)))
                .as("'ord' itself is not replicated (topics = orders.*)").isEmpty();
        assertThat(defaultPolicy.targetBinding(topic("B.o", PREFIXED, "User:alice", READ, ALLOW)))
                .as("topics from the target").isEmpty();
        assertThat(defaultPolicy.targetBinding(topic("__", PREFIXED, "User:alice", READ, ALLOW))).isEmpty();
        assertThat(defaultPolicy.targetBinding(topic("orders", PREFIXED, "User:alice", WRITE, ALLOW))).isEmpty();
        assertThat(mapping(new SuffixPolicy()).targetBinding(topic("orders", PREFIXED, "User:alice", READ, ALLOW)))
                .as("a policy naming remote topics by suffix cannot map a prefix").isEmpty();
        assertThat(mapping(new SuffixPolicy()).targetBinding(topic("orders", LITERAL, "User:alice", READ, ALLOW)))
                .contains(topic("orders.from-A", LITERAL, "User:alice", READ, ALLOW));
    }

    @Test
    void shouldMergeBindingsThatMapToTheSameTargetBinding() {
        assertThat(defaultPolicy.targetBindings(List.of(
                topic("orders", LITERAL, "User:alice", READ, ALLOW),
                topic("orders", LITERAL, "User:alice", ALL, ALLOW),
                topic("orders", LITERAL, "User:alice", WRITE, ALLOW))))
                .containsExactly(topic("A.orders", LITERAL, "User:alice", READ, ALLOW));
    }

    /**
     * MirrorMaker 2 4.2 itself as the oracle for literal bindings: its {@code syncTopicAcls} filters (topic, literal,
     * {@code shouldReplicateAcl}, {@code shouldReplicateTopic}) and {@code targetAclBinding}, against ours, for every
     * operation and permission on replicated, excluded, internal and cyclic names, with both policies. The one
     * deliberate difference is the literal wildcard {@code *}, which we never sync.
     */
    @Test
    void shouldMatchMirrorMaker2OnLiteralBindings() throws Exception {
        for (boolean identity : List.of(false, true)) {
            ReplicationPolicy ours = identity ? new IdentityReplicationPolicy(".", "A")
                    : new DefaultReplicationPolicy();
            TopicAclMapping mapping = mapping(ours);
            Mm2 mm2 = new Mm2(identity);
            for (String name : List.of("orders", "orders-eu", "payments", "invoices", "B.orders", "heartbeats",
                    "A.heartbeats", "__consumer_offsets", "mm2-offset-syncs.B.internal", "x.internal")) {
                for (AclOperation op : AclOperation.values()) {
                    if (op == AclOperation.ANY || op == AclOperation.UNKNOWN) {
                        continue;
                    }
                    for (AclPermissionType permission : List.of(ALLOW, DENY)) {
                        AclBinding source = topic(name, LITERAL, "User:u", op, permission);
                        assertThat(mapping.targetBinding(source)).as("%s (identity=%s)", source, identity)
                                .isEqualTo(mm2.sync(source));
                    }
                }
            }
        }
    }

    /** Reaches MM2's package-private ACL rules by reflection (connect-mirror 4.2 on the test classpath). */
    private static final class Mm2 {
        private final Object connector;
        private final Method shouldReplicateAcl;
        private final Method shouldReplicateTopic;
        private final Method targetAclBinding;

        Mm2(boolean identity) throws Exception {
            Class<?> policyClass = Class.forName(identity ? "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"
                    : "org.apache.kafka.connect.mirror.DefaultReplicationPolicy");
            Object policy = policyClass.getConstructor().newInstance();
            policyClass.getMethod("configure", Map.class).invoke(policy, Map.of("source.cluster.alias", "A"));
            Class<?> filterClass = Class.forName("org.apache.kafka.connect.mirror.DefaultTopicFilter");
            Object filter = filterClass.getConstructor().newInstance();
            filterClass.getMethod("configure", Map.class).invoke(filter, Map.of("topics", String.join(",", TOPICS)));
            Class<?> configFilterClass = Class.forName("org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter");
            Object configFilter = configFilterClass.getConstructor().newInstance();
            configFilterClass.getMethod("configure", Map.class).invoke(configFilter, Map.of());
            Class<?> sourceAndTarget = Class.forName("org.apache.kafka.connect.mirror.SourceAndTarget");
            Class<?> connectorClass = Class.forName("org.apache.kafka.connect.mirror.MirrorSourceConnector");
            Constructor<?> constructor = connectorClass.getDeclaredConstructor(sourceAndTarget,
                    Class.forName("org.apache.kafka.connect.mirror.ReplicationPolicy"),
                    Class.forName("org.apache.kafka.connect.mirror.TopicFilter"),
                    Class.forName("org.apache.kafka.connect.mirror.ConfigPropertyFilter"), boolean.class);
            constructor.setAccessible(true);
            connector = constructor.newInstance(sourceAndTarget.getConstructor(String.class, String.class)
                    .newInstance("A", "B"), policy, filter, configFilter, true);
            shouldReplicateAcl = accessible(connectorClass.getDeclaredMethod("shouldReplicateAcl", AclBinding.class));
            shouldReplicateTopic = accessible(connectorClass.getDeclaredMethod("shouldReplicateTopic", String.class));
            targetAclBinding = accessible(connectorClass.getDeclaredMethod("targetAclBinding", AclBinding.class));
        }

        private static Method accessible(Method method) {
            method.setAccessible(true);
            return method;
        }

        /** What MM2's syncTopicAcls creates on the target for {@code source}, if anything. */
        Optional<AclBinding> sync(AclBinding source) throws Exception {
            List<AclBinding> result = new ArrayList<>();
            if (source.pattern().resourceType() == ResourceType.TOPIC
                    && source.pattern().patternType() == LITERAL
                    && (boolean) shouldReplicateAcl.invoke(connector, source)
                    && (boolean) shouldReplicateTopic.invoke(connector, source.pattern().name())) {
                result.add((AclBinding) targetAclBinding.invoke(connector, source));
            }
            return result.stream().findFirst();
        }
    }

    /** Names remote topics {@code <topic>.from-<alias>}: no common prefix. */
    private static final class SuffixPolicy implements ReplicationPolicy {
        private static final long serialVersionUID = 1L;

        @Override
        public String formatRemoteTopic(String sourceClusterAlias, String topic) {
            return topic + ".from-" + sourceClusterAlias;
        }

        @Override
        public String topicSource(String topic) {
            int at = topic.lastIndexOf(".from-");
            return at < 0 ? null : topic.substring(at + ".from-".length());
        }

        @Override
        public String upstreamTopic(String topic) {
            int at = topic.lastIndexOf(".from-");
            return at < 0 ? null : topic.substring(0, at);
        }
    }
}
