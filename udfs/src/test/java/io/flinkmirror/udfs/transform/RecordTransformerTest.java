package io.flinkmirror.udfs.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkmirror.udfs.record.MirrorRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Kafka's own SMTs and predicates on records as MirrorMaker 2 hands them over, and the errors around them. */
class RecordTransformerTest {

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static MirrorRecord record(String value, String... headers) {
        String[] keys = new String[headers.length / 2];
        byte[][] values = new byte[headers.length / 2][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = headers[2 * i];
            values[i] = utf8(headers[2 * i + 1]);
        }
        MirrorRecord r = new MirrorRecord("orders", 2, 17L, 1_700_000_000_000L, utf8("k"), utf8(value), keys,
                values);
        r.targetTopic = "A.orders";
        return r;
    }

    private static RecordTransformer transformer(Map<String, String> props, String function,
                                                 ErrorTolerance tolerance) {
        Map<String, String> keys = new HashMap<>();
        props.keySet().forEach(k -> keys.put(k, "A->B." + k));
        return new RecordTransformer("A->B", "A", props, keys, function, "A->B.flink.record.function.class",
                Map.of("field", "secret"), tolerance);
    }

    private static RecordTransformer opened(Map<String, String> props) throws Exception {
        RecordTransformer t = transformer(props, null, ErrorTolerance.NONE);
        t.validate();
        t.open();
        return t;
    }

    private static Map<String, String> props(String... kv) {
        Map<String, String> props = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            props.put(kv[i], kv[i + 1]);
        }
        return props;
    }

    @Test
    void shouldHandTransformsTheSourceRecordMirrorMakerBuilds() {
        MirrorRecord in = record("v", "h", "x", "n", null);
        SourceRecord r = new ConnectRecords().toSourceRecord(in, "A");

        assertThat(r.topic()).isEqualTo("A.orders");
        assertThat(r.kafkaPartition()).isEqualTo(2);
        assertThat(r.keySchema()).isEqualTo(Schema.OPTIONAL_BYTES_SCHEMA);
        assertThat(r.valueSchema()).isEqualTo(Schema.BYTES_SCHEMA);
        assertThat((byte[]) r.value()).isEqualTo(utf8("v"));
        assertThat(r.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(r.sourcePartition()).isEqualTo(Map.of("cluster", "A", "topic", "orders", "partition", 2));
        assertThat(r.sourceOffset()).isEqualTo(Map.of("offset", 17L));
        assertThat(r.headers().size()).isEqualTo(2);
        assertThat(r.headers().lastWithName("h").schema()).isEqualTo(Schema.BYTES_SCHEMA);
        assertThat(r.headers().lastWithName("n").value()).isNull();
    }

    @Test
    void shouldFilterWithHasHeaderKeyTopicNameMatchesAndRecordIsTombstone() throws Exception {
        RecordTransformer t = opened(props("transforms", "dropDebug, dropTombstones, keepOrders",
                "transforms.dropDebug.type", "org.apache.kafka.connect.transforms.Filter",
                "transforms.dropDebug.predicate", "isDebug",
                "transforms.dropTombstones.type", "org.apache.kafka.connect.transforms.Filter",
                "transforms.dropTombstones.predicate", "isTombstone",
                "transforms.keepOrders.type", "org.apache.kafka.connect.transforms.Filter",
                "transforms.keepOrders.predicate", "isOrders",
                "transforms.keepOrders.negate", "true",
                "predicates", "isDebug, isTombstone, isOrders",
                "predicates.isDebug.type", "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
                "predicates.isDebug.name", "debug",
                "predicates.isTombstone.type", "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
                "predicates.isOrders.type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
                "predicates.isOrders.pattern", "A\\.orders"));

        assertThat(t.apply(record("v"))).isNotNull();
        assertThat(t.apply(record("v", "debug", "1"))).isNull();
        assertThat(t.apply(record(null))).isNull();
        MirrorRecord other = record("v");
        other.targetTopic = "A.payments";
        assertThat(t.apply(other)).as("topic matched against the target topic name, as in MM2").isNull();
        t.close();
    }

    @Test
    void shouldEditHeadersAndKeepBytesAndTimestamp() throws Exception {
        RecordTransformer t = opened(props("transforms", "tag, drop",
                "transforms.tag.type", "org.apache.kafka.connect.transforms.InsertHeader",
                "transforms.tag.header", "mirrored-by",
                "transforms.tag.value.literal", "flink-mirror",
                "transforms.drop.type", "org.apache.kafka.connect.transforms.DropHeaders",
                "transforms.drop.headers", "secret"));

        MirrorRecord out = t.apply(record("v", "secret", "s", "keep", "k"));

        assertThat(out.headerKeys).containsExactly("keep", "mirrored-by");
        assertThat(out.headerValues[1]).isEqualTo(utf8("flink-mirror"));
        assertThat(out.value).isEqualTo(utf8("v"));
        assertThat(out.key).isEqualTo(utf8("k"));
        assertThat(out.timestamp).isEqualTo(1_700_000_000_000L);
        assertThat(out.targetTopic).isEqualTo("A.orders");
    }

    @Test
    void shouldApplyValueLevelSmtsOnBytesThenTheRecordFunction() throws Exception {
        RecordTransformer t = transformer(props("transforms", "upper",
                "transforms.upper.type", UpperCaseValue.class.getName()),
                "io.flinkmirror.udfs.transform.examples.MaskField", ErrorTolerance.NONE);
        t.validate();
        t.open();

        MirrorRecord out = t.apply(record("{\"secret\": \"abc\", \"x\": 1}"));

        assertThat(new String(out.value, StandardCharsets.UTF_8)).isEqualTo("{\"SECRET\": \"ABC\", \"X\": 1}");
        assertThat(t.apply(record(null)).value).as("a tombstone passes both").isNull();
        t.close();
    }

    @Test
    void shouldNameAliasKeyAndRecordWhenATransformFails() throws Exception {
        RecordTransformer t = opened(props("transforms", "upper",
                "transforms.upper.type", UpperCaseValue.class.getName(), "transforms.upper.fail.on", "boom"));

        assertThatThrownBy(() -> t.apply(record("boom")))
                .isInstanceOf(TransformException.class)
                .hasMessageContainingAll("A->B transform 'upper' (A->B.transforms.upper.type = "
                        + UpperCaseValue.class.getName() + ") failed on record orders-2@17", "cannot upper-case")
                .satisfies(e -> assertThat(((TransformException) e).tolerable()).isTrue());
    }

    @Test
    void shouldRefuseTopicRenamingTransformsAtStartAndOnTheFirstRecord() throws Exception {
        assertThatThrownBy(() -> transformer(props("transforms", "route",
                "transforms.route.type", "org.apache.kafka.connect.transforms.RegexRouter",
                "transforms.route.regex", ".*", "transforms.route.replacement", "x"), null, ErrorTolerance.ALL)
                .validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("'org.apache.kafka.connect.transforms.RegexRouter'",
                        "'A->B.transforms.route.type'", "renames topics", "replication.policy.class");

        // Not detectable by class: a SetSchemaMetadata-like SMT that changes the topic only shows on a record.
        RecordTransformer t = opened(props("transforms", "rename",
                "transforms.rename.type", RenameTopic.class.getName()));
        assertThatThrownBy(() -> t.apply(record("v")))
                .hasMessageContainingAll("transform 'rename'", "sent record orders-2@17 to elsewhere-2",
                        "replication policy names target topics")
                .satisfies(e -> assertThat(((TransformException) e).tolerable()).isFalse());
    }

    @Test
    void shouldRejectStructuredOutputNamingTheRecord() throws Exception {
        RecordTransformer t = opened(props("transforms", "hoist",
                "transforms.hoist.type", "org.apache.kafka.connect.transforms.HoistField$Value",
                "transforms.hoist.field", "f"));

        assertThatThrownBy(() -> t.apply(record("v")))
                .hasMessageContainingAll("orders-2@17", "cannot be written", "Struct", "ByteArrayConverter");
    }

    @Test
    void shouldNameKeyValueAndWhatIsAllowedForBadConfig() {
        assertThatThrownBy(() -> transformer(props("transforms", "x"), null, ErrorTolerance.NONE).validate())
                .hasMessageContainingAll("Missing key 'A->B.transforms.x.type'", "listed in 'A->B.transforms'",
                        "org.apache.kafka.connect.transforms.Transformation");
        assertThatThrownBy(() -> transformer(props("transforms", "x", "transforms.x.type", "com.example.Nope"),
                null, ErrorTolerance.NONE).validate())
                .hasMessageContainingAll("Invalid value 'com.example.Nope' for key 'A->B.transforms.x.type'",
                        "class not found", "Transformation");
        assertThatThrownBy(() -> transformer(props("transforms", "x", "transforms.x.type", "java.lang.String"),
                null, ErrorTolerance.NONE).validate())
                .hasMessageContainingAll("'java.lang.String'", "not a org.apache.kafka.connect.transforms.Transformation");
        assertThatThrownBy(() -> transformer(props("transforms", "x",
                "transforms.x.type", "org.apache.kafka.connect.transforms.DropHeaders"), null, ErrorTolerance.NONE)
                .validate())
                .hasMessageContainingAll("transform 'x' (A->B.transforms.x.*)", "headers",
                        "the options of org.apache.kafka.connect.transforms.DropHeaders are headers");
        assertThatThrownBy(() -> transformer(props("transforms", "x",
                "transforms.x.type", "org.apache.kafka.connect.transforms.Filter", "transforms.x.predicate", "p"),
                null, ErrorTolerance.NONE).validate())
                .hasMessageContainingAll("Invalid value 'p' for key 'A->B.transforms.x.predicate'",
                        "listed in 'A->B.predicates'");
        assertThatThrownBy(() -> transformer(props("transforms", "x",
                "transforms.x.type", "org.apache.kafka.connect.transforms.Filter", "transforms.x.predicate", "p",
                "predicates", "p", "predicates.p.type",
                "org.apache.kafka.connect.transforms.predicates.TopicNameMatches"), null, ErrorTolerance.NONE)
                .validate())
                .hasMessageContainingAll("predicate 'p' (A->B.predicates.p.*)", "pattern");
        assertThatThrownBy(() -> transformer(props(), "com.example.NoFunction", ErrorTolerance.NONE).validate())
                .hasMessageContainingAll("Invalid value 'com.example.NoFunction'",
                        "'A->B.flink.record.function.class'", "io.flinkmirror.udfs.transform.RecordFunction");
    }

    @Test
    void shouldRefuseARecordFunctionThatMovesTheRecord() throws Exception {
        RecordTransformer t = transformer(props(), MoveRecord.class.getName(), ErrorTolerance.ALL);
        t.open();
        assertThatThrownBy(() -> t.apply(record("v")))
                .hasMessageContainingAll("record function " + MoveRecord.class.getName(),
                        "A->B.flink.record.function.class", "orders-2@17", "change only key, value, headers");
    }

    @Test
    void shouldBeInactiveWithoutTransformsOrFunction() {
        assertThat(transformer(props("transforms", " "), null, ErrorTolerance.NONE).active()).isFalse();
        assertThat(transformer(props("transforms", "a"), null, ErrorTolerance.NONE).active()).isTrue();
        assertThat(transformer(props(), MoveRecord.class.getName(), ErrorTolerance.NONE).active()).isTrue();
    }

    /** Sends records to another topic (test). */
    public static class RenameTopic implements org.apache.kafka.connect.transforms.Transformation<SourceRecord> {
        @Override
        public SourceRecord apply(SourceRecord r) {
            return r.newRecord("elsewhere", r.kafkaPartition(), r.keySchema(), r.key(), r.valueSchema(), r.value(),
                    r.timestamp());
        }

        @Override
        public org.apache.kafka.common.config.ConfigDef config() {
            return new org.apache.kafka.common.config.ConfigDef();
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }

    /** Changes the record's partition (test). */
    public static class MoveRecord implements RecordFunction {
        private static final long serialVersionUID = 1L;

        @Override
        public MirrorRecord apply(MirrorRecord record) {
            record.partition = 0;
            return record;
        }
    }
}
