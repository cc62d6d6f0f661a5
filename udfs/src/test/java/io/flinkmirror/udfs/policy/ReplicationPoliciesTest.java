package io.flinkmirror.udfs.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplicationPoliciesTest {

    @Test
    void blankOrMissingClassMeansDefaultPolicy() {
        assertThat(ReplicationPolicies.create(null, null, "A")).isEqualTo(new DefaultReplicationPolicy());
        assertThat(ReplicationPolicies.create("  ", "_", "A")).isEqualTo(new DefaultReplicationPolicy("_"));
    }

    @Test
    void acceptsOurAndMirrorMakerDefaultPolicyNames() {
        for (String name : new String[] {
            DefaultReplicationPolicy.class.getName(), "org.apache.kafka.connect.mirror.DefaultReplicationPolicy"}) {
            ReplicationPolicy policy = ReplicationPolicies.create(name, "__", "A");
            assertThat(policy).isExactlyInstanceOf(DefaultReplicationPolicy.class);
            assertThat(policy.formatRemoteTopic("A", "t")).isEqualTo("A__t");
        }
    }

    @Test
    void acceptsOurAndMirrorMakerIdentityPolicyNamesAndPassesTheSourceAlias() {
        for (String name : new String[] {
            IdentityReplicationPolicy.class.getName(), "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"}) {
            ReplicationPolicy policy = ReplicationPolicies.create(name, ".", "A");
            assertThat(policy).isInstanceOf(IdentityReplicationPolicy.class);
            assertThat(policy.formatRemoteTopic("A", "t")).isEqualTo("t");
            assertThat(policy.topicSource("t")).isEqualTo("A");
        }
    }

    @Test
    void passesTheInternalTopicSeparatorFlag() {
        ReplicationPolicy policy = ReplicationPolicies.create(
                "org.apache.kafka.connect.mirror.DefaultReplicationPolicy", "__", "A", false);
        assertThat(policy.offsetSyncsTopic("B")).isEqualTo("mm2-offset-syncs.B.internal");
        assertThat(policy.formatRemoteTopic("A", "t")).isEqualTo("A__t");
    }

    @Test
    void loadsCustomPolicyWithSeparatorConstructor() {
        ReplicationPolicy policy = ReplicationPolicies.create(SuffixPolicy.class.getName(), "-", "A");
        assertThat(policy).isInstanceOf(SuffixPolicy.class);
        assertThat(policy.formatRemoteTopic("A", "orders")).isEqualTo("orders-A");
    }

    @Test
    void loadsCustomPolicyWithNoArgConstructor() {
        ReplicationPolicy policy = ReplicationPolicies.create(NoArgPolicy.class.getName(), "-", "A");
        assertThat(policy).isInstanceOf(NoArgPolicy.class);
        assertThat(policy.formatRemoteTopic("A", "orders")).isEqualTo("mirror.orders");
    }

    @Test
    void unknownClassNamesTheClassAndTheAllowedValues() {
        assertThatThrownBy(() -> ReplicationPolicies.create("com.example.NoSuchPolicy", ".", "A"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'com.example.NoSuchPolicy'")
                .hasMessageContaining("org.apache.kafka.connect.mirror.DefaultReplicationPolicy")
                .hasMessageContaining("org.apache.kafka.connect.mirror.IdentityReplicationPolicy");
    }

    @Test
    void classNotImplementingOurInterfaceIsRejected() {
        assertThatThrownBy(() -> ReplicationPolicies.create("java.lang.String", ".", "A"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'java.lang.String'")
                .hasMessageContaining(ReplicationPolicy.class.getName());
    }

    @Test
    void classWithoutUsableConstructorIsRejected() {
        assertThatThrownBy(() -> ReplicationPolicies.create(NoUsableConstructorPolicy.class.getName(), ".", "A"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("constructor");
    }

    /** Appends the source alias instead of prefixing it. */
    public static class SuffixPolicy implements ReplicationPolicy {
        private final String separator;

        public SuffixPolicy(String separator) {
            this.separator = separator;
        }

        @Override
        public String formatRemoteTopic(String sourceClusterAlias, String topic) {
            return topic + separator + sourceClusterAlias;
        }

        @Override
        public String topicSource(String topic) {
            int at = topic.lastIndexOf(separator);
            return at < 0 ? null : topic.substring(at + separator.length());
        }

        @Override
        public String upstreamTopic(String topic) {
            int at = topic.lastIndexOf(separator);
            return at < 0 ? null : topic.substring(0, at);
        }
    }

    /** Prefixes every topic with a constant. */
    public static class NoArgPolicy implements ReplicationPolicy {
        @Override
        public String formatRemoteTopic(String sourceClusterAlias, String topic) {
            return "mirror." + topic;
        }

        @Override
        public String topicSource(String topic) {
            return null;
        }

        @Override
        public String upstreamTopic(String topic) {
            return null;
        }
    }

    /** Only has a constructor the factory cannot call. */
    public static class NoUsableConstructorPolicy extends NoArgPolicy {
        public NoUsableConstructorPolicy(int ignored) {
        }
    }
}
