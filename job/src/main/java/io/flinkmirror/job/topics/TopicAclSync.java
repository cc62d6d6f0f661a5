package io.flinkmirror.job.topics;

import io.flinkmirror.job.topics.AclSyncFailure.Side;
import io.flinkmirror.udfs.acl.AclSyncPlan;
import io.flinkmirror.udfs.acl.TopicAclMapping;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeleteAclsResult;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
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
    private final String sourcePrincipal;
    private final String targetPrincipal;
    /** This flow's record of its copies, on the target. */
    private final OwnedAclRecords records;
    /** The reverse flow's record of its copies, on the source. */
    private final OwnedAclRecords reverseRecords;

    private transient boolean off;
    private transient boolean scheduled;
    private transient long nextSyncNanos;
    /** Bindings recorded as created by this flow; null until read from the records topic (again after a failure). */
    private transient Set<AclBinding> owned;
    /** Whether the records topic is known to exist (it is created before the first binding is). */
    private transient boolean recordsTopicExists;
    /** The reverse flow's copies as last read, and the end offsets they were read to (read again when they move). */
    private transient Set<AclBinding> reverseCopies;
    private transient long reverseEnd;

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
        this.sourcePrincipal = sourcePrincipal;
        this.targetPrincipal = targetPrincipal;
        this.records = new OwnedAclRecords(flow, recordsTopic, Side.TARGET, TIMEOUT_MS, targetConsumerProps,
                targetProducerProps);
        this.reverseRecords = new OwnedAclRecords(flow, reverseRecordsTopic, Side.SOURCE, TIMEOUT_MS,
                sourceConsumerProps, Map.of());
    }

    /**
     * The one line logged when a flow's ACL sync is off for lack of rights: the flow, then each missing right with its
     * principal and cluster ({@link #missingRight}).
     */
    public static String rightsMissingMessage(String flow, List<String> missing) {
        return flow + " topic ACL sync off: " + String.join("; ", missing) + ". Replication goes on; grant the "
                + "right(s) and restart, or set sync.topic.acls.enabled=false";
    }

    /** One missing right: {@code principal User:x lacks DESCRIBE on the cluster (source cluster 'A'), needed ...}. */
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
        } catch (AclSyncFailure e) {
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
        Collection<AclBinding> sourceBindings = new ArrayList<>(AclSyncFailure.await(
                source.describeAcls(ANY_TOPIC_ACL).values(), TIMEOUT_MS, Side.SOURCE, "DESCRIBE on the cluster",
                "read its topic ACLs"));
        sourceBindings.removeAll(copiesOnSource(source));
        Set<AclBinding> desired = mapping.targetBindings(sourceBindings);
        Set<AclBinding> existing = new HashSet<>(AclSyncFailure.await(target.describeAcls(ANY_TOPIC_ACL).values(),
                TIMEOUT_MS, Side.TARGET, "ALTER on the cluster", "read and write its topic ACLs"));
        if (owned == null) {
            Optional<Set<AclBinding>> read = records.read(target);
            recordsTopicExists = read.isPresent();
            owned = read.orElseGet(LinkedHashSet::new);
        }
        AclSyncPlan plan = AclSyncPlan.of(desired, existing, owned);
        if (plan.isEmpty()) {
            return;
        }
        if (!plan.toCreate().isEmpty() && !recordsTopicExists) {
            records.create(target); // before any ACL: a copy that cannot be recorded is never made
            recordsTopicExists = true;
        }
        List<AclBinding> created = create(target, plan.toCreate());
        List<AclBinding> deleted = delete(target, plan.toDelete());
        List<AclBinding> forgotten = new ArrayList<>(deleted);
        forgotten.addAll(plan.toForget());
        records.write(created, forgotten, owned);
        if (!created.isEmpty() || !deleted.isEmpty()) {
            LOG.info("{} topic ACLs synced to {}: created {}, deleted {} ({} ms){}{}", flow, targetAlias,
                    created.size(), deleted.size(), (System.nanoTime() - start) / 1_000_000,
                    describe(" created: ", created), describe(" deleted: ", deleted));
        }
    }

    /**
     * The bindings the reverse flow ({@code target->source}) recorded as created on the source cluster: copies, not
     * originals, never copied back (with the identity policy in active-active, they would come back after their
     * original is removed). Empty if that record does not exist or may not be read (a one-way setup).
     */
    private Set<AclBinding> copiesOnSource(Admin source) throws Exception {
        try {
            long end = reverseRecords.endOffsets(source);
            if (reverseCopies == null || end != reverseEnd) {
                reverseCopies = end < 0 ? new LinkedHashSet<>()
                        : reverseRecords.read(source).orElseGet(LinkedHashSet::new);
                reverseEnd = end;
            }
            return reverseCopies;
        } catch (AclSyncFailure e) {
            if (e.getCause() instanceof AuthorizationException) {
                return new LinkedHashSet<>();
            }
            throw e;
        }
    }

    /** Creates the bindings; returns those created. A binding the broker refuses is logged and left out. */
    private List<AclBinding> create(Admin target, Set<AclBinding> bindings) throws Exception {
        List<AclBinding> created = new ArrayList<>();
        if (bindings.isEmpty()) {
            return created;
        }
        AclSyncFailure authorization = null;
        for (Map.Entry<AclBinding, KafkaFuture<Void>> e : target.createAcls(bindings).values().entrySet()) {
            try {
                AclSyncFailure.await(e.getValue(), TIMEOUT_MS, Side.TARGET, "ALTER on the cluster",
                        "create topic ACLs");
                created.add(e.getKey());
            } catch (AclSyncFailure failure) {
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
            DeleteAclsResult.FilterResults result = AclSyncFailure.await(results.get(filter), TIMEOUT_MS, Side.TARGET,
                    "ALTER on the cluster", "delete topic ACLs");
            for (DeleteAclsResult.FilterResult r : result.values()) {
                if (r.exception() == null && r.binding() != null) {
                    deleted.add(r.binding());
                }
            }
        }
        return deleted;
    }

    private void handle(AclSyncFailure failure) {
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
}
