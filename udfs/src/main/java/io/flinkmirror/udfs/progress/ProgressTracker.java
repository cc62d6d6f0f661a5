package io.flinkmirror.udfs.progress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one sink writer's open transaction holds, per source partition, turned into one {@link Progress} per
 * partition when the transaction is about to be pre-committed.
 *
 * <p>The task thread calls {@link #processed} for every record in source order (written, or dropped by a transform);
 * the producer's I/O thread calls {@link #acknowledged} for every record the target acknowledged. {@link #drain} runs
 * on the task thread after the producer was flushed (every record of the transaction acknowledged, and the
 * acknowledgements seen: the producer runs a record's callback before its flush completes); it then starts the next
 * transaction's tracking.
 *
 * <p>Invariants: a target partition has one writer (this one), so the target offsets acknowledged for it in one
 * transaction are those of exactly the records written to it, in write order (control markers of other transactions
 * may sit between them: the target runs are kept as segments). When fewer were acknowledged than written (a send
 * failed, and the checkpoint with it), the target offsets are reported unknown.
 */
public final class ProgressTracker {

    /** Per target topic, indexed by partition. */
    private final Map<String, Entry[]> entries = new HashMap<>();
    private final List<Entry> active = new ArrayList<>();
    private final String ignoredTopic;
    /** The last entry processed: records come in runs of one partition. */
    private Entry last;

    /** A tracker; acknowledgements of records of {@code ignoredTopic} (the progress topic itself) are ignored. */
    public ProgressTracker(String ignoredTopic) {
        this.ignoredTopic = ignoredTopic;
    }

    /** Notes source record {@code offset} of {@code sourceTopic}-{@code partition} as processed; written or not. */
    public void processed(String sourceTopic, String targetTopic, int partition, long offset, boolean written) {
        Entry e = last;
        if (e == null || e.partition != partition || !e.targetTopic.equals(targetTopic)) {
            e = entry(targetTopic, partition, true);
            last = e;
        }
        synchronized (e) {
            if (e.sourceTopic == null) {
                e.sourceTopic = sourceTopic;
            }
            if (e.firstSource < 0) {
                e.firstSource = offset;
                active.add(e);
            }
            e.nextSource = offset + 1;
            if (written) {
                e.runs.add(offset);
                e.written++;
            }
        }
    }

    /** The target acknowledged a record at {@code offset} of {@code topic}-{@code partition} (any thread). */
    public void acknowledged(String topic, int partition, long offset) {
        if (offset < 0 || topic.equals(ignoredTopic)) {
            return;
        }
        Entry e = entry(topic, partition, false);
        if (e == null) {
            return;
        }
        synchronized (e) {
            e.segments.add(offset);
            e.acked++;
        }
    }

    /** Whether any record was processed since the last drain. */
    public boolean isEmpty() {
        return active.isEmpty();
    }

    /** The progress of every partition processed since the last drain, and a fresh start for the next. */
    public List<Progress> drain() {
        List<Progress> out = new ArrayList<>(active.size());
        for (Entry e : active) {
            synchronized (e) {
                long[] runs = e.runs.toArray();
                long[] segments = e.acked == e.written ? sorted(e.segments.pairs, e.segments.count) : null;
                out.add(new Progress(e.sourceTopic, e.partition, e.nextSource, e.firstSource, runs, segments));
                e.firstSource = -1;
                e.written = 0;
                e.acked = 0;
                e.runs.clear();
                e.segments.clear();
            }
        }
        active.clear();
        return out;
    }

    /** The segments in offset order, adjacent ones merged (acknowledgements normally come in order already). */
    private static long[] sorted(long[] segments, int count) {
        if (count == 0) {
            return new long[0];
        }
        long[][] pairs = new long[count][];
        for (int i = 0; i < count; i++) {
            pairs[i] = new long[] {segments[2 * i], segments[2 * i + 1]};
        }
        Arrays.sort(pairs, (x, y) -> Long.compare(x[0], y[0]));
        long[] out = new long[2 * count];
        int n = 0;
        for (long[] p : pairs) {
            if (n > 0 && out[2 * n - 2] + out[2 * n - 1] == p[0]) {
                out[2 * n - 1] += p[1];
            } else {
                out[2 * n] = p[0];
                out[2 * n + 1] = p[1];
                n++;
            }
        }
        return Arrays.copyOf(out, 2 * n);
    }

    private Entry entry(String targetTopic, int partition, boolean create) {
        synchronized (entries) {
            Entry[] byPartition = entries.get(targetTopic);
            if (byPartition == null || byPartition.length <= partition) {
                if (!create) {
                    return null;
                }
                Entry[] grown = new Entry[partition + 1];
                if (byPartition != null) {
                    System.arraycopy(byPartition, 0, grown, 0, byPartition.length);
                }
                byPartition = grown;
                entries.put(targetTopic, byPartition);
            }
            Entry e = byPartition[partition];
            if (e == null && create) {
                e = new Entry(targetTopic, partition);
                byPartition[partition] = e;
            }
            return e;
        }
    }

    private static final class Entry {
        final String targetTopic;
        final int partition;
        String sourceTopic;
        long firstSource = -1;
        long nextSource;
        long written;
        long acked;
        final Runs runs = new Runs();
        final Runs segments = new Runs();

        Entry(String targetTopic, int partition) {
            this.targetTopic = targetTopic;
            this.partition = partition;
        }
    }

    /** Offsets, in the order added, as runs {@code [start, length]} of consecutive ones (flattened pairs). */
    private static final class Runs {
        long[] pairs = new long[8];
        int count;

        void add(long offset) {
            if (count > 0 && pairs[2 * count - 2] + pairs[2 * count - 1] == offset) {
                pairs[2 * count - 1]++;
                return;
            }
            if (2 * count + 2 > pairs.length) {
                pairs = Arrays.copyOf(pairs, pairs.length * 2);
            }
            pairs[2 * count] = offset;
            pairs[2 * count + 1] = 1;
            count++;
        }

        long[] toArray() {
            return Arrays.copyOf(pairs, 2 * count);
        }

        void clear() {
            count = 0;
        }
    }
}
