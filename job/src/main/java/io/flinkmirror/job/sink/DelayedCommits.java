package io.flinkmirror.job.sink;

import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for tests of the real process: a committer that waits {@value #PROPERTY} milliseconds before it
 * commits a completed checkpoint's transactions, so that a kill lands between a checkpoint's completion and its
 * commit (the window is otherwise milliseconds wide), or, longer than the transaction timeout, so that a commit fails
 * while the job runs. {@value #COUNT_PROPERTY} bounds how many commits of the JVM wait (default: all), and
 * {@value #FROM_PROPERTY} says which is the first (default: 1; counting the JVM's commits of transactions with
 * records). It logs
 * {@value #HOLDING} when it starts waiting. On only when
 * the JVM runs with {@code -D}{@value #PROPERTY}{@code =<ms>}; never set it on a mirror whose data matters.
 */
public final class DelayedCommits implements Committer<KafkaCommittable> {

    /** The JVM system property that turns it on, in milliseconds. */
    public static final String PROPERTY = "flink-mirror.fault.delay-commits-ms";
    /** The JVM system property bounding how many commits (of transactions with records) wait, JVM-wide. */
    public static final String COUNT_PROPERTY = "flink-mirror.fault.delay-commits-count";
    /** The JVM system property naming the first commit (1-based, JVM-wide) that waits. */
    public static final String FROM_PROPERTY = "flink-mirror.fault.delay-commits-from";
    private static final long FROM = Long.getLong(FROM_PROPERTY, 1L);
    private static final long UNTIL = FROM + Long.getLong(COUNT_PROPERTY, Long.MAX_VALUE - FROM);
    private static final java.util.concurrent.atomic.AtomicLong COMMITS = new java.util.concurrent.atomic.AtomicLong();
    /** Start of the log line written when a commit is held back. */
    public static final String HOLDING = "Fault injection: holding back the commit of";

    private static final Logger LOG = LoggerFactory.getLogger(DelayedCommits.class);

    private final Committer<KafkaCommittable> delegate;
    private final long delayMillis;

    public DelayedCommits(Committer<KafkaCommittable> delegate, long delayMillis) {
        this.delegate = delegate;
        this.delayMillis = delayMillis;
    }

    /** The delay this JVM was started with ({@value #PROPERTY}), 0 when none. */
    public static long requested() {
        return Long.getLong(PROPERTY, 0L);
    }

    @Override
    public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
            throws java.io.IOException, InterruptedException {
        long commit = requests.isEmpty() ? 0 : COMMITS.incrementAndGet();
        if (commit >= FROM && commit < UNTIL) {
            LOG.warn("{} {} transaction(s) for {} ms", HOLDING, requests.size(), delayMillis);
            Thread.sleep(delayMillis);
        }
        delegate.commit(requests);
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }
}
