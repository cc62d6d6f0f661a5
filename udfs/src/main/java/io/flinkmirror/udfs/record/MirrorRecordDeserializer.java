package io.flinkmirror.udfs.record;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Turns a raw source record into a {@link MirrorRecord} without copying key, value or header bytes. */
public final class MirrorRecordDeserializer implements KafkaRecordDeserializationSchema<MirrorRecord> {

    private static final long serialVersionUID = 1L;
    private static final String[] NO_KEYS = new String[0];
    private static final byte[][] NO_VALUES = new byte[0][];

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<MirrorRecord> out) {
        Header[] headers = toArray(record.headers());
        String[] keys = NO_KEYS;
        byte[][] values = NO_VALUES;
        if (headers.length > 0) {
            keys = new String[headers.length];
            values = new byte[headers.length][];
            for (int i = 0; i < headers.length; i++) {
                keys[i] = headers[i].key();
                values[i] = headers[i].value();
            }
        }
        out.collect(new MirrorRecord(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value(), keys, values));
    }

    private static Header[] toArray(Headers headers) {
        return headers == null ? new Header[0] : headers.toArray();
    }

    @Override
    public TypeInformation<MirrorRecord> getProducedType() {
        return TypeInformation.of(MirrorRecord.class);
    }
}
