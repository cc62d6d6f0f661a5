package io.flinkmirror.integration;

import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Keeps writing {@link TestRecords} into source topics from a background thread with one transactional producer, a
 * transaction per batch, every {@code abortEvery}th transaction aborted. Remembers what was committed, per topic, for
 * the exactly-once check.
 */
final class TransactionalFeed implements AutoCloseable {

    private final String bootstrapServers;
    private final Map<String, Integer> topics;
    private final int perBatch;
    private final Duration every;
    private final int abortEvery;
    private final Map<String, List<ProducedRecord>> committed = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile RuntimeException failure;
    private volatile long transactions;

    TransactionalFeed(String bootstrapServers, Map<String, Integer> topics, int perBatch, Duration every,
                      int abortEvery) {
        this.bootstrapServers = bootstrapServers;
        this.topics = new LinkedHashMap<>(topics);
        this.perBatch = perBatch;
        this.every = every;
        this.abortEvery = abortEvery;
        topics.keySet().forEach(t -> committed.put(t, new ArrayList<>()));
        thread = new Thread(this::loop, "transactional-feed");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "feed-" + UUID.randomUUID());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            long batch = 0;
            while (!closed) {
                boolean abort = abortEvery > 0 && batch % abortEvery == abortEvery - 1;
                Map<String, List<ProducedRecord>> sent = new LinkedHashMap<>();
                producer.beginTransaction();
                int topicIndex = 0;
                for (Map.Entry<String, Integer> topic : topics.entrySet()) {
                    List<ProducedRecord> records = TestRecords.builder().topic(topic.getKey(), topic.getValue())
                            .count(perBatch).seed(batch * 31 + topicIndex++).keySpace(50).nullKeyRatio(0)
                            .idPrefix(topic.getKey() + "-" + batch + (abort ? "-aborted" : "")).build();
                    records.forEach(r -> producer.send(r.toProducerRecord()));
                    sent.put(topic.getKey(), records);
                }
                if (abort) {
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                    synchronized (committed) {
                        sent.forEach((topic, records) -> committed.get(topic).addAll(records));
                    }
                }
                transactions = ++batch;
                Thread.sleep(every.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** Transactions ended so far (committed or aborted). */
    long transactions() {
        return transactions;
    }

    /** What was committed to {@code topic}, in order. */
    List<ProducedRecord> committed(String topic) {
        synchronized (committed) {
            return new ArrayList<>(committed.get(topic));
        }
    }

    /** Stops writing after the transaction in progress; fails if the producer failed. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(60_000);
        if (thread.isAlive()) {
            thread.interrupt();
            throw new IllegalStateException("the transactional feed did not stop within 60 s");
        }
        if (failure != null) {
            throw new IllegalStateException("the transactional feed failed", failure);
        }
    }
}
