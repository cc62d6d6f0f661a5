package io.flinkmirror.udfs.lag;

import java.time.Duration;

/**
 * Whether a flow is catching up (processing a backlog) or following the head of its source, from how far behind its
 * reader is ({@link TimeLag}), with hysteresis so it does not flap. Catching up starts when the reader is more than
 * {@code enterLag} behind, or when a record it has yet to read predates the lag history and at least
 * {@code unknownAgeRecords} records wait; it ends when the reader is less than {@code exitLag} behind.
 * Measured from committed offsets alone, which move only on checkpoints, {@code exitLag} would have to exceed the
 * checkpoint interval used while catching up; measured from where the readers are ({@link #forReaderPositions}), it
 * need not.
 */
public final class BacklogDetector {

    private final long enterLagMs;
    private final long exitLagMs;
    private final long unknownAgeRecords;
    private boolean backlog;

    public BacklogDetector(Duration enterLag, Duration exitLag, long unknownAgeRecords) {
        if (exitLag.compareTo(enterLag) >= 0) {
            throw new IllegalArgumentException("exitLag (" + exitLag + ") must be below enterLag (" + enterLag + ")");
        }
        this.enterLagMs = enterLag.toMillis();
        this.exitLagMs = exitLag.toMillis();
        this.unknownAgeRecords = unknownAgeRecords;
    }

    /**
     * Thresholds for a job whose checkpoint interval while catching up is {@code backlogInterval} and whose lag is
     * measured from where its readers are (reported every second, so fresh within about two seconds): out of catching
     * up within 2 s of the end; into it beyond twice the backlog interval, and at least 10 s.
     */
    public static BacklogDetector forReaderPositions(Duration backlogInterval) {
        Duration exit = Duration.ofSeconds(2);
        Duration twice = backlogInterval.multipliedBy(2);
        Duration enter = twice.compareTo(Duration.ofSeconds(10)) > 0 ? twice : Duration.ofSeconds(10);
        return new BacklogDetector(enter, exit, 10_000);
    }

    /**
     * Takes the largest lag over the partitions whose waiting records have a known age, and the number of records
     * waiting behind records older than the lag history; returns whether the state changed.
     */
    public boolean update(long maxKnownLagMs, long unknownAgeWaiting) {
        long lag = unknownAgeWaiting >= unknownAgeRecords ? Long.MAX_VALUE : maxKnownLagMs;
        boolean next = backlog ? lag >= exitLagMs : lag > enterLagMs;
        boolean changed = next != backlog;
        backlog = next;
        return changed;
    }

    public boolean backlog() {
        return backlog;
    }

    public long enterLagMs() {
        return enterLagMs;
    }

    public long exitLagMs() {
        return exitLagMs;
    }
}
