package io.flinkmirror.job.source;

import io.flinkmirror.udfs.progress.Progress;
import io.flinkmirror.udfs.progress.ProgressStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source reader (flink-connector-kafka's, wrapped) whose restored splits resume where the flow's committed progress
 * on the target ends, when that is before their restored offset: the records in between are not on the target.
 *
 * <p>That happens when a transaction of the restored checkpoint was aborted on the target (the job was down longer
 * than the transaction timeout between the checkpoint and its commit, or its commit failed while running): the
 * restored offsets are past records the target never got. The sink's committer lets such a transaction go only when
 * the committed progress ends at or before its first source offset on each of its partitions
 * ({@code SupersededCommits.Verdict.COPY_AGAIN}), so this rewind copies its records again, and the rest of the
 * restored state (other partitions, the offset mapping's history) stays.
 *
 * <p>Rewinding to the committed progress never duplicates: progress commits in the same transaction as the records
 * it describes, so nothing past it is committed on the target. It waits only for the progress to settle (every
 * transaction open on the progress topic when it looks, such as the restored ones still being committed, has ended):
 * read too early, an older progress would hide a commit in flight. While it waits, the restored splits are held (and
 * snapshotted as restored); splits assigned later and checkpoints go on. A restored offset behind the progress (an
 * older checkpoint or savepoint restored on purpose) is left alone and logged: those records are copied again.
 */
final class RewindToCommittedProgress<T> extends ForwardingSourceReader<T, KafkaPartitionSplit> {

    private static final Logger LOG = LoggerFactory.getLogger(RewindToCommittedProgress.class);

    private final String flow;
    /** Reads the committed progress once settled ({@link ProgressStore.Snapshot#complete()}), or as far as visible. */
    private final Supplier<ProgressStore.Snapshot<Progress>> progress;
    private final ExecutorService reads;
    private boolean started;
    /** The restored splits not yet handed to the delegate, or null. */
    private List<KafkaPartitionSplit> held;
    private CompletableFuture<List<KafkaPartitionSplit>> reconciled;
    private volatile boolean closed;

    RewindToCommittedProgress(String flow, SourceReader<T, KafkaPartitionSplit> delegate,
                              Supplier<ProgressStore.Snapshot<Progress>> progress) {
        super(delegate);
        this.flow = flow;
        this.progress = progress;
        this.reads = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "flink-mirror-rewind-" + flow);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void start() {
        started = true;
        delegate.start();
    }

    @Override
    public void addSplits(List<KafkaPartitionSplit> splits) {
        if (started || held != null) {
            delegate.addSplits(splits); // assigned by the enumerator: started where the target's progress ends
            return;
        }
        // Restored from a checkpoint (the source operator adds them before it starts the reader).
        held = new ArrayList<>(splits);
        List<KafkaPartitionSplit> restored = List.copyOf(splits);
        reconciled = CompletableFuture.supplyAsync(() -> reconcile(restored), reads);
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        if (held != null && reconciled.isDone()) {
            List<KafkaPartitionSplit> splits = reconciled.join();
            held = null;
            delegate.addSplits(splits);
        }
        return delegate.pollNext(output);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        CompletableFuture<Void> available = delegate.isAvailable();
        if (held == null || available.isDone()) {
            return available;
        }
        return CompletableFuture.anyOf(available, reconciled).thenApply(x -> null);
    }

    @Override
    public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
        List<KafkaPartitionSplit> splits = new ArrayList<>(delegate.snapshotState(checkpointId));
        if (held != null) {
            splits.addAll(held); // as restored: the next restore looks at them again
        }
        return splits;
    }

    @Override
    public void close() throws Exception {
        closed = true;
        reads.shutdownNow();
        delegate.close();
    }

    /** On the reads thread: the restored splits, each starting where the committed progress ends if that is earlier. */
    private List<KafkaPartitionSplit> reconcile(List<KafkaPartitionSplit> restored) {
        long began = System.nanoTime();
        ProgressStore.Snapshot<Progress> snapshot;
        boolean told = false;
        while (true) {
            try {
                snapshot = progress.get();
                if (snapshot.complete()) {
                    break;
                }
                if (!told) {
                    LOG.info("{} a transaction open on the progress topic hides where {} restored partition(s) are "
                            + "committed up to: they wait for it to end", flow, restored.size());
                    told = true;
                }
                pause();
            } catch (RuntimeException e) {
                if (closed) {
                    return restored;
                }
                if (!told) {
                    LOG.warn("{} cannot read the committed progress yet ({}): {} restored partition(s) wait for it",
                            flow, e.toString(), restored.size());
                    told = true;
                }
                pause();
            }
            if (closed) {
                return restored;
            }
        }
        List<KafkaPartitionSplit> out = new ArrayList<>(restored.size());
        Map<String, Long> behind = new HashMap<>();
        int rewound = 0;
        for (KafkaPartitionSplit split : restored) {
            TopicPartition tp = split.getTopicPartition();
            long start = split.getStartingOffset();
            Progress committed = snapshot.latest().get(tp);
            if (committed == null || start < 0 || committed.nextSourceOffset() == start) {
                out.add(split);
            } else if (committed.nextSourceOffset() < start) {
                rewound++;
                LOG.warn("{} {} resumes at {}, where its progress committed on the target ends, not at the restored "
                        + "{}: offsets {}..{} have no record committed on the target (an aborted transaction of the "
                        + "restored checkpoint, or transaction markers only) and are read again", flow, tp,
                        committed.nextSourceOffset(), start, committed.nextSourceOffset(), start - 1);
                out.add(new KafkaPartitionSplit(tp, committed.nextSourceOffset(),
                        split.getStoppingOffset().orElse(KafkaPartitionSplit.NO_STOPPING_OFFSET)));
            } else {
                behind.put(tp.toString(), committed.nextSourceOffset() - start);
                out.add(split);
            }
        }
        if (!behind.isEmpty()) {
            LOG.warn("{} restored offsets behind the progress committed on the target (an older checkpoint or "
                    + "savepoint?): offsets already replicated are copied again, per partition: {}", flow, behind);
        }
        LOG.info("{} {} restored partition(s) checked against the committed progress in {} ms, {} rewound", flow,
                restored.size(), (System.nanoTime() - began) / 1_000_000, rewound);
        return out;
    }

    private static void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
