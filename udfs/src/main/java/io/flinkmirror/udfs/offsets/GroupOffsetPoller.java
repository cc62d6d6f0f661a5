package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.filter.GroupFilter;
import io.flinkmirror.udfs.topic.TopicSelector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On every tick (each {@code emit.checkpoints.interval.seconds}), reads the committed offsets of the source's consumer
 * groups selected by {@code groups}/{@code groups.exclude}, on the topics the flow replicates, and emits them for
 * translation. Also emits, per partition of those topics, its end offset (read_committed) and log start offset as a
 * {@link GroupOffset#endOffset(String, int, long, long, long)} marker, for the lag metric. Runs with parallelism 1.
 *
 * <p>Invariants: holds no state (each tick reads afresh); a tick whose reads fail emits nothing for what failed and
 * logs it once, the next tick tries again; each tick ends with the end-offset markers, which close a poll round for
 * the offset mapping (a group not seen for a few rounds stops holding runs exact).
 */
public class GroupOffsetPoller extends ProcessFunction<Long, GroupOffset> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GroupOffsetPoller.class);
    private static final long TIMEOUT_S = 30;

    private final String flow;
    private final GroupFilter groups;
    private final TopicSelector topics;
    private final HashMap<String, String> sourceAdminProps;

    private transient Admin admin;

    public GroupOffsetPoller(String flow, GroupFilter groups, TopicSelector topics,
                             Map<String, String> sourceAdminProps) {
        this.flow = flow;
        this.groups = groups;
        this.topics = topics;
        this.sourceAdminProps = new HashMap<>(sourceAdminProps);
    }

    @Override
    public void open(OpenContext openContext) {
        admin = Admin.create(new HashMap<>(sourceAdminProps));
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
    }

    @Override
    public void processElement(Long tick, Context ctx, Collector<GroupOffset> out) {
        emitEndOffsets(out);
        try {
            long readAt = System.currentTimeMillis();
            List<String> selected = admin.listConsumerGroups().all().get(TIMEOUT_S, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).filter(groups::shouldReplicateGroup).sorted().toList();
            for (String group : selected) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(TIMEOUT_S, TimeUnit.SECONDS);
                offsets.forEach((tp, om) -> {
                    if (om != null && topics.shouldReplicate(tp.topic())) {
                        GroupOffset offset = new GroupOffset(group, tp.topic(), tp.partition(), om.offset(),
                                om.metadata());
                        offset.readAtMillis = readAt;
                        out.collect(offset);
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("{} could not read consumer group offsets (will retry next interval): {}", flow, e.toString());
        }
    }

    /** End and log start offsets of every partition of the replicated topics. */
    private void emitEndOffsets(Collector<GroupOffset> out) {
        try {
            Set<String> names = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
            List<String> selected = names.stream().filter(topics::shouldReplicate).sorted().toList();
            if (selected.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            for (TopicDescription d : admin.describeTopics(selected).allTopicNames()
                    .get(TIMEOUT_S, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(p -> {
                    TopicPartition tp = new TopicPartition(d.name(), p.partition());
                    latest.put(tp, OffsetSpec.latest());
                    earliest.put(tp, OffsetSpec.earliest());
                });
            }
            ListOffsetsOptions committed = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
            long readAt = System.currentTimeMillis();
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest, committed).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
                    admin.listOffsets(earliest, committed).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            ends.forEach((tp, end) -> {
                ListOffsetsResult.ListOffsetsResultInfo start = starts.get(tp);
                out.collect(GroupOffset.endOffset(tp.topic(), tp.partition(), end.offset(),
                        start == null ? 0 : start.offset(), readAt));
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("{} could not read the end offsets of the replicated topics (will retry next interval): {}", flow,
                    e.toString());
        }
    }
}
