package io.flinkmirror.cli.failover;

import io.flinkmirror.cli.failover.FailoverException.Reason;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedMemberEpochException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.errors.UnknownMemberIdException;

/** One consumer group on one cluster through the Admin API: its state and members, its offsets, commits to it. */
public final class ClusterGroup implements AutoCloseable {

    /** A group's state and its members ({@code clientId@host}); a group that does not exist is {@code DEAD}. */
    public record Status(GroupState state, List<String> members) {

        /** Whether offsets may be changed from outside: no member can commit over them (EMPTY or DEAD). */
        public boolean isInactive() {
            return state == GroupState.EMPTY || state == GroupState.DEAD;
        }

        /** E.g. {@code STABLE with 1 member (consumer-g-1@/127.0.0.1)}. */
        @Override
        public String toString() {
            return state.name() + (members.isEmpty() ? "" : " with " + members.size()
                    + (members.size() == 1 ? " member (" : " members (") + String.join(", ", members) + ")");
        }
    }

    private final String cluster;
    private final String group;
    private final String bootstrapServers;
    private final Duration timeout;
    private final Admin admin;

    /** Group {@code group} on cluster {@code cluster} (its alias, for messages), through an admin of {@code adminProps}. */
    public ClusterGroup(String cluster, Map<String, String> adminProps, String group, Duration timeout) {
        this.cluster = cluster;
        this.group = group;
        this.bootstrapServers = adminProps.get("bootstrap.servers");
        this.timeout = timeout;
        Map<String, Object> props = new HashMap<>(adminProps);
        props.putIfAbsent("default.api.timeout.ms", (int) timeout.toMillis());
        props.putIfAbsent("request.timeout.ms", (int) Math.min(timeout.toMillis(), 30_000));
        try {
            this.admin = Admin.create(props);
        } catch (KafkaException e) {
            throw failure("connect to", e);
        }
    }

    /** The group's state and members. */
    public Status status() {
        ConsumerGroupDescription d;
        try {
            d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return new Status(GroupState.DEAD, List.of());
            }
            throw failure("describe", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw failure("describe", e);
        }
        return new Status(d.groupState(), d.members().stream().map(m -> m.clientId() + "@" + m.host()).toList());
    }

    /** The group's committed offsets (partitions without one are absent). */
    public Map<TopicPartition, Long> committedOffsets() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> offsets = new HashMap<>();
            committed.forEach((tp, om) -> {
                if (om != null) {
                    offsets.put(tp, om.offset());
                }
            });
            return offsets;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw failure("read the committed offsets of", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw failure("read the committed offsets of", e);
        }
    }

    /**
     * Commits {@code offsets} for the group; fails with {@link Reason#GROUP_ACTIVE} if the broker refuses because the
     * group has members (one joined after {@link #status()} was checked).
     */
    public void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            admin.alterConsumerGroupOffsets(group, offsets).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnknownMemberIdException || cause instanceof GroupNotEmptyException
                    || cause instanceof StaleMemberEpochException || cause instanceof FencedMemberEpochException) {
                throw new FailoverException(Reason.GROUP_ACTIVE, "Refusing to commit offsets: group '" + group
                        + "' on cluster " + cluster + " got active members (" + cause.getClass().getSimpleName()
                        + "); stop its consumers and retry", cause);
            }
            throw failure("commit offsets of", cause);
        } catch (InterruptedException | TimeoutException e) {
            throw failure("commit offsets of", e);
        }
    }

    private FailoverException failure(String action, Throwable cause) {
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new FailoverException(Reason.KAFKA_ERROR, "Cannot " + action + " group '" + group + "' on cluster "
                + cluster + " (" + bootstrapServers + "): " + cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                cause);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
