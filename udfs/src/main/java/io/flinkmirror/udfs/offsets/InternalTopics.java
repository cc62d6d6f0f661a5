package io.flinkmirror.udfs.offsets;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates MirrorMaker 2's internal topics (offset syncs, checkpoints) as MM2 does: 1 partition, compacted. */
public final class InternalTopics {

    private static final Logger LOG = LoggerFactory.getLogger(InternalTopics.class);

    private InternalTopics() {}

    /** Creates {@code topic} on the cluster of {@code adminProps} unless it exists (broker default replication). */
    public static void ensure(Map<String, String> adminProps, String topic) throws Exception {
        ensure(adminProps, topic, -1);
    }

    /**
     * Creates {@code topic} on the cluster of {@code adminProps} unless it exists, with {@code replicationFactor}
     * replicas (-1: the broker's {@code default.replication.factor}).
     */
    public static void ensure(Map<String, String> adminProps, String topic, int replicationFactor) throws Exception {
        ensure(adminProps, topic, replicationFactor, Map.of());
    }

    /** As {@link #ensure(Map, String, int)}, with {@code configs} on top of {@code cleanup.policy=compact}. */
    public static void ensure(Map<String, String> adminProps, String topic, int replicationFactor,
                              Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(new HashMap<>(adminProps))) {
            Map<String, String> all = new HashMap<>(configs);
            all.put("cleanup.policy", "compact");
            NewTopic newTopic = new NewTopic(topic, Optional.of(1),
                            replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor))
                    .configs(all);
            admin.createTopics(List.of(newTopic)).all().get(60, TimeUnit.SECONDS);
            LOG.info("Created internal topic {} on {}", topic, adminProps.get("bootstrap.servers"));
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create internal topic " + topic + " on "
                        + adminProps.get("bootstrap.servers") + ": " + e.getCause().getMessage(), e.getCause());
            }
        }
    }
}
