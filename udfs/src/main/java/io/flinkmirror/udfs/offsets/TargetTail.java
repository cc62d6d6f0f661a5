package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.record.ReplicaFingerprints;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds where a flow resumes a source partition from what its target partition holds: right after the source record
 * whose replica is the last committed record on the target. A replicator's truth is the target: a start without Flink
 * state (lost state directory, {@code flink run} without a savepoint) must neither copy a record twice nor skip one,
 * whatever the source consumer group says.
 *
 * <p>How: the last {@code window} committed records of the target partition ({@code read_committed}) are located in
 * the source partition as a run of consecutive replicated source records with the same fingerprints (key, value,
 * timestamp; see {@link RecordFingerprint}). The search starts at the first source offset with a timestamp at or after
 * the window's first record (Kafka's time index; replicas keep their source timestamps) and reads at most
 * {@code maxScan} source offsets.
 *
 * <p>Invariants:
 * <ul>
 *   <li>The target partition is written only by this flow, in source order (single writer per partition): its
 *       committed records are the replicated source records from some source offset on, each once.</li>
 *   <li>A source record is "replicated" when {@code replicated} gives it a replica fingerprint (loop prevention
 *       and filtering transforms drop the others); only those are compared, by the fingerprint of the record the
 *       flow writes for them (after its transforms), so the window's records must be consecutive among them.</li>
 *   <li>Only committed data is read on both sides: records of open or aborted transactions are not there. A
 *       transaction that is still open on the target is not counted (its records are copied again), so it must be
 *       aborted, never committed, after this look-up; the caller makes sure of that.</li>
 * </ul>
 */
public final class TargetTail {

    /** What the look-up found for one partition. */
    public enum Kind {
        /** The target partition holds no committed record: resume at the source's earliest offset. */
        EMPTY_TARGET,
        /** The target's last records were found in the source: resume right after them. */
        FOUND,
        /** The target holds records that could not be found in the source within the scan bound. */
        NOT_FOUND
    }

    /**
     * The outcome for one source partition: {@code sourceOffset} is where to resume (for {@link Kind#NOT_FOUND}, -1),
     * {@code targetEnd} the target's end offset (read_committed) when looked at, {@code lastTargetOffset} the offset
     * of the target's last committed record (-1 if none) and {@code detail} a reason for the log.
     */
    public record Resume(Kind kind, long sourceOffset, long targetEnd, long lastTargetOffset, String detail) {}

    private final KafkaReader source;
    private final KafkaReader target;
    private final ReplicaFingerprints replicated;
    private final int window;
    private final long maxScan;

    /**
     * @param source     reader of the source cluster
     * @param target     reader of the target cluster
     * @param replicated which source records the flow copies (the others are skipped when matching), and the
     *                   fingerprints of their replicas (changed by transforms)
     * @param window     how many of the target's last records must match consecutive source records
     * @param maxScan    source offsets read at most to find them
     */
    public TargetTail(KafkaReader source, KafkaReader target, ReplicaFingerprints replicated,
                      int window, long maxScan) {
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        this.replicated = Objects.requireNonNull(replicated, "replicated");
        if (window < 1 || maxScan < window) {
            throw new IllegalArgumentException("window must be >= 1 and maxScan >= window: " + window + ", "
                    + maxScan);
        }
        this.window = window;
        this.maxScan = maxScan;
    }

    /** Where the flow resumes {@code sourceTp}, whose replicas go to {@code targetTp}. */
    public Resume find(TopicPartition sourceTp, TopicPartition targetTp) {
        long targetEnd = target.endOffset(targetTp);
        List<ConsumerRecord<byte[], byte[]>> tail = lastRecords(targetTp, targetEnd);
        if (tail.isEmpty()) {
            return new Resume(Kind.EMPTY_TARGET, source.beginningOffset(sourceTp), targetEnd, -1,
                    targetTp + " holds no committed record below " + targetEnd);
        }
        long lastTargetOffset = tail.get(tail.size() - 1).offset();
        Search search = search(source, sourceTp, tail, replicated, maxScan);
        if (search.window().matchedEnd() >= 0) {
            return new Resume(Kind.FOUND, search.window().matchedEnd() + 1, targetEnd, lastTargetOffset,
                    targetTp + "@" + lastTargetOffset + " is the replica of " + sourceTp + "@"
                            + search.window().matchedEnd());
        }
        return notFound(targetEnd, lastTargetOffset, "the last " + tail.size() + " records of " + targetTp
                + " (up to offset " + lastTargetOffset + ") " + search.notFound());
    }

    /** Where a search for target records among the source records went: matched, or why not. */
    record Search(FingerprintWindow window, String notFound) {}

    /**
     * Looks for {@code records} (target records, in order) as consecutive replicated records of {@code sourceTp},
     * from the first source offset with a timestamp at or after the first one's, reading at most {@code maxScan}
     * source offsets.
     */
    static Search search(KafkaReader source, TopicPartition sourceTp, List<ConsumerRecord<byte[], byte[]>> records,
                         ReplicaFingerprints replicated, long maxScan) {
        FingerprintWindow window = new FingerprintWindow(records);
        ConsumerRecord<byte[], byte[]> first = records.get(0);
        long sourceBegin = source.beginningOffset(sourceTp);
        long from = sourceBegin;
        if (first.timestamp() >= 0) {
            OptionalLong byTime = source.offsetForTime(sourceTp, first.timestamp());
            if (byTime.isEmpty()) {
                return new Search(window, "are not in " + sourceTp + ": it holds no record as recent as "
                        + first.timestamp());
            }
            from = Math.max(sourceBegin, byTime.getAsLong());
        }
        long sourceEnd = source.endOffset(sourceTp);
        long scanEnd = Math.min(sourceEnd, from + maxScan);
        source.findFirstBelowEnd(sourceTp, from, scanEnd, r -> offer(window, replicated, r));
        if (window.matchedEnd() < 0 && from > sourceBegin) {
            // Not after the time index's answer: look before it too (producers' clocks, LogAppendTime changes).
            long before = Math.min(from + records.size(), sourceBegin + maxScan);
            FingerprintWindow again = new FingerprintWindow(records);
            source.findFirstBelowEnd(sourceTp, sourceBegin, before, r -> offer(again, replicated, r));
            if (again.matchedEnd() >= 0) {
                return new Search(again, null);
            }
        }
        return new Search(window, "are not in " + sourceTp + " offsets " + from + ".." + scanEnd
                + (scanEnd < sourceEnd ? " (scan bound " + maxScan + " reached)" : ""));
    }

    /** Offers a source record's replica to {@code window}, if the flow writes one; true once matched. */
    private static boolean offer(FingerprintWindow window, ReplicaFingerprints replicated,
                                 ConsumerRecord<byte[], byte[]> r) {
        java.util.OptionalLong fingerprint = replicated.of(r);
        return fingerprint.isPresent() && window.offer(r.offset(), fingerprint.getAsLong());
    }

    private static Resume notFound(long targetEnd, long lastTargetOffset, String detail) {
        return new Resume(Kind.NOT_FOUND, -1, targetEnd, lastTargetOffset, detail);
    }

    /**
     * The last {@code window} committed records below {@code end}, in offset order: read back from the end in
     * doubling steps, since control markers and aborted records take offsets too.
     */
    private List<ConsumerRecord<byte[], byte[]>> lastRecords(TopicPartition tp, long end) {
        long begin = target.beginningOffset(tp);
        long step = window * 2L;
        while (true) {
            long from = Math.max(begin, end - step);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            target.findFirstBelowEnd(tp, from, end, r -> {
                records.add(r);
                return false;
            });
            if (records.size() >= window || from == begin) {
                return records.subList(Math.max(0, records.size() - window), records.size());
            }
            step *= 4;
        }
    }

}
