package io.flinkmirror.testutils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Keeps producing {@link TestRecords} into topics from a background thread ({@code perBatch} records per topic every
 * {@code every}) until closed, remembering what it sent for {@link ExactlyOnceChecker}. {@link #pause()} returns
 * once no batch is in flight, so what {@link #produced} lists is then exactly what the topics hold.
 */
public final class ContinuousProducer implements AutoCloseable {

    private final Map<String, Integer> topics;
    private final int perBatch;
    private final Duration every;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<String, List<ProducedRecord>> produced = new LinkedHashMap<>();
    private final ReentrantLock sending = new ReentrantLock();
    private final Thread thread;
    private volatile boolean paused;
    private volatile boolean closed;
    private volatile RuntimeException failure;

    /** Starts producing into {@code topics} (name -> partition count). */
    public ContinuousProducer(String bootstrapServers, Map<String, Integer> topics, int perBatch, Duration every) {
        this.topics = new LinkedHashMap<>(topics);
        this.perBatch = perBatch;
        this.every = every;
        this.producer = new KafkaProducer<>(TestRecords.producerProps(bootstrapServers));
        topics.keySet().forEach(t -> produced.put(t, new ArrayList<>()));
        this.thread = new Thread(this::loop, "continuous-producer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        long batch = 0;
        try {
            while (!closed) {
                sending.lock();
                try {
                    if (!paused) {
                        sendBatch(batch++);
                    }
                } finally {
                    sending.unlock();
                }
                Thread.sleep(every.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private void sendBatch(long batch) throws InterruptedException {
        int topicIndex = 0;
        for (Map.Entry<String, Integer> topic : topics.entrySet()) {
            List<ProducedRecord> records = TestRecords.builder().topic(topic.getKey(), topic.getValue())
                    .count(perBatch).seed(batch * 31 + topicIndex++).idPrefix(topic.getKey() + "-" + batch).build();
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            records.forEach(r -> acks.add(producer.send(r.toProducerRecord())));
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                try {
                    ack.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("send to " + topic.getKey() + " failed", e.getCause());
                }
            }
            synchronized (produced) {
                produced.get(topic.getKey()).addAll(records);
            }
        }
    }

    /** Stops producing; returns when no batch is in flight. Fails if the producer thread failed. */
    public void pause() {
        sending.lock();
        try {
            paused = true;
        } finally {
            sending.unlock();
        }
        checkFailure();
    }

    /** Produces again after {@link #pause()}. */
    public void resume() {
        paused = false;
    }

    /** Everything sent to {@code topic} so far, in order. */
    public List<ProducedRecord> produced(String topic) {
        synchronized (produced) {
            return List.copyOf(produced.get(topic));
        }
    }

    private void checkFailure() {
        if (failure != null) {
            throw new IllegalStateException("the continuous producer failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(30_000);
        producer.close(Duration.ofSeconds(10));
        checkFailure();
    }
}
