package io.flinkmirror.udfs.metrics;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Names and scopes of Flink Mirror's metrics, after MirrorMaker 2's where MM2 has one. Per-partition metrics live in
 * the operator's group {@code topic.<source topic>.partition.<n>}; windowed statistics are exposed as three gauges
 * {@code <name>-min}, {@code <name>-max} and {@code <name>-avg} over a {@link WindowedStats} window.
 */
public final class MirrorMetrics {

    /** Records replicated from a source partition (Counter; MM2 {@code record-count}). */
    public static final String RECORD_COUNT = "record-count";
    /** Records per second replicated from a source partition (Meter; MM2 {@code record-rate}). */
    public static final String RECORD_RATE = "record-rate";
    /** Key, value and header bytes replicated from a source partition (Counter; MM2 {@code byte-count}). */
    public static final String BYTE_COUNT = "byte-count";
    /** Bytes per second replicated from a source partition (Meter; MM2 {@code byte-rate}). */
    public static final String BYTE_RATE = "byte-rate";
    /** Age of a record when read from the source, now minus its timestamp (MM2 {@code record-age-ms}). */
    public static final String RECORD_AGE_MS = "record-age-ms";
    /** Record timestamp to its commit on the target (MM2 {@code replication-latency-ms}). */
    public static final String REPLICATION_LATENCY_MS = "replication-latency-ms";
    /** Source offsets not yet replicated and committed on the target. */
    public static final String LAG = "lag";
    /** Group offset read on the source to its checkpoint emitted (MM2 {@code checkpoint-latency-ms}). */
    public static final String CHECKPOINT_LATENCY_MS = "checkpoint-latency-ms";

    /** Window of the min/max/avg gauges: values of the current and the previous 10 s. */
    public static final long WINDOW_MILLIS = 10_000;

    private MirrorMetrics() {
    }

    /** The metric group of one source partition, {@code topic.<topic>.partition.<partition>}. */
    public static MetricGroup partitionGroup(MetricGroup operator, String topic, int partition) {
        return operator.addGroup("topic", topic).addGroup("partition", String.valueOf(partition));
    }

    /** Registers {@code name-min}, {@code name-max} and {@code name-avg} gauges reading {@code stats}. */
    public static void registerStats(MetricGroup group, String name, WindowedStats stats) {
        group.gauge(name + "-min", (Gauge<Double>) () -> stats.min(System.currentTimeMillis()));
        group.gauge(name + "-max", (Gauge<Double>) () -> stats.max(System.currentTimeMillis()));
        group.gauge(name + "-avg", (Gauge<Double>) () -> stats.avg(System.currentTimeMillis()));
    }
}
