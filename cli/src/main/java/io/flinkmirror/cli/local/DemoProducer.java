package io.flinkmirror.cli.local;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Quickstart traffic: a steady stream of keyed records with headers into a few topics. */
public final class DemoProducer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoProducer.class);

    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();

    /** Starts producing {@code recordsPerSecond} records in total, round-robin over {@code topics}. */
    public DemoProducer(String bootstrapServers, List<String> topics, int recordsPerSecond) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "flink-mirror-demo-producer");
        this.thread = new Thread(() -> produce(props, topics, recordsPerSecond), "demo-producer");
        thread.setDaemon(true);
        thread.start();
    }

    private void produce(Properties props, List<String> topics, int recordsPerSecond) {
        long intervalNanos = 1_000_000_000L / Math.max(1, recordsPerSecond);
        long next = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (running.get()) {
                long n = sent.get();
                String topic = topics.get((int) (n % topics.size()));
                byte[] key = ("customer-" + (n % 97)).getBytes(StandardCharsets.UTF_8);
                byte[] value = ("{\"seq\":" + n + ",\"topic\":\"" + topic + "\"}").getBytes(StandardCharsets.UTF_8);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key, value);
                record.headers().add("app", "flink-mirror-quickstart".getBytes(StandardCharsets.UTF_8));
                producer.send(record, (metadata, e) -> {
                    if (e != null) {
                        LOG.warn("Demo producer could not send to {}: {}", topic, e.toString());
                    }
                });
                sent.incrementAndGet();
                next += intervalNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records handed to the producer so far. */
    public long sent() {
        return sent.get();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }
}
