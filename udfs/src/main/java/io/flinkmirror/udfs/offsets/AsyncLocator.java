package io.flinkmirror.udfs.offsets;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import io.flinkmirror.udfs.progress.Progress;
import io.flinkmirror.udfs.progress.ProgressIndex;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reads of {@link OffsetMappingFunction} that may take long, on a thread of their own so that the task thread
 * (and the checkpoint barriers passing through it) never waits for the target: locating transactions
 * ({@link TransactionLocator}) and rebuilding the mapping of data replicated before a start without state
 * ({@link TargetHistory}). At most one lookup and one rebuild per key at a time; the task thread starts them and
 * picks up their results when done. Its Kafka consumers belong to the reads thread (a consumer is not thread-safe).
 */
final class AsyncLocator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncLocator.class);
    /** Progress records kept per source partition: about 14 minutes of 200 ms checkpoints, for history rebuilds. */
    static final int PROGRESS_KEPT = 4_096;

    private final OffsetMappingSettings settings;
    private final ExecutorService reads;
    private final KafkaReader locatorReader;
    private final TransactionLocator locator;
    private final Map<String, Lookup> lookups = new HashMap<>();
    private final Map<String, Future<Rebuilt>> rebuilds = new HashMap<>();
    /** Keys whose rebuild was started in this run (one attempt per key and run). */
    private final Set<String> rebuildStarted = new HashSet<>();
    /** The reads thread's readers for rebuilds (long sequential reads), created on first use. */
    private KafkaReader scanSource;
    private KafkaReader scanTarget;

    /** Progress records of the keys this subtask owns; null without a progress topic. Read on the reads thread. */
    private final ProgressIndex progress;

    AsyncLocator(OffsetMappingSettings settings, String threadName) {
        this(settings, threadName, tp -> true);
    }

    /** A locator of the source partitions {@code owned} accepts (the keys of this subtask). */
    AsyncLocator(OffsetMappingSettings settings, String threadName, Predicate<TopicPartition> owned) {
        this.settings = settings;
        this.progress = settings.progressTopic() == null ? null
                : new ProgressIndex(settings.targetClientProps(), settings.progressTopic(), PROGRESS_KEPT, owned);
        this.reads = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, threadName);
            thread.setDaemon(true);
            return thread;
        });
        // Its consumer connects on first use: a target that is down fails a lookup (retried), not the start.
        this.locatorReader = new KafkaReader(settings.targetClientProps());
        this.locator = new TransactionLocator(locatorReader);
    }

    // ---- lookups -------------------------------------------------------------------------------------------------

    /** The lookup of {@code key} in flight or done, or null. */
    Lookup lookup(String key) {
        return lookups.get(key);
    }

    /** Forgets {@code key}'s finished lookup once its outcome is applied. */
    void lookupApplied(String key) {
        lookups.remove(key);
    }

    /** Locates {@code writes}, in order, from target offset {@code from} (-1: unknown, at-least-once). */
    void startLookup(String key, long from, List<PartitionWrites> writes) {
        List<PartitionWrites> copy = List.copyOf(writes);
        lookups.put(key, new Lookup(from, copy.get(0).checkpointId, reads.submit(() -> locateInOrder(copy, from))));
    }

    /**
     * On the reads thread: locates {@code writes} one after the other, each from where the previous one ended,
     * until one is not committed yet (or a read fails).
     */
    private Located locateInOrder(List<PartitionWrites> writes, long from) {
        if (progress != null) {
            try {
                progress.catchUp();
            } catch (InterruptException e) {
                throw e; // closing
            } catch (RuntimeException e) {
                return new Located(List.of(), System.currentTimeMillis(), e, from);
            }
            List<TransactionLocator.Placement> placements = new ArrayList<>();
            long next = from;
            for (PartitionWrites w : writes) {
                TopicPartition sourceTp = new TopicPartition(w.sourceTopic, w.partition);
                int lastRun = w.runStarts.length - 1;
                long end = w.hasSeenRange || lastRun < 0 ? w.seenUntil
                        : w.runStarts[lastRun] + w.runLengths[lastRun];
                Optional<Progress> found = progress.find(sourceTp, end, w.recordCount());
                if (found.isPresent() && w.recordCount() == 0) {
                    placements.add(new TransactionLocator.Placement(next, List.of())); // dropped records only
                    progress.forgetUpTo(sourceTp, end);
                    continue;
                }
                if (found.isPresent() && found.get().targetSegments() != null) {
                    long[] segments = found.get().targetSegments();
                    List<long[]> placed = new ArrayList<>();
                    for (int i = 0; i < segments.length; i += 2) {
                        placed.add(new long[] {segments[i], segments[i + 1]});
                    }
                    placements.add(new TransactionLocator.Placement(segments[0], placed));
                    next = found.get().nextTargetOffset();
                    progress.forgetUpTo(sourceTp, end);
                    continue;
                }
                if (!progress.hasPassed(sourceTp, end)) {
                    break; // not committed yet
                }
                // Written without progress (restored from a savepoint of an earlier version): by its records.
                Located old = locateByRecords(List.of(w), next);
                if (old.error() != null || old.placements().isEmpty()) {
                    return new Located(placements, System.currentTimeMillis(), old.error(), from);
                }
                placements.add(old.placements().get(0));
                next = old.placements().get(0).nextOffset();
            }
            return new Located(placements, System.currentTimeMillis(), null, from);
        }
        return locateByRecords(writes, from);
    }

    /** Locates {@code writes} by their records' fingerprints ({@link TransactionLocator}). */
    private Located locateByRecords(List<PartitionWrites> writes, long from) {
        List<TransactionLocator.Placement> placements = new ArrayList<>();
        RuntimeException error = null;
        long next = from;
        if (next < 0) {
            // At-least-once, the first writes of this partition: where do they start?
            PartitionWrites first = writes.get(0);
            TopicPartition tp = new TopicPartition(first.targetTopic, first.partition);
            try {
                next = locator.startBeforeEnd(tp, locatorReader.beginningOffset(tp), writes)
                        .orElse(locatorReader.endOffset(tp));
            } catch (InterruptException e) {
                throw e; // closing
            } catch (RuntimeException e) {
                return new Located(placements, System.currentTimeMillis(), e, -1);
            }
        }
        long start = next;
        for (PartitionWrites w : writes) {
            TopicPartition tp = new TopicPartition(w.targetTopic, w.partition);
            if (w.recordCount() == 0) {
                // Dropped records only: nothing to find (if their transaction aborted, they are processed and
                // dropped again).
                placements.add(new TransactionLocator.Placement(next, List.of()));
                continue;
            }
            Optional<TransactionLocator.Placement> found;
            try {
                found = settings.exactlyOnce() ? locator.locate(tp, next, w) : locator.locate(tp, next, w, maxScan(w));
            } catch (InterruptException e) {
                throw e; // closing
            } catch (RuntimeException e) {
                error = e;
                break;
            }
            if (found.isEmpty()) {
                break;
            }
            placements.add(found.get());
            next = found.get().nextOffset();
        }
        return new Located(placements, System.currentTimeMillis(), error, start);
    }

    /**
     * At-least-once: how far past where a batch of writes should start it is looked for. Only stray records sit there
     * (another writer's, or duplicates a failed run wrote after its last checkpoint), so the bound keeps each look
     * proportional to the batch; a batch not found within it is skipped (counted as unaligned). Exactly-once looks
     * without bound (aborted transactions of a failed run may lie in between).
     */
    private static long maxScan(PartitionWrites writes) {
        return 4 * writes.recordCount() + 10_000;
    }

    /** A lookup of one key's pending writes, from target offset {@code from}, running on the reads thread. */
    record Lookup(long from, long firstCheckpointId, Future<Located> result) {
        Located outcome() throws InterruptedException {
            try {
                return result.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                return new Located(List.of(), System.currentTimeMillis(), cause instanceof RuntimeException
                        ? (RuntimeException) cause : new IllegalStateException(cause), -1);
            }
        }
    }

    /**
     * What a lookup found: the placements of the first pending writes, in order; a read error, if any; and the
     * target offset it looked from (found by the lookup itself when it started unknown, -1 if that failed).
     */
    record Located(List<TransactionLocator.Placement> placements, long foundAtMillis, RuntimeException error,
                   long start) {}

    // ---- history rebuilds ----------------------------------------------------------------------------------------

    /**
     * Starts the rebuild of {@code key}'s mapping below target offset {@code end} (null: the end when it runs), once
     * per key and run; returns whether it started.
     */
    boolean startRebuild(String key, TopicPartition sourceTp, TopicPartition targetTp, Long end) {
        if (!settings.rebuildsHistory() || (end != null && end == 0) || !rebuildStarted.add(key)) {
            return false; // nothing to rebuild below offset 0
        }
        OffsetMappingSettings.History history = settings.history();
        rebuilds.put(key, reads.submit(() -> {
            try {
                if (scanSource == null) {
                    scanSource = KafkaReader.forScans(settings.sourceClientProps());
                    scanTarget = KafkaReader.forScans(settings.targetClientProps());
                }
                long upTo = end != null ? end : scanTarget.endOffset(targetTp);
                List<long[]> fromProgress = ProgressHistory.pieces(progress, sourceTp, upTo);
                if (!fromProgress.isEmpty()) {
                    return new Rebuilt(targetTp.topic(), upTo, fromProgress, null);
                }
                return new Rebuilt(targetTp.topic(), upTo, TargetHistory.rebuild(scanSource, scanTarget, sourceTp,
                        targetTp, upTo, history.maxRecords(), history.replicated()), null);
            } catch (InterruptException e) {
                throw e; // closing
            } catch (RuntimeException e) {
                return new Rebuilt(targetTp.topic(), -1, List.of(), e);
            }
        }));
        return true;
    }

    /** {@code key}'s rebuild, or null when none is waiting to be applied. */
    Future<Rebuilt> rebuild(String key) {
        return rebuilds.get(key);
    }

    /** What {@code key}'s finished rebuild found; it is then forgotten. */
    Rebuilt takeRebuilt(String key) throws InterruptedException {
        Future<Rebuilt> future = rebuilds.remove(key);
        try {
            return future.get();
        } catch (ExecutionException e) {
            return new Rebuilt(null, -1, List.of(), new IllegalStateException(e.getCause()));
        }
    }

    /** What a rebuild found: the target end it looked below, and the runs of the records there. */
    record Rebuilt(String targetTopic, long end, List<long[]> runs, RuntimeException error) {}

    @Override
    public void close() throws Exception {
        reads.shutdownNow();
        if (!reads.awaitTermination(10, TimeUnit.SECONDS)) {
            LOG.warn("{} offset locator thread did not stop within 10 s", settings.flow());
        }
        locatorReader.close();
        if (progress != null) {
            progress.close();
        }
        if (scanSource != null) {
            scanSource.close();
            scanTarget.close();
        }
    }
}
