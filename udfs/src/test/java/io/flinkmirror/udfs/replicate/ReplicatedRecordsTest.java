package io.flinkmirror.udfs.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.udfs.policy.DefaultReplicationPolicy;
import io.flinkmirror.udfs.record.RecordFingerprint;
import io.flinkmirror.udfs.transform.ErrorTolerance;
import io.flinkmirror.udfs.transform.RecordTransformer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** What a start without state compares the target's records with: the source records as the flow writes them. */
class ReplicatedRecordsTest {

    private static ConsumerRecord<byte[], byte[]> source(String value, String header) {
        RecordHeaders headers = new RecordHeaders();
        if (header != null) {
            headers.add(new RecordHeader(header, new byte[] {1}));
        }
        return new ConsumerRecord<>("orders", 0, 7L, 1_000L, TimestampType.CREATE_TIME, 1, value.length(),
                "k".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), headers,
                java.util.Optional.empty());
    }

    @Test
    void shouldFingerprintTheTransformedRecordAndSkipDroppedOnes() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("transforms", "dropDebug");
        props.put("transforms.dropDebug.type", "org.apache.kafka.connect.transforms.Filter");
        props.put("transforms.dropDebug.predicate", "isDebug");
        props.put("predicates", "isDebug");
        props.put("predicates.isDebug.type", "org.apache.kafka.connect.transforms.predicates.HasHeaderKey");
        props.put("predicates.isDebug.name", "debug");
        RecordTransformer transformer = new RecordTransformer("A->B", "A", props, Map.of(),
                "io.flinkmirror.udfs.transform.examples.MaskField", "flink.record.function.class",
                Map.of("field", "password"), ErrorTolerance.NONE);
        ReplicatedRecords replicated = new ReplicatedRecords("B", false)
                .withTransforms(transformer, new DefaultReplicationPolicy(), "A");

        OptionalLong masked = replicated.of(source("{\"password\":\"x\"}", null));
        assertThat(masked).hasValue(RecordFingerprint.of("k".getBytes(StandardCharsets.UTF_8),
                "{\"password\":\"***\"}".getBytes(StandardCharsets.UTF_8), 1_000L));
        assertThat(replicated.of(source("{\"password\":\"x\"}", "debug"))).isEmpty();
        replicated.close();

        ReplicatedRecords plain = new ReplicatedRecords("B", false);
        assertThat(plain.of(source("v", "debug"))).hasValue(RecordFingerprint.of(
                "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), 1_000L));
    }
}
