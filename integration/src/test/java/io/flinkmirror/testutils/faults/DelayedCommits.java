package io.flinkmirror.testutils.faults;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.util.function.SerializableFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for tests of the real process: a committer that waits before it commits a completed checkpoint's
 * transactions, so that a kill lands between a checkpoint's completion and its commit (the window is otherwise
 * milliseconds wide), or, longer than the transaction timeout, so that a commit fails while the job runs. It logs
 * {@value #HOLDING} when it starts waiting. A mirror started with {@link #options} (and {@link FaultsJar} on its
 * classpath) delays its commits.
 */
public final class DelayedCommits
        implements SerializableFunction<Committer<KafkaCommittable>, Committer<KafkaCommittable>> {

    private static final long serialVersionUID = 1L;
    /** The JVM system property holding the delay, in milliseconds. */
    static final String DELAY_PROPERTY = "flink-mirror.fault.delay-commits-ms";
    /** The JVM system property bounding how many commits (of transactions with records) wait, JVM-wide. */
    static final String COUNT_PROPERTY = "flink-mirror.fault.delay-commits-count";
    /** The JVM system property naming the first commit (1-based, JVM-wide) that waits. */
    static final String FROM_PROPERTY = "flink-mirror.fault.delay-commits-from";
    /** Start of the log line written when a commit is held back. */
    public static final String HOLDING = "Fault injection: holding back the commit of";

    private static final Logger LOG = LoggerFactory.getLogger(DelayedCommits.class);
    private static final AtomicLong COMMITS = new AtomicLong();

    /** The JVM options of a mirror whose commits wait {@code delayMillis}, every one of them. */
    public static List<String> options(long delayMillis) {
        return options(delayMillis, 1, -1);
    }

    /**
     * The JVM options of a mirror whose commits wait {@code delayMillis}: {@code count} of them (-1: all) from the
     * {@code from}th on (1-based, counting the JVM's commits of transactions with records).
     */
    public static List<String> options(long delayMillis, long from, long count) {
        List<String> options = new ArrayList<>(List.of(
                "-D" + FaultsJar.DECORATOR_PROPERTY + "=" + DelayedCommits.class.getName(),
                "-D" + DELAY_PROPERTY + "=" + delayMillis, "-D" + FROM_PROPERTY + "=" + from));
        if (count >= 0) {
            options.add("-D" + COUNT_PROPERTY + "=" + count);
        }
        return options;
    }

    @Override
    public Committer<KafkaCommittable> apply(Committer<KafkaCommittable> delegate) {
        long delayMillis = Long.getLong(DELAY_PROPERTY, 0L);
        long from = Long.getLong(FROM_PROPERTY, 1L);
        long until = from + Long.getLong(COUNT_PROPERTY, Long.MAX_VALUE - from);
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
                    throws java.io.IOException, InterruptedException {
                long commit = requests.isEmpty() ? 0 : COMMITS.incrementAndGet();
                if (commit >= from && commit < until) {
                    LOG.warn("{} {} transaction(s) for {} ms", HOLDING, requests.size(), delayMillis);
                    Thread.sleep(delayMillis);
                }
                delegate.commit(requests);
            }

            @Override
            public void close() throws Exception {
                delegate.close();
            }
        };
    }
}
