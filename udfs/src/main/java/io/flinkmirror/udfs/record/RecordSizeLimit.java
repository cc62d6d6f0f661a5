package io.flinkmirror.udfs.record;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.DefaultRecord;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest record the target accepts: a record whose batch of one (as the sink's producer writes it, uncompressed)
 * is larger than the target topic's {@code max.message.bytes} or the producer's {@code max.request.size} can never be
 * written. The sink would fail on it naming only the target partition; this check fails first, naming the source
 * topic, partition and offset, the size, the limit and the key to change. With producer compression the batch size
 * is unknown before compression, so nothing is checked.
 *
 * <p>Invariant: a record that passes is at most as large as both limits were when its target topic was first seen by
 * this task (limits are read once per target topic per task start; a restart reads them again).
 */
public final class RecordSizeLimit implements Serializable, AutoCloseable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RecordSizeLimit.class);
    /** Upper bound of a record's framing in a batch besides key, value and header bytes, and per header. */
    private static final int RECORD_FRAMING = 5 * 5 + 1;
    private static final int HEADER_FRAMING = 2 * 5;

    private final String targetAlias;
    private final HashMap<String, String> targetAdminProps;
    private final int maxRequestSize;
    private final boolean compressed;
    private transient Admin admin;

    /**
     * @param targetProducerProps the sink producer's properties ({@code max.request.size}, {@code compression.type})
     */
    public RecordSizeLimit(String targetAlias, Map<String, String> targetAdminProps,
                           Map<String, String> targetProducerProps) {
        this.targetAlias = targetAlias;
        this.targetAdminProps = new HashMap<>(targetAdminProps);
        this.maxRequestSize = Integer.parseInt(targetProducerProps.getOrDefault("max.request.size", "1048576"));
        String compression = targetProducerProps.getOrDefault("compression.type", "none");
        this.compressed = !"none".equalsIgnoreCase(compression.trim());
    }

    /** The target topic's {@code max.message.bytes}, or -1 if unknown or nothing is to be checked. */
    public int lookUp(String targetTopic) {
        if (compressed) {
            return -1;
        }
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, targetTopic);
        try {
            if (admin == null) {
                Map<String, Object> props = new HashMap<>(targetAdminProps);
                props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
                admin = Admin.create(props);
            }
            Config config = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
            ConfigEntry entry = config.get("max.message.bytes");
            return entry == null || entry.value() == null ? -1 : Integer.parseInt(entry.value());
        } catch (Exception e) {
            LOG.warn("{} cannot read max.message.bytes of target topic {} (records over it will fail in the sink, "
                    + "naming only the target partition): {}", targetAlias, targetTopic, e.toString());
            return -1;
        }
    }

    /**
     * Throws if {@code record}, bound for a topic whose {@code max.message.bytes} is {@code maxMessageBytes} (-1:
     * unknown), can never be written to the target.
     */
    public void check(MirrorRecord record, int maxMessageBytes, String flow) {
        if (compressed || (maxMessageBytes < 0 && maxRequestSize <= 0)) {
            return;
        }
        int limit = maxMessageBytes < 0 ? maxRequestSize : Math.min(maxMessageBytes, maxRequestSize);
        if (upperBound(record) <= limit) {
            return;
        }
        int size = batchOfOneSize(record);
        if (maxMessageBytes >= 0 && size > maxMessageBytes) {
            throw new RecordTooLargeException(String.format("%s record %s-%d@%d is %,d bytes as a record batch, over "
                            + "max.message.bytes=%,d of target topic %s on cluster '%s': raise max.message.bytes of "
                            + "that topic (the job stops here rather than skip the record; it resumes from this "
                            + "record)", flow, record.sourceTopic, record.partition, record.offset, size,
                    maxMessageBytes, record.targetTopic, targetAlias));
        }
        if (size > maxRequestSize) {
            throw new RecordTooLargeException(String.format("%s record %s-%d@%d is %,d bytes as a record batch, over "
                            + "the sink producer's max.request.size=%,d: raise %s.producer.max.request.size (the job "
                            + "stops here rather than skip the record; it resumes from this record)", flow,
                    record.sourceTopic, record.partition, record.offset, size, maxRequestSize, targetAlias));
        }
    }

    /** Key, value and header bytes plus the largest framing they can need: cheap, never below the real size. */
    private static long upperBound(MirrorRecord record) {
        long size = DefaultRecordBatch.RECORD_BATCH_OVERHEAD + RECORD_FRAMING
                + (record.key == null ? 0 : record.key.length) + (record.value == null ? 0 : record.value.length);
        for (int i = record.headerCount() - 1; i >= 0; i--) {
            byte[] v = record.headerValues[i];
            size += HEADER_FRAMING + 3L * record.headerKeys[i].length() + (v == null ? 0 : v.length);
        }
        return size;
    }

    /** The exact size of a batch (magic v2, uncompressed) holding only this record. */
    static int batchOfOneSize(MirrorRecord record) {
        Header[] headers = new Header[record.headerCount()];
        for (int i = 0; i < headers.length; i++) {
            headers[i] = new RecordHeader(record.headerKeys[i],
                    record.headerValues[i]);
        }
        return DefaultRecordBatch.RECORD_BATCH_OVERHEAD + DefaultRecord.sizeInBytes(0, 0L,
                record.key == null ? -1 : record.key.length, record.value == null ? -1 : record.value.length, headers);
    }

    /** Closes the admin client used by {@link #lookUp(String)}, if any. */
    @Override
    public void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }

    /** A record that the target can never accept; the message names it and the limit to raise. */
    public static final class RecordTooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RecordTooLargeException(String message) {
            super(message);
        }
    }
}
