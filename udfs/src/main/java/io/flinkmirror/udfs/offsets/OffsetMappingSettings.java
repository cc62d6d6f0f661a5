package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.replicate.ReplicatedRecords;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@link OffsetMappingFunction} needs to know about its flow.
 *
 * @param flow                  the flow's name ({@code A->B}), for logs and thread names
 * @param offsetSyncsTopic      where offset syncs go (MM2's name, on the cluster of {@code offsetSyncsAdminProps})
 * @param checkpointsTopic      where checkpoints go, on the target
 * @param sourceClientProps     consumer properties for the source (range checks, history rebuilds)
 * @param targetClientProps     consumer properties for the target (locating transactions)
 * @param offsetSyncsAdminProps admin properties of the cluster holding the offset-syncs topic
 * @param targetAdminProps      admin properties of the target
 * @param exactWindow           how long offset runs stay exact for groups behind (then anchors, {@link
 *                              OffsetRuns#retire})
 * @param exactlyOnce           whether the sink writes transactions (visible when their checkpoint completes) or
 *                              at-least-once (visible as soon as written)
 * @param history               how to rebuild the mapping of data replicated before a start without state; null:
 *                              no rebuild
 * @param offsetSyncsReplicationFactor replicas of the offset-syncs topic when created (-1: the broker's default)
 * @param checkpointsReplicationFactor replicas of the checkpoints topic when created (-1: the broker's default)
 * @param progressTopic         the flow's progress topic on the target ({@link io.flinkmirror.udfs.progress.Progress}):
 *                              transactions are placed and history rebuilt from it; null: from the records
 */
public record OffsetMappingSettings(String flow, String offsetSyncsTopic, String checkpointsTopic,
                                    Map<String, String> sourceClientProps, Map<String, String> targetClientProps,
                                    Map<String, String> offsetSyncsAdminProps, Map<String, String> targetAdminProps,
                                    Duration exactWindow, boolean exactlyOnce, History history,
                                    int offsetSyncsReplicationFactor, int checkpointsReplicationFactor,
                                    String progressTopic)
        implements Serializable {

    /** Settings without a progress topic (transactions are located by their records' fingerprints). */
    public OffsetMappingSettings(String flow, String offsetSyncsTopic, String checkpointsTopic,
                                 Map<String, String> sourceClientProps, Map<String, String> targetClientProps,
                                 Map<String, String> offsetSyncsAdminProps, Map<String, String> targetAdminProps,
                                 Duration exactWindow, boolean exactlyOnce, History history,
                                 int offsetSyncsReplicationFactor, int checkpointsReplicationFactor) {
        this(flow, offsetSyncsTopic, checkpointsTopic, sourceClientProps, targetClientProps, offsetSyncsAdminProps,
                targetAdminProps, exactWindow, exactlyOnce, history, offsetSyncsReplicationFactor,
                checkpointsReplicationFactor, null);
    }

    /** Settings whose internal topics get the brokers' default replication factor. */
    public OffsetMappingSettings(String flow, String offsetSyncsTopic, String checkpointsTopic,
                                 Map<String, String> sourceClientProps, Map<String, String> targetClientProps,
                                 Map<String, String> offsetSyncsAdminProps, Map<String, String> targetAdminProps,
                                 Duration exactWindow, boolean exactlyOnce, History history) {
        this(flow, offsetSyncsTopic, checkpointsTopic, sourceClientProps, targetClientProps, offsetSyncsAdminProps,
                targetAdminProps, exactWindow, exactlyOnce, history, -1, -1);
    }

    /**
     * Exactly-once only: when a partition has no mapping in state, its last {@code maxRecords} records on the target
     * are paired with their source records ({@link TargetHistory}), found through the replication {@code policy}
     * (remote topic of {@code sourceAlias}'s topics) and {@code replicated} (which target records are this flow's).
     */
    public record History(ReplicationPolicy policy, String sourceAlias, ReplicatedRecords replicated, long maxRecords)
            implements Serializable {}

    public OffsetMappingSettings {
        // Serializable copies: the settings travel with the job graph.
        sourceClientProps = new HashMap<>(sourceClientProps);
        targetClientProps = new HashMap<>(targetClientProps);
        offsetSyncsAdminProps = new HashMap<>(offsetSyncsAdminProps);
        targetAdminProps = new HashMap<>(targetAdminProps);
    }

    /** The same settings, rebuilding history as {@code history} says. */
    public OffsetMappingSettings withHistory(History history) {
        return new OffsetMappingSettings(flow, offsetSyncsTopic, checkpointsTopic, sourceClientProps,
                targetClientProps, offsetSyncsAdminProps, targetAdminProps, exactWindow, exactlyOnce, history,
                offsetSyncsReplicationFactor, checkpointsReplicationFactor, progressTopic);
    }

    /** The same settings, placing transactions and rebuilding history from {@code progressTopic}. */
    public OffsetMappingSettings withProgress(String progressTopic) {
        return new OffsetMappingSettings(flow, offsetSyncsTopic, checkpointsTopic, sourceClientProps,
                targetClientProps, offsetSyncsAdminProps, targetAdminProps, exactWindow, exactlyOnce, history,
                offsetSyncsReplicationFactor, checkpointsReplicationFactor, progressTopic);
    }

    /** Whether a partition without a mapping in state gets its history rebuilt. */
    boolean rebuildsHistory() {
        return exactlyOnce && history != null && history.maxRecords() > 0;
    }
}
