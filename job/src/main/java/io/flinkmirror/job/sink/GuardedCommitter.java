package io.flinkmirror.job.sink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges every commit the connector could not make and would drop ({@link SupersededCommits.Verdict}): committed
 * before a restart goes on; copied again (transactions of the restored checkpoint: the restored source readers
 * rewind to the committed progress) goes on too, after ending the later restored transactions of this committer
 * unseen (so that none commits past the records to copy again); a live commit that fails restarts the job, which
 * then judges it as a restored one; anything else stops the job for a start without state.
 */
final class GuardedCommitter implements Committer<GuardedCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(CommitGuardSink.class);

    private final String flow;
    private final Committer<KafkaCommittable> delegate;
    private final Counter lost;
    private final Counter copiedAgain;
    private final SupersededCommits superseded;
    /** The checkpoint this committer's job was restored from, or -1. */
    private final long restoredCheckpointId;
    /** Set once a restored transaction is to be copied again: later restored ones are ended, not committed. */
    private boolean rewinding;

    GuardedCommitter(String flow, Committer<KafkaCommittable> delegate, Counter lost, Counter copiedAgain,
                     SupersededCommits superseded, long restoredCheckpointId) {
        this.flow = flow;
        this.delegate = delegate;
        this.lost = lost;
        this.copiedAgain = copiedAgain;
        this.superseded = superseded;
        this.restoredCheckpointId = restoredCheckpointId;
    }

    private boolean restored(GuardedCommittable committable) {
        return restoredCheckpointId >= 0 && committable.restoredWith(restoredCheckpointId);
    }

    @Override
    public void commit(Collection<CommitRequest<GuardedCommittable>> requests)
            throws IOException, InterruptedException {
        List<Watched> watched = new ArrayList<>(requests.size());
        List<Watched> ended = new ArrayList<>();
        for (CommitRequest<GuardedCommittable> request : requests) {
            if (rewinding && restored(request.getCommittable())) {
                ended.add(new Watched(request));
            } else {
                watched.add(new Watched(request));
            }
        }
        if (!ended.isEmpty()) {
            endUncommitted(ended);
        }
        if (watched.isEmpty()) {
            return;
        }
        delegate.commit(new ArrayList<>(watched));
        List<Watched> failed = new ArrayList<>();
        for (Watched w : watched) {
            if (w.failure != null) {
                failed.add(w);
            }
        }
        if (failed.isEmpty()) {
            return;
        }
        Map<GuardedCommittable, SupersededCommits.Verdict> verdicts = judge(failed);
        List<Watched> gone = new ArrayList<>();
        List<Watched> again = new ArrayList<>();
        for (Watched w : failed) {
            GuardedCommittable committable = w.request.getCommittable();
            String transactionalId = committable.kafka().getTransactionalId();
            switch (verdicts.get(committable)) {
                case COMMITTED -> {
                    LOG.info("{} transaction {} was committed before the restart; its id was reused since "
                            + "({}): its records are on the target ({})", flow, transactionalId,
                            w.failure.getClass().getSimpleName(), committable.sourceRanges());
                    // The transaction begun on this id after the restored checkpoint may still be open on the
                    // target, holding back read_committed readers until its timeout (the connector's abort on
                    // restore skips the ids of restored transactions). Ending it is safe: its records, and those
                    // of any transaction begun after the restored checkpoint, are replicated again from the
                    // restored source offsets; and the writer does not use this id until the committer has
                    // finished with it (the id is among the restored transactions of the writer that owns it,
                    // freed only when the writer, at its next checkpoint on this same task thread, reads that
                    // this commit finished).
                    superseded.endOpenTransaction(transactionalId);
                }
                case COPY_AGAIN -> again.add(w);
                case LOST -> gone.add(w);
            }
        }
        if (!gone.isEmpty()) {
            failLost(gone);
        }
        for (Watched w : again) {
            GuardedCommittable committable = w.request.getCommittable();
            if (!restored(committable)) {
                // The running readers are past its records: restart from the last checkpoint, which holds this
                // transaction again (this commit runs before the next snapshot), and judge it as restored.
                String message = "Transaction " + committable.kafka().getTransactionalId() + " of " + flow
                        + " could not be committed (" + w.failure + "; transaction timeout shorter than a "
                        + "checkpoint and its commit?): restarting from the last checkpoint to copy "
                        + committable.sourceRanges() + " again";
                LOG.warn(message);
                throw new IllegalStateException(message, w.failure);
            }
            copiedAgain.inc();
            rewinding = true;
            LOG.warn("{} transaction {} of the restored checkpoint was aborted on the target ({}; the job was "
                    + "down longer than the transaction timeout?): the restored source readers rewind to the "
                    + "flow's committed progress and copy {} again", flow, committable.kafka()
                    .getTransactionalId(), w.failure.getClass().getSimpleName(), committable.sourceRanges());
        }
    }

    /**
     * Ends the restored transactions that follow one to be copied again, without committing them (their records
     * are copied again too), and judges them as failed ones.
     */
    private void endUncommitted(List<Watched> ended) throws IOException {
        for (Watched w : ended) {
            superseded.endOpenTransaction(w.request.getCommittable().kafka().getTransactionalId());
        }
        Map<GuardedCommittable, SupersededCommits.Verdict> verdicts = judge(ended);
        List<Watched> gone = new ArrayList<>();
        for (Watched w : ended) {
            GuardedCommittable committable = w.request.getCommittable();
            if (verdicts.get(committable) == SupersededCommits.Verdict.LOST) {
                gone.add(w);
                w.failure = new IllegalStateException("ended uncommitted after an earlier transaction was lost");
                continue;
            }
            copiedAgain.inc();
            LOG.warn("{} transaction {} of the restored checkpoint follows one that was aborted: ended "
                    + "uncommitted, {} is copied again", flow, committable.kafka().getTransactionalId(),
                    committable.sourceRanges());
            w.request.signalFailedWithKnownReason(new IllegalStateException(
                    "ended uncommitted: an earlier transaction of the restored checkpoint was aborted; "
                            + "its records are copied again"));
        }
        if (!gone.isEmpty()) {
            failLost(gone);
        }
    }

    private Map<GuardedCommittable, SupersededCommits.Verdict> judge(List<Watched> failed) {
        Map<GuardedCommittable, SupersededCommits.Verdict> verdicts = new java.util.IdentityHashMap<>();
        List<GuardedCommittable> committables = new ArrayList<>(failed.size());
        for (Watched w : failed) {
            committables.add(w.request.getCommittable());
            verdicts.put(w.request.getCommittable(), SupersededCommits.Verdict.LOST);
        }
        if (superseded != null) {
            verdicts.putAll(superseded.judge(committables));
        }
        return verdicts;
    }

    /** Stops the job without restarts: start it without state (the records of {@code gone} are not on the target). */
    private void failLost(List<Watched> gone) {
        List<String> transactions = new ArrayList<>();
        List<String> ranges = new ArrayList<>();
        Throwable cause = null;
        for (Watched w : gone) {
            GuardedCommittable committable = w.request.getCommittable();
            transactions.add(committable.kafka().getTransactionalId());
            ranges.add(committable.sourceRanges() == null ? "unknown (restored from a savepoint of an older "
                    + "version)" : committable.sourceRanges());
            cause = w.failure;
        }
        lost.inc(transactions.size());
        String message = CommitGuardSink.LOST_MESSAGE + " (flow " + flow + ", transactions " + transactions + ": "
                + cause
                + "): the job was down longer than the transaction timeout, or another producer used "
                + "these transactional ids. The records of these source ranges are not on the target: "
                + String.join("; ", ranges) + ". Start the flow without state (bin/mirror run does it by "
                + "itself; bin/mirror submit --fresh; flink run of the job jar with --fresh): it resumes every "
                + "partition from what the target holds and copies them again";
        LOG.error(message);
        throw new SuppressRestartsException(new IllegalStateException(message, cause));
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }
}
