package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.mm2.Checkpoint;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates group offsets of one source partition into MirrorMaker 2 checkpoint records (keyed state of
 * {@link OffsetMappingFunction}). Invariants: a checkpoint is written only for a translation the runs decide (exact,
 * or, for a group older than the exact runs, at or before the exact offset: {@link OffsetRuns#retire}); beyond the
 * mapped data only when nothing replicated lies between the mapping and the group offset ({@link #settledBeyond});
 * and a group's checkpoints never go backwards (an unchanged one is not written again).
 */
final class GroupCheckpoints {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetMappingFunction.class);
    private static final long SETTLED_CHECK_MS = 500;

    private final OffsetMappingSettings settings;
    private final String flow;
    private final Supplier<KafkaReader> source;
    private final Supplier<KafkaReader> target;
    /** Per group: the last target offset written in a checkpoint of this partition. */
    private final MapState<String, Long> last;
    /** Per key: {nextDownstream, checked at (ms), settled (1) or not} of the last {@link #settledBeyond} read. */
    private final Map<String, long[]> settledChecks = new HashMap<>();

    GroupCheckpoints(RuntimeContext context, OffsetMappingSettings settings, Supplier<KafkaReader> source,
                     Supplier<KafkaReader> target) {
        this.settings = settings;
        this.flow = settings.flow();
        this.source = source;
        this.target = target;
        last = context.getMapState(new MapStateDescriptor<>("last-checkpoints", Types.STRING, Types.LONG));
    }

    /**
     * The checkpoint record for {@code offset}, if the runs decide its translation now and it moves the group forward.
     * {@code pending}: the writes of the partition not located yet.
     */
    Optional<EncodedRecord> checkpoint(GroupOffset offset, OffsetRuns runs, String targetTopic,
                                       Iterable<PartitionWrites> pending) throws Exception {
        OptionalLong translated = translate(runs, offset);
        if (translated.isPresent() && offset.offset > runs.processedHorizon()
                && !settledBeyond(runs, offset, targetTopic, pending)) {
            LOG.debug("{} {}: not translated yet, replicated data beyond {} is not mapped yet", flow, offset,
                    runs.processedHorizon());
            return Optional.empty();
        }
        if (translated.isEmpty()) {
            LOG.debug("{} no exact translation yet for {} with {}", flow, offset, runs);
            return Optional.empty();
        }
        long downstream = translated.getAsLong();
        Long previous = last.get(offset.group);
        if (previous != null && downstream <= previous) {
            return Optional.empty(); // never backwards; unchanged needs no new record
        }
        if (runs.isCoarse(offset.offset)) {
            LOG.info("{} group {} on {} is older than the exact offset mapping (flink.offset-mapping.exact.window"
                    + ".seconds): source offset {} -> target offset {}, at or before the exact one (records may be "
                    + "read again)", flow, offset.group, offset.sourceKey(), offset.offset, downstream);
        } else if (previous == null) {
            LOG.info("{} translating group {} on {}: source offset {} -> target offset {}", flow, offset.group,
                    offset.sourceKey(), offset.offset, downstream);
        }
        last.put(offset.group, downstream);
        Checkpoint checkpoint = new Checkpoint(offset.group, targetTopic, offset.partition, offset.offset, downstream,
                offset.metadata == null ? "" : offset.metadata);
        return Optional.of(new EncodedRecord(settings.checkpointsTopic(), checkpoint.recordKey(),
                checkpoint.recordValue()));
    }

    /**
     * Whether a group offset beyond the mapped data may be translated to where the next replica will go: only when no
     * replicated data lies beyond the mapping, neither written and waiting to be located ({@code pending} writes
     * below the group offset) nor committed on the target past {@link OffsetRuns#nextDownstream}. The source alone
     * cannot tell: on a compacted source the records in between may have been replicated and removed since.
     */
    private boolean settledBeyond(OffsetRuns runs, GroupOffset offset, String targetTopic,
                                  Iterable<PartitionWrites> pending) {
        for (PartitionWrites w : pending) {
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
            boolean settled = target.get().firstAtOrAfter(new TopicPartition(targetTopic, offset.partition),
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

    /** The translation of a group's source offset, if it can be decided now. */
    private OptionalLong translate(OffsetRuns runs, GroupOffset offset) {
        TopicPartition sourceTp = new TopicPartition(offset.topic, offset.partition);
        try {
            return GroupOffsetTranslator.translate(runs, sourceTp, offset.offset,
                    (tp, from, to) -> source.get().mayHaveRecords(tp, from, to));
        } catch (InterruptException e) {
            throw e; // the task is being cancelled
        } catch (RuntimeException e) {
            LOG.warn("{} could not read source {} to translate group {} (will retry): {}", flow, sourceTp,
                    offset.group, e.toString());
            return OptionalLong.empty();
        }
    }
}
