package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.metrics.MirrorMetrics;
import io.flinkmirror.udfs.metrics.WindowedStats;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;

/**
 * The metrics of {@link OffsetMappingFunction}, updated from its task thread and read by metric reporters.
 *
 * <ul>
 *   <li>per source partition ({@code topic.<t>.partition.<p>}): {@code replication-latency-ms-min/max/avg} (record
 *       timestamp to the record found committed on the target) and {@code lag} (source end offset, read_committed,
 *       minus the source offset after the last committed replicated record; 0 when only control markers or nothing
 *       lie in between);</li>
 *   <li>per subtask: {@code lag} (sum over its partitions), the histogram {@code replication-latency-ms} and its
 *       {@code replication-latency-ms-p99}, and {@code checkpoint-latency-ms} (last) with {@code -min/max/avg}: from
 *       the poller reading a group offset to its checkpoint being emitted.</li>
 * </ul>
 * Lag is known once the poller has sent the partition's end offset (every {@code emit.checkpoints.interval}); until
 * then it is 0.
 */
final class OffsetMappingMetrics {

    private static final int HISTOGRAM_SIZE = 10_000;

    private final MetricGroup operator;
    private final Map<String, PartitionMetrics> partitions = new ConcurrentHashMap<>();
    private final DescriptiveStatisticsHistogram latency = new DescriptiveStatisticsHistogram(HISTOGRAM_SIZE);
    private final WindowedStats checkpointLatency = new WindowedStats(MirrorMetrics.WINDOW_MILLIS);
    private volatile long lastCheckpointLatency = -1;

    OffsetMappingMetrics(MetricGroup operator) {
        this.operator = operator;
        operator.gauge(MirrorMetrics.LAG, (Gauge<Long>) this::totalLag);
        operator.histogram(MirrorMetrics.REPLICATION_LATENCY_MS, latency);
        operator.gauge(MirrorMetrics.REPLICATION_LATENCY_MS + "-p99", (Gauge<Double>) () ->
                latency.getCount() == 0 ? Double.NaN : latency.getStatistics().getQuantile(0.99));
        operator.gauge(MirrorMetrics.CHECKPOINT_LATENCY_MS, (Gauge<Long>) () -> lastCheckpointLatency);
        MirrorMetrics.registerStats(operator, MirrorMetrics.CHECKPOINT_LATENCY_MS, checkpointLatency);
    }

    /** Records the replication latency of a transaction's records, found committed on the target at {@code now}. */
    void committed(String key, PartitionWrites writes, long now) {
        if (writes.minTimestamp <= 0) {
            return; // no timestamps (or written before this field existed)
        }
        PartitionMetrics metrics = partition(key, writes.sourceTopic, writes.partition);
        long newest = now - writes.maxTimestamp;
        long oldest = now - writes.minTimestamp;
        metrics.latency.record(newest, now);
        metrics.latency.record(oldest, now);
        latency.update(newest);
        if (oldest != newest) {
            latency.update(oldest);
        }
    }

    /** A checkpoint was emitted for a group offset read on the source at {@code readAtMillis}. */
    void checkpointEmitted(long readAtMillis, long now) {
        if (readAtMillis > 0) {
            lastCheckpointLatency = now - readAtMillis;
            checkpointLatency.record(now - readAtMillis, now);
        }
    }

    /** The poller read a partition's end (and log start) offset. */
    void endOffset(String key, GroupOffset end, OffsetRuns runs, SourceProbe source) {
        PartitionMetrics metrics = partition(key, end.topic, end.partition);
        metrics.end = end.offset;
        metrics.logStart = end.logStartOffset;
        updateLag(metrics, runs, source);
    }

    /** The partition's mapped data grew (transactions found committed). */
    void horizonMoved(String key, String topic, int partition, OffsetRuns runs, SourceProbe source) {
        updateLag(partition(key, topic, partition), runs, source);
    }

    /** Least time between two source reads deciding whether only transaction markers make up a partition's lag. */
    static final long RANGE_CHECK_MS = 5_000;

    private void updateLag(PartitionMetrics m, OffsetRuns runs, SourceProbe source) {
        if (m.end < 0) {
            return;
        }
        long from = Math.max(m.logStart, runs == null || runs.isEmpty() ? 0 : runs.upstreamHorizon());
        long raw = Math.max(0, m.end - from);
        long now = System.currentTimeMillis();
        if (raw > 0 && (from != m.checkedFrom || m.end != m.checkedEnd) && now - m.checkedAt < RANGE_CHECK_MS) {
            m.recordsBetween = true; // changed, not checked again yet: assume records are missing
        } else if (raw > 0 && (from != m.checkedFrom || m.end != m.checkedEnd)) {
            // Transaction markers (or aborted records) may be all that lies in between: then nothing is missing.
            // Reading the source blocks this operator, so it is done at most every RANGE_CHECK_MS per partition.
            m.checkedAt = now;
            try {
                m.recordsBetween = source.mayHaveRecords(m.tp, from, m.end);
                m.checkedFrom = from;
                m.checkedEnd = m.end;
            } catch (InterruptException e) {
                throw e; // the task is being cancelled
            } catch (RuntimeException e) {
                m.recordsBetween = true;
                m.checkedFrom = -1;
            }
        }
        m.lag = raw > 0 && m.recordsBetween ? raw : 0;
    }

    private long totalLag() {
        long sum = 0;
        for (PartitionMetrics m : partitions.values()) {
            sum += m.lag;
        }
        return sum;
    }

    private PartitionMetrics partition(String key, String topic, int partition) {
        PartitionMetrics metrics = partitions.get(key);
        if (metrics == null) {
            metrics = new PartitionMetrics(new TopicPartition(topic, partition),
                    MirrorMetrics.partitionGroup(operator, topic, partition));
            partitions.put(key, metrics);
        }
        return metrics;
    }

    private static final class PartitionMetrics {
        final TopicPartition tp;
        final WindowedStats latency = new WindowedStats(MirrorMetrics.WINDOW_MILLIS);
        long end = -1;
        long logStart;
        long checkedFrom = -1;
        long checkedEnd = -1;
        boolean recordsBetween;
        volatile long lag;
        long checkedAt;

        PartitionMetrics(TopicPartition tp, MetricGroup group) {
            this.tp = tp;
            MirrorMetrics.registerStats(group, MirrorMetrics.REPLICATION_LATENCY_MS, latency);
            group.gauge(MirrorMetrics.LAG, (Gauge<Long>) () -> lag);
        }
    }
}
