package io.flinkmirror.job.source.throttle;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The byte budget of one throttled flow, held by its source's enumerator: a token bucket filled at the flow's rate,
 * handed out in chunks to the source readers that ask for one, in the order they asked.
 *
 * <p>Invariants: (1) the bytes granted up to any time {@code t} since the start never exceed
 * {@code rate * t + capacity()}: tokens accrue at {@code rate}, at most {@link #capacity()} are held, and a grant only
 * takes tokens that are there; (2) a reader waits at most once in the queue (asking again while waiting changes
 * nothing), so readers that read all the time take turns and share the rate equally, while a reader without data asks
 * nothing and leaves its share to the others; (3) while any reader waits, no token is lost to the capacity cap, so
 * busy readers together get the whole rate, however the partitions are spread over them (the bucket holds up to two
 * chunks, so the enumerator's grant ticks, every few ms, may be up to {@value #CHUNK_MILLIS} ms late without loss).
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

    /** Reader {@code subtask} asks for a chunk (again: no change while it waits). */
    void request(int subtask) {
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

    /** Fills the bucket up to {@code nowNanos}, then grants a chunk to each waiting reader in turn while tokens last. */
    List<Grant> grant(long nowNanos) {
        long elapsed = Math.max(0, nowNanos - lastNanos);
        lastNanos = nowNanos;
        tokens = Math.min(capacity, tokens + elapsed * (bytesPerSecond / 1e9));
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
}
