package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.mm2.OffsetSync;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the sink wrote ({@link PartitionWrites}, one per transaction and partition) into an exact offset mapping
 * per source partition, and translates consumer group offsets with it. Keyed by source topic-partition.
 *
 * <p>The mapping is learned from committed data only: for each transaction, in order, the reads thread
 * ({@link AsyncLocator}) reads the target partition ({@code read_committed}) from where the previous transaction
 * ended and locates its records by their fingerprints ({@link TransactionLocator}), so that slow reads never hold up
 * the task thread and the checkpoint barriers passing through it. Until the transaction has committed, the read finds
 * nothing and is retried. Offset syncs (side output {@link #OFFSET_SYNCS}) are emitted only then.
 *
 * <p>This class keeps the order; the pieces keep their state and invariants: {@link PendingWrites} (writes not
 * located yet), {@link LocatedWrites} (located writes and rebuilt histories into runs and syncs), {@link
 * OffsetRunsStore} (the runs, {@link OffsetRuns}), {@link GroupPositions} (where groups sit, for retiring runs),
 * {@link GroupCheckpoints} (group offsets into checkpoints), {@link RetentionGaps}, {@link SideTopics}. End-offset
 * markers from the poller ({@link GroupOffset#endOffset}) are not translated: they give the lag metric
 * ({@link OffsetMappingMetrics}).
 *
 * <p>Invariants, per key (source partition):
 * <ul>
 *   <li>Writes are located strictly in order, each from where the previous one ended ({@link
 *       OffsetRuns#nextDownstream}); a lookup's result is applied only if the key's pending head and
 *       {@code nextDownstream} are still the ones it started from; a restore repeats any lookup in flight.</li>
 *   <li>Runs stay exact while a group on the partition may sit in or before them, within the exact window
 *       ({@link OffsetRuns#retire}): the state grows with the lag of the group furthest behind.</li>
 *   <li>A rebuilt history is applied before any write of the key is located.</li>
 *   <li>The runs are saved before a callback that changed them returns (a checkpoint may follow any callback).</li>
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

    /** Side output: offset syncs in MirrorMaker 2's format, for {@code mm2-offset-syncs.<cluster>.internal}. */
    public static final OutputTag<EncodedRecord> OFFSET_SYNCS =
            new OutputTag<>("offset-syncs", TypeInformation.of(EncodedRecord.class));

    private final OffsetMappingSettings settings;
    private final String flow;

    private transient OffsetRunsStore runsStore;
    /** The offset-syncs and checkpoints topics being created; awaited before the first record is emitted. */
    private transient SideTopics sideTopics;
    /** In the DEBUG line of a look-up that found the oldest pending transaction not committed yet. */
    public static final String NOT_COMMITTED_YET = "pending transaction looked up";
    private transient PendingWrites pendingWrites;
    private transient GroupPositions groups;
    private transient GroupCheckpoints checkpoints;
    private transient RetentionGaps retentionGaps;
    private transient ValueState<String> targetTopicState;
    private transient KafkaReader sourceReader;
    private transient KafkaReader targetReader;
    private transient AsyncLocator locator;
    private transient Counter unaligned;
    private transient LocatedWrites apply;
    private transient OffsetMappingMetrics metrics;

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
        apply.rebuilt(key, rebuilt, runs);
        runsStore.save(key, runs);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        sideTopics = new SideTopics(settings);
        runsStore = new OffsetRunsStore(getRuntimeContext());
        pendingWrites = new PendingWrites(getRuntimeContext(), flow);
        targetTopicState = getRuntimeContext().getState(new ValueStateDescriptor<>("target-topic", Types.STRING));
        groups = new GroupPositions(getRuntimeContext());
        checkpoints = new GroupCheckpoints(getRuntimeContext(), settings, this::source, this::target);
        retentionGaps = new RetentionGaps(getRuntimeContext(), flow);
        unaligned = getRuntimeContext().getMetricGroup().counter("offset-mapping-unaligned");
        metrics = new OffsetMappingMetrics(getRuntimeContext().getMetricGroup());
        apply = new LocatedWrites(flow, unaligned);
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
        // Keyed by PartitionWrites#sourceKey: this subtask's keys are those Flink routes to it.
        locator = new AsyncLocator(settings, flow + " offset locator " + subtask,
                tp -> KeyGroupRangeAssignment.assignKeyToParallelOperator(tp.topic() + "-" + tp.partition(),
                        maxParallelism, parallelism) == subtask);
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {locator, sourceReader, targetReader}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private KafkaReader target() {
        return targetReader == null ? targetReader = new KafkaReader(settings.targetClientProps()) : targetReader;
    }

    private KafkaReader source() {
        return sourceReader == null ? sourceReader = new KafkaReader(settings.sourceClientProps()) : sourceReader;
    }

    @Override
    public void processElement1(PartitionWrites writes, Context ctx, Collector<EncodedRecord> out) throws Exception {
        retentionGaps.check(writes, this::source);
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
        List<PartitionWrites> givenUp = pendingWrites.add(writes, settings.exactlyOnce());
        if (!givenUp.isEmpty()) {
            // The target has been unreadable for a long time (e.g. no READ permission for the job's principal):
            // bound the state, and give up exactness for the skipped range.
            unaligned.inc();
            int last = givenUp.get(givenUp.size() - 1).runStarts.length - 1;
            LOG.warn("{} {} transactions of {} could not be located on the target; dropping the oldest {} (source "
                    + "offsets up to {} will not be translated)", flow, givenUp.size() + PendingWrites.MAX / 2,
                    writes.sourceKey(), givenUp.size(), last < 0 ? "?" : givenUp.get(givenUp.size() - 1)
                            .runStarts[last] + givenUp.get(givenUp.size() - 1).runLengths[last] - 1);
            runs.clear();
            runsStore.save(key, runs);
        }
        scheduleRetry(ctx.timerService().currentProcessingTime(), ctx.timerService());
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
        sideTopics.await();
        String key = ctx.getCurrentKey();
        Future<AsyncLocator.Rebuilt> rebuild = locator.rebuild(key);
        if (rebuild != null) {
            if (!rebuild.isDone()) {
                schedulePoll(timestamp, ctx.timerService());
                return; // located transactions go after the rebuilt runs
            }
            applyRebuilt(key, locator.takeRebuilt(key));
        }
        List<PartitionWrites> pending = pendingWrites.list();
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
                    for (OffsetSync sync : apply.located(writes, placement, runs)) {
                        ctx.output(OFFSET_SYNCS, encode(sync));
                    }
                    metrics.committed(key, writes, located.foundAtMillis());
                    done++;
                }
            }
            if (done > 0) {
                metrics.horizonMoved(key, pending.get(0).sourceTopic, pending.get(0).partition, runs,
                        (tp, from, to) -> source().mayHaveRecords(tp, from, to));
                groups.retire(runs, settings.exactWindow().toMillis());
                runsStore.save(key, runs);
                pending = new ArrayList<>(pending.subList(done, pending.size()));
                pendingWrites.set(pending);
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

    private EncodedRecord encode(OffsetSync sync) {
        return new EncodedRecord(settings.offsetSyncsTopic(), sync.recordKey(), sync.recordValue());
    }

    @Override
    public void processElement2(GroupOffset offset, Context ctx, Collector<EncodedRecord> out) throws Exception {
        sideTopics.await();
        OffsetRuns runs = runsStore.load(ctx.getCurrentKey());
        groups.track(offset);
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
        java.util.Optional<EncodedRecord> checkpoint = checkpoints.checkpoint(offset, runs, targetTopic,
                pendingWrites.list());
        if (checkpoint.isPresent()) {
            out.collect(checkpoint.get());
            metrics.checkpointEmitted(offset.readAtMillis, System.currentTimeMillis());
        }
    }
}
