package io.flinkmirror.job;

import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.resume.ResumeFromTarget;
import io.flinkmirror.job.sink.SupersededCommits;
import io.flinkmirror.job.source.OneSplitPerPartitionSource;
import io.flinkmirror.job.source.throttle.ThrottledSource;
import io.flinkmirror.job.topics.MirrorTopicSubscriber;
import io.flinkmirror.job.topics.TargetTopicManager;
import io.flinkmirror.job.topics.TopicAclSync;
import io.flinkmirror.udfs.acl.TopicAclMapping;
import io.flinkmirror.udfs.offsets.EncodedRecord;
import io.flinkmirror.udfs.record.MirrorRecord;
import io.flinkmirror.udfs.record.MirrorRecordDeserializer;
import io.flinkmirror.udfs.record.MirrorRecordSerializer;
import io.flinkmirror.udfs.replicate.ReplicateFunction;
import io.flinkmirror.udfs.topic.DefaultConfigPropertyFilter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a flow's Kafka source and sinks from its {@link FlowConfig}: the client settings the job needs to be correct
 * (read_committed, no topic auto-creation, transactions) over the user's, and the connector options. {@link MirrorJob}
 * only wires what this returns.
 */
final class KafkaConnectors {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaConnectors.class);

    private KafkaConnectors() {}

    /**
     * The flow's Kafka source: its topics as {@link FlowConfig#topicSelector()} picks them (target topics created on
     * the way, topic ACLs synced too if {@code syncTopicAcls}), one split per partition, started without state from
     * what the target holds; it tells Flink when it is catching up if {@code backlogInterval} (the checkpoint interval
     * then) is not null; throttled to the flow's {@code flink.throttle.bytes.per.second} when it has one
     * ({@link ThrottledSource}).
     */
    static Source<MirrorRecord, ?, ?> source(FlowConfig flow, String transactionalIdPrefix,
                                             Duration backlogInterval, boolean syncTopicAcls) {
        Properties props = new Properties();
        props.putAll(flow.sourceConsumerProps());
        Object isolation = props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (isolation != null && !"read_committed".equals(isolation)) {
            LOG.warn("{} ignoring {}.consumer.isolation.level={}: the source is always read read_committed so "
                    + "that aborted transactions are never replicated", flow.name(), flow.source(), isolation);
        }
        props.put(ConsumerConfig.GROUP_ID_CONFIG, flow.sourceGroupId());
        // A source topic deleted while replicated must stay deleted: fetching it would re-create it (brokers with
        // auto.create.topics.enable=true, the default), with the broker's default partition count.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.put("partition.discovery.interval.ms", String.valueOf(flow.refreshTopicsInterval().toMillis()));
        props.putIfAbsent("client.id.prefix", "flink-mirror-" + flow.source() + "-" + flow.target());

        TargetTopicManager topics = new TargetTopicManager(flow.source(), flow.target(), flow.replicationPolicy(),
                flow.replicationFactor(), flow.syncTopicConfigs(), flow.syncTopicConfigsInterval(),
                new DefaultConfigPropertyFilter(flow.configPropertiesExclude()));
        ResumeFromTarget startingOffsets = resumeFromTarget(flow, transactionalIdPrefix);
        KafkaSource<MirrorRecord> source = KafkaSource.<MirrorRecord>builder()
                .setProperties(props)
                .setKafkaSubscriber(new MirrorTopicSubscriber(flow.name(), flow.topicSelector(), topics,
                        flow.targetAdminProps(), syncTopicAcls ? topicAclSync(flow) : null)
                        .withProgressTopic(flow.progressTopic(), flow.checkpointsTopicReplicationFactor()))
                // Without state, resume from what the target holds; the source group's offsets are for lag only.
                .setStartingOffsets(startingOffsets)
                .setDeserializer(new MirrorRecordDeserializer())
                .build();
        OneSplitPerPartitionSource<MirrorRecord> oneSplit = new OneSplitPerPartitionSource<>(flow.name(), source,
                startingOffsets, flow.sourceGroupId(), flow.sourceAdminProps(), backlogInterval);
        oneSplit.withReaderPositions(record -> record.offset);
        if (flow.exactlyOnce()) {
            // A restored transaction aborted on the target is copied again from the committed progress.
            oneSplit.withRewindToProgress(flow.progressTopic(), flow.targetConsumerProps());
        }
        if (flow.throttleBytesPerSecond() == 0) {
            return oneSplit;
        }
        return new ThrottledSource<>(flow.name(), oneSplit, ReplicateFunction::sizeInBytes,
                flow.throttleBytesPerSecond());
    }

    /** The flow's topic ACL sync ({@code sync.topic.acls.*}), run by its topic discovery. */
    static TopicAclSync topicAclSync(FlowConfig flow) {
        return new TopicAclSync(flow.source(), flow.target(),
                new TopicAclMapping(flow.source(), flow.replicationPolicy(), flow.topicSelector()),
                flow.syncTopicAclsInterval(), flow.topicAclsTopic(),
                flow.replicationPolicy().topicAclsTopic(flow.target()), Principals.of(flow.sourceAdminProps()),
                Principals.of(flow.targetAdminProps()), flow.targetProducerProps(), flow.targetConsumerProps(),
                flow.sourceConsumerProps());
    }

    /**
     * The flow's sink of replicated records: transactional (exactly-once) unless the flow says at-least-once. Its
     * transactional ids come from a small pool per subtask ({@code <prefix>-<subtask>-<n>}, POOLING): a short
     * checkpoint interval then does not leave one new transactional id per checkpoint on the target's transaction
     * coordinators (INCREMENTING would, for {@code transactional.id.expiration.ms}, 7 days by default).
     */
    static KafkaSink<MirrorRecord> sink(FlowConfig flow, String transactionalIdPrefix) {
        Properties props = new Properties();
        props.putAll(sinkProducerProps(flow));
        return KafkaSink.<MirrorRecord>builder()
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new MirrorRecordSerializer(java.util.regex.Pattern.compile(
                        flow.replicationPolicy().remoteTopicPattern(flow.source()).pattern() + "|"
                                + java.util.regex.Pattern.quote(flow.progressTopic()))))
                .setDeliveryGuarantee(flow.exactlyOnce() ? DeliveryGuarantee.EXACTLY_ONCE
                        : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .build();
    }

    /** The producer properties of the flow's sink of replicated records. */
    private static Map<String, String> sinkProducerProps(FlowConfig flow) {
        Map<String, String> props = new HashMap<>();
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "131072");
        props.putAll(flow.targetProducerProps());
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                String.valueOf(flow.sinkTransactionTimeout().toMillis()));
        return props;
    }

    /** The flow's look-up of what its target holds, per source partition ({@link ResumeFromTarget}). */
    private static ResumeFromTarget resumeFromTarget(FlowConfig flow, String transactionalIdPrefix) {
        return new ResumeFromTarget(flow.name(), flow.source(), flow.target(), flow.replicationPolicy(),
                flow.provenanceHeader(), transactionalIdPrefix, flow.sourceConsumerProps(),
                flow.targetConsumerProps(), flow.targetAdminProps()).withTransforms(flow.recordTransformer())
                .withProgress(flow.progressTopic(), flow.mm2OffsetsTopic(), flow.unknownTarget())
                .withStartingProgress(sinkProducerProps(flow));
    }

    /**
     * What the flow's sink guard needs to tell a transaction committed before a restart (its pooled id reused since)
     * from a lost one, and to end the transaction the reuse may have left open ({@link SupersededCommits}).
     */
    static SupersededCommits supersededCommits(FlowConfig flow, String transactionalIdPrefix) {
        return new SupersededCommits(flow.name(), resumeFromTarget(flow, transactionalIdPrefix),
                sinkProducerProps(flow), flow.targetAdminProps());
    }

    /**
     * A sink for offset syncs, checkpoints and heartbeats: idempotent facts about committed data (compacted topics,
     * keyed by partition or group), so at-least-once is enough, and MirrorMaker 2's readers use read_uncommitted.
     */
    static KafkaSink<EncodedRecord> internalTopicSink(Map<String, String> producerProps) {
        Properties props = new Properties();
        props.putAll(producerProps);
        return KafkaSink.<EncodedRecord>builder()
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new EncodedRecord.Serializer())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
