package io.flinkmirror.job.source.throttle;

import org.apache.flink.api.connector.source.SourceEvent;

/** The messages between a throttled flow's source readers and its enumerator, which holds the {@link ByteBudget}. */
final class ThrottleEvents {

    private ThrottleEvents() {
    }

    /** Reader to enumerator: the reader wants another chunk of bytes. */
    record Request() implements SourceEvent {
        private static final long serialVersionUID = 1L;
    }

    /** Enumerator to reader: the reader may read {@code bytes} more. */
    record Grant(long bytes) implements SourceEvent {
        private static final long serialVersionUID = 1L;
    }
}
