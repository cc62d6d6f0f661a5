package io.flinkmirror.job.sink;

import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;

/**
 * Fault injection for tests of the real process: a committer that commits nothing and reports nothing, so Flink counts
 * every transaction as committed while the broker keeps it open until its timeout aborts it: what a job killed between
 * a checkpoint and its commit, and down longer than the transaction timeout, leaves behind. On only when the JVM runs
 * with {@code -D}{@value #PROPERTY}{@code =true}; never set it on a mirror whose data matters.
 */
public final class HeldCommits implements Committer<KafkaCommittable> {

    /** The JVM system property that turns it on. */
    public static final String PROPERTY = "flink-mirror.fault.hold-commits";

    private final Committer<KafkaCommittable> delegate;

    public HeldCommits(Committer<KafkaCommittable> delegate) {
        this.delegate = delegate;
    }

    /** Whether this JVM was started with {@value #PROPERTY}{@code =true}. */
    public static boolean requested() {
        return Boolean.getBoolean(PROPERTY);
    }

    @Override
    public void commit(Collection<CommitRequest<KafkaCommittable>> requests) {
        // neither committed nor reported: Flink counts them as committed and goes on
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }
}
