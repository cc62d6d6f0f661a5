package io.flinkmirror.job.source.throttle;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The byte budget of one throttled flow, held by its source's enumerator: a token bucket filled at the flow's rate,
 * handed out in chunks to the source readers that ask for one, in the order they asked.
 *
 * <p>Invariants: (1) the bytes granted up to any time {@code t} since the start never exceed
 * {@code rate * t + chunk}: tokens accrue at {@code rate} from one chunk at the start, and a grant only takes tokens
 * that are there; (2) a reader waits at most once in the queue (asking again while waiting changes nothing), so
 * readers that read all the time take turns and share the rate equally, while a reader without data asks nothing and
 * leaves its share to the others; (3) no token that accrues while a reader waits is lost, however late the grant
 * calls come, so busy readers together get the whole rate, however the partitions are spread over them; (4) what
 * accrues while nobody waits fills the bucket up to {@link #capacity()} (two chunks) only: a flow idle for a while
 * does not burst.
 *
 * <p>Not thread-safe: used from the enumerator's coordinator thread only.
 */
final class ByteBudget {

    /** One grant: {@code bytes} more that reader {@code subtask} may read. */
    record Grant(int subtask, long bytes) {
    }

    /** Time covered by one grant: readers ask about every 50 ms at full speed (see {@link #chunk(long)}). */
    static final long CHUNK_MILLIS = 50;

    private final long bytesPerSecond;
    private final long chunk;
    private final double capacity;
    private final LinkedHashSet<Integer> waiting = new LinkedHashSet<>();
    private double tokens;
    private long lastNanos;
    private long granted;

    ByteBudget(long bytesPerSecond, long nowNanos) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.chunk = chunk(bytesPerSecond);
        this.capacity = 2.0 * chunk;
        this.tokens = chunk;
        this.lastNanos = nowNanos;
    }

    /** Bytes per grant for a rate: {@value #CHUNK_MILLIS} ms of it, at least 1 byte. */
    static long chunk(long bytesPerSecond) {
        return Math.max(1, bytesPerSecond * CHUNK_MILLIS / 1000);
    }

    /** Bytes per grant. */
    long chunk() {
        return chunk;
    }

    /** Most tokens held while nobody waits: what may be read beyond the rate after a pause. */
    long capacity() {
        return (long) capacity;
    }

    /** The configured rate. */
    long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Bytes granted so far. */
    long granted() {
        return granted;
    }

    /** Reader {@code subtask} asks for a chunk at {@code nowNanos} (again: no change while it waits). */
    void request(int subtask, long nowNanos) {
        if (waiting.isEmpty()) {
            fill(nowNanos, true); // the end of a time nobody waited: what it saved is capped
        }
        waiting.add(subtask);
    }

    /** Forgets a reader's request (the reader is gone). */
    void cancel(int subtask) {
        waiting.remove(subtask);
    }

    /** Readers waiting for a chunk. */
    int waiting() {
        return waiting.size();
    }

    /**
     * Fills the bucket up to {@code nowNanos}, then grants a chunk to each waiting reader in turn while tokens last.
     * Tokens that accrued while readers waited are all theirs (a late call grants them later, not never); tokens
     * saved while nobody waited fill the bucket up to {@link #capacity()} only.
     */
    List<Grant> grant(long nowNanos) {
        fill(nowNanos, waiting.isEmpty());
        List<Grant> grants = new ArrayList<>();
        while (!waiting.isEmpty() && tokens >= chunk) {
            Integer subtask = waiting.iterator().next();
            waiting.remove(subtask);
            tokens -= chunk;
            granted += chunk;
            grants.add(new Grant(subtask, chunk));
        }
        return grants;
    }

    private void fill(long nowNanos, boolean capped) {
        long elapsed = Math.max(0, nowNanos - lastNanos);
        lastNanos = nowNanos;
        double accrued = elapsed * (bytesPerSecond / 1e9);
        // Saved while nobody waited: only up to the capacity. Owed to readers that waited: kept whatever the amount.
        tokens = capped ? Math.max(tokens, Math.min(capacity, tokens + accrued)) : tokens + accrued;
    }
}
