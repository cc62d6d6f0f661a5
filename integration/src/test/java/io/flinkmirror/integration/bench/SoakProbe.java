package io.flinkmirror.integration.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Soak: the latency load (rate, record size) runs from before the launch for {@code seconds}; per minute of send time
 * it reports the latency percentiles of the records sent in it, and samples every 5 s the newest completed
 * checkpoint's size and duration (the mirror's REST API) and the mirror's resident memory. A consumer group stopped
 * after {@code groupAfterSeconds} (committed once, never again) must still be translated at the end, at or before
 * the exact target offset; a read_committed reader counts every record: none missing, none twice.
 */
final class SoakProbe {

    /** One minute of the soak: latency of the records sent in it, checkpoints and memory sampled in it. */
    record Minute(int minute, long records, long p50, long p99, long max, long checkpointBytes,
                  long checkpointMillis, long failedCheckpoints, long rssBytes) {}

    /** The soak's outcome: its minutes, the exactly-once count and the stopped group's translation. */
    record Result(List<Minute> minutes, long sent, long missing, long duplicated, String stoppedGroup,
                  long stoppedGroupReadAgain, boolean stoppedGroupTranslated) {}

    private static final int MAX_LATENCY_MS = 120_000;
    private static final Pattern WEB = Pattern.compile("Web frontend listening at (http://[^ ]+?)\\.?$",
            Pattern.MULTILINE);

    private SoakProbe() {}

    static Result run(ChildJvm replicator, Replicators.Flow flow, int partitions, int recordSize, int rate,
                      int seconds, int groupAfterSeconds, Path dir) throws Exception {
        long total = (long) rate * seconds;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("soak of " + total + " records: lower the rate or the seconds");
        }
        int minutes = (seconds + 59) / 60;
        int[][] histograms = new int[minutes][MAX_LATENCY_MS + 1];
        BitSet seen = new BitSet((int) total);
        AtomicLong duplicated = new AtomicLong();
        AtomicLong sentCount = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Workload records = new Workload(total, partitions, recordSize);
        long startMs = System.currentTimeMillis();
        long startNanos = System.nanoTime();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();

        Thread reader = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = LatencyProbe.targetConsumer(flow.targetBootstrap());
                 Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                         flow.targetBootstrap()))) {
                while (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(flow.targetTopic())) {
                    if (stop.get()) {
                        return;
                    }
                    Thread.sleep(100);
                }
                List<TopicPartition> tps = Workload.partitionsOf(flow.targetTopic(), partitions);
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.currentTimeMillis();
                        long index = Workload.index(record.key());
                        if (index < 0 || index >= total) {
                            continue;
                        }
                        synchronized (seen) {
                            if (seen.get((int) index)) {
                                duplicated.incrementAndGet();
                                continue;
                            }
                            seen.set((int) index);
                        }
                        int minute = (int) ((record.timestamp() - startMs) / 60_000);
                        if (minute >= 0 && minute < minutes) {
                            histograms[minute][(int) Math.min(MAX_LATENCY_MS, Math.max(0, now - record.timestamp()))]++;
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }, "soak-reader");
        reader.start();

        Thread producerThread = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = Workload.producer(flow.sourceBootstrap())) {
                for (long i = 0; i < total && !stop.get() && failure.get() == null; i++) {
                    long due = startNanos + (long) (i * (1e9 / rate));
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) {
                        LockSupport.parkNanos(wait);
                    }
                    producer.send(new ProducerRecord<>(flow.topic(), (int) (i % partitions),
                            System.currentTimeMillis(), Workload.key(i), records.value(i), Workload.headers(i)),
                            (metadata, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                    sentCount.set(i + 1);
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }, "soak-load");
        producerThread.start();

        long[] checkpointBytes = new long[minutes];
        long[] checkpointMillis = new long[minutes];
        long[] failedCheckpoints = new long[minutes];
        long[] rss = new long[minutes];
        Map<TopicPartition, Long> stoppedAt = null;
        String group = "soak-stopped-" + flow.sourceAlias();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String rest = null;
        try (Admin source = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                flow.sourceBootstrap()))) {
            while (producerThread.isAlive()) {
                replicator.checkAlive();
                if (failure.get() != null) {
                    throw new IllegalStateException("soak load or reader failed", failure.get());
                }
                long elapsedMs = System.currentTimeMillis() - startMs;
                int minute = (int) Math.min(minutes - 1, elapsedMs / 60_000);
                if (stoppedAt == null && elapsedMs >= groupAfterSeconds * 1000L) {
                    stoppedAt = commitStoppedGroup(source, group, flow, partitions);
                }
                if (rest == null) {
                    rest = webUrl(dir.resolve("mirror.log"));
                }
                if (rest != null) {
                    long[] checkpoint = latestCheckpoint(http, rest);
                    if (checkpoint != null) {
                        checkpointBytes[minute] = Math.max(checkpointBytes[minute], checkpoint[0]);
                        checkpointMillis[minute] = Math.max(checkpointMillis[minute], checkpoint[1]);
                        failedCheckpoints[minute] = checkpoint[2];
                    }
                }
                rss[minute] = Math.max(rss[minute], currentRssBytes(replicator.pid()));
                Thread.sleep(5_000);
            }
            if (failure.get() != null) {
                throw new IllegalStateException("soak load failed", failure.get());
            }
            long sent = sentCount.get();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (cardinality(seen) < sent && System.nanoTime() < deadline) {
                replicator.checkAlive();
                Thread.sleep(500);
            }
            stop.set(true);
            reader.join(30_000);
            long missing = sent - cardinality(seen);

            List<Minute> result = new ArrayList<>();
            for (int m = 0; m < minutes; m++) {
                long n = 0;
                for (int c : histograms[m]) {
                    n += c;
                }
                result.add(new Minute(m + 1, n, percentile(histograms[m], n, 0.50), percentile(histograms[m], n, 0.99),
                        percentile(histograms[m], n, 1.0), checkpointBytes[m], checkpointMillis[m],
                        failedCheckpoints[m], rss[m]));
            }
            long readAgain = -1;
            boolean translated = false;
            if (stoppedAt != null) {
                long[] check = checkStoppedGroup(flow, group, stoppedAt, partitions);
                translated = check[0] == 1;
                readAgain = check[1];
            }
            return new Result(result, sent, missing, duplicated.get(), group, readAgain, translated);
        } finally {
            stop.set(true);
            producerThread.join(30_000);
            reader.join(30_000);
        }
    }

    private static long cardinality(BitSet seen) {
        synchronized (seen) {
            return seen.cardinality();
        }
    }

    /** The offset of the {@code q} quantile in a 1 ms histogram of {@code n} latencies (-1 if empty). */
    static long percentile(int[] histogram, long n, double q) {
        if (n == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long count = 0;
        for (int ms = 0; ms < histogram.length; ms++) {
            count += histogram[ms];
            if (count >= rank) {
                return ms;
            }
        }
        return histogram.length - 1;
    }

    /** Commits the group at the source's current end offsets: it never moves again. */
    private static Map<TopicPartition, Long> commitStoppedGroup(Admin source, String group, Replicators.Flow flow,
                                                                int partitions) throws Exception {
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
        for (TopicPartition tp : Workload.partitionsOf(flow.topic(), partitions)) {
            latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        Map<TopicPartition, Long> at = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        source.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> {
            at.put(tp, info.offset());
            commit.put(tp, new OffsetAndMetadata(info.offset()));
        });
        source.alterConsumerGroupOffsets(group, commit).all().get(30, TimeUnit.SECONDS);
        return at;
    }

    /**
     * Reads the stopped group's newest checkpoints from the target; returns {1 if every partition has one at or
     * before the exact offset (0 otherwise), the records a consumer failed over there would read again}.
     */
    private static long[] checkStoppedGroup(Replicators.Flow flow, String group, Map<TopicPartition, Long> stoppedAt,
                                            int partitions) throws Exception {
        Map<Integer, Long> downstream = new HashMap<>();
        String checkpoints = flow.sourceAlias() + ".checkpoints.internal";
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (downstream.size() < partitions && System.nanoTime() < deadline) {
            downstream.clear();
            try (KafkaConsumer<byte[], byte[]> consumer = LatencyProbe.targetConsumer(flow.targetBootstrap())) {
                List<TopicPartition> tps = List.of(new TopicPartition(checkpoints, 0));
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                long end = consumer.endOffsets(tps).get(tps.get(0));
                while (consumer.position(tps.get(0)) < end) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        io.flinkmirror.udfs.mm2.Checkpoint c = io.flinkmirror.udfs.mm2.Checkpoint.deserialize(
                                r.key(), r.value());
                        if (c.consumerGroupId().equals(group) && c.topic().equals(flow.targetTopic())) {
                            downstream.put(c.partition(), c.downstreamOffset());
                        }
                    }
                }
            }
            if (downstream.size() < partitions) {
                Thread.sleep(2_000);
            }
        }
        if (downstream.size() < partitions) {
            return new long[] {0, -1};
        }
        long readAgain = 0;
        boolean atOrBefore = true;
        try (KafkaConsumer<byte[], byte[]> target = LatencyProbe.targetConsumer(flow.targetBootstrap());
             KafkaConsumer<byte[], byte[]> source = LatencyProbe.targetConsumer(flow.sourceBootstrap())) {
            for (Map.Entry<TopicPartition, Long> e : stoppedAt.entrySet()) {
                long exactIndex = firstIndexAt(source, e.getKey(), e.getValue());
                long translatedIndex = firstIndexAt(target,
                        new TopicPartition(flow.targetTopic(), e.getKey().partition()),
                        downstream.get(e.getKey().partition()));
                if (exactIndex < 0 || translatedIndex < 0 || translatedIndex > exactIndex) {
                    atOrBefore = false;
                } else {
                    readAgain += (exactIndex - translatedIndex) / partitions;
                }
            }
        }
        return new long[] {atOrBefore ? 1 : 0, readAgain};
    }

    /** The workload index of the first record at or after {@code offset} (-1 if none within 10 s). */
    private static long firstIndexAt(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, long offset) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                long index = Workload.index(r.key());
                if (index >= 0) {
                    return index;
                }
            }
        }
        return -1;
    }

    /** The mirror's web UI address, from its log ("Web frontend listening at ..."); null until it is there. */
    private static String webUrl(Path mirrorLog) {
        try {
            Matcher m = WEB.matcher(Files.readString(mirrorLog));
            return m.find() ? m.group(1) : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** {size in bytes, end-to-end duration in ms, failed count} of the newest completed checkpoint, or null. */
    private static long[] latestCheckpoint(HttpClient http, String rest) {
        try {
            String jobs = get(http, rest + "/jobs");
            Matcher id = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f]{32})\"\\s*,\\s*\"status\"\\s*:\\s*\"RUNNING\"")
                    .matcher(jobs);
            if (!id.find()) {
                return null;
            }
            String stats = get(http, rest + "/jobs/" + id.group(1) + "/checkpoints");
            int completed = stats.indexOf("\"completed\":{");
            int latest = stats.indexOf("\"latest\"");
            if (completed < 0 || latest < 0 || completed < latest) {
                return null;
            }
            String newest = stats.substring(completed);
            return new long[] {number(newest, "checkpointed_size"), number(newest, "end_to_end_duration"),
                    number(stats.substring(stats.indexOf("\"counts\"")), "failed")};
        } catch (Exception e) {
            return null;
        }
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The process's resident memory now (VmRSS), 0 if unknown. */
    static long currentRssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return 0;
    }
}
