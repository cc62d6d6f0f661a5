package io.flinkmirror.udfs.heartbeat;

import io.flinkmirror.udfs.mm2.Heartbeat;
import io.flinkmirror.udfs.offsets.EncodedRecord;
import io.flinkmirror.udfs.offsets.InternalTopics;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each tick into one MirrorMaker 2 heartbeat {@code source->target}, timestamped now, for the target cluster's
 * heartbeats topic, as MM2's {@code MirrorHeartbeatTask} does every {@code emit.heartbeats.interval.seconds}. On open,
 * creates that topic on the target as MM2's {@code MirrorHeartbeatConnector} does: one partition, compacted.
 * Invariants: one heartbeat per tick, in MM2's format, timestamped by its clock; no state.
 */
public class HeartbeatFunction extends RichMapFunction<Long, EncodedRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatFunction.class);

    private final String sourceAlias;
    private final String targetAlias;
    private final String heartbeatsTopic;
    private final HashMap<String, String> targetAdminProps;
    private final int replicationFactor;
    private final Clock clock;

    /** Where the heartbeats' timestamps come from (the system clock; tests pass their own). */
    @FunctionalInterface
    public interface Clock extends java.io.Serializable {
        long millis();
    }

    public HeartbeatFunction(String sourceAlias, String targetAlias, String heartbeatsTopic,
                             Map<String, String> targetAdminProps) {
        this(sourceAlias, targetAlias, heartbeatsTopic, targetAdminProps, -1);
    }

    /** As above; the heartbeats topic, when created, gets {@code replicationFactor} replicas (-1: the broker's). */
    public HeartbeatFunction(String sourceAlias, String targetAlias, String heartbeatsTopic,
                             Map<String, String> targetAdminProps, int replicationFactor) {
        this(sourceAlias, targetAlias, heartbeatsTopic, targetAdminProps, replicationFactor,
                System::currentTimeMillis);
    }

    /** As above, the heartbeats timestamped by {@code clock}. */
    public HeartbeatFunction(String sourceAlias, String targetAlias, String heartbeatsTopic,
                             Map<String, String> targetAdminProps, int replicationFactor, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sourceAlias = Objects.requireNonNull(sourceAlias, "sourceAlias");
        this.targetAlias = Objects.requireNonNull(targetAlias, "targetAlias");
        this.heartbeatsTopic = Objects.requireNonNull(heartbeatsTopic, "heartbeatsTopic");
        this.targetAdminProps = new HashMap<>(Objects.requireNonNull(targetAdminProps, "targetAdminProps"));
        this.replicationFactor = replicationFactor;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        InternalTopics.ensure(targetAdminProps, heartbeatsTopic, replicationFactor);
        LOG.info("{}->{} emitting heartbeats to topic {} on {}", sourceAlias, targetAlias, heartbeatsTopic,
                targetAlias);
    }

    @Override
    public EncodedRecord map(Long tick) {
        Heartbeat heartbeat = new Heartbeat(sourceAlias, targetAlias, clock.millis());
        return new EncodedRecord(heartbeatsTopic, heartbeat.recordKey(), heartbeat.recordValue());
    }
}
