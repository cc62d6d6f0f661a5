package io.flinkmirror.udfs.topic;

import java.io.Serializable;

/** Decides which topic config properties are copied to the target topic, as MirrorMaker 2's ConfigPropertyFilter. */
public interface ConfigPropertyFilter extends Serializable {

    /** Whether topic config property {@code name} is copied from the source topic to the target topic. */
    boolean shouldReplicateConfigProperty(String name);
}
