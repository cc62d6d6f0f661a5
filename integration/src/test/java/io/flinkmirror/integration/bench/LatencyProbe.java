package io.flinkmirror.integration.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Latency mode: with a replicator running on an otherwise idle source topic, produce at a steady rate with
 * CreateTime = send time, and let a read_committed consumer on the target compute now - record timestamp for each
 * record the first time it sees it (both ends share this machine's clock). The first seconds of the load are a
 * warm-up (JIT compilation, connections, buffers) and left out of the percentiles.
 */
final class LatencyProbe {

    /**
     * Latencies in milliseconds of the {@code seen} of the {@code measured} records (those sent after the warm-up;
     * {@code sent} counts the warm-up too); {@code rate} is the achieved send rate of the measured records;
     * {@code cpuSeconds} is the replicator's CPU from the first measured record sent until the last was seen (or the
     * drain timeout), while it copied {@code bytes} bytes of values.
     */
    record Latency(long sent, long measured, long seen, double rate, long p50, long p90, long p99, long max,
                   double cpuSeconds, long bytes) {

        /** The replicator's CPU seconds per GB of values during the measured window. */
        double cpuPerGigabyte() {
            return bytes <= 0 ? Double.NaN : cpuSeconds / (bytes / 1e9);
        }
    }

    private LatencyProbe() {
    }

    /**
     * Produces one record per partition and waits until all are readable on the target, so the replicator is
     * running before the load starts; returns the {@link System#nanoTime()} at which the first of them was seen
     * readable (polled every 100 ms).
     */
    static long awaitReady(ChildJvm replicator, Replicators.Flow flow, int partitions, Duration timeout)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Workload.producer(flow.sourceBootstrap())) {
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<>(flow.topic(), p, ("warm-" + p).getBytes(StandardCharsets.UTF_8),
                        new byte[8]));
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long firstReadable = -1;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, flow.targetBootstrap()))) {
            while (true) {
                replicator.checkAlive();
                Map<TopicPartition, Long> lso = Workload.lastStableOffsetsIfExists(admin, flow.targetTopic(),
                        partitions);
                if (firstReadable < 0 && lso.values().stream().anyMatch(offset -> offset > 0)) {
                    firstReadable = System.nanoTime();
                }
                if (!lso.isEmpty() && lso.values().stream().allMatch(offset -> offset > 0)) {
                    return firstReadable;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(replicator.name() + " did not replicate the readiness records to "
                            + flow.targetTopic() + " within " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Sends {@code rate} records/s of {@code recordSize} value bytes for {@code warmupSeconds} + {@code seconds}
     * and measures those sent after the warm-up on the target; waits up to {@code drain} for the last of them.
     */
    static Latency measure(ChildJvm replicator, Replicators.Flow flow, int partitions, int recordSize, int rate,
                           int warmupSeconds, int seconds, Duration drain) throws Exception {
        int warmup = rate * warmupSeconds;
        int total = warmup + rate * seconds;
        Workload records = new Workload(total, partitions, recordSize);
        int[] latencies = new int[total];
        BitSet seen = new BitSet(total);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Exception> consumerFailure = new AtomicReference<>();
        Object lock = new Object();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = targetConsumer(flow.targetBootstrap())) {
                List<TopicPartition> tps = Workload.partitionsOf(flow.targetTopic(), partitions);
                consumer.assign(tps);
                consumer.seekToEnd(tps);
                tps.forEach(consumer::position);
                synchronized (lock) {
                    lock.notifyAll();
                }
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.currentTimeMillis();
                        long index = Workload.index(record.key());
                        if (index >= 0 && index < total) {
                            synchronized (seen) {
                                if (!seen.get((int) index)) {
                                    seen.set((int) index);
                                    latencies[(int) index] = (int) Math.max(0, now - record.timestamp());
                                }
                            }
                        }
                    }
                }
            } catch (Exception e) {
                consumerFailure.set(e);
            }
        }, "latency-reader");
        synchronized (lock) {
            reader.start();
            lock.wait(30_000);
        }
        long start = System.nanoTime();
        long windowStart = start;
        double cpuBefore = 0;
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = Workload.producer(flow.sourceBootstrap())) {
            for (int i = 0; i < total; i++) {
                long due = start + (long) (i * (1e9 / rate));
                long wait = due - System.nanoTime();
                if (wait > 1_000_000) {
                    // Sleep only when a millisecond ahead: parkNanos itself takes ~50 us, the budget of one record.
                    LockSupport.parkNanos(wait);
                }
                if (i == warmup) {
                    windowStart = System.nanoTime();
                    cpuBefore = replicator.cpuSeconds();
                }
                producer.send(new ProducerRecord<>(flow.topic(), i % partitions, System.currentTimeMillis(),
                        Workload.key(i), records.value(i), Workload.headers(i)), (metadata, e) -> {
                            if (e != null) {
                                sendFailure.compareAndSet(null, e);
                            }
                        });
            }
        }
        double achieved = (total - warmup) / ((System.nanoTime() - windowStart) / 1e9);
        if (sendFailure.get() != null) {
            throw new IllegalStateException("latency load failed", sendFailure.get());
        }
        long deadline = System.nanoTime() + drain.toNanos();
        while (System.nanoTime() < deadline && consumerFailure.get() == null && replicator.isAlive()) {
            synchronized (seen) {
                if (seen.cardinality() == total) {
                    break;
                }
            }
            Thread.sleep(100);
        }
        replicator.checkAlive();
        double cpu = replicator.cpuSeconds() - cpuBefore;
        stop.set(true);
        reader.join(30_000);
        if (consumerFailure.get() != null) {
            throw new IllegalStateException("latency reader failed", consumerFailure.get());
        }
        int[] sorted;
        synchronized (seen) {
            sorted = new int[seen.get(warmup, total).cardinality()];
            int k = 0;
            for (int i = seen.nextSetBit(warmup); i >= 0; i = seen.nextSetBit(i + 1)) {
                sorted[k++] = latencies[i];
            }
        }
        Arrays.sort(sorted);
        int count = sorted.length;
        return new Latency(total, total - warmup, count, achieved, percentile(sorted, 0.50), percentile(sorted, 0.90),
                percentile(sorted, 0.99), count == 0 ? -1 : sorted[count - 1], cpu,
                (long) (total - warmup) * recordSize);
    }

    static long percentile(int[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    static KafkaConsumer<byte[], byte[]> targetConsumer(String bootstrapServers) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
