package io.flinkmirror.job.topics;

import io.flinkmirror.udfs.acl.AclSyncPlan;
import io.flinkmirror.udfs.acl.OwnedAclCodec;
import io.flinkmirror.udfs.acl.TopicAclMapping;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeleteAclsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syncs one flow's topic ACLs from its source cluster to its target ({@code sync.topic.acls.*}), at most every
 * {@code sync.topic.acls.interval.seconds}, from the source's topic discovery ({@link MirrorTopicSubscriber}).
 * {@link TopicAclMapping} decides which target binding each source topic ACL becomes; {@link AclSyncPlan} what to
 * create and delete.
 *
 * <p>Which target ACLs the flow created is recorded on the target itself, in the compacted topic
 * {@code mm2-topic-acls.<source>.internal} (key: the binding, value: the flow and the time; a tombstone once deleted),
 * read back at the first sync of every run. So the record survives restarts, lost Flink state and moves to another
 * machine, like the replicated data it sits next to. Invariants: a binding is recorded only after the flow created it
 * while the target lacked it (created first, recorded second: a crash in between leaves an unrecorded copy, which is
 * never deleted); a binding is deleted only if recorded. A binding that was on the target before the flow wanted it,
 * or that anyone else made, is therefore never deleted. Source ACLs the reverse flow recorded as its copies
 * ({@code mm2-topic-acls.<target>.internal} on the source, when readable) are not copied back.
 *
 * <p>Failures never fail the job: a cluster without an authorizer turns the sync off with one INFO line (as MM2), a
 * missing right turns it off with one WARN line naming the principal, the right and the cluster; anything else is
 * logged as one WARN and tried again at the next interval.
 */
public final class TopicAclSync implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TopicAclSync.class);
    private static final long TIMEOUT_MS = 30_000;
    private static final int LOGGED_BINDINGS = 20;

    /** Every ACL on a topic resource, whatever its pattern type: what MM2 asks the source for. */
    static final AclBindingFilter ANY_TOPIC_ACL = new AclBindingFilter(
            new ResourcePatternFilter(ResourceType.TOPIC, null, PatternType.ANY), AccessControlEntryFilter.ANY);

    private final String flow;
    private final String sourceAlias;
    private final String targetAlias;
    private final TopicAclMapping mapping;
    private final Duration interval;
    private final String recordsTopic;
    private final String reverseRecordsTopic;
    private final String sourcePrincipal;
    private final String targetPrincipal;
    private final HashMap<String, Object> producerProps;
    private final HashMap<String, Object> consumerProps;
    private final HashMap<String, Object> sourceConsumerProps;

    private transient boolean off;
    private transient boolean scheduled;
    private transient long nextSyncNanos;
    /** Bindings recorded as created by this flow; null until read from the records topic (again after a failure). */
    private transient Set<AclBinding> owned;
    /** Whether the records topic is known to exist (it is created before the first binding is). */
    private transient boolean recordsTopicExists;

    /**
     * A sync for flow {@code sourceAlias->targetAlias}, recording its copies in {@code recordsTopic} on the target;
     * {@code reverseRecordsTopic} is where flow {@code targetAlias->sourceAlias} records its copies on the source. The
     * principals are only named in messages; the client properties are for the records topics.
     */
    public TopicAclSync(String sourceAlias, String targetAlias, TopicAclMapping mapping, Duration interval,
                        String recordsTopic, String reverseRecordsTopic, String sourcePrincipal,
                        String targetPrincipal, Map<String, String> targetProducerProps,
                        Map<String, String> targetConsumerProps, Map<String, String> sourceConsumerProps) {
        this.flow = sourceAlias + "->" + targetAlias;
        this.sourceAlias = sourceAlias;
        this.targetAlias = targetAlias;
        this.mapping = mapping;
        this.interval = interval;
        this.recordsTopic = recordsTopic;
        this.reverseRecordsTopic = reverseRecordsTopic;
        this.sourcePrincipal = sourcePrincipal;
        this.targetPrincipal = targetPrincipal;
        this.producerProps = new HashMap<>(targetProducerProps);
        this.producerProps.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        this.producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        this.consumerProps = new HashMap<>(targetConsumerProps);
        this.consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.sourceConsumerProps = new HashMap<>(sourceConsumerProps);
        this.sourceConsumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.sourceConsumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    }

    /**
     * The one line logged when a flow's ACL sync is off for lack of rights: the flow, then each missing right with its
     * principal and cluster ({@link #missingRight}).
     */
    public static String rightsMissingMessage(String flow, List<String> missing) {
        return flow + " topic ACL sync off: " + String.join("; ", missing) + ". Replication goes on; grant the "
                + "right(s) and restart, or set sync.topic.acls.enabled=false";
    }

    /** One missing right: {@code principal User:x lacks DESCRIBE on the cluster (source cluster 'A'), needed to ...}. */
    public static String missingRight(String principal, String right, String cluster, String neededFor) {
        return "principal " + principal + " lacks " + right + " (" + cluster + "), needed to " + neededFor;
    }

    /** Syncs if the interval has passed since the last sync (the first call always does); never throws. */
    public void maybeSync(Admin source, Admin target) {
        if (off || !due()) {
            return;
        }
        try {
            sync(source, target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (StepFailure e) {
            handle(e);
        } catch (Exception e) {
            owned = null;
            LOG.warn("{} topic ACL sync failed, tried again in {} s: {}", flow, interval.toSeconds(), e.toString());
        }
    }

    /** Syncs now, whatever the interval, unless the sync is off (for tests and tools); never throws. */
    public void syncNow(Admin source, Admin target) {
        scheduled = false;
        maybeSync(source, target);
    }

    /** Whether the sync is off for the rest of this run (no authorizer, or rights missing). */
    public boolean isOff() {
        return off;
    }

    private boolean due() {
        long now = System.nanoTime();
        if (scheduled && now - nextSyncNanos < 0) {
            return false;
        }
        scheduled = true;
        nextSyncNanos = now + interval.toNanos();
        return true;
    }

    private void sync(Admin source, Admin target) throws Exception {
        long start = System.nanoTime();
        Collection<AclBinding> sourceBindings = new ArrayList<>(call(source.describeAcls(ANY_TOPIC_ACL).values(),
                Side.SOURCE, "DESCRIBE on the cluster", "read its topic ACLs"));
        sourceBindings.removeAll(copiesOnSource(source));
        Set<AclBinding> desired = mapping.targetBindings(sourceBindings);
        Set<AclBinding> existing = new HashSet<>(call(target.describeAcls(ANY_TOPIC_ACL).values(), Side.TARGET,
                "ALTER on the cluster", "read and write its topic ACLs"));
        if (owned == null) {
            owned = readOwned(target);
        }
        AclSyncPlan plan = AclSyncPlan.of(desired, existing, owned);
        if (plan.isEmpty()) {
            return;
        }
        List<AclBinding> created = create(target, plan.toCreate());
        List<AclBinding> deleted = delete(target, plan.toDelete());
        List<AclBinding> forgotten = new ArrayList<>(deleted);
        forgotten.addAll(plan.toForget());
        record(target, created, forgotten);
        if (!created.isEmpty() || !deleted.isEmpty()) {
            LOG.info("{} topic ACLs synced to {}: created {}, deleted {} ({} ms){}{}", flow, targetAlias,
                    created.size(), deleted.size(), (System.nanoTime() - start) / 1_000_000,
                    describe(" created: ", created), describe(" deleted: ", deleted));
        }
    }

    /** Creates the bindings; returns those created. A binding the broker refuses is logged and left out. */
    private List<AclBinding> create(Admin target, Set<AclBinding> bindings) throws Exception {
        List<AclBinding> created = new ArrayList<>();
        if (bindings.isEmpty()) {
            return created;
        }
        ensureRecordsTopic(target);
        StepFailure authorization = null;
        for (Map.Entry<AclBinding, KafkaFuture<Void>> e : target.createAcls(bindings).values().entrySet()) {
            try {
                call(e.getValue(), Side.TARGET, "ALTER on the cluster", "create topic ACLs");
                created.add(e.getKey());
            } catch (StepFailure failure) {
                if (failure.isExpected()) {
                    authorization = failure;
                } else {
                    LOG.warn("{} could not create topic ACL {} on {}: {}", flow, text(e.getKey()), targetAlias,
                            failure.getCause().toString());
                }
            }
        }
        if (authorization != null && created.isEmpty()) {
            throw authorization;
        }
        return created;
    }

    /** Deletes exactly the bindings given (an exact filter each); returns those the broker reports deleted. */
    private List<AclBinding> delete(Admin target, Set<AclBinding> bindings) throws Exception {
        List<AclBinding> deleted = new ArrayList<>();
        if (bindings.isEmpty()) {
            return deleted;
        }
        List<AclBindingFilter> filters = bindings.stream().map(AclBinding::toFilter).toList();
        Map<AclBindingFilter, KafkaFuture<DeleteAclsResult.FilterResults>> results =
                target.deleteAcls(filters).values();
        for (AclBindingFilter filter : filters) {
            DeleteAclsResult.FilterResults result = call(results.get(filter), Side.TARGET, "ALTER on the cluster",
                    "delete topic ACLs");
            for (DeleteAclsResult.FilterResult r : result.values()) {
                if (r.exception() == null && r.binding() != null) {
                    deleted.add(r.binding());
                }
            }
        }
        return deleted;
    }

    private void ensureRecordsTopic(Admin target) throws Exception {
        if (recordsTopicExists) {
            return;
        }
        NewTopic topic = new NewTopic(recordsTopic, Optional.of(1), Optional.empty())
                .configs(Map.of("cleanup.policy", "compact"));
        try {
            call(target.createTopics(List.of(topic)).all(), Side.TARGET,
                    "CREATE on topic " + recordsTopic, "record the topic ACLs it creates");
            LOG.info("{} created topic {} on {}: the record of the topic ACLs this flow creates there", flow,
                    recordsTopic, targetAlias);
        } catch (StepFailure e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        recordsTopicExists = true;
    }

    /** The bindings recorded as created by this flow: its records topic on the target, read to its end. */
    private Set<AclBinding> readOwned(Admin target) throws Exception {
        Optional<Set<AclBinding>> records = readRecords(target, consumerProps, recordsTopic, Side.TARGET);
        recordsTopicExists = records.isPresent();
        return records.orElseGet(LinkedHashSet::new);
    }

    /**
     * The bindings the reverse flow ({@code target->source}) recorded as created on the source cluster: copies, not
     * originals, never copied back (with the identity policy in active-active, they would come back after their
     * original is removed). Empty if that record does not exist or may not be read (a one-way setup).
     */
    private Set<AclBinding> copiesOnSource(Admin source) throws Exception {
        try {
            return readRecords(source, sourceConsumerProps, reverseRecordsTopic, Side.SOURCE)
                    .orElseGet(LinkedHashSet::new);
        } catch (StepFailure e) {
            if (e.getCause() instanceof AuthorizationException) {
                return new LinkedHashSet<>();
            }
            throw e;
        }
    }

    /** A records topic read from its start to its end, or empty if it does not exist. */
    private Optional<Set<AclBinding>> readRecords(Admin admin, Map<String, Object> props, String topic, Side side)
            throws Exception {
        TopicDescription description;
        try {
            description = call(admin.describeTopics(List.of(topic)).allTopicNames(), side,
                    "DESCRIBE on topic " + topic, "read the record of the topic ACLs it created").get(topic);
        } catch (StepFailure e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
        List<TopicPartition> partitions = description.partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        Set<AclBinding> result = new LinkedHashSet<>();
        int unreadable = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end;
            try {
                end = consumer.endOffsets(partitions, Duration.ofMillis(TIMEOUT_MS));
            } catch (AuthorizationException e) {
                throw new StepFailure(side, "READ on topic " + topic, "read the record of the topic ACLs it created",
                        e);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("could not read " + topic + " to its end " + end + " within "
                            + TIMEOUT_MS + " ms");
                }
                try {
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
                } catch (AuthorizationException e) {
                    throw new StepFailure(side, "READ on topic " + topic,
                            "read the record of the topic ACLs it created", e);
                }
            }
        }
        if (unreadable > 0) {
            LOG.warn("{} skipped {} unreadable record(s) of {}: the topic ACLs they name are never deleted", flow,
                    unreadable, topic);
        }
        return Optional.of(result);
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Records {@code created} as owned and {@code forgotten} as no longer owned; updates {@link #owned} with what the
     * broker acknowledged. Created bindings that cannot be recorded stay on the target and are never deleted.
     */
    private void record(Admin target, List<AclBinding> created, List<AclBinding> forgotten) throws Exception {
        if (created.isEmpty() && forgotten.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        Map<AclBinding, Future<RecordMetadata>> createdSends = new HashMap<>();
        Map<AclBinding, Future<RecordMetadata>> forgottenSends = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (AclBinding b : created) {
                createdSends.put(b, producer.send(new ProducerRecord<>(recordsTopic, OwnedAclCodec.key(b),
                        OwnedAclCodec.value(flow, now))));
            }
            for (AclBinding b : forgotten) {
                forgottenSends.put(b, producer.send(new ProducerRecord<>(recordsTopic, OwnedAclCodec.key(b), null)));
            }
            producer.flush();
            StepFailure failure = null;
            int unrecorded = 0;
            for (Map.Entry<AclBinding, Future<RecordMetadata>> e : createdSends.entrySet()) {
                try {
                    e.getValue().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    owned.add(e.getKey());
                } catch (ExecutionException ex) {
                    unrecorded++;
                    failure = new StepFailure(Side.TARGET, "WRITE on topic " + recordsTopic,
                            "record the topic ACLs it creates", ex.getCause());
                }
            }
            for (Map.Entry<AclBinding, Future<RecordMetadata>> e : forgottenSends.entrySet()) {
                try {
                    e.getValue().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    owned.remove(e.getKey());
                } catch (ExecutionException ex) {
                    failure = new StepFailure(Side.TARGET, "WRITE on topic " + recordsTopic,
                            "record the topic ACLs it creates", ex.getCause());
                }
            }
            if (unrecorded > 0) {
                LOG.warn("{} created {} topic ACL(s) on {} it could not record in {}: they stay and will not be "
                        + "removed automatically", flow, unrecorded, targetAlias, recordsTopic);
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private <T> T call(KafkaFuture<T> future, Side side, String right, String neededFor) throws Exception {
        try {
            return future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new StepFailure(side, right, neededFor, e.getCause());
        }
    }

    private void handle(StepFailure failure) {
        String cluster = failure.side == Side.SOURCE ? "source cluster '" + sourceAlias + "'"
                : "target cluster '" + targetAlias + "'";
        if (failure.getCause() instanceof SecurityDisabledException) {
            off = true;
            LOG.info("{} topic ACL sync off: the {} has no ACL authorizer, so there are no ACLs to sync (set "
                    + "sync.topic.acls.enabled=false to skip this check)", flow, cluster);
        } else if (failure.isExpected()) {
            off = true;
            String principal = failure.side == Side.SOURCE ? sourcePrincipal : targetPrincipal;
            LOG.warn(rightsMissingMessage(flow, List.of(missingRight(principal, failure.right, cluster,
                    failure.neededFor))));
        } else {
            owned = null;
            LOG.warn("{} topic ACL sync failed on the {}, tried again in {} s: {}", flow, cluster,
                    interval.toSeconds(), failure.getCause().toString());
        }
    }

    private static String describe(String label, List<AclBinding> bindings) {
        if (bindings.isEmpty()) {
            return "";
        }
        List<String> texts = bindings.stream().limit(LOGGED_BINDINGS).map(TopicAclSync::text).toList();
        return label + texts + (bindings.size() > LOGGED_BINDINGS ? " and " + (bindings.size() - LOGGED_BINDINGS)
                + " more" : "");
    }

    /** {@code ALLOW READ for User:alice@* on topic A.orders (LITERAL)}. */
    static String text(AclBinding b) {
        return b.entry().permissionType() + " " + b.entry().operation() + " for " + b.entry().principal() + "@"
                + b.entry().host() + " on topic " + b.pattern().name() + " (" + b.pattern().patternType() + ")";
    }

    private enum Side { SOURCE, TARGET }

    /** A failed admin or client call, with the right it needed: reported by {@link #handle}. */
    private static final class StepFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final Side side;
        private final String right;
        private final String neededFor;

        StepFailure(Side side, String right, String neededFor, Throwable cause) {
            super(right + ": " + cause, cause);
            this.side = side;
            this.right = right;
            this.neededFor = neededFor;
        }

        /** Whether it is a missing right or an absent authorizer: expected conditions that turn the sync off. */
        boolean isExpected() {
            return getCause() instanceof AuthorizationException || getCause() instanceof SecurityDisabledException;
        }
    }
}
