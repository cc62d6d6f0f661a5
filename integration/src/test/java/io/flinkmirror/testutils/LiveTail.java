package io.flinkmirror.testutils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A read_committed consumer that follows topics from their first record while a test runs, and remembers every
 * record it saw with its offset: on a compacted topic the log cleaner removes superseded records soon after they
 * are written, so what a topic holds at the end no longer shows a record that was written twice, or in the wrong
 * order. The tail sees them as they are committed (the cleaner never touches the active segment, and a segment rolls
 * only with a newer record).
 */
public final class LiveTail implements AutoCloseable {

    /** A record as the tail saw it, its topic name cleared so replicas compare equal to their source records. */
    public record Seen(ProducedRecord record, long offset) {}

    private final Map<TopicPartition, List<Seen>> seen = new HashMap<>();
    private final Map<TopicPartition, Long> positions = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile RuntimeException failure;
    private final KafkaConsumer<byte[], byte[]> consumer;

    /** Follows the topics matching {@code topics} on the cluster of {@code clientProps}, new ones included. */
    public LiveTail(Map<String, String> clientProps, Pattern topics) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put("group.id", "live-tail-" + java.util.UUID.randomUUID());
        props.put("isolation.level", "read_committed");
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        props.put("metadata.max.age.ms", "1000");
        props.put("allow.auto.create.topics", "false");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(topics, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {}
        });
        thread = new Thread(this::loop, "live-tail " + topics);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    synchronized (seen) {
                        seen.computeIfAbsent(tp, k -> new ArrayList<>())
                                .add(new Seen(ProducedRecord.from(r).withTopic(""), r.offset()));
                    }
                }
                for (TopicPartition tp : consumer.assignment()) {
                    positions.put(tp, consumer.position(tp, Duration.ofSeconds(5)));
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                failure = e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** What the tail saw of {@code topic}, per partition in offset order. */
    public Map<Integer, List<Seen>> seen(String topic) {
        if (failure != null) {
            throw new IllegalStateException("the live tail failed", failure);
        }
        Map<Integer, List<Seen>> out = new HashMap<>();
        synchronized (seen) {
            seen.forEach((tp, list) -> {
                if (tp.topic().equals(topic)) {
                    out.put(tp.partition(), new ArrayList<>(list));
                }
            });
        }
        return out;
    }

    /** Waits until the tail's position reached {@code ends} (partition -> end offset, read_committed). */
    public void awaitReached(String topic, Map<Integer, Long> ends, Duration timeout) {
        Poll.until("the live tail to reach " + ends + " on " + topic, timeout, () -> {
            for (Map.Entry<Integer, Long> e : ends.entrySet()) {
                if (positions.getOrDefault(new TopicPartition(topic, e.getKey()), 0L) < e.getValue()) {
                    return false;
                }
            }
            return true;
        }, () -> "at " + positions);
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        thread.join(10_000);
    }
}
