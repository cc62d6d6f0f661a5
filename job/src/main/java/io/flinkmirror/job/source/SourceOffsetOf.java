package io.flinkmirror.job.source;

import java.io.Serializable;

/** The source offset of a record the flow's source emits. */
@FunctionalInterface
public interface SourceOffsetOf<T> extends Serializable {
    long offset(T record);
}
