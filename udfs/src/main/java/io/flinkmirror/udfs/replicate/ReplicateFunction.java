package io.flinkmirror.udfs.replicate;

import io.flinkmirror.udfs.metrics.MirrorMetrics;
import io.flinkmirror.udfs.metrics.WindowedStats;
import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.record.MirrorRecord;
import io.flinkmirror.udfs.record.RecordSizeLimit;
import io.flinkmirror.udfs.transform.ErrorTolerance;
import io.flinkmirror.udfs.transform.RecordTransformer;
import io.flinkmirror.udfs.transform.TransformException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>With transforms or a record function configured ({@link RecordTransformer}), each record passes through them
 * after loop prevention and after its target topic is set, before the provenance header is added: first the Kafka
 * Connect transforms in {@code transforms} order, then the record function. A record they drop is not written: it is
 * passed on marked {@link MirrorRecord#dropped}, so that the offset tracker learns its offset was processed (group
 * offsets at it translate to the next record written) and stops it, and counted in {@code records-filtered}; a
 * record they fail on stops the job, or with {@code errors.tolerance = all} is skipped, counted in
 * {@code records-skipped-on-error} and logged (at most one line per 10 s). Without them, records are never converted.
 *
 * <p>Metrics per source partition (group {@code topic.<t>.partition.<p>}, see {@link MirrorMetrics}):
 * {@code record-count}, {@code record-rate}, {@code byte-count}, {@code byte-rate} (key, value and header bytes) and
 * {@code record-age-ms-min/max/avg} (now minus the record's timestamp when it is read).
 *
 * <p>Invariants: one output per input, in input order (a record not to be written is passed on marked, never left
 * out), so the offset tracker sees every source offset; key, value, headers, timestamp and partition are the source's
 * unless a transform changed them; no state (a replay after a restore gives the same outputs for deterministic
 * transforms).
 */
public class ReplicateFunction extends ProcessFunction<MirrorRecord, MirrorRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReplicateFunction.class);
    /** At most one log line per this many milliseconds about records skipped on errors. */
    private static final long SKIP_LOG_INTERVAL_MS = 10_000;

    /** Header carrying the alias of the cluster a record was first produced to. */
    public static final String ORIGIN_HEADER = "flink-mirror.origin";

    private final String sourceAlias;
    private final String targetAlias;
    private final ReplicationPolicy policy;
    private final boolean provenanceHeader;
    private RecordSizeLimit sizeLimit;
    private RecordTransformer transformer;

    /** Per source topic: its target topic and its partitions' metrics. Looked up by the record's topic String. */
    private transient Map<String, TopicState> topics;
    private transient byte[] sourceAliasBytes;
    private transient byte[] targetAliasBytes;
    private transient Counter loopDropped;
    private transient Counter filtered;
    private transient Counter skippedOnError;
    private transient long lastSkipLogMillis;
    private transient long skipsNotLogged;

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

    /**
     * Runs the flow's transforms and record function on every record (see the class javadoc); an inactive
     * transformer (nothing configured) is not used at all.
     */
    public ReplicateFunction withTransformer(RecordTransformer recordTransformer) {
        this.transformer = recordTransformer == null || !recordTransformer.active() ? null : recordTransformer;
        return this;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        topics = new HashMap<>();
        sourceAliasBytes = sourceAlias.getBytes(StandardCharsets.UTF_8);
        targetAliasBytes = targetAlias.getBytes(StandardCharsets.UTF_8);
        loopDropped = getRuntimeContext().getMetricGroup().counter("records-dropped-loop");
        filtered = getRuntimeContext().getMetricGroup().counter("records-filtered");
        skippedOnError = getRuntimeContext().getMetricGroup().counter("records-skipped-on-error");
        if (transformer != null) {
            transformer.open();
            LOG.info("{}->{} applying {}", sourceAlias, targetAlias, transformer);
        }
    }

    @Override
    public void close() throws Exception {
        if (sizeLimit != null) {
            sizeLimit.close();
        }
        if (transformer != null) {
            transformer.close();
        }
    }

    @Override
    public void processElement(MirrorRecord in, Context ctx, Collector<MirrorRecord> out) {
        MirrorRecord record = in;
        TopicState topic = topics.get(record.sourceTopic);
        if (topic == null) {
            topic = new TopicState(targetTopic(record.sourceTopic));
            topics.put(record.sourceTopic, topic);
        }
        boolean addOrigin = false;
        if (provenanceHeader) {
            byte[] origin = record.lastHeader(ORIGIN_HEADER);
            if (origin == null) {
                addOrigin = true;
            } else if (java.util.Arrays.equals(origin, targetAliasBytes)) {
                loopDropped.inc();
                // Back home: never written, but processed (the flow's progress and the offset mapping move past it).
                in.dropped = true;
                in.targetTopic = topic.targetTopic;
                out.collect(in);
                return;
            }
        }
        record.targetTopic = topic.targetTopic;
        if (transformer != null) {
            record = transform(record);
            if (record == null) {
                in.dropped = true; // to the offset tracker only, never to the sink
                in.targetTopic = topic.targetTopic;
                out.collect(in);
                return;
            }
        }
        if (addOrigin && record.lastHeader(ORIGIN_HEADER) == null) {
            record.addHeader(ORIGIN_HEADER, sourceAliasBytes);
        }
        if (sizeLimit != null) {
            sizeLimit.check(record, topic.maxMessageBytes, sourceAlias + "->" + targetAlias);
        }
        topic.metrics(record).record(record);
        out.collect(record);
    }

    /** The transformed record, or null if it was dropped or skipped (counted, logged). */
    private MirrorRecord transform(MirrorRecord record) {
        MirrorRecord result;
        try {
            result = transformer.apply(record);
        } catch (TransformException e) {
            if (!e.tolerable() || transformer.tolerance() == ErrorTolerance.NONE) {
                throw e;
            }
            skippedOnError.inc();
            String source = record.sourceTopic + "-" + record.partition + "@" + record.offset;
            long now = System.currentTimeMillis();
            if (now - lastSkipLogMillis >= SKIP_LOG_INTERVAL_MS) {
                LOG.warn("{} (errors.tolerance = all: record {} skipped{})", e.getMessage(), source,
                        skipsNotLogged == 0 ? "" : "; " + skipsNotLogged + " more skipped since the last such line");
                lastSkipLogMillis = now;
                skipsNotLogged = 0;
            } else {
                skipsNotLogged++;
            }
            return null;
        }
        if (result == null) {
            filtered.inc();
        }
        return result;
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
