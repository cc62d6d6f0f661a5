package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.mm2.Checkpoint;
import io.flinkmirror.udfs.mm2.OffsetSync;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Future;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the sink wrote ({@link PartitionWrites}, one per transaction and partition) into an exact offset mapping
 * per source partition, and translates consumer group offsets with it. Keyed by source topic-partition.
 *
 * <p>The mapping is learned from committed data only: for each transaction, in order, it reads the target partition
 * ({@code read_committed}) from where the previous transaction ended and locates the transaction's records by their
 * fingerprints ({@link TransactionLocator}: first and last record, and sampled ones only where control markers sit
 * between them) on a thread of its own, so that slow reads never hold up the task thread and the checkpoint barriers
 * passing through it. Until the transaction has committed, the read finds nothing and is retried. Offset syncs (side
 * output {@link #OFFSET_SYNCS}) are emitted only then, so they never point at data that was aborted.
 *
 * <p>A group offset {@code g} is translated to the target offset of the first replicated record with source offset
 * {@code >= g} (see {@link OffsetRuns}). Beyond the mapped data, a checkpoint is written only when the source holds
 * no committed record between the last replicated one and {@code g}; checkpoints of a group never go backwards.
 *
 * <p>End-offset markers from the poller ({@link GroupOffset#endOffset}) are not translated: with the mapped data
 * they give the lag metric ({@link OffsetMappingMetrics}).
 *
 * <p>The pieces: {@link AsyncLocator} (the reads thread: lookups and history rebuilds), {@link RunPairing} (source
 * runs x target segments -> runs and offset syncs, pure), {@link GroupOffsetTranslator} (pure), {@link OffsetRuns}
 * (the mapping). This class keeps the state and decides the order.
 *
 * <p>Invariants, per key (source partition):
 * <ul>
 *   <li>Pending writes are in the order the sink wrote them; a write leaves the pending state only when it has been
 *       located committed on the target and applied to the runs, so a restore repeats any lookup in flight.</li>
 *   <li>Writes are located strictly in order, each from where the previous one ended ({@link
 *       OffsetRuns#nextDownstream}); a lookup's result is applied only if the key's pending head and
 *       {@code nextDownstream} are still the ones it started from.</li>
 *   <li>An offset sync is emitted only for a located (so committed) record; a checkpoint only for an exact
 *       translation ({@link GroupOffsetTranslator}), or one at or before the exact offset for a group older than the
 *       exact runs ({@link OffsetRuns#retire}), and never below the group's previous checkpoint.</li>
 *   <li>Runs stay exact while a group on the partition (seen in the last {@link #GROUP_ROUNDS_KEPT} poll rounds) may
 *       sit in or before them, within the exact window; the state grows with the lag of the group furthest
 *       behind, not with the history replicated.</li>
 *   <li>A rebuilt history is applied only to an empty mapping whose next target offset is at or past the end the
 *       rebuild looked below, and before any write of the key is located.</li>
 * </ul>
 */
public class OffsetMappingFunction extends KeyedCoProcessFunction<String, PartitionWrites, GroupOffset, EncodedRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OffsetMappingFunction.class);
    private static final long RETRY_MS = 200;
    /** How often a lookup in flight is checked for completion. */
    private static final long POLL_MS = 20;
    /** Pending writes one lookup locates at most. */
    private static final int MAX_PER_LOOKUP = 64;
    /** Transactions waiting to be located on the target, per partition, before the oldest are given up. */
    static final int MAX_PENDING = 2_000;
    /** Runs stay exact at least this long, for groups not seen yet ({@link OffsetRuns#retire}). */
    static final long GRACE_MS = 10 * 60_000;
    /** Poll rounds a group's position counts after it was last seen (a group deleted, or a failed listing). */
    static final long GROUP_ROUNDS_KEPT = 5;

    /** Side output: offset syncs in MirrorMaker 2's format, for {@code mm2-offset-syncs.<cluster>.internal}. */
    public static final OutputTag<EncodedRecord> OFFSET_SYNCS =
            new OutputTag<>("offset-syncs", TypeInformation.of(EncodedRecord.class));

    private final OffsetMappingSettings settings;
    private final String flow;

    private transient OffsetRunsStore runsStore;
    /** In the DEBUG line of a look-up that found the oldest pending transaction not committed yet. */
    public static final String NOT_COMMITTED_YET = "pending transaction looked up";
    private transient ListState<PartitionWrites> pendingState;
    private transient MapState<String, Long> lastCheckpoints;
    /** Per group on this partition: {committed source offset, poll round last seen}; lower bound for exact runs. */
    private transient MapState<String, long[]> groupPositions;
    /** Poll rounds seen (end-offset markers), to age {@link #groupPositions} out. */
    private transient ValueState<Long> pollRound;
    private transient ValueState<String> targetTopicState;
    /** The source offset after the last record written (in any transaction seen, located or not). */
    private transient ValueState<Long> nextUpstreamState;
    private transient Counter lostToRetention;
    /** The offset-syncs and checkpoints topics being created; joined before the first record is emitted. */
    private transient java.util.concurrent.CompletableFuture<Void> internalTopics;
    private transient KafkaReader sourceReader;
    private transient KafkaReader targetReader;
    private transient AsyncLocator locator;
    private transient Counter unaligned;
    private transient OffsetMappingMetrics metrics;
    /** Per key: {nextDownstream, checked at (ms), settled (1) or not} of the last {@link #settledBeyond} read. */
    private transient java.util.Map<String, long[]> settledChecks;
    private static final long SETTLED_CHECK_MS = 500;

    public OffsetMappingFunction(OffsetMappingSettings settings) {
        this.settings = settings;
        this.flow = settings.flow();
    }

    /** Applies a finished rebuild to {@code key}'s mapping, creating it if no writes arrived yet. */
    private void applyRebuilt(String key, AsyncLocator.Rebuilt rebuilt) throws Exception {
        if (rebuilt.error() != null) {
            LOG.warn("{} {}: could not rebuild the offset mapping of data replicated before this start (group "
                    + "offsets there get no checkpoint): {}", flow, key, rebuilt.error().toString());
            return;
        }
        OffsetRuns runs = runsStore.load(key);
        if (runs == null) {
            runs = new OffsetRuns();
            runs.nextDownstream = rebuilt.end();
            targetTopicState.update(rebuilt.targetTopic());
        }
        if (runs.isEmpty() && !rebuilt.runs().isEmpty()
                && runs.nextDownstream >= rebuilt.end()) {
            for (long[] run : rebuilt.runs()) {
                runs.append(run[0], run[1], run[2]);
            }
            long[] first = rebuilt.runs().get(0);
            long[] last = rebuilt.runs().get(rebuilt.runs().size() - 1);
            LOG.info("{} {}: offset mapping rebuilt from the target for source offsets {}..{} (target {}..{})",
                    flow, key, first[0], last[0] + last[2] - 1, first[1], last[1] + last[2] - 1);
        }
        runsStore.save(key, runs);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        // Created off the task thread (the task, and so the job's first checkpoint, need not wait for the brokers);
        // awaited before anything is written to them.
        internalTopics = new java.util.concurrent.CompletableFuture<>();
        Thread creator = new Thread(() -> {
            try {
                InternalTopics.ensure(settings.offsetSyncsAdminProps(), settings.offsetSyncsTopic(),
                        settings.offsetSyncsReplicationFactor());
                InternalTopics.ensure(settings.targetAdminProps(), settings.checkpointsTopic(),
                        settings.checkpointsReplicationFactor());
                internalTopics.complete(null);
            } catch (Throwable e) {
                internalTopics.completeExceptionally(e);
            }
        }, flow + " internal topics");
        creator.setContextClassLoader(OffsetMappingFunction.class.getClassLoader()); // Kafka loads classes by name
        creator.setDaemon(true);
        creator.start();
        runsStore = new OffsetRunsStore(getRuntimeContext());
        pendingState = getRuntimeContext().getListState(
                new ListStateDescriptor<>("pending-writes", PartitionWrites.class));
        lastCheckpoints = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("last-checkpoints", Types.STRING, Types.LONG));
        targetTopicState = getRuntimeContext().getState(new ValueStateDescriptor<>("target-topic", Types.STRING));
        groupPositions = getRuntimeContext().getMapState(new MapStateDescriptor<>("group-positions", Types.STRING,
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        pollRound = getRuntimeContext().getState(new ValueStateDescriptor<>("poll-round", Types.LONG));
        nextUpstreamState = getRuntimeContext().getState(new ValueStateDescriptor<>("next-upstream", Types.LONG));
        lostToRetention = getRuntimeContext().getMetricGroup().counter("records-lost-to-retention");
        unaligned = getRuntimeContext().getMetricGroup().counter("offset-mapping-unaligned");
        metrics = new OffsetMappingMetrics(getRuntimeContext().getMetricGroup());
        settledChecks = new java.util.HashMap<>();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
        // Keyed by PartitionWrites#sourceKey: this subtask's keys are those Flink routes to it.
        locator = new AsyncLocator(settings, flow + " offset locator " + subtask,
                tp -> KeyGroupRangeAssignment.assignKeyToParallelOperator(tp.topic() + "-" + tp.partition(),
                        maxParallelism, parallelism) == subtask);
    }

    /** Waits until the internal topics exist (at once after the first time); failing to create them fails the task. */
    private void awaitInternalTopics() throws Exception {
        if (!internalTopics.isDone() || internalTopics.isCompletedExceptionally()) {
            try {
                internalTopics.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (locator != null) {
            locator.close();
        }
        if (sourceReader != null) {
            sourceReader.close();
        }
        if (targetReader != null) {
            targetReader.close();
        }
    }

    private KafkaReader target() {
        if (targetReader == null) {
            targetReader = new KafkaReader(settings.targetClientProps());
        }
        return targetReader;
    }

    private KafkaReader source() {
        if (sourceReader == null) {
            sourceReader = new KafkaReader(settings.sourceClientProps());
        }
        return sourceReader;
    }

    @Override
    public void processElement1(PartitionWrites writes, Context ctx, Collector<EncodedRecord> out) throws Exception {
        checkRetentionGap(writes);
        String key = ctx.getCurrentKey();
        OffsetRuns runs = runsStore.load(key);
        if (runs == null) {
            runs = new OffsetRuns();
            if (settings.exactlyOnce()) {
                // The transaction holding these writes has not committed yet (its checkpoint is still running), so
                // the target's last stable offset now is at or before its first record: read it now, not later.
                runs.nextDownstream = target().endOffset(new TopicPartition(writes.targetTopic, writes.partition));
                locator.startRebuild(writes.sourceKey(), new TopicPartition(writes.sourceTopic, writes.partition),
                        new TopicPartition(writes.targetTopic, writes.partition), runs.nextDownstream);
            }
            // At-least-once: already written (flushed before the barrier passed the sink), so somewhere before the
            // end; the reads thread searches back for them (several reads of a busy target: not on this thread).
            runsStore.save(key, runs);
            targetTopicState.update(writes.targetTopic);
        }
        if (settings.exactlyOnce()) {
            dropCopiedAgain(writes);
        }
        pendingState.add(writes);
        List<PartitionWrites> pending = new ArrayList<>();
        pendingState.get().forEach(pending::add);
        if (pending.size() > MAX_PENDING) {
            // The target has been unreadable for a long time (e.g. no READ permission for the job's principal):
            // bound the state, and give up exactness for the skipped range.
            unaligned.inc();
            LOG.warn("{} {} transactions of {} could not be located on the target; dropping the oldest (source "
                    + "offsets up to {} will not be translated)", flow, pending.size(), writes.sourceKey(),
                    pending.get(0).runStarts[pending.get(0).runStarts.length - 1]);
            pendingState.update(pending.subList(pending.size() - MAX_PENDING / 2, pending.size()));
            runs.clear();
            runsStore.save(key, runs);
        }
        scheduleRetry(ctx.timerService().currentProcessingTime(), ctx.timerService());
    }

    /**
     * Forgets the pending writes at or past the first source offset of {@code writes}: writes of one partition follow
     * each other, so new writes that start before a pending one ends mean the source was rewound to copy again what
     * aborted transactions held (a restored transaction aborted on the target: see the sink's committer), and those
     * pending writes will never be found committed.
     */
    private void dropCopiedAgain(PartitionWrites writes) throws Exception {
        long from = writes.hasSeenRange ? writes.seenFrom : writes.runStarts.length > 0 ? writes.runStarts[0] : -1;
        if (from < 0) {
            return;
        }
        List<PartitionWrites> pending = new ArrayList<>();
        pendingState.get().forEach(pending::add);
        int keep = pending.size();
        while (keep > 0 && end(pending.get(keep - 1)) > from) {
            keep--;
        }
        if (keep == pending.size()) {
            return;
        }
        LOG.info("{} {}: {} pending transaction(s) from checkpoint {} on were aborted and their records copied again "
                + "from source offset {}: they are mapped as the new transactions commit", flow, writes.sourceKey(),
                pending.size() - keep, pending.get(keep).checkpointId, from);
        pendingState.update(new ArrayList<>(pending.subList(0, keep)));
    }

    /** The source offset after the last one {@code writes} processed, -1 when it processed none. */
    private static long end(PartitionWrites writes) {
        if (writes.hasSeenRange) {
            return writes.seenUntil;
        }
        int last = writes.runStarts.length - 1;
        return last < 0 ? -1 : writes.runStarts[last] + writes.runLengths[last];
    }

    /**
     * MirrorMaker 2 skips silently what the source deleted (retention, deleteRecords) before it was replicated, e.g.
     * while the job was stopped: its consumer resets to the log start. Here, when the first source offset of new writes
     * is past the offset after the previous writes (known from state, so after a restore too), and the source's log
     * now starts past that offset, the range is reported in one line and counted in {@code records-lost-to-retention}
     * (offsets: control markers and aborted records in the range count too). Other gaps (markers, aborted
     * transactions, compaction) cost one log-start lookup and are not reported.
     */
    private void checkRetentionGap(PartitionWrites writes) throws Exception {
        if (writes.runStarts.length == 0) {
            return;
        }
        Long expected = nextUpstreamState.value();
        long first = writes.runStarts[0];
        int last = writes.runStarts.length - 1;
        nextUpstreamState.update(Math.max(expected == null ? 0 : expected,
                writes.runStarts[last] + writes.runLengths[last]));
        if (expected == null || first <= expected) {
            return;
        }
        TopicPartition tp = new TopicPartition(writes.sourceTopic, writes.partition);
        long logStart = source().beginningOffset(tp);
        if (logStart > expected) {
            long lostEnd = Math.min(logStart, first);
            lostToRetention.inc(lostEnd - expected);
            LOG.warn("{} {}: source offsets {} to {} were deleted on the source (retention or deleteRecords) before "
                    + "they were replicated: {} offsets lost, replication continues at {}", flow, tp, expected,
                    lostEnd - 1, lostEnd - expected, first);
        }
    }

    private void scheduleRetry(long now, org.apache.flink.streaming.api.TimerService timers) {
        timers.registerProcessingTimeTimer((now / RETRY_MS + 1) * RETRY_MS);
    }

    /** A timer soon, to pick up a lookup in flight (aligned, so that the timers of one key coincide). */
    private static void schedulePoll(long now, org.apache.flink.streaming.api.TimerService timers) {
        timers.registerProcessingTimeTimer((now / POLL_MS + 1) * POLL_MS);
    }

    /**
     * Transactions are located by the reads thread, never by the task thread: a read of a busy target can take
     * seconds, and while the task thread waits, checkpoint barriers wait with it (which delays every exactly-once
     * commit of the job). Each timer applies what a finished lookup found, or starts the next lookup; pending writes
     * stay in state until applied, so a lookup in flight at a checkpoint is simply done again after a restore.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EncodedRecord> out) throws Exception {
        awaitInternalTopics();
        String key = ctx.getCurrentKey();
        Future<AsyncLocator.Rebuilt> rebuild = locator.rebuild(key);
        if (rebuild != null) {
            if (!rebuild.isDone()) {
                schedulePoll(timestamp, ctx.timerService());
                return; // located transactions go after the rebuilt runs
            }
            applyRebuilt(key, locator.takeRebuilt(key));
        }
        List<PartitionWrites> pending = new ArrayList<>();
        pendingState.get().forEach(pending::add);
        OffsetRuns runs = runsStore.load(key);
        AsyncLocator.Lookup lookup = locator.lookup(key);
        if (lookup != null) {
            if (!lookup.result().isDone()) {
                schedulePoll(timestamp, ctx.timerService());
                return;
            }
            locator.lookupApplied(key);
            AsyncLocator.Located located = lookup.outcome();
            if (located.error() != null) {
                LOG.warn("{} could not read {}-{} to map offsets (will retry): {}", flow,
                        pending.isEmpty() ? "?" : pending.get(0).targetTopic,
                        pending.isEmpty() ? "?" : pending.get(0).partition, located.error().toString());
            }
            int done = 0;
            boolean current = !pending.isEmpty() && runs != null && runs.nextDownstream == lookup.from()
                    && pending.get(0).checkpointId == lookup.firstCheckpointId();
            if (current && runs.nextDownstream < 0 && located.start() >= 0) {
                runs.nextDownstream = located.start();
                runsStore.save(key, runs);
            }
            if (current) {
                for (TransactionLocator.Placement placement : located.placements()) {
                    PartitionWrites writes = pending.get(done);
                    apply(writes, placement, runs, ctx);
                    metrics.committed(key, writes, located.foundAtMillis());
                    done++;
                }
            }
            if (done > 0) {
                metrics.horizonMoved(key, pending.get(0).sourceTopic, pending.get(0).partition, runs,
                        (tp, from, to) -> source().mayHaveRecords(tp, from, to));
                retire(key, runs);
                runsStore.save(key, runs);
                pending = new ArrayList<>(pending.subList(done, pending.size()));
                pendingState.update(pending);
            }
            if (pending.isEmpty()) {
                return;
            }
            if (current && done == 0) {
                LOG.debug("{} {}: {} (checkpoint {}) not committed on the target yet", flow, key, NOT_COMMITTED_YET,
                        pending.get(0).checkpointId);
                scheduleRetry(timestamp, ctx.timerService()); // not committed yet: look again a little later
                return;
            }
        }
        if (pending.isEmpty() || runs == null) {
            return;
        }
        locator.startLookup(key, runs.nextDownstream, pending.subList(0, Math.min(pending.size(), MAX_PER_LOOKUP)));
        schedulePoll(timestamp, ctx.timerService());
    }

    /** Records where one transaction's records were found: offset runs and offset syncs. */
    private void apply(PartitionWrites writes, TransactionLocator.Placement placement, OffsetRuns runs,
                       OnTimerContext ctx) {
        if (writes.recordCount() == 0) {
            if (writes.hasSeenRange && !runs.isEmpty()) {
                runs.seen(writes.seenFrom, writes.seenUntil, false); // dropped records only
            }
            return;
        }
        TopicPartition tp = new TopicPartition(writes.targetTopic, writes.partition);
        long d0 = placement.firstOffset();
        List<long[]> placed = placement.segments();
        if (placed == null) {
            unaligned.inc();
            LOG.warn("{} {} does not hold the {} records of checkpoint {} (source {}) from offset {}: records of "
                    + "another writer? Offsets before them cannot be translated exactly", flow, tp,
                    writes.recordCount(), writes.checkpointId, writes.sourceKey(), d0);
            runs.clear();
            runs.nextDownstream = placement.nextOffset();
            return;
        }
        if (placed.size() > 1) {
            LOG.debug("{} {}: the {} records of checkpoint {} are split by control markers: {}", flow, tp,
                    writes.recordCount(), writes.checkpointId, placement);
        }
        if (runs.goesBack(writes.runStarts[0], d0)) {
            // The source was read again from before the mapped data (a start without state that fell back to a
            // group offset behind the rebuilt history): the mapping restarts here instead of failing the job.
            LOG.warn("{} {}: source offsets from {} were replicated again behind the mapped data ({}): the offset "
                    + "mapping restarts from them; offsets before them are not translated exactly", flow, tp,
                    writes.runStarts[0], runs);
            runs.clear();
        }
        boolean first = runs.isEmpty();
        for (OffsetSync sync : RunPairing.pair(writes, placed, runs)) {
            ctx.output(OFFSET_SYNCS, encode(sync));
        }
        if (writes.hasSeenRange) {
            runs.seen(writes.seenFrom, writes.seenUntil, first);
        }
    }

    /**
     * Turns the runs no group needs exactly any more into anchors ({@link OffsetRuns#retire}): older than the exact
     * window, or below every group's committed offset on this partition for longer than {@link #GRACE_MS}.
     */
    private void retire(String key, OffsetRuns runs) throws Exception {
        long round = pollRound.value() == null ? 0 : pollRound.value();
        long lowest = Long.MAX_VALUE;
        for (java.util.Map.Entry<String, long[]> e : groupPositions.entries()) {
            if (e.getValue()[1] >= round - GROUP_ROUNDS_KEPT) {
                lowest = Math.min(lowest, e.getValue()[0]);
            }
        }
        int dropped = runs.retire(System.currentTimeMillis(), settings.exactWindow().toMillis(), GRACE_MS, lowest);
        if (dropped > 0) {
            LOG.debug("{} {}: {} offset runs dropped, {} left ({} anchors)", flow, key, dropped, runs.size,
                    runs.anchors);
        }
    }

    /** Remembers where a group sits on this partition; forgets groups not seen for {@link #GROUP_ROUNDS_KEPT}. */
    private void trackGroup(GroupOffset offset) throws Exception {
        long round = pollRound.value() == null ? 0 : pollRound.value();
        if (offset.endOffset) {
            round++;
            pollRound.update(round);
            List<String> gone = new ArrayList<>();
            for (java.util.Map.Entry<String, long[]> e : groupPositions.entries()) {
                if (e.getValue()[1] < round - GROUP_ROUNDS_KEPT) {
                    gone.add(e.getKey());
                }
            }
            for (String group : gone) {
                groupPositions.remove(group);
            }
            return;
        }
        groupPositions.put(offset.group, new long[] {offset.offset, round});
    }

    private EncodedRecord encode(OffsetSync sync) {
        return new EncodedRecord(settings.offsetSyncsTopic(), sync.recordKey(), sync.recordValue());
    }

    @Override
    public void processElement2(GroupOffset offset, Context ctx, Collector<EncodedRecord> out) throws Exception {
        awaitInternalTopics();
        OffsetRuns runs = runsStore.load(ctx.getCurrentKey());
        trackGroup(offset);
        if (offset.endOffset) {
            metrics.endOffset(ctx.getCurrentKey(), offset, runs,
                    (tp, from, to) -> source().mayHaveRecords(tp, from, to));
            return;
        }
        if (runs == null && settings.rebuildsHistory()) {
            // No writes of this partition since a start without state: map what the target already holds.
            TopicPartition sourceTp = new TopicPartition(offset.topic, offset.partition);
            OffsetMappingSettings.History history = settings.history();
            locator.startRebuild(ctx.getCurrentKey(), sourceTp, new TopicPartition(
                    history.policy().formatRemoteTopic(history.sourceAlias(), offset.topic), offset.partition), null);
            schedulePoll(ctx.timerService().currentProcessingTime(), ctx.timerService());
            return;
        }
        String targetTopic = targetTopicState.value();
        if (runs == null || runs.isEmpty() || targetTopic == null) {
            return;
        }
        OptionalLong translated = translate(runs, offset);
        if (translated.isPresent() && offset.offset > runs.processedHorizon() && !settledBeyond(runs, offset,
                targetTopic)) {
            LOG.debug("{} {}: not translated yet, replicated data beyond {} is not mapped yet", flow, offset,
                    runs.processedHorizon());
            return;
        }
        if (translated.isEmpty()) {
            LOG.debug("{} no exact translation yet for {} with {}", flow, offset, runs);
            return;
        }
        long downstream = translated.getAsLong();
        Long previous = lastCheckpoints.get(offset.group);
        if (previous != null && downstream <= previous) {
            return; // never backwards; unchanged needs no new record
        }
        if (runs.isCoarse(offset.offset)) {
            LOG.info("{} group {} on {} is older than the exact offset mapping (flink.offset-mapping.exact.window"
                    + ".seconds): source offset {} -> target offset {}, at or before the exact one (records may be "
                    + "read again)", flow, offset.group, offset.sourceKey(), offset.offset, downstream);
        } else if (previous == null) {
            LOG.info("{} translating group {} on {}: source offset {} -> target offset {}", flow, offset.group,
                    offset.sourceKey(), offset.offset, downstream);
        }
        lastCheckpoints.put(offset.group, downstream);
        Checkpoint checkpoint = new Checkpoint(offset.group, targetTopic, offset.partition, offset.offset, downstream,
                offset.metadata == null ? "" : offset.metadata);
        out.collect(new EncodedRecord(settings.checkpointsTopic(), checkpoint.recordKey(), checkpoint.recordValue()));
        metrics.checkpointEmitted(offset.readAtMillis, System.currentTimeMillis());
    }

    /**
     * Whether a group offset beyond the mapped data may be translated to where the next replica will go: only when no
     * replicated data lies beyond the mapping, neither written and waiting to be located ({@code pending} writes
     * below the group offset) nor committed on the target past {@link OffsetRuns#nextDownstream}. The source alone
     * cannot tell: on a compacted source the records in between may have been replicated and removed since.
     */
    private boolean settledBeyond(OffsetRuns runs, GroupOffset offset, String targetTopic) throws Exception {
        for (PartitionWrites w : pendingState.get()) {
            if (w.runStarts.length > 0 && w.runStarts[0] < offset.offset) {
                return false;
            }
        }
        if (runs.nextDownstream < 0) {
            return false;
        }
        String key = offset.sourceKey();
        long now = System.currentTimeMillis();
        long[] cached = settledChecks.get(key);
        if (cached != null && cached[0] == runs.nextDownstream && now - cached[1] < SETTLED_CHECK_MS) {
            return cached[2] == 1; // one read per partition and poll round, however many groups sit there
        }
        try {
            boolean settled = target().firstAtOrAfter(new TopicPartition(targetTopic, offset.partition),
                    runs.nextDownstream).isEmpty();
            settledChecks.put(key, new long[] {runs.nextDownstream, now, settled ? 1 : 0});
            return settled;
        } catch (InterruptException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.debug("{} could not read {}-{}: {}", flow, targetTopic, offset.partition, e.toString());
            return false;
        }
    }

    /** The exact target offset for a group's source offset, if it can be decided now. */
    private OptionalLong translate(OffsetRuns runs, GroupOffset offset) {
        TopicPartition sourceTp = new TopicPartition(offset.topic, offset.partition);
        try {
            return GroupOffsetTranslator.translate(runs, sourceTp, offset.offset,
                    (tp, from, to) -> source().mayHaveRecords(tp, from, to));
        } catch (InterruptException e) {
            throw e; // the task is being cancelled
        } catch (RuntimeException e) {
            LOG.warn("{} could not read source {} to translate group {} (will retry): {}", flow, sourceTp,
                    offset.group, e.toString());
            return OptionalLong.empty();
        }
    }
}
