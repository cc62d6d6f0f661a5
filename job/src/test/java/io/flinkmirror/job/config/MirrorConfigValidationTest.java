package io.flinkmirror.job.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad configuration fails with one line naming the key (and the value, where there is one). */
class MirrorConfigValidationTest {

    /** A valid two-cluster configuration the cases start from. */
    static Map<String, String> base() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", "A, B");
        props.put("A.bootstrap.servers", "a1:9092,a2:9092");
        props.put("B.bootstrap.servers", "b1:9092");
        props.put("A->B.enabled", "true");
        return props;
    }

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                bad("missing clusters", without("clusters"), "'clusters'"),
                bad("empty clusters", with("clusters", " "), "'clusters'"),
                bad("duplicate cluster alias", with("clusters", "A, B, A"), "'clusters'", "'A, B, A'"),
                bad("flow names an unlisted target", with("A->C.enabled", "true"), "'A->C.enabled'", "'C'"),
                bad("flow names an unlisted source", with("C->B.topics", "x"), "'C->B.topics'", "'C'"),
                bad("flow onto itself", with("A->A.enabled", "true"), "'A->A.enabled'"),
                bad("missing target bootstrap servers", without("B.bootstrap.servers"), "'B.bootstrap.servers'",
                        "A->B"),
                bad("bootstrap servers without port", with("A.bootstrap.servers", "a1"), "'A.bootstrap.servers'",
                        "'a1'"),
                bad("bad topics regex", with("A->B.topics", "orders, pay[ments"), "'A->B.topics'", "'pay[ments'"),
                bad("bad top-level topics.exclude regex", with("topics.exclude", "(unclosed"), "'topics.exclude'",
                        "'(unclosed'"),
                bad("bad groups regex", with("groups", "*billing"), "'groups'", "'*billing'"),
                bad("bad groups.exclude regex", with("A->B.groups.exclude", "[z-a]"), "'A->B.groups.exclude'",
                        "'[z-a]'"),
                bad("non-numeric refresh interval", with("A->B.refresh.topics.interval.seconds", "abc"),
                        "Invalid value 'abc' for key 'A->B.refresh.topics.interval.seconds': "
                                + "expected a non-negative integer (seconds)"),
                bad("negative ACL sync interval", with("A->B.sync.topic.acls.interval.seconds", "-10"),
                        "Invalid value '-10' for key 'A->B.sync.topic.acls.interval.seconds': "
                                + "expected a non-negative integer (seconds)"),
                bad("non-boolean ACL sync switch", with("sync.topic.acls.enabled", "yes"),
                        "'sync.topic.acls.enabled'", "'yes'"),
                bad("negative checkpoints interval", with("emit.checkpoints.interval.seconds", "-5"),
                        "'emit.checkpoints.interval.seconds'", "'-5'"),
                bad("fractional heartbeats interval", with("emit.heartbeats.interval.seconds", "1.5"),
                        "'emit.heartbeats.interval.seconds'", "'1.5'"),
                bad("negative group offsets sync interval", with("sync.group.offsets.interval.seconds", "-1"),
                        "'sync.group.offsets.interval.seconds'", "'-1'"),
                bad("fan-out flows sharing one source group", with(Map.of("A.consumer.group.id", "mirror",
                        "clusters", "A, B, C", "C.bootstrap.servers", "c1:9092", "A->C.enabled", "true")),
                        "Flows A->B and A->C would both commit their read positions to consumer group 'mirror' on "
                                + "cluster 'A' (A.consumer.group.id)", "A->C.source.consumer.group.id"),
                bad("negative throttle", with("A->B.flink.throttle.bytes.per.second", "-1"),
                        "Invalid value '-1' for key 'A->B.flink.throttle.bytes.per.second': expected a non-negative "
                                + "integer (bytes per second, 0 for unlimited)"),
                bad("throttle with a unit", with("flink.throttle.bytes.per.second", "10MB"),
                        "'flink.throttle.bytes.per.second'", "'10MB'", "bytes per second"),
                bad("zero replication factor", with("replication.factor", "0"), "'replication.factor'", "'0'", "-1"),
                bad("replication factor below -1", with("A->B.replication.factor", "-2"), "'A->B.replication.factor'",
                        "'-2'"),
                bad("non-numeric replication factor", with("replication.factor", "three"), "'replication.factor'",
                        "'three'"),
                bad("unknown policy class", with("replication.policy.class", "com.example.NoSuchPolicy"),
                        "'replication.policy.class'", "'com.example.NoSuchPolicy'",
                        "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"),
                bad("empty separator", with("replication.policy.separator", ""), "'replication.policy.separator'"),
                bad("boolean 'yes'", with("sync.topic.configs.enabled", "yes"), "'sync.topic.configs.enabled'",
                        "'yes'", "true or false"),
                bad("flow enabled 'yes'", with("A->B.enabled", "yes"), "'A->B.enabled'", "'yes'"),
                bad("bad offset-syncs location", with("offset-syncs.topic.location", "middle"),
                        "'offset-syncs.topic.location'", "'middle'", "source, target"),
                bad("bad delivery guarantee", with("flink.delivery.guarantee", "exactly-twice"),
                        "'flink.delivery.guarantee'", "'exactly-twice'", "exactly-once, at-least-once"),
                bad("zero transaction timeout", with("flink.sink.transaction.timeout.ms", "0"),
                        "'flink.sink.transaction.timeout.ms'", "'0'"),
                bad("bad provenance boolean", with("A->B.flink.provenance.header.enabled", "on"),
                        "'A->B.flink.provenance.header.enabled'", "'on'"),
                bad("topic filter class of the wrong type", with("topic.filter.class", "java.lang.String"),
                        "'topic.filter.class'", "'java.lang.String'"),
                bad("no flow enabled", with("A->B.enabled", "false"), "No replication flow is enabled",
                        "'<source>-><target>.enabled = true'"),
                bad("misspelled cluster key", with("A.bootstrap.server", "a:1"),
                        "Unknown key 'A.bootstrap.server' (did you mean 'A.bootstrap.servers'?)"),
                bad("misspelled top-level key", with("sync.group.offset.enabled", "true"),
                        "Unknown key 'sync.group.offset.enabled' (did you mean 'sync.group.offsets.enabled'?)"),
                bad("misspelled flow key", with("A->B.topic", "orders"),
                        "Unknown key 'A->B.topic' (did you mean 'A->B.topics'?)"),
                bad("misspelled client key", with("A.consumer.max.pol.records", "5"),
                        "Unknown key 'A.consumer.max.pol.records' (did you mean 'A.consumer.max.poll.records'?)"),
                bad("misspelled flink key", with("flink.delivery.guarante", "at-least-once"),
                        "Unknown key 'flink.delivery.guarante' (did you mean 'flink.delivery.guarantee'?)"),
                bad("unknown key far from any", with("zzqx", "1"), "Unknown key 'zzqx'"),
                bad("key removed in Kafka 4.0", with("topics.blacklist", "x"), "'topics.blacklist'",
                        "'topics.exclude'"),
                bad("flink option under a flow", with("A->B.flink.parallelism.default", "2"),
                        "'A->B.flink.parallelism.default'", "top level"),
                bad("producer key under consumer", with("A.consumer.acks", "all"), "'A.consumer.acks'",
                        "did you mean 'A.producer.acks'?"),
                bad("config provider without class", with("config.providers", "file"),
                        "'config.providers.file.class'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void rejectsWithOneLineNamingKeyAndValue(String description, Map<String, String> props, String[] expected) {
        assertThatThrownBy(() -> MirrorConfig.parse(props))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(e.getMessage())
                        .contains(expected)
                        .doesNotContain("\n"));
    }

    private static Arguments bad(String description, Map<String, String> props, String... expected) {
        return Arguments.of(description, props, expected);
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> props = base();
        props.put(key, value);
        return props;
    }

    private static Map<String, String> with(Map<String, String> more) {
        Map<String, String> props = base();
        props.putAll(more);
        return props;
    }

    private static Map<String, String> without(String key) {
        Map<String, String> props = base();
        props.remove(key);
        return props;
    }
}
