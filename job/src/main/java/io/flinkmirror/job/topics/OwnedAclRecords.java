package io.flinkmirror.job.topics;

import io.flinkmirror.job.topics.AclSyncFailure.Side;
import io.flinkmirror.udfs.acl.OwnedAclCodec;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A flow's record of the topic ACLs it created on a cluster: the compacted topic {@code mm2-topic-acls.<source>
 * .internal} ({@link OwnedAclCodec}), read from its start to its end, created before the first record, appended to.
 */
final class OwnedAclRecords implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OwnedAclRecords.class);

    private final String flow;
    private final String topic;
    private final Side side;
    private final long timeoutMs;
    private final HashMap<String, Object> consumerProps;
    private final HashMap<String, Object> producerProps;

    /** The records in {@code topic} on the {@code side} cluster of {@code flow}, with its client settings. */
    OwnedAclRecords(String flow, String topic, Side side, long timeoutMs, Map<String, String> consumerProps,
                    Map<String, String> producerProps) {
        this.flow = flow;
        this.topic = topic;
        this.side = side;
        this.timeoutMs = timeoutMs;
        this.consumerProps = new HashMap<>(consumerProps);
        this.consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.producerProps = new HashMap<>(producerProps);
        this.producerProps.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        this.producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    }

    /** The bindings recorded as created, or empty if the topic does not exist. */
    Optional<Set<AclBinding>> read(Admin admin) throws Exception {
        TopicDescription description;
        try {
            description = AclSyncFailure.await(admin.describeTopics(List.of(topic)).allTopicNames(), timeoutMs, side,
                    "DESCRIBE on topic " + topic, "read the record of the topic ACLs it created").get(topic);
        } catch (AclSyncFailure e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
        List<TopicPartition> partitions = description.partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        Set<AclBinding> result = new LinkedHashSet<>();
        int unreadable = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofMillis(timeoutMs));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("could not read " + topic + " to its end " + end + " within "
                            + timeoutMs + " ms");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        AclBinding binding = OwnedAclCodec.binding(r.key());
                        if (r.value() == null) {
                            result.remove(binding);
                        } else {
                            result.add(binding);
                        }
                    } catch (IOException | RuntimeException e) {
                        unreadable++;
                    }
                }
            }
        } catch (AuthorizationException e) {
            throw new AclSyncFailure(side, "READ on topic " + topic, "read the record of the topic ACLs it created",
                    e);
        }
        if (unreadable > 0) {
            LOG.warn("{} skipped {} unreadable record(s) of {}: the topic ACLs they name are never deleted", flow,
                    unreadable, topic);
        }
        return Optional.of(result);
    }

    /**
     * The sum of the topic's end offsets, or -1 if it does not exist: it changes with every record written, so a
     * reader may skip reading again while it stays the same.
     */
    long endOffsets(Admin admin) throws Exception {
        TopicDescription description;
        try {
            description = AclSyncFailure.await(admin.describeTopics(List.of(topic)).allTopicNames(), timeoutMs, side,
                    "DESCRIBE on topic " + topic, "read the record of the topic ACLs it created").get(topic);
        } catch (AclSyncFailure e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return -1;
            }
            throw e;
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        description.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()),
                OffsetSpec.latest()));
        long sum = 0;
        for (ListOffsetsResult.ListOffsetsResultInfo info : AclSyncFailure.await(admin.listOffsets(request).all(),
                timeoutMs, side, "DESCRIBE on topic " + topic, "read the record of the topic ACLs it created")
                .values()) {
            sum += info.offset();
        }
        return sum;
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Creates the topic (one partition, compacted, the broker's replication factor) unless it exists. */
    void create(Admin admin) throws Exception {
        NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                .configs(Map.of("cleanup.policy", "compact"));
        try {
            AclSyncFailure.await(admin.createTopics(List.of(newTopic)).all(), timeoutMs, side, "CREATE on topic "
                    + topic, "record the topic ACLs it creates");
            LOG.info("{} created topic {}: the record of the topic ACLs this flow creates", flow, topic);
        } catch (AclSyncFailure e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /**
     * Records {@code created} as created by the flow and {@code forgotten} as no longer; adds to / removes from
     * {@code owned} what the broker acknowledged, then throws the first failure, if any.
     */
    void write(List<AclBinding> created, List<AclBinding> forgotten, Set<AclBinding> owned) throws Exception {
        if (created.isEmpty() && forgotten.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        Map<AclBinding, Future<RecordMetadata>> createdSends = new HashMap<>();
        Map<AclBinding, Future<RecordMetadata>> forgottenSends = new HashMap<>();
        AclSyncFailure failure = null;
        int unrecorded = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (AclBinding b : created) {
                createdSends.put(b, producer.send(new ProducerRecord<>(topic, OwnedAclCodec.key(b),
                        OwnedAclCodec.value(flow, now))));
            }
            for (AclBinding b : forgotten) {
                forgottenSends.put(b, producer.send(new ProducerRecord<>(topic, OwnedAclCodec.key(b), null)));
            }
            producer.flush();
            for (Map.Entry<AclBinding, Future<RecordMetadata>> e : createdSends.entrySet()) {
                try {
                    e.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
                    owned.add(e.getKey());
                } catch (ExecutionException ex) {
                    unrecorded++;
                    failure = writeFailure(ex.getCause());
                }
            }
            for (Map.Entry<AclBinding, Future<RecordMetadata>> e : forgottenSends.entrySet()) {
                try {
                    e.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
                    owned.remove(e.getKey());
                } catch (ExecutionException ex) {
                    failure = writeFailure(ex.getCause());
                }
            }
        }
        if (unrecorded > 0) {
            LOG.warn("{} created {} topic ACL(s) it could not record in {}: they stay and will not be removed "
                    + "automatically", flow, unrecorded, topic);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private AclSyncFailure writeFailure(Throwable cause) {
        return new AclSyncFailure(side, "WRITE on topic " + topic, "record the topic ACLs it creates", cause);
    }
}
