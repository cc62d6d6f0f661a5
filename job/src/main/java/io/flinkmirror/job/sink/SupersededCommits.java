package io.flinkmirror.job.sink;

import io.flinkmirror.job.resume.ResumeFromTarget;
import io.flinkmirror.udfs.record.SourceRanges;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the sink's committer needs to tell a transaction that was committed before a restart from one that is lost,
 * when flink-connector-kafka gives up its commit, and to end the transaction a reused transactional id may have left
 * open on the target.
 *
 * <p>With pooled transactional ids ({@code TransactionNamingStrategy.POOLING}) the connector reuses an id as soon as
 * its commit succeeded (FLINK-40626): a job that recovers from a checkpoint whose transactions were committed and
 * whose ids were reused since commits them again with their old producer epoch, and Kafka answers
 * {@code ProducerFencedException} although their records are on the target. And the transaction begun on the reused
 * id after that checkpoint may still be open there, holding back {@code read_committed} readers (the last stable
 * offset) until the transaction timeout: the connector's abort on restore skips the ids of the restored
 * transactions.
 *
 * <p>{@link #committed} reads the flow's progress committed on the target ({@code read_committed}, aborting nothing;
 * {@link ResumeFromTarget#committedProgress}) to find, per source partition of a failed transaction, the source offset
 * after the last record committed there; the transaction is committed when that is past its last source offset on
 * every partition. Progress commits with its records, so this holds whatever compaction did to them since; only
 * targets without progress (written by an earlier version) are searched by content. {@link #endOpenTransaction}
 * fences the id: {@code initTransactions()} aborts whatever is open on it.
 */
public final class SupersededCommits implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SupersededCommits.class);
    private static final Duration CLOSE = Duration.ofSeconds(10);
    private static final long DESCRIBE_TIMEOUT_MS = 10_000;
    private static final Duration PROGRESS_WAIT = Duration.ofSeconds(20);
    private static final Duration PROGRESS_POLL = Duration.ofMillis(500);

    private final String flow;
    private final ResumeFromTarget target;
    private final HashMap<String, String> targetProducerProps;
    private final HashMap<String, String> targetAdminProps;

    /**
     * @param flow                the flow's name, for the log
     * @param target              the flow's look-up of what its target holds (only its non-aborting
     *                            {@link ResumeFromTarget#committedEnds} is used)
     * @param targetProducerProps the sink's producer properties (bootstrap, security, transaction timeout)
     * @param targetAdminProps    the target's admin properties, to describe the transaction being ended
     */
    public SupersededCommits(String flow, ResumeFromTarget target, Map<String, String> targetProducerProps,
                             Map<String, String> targetAdminProps) {
        this.flow = Objects.requireNonNull(flow, "flow");
        this.target = Objects.requireNonNull(target, "target");
        this.targetProducerProps = new HashMap<>(targetProducerProps);
        this.targetAdminProps = new HashMap<>(targetAdminProps);
    }

    /** What became of a transaction whose commit failed. */
    enum Verdict {
        /** Its records are all committed on the target (it was committed before a restart). */
        COMMITTED,
        /**
         * Not committed, and the flow's committed progress on the target ends at or before its first source offset on
         * every partition it held: a source reader restored from a checkpoint past it rewinds there
         * ({@link io.flinkmirror.job.source.RewindToCommittedProgress}) and copies its records again.
         */
        COPY_AGAIN,
        /** Not committed, and nothing on the target tells where its partitions resume. */
        LOST
    }

    /**
     * The verdict on each of {@code failed} (an identity map). A transaction is {@link Verdict#COMMITTED} when, for
     * each of its source partitions, the target's last committed record is the replica of the transaction's last
     * source offset or of a later one. Transactions with unknown source ranges are never committed, and are lost
     * unless the target can be read.
     *
     * <p>Sound while no later transaction of the same source partitions is committed yet: the committer commits a
     * checkpoint's transactions before any of a later checkpoint, and a target partition has one writer at a time.
     */
    Map<GuardedCommittable, Verdict> judge(List<GuardedCommittable> failed) {
        Map<GuardedCommittable, Map<TopicPartition, long[]>> ranges = new IdentityHashMap<>();
        Set<TopicPartition> partitions = new HashSet<>();
        Map<GuardedCommittable, Verdict> verdicts = new IdentityHashMap<>();
        for (GuardedCommittable committable : failed) {
            verdicts.put(committable, Verdict.LOST);
            Optional<Map<TopicPartition, long[]>> known = SourceRanges.ranges(committable.sourceRanges());
            if (known.isPresent()) {
                ranges.put(committable, known.get());
                partitions.addAll(known.get().keySet());
            }
        }
        if (ranges.isEmpty()) {
            return verdicts;
        }
        Ends ends;
        try {
            ends = committedEnds(ranges.values(), partitions);
        } catch (RuntimeException e) {
            LOG.warn("{} could not read the target to check whether {} transaction(s) were committed before: {}",
                    flow, ranges.size(), e.toString());
            return verdicts;
        }
        for (Map.Entry<GuardedCommittable, Map<TopicPartition, long[]>> e : ranges.entrySet()) {
            boolean committed = true;
            boolean rewinds = ends.settled();
            for (Map.Entry<TopicPartition, long[]> range : e.getValue().entrySet()) {
                Long end = ends.ends().get(range.getKey());
                if (committed && (end == null || end <= range.getValue()[1])) {
                    committed = false;
                    LOG.info("{} {} of transaction {} is not on the target: the target's last committed record of "
                            + "it is the replica of source offset {}", flow, range.getKey() + "@"
                            + range.getValue()[1], e.getKey().kafka().getTransactionalId(),
                            end == null ? "unknown" : String.valueOf(end - 1));
                }
                rewinds &= ends.fromProgress().contains(range.getKey()) && end != null
                        && end <= range.getValue()[0];
            }
            verdicts.put(e.getKey(), committed ? Verdict.COMMITTED : rewinds ? Verdict.COPY_AGAIN : Verdict.LOST);
        }
        return verdicts;
    }

    /**
     * Per source partition, the source offset after its last record committed on the target ({@code ends}); those
     * of the partitions in {@code fromProgress} come from the flow's committed progress, which is final when
     * {@code settled} (every transaction open on the progress topic when it was read had ended).
     */
    private record Ends(Map<TopicPartition, Long> ends, Set<TopicPartition> fromProgress, boolean settled) {}

    /**
     * Per source partition, the source offset after its last record committed on the target: from the flow's
     * committed progress, read again (every {@link #PROGRESS_POLL}, for at most {@link #PROGRESS_WAIT}) while it does
     * not show every failed transaction committed and a transaction still open on the progress topic may hide it (a
     * restored transaction of another subtask not committed yet: they commit as the job restores). By content only
     * for partitions without any progress (a target an earlier version wrote) or when the progress stays hidden.
     */
    private Ends committedEnds(java.util.Collection<Map<TopicPartition, long[]>> ranges,
                               Set<TopicPartition> partitions) throws RuntimeException {
        long deadline = System.nanoTime() + PROGRESS_WAIT.toNanos();
        while (true) {
            io.flinkmirror.udfs.progress.ProgressStore.Snapshot<Long> progress =
                    target.committedProgress(partitions);
            if (progress == null || !progress.exists()) {
                return new Ends(target.committedEnds(new ArrayList<>(partitions)), Set.of(), false);
            }
            boolean all = true;
            for (Map<TopicPartition, long[]> range : ranges) {
                for (Map.Entry<TopicPartition, long[]> e : range.entrySet()) {
                    Long end = progress.latest().get(e.getKey());
                    all &= end != null && end > e.getValue()[1];
                }
            }
            if (all || progress.complete()) {
                Map<TopicPartition, Long> ends = new HashMap<>(progress.latest());
                Set<TopicPartition> fromProgress = new HashSet<>(ends.keySet());
                Set<TopicPartition> without = new HashSet<>(partitions);
                without.removeAll(ends.keySet());
                if (!without.isEmpty()) {
                    ends.putAll(target.committedEnds(new ArrayList<>(without)));
                }
                return new Ends(ends, fromProgress, progress.complete());
            }
            if (System.nanoTime() > deadline) {
                LOG.info("{} a transaction open on the progress topic still hides whether {} transaction(s) were "
                        + "committed after {} s: looking for their records instead", flow, ranges.size(),
                        PROGRESS_WAIT.toSeconds());
                Map<TopicPartition, Long> ends = target.committedEnds(new ArrayList<>(partitions));
                progress.latest().forEach((tp, end) -> ends.merge(tp, end, Math::max));
                return new Ends(ends, Set.of(), false);
            }
            try {
                Thread.sleep(PROGRESS_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /**
     * Ends whatever transaction is open on {@code transactionalId} on the target: a short-lived producer with that id
     * calls {@code initTransactions()}, which bumps the id's epoch and aborts its open transaction (one preparing its
     * commit completes first). Logs one INFO line with what was open; a failure only logs a WARN.
     */
    void endOpenTransaction(String transactionalId) {
        String before = describe(transactionalId);
        Properties props = new Properties();
        props.putAll(targetProducerProps);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "flink-mirror-fence-" + transactionalId);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            producer.close(CLOSE);
        } catch (RuntimeException e) {
            LOG.warn("{} could not fence transactional id {} ({}): a transaction open on it ends at its timeout or "
                    + "when the sink reuses the id; before: {}", flow, transactionalId, e.toString(), before);
            return;
        }
        LOG.info("{} fenced transactional id {} to end the transaction its reuse may have left open on the target "
                + "(before: {}; {} ms)", flow, transactionalId, before, (System.nanoTime() - start) / 1_000_000);
    }

    /** The state of {@code transactionalId}'s transaction on the target, for the log; never throws. */
    private String describe(String transactionalId) {
        Properties props = new Properties();
        props.putAll(targetAdminProps);
        try (Admin admin = Admin.create(props)) {
            TransactionDescription d = admin.describeTransactions(List.of(transactionalId)).description(transactionalId)
                    .get(DESCRIBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            StringBuilder out = new StringBuilder("state ").append(d.state()).append(", producer id ")
                    .append(d.producerId()).append(" epoch ").append(d.producerEpoch());
            if (!d.topicPartitions().isEmpty()) {
                out.append(", open on ").append(d.topicPartitions().size()).append(" partition(s) ")
                        .append(d.topicPartitions());
                d.transactionStartTimeMs().ifPresent(t -> out.append(", begun ")
                        .append(System.currentTimeMillis() - t).append(" ms ago"));
            }
            return out.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "state unknown (interrupted)";
        } catch (Exception e) {
            return "state unknown (" + e + ")";
        }
    }
}
