package io.flinkmirror.udfs.mm2;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;

/**
 * One source offset MirrorMaker 2 committed for its {@code MirrorSourceConnector}, as Kafka Connect stores it in the
 * offsets topic ({@code mm2-offsets.<source>.internal} on the target in dedicated mode): JSON key
 * {@code ["MirrorSourceConnector",{"cluster":"A","partition":0,"topic":"orders"}]} (field order not fixed) and JSON
 * value {@code {"offset":41}}, the source offset of the last record MM2 replicated, so MM2 resumes at
 * {@code offset + 1}. A null value (a tombstone) clears the partition's offset.
 *
 * <p>Only what MM2 writes is understood: other connectors' keys ({@code MirrorCheckpointConnector} writes none with a
 * topic) and malformed records read as empty.
 */
public record Mm2SourceOffset(String connector, String cluster, TopicPartition sourcePartition, Long offset) {

    /** The connector whose offsets give MM2's replication progress. */
    public static final String SOURCE_CONNECTOR = "MirrorSourceConnector";

    private static final Pattern CONNECTOR = Pattern.compile("^\\s*\\[\\s*\"([^\"]*)\"");
    private static final Pattern CLUSTER = Pattern.compile("\"cluster\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern TOPIC = Pattern.compile("\"topic\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern PARTITION = Pattern.compile("\"partition\"\\s*:\\s*(\\d+)");
    private static final Pattern OFFSET = Pattern.compile("\"offset\"\\s*:\\s*(-?\\d+)");

    /** The source offset MM2 resumes this partition at: {@code offset + 1}; empty for a cleared offset. */
    public Optional<Long> resumeAt() {
        return offset == null || offset < 0 ? Optional.empty() : Optional.of(offset + 1);
    }

    /** Parses one record of Connect's offsets topic; empty if it is not a MirrorMaker 2 source offset. */
    public static Optional<Mm2SourceOffset> parse(byte[] key, byte[] value) {
        if (key == null) {
            return Optional.empty();
        }
        String k = new String(key, StandardCharsets.UTF_8);
        Matcher connector = CONNECTOR.matcher(k);
        Matcher cluster = CLUSTER.matcher(k);
        Matcher topic = TOPIC.matcher(k);
        Matcher partition = PARTITION.matcher(k);
        if (!connector.find() || !cluster.find() || !topic.find() || !partition.find()) {
            return Optional.empty();
        }
        Long offset = null;
        if (value != null) {
            Matcher o = OFFSET.matcher(new String(value, StandardCharsets.UTF_8));
            if (!o.find()) {
                return Optional.empty();
            }
            offset = Long.parseLong(o.group(1));
        }
        return Optional.of(new Mm2SourceOffset(connector.group(1), cluster.group(1),
                new TopicPartition(topic.group(1), Integer.parseInt(partition.group(1))), offset));
    }
}
