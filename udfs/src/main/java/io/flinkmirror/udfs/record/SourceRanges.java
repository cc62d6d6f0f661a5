package io.flinkmirror.udfs.record;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;

/**
 * The source offsets one sink transaction holds: per source topic-partition its first and last offset and how many
 * records, in the order records arrive (which, per partition, is offset order).
 *
 * <p>Kept by the sink writer for the transaction it is filling and stored with the transaction when it is
 * pre-committed, so that a transaction that can no longer be committed is reported as the source ranges whose records
 * it lost. Cheap per record: the partition of the previous record is remembered, and records come in runs per
 * partition.
 */
public final class SourceRanges {

    /** At most this many partitions are described; the rest are counted. */
    public static final int MAX_DESCRIBED = 1_000;

    private final Map<String, Map<Integer, long[]>> byTopic = new HashMap<>();
    private String lastTopic;
    private int lastPartition = -1;
    private long[] last;

    /** Counts {@code offset} of {@code topic}-{@code partition} into this transaction's ranges. */
    public void add(String topic, int partition, long offset) {
        if (last == null || partition != lastPartition || !topic.equals(lastTopic)) {
            last = byTopic.computeIfAbsent(topic, t -> new HashMap<>())
                    .computeIfAbsent(partition, p -> new long[] {offset, offset, 0});
            lastTopic = topic;
            lastPartition = partition;
        }
        last[0] = Math.min(last[0], offset);
        last[1] = Math.max(last[1], offset);
        last[2]++;
    }

    public boolean isEmpty() {
        return byTopic.isEmpty();
    }

    /** Forgets every range: the next transaction starts. */
    public void clear() {
        byTopic.clear();
        lastTopic = null;
        lastPartition = -1;
        last = null;
    }

    /**
     * One line, sorted by topic and partition: {@code orders-0 [120..345] 226 records, orders-3 [7..7] 1 record};
     * beyond {@value #MAX_DESCRIBED} partitions {@code ... and N more partitions}; {@code none} when empty.
     */
    public String describe() {
        List<String> topics = new ArrayList<>(byTopic.keySet());
        topics.sort(Comparator.naturalOrder());
        StringBuilder out = new StringBuilder();
        int described = 0;
        int total = 0;
        for (String topic : topics) {
            Map<Integer, long[]> partitions = byTopic.get(topic);
            List<Integer> numbers = new ArrayList<>(partitions.keySet());
            numbers.sort(Comparator.naturalOrder());
            for (int partition : numbers) {
                total++;
                if (described == MAX_DESCRIBED) {
                    continue;
                }
                long[] range = partitions.get(partition);
                if (described > 0) {
                    out.append(", ");
                }
                out.append(topic).append('-').append(partition).append(" [").append(range[0]).append("..")
                        .append(range[1]).append("] ").append(range[2]).append(range[2] == 1 ? " record" : " records");
                described++;
            }
        }
        if (total == 0) {
            return "none";
        }
        if (total > described) {
            out.append(" ... and ").append(total - described).append(" more partitions");
        }
        return out.toString();
    }

    /** One described partition: {@code <topic>-<partition> [<first>..<last>] <n> record(s)}. */
    private static final Pattern DESCRIBED = Pattern.compile("(.+)-(\\d+) \\[(\\d+)\\.\\.(\\d+)\\] \\d+ records?");

    /**
     * The last source offset of each partition of a {@link #describe()}d transaction, or empty when the description
     * does not name every partition (more than {@value #MAX_DESCRIBED}) or cannot be read back.
     */
    public static Optional<Map<TopicPartition, Long>> lastOffsets(String described) {
        return ranges(described).map(ranges -> {
            Map<TopicPartition, Long> last = new LinkedHashMap<>();
            ranges.forEach((tp, range) -> last.put(tp, range[1]));
            return last;
        });
    }

    /**
     * The first and last source offset ({@code {first, last}}) of each partition of a {@link #describe()}d
     * transaction, or empty when the description does not name every partition (more than {@value #MAX_DESCRIBED})
     * or cannot be read back.
     */
    public static Optional<Map<TopicPartition, long[]>> ranges(String described) {
        Map<TopicPartition, long[]> ranges = new LinkedHashMap<>();
        if (described == null || described.contains(" ... and ")) {
            return Optional.empty();
        }
        if (described.equals("none")) {
            return Optional.of(ranges);
        }
        // Topic names hold no ',' or ' ' (Kafka allows [a-zA-Z0-9._-]), so the entries split on ", ".
        for (String entry : described.split(", ")) {
            Matcher m = DESCRIBED.matcher(entry);
            if (!m.matches()) {
                return Optional.empty();
            }
            ranges.put(new TopicPartition(m.group(1), Integer.parseInt(m.group(2))),
                    new long[] {Long.parseLong(m.group(3)), Long.parseLong(m.group(4))});
        }
        return Optional.of(ranges);
    }

    @Override
    public String toString() {
        return describe();
    }
}
