package io.flinkmirror.testutils.faults;

import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Fault injection for tests of the real process: a committer that commits nothing and reports nothing, so Flink counts
 * every transaction as committed while the broker keeps it open until its timeout aborts it: what a job killed between
 * a checkpoint and its commit, and down longer than the transaction timeout, leaves behind. A mirror started with
 * {@link #OPTIONS} (and {@link FaultsJar} on its classpath) holds every commit.
 */
public final class HeldCommits implements SerializableFunction<Committer<KafkaCommittable>, Committer<KafkaCommittable>> {

    private static final long serialVersionUID = 1L;
    /** The JVM options of a mirror whose commits are held. */
    public static final List<String> OPTIONS =
            List.of("-D" + FaultsJar.DECORATOR_PROPERTY + "=" + HeldCommits.class.getName());

    @Override
    public Committer<KafkaCommittable> apply(Committer<KafkaCommittable> delegate) {
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<KafkaCommittable>> requests) {
                // neither committed nor reported: Flink counts them as committed and goes on
            }

            @Override
            public void close() throws Exception {
                delegate.close();
            }
        };
    }
}
