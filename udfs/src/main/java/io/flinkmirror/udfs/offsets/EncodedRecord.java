package io.flinkmirror.udfs.offsets;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** A record already encoded in MirrorMaker 2's wire format, for an internal topic (a Flink POJO). */
public class EncodedRecord {

    public String topic;
    public byte[] key;
    public byte[] value;

    public EncodedRecord() {}

    public EncodedRecord(String topic, byte[] key, byte[] value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    /** Writes encoded records to partition 0 of their topic, as MirrorMaker 2 does for its internal topics. */
    public static final class Serializer implements KafkaRecordSerializationSchema<EncodedRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public ProducerRecord<byte[], byte[]> serialize(EncodedRecord record, KafkaSinkContext context,
                                                        Long timestamp) {
            return new ProducerRecord<>(record.topic, 0, record.key, record.value);
        }
    }
}
