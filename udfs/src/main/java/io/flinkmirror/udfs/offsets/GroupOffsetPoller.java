package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.filter.GroupFilter;
import io.flinkmirror.udfs.topic.TopicSelector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On every tick (each {@code emit.checkpoints.interval.seconds}), reads the committed offsets of the source's consumer
 * groups selected by {@code groups}/{@code groups.exclude}, on the topics the flow replicates, and emits them for
 * translation. Runs with parallelism 1.
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
        try {
            List<String> selected = admin.listConsumerGroups().all().get(TIMEOUT_S, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).filter(groups::shouldReplicateGroup).sorted().toList();
            for (String group : selected) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(TIMEOUT_S, TimeUnit.SECONDS);
                offsets.forEach((tp, om) -> {
                    if (om != null && topics.shouldReplicate(tp.topic())) {
                        out.collect(new GroupOffset(group, tp.topic(), tp.partition(), om.offset(), om.metadata()));
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("{} could not read consumer group offsets (will retry next interval): {}", flow, e.toString());
        }
    }
}
