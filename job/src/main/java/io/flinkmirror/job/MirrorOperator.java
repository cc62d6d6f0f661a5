package io.flinkmirror.job;

/**
 * Every operator of a flow's pipeline, with its stable uid and readable name. uids are part of the savepoint format:
 * once released they never change.
 */
public enum MirrorOperator {
    SOURCE("source", "Kafka source"),
    REPLICATE("replicate", "Replicate"),
    SINK("sink", "Kafka sink"),
    OFFSET_TRACKER("offset-tracker", "Offset tracker"),
    GROUP_OFFSET_TICKS("group-offset-ticks", "Group offset ticks"),
    GROUP_OFFSET_POLLER("group-offset-poller", "Group offsets"),
    OFFSET_MAPPING("offset-mapping", "Offset mapping"),
    CHECKPOINTS_SINK("checkpoints-sink", "Checkpoints sink"),
    OFFSET_SYNCS_SINK("offset-syncs-sink", "Offset syncs sink"),
    GROUP_OFFSET_SYNC("group-offset-sync", "Group offset sync"),
    GROUP_OFFSET_SYNC_END("group-offset-sync-end", "Group offset sync end"),
    HEARTBEAT_TICKS("heartbeats-ticks", "Heartbeat ticks"),
    HEARTBEAT("heartbeats", "Heartbeats"),
    HEARTBEAT_SINK("heartbeats-sink", "Heartbeats sink");

    private final String uidSuffix;
    private final String label;

    MirrorOperator(String uidSuffix, String label) {
        this.uidSuffix = uidSuffix;
        this.label = label;
    }

    /** Stable uid of this operator in flow {@code source->target}, e.g. {@code mirror-A-B-source}. */
    public String uid(String source, String target) {
        return "mirror-" + source + "-" + target + "-" + uidSuffix;
    }

    /** Name shown in the Flink web UI, e.g. {@code A->B Kafka source}. */
    public String displayName(String source, String target) {
        return source + "->" + target + " " + label;
    }
}
