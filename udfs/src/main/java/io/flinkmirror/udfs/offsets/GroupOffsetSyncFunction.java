package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.mm2.Checkpoint;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group offset sync ({@code sync.group.offsets.enabled}), MirrorMaker 2's rules: every
 * {@code sync.group.offsets.interval.seconds}, a group's translated offsets are committed on the target cluster if the
 * group has no active member there (absent or empty), and only where they move the group forward: an offset the
 * group already has on the target is never rewound. Keyed by consumer group; input: encoded checkpoints.
 *
 * <p>Invariants: offsets are written only for a group with no member on the target (checked each round, just before
 * writing); only forward; only the translated offsets this key received (so only exact or at-or-before ones, see the
 * offset mapping); a failed round changes nothing and the next round tries again.
 */
public class GroupOffsetSyncFunction extends KeyedProcessFunction<String, EncodedRecord, Void> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GroupOffsetSyncFunction.class);
    private static final long TIMEOUT_S = 30;

    private final String flow;
    private final long intervalMs;
    private final HashMap<String, String> targetAdminProps;

    private transient MapState<String, Long> translated;
    private transient ValueState<Long> nextSync;
    private transient Admin admin;

    public GroupOffsetSyncFunction(String flow, long intervalMs, Map<String, String> targetAdminProps) {
        this.flow = flow;
        this.intervalMs = intervalMs;
        this.targetAdminProps = new HashMap<>(targetAdminProps);
    }

    /** The consumer group of an encoded checkpoint (the key of this function's input). */
    public static String groupOf(EncodedRecord checkpoint) {
        return Checkpoint.deserialize(checkpoint.key, checkpoint.value).consumerGroupId();
    }

    @Override
    public void open(OpenContext openContext) {
        translated = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("translated-offsets", Types.STRING, Types.LONG));
        nextSync = getRuntimeContext().getState(new ValueStateDescriptor<>("next-sync", Types.LONG));
        admin = Admin.create(new HashMap<>(targetAdminProps));
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
    }

    @Override
    public void processElement(EncodedRecord record, Context ctx, Collector<Void> out) throws Exception {
        Checkpoint checkpoint = Checkpoint.deserialize(record.key, record.value);
        translated.put(checkpoint.topic() + ":" + checkpoint.partition(), checkpoint.downstreamOffset());
        if (nextSync.value() == null) {
            long at = ctx.timerService().currentProcessingTime();
            nextSync.update(at);
            ctx.timerService().registerProcessingTimeTimer(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Void> out) throws Exception {
        sync(ctx.getCurrentKey());
        long next = timestamp + intervalMs;
        nextSync.update(next);
        ctx.timerService().registerProcessingTimeTimer(next);
    }

    /** In the DEBUG line of a sync round that leaves a group alone because it is active on the target. */
    public static final String ACTIVE_LEFT_ALONE = "offsets not synced, active on the target: group";

    private void sync(String group) throws Exception {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(java.util.List.of(group))
                    .describedGroups().get(group).get(TIMEOUT_S, TimeUnit.SECONDS);
            GroupState state = description.groupState();
            if (!description.members().isEmpty() || (state != GroupState.EMPTY && state != GroupState.DEAD)) {
                LOG.debug("{} {} {} ({} member(s), {})", flow, ACTIVE_LEFT_ALONE, group, description.members().size(),
                        state);
                return; // active on the target: leave it alone
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                LOG.warn("{} could not describe group {} on the target (will retry): {}", flow, group,
                        e.getCause().toString());
                return;
            }
        }
        Map<TopicPartition, OffsetAndMetadata> current = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(TIMEOUT_S, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (Map.Entry<String, Long> e : translated.entries()) {
            int colon = e.getKey().lastIndexOf(':');
            TopicPartition tp = new TopicPartition(e.getKey().substring(0, colon),
                    Integer.parseInt(e.getKey().substring(colon + 1)));
            OffsetAndMetadata existing = current.get(tp);
            if (existing == null || existing.offset() < e.getValue()) {
                commits.put(tp, new OffsetAndMetadata(e.getValue()));
            }
        }
        if (!commits.isEmpty()) {
            admin.alterConsumerGroupOffsets(group, commits).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            LOG.info("{} synced offsets of idle group {} on the target: {} partition(s)", flow, group,
                    commits.size());
        }
    }
}
