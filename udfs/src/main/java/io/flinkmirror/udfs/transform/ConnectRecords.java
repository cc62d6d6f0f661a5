package io.flinkmirror.udfs.transform;

import io.flinkmirror.udfs.record.MirrorRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Values;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Converts between {@link MirrorRecord} and the Kafka Connect {@link SourceRecord} MirrorMaker 2's
 * {@code MirrorSourceTask} hands to its transforms: topic = the target topic (already named by the replication
 * policy), the source partition number, key with {@code OPTIONAL_BYTES_SCHEMA}, value with {@code BYTES_SCHEMA},
 * the source timestamp, every header as {@code BYTES_SCHEMA}, source partition {@code {cluster, topic, partition}}
 * and source offset {@code {offset}}.
 *
 * <p>Back from a transformed record, as MM2's {@code ByteArrayConverter} writes it: key and value must be bytes
 * ({@code byte[]}, {@code ByteBuffer}) or null; header values that are bytes are kept, others (an
 * {@code InsertHeader} literal) are written as their string form in UTF-8, which is what MM2 writes with
 * {@code header.converter = SimpleHeaderConverter}.
 */
final class ConnectRecords {

    private String lastTopic;
    private int lastPartition = -1;
    private Map<String, Object> lastSourcePartition;

    /** The SourceRecord MM2 would build for {@code record} ({@link MirrorRecord#targetTopic} set). */
    SourceRecord toSourceRecord(MirrorRecord record, String sourceAlias) {
        ConnectHeaders headers = new ConnectHeaders();
        for (int i = 0; i < record.headerCount(); i++) {
            headers.addBytes(record.headerKeys[i], record.headerValues[i]);
        }
        return new SourceRecord(sourcePartition(record, sourceAlias),
                Collections.singletonMap("offset", record.offset), record.targetTopic, record.partition,
                Schema.OPTIONAL_BYTES_SCHEMA, record.key, Schema.BYTES_SCHEMA, record.value,
                record.timestamp < 0 ? null : record.timestamp, headers);
    }

    /** Records come in runs per partition: the map is shared within a run (read-only for the transforms). */
    private Map<String, Object> sourcePartition(MirrorRecord record, String sourceAlias) {
        if (lastSourcePartition == null || record.partition != lastPartition
                || !record.sourceTopic.equals(lastTopic)) {
            Map<String, Object> map = new HashMap<>(4);
            map.put("topic", record.sourceTopic);
            map.put("partition", record.partition);
            map.put("cluster", sourceAlias);
            lastSourcePartition = Collections.unmodifiableMap(map);
            lastTopic = record.sourceTopic;
            lastPartition = record.partition;
        }
        return lastSourcePartition;
    }

    /**
     * Writes the transformed {@code out}'s key, value, timestamp and headers into {@code record}.
     *
     * @throws IllegalStateException naming what cannot be written (a key or value that is not bytes)
     */
    static void copyBack(SourceRecord out, MirrorRecord record) {
        record.key = bytes(out.key(), "key");
        record.value = bytes(out.value(), "value");
        record.timestamp = out.timestamp() == null ? -1 : out.timestamp();
        int n = out.headers().size();
        String[] keys = new String[n];
        byte[][] values = new byte[n][];
        int i = 0;
        for (Header header : out.headers()) {
            keys[i] = header.key();
            values[i] = headerBytes(header);
            i++;
        }
        record.headerKeys = keys;
        record.headerValues = values;
    }

    private static byte[] bytes(Object value, String what) {
        if (value == null || value instanceof byte[]) {
            return (byte[]) value;
        }
        if (value instanceof ByteBuffer) {
            return copy((ByteBuffer) value);
        }
        throw new IllegalStateException("the record's " + what + " is a " + value.getClass().getName()
                + ", but replicated records carry bytes (MirrorMaker 2's ByteArrayConverter): this transform needs "
                + "structured data");
    }

    private static byte[] headerBytes(Header header) {
        Object value = header.value();
        if (value == null || value instanceof byte[]) {
            return (byte[]) value;
        }
        if (value instanceof ByteBuffer) {
            return copy((ByteBuffer) value);
        }
        return Values.convertToString(header.schema(), value).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] copy(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }
}
