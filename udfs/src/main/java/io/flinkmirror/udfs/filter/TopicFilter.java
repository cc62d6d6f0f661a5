package io.flinkmirror.udfs.filter;

import java.io.Serializable;

/** Decides which source topics are replicated, as MirrorMaker 2's {@code TopicFilter}. */
public interface TopicFilter extends Serializable {

    /** Whether {@code topic} should be replicated. */
    boolean shouldReplicateTopic(String topic);
}
