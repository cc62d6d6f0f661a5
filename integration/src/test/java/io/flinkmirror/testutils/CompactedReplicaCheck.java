package io.flinkmirror.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.testutils.LiveTail.Seen;
import io.flinkmirror.udfs.mm2.Checkpoint;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Exactly-once and exact offset translation on a compacted topic whose log cleaner runs on both clusters, judged from
 * what {@link LiveTail}s saw on the source and on the target while the test ran (every committed record, before the
 * cleaner removed superseded ones) and from what both hold at the end:
 * <ul>
 *   <li>duplicated: a source record whose replica the target tail saw twice;</li>
 *   <li>unexpected: a target record that is no committed source record (an aborted one, or altered);</li>
 *   <li>out of order: a replica written after the replica of a later source record of the same partition;</li>
 *   <li>missing: the newest record of a key on the source (not a tombstone) whose replica never reached the target,
 *       or a key whose newest record differs between the two at the end. Older records of a key may be missing:
 *       the source's cleaner may remove them before they are read, as it does for any consumer.</li>
 * </ul>
 * A checkpoint (group offset {@code g} -> target offset {@code d}) is exact when every replica of a source record
 * below {@code g} sits below {@code d} and every replica of a record at or above {@code g} at or above {@code d}.
 */
public final class CompactedReplicaCheck {

    private final String topic;
    private final Map<Integer, List<Seen>> source;
    private final Map<Integer, List<Seen>> target;
    /** Per partition: source offset -> target offset of its replica. */
    private final Map<Integer, TreeMap<Long, Long>> replicas = new HashMap<>();
    private final List<String> duplicated = new ArrayList<>();
    private final List<String> unexpected = new ArrayList<>();
    private final List<String> outOfOrder = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();

    /**
     * @param topic          the source topic's name, for messages
     * @param source         what the source tail saw of it, per partition
     * @param target         what the target tail saw of its remote topic, per partition
     * @param sourceAtEnd    the source's committed records at the end, per partition in offset order
     * @param targetAtEnd    the target's committed records at the end, per partition in offset order
     */
    public CompactedReplicaCheck(String topic, Map<Integer, List<Seen>> source, Map<Integer, List<Seen>> target,
                                 Map<Integer, List<Seen>> sourceAtEnd, Map<Integer, List<Seen>> targetAtEnd) {
        this.topic = topic;
        this.source = source;
        this.target = target;
        Set<Integer> partitions = new HashSet<>(source.keySet());
        partitions.addAll(target.keySet());
        for (int p : partitions) {
            checkPartition(p, source.getOrDefault(p, List.of()), target.getOrDefault(p, List.of()),
                    sourceAtEnd.getOrDefault(p, List.of()), targetAtEnd.getOrDefault(p, List.of()));
        }
    }

    private void checkPartition(int p, List<Seen> src, List<Seen> tgt, List<Seen> srcEnd, List<Seen> tgtEnd) {
        Map<ProducedRecord, Long> sourceOffsets = new HashMap<>();
        for (Seen s : src) {
            sourceOffsets.put(s.record(), s.offset());
        }
        TreeMap<Long, Long> map = new TreeMap<>();
        replicas.put(p, map);
        long previousSource = -1;
        for (Seen t : tgt) {
            Long up = sourceOffsets.get(t.record());
            if (up == null) {
                unexpected.add(topic + "-" + p + " target@" + t.offset() + " " + t.record());
                continue;
            }
            if (map.containsKey(up)) {
                duplicated.add(topic + "-" + p + "@" + up + " at target offsets " + map.get(up) + " and " + t.offset());
                continue;
            }
            if (up < previousSource) {
                outOfOrder.add(topic + "-" + p + "@" + up + " at target offset " + t.offset() + " after the replica of "
                        + previousSource);
            }
            previousSource = Math.max(previousSource, up);
            map.put(up, t.offset());
        }
        // The newest record of each key on the source must have been replicated.
        Map<ByteBuffer, Seen> newest = new HashMap<>();
        for (Seen s : src) {
            if (s.record().key() != null) {
                newest.put(ByteBuffer.wrap(s.record().key()), s);
            }
        }
        for (Seen s : newest.values()) {
            if (!s.record().isTombstone() && !map.containsKey(s.offset())) {
                missing.add(topic + "-" + p + "@" + s.offset() + " (newest of key " + s.record().keyString()
                        + ") was never replicated");
            }
        }
        Map<ByteBuffer, ProducedRecord> sourceFinal = finalByKey(srcEnd);
        Map<ByteBuffer, ProducedRecord> targetFinal = finalByKey(tgtEnd);
        Set<ByteBuffer> keys = new HashSet<>(sourceFinal.keySet());
        keys.addAll(targetFinal.keySet());
        for (ByteBuffer key : keys) {
            ProducedRecord s = sourceFinal.get(key);
            ProducedRecord t = targetFinal.get(key);
            boolean sGone = s == null || s.isTombstone();
            boolean tGone = t == null || t.isTombstone();
            if (!(sGone && tGone) && (s == null || !s.equals(t))) {
                missing.add(topic + "-" + p + " key " + new String(key.array(), java.nio.charset.StandardCharsets.UTF_8)
                        + ": source ends with " + s + ", target with " + t);
            }
        }
    }

    private static Map<ByteBuffer, ProducedRecord> finalByKey(List<Seen> records) {
        Map<ByteBuffer, ProducedRecord> out = new HashMap<>();
        for (Seen s : records) {
            if (s.record().key() != null) {
                out.put(ByteBuffer.wrap(s.record().key()), s.record());
            }
        }
        return out;
    }

    /** How many replicas the target tail saw, for the log. */
    public int replicated() {
        return replicas.values().stream().mapToInt(Map::size).sum();
    }

    /** Records the source tail saw, for the log. */
    public int sourceRecords() {
        return source.values().stream().mapToInt(List::size).sum();
    }

    /** Fails naming every duplicated, unexpected, reordered and missing record. */
    public CompactedReplicaCheck assertExactlyOnce() {
        assertThat(replicated()).as("replicas of %s seen on the target", topic).isPositive();
        assertThat(duplicated).as("duplicated in %s", topic).isEmpty();
        assertThat(unexpected).as("unexpected in %s", topic).isEmpty();
        assertThat(outOfOrder).as("out of order in %s", topic).isEmpty();
        assertThat(missing).as("missing in %s", topic).isEmpty();
        return this;
    }

    /** Why {@code checkpoint} (of this topic) is not exact, or null when it is. */
    public String inexact(Checkpoint checkpoint) {
        TreeMap<Long, Long> map = replicas.getOrDefault(checkpoint.partition(), new TreeMap<>());
        long g = checkpoint.upstreamOffset();
        long d = checkpoint.downstreamOffset();
        Map.Entry<Long, Long> below = map.lowerEntry(g);
        Map.Entry<Long, Long> atOrAbove = map.ceilingEntry(g);
        if (below != null && below.getValue() >= d) {
            return checkpoint + ": the replica of source offset " + below.getKey() + " is at " + below.getValue()
                    + ", not below " + d + " (re-read after failover)";
        }
        if (atOrAbove != null && atOrAbove.getValue() < d) {
            return checkpoint + ": the replica of source offset " + atOrAbove.getKey() + " is at "
                    + atOrAbove.getValue() + ", below " + d + " (skipped after failover)";
        }
        return null;
    }

    /** Source partitions seen, for callers that iterate. */
    public Set<Integer> partitions() {
        return replicas.keySet();
    }
}
