package io.flinkmirror.testutils;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Checks that a topic holds exactly the expected records: each once, in produced order per partition, with equal
 * headers and timestamps, and nothing else.
 *
 * <p>Expected records are compared per partition number with what the target topic holds; their own topic name is
 * ignored (a mirror renames topics but keeps partitions; pick one source topic with {@link TestRecords#ofTopic}). A
 * record is recognised by key+value+headers+timestamp; failing that, by key+value alone, which then reports a header or
 * timestamp mismatch. Three entry points: {@link #verify(String, String, Duration)} reads the topic itself with a
 * {@code read_committed} consumer; {@link #verify(Consumer, String, Duration)} reads with a given consumer;
 * {@link #compare(String, List)} takes records already read (in partition order), for unit tests.
 */
public final class ExactlyOnceChecker {

    private static final int SHOWN_PER_KIND = 5;

    private final List<ProducedRecord> expected;
    private Duration settleTime = Duration.ofMillis(300);

    private ExactlyOnceChecker(List<ProducedRecord> expected) {
        this.expected = List.copyOf(expected);
    }

    /** A checker for these records, in produced order (the order within each partition is what counts). */
    public static ExactlyOnceChecker expecting(List<ProducedRecord> expected) {
        return new ExactlyOnceChecker(expected);
    }

    /** Pause between two end-offset reads that must agree before reading stops (transaction markers land late). */
    public ExactlyOnceChecker settleTime(Duration settleTime) {
        this.settleTime = settleTime;
        return this;
    }

    /** Reads all committed records of {@code targetTopic} (up to stable READ_COMMITTED end offsets), then compares. */
    public Report verify(String bootstrapServers, String targetTopic, Duration timeout) {
        return verify(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), targetTopic, timeout);
    }

    /** As {@link #verify(String, String, Duration)}, for a cluster that needs more client settings (TLS, SASL). */
    public Report verify(Map<String, String> clientProperties, String targetTopic, Duration timeout) {
        try (Admin admin = Admin.create(new HashMap<String, Object>(clientProperties));
                Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(readCommittedProps(clientProperties))) {
            Function<Set<TopicPartition>, Map<TopicPartition, Long>> ends = tps -> {
                Map<TopicPartition, OffsetSpec> request = tps.stream()
                        .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
                try {
                    return admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                            .entrySet().stream()
                            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
                } catch (InterruptedException | ExecutionException e) {
                    throw new IllegalStateException("listOffsets(READ_COMMITTED) failed for " + targetTopic, e);
                }
            };
            return read(consumer, targetTopic, timeout, ends);
        }
    }

    /**
     * Reads {@code targetTopic} from the beginning with {@code consumer} (which must use {@code read_committed} and
     * byte-array deserializers; its assignment is replaced) up to its stable end offsets, then compares.
     */
    public Report verify(Consumer<byte[], byte[]> consumer, String targetTopic, Duration timeout) {
        return read(consumer, targetTopic, timeout, consumer::endOffsets);
    }

    private Report read(Consumer<byte[], byte[]> consumer, String topic, Duration timeout,
            Function<Set<TopicPartition>, Map<TopicPartition, Long>> endOffsets) {
        Deadline deadline = Deadline.in(timeout);
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        while (infos == null || infos.isEmpty()) {
            deadline.check("topic " + topic + " to exist");
            infos = consumer.partitionsFor(topic, deadline.remaining());
        }
        Set<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                .collect(Collectors.toCollection(() -> new TreeSet<>(
                        (a, b) -> Integer.compare(a.partition(), b.partition()))));
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        Map<Integer, List<Located>> actual = new TreeMap<>();
        tps.forEach(tp -> actual.put(tp.partition(), new ArrayList<>()));
        Map<TopicPartition, Long> target = new HashMap<>(endOffsets.apply(tps));
        while (true) {
            if (tps.stream().allMatch(tp -> consumer.position(tp) >= target.get(tp))) {
                sleep(settleTime);
                Map<TopicPartition, Long> again = endOffsets.apply(tps);
                if (again.equals(target)) {
                    Set<Integer> known = tps.stream().map(TopicPartition::partition).collect(Collectors.toSet());
                    return compareLocated(topic, actual, known);
                }
                target.putAll(again);
                continue;
            }
            if (!deadline.hasTimeLeft()) {
                StringBuilder where = new StringBuilder();
                for (TopicPartition tp : tps) {
                    where.append(String.format(" p%d: position %d / committed end %d;", tp.partition(),
                            consumer.position(tp), target.get(tp)));
                }
                throw new AssertionError("Timed out after " + timeout + " reading committed records of " + topic
                        + " up to stable end offsets:" + where);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                actual.get(r.partition()).add(new Located(ProducedRecord.from(r), r.offset()));
            }
        }
    }

    /**
     * Compares records already read from {@code targetTopic}, in their order within each partition. Their list index
     * within the partition stands for the offset in the report.
     */
    public Report compare(String targetTopic, List<ProducedRecord> actualRecords) {
        Map<Integer, List<Located>> actual = new TreeMap<>();
        for (ProducedRecord r : actualRecords) {
            List<Located> list = actual.computeIfAbsent(r.partition(), p -> new ArrayList<>());
            list.add(new Located(r, list.size()));
        }
        return compareLocated(targetTopic, actual, Set.of());
    }

    private Report compareLocated(String topic, Map<Integer, List<Located>> actual, Set<Integer> knownPartitions) {
        Map<Integer, List<ProducedRecord>> expectedByPartition = new TreeMap<>();
        expected.forEach(r -> expectedByPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r));
        Set<Integer> partitions = new TreeSet<>(knownPartitions);
        partitions.addAll(expectedByPartition.keySet());
        partitions.addAll(actual.keySet());
        Map<Integer, PartitionReport> reports = new TreeMap<>();
        for (int p : partitions) {
            reports.put(p, comparePartition(p, expectedByPartition.getOrDefault(p, List.of()),
                    actual.getOrDefault(p, List.of())));
        }
        return new Report(topic, reports);
    }

    private static PartitionReport comparePartition(int partition, List<ProducedRecord> exp, List<Located> act) {
        Map<List<Object>, Deque<Integer>> byFull = new HashMap<>();
        Map<List<Object>, Deque<Integer>> byKeyValue = new HashMap<>();
        for (int i = 0; i < exp.size(); i++) {
            byFull.computeIfAbsent(fullId(exp.get(i)), k -> new ArrayDeque<>()).add(i);
            byKeyValue.computeIfAbsent(keyValueId(exp.get(i)), k -> new ArrayDeque<>()).add(i);
        }
        int[] matchedExpected = new int[act.size()]; // expected index per actual record, -1 if none
        Arrays.fill(matchedExpected, -1);
        boolean[] taken = new boolean[exp.size()];
        List<Located> duplicated = new ArrayList<>();
        List<Located> unexpected = new ArrayList<>();
        List<Mismatch> mismatches = new ArrayList<>();
        List<Integer> leftovers = new ArrayList<>();
        // Pass 1: exact matches (key, value, headers, timestamp).
        for (int a = 0; a < act.size(); a++) {
            Deque<Integer> candidates = byFull.get(fullId(act.get(a).record()));
            if (candidates == null) {
                leftovers.add(a);
            } else if (candidates.isEmpty()) {
                duplicated.add(act.get(a));
            } else {
                matchedExpected[a] = candidates.poll();
                taken[matchedExpected[a]] = true;
            }
        }
        // Pass 2: same key and value, different headers or timestamp.
        for (int a : leftovers) {
            Located found = act.get(a);
            Deque<Integer> candidates = byKeyValue.get(keyValueId(found.record()));
            if (candidates == null) {
                unexpected.add(found);
                continue;
            }
            candidates.removeIf(i -> taken[i]);
            if (candidates.isEmpty()) {
                duplicated.add(found);
                continue;
            }
            int e = candidates.poll();
            taken[e] = true;
            matchedExpected[a] = e;
            ProducedRecord want = exp.get(e);
            mismatches.add(new Mismatch(want, found.record(), found.offset(),
                    !want.headers().equals(found.record().headers()), want.timestamp() != found.record().timestamp()));
        }
        List<ProducedRecord> missing = new ArrayList<>();
        for (int i = 0; i < exp.size(); i++) {
            if (!taken[i]) {
                missing.add(exp.get(i));
            }
        }
        List<Located> outOfOrder = outOfOrder(act, matchedExpected);
        return new PartitionReport(partition, exp.size(), act.size(), missing, duplicated, outOfOrder, unexpected,
                mismatches);
    }

    /** Matched records outside a longest run that keeps produced order: the fewest records that moved. */
    private static List<Located> outOfOrder(List<Located> act, int[] matchedExpected) {
        List<Integer> actualIdx = new ArrayList<>();
        for (int a = 0; a < matchedExpected.length; a++) {
            if (matchedExpected[a] >= 0) {
                actualIdx.add(a);
            }
        }
        int n = actualIdx.size();
        int[] tailIdx = new int[n + 1]; // tailIdx[len] = position (in actualIdx) ending the best run of length len
        int[] prev = new int[n];
        int longest = 0;
        for (int i = 0; i < n; i++) {
            int value = matchedExpected[actualIdx.get(i)];
            int lo = 1;
            int hi = longest;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (matchedExpected[actualIdx.get(tailIdx[mid])] < value) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            prev[i] = lo > 1 ? tailIdx[lo - 1] : -1;
            tailIdx[lo] = i;
            longest = Math.max(longest, lo);
        }
        boolean[] inOrder = new boolean[n];
        for (int i = longest > 0 ? tailIdx[longest] : -1; i >= 0; i = prev[i]) {
            inOrder[i] = true;
        }
        List<Located> moved = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!inOrder[i]) {
                moved.add(act.get(actualIdx.get(i)));
            }
        }
        return moved;
    }

    private static List<Object> fullId(ProducedRecord r) {
        return Arrays.asList(bytes(r.key()), bytes(r.value()), r.headers(), r.timestamp());
    }

    private static List<Object> keyValueId(ProducedRecord r) {
        return Arrays.asList(bytes(r.key()), bytes(r.value()));
    }

    private static ByteBuffer bytes(byte[] b) {
        return b == null ? null : ByteBuffer.wrap(b);
    }

    private static Properties readCommittedProps(Map<String, String> clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Checking a topic the job has not created yet must not create it (with the broker's partition count).
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return props;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A record found in the target topic at an offset (or list position, for {@link #compare}). */
    public record Located(ProducedRecord record, long offset) {
        @Override
        public String toString() {
            return "@" + offset + " " + record;
        }
    }

    /** A record found with the expected key and value but other headers and/or timestamp. */
    public record Mismatch(ProducedRecord expected, ProducedRecord actual, long offset, boolean headersDiffer,
            boolean timestampDiffers) {
        @Override
        public String toString() {
            return "@" + offset + " " + (headersDiffer ? "headers " + expected.headers() + " -> " + actual.headers()
                    : "") + (headersDiffer && timestampDiffers ? ", " : "")
                    + (timestampDiffers ? "timestamp " + expected.timestamp() + " -> " + actual.timestamp() : "")
                    + " in " + actual;
        }
    }

    /** What one partition holds compared with what was expected there. */
    public record PartitionReport(int partition, int expectedCount, int actualCount, List<ProducedRecord> missing,
            List<Located> duplicated, List<Located> outOfOrder, List<Located> unexpected, List<Mismatch> mismatches) {

        public boolean isExactlyOnce() {
            return missing.isEmpty() && duplicated.isEmpty() && outOfOrder.isEmpty() && unexpected.isEmpty()
                    && mismatches.isEmpty();
        }

        String describe() {
            StringBuilder sb = new StringBuilder(String.format(
                    "partition %d: expected %d, actual %d: %d missing, %d duplicated, %d out of order, %d unexpected,"
                            + " %d header/timestamp mismatches",
                    partition, expectedCount, actualCount, missing.size(), duplicated.size(), outOfOrder.size(),
                    unexpected.size(), mismatches.size()));
            appendFirst(sb, "missing", missing);
            appendFirst(sb, "duplicated", duplicated);
            appendFirst(sb, "out of order", outOfOrder);
            appendFirst(sb, "unexpected", unexpected);
            appendFirst(sb, "mismatch", mismatches);
            return sb.toString();
        }

        private static void appendFirst(StringBuilder sb, String kind, List<?> items) {
            items.stream().limit(SHOWN_PER_KIND).forEach(i -> sb.append("\n    ").append(kind).append(": ").append(i));
            if (items.size() > SHOWN_PER_KIND) {
                sb.append("\n    ... and ").append(items.size() - SHOWN_PER_KIND).append(" more ").append(kind);
            }
        }
    }

    /** The outcome over all partitions of the target topic. */
    public static final class Report {
        private final String topic;
        private final Map<Integer, PartitionReport> partitions;

        Report(String topic, Map<Integer, PartitionReport> partitions) {
            this.topic = topic;
            this.partitions = Collections.unmodifiableMap(partitions);
        }

        public String topic() {
            return topic;
        }

        /** Per partition number, sorted. */
        public Map<Integer, PartitionReport> partitions() {
            return partitions;
        }

        public PartitionReport partition(int partition) {
            return partitions.get(partition);
        }

        public int expectedCount() {
            return sum(PartitionReport::expectedCount);
        }

        public int actualCount() {
            return sum(PartitionReport::actualCount);
        }

        public int missingCount() {
            return sum(p -> p.missing().size());
        }

        public int duplicatedCount() {
            return sum(p -> p.duplicated().size());
        }

        public int outOfOrderCount() {
            return sum(p -> p.outOfOrder().size());
        }

        public int unexpectedCount() {
            return sum(p -> p.unexpected().size());
        }

        public int mismatchCount() {
            return sum(p -> p.mismatches().size());
        }

        public List<Located> duplicated() {
            return partitions.values().stream().flatMap(p -> p.duplicated().stream()).collect(Collectors.toList());
        }

        public List<Located> unexpected() {
            return partitions.values().stream().flatMap(p -> p.unexpected().stream()).collect(Collectors.toList());
        }

        public List<ProducedRecord> missing() {
            return partitions.values().stream().flatMap(p -> p.missing().stream()).collect(Collectors.toList());
        }

        public boolean isExactlyOnce() {
            return partitions.values().stream().allMatch(PartitionReport::isExactlyOnce);
        }

        /** Throws an {@link AssertionError} listing the first problems of each partition unless exactly once. */
        public Report assertExactlyOnce() {
            if (!isExactlyOnce()) {
                StringBuilder sb = new StringBuilder("Not exactly once: ").append(this);
                partitions.values().stream().filter(p -> !p.isExactlyOnce())
                        .forEach(p -> sb.append("\n  ").append(p.describe()));
                throw new AssertionError(sb.toString());
            }
            return this;
        }

        private int sum(ToIntFunction<PartitionReport> f) {
            return partitions.values().stream().mapToInt(f).sum();
        }

        @Override
        public String toString() {
            return String.format("%s (%d partitions): expected %d, actual %d, missing %d, duplicated %d, out of order"
                            + " %d, unexpected %d, mismatches %d -> %s", topic, partitions.size(), expectedCount(),
                    actualCount(), missingCount(), duplicatedCount(), outOfOrderCount(), unexpectedCount(),
                    mismatchCount(), isExactlyOnce() ? "EXACTLY ONCE" : "NOT EXACTLY ONCE");
        }
    }
}
