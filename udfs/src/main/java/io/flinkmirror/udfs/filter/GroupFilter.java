package io.flinkmirror.udfs.filter;

import java.io.Serializable;

/** Decides which consumer groups get their offsets checkpointed, as MirrorMaker 2's {@code GroupFilter}. */
public interface GroupFilter extends Serializable {

    /** Whether the offsets of consumer group {@code group} should be translated. */
    boolean shouldReplicateGroup(String group);
}
