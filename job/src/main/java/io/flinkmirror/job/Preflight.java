package io.flinkmirror.job;

import io.flinkmirror.job.PreflightClients.Admins;
import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.job.topics.TopicAclSync;
import io.flinkmirror.udfs.topic.TopicSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before the job is submitted, that every cluster of every enabled flow and every heartbeat target answers
 * and accepts the configured credentials, and that each flow's source principal may read what it replicates, so that
 * a wrong address, credential or ACL fails in seconds with the cluster's alias, the principal, the permission and the
 * resource instead of as a restart loop inside Flink.
 *
 * <p>What is checked on the source: READ on every visible topic the flow replicates (DESCRIBE_CONFIGS too when
 * {@code sync.topic.configs.enabled}), and READ on the job's consumer group. Topics the principal may not even
 * DESCRIBE are invisible to it, so they cannot be reported. On the target: WRITE on the flow's target topics that
 * already exist. Other target rights (CREATE, transactional ids) are only known when the job first uses them. The
 * cluster rights of topic ACL sync are checked too, but their absence only turns that sync off ({@link #run}).
 */
public final class Preflight {

    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);


    private Preflight() {}

    /** Thrown when a cluster cannot be used; the message is one line meant for the user. */
    public static final class PreflightException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PreflightException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * What the preflight found besides failures.
     *
     * @param clusterIds       each cluster's Kafka cluster id, by alias
     * @param topicAclSyncOff  flows ({@code A->B}) whose topic ACL sync lacks rights: turned off, one WARN each
     */
    public record Report(Map<String, String> clusterIds, Set<String> topicAclSyncOff) {}

    /**
     * Connects to every cluster of {@code config} and fails with a one-line message if one cannot be used; returns
     * each cluster's Kafka cluster id by alias.
     */
    public static Map<String, String> check(MirrorConfig config, Duration timeout) {
        return run(config, timeout).clusterIds();
    }

    /**
     * As {@link #check}, also reporting the flows whose topic ACL sync must be off: with
     * {@code sync.topic.acls.enabled}, the source principal needs DESCRIBE on the source cluster (to read ACLs) and
     * the target principal ALTER on the target cluster (to create and delete them). A missing right is no failure:
     * one WARN per flow names the principals, rights and clusters, and the job runs without ACL sync for that flow
     * ({@link MirrorJob#withoutTopicAclSync}).
     */
    public static Report run(MirrorConfig config, Duration timeout) {
        long start = System.nanoTime();
        Map<String, Map<String, String>> clusters = config.clusterAdminProps();
        Map<String, String> ids = new LinkedHashMap<>();
        Set<String> aclSyncOff = new LinkedHashSet<>();
        long connected;
        try (Admins admins = new Admins(timeout)) {
            // Connects to every cluster at once (each answers and tells its id): a connection costs round trips.
            List<java.util.concurrent.CompletableFuture<Void>> connecting = new ArrayList<>();
            clusters.forEach((alias, props) -> connecting.add(java.util.concurrent.CompletableFuture.runAsync(
                    () -> admins.run(alias, props, admin -> null))));
            for (java.util.concurrent.CompletableFuture<Void> connection : connecting) {
                try {
                    connection.join();
                } catch (java.util.concurrent.CompletionException e) {
                    if (e.getCause() instanceof RuntimeException cause) {
                        throw cause;
                    }
                    throw e;
                }
            }
            clusters.keySet().forEach(alias -> ids.put(alias, admins.clusterIds.get(alias)));
            connected = System.nanoTime();
            for (FlowConfig flow : config.flows()) {
                List<String> topics = admins.run(flow.source(), flow.sourceAdminProps(),
                        admin -> checkSourceAcls(admin, flow, timeout));
                admins.run(flow.target(), flow.targetAdminProps(),
                        admin -> checkTargetAcls(admin, flow, topics, timeout));
                if (flow.syncTopicAcls() && !checkTopicAclSyncRights(admins, flow, timeout)) {
                    aclSyncOff.add(flow.name());
                }
            }
        }
        LOG.info("Preflight: clusters {} answered in {} ms, rights checked in {} ms", clusters.keySet(),
                (connected - start) / 1_000_000, (System.nanoTime() - connected) / 1_000_000);
        return new Report(Map.copyOf(ids), Set.copyOf(aclSyncOff));
    }

    /**
     * Whether the flow's principals hold the cluster rights topic ACL sync needs (as the brokers report them through
     * describeCluster's authorized operations); logs one WARN naming what is missing otherwise.
     */
    private static boolean checkTopicAclSyncRights(Admins admins, FlowConfig flow, Duration timeout) {
        List<String> missing = new ArrayList<>();
        Set<AclOperation> source = admins.run(flow.source(), flow.sourceAdminProps(),
                admin -> clusterOperations(admin, timeout));
        if (source != null && !source.contains(AclOperation.DESCRIBE) && !source.contains(AclOperation.ALL)) {
            missing.add(TopicAclSync.missingRight(Principals.of(flow.sourceAdminProps()), "DESCRIBE on the cluster",
                    "source cluster '" + flow.source() + "'", "read its topic ACLs"));
        }
        Set<AclOperation> target = admins.run(flow.target(), flow.targetAdminProps(),
                admin -> clusterOperations(admin, timeout));
        if (target != null && !target.contains(AclOperation.ALTER) && !target.contains(AclOperation.ALL)) {
            missing.add(TopicAclSync.missingRight(Principals.of(flow.targetAdminProps()), "ALTER on the cluster",
                    "target cluster '" + flow.target() + "'", "create and delete its topic ACLs"));
        }
        if (missing.isEmpty()) {
            return true;
        }
        LOG.warn(TopicAclSync.rightsMissingMessage(flow.name(), missing));
        return false;
    }

    /** The operations the principal may perform on the cluster resource, or null if the broker does not say. */
    private static Set<AclOperation> clusterOperations(Admin admin, Duration timeout) throws Exception {
        return admin.describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true))
                .authorizedOperations().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Checks the source principal's rights; returns the source topics the flow replicates now. */
    private static List<String> checkSourceAcls(Admin admin, FlowConfig flow, Duration timeout) throws Exception {
        String principal = Principals.of(flow.sourceAdminProps());
        String cluster = "source cluster '" + flow.source() + "'";
        TopicSelector selector = flow.topicSelector();
        List<String> topics = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).stream()
                .filter(selector::shouldReplicate).sorted().toList();
        List<String> missing = new ArrayList<>();
        for (TopicDescription d : describe(admin, topics, timeout).values()) {
            Set<AclOperation> ops = d.authorizedOperations();
            if (ops != null && !ops.contains(AclOperation.READ)) {
                missing.add("READ on topic " + d.name());
            }
            if (ops != null && flow.syncTopicConfigs() && !ops.contains(AclOperation.DESCRIBE_CONFIGS)) {
                missing.add("DESCRIBE_CONFIGS on topic " + d.name() + " (needed by sync.topic.configs.enabled=true;"
                        + " grant it or set sync.topic.configs.enabled=false)");
            }
        }
        String group = flow.sourceGroupId();
        try {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group),
                            new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true))
                    .describedGroups().get(group).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (g.authorizedOperations() != null && !g.authorizedOperations().contains(AclOperation.READ)) {
                missing.add("READ on group " + group);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupAuthorizationException) {
                missing.add("READ on group " + group);
            } else if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e; // a group that does not exist yet: DESCRIBE is allowed, READ is known at the first commit
            }
        }
        report(principal, missing, cluster);
        return topics;
    }

    private static Void checkTargetAcls(Admin admin, FlowConfig flow, List<String> sourceTopics, Duration timeout)
            throws Exception {
        // Target topics that do not exist yet are created by the job; their rights are known only then.
        List<String> targetTopics = sourceTopics.stream()
                .map(t -> flow.replicationPolicy().formatRemoteTopic(flow.source(), t)).toList();
        List<String> missing = new ArrayList<>();
        for (TopicDescription d : describe(admin, targetTopics, timeout).values()) {
            Set<AclOperation> ops = d.authorizedOperations();
            if (ops != null && !ops.contains(AclOperation.WRITE)) {
                missing.add("WRITE on topic " + d.name());
            }
        }
        report(Principals.of(flow.targetAdminProps()), missing, "target cluster '" + flow.target() + "'");
        return null;
    }

    /** Descriptions with authorized operations of the topics that exist and the principal may describe. */
    private static Map<String, TopicDescription> describe(Admin admin, List<String> topics, Duration timeout)
            throws Exception {
        Map<String, TopicDescription> result = new LinkedHashMap<>();
        var futures = admin.describeTopics(topics, new DescribeTopicsOptions().includeAuthorizedOperations(true))
                .topicNameValues();
        for (String topic : topics) {
            try {
                result.put(topic, futures.get(topic).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException
                        || e.getCause() instanceof TopicAuthorizationException)) {
                    throw e;
                }
            }
        }
        return result;
    }

    private static void report(String principal, List<String> missing, String cluster) {
        if (!missing.isEmpty()) {
            throw new PreflightException("principal " + principal + " lacks " + String.join(", ", missing) + " ("
                    + cluster + ")", null);
        }
    }
}
