package io.flinkmirror.udfs.record;

import io.flinkmirror.udfs.metrics.MirrorMetrics;
import io.flinkmirror.udfs.metrics.WindowedStats;
import io.flinkmirror.udfs.policy.ReplicationPolicy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The replication step of one flow {@code source->target}: names the target topic with the
 * {@link ReplicationPolicy}, keeps everything else of the record, and stops records that would go back to the cluster
 * they came from.
 *
 * <p>Loop prevention has two layers. Topic names (MirrorMaker 2's rule) are applied when topics are selected, before a
 * record ever reaches this function. For policies that do not rename topics (identity mirroring in active-active), the
 * provenance header {@value #ORIGIN_HEADER} carries the alias of the cluster where the record was first written: it is
 * added on the first hop, kept on later hops, and a record whose origin is the target cluster is dropped here.
 *
 * <p>Metrics per source partition (group {@code topic.<t>.partition.<p>}, see {@link MirrorMetrics}):
 * {@code record-count}, {@code record-rate}, {@code byte-count}, {@code byte-rate} (key, value and header bytes) and
 * {@code record-age-ms-min/max/avg} (now minus the record's timestamp when it is read).
 */
public class ReplicateFunction extends ProcessFunction<MirrorRecord, MirrorRecord> {

    private static final long serialVersionUID = 1L;

    /** Header carrying the alias of the cluster a record was first produced to. */
    public static final String ORIGIN_HEADER = "flink-mirror.origin";

    private final String sourceAlias;
    private final String targetAlias;
    private final ReplicationPolicy policy;
    private final boolean provenanceHeader;
    private RecordSizeLimit sizeLimit;

    /** Per source topic: its target topic and its partitions' metrics. Looked up by the record's topic String. */
    private transient Map<String, TopicState> topics;
    private transient byte[] sourceAliasBytes;
    private transient byte[] targetAliasBytes;
    private transient Counter loopDropped;

    public ReplicateFunction(String sourceAlias, String targetAlias, ReplicationPolicy policy,
                             boolean provenanceHeader) {
        this.sourceAlias = Objects.requireNonNull(sourceAlias, "sourceAlias");
        this.targetAlias = Objects.requireNonNull(targetAlias, "targetAlias");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.provenanceHeader = provenanceHeader;
    }

    /** Stops on a record the target can never accept, naming it (see {@link RecordSizeLimit}). */
    public ReplicateFunction withSizeLimit(RecordSizeLimit limit) {
        this.sizeLimit = limit;
        return this;
    }

    @Override
    public void open(OpenContext openContext) {
        topics = new HashMap<>();
        sourceAliasBytes = sourceAlias.getBytes(StandardCharsets.UTF_8);
        targetAliasBytes = targetAlias.getBytes(StandardCharsets.UTF_8);
        loopDropped = getRuntimeContext().getMetricGroup().counter("records-dropped-loop");
    }

    @Override
    public void close() {
        if (sizeLimit != null) {
            sizeLimit.close();
        }
    }

    @Override
    public void processElement(MirrorRecord record, Context ctx, Collector<MirrorRecord> out) {
        if (provenanceHeader) {
            byte[] origin = record.lastHeader(ORIGIN_HEADER);
            if (origin == null) {
                record.addHeader(ORIGIN_HEADER, sourceAliasBytes);
            } else if (java.util.Arrays.equals(origin, targetAliasBytes)) {
                loopDropped.inc();
                return;
            }
        }
        TopicState topic = topics.get(record.sourceTopic);
        if (topic == null) {
            topic = new TopicState(targetTopic(record.sourceTopic));
            topics.put(record.sourceTopic, topic);
        }
        record.targetTopic = topic.targetTopic;
        if (sizeLimit != null) {
            sizeLimit.check(record, topic.maxMessageBytes, sourceAlias + "->" + targetAlias);
        }
        topic.metrics(record).record(record);
        out.collect(record);
    }

    private final class TopicState {
        final String targetTopic;
        final int maxMessageBytes;
        PartitionMetrics[] partitions = new PartitionMetrics[0];

        TopicState(String targetTopic) {
            this.targetTopic = targetTopic;
            this.maxMessageBytes = sizeLimit == null ? -1 : sizeLimit.lookUp(targetTopic);
        }

        PartitionMetrics metrics(MirrorRecord record) {
            int p = record.partition;
            if (p >= partitions.length) {
                partitions = java.util.Arrays.copyOf(partitions, p + 1);
            }
            PartitionMetrics metrics = partitions[p];
            if (metrics == null) {
                metrics = new PartitionMetrics(MirrorMetrics.partitionGroup(getRuntimeContext().getMetricGroup(),
                        record.sourceTopic, p));
                partitions[p] = metrics;
            }
            return metrics;
        }
    }

    /** Metrics of one source partition; updating them allocates nothing. */
    private static final class PartitionMetrics {
        final Counter records = new SimpleCounter();
        final Counter bytes = new SimpleCounter();
        final WindowedStats age = new WindowedStats(MirrorMetrics.WINDOW_MILLIS);

        PartitionMetrics(MetricGroup group) {
            group.counter(MirrorMetrics.RECORD_COUNT, records);
            group.meter(MirrorMetrics.RECORD_RATE, new MeterView(records));
            group.counter(MirrorMetrics.BYTE_COUNT, bytes);
            group.meter(MirrorMetrics.BYTE_RATE, new MeterView(bytes));
            MirrorMetrics.registerStats(group, MirrorMetrics.RECORD_AGE_MS, age);
        }

        void record(MirrorRecord record) {
            records.inc();
            bytes.inc(sizeInBytes(record));
            if (record.timestamp >= 0) {
                long now = System.currentTimeMillis();
                age.record(now - record.timestamp, now);
            }
        }
    }

    /**
     * Key, value and header bytes of a record (header keys counted as one byte per char): what {@code byte-count} counts
     * and what a flow's throttle ({@code flink.throttle.bytes.per.second}) limits.
     */
    public static long sizeInBytes(MirrorRecord record) {
        long size = (record.key == null ? 0 : record.key.length) + (record.value == null ? 0 : record.value.length);
        for (int i = record.headerCount() - 1; i >= 0; i--) {
            size += record.headerKeys[i].length();
            byte[] v = record.headerValues[i];
            size += v == null ? 0 : v.length;
        }
        return size;
    }

    /** The target topic for a source topic of this flow. */
    public String targetTopic(String sourceTopic) {
        return policy.formatRemoteTopic(sourceAlias, sourceTopic);
    }
}
