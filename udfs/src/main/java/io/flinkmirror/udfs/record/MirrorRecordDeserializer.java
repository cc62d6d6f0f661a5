package io.flinkmirror.udfs.record;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Turns a raw source record into a {@link MirrorRecord}, keeping the consumer's key and value arrays (no copy). */
public final class MirrorRecordDeserializer implements KafkaRecordDeserializationSchema<MirrorRecord> {

    private static final long serialVersionUID = 1L;
    private static final String[] NO_KEYS = new String[0];
    private static final byte[][] NO_VALUES = new byte[0][];

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<MirrorRecord> out) {
        // Counted, then copied, by iterating: Headers.toArray() copies into a new Header[] first (type-checked), which
        // was 3.5% of the task and fetcher threads' CPU in the benchmark's profile.
        Headers headers = record.headers();
        int n = 0;
        if (headers != null) {
            for (Header ignored : headers) {
                n++;
            }
        }
        String[] keys = NO_KEYS;
        byte[][] values = NO_VALUES;
        if (n > 0) {
            keys = new String[n];
            values = new byte[n][];
            int i = 0;
            for (Header header : headers) {
                keys[i] = header.key();
                values[i] = header.value();
                i++;
            }
        }
        out.collect(new MirrorRecord(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value(), keys, values));
    }

    @Override
    public TypeInformation<MirrorRecord> getProducedType() {
        return TypeInformation.of(MirrorRecord.class);
    }
}
