package io.flinkmirror.integration.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Latency from launch: what users live through after any downtime, upgrade or crash. A steady load (CreateTime = send
 * time) starts {@code backlogSeconds} before the replicator is launched and keeps running; a read_committed consumer
 * on the target reads everything from the start. Reported: launch until the first record is readable, and the
 * end-to-end latencies (send to first seen readable) of the records sent in the {@code seconds} that begin
 * {@code skipSeconds} after that first record (records sent in that window but never seen are counted apart).
 */
final class LaunchLatencyProbe {

    /**
     * {@code firstRecordSeconds}: launch until the first record was readable; {@code sent}: records sent in all;
     * {@code measured}: those sent in the window; {@code seen}: of those, seen readable; {@code rate}: achieved send
     * rate; latencies in ms of the seen ones; {@code windowSeconds}: from launch to the window's start.
     */
    record Result(double firstRecordSeconds, double windowSeconds, long sent, long measured, long seen, double rate,
                  long p50, long p90, long p99, long max) {
    }

    private LaunchLatencyProbe() {
    }

    /**
     * Runs it: {@code launch} starts the replicator (the load is already running then) and returns it; the caller
     * stops it.
     */
    static Result measure(Callable<ChildJvm> launch, AtomicReference<ChildJvm> launched, Replicators.Flow flow,
                          int partitions, int recordSize, int rate, int backlogSeconds, int skipSeconds, int seconds,
                          Duration startTimeout, Duration drain) throws Exception {
        long maxSeconds = backlogSeconds + startTimeout.toSeconds() + skipSeconds + seconds + 5;
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, rate * maxSeconds);
        Workload records = new Workload(capacity, partitions, recordSize);
        long[] sentAt = new long[capacity];
        int[] latencies = new int[capacity];
        boolean[] seen = new boolean[capacity];
        AtomicLong stopAtMs = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstSeenMs = new AtomicLong(-1);
        AtomicLong firstSeenNanos = new AtomicLong(-1);
        AtomicLong sentCount = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long loadStart = System.nanoTime();
        Thread producerThread = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = Workload.producer(flow.sourceBootstrap())) {
                for (int i = 0; i < capacity; i++) {
                    long due = loadStart + (long) (i * (1e9 / rate));
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) {
                        LockSupport.parkNanos(wait);
                    }
                    long now = System.currentTimeMillis();
                    if (now >= stopAtMs.get() || failure.get() != null) {
                        break;
                    }
                    sentAt[i] = now;
                    producer.send(new ProducerRecord<>(flow.topic(), i % partitions, now, Workload.key(i),
                            records.value(i), Workload.headers(i)), (metadata, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                    sentCount.set(i + 1);
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }, "launch-latency-load");
        producerThread.start();
        Thread.sleep(backlogSeconds * 1000L);
        ChildJvm replicator = launch.call();
        launched.set(replicator);
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = LatencyProbe.targetConsumer(flow.targetBootstrap());
                 Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                         flow.targetBootstrap()))) {
                while (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(flow.targetTopic())) {
                    if (stopAtMs.get() != Long.MAX_VALUE && System.currentTimeMillis() > stopAtMs.get()) {
                        return;
                    }
                    Thread.sleep(50);
                }
                List<TopicPartition> tps = Workload.partitionsOf(flow.targetTopic(), partitions);
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                while (stopAtMs.get() != 0) { // 0: stopped (polls return every 50 ms; no interrupt inside the client)
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.currentTimeMillis();
                        long index = Workload.index(record.key());
                        if (index < 0 || index >= capacity) {
                            continue;
                        }
                        if (firstSeenMs.get() < 0) {
                            firstSeenNanos.set(System.nanoTime());
                            firstSeenMs.set(now);
                            stopAtMs.set(now + (skipSeconds + seconds) * 1000L);
                        }
                        synchronized (seen) {
                            if (!seen[(int) index]) {
                                seen[(int) index] = true;
                                latencies[(int) index] = (int) Math.max(0, now - record.timestamp());
                            }
                        }
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // stopped
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }, "launch-latency-reader");
        reader.start();
        try {
            long startDeadline = System.nanoTime() + startTimeout.toNanos();
            while (firstSeenMs.get() < 0) {
                replicator.checkAlive();
                if (failure.get() != null) {
                    throw new IllegalStateException("launch latency load or reader failed", failure.get());
                }
                if (System.nanoTime() > startDeadline) {
                    throw new IllegalStateException(replicator.name() + " copied no record within " + startTimeout);
                }
                Thread.sleep(20);
            }
            producerThread.join();
            if (failure.get() != null) {
                throw new IllegalStateException("launch latency load failed", failure.get());
            }
            long windowFrom = firstSeenMs.get() + skipSeconds * 1000L;
            long windowTo = windowFrom + seconds * 1000L;
            int sent = (int) sentCount.get();
            long drainDeadline = System.nanoTime() + drain.toNanos();
            while (System.nanoTime() < drainDeadline && unseenInWindow(sentAt, seen, sent, windowFrom, windowTo) > 0) {
                replicator.checkAlive();
                Thread.sleep(100);
            }
            int[] window;
            long measured = 0;
            int k = 0;
            synchronized (seen) {
                window = new int[sent];
                for (int i = 0; i < sent; i++) {
                    if (sentAt[i] >= windowFrom && sentAt[i] < windowTo) {
                        measured++;
                        if (seen[i]) {
                            window[k++] = latencies[i];
                        }
                    }
                }
            }
            int[] sorted = Arrays.copyOf(window, k);
            Arrays.sort(sorted);
            double firstRecord = (firstSeenNanos.get() - replicator.startNanos()) / 1e9;
            double windowStart = firstRecord + skipSeconds;
            return new Result(firstRecord, windowStart, sent, measured, k, measured / (double) seconds,
                    LatencyProbe.percentile(sorted, 0.50), LatencyProbe.percentile(sorted, 0.90), LatencyProbe.percentile(sorted, 0.99),
                    k == 0 ? -1 : sorted[k - 1]);
        } finally {
            stopAtMs.set(0);
            reader.join(30_000);
            producerThread.join(30_000);
        }
    }

    private static long unseenInWindow(long[] sentAt, boolean[] seen, int sent, long from, long to) {
        long unseen = 0;
        synchronized (seen) {
            for (int i = 0; i < sent; i++) {
                if (sentAt[i] >= from && sentAt[i] < to && !seen[i]) {
                    unseen++;
                }
            }
        }
        return unseen;
    }
}
