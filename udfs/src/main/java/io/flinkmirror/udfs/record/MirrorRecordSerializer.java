package io.flinkmirror.udfs.record;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Writes a {@link MirrorRecord} to its target topic, to the same partition number it had on the source, with the
 * source's key, value, headers (in order) and timestamp.
 */
public final class MirrorRecordSerializer implements KafkaRecordSerializationSchema<MirrorRecord>,
        KafkaDatasetFacetProvider {

    private static final long serialVersionUID = 1L;

    private final Pattern targetTopics;

    /**
     * A serializer whose records go to topics matching {@code targetTopics}: the sink's POOLING transaction naming
     * looks for open transactions of its own on those topics' partitions when it restores.
     */
    public MirrorRecordSerializer(Pattern targetTopics) {
        this.targetTopics = Objects.requireNonNull(targetTopics, "targetTopics");
    }

    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofPattern(targetTopics)));
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(MirrorRecord record, KafkaSinkContext context, Long timestamp) {
        return toProducerRecord(record);
    }

    /** The producer record for {@code record}; the target topic must have been set. */
    public static ProducerRecord<byte[], byte[]> toProducerRecord(MirrorRecord record) {
        if (record.targetTopic == null) {
            throw new IllegalStateException("No target topic for " + record + ": the replication step did not run");
        }
        int n = record.headerCount();
        List<Header> headers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            headers.add(new RecordHeader(record.headerKeys[i], record.headerValues[i]));
        }
        Long ts = record.timestamp >= 0 ? record.timestamp : null;
        return new ProducerRecord<>(record.targetTopic, record.partition, ts, record.key, record.value, headers);
    }
}
