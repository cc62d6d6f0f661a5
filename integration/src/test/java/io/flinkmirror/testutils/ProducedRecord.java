package io.flinkmirror.testutils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * An immutable Kafka record as produced (or as read back): topic, explicit partition, key (null allowed), value (null =
 * tombstone), ordered headers (repeated keys and null values allowed) and timestamp. Equality is byte-wise on every
 * field.
 */
public final class ProducedRecord {

    /** One record header; {@code value} may be null. Equality is byte-wise. */
    public static final class Header {
        private final String key;
        private final byte[] value;

        public Header(String key, byte[] value) {
            this.key = Objects.requireNonNull(key, "header key");
            this.value = value == null ? null : value.clone();
        }

        public static Header of(String key, String value) {
            return new Header(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        }

        public String key() {
            return key;
        }

        public byte[] value() {
            return value == null ? null : value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Header && key.equals(((Header) o).key) && Arrays.equals(value, ((Header) o).value);
        }

        @Override
        public int hashCode() {
            return 31 * key.hashCode() + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return key + "=" + printable(value);
        }
    }

    private final String topic;
    private final int partition;
    private final byte[] key;
    private final byte[] value;
    private final List<Header> headers;
    private final long timestamp;

    public ProducedRecord(String topic, int partition, byte[] key, byte[] value, List<Header> headers, long timestamp) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partition = partition;
        this.key = key == null ? null : key.clone();
        this.value = value == null ? null : value.clone();
        this.headers = List.copyOf(headers);
        this.timestamp = timestamp;
    }

    /** A record with UTF-8 key and value (either may be null). */
    public static ProducedRecord of(String topic, int partition, String key, String value, long timestamp,
            Header... headers) {
        return new ProducedRecord(topic, partition, utf8(key), utf8(value), List.of(headers), timestamp);
    }

    /** The record as read by a consumer (its offset is dropped). */
    public static ProducedRecord from(ConsumerRecord<byte[], byte[]> r) {
        List<Header> headers = new ArrayList<>();
        r.headers().forEach(h -> headers.add(new Header(h.key(), h.value())));
        return new ProducedRecord(r.topic(), r.partition(), r.key(), r.value(), headers, r.timestamp());
    }

    public ProducerRecord<byte[], byte[]> toProducerRecord() {
        List<org.apache.kafka.common.header.Header> kafkaHeaders = new ArrayList<>();
        headers.forEach(h -> kafkaHeaders.add(new RecordHeader(h.key, h.value)));
        return new ProducerRecord<>(topic, partition, timestamp, key, value, kafkaHeaders);
    }

    public ProducedRecord withTopic(String newTopic) {
        return new ProducedRecord(newTopic, partition, key, value, headers, timestamp);
    }

    public ProducedRecord withPartition(int newPartition) {
        return new ProducedRecord(topic, newPartition, key, value, headers, timestamp);
    }

    public ProducedRecord withTimestamp(long newTimestamp) {
        return new ProducedRecord(topic, partition, key, value, headers, newTimestamp);
    }

    public ProducedRecord withHeaders(List<Header> newHeaders) {
        return new ProducedRecord(topic, partition, key, value, newHeaders, timestamp);
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public byte[] key() {
        return key == null ? null : key.clone();
    }

    public byte[] value() {
        return value == null ? null : value.clone();
    }

    public String keyString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    public String valueString() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    public List<Header> headers() {
        return headers;
    }

    public long timestamp() {
        return timestamp;
    }

    public boolean isTombstone() {
        return value == null;
    }

    /** Byte-wise key and value equality (headers, timestamp, topic and partition ignored). */
    public boolean sameKeyAndValue(ProducedRecord other) {
        return Arrays.equals(key, other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ProducedRecord)) {
            return false;
        }
        ProducedRecord r = (ProducedRecord) o;
        return partition == r.partition && timestamp == r.timestamp && topic.equals(r.topic)
                && Arrays.equals(key, r.key) && Arrays.equals(value, r.value) && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, Arrays.hashCode(key), Arrays.hashCode(value), headers, timestamp);
    }

    /** A short, readable form (long values are cut). */
    @Override
    public String toString() {
        return topic + "-" + partition + "{key=" + printable(key) + ", value=" + printable(value) + ", headers="
                + headers + ", ts=" + timestamp + "}";
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Printable ASCII as a quoted string, anything else as hex; long values are cut. */
    static String printable(byte[] bytes) {
        if (bytes == null) {
            return "null";
        }
        int shown = Math.min(bytes.length, 40);
        boolean text = true;
        for (int i = 0; i < shown; i++) {
            text &= bytes[i] >= 0x20 && bytes[i] < 0x7f;
        }
        StringBuilder sb = new StringBuilder(text ? "'" : "0x");
        for (int i = 0; i < shown; i++) {
            sb.append(text ? String.valueOf((char) bytes[i]) : String.format("%02x", bytes[i]));
        }
        return sb.append(bytes.length > shown ? "...(" + bytes.length + " B)" : "").append(text ? "'" : "").toString();
    }
}
