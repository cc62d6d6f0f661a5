package io.flinkmirror.integration.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches the target topic of a run: when the first replicated record became readable (read_committed), and when
 * the last record of every partition did. Polls the last stable offsets every 100 ms; once a partition's LSO
 * reaches its record count, reads the few records below it to find the partition's last workload record.
 */
final class TargetWatcher implements AutoCloseable {

    private static final long POLL_MS = 100;
    /** Offsets read below the LSO when looking for a partition's last record (transaction markers take some). */
    private static final int TAIL = 64;

    /** When the copy became visible: nanoTime of the first readable record and of the complete copy. */
    record Visibility(long firstNanos, long committedAtFirst, long doneNanos, double cpuAtFirst) {
    }

    private final String topic;
    private final Workload workload;
    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> consumer;

    TargetWatcher(String bootstrapServers, String topic, Workload workload) {
        this.topic = topic;
        this.workload = workload;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(256 << 10));
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Waits until the whole workload is readable on the target, failing if {@code replicator} exits, if nothing new
     * becomes readable for {@code stall} (a replicator whose tasks died, as MM2 dedicated mode does not restart
     * them), or if {@code timeout} passes.
     */
    Visibility await(ChildJvm replicator, Duration timeout, Duration stall) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastProgress = System.nanoTime();
        long lastCommitted = -1;
        Set<Integer> pending = new HashSet<>();
        for (int p = 0; p < workload.partitions(); p++) {
            if (workload.count(p) > 0) {
                pending.add(p);
            }
        }
        long firstNanos = -1;
        long committedAtFirst = 0;
        double cpuAtFirst = 0;
        Map<TopicPartition, Long> lso = Map.of();
        while (true) {
            replicator.checkAlive();
            lso = Workload.lastStableOffsetsIfExists(admin, topic, workload.partitions());
            long now = System.nanoTime();
            long committed = lso.values().stream().mapToLong(Long::longValue).sum();
            if (committed != lastCommitted) {
                lastCommitted = committed;
                lastProgress = now;
            } else if (now - lastProgress > stall.toNanos()) {
                throw new IllegalStateException(replicator.name() + ": nothing new readable in " + topic + " for "
                        + stall.toSeconds() + " s (stalled at " + committed + " offsets); first error in its log: "
                        + replicator.firstError());
            }
            if (firstNanos < 0 && committed > 0) {
                firstNanos = now;
                committedAtFirst = committed;
                cpuAtFirst = replicator.cpuSeconds();
            }
            for (Integer p : List.copyOf(pending)) {
                Long end = lso.get(new TopicPartition(topic, p));
                if (end != null && end >= workload.count(p) && holdsLastRecord(p, end)) {
                    pending.remove(p);
                }
            }
            if (pending.isEmpty()) {
                return new Visibility(firstNanos, committedAtFirst, System.nanoTime(), cpuAtFirst);
            }
            if (now > deadline) {
                throw new IllegalStateException(replicator.name() + ": copy to " + topic + " not complete after "
                        + timeout + "; partitions still waiting " + pending + ", last stable offsets " + lso);
            }
            Thread.sleep(POLL_MS);
        }
    }

    private boolean holdsLastRecord(int partition, long end) {
        long last = workload.lastIndex(partition);
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        consumer.seek(tp, Math.max(0, end - TAIL));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (consumer.position(tp) < end && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (Workload.index(record.key()) == last) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void close() {
        consumer.close();
        admin.close();
    }
}
