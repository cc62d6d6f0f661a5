package io.flinkmirror.job;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.udfs.offsets.KafkaReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the offset-mapping side stream costs: the same exactly-once replication with and without it, alternating,
 * repeated, medians compared (this machine is shared and noisy: ratios of the same run only). Not part of the test
 * run; run it with
 * {@code mvn -B -pl udfs,job verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=SideStreamCostBenchmark} ({@code -Dbench.records=N -Dbench.rounds=R} to change the load; each run includes the job's start, so runs
 * shorter than a few million records mostly measure start-up).
 */
class SideStreamCostBenchmark {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(8)
                    .build());

    private static final int CHUNK = 200_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 24, unit = TimeUnit.HOURS) // long by design; the default per-test timeout is 10 min
    void compareThroughputWithAndWithoutTheSideStream() throws Exception {
        int records = Integer.getInteger("bench.records", 2_000_000);
        int rounds = Integer.getInteger("bench.rounds", 4);
        List<LocalKafkaCluster> clusters = LocalKafkaCluster.startMany(2, dir);
        LocalKafkaCluster a = clusters.get(0);
        LocalKafkaCluster b = clusters.get(1);
        try {
            // An unmeasured warm-up of both variants first: the first job in a fresh JVM runs cold (JIT, class
            // loading, broker caches), which would otherwise count against whichever variant runs first.
            for (boolean sideStream : new boolean[] {true, false}) {
                Result warmUp = replicate(a, b, "warmup-" + sideStream, Math.max(1, records / 4), sideStream);
                System.out.printf("warm-up side stream %-5s %,.0f records/s (not counted)%n", sideStream,
                        warmUp.recordsPerSecond);
            }
            List<Double> with = new ArrayList<>();
            List<Double> without = new ArrayList<>();
            List<Double> cpuWith = new ArrayList<>();
            List<Double> cpuWithout = new ArrayList<>();
            List<Double> sideShare = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                for (boolean sideStream : new boolean[] {round % 2 == 0, round % 2 != 0}) {
                    Result r = replicate(a, b, "bench-" + round + "-" + sideStream, records, sideStream);
                    (sideStream ? with : without).add(r.recordsPerSecond);
                    (sideStream ? cpuWith : cpuWithout).add(r.cpuMicrosPerRecord);
                    if (sideStream) {
                        double side = r.threadCpu.getOrDefault("side stream", 0.0);
                        sideShare.add(side / (side + r.threadCpu.getOrDefault("replication", 0.0)));
                    }
                    System.out.printf("round %d side stream %-5s %,.0f records/s, %.1f us CPU/record, CPU s by "
                            + "thread kind %s%n", round, sideStream, r.recordsPerSecond, r.cpuMicrosPerRecord,
                            r.threadCpu);
                }
            }
            double medianWith = median(with);
            double medianWithout = median(without);
            System.out.printf("side stream on: median %,.0f records/s; off: %,.0f records/s; ratio on/off %.3f "
                    + "(target >= 0.95)%n", medianWith, medianWithout, medianWith / medianWithout);
            System.out.printf("CPU (whole JVM: brokers, Flink, checker) per record: on %.1f us, off %.1f us; "
                    + "ratio on/off %.3f%n", median(cpuWith), median(cpuWithout), median(cpuWith) / median(cpuWithout));
            System.out.printf("side-stream operator threads: median %.1f%% of the job's task-thread CPU%n",
                    100 * median(sideShare));
        } finally {
            a.close();
            b.close();
        }
    }

    /** Throughput of one run (until the last record is committed on the target) and the JVM's CPU per record. */
    private record Result(double recordsPerSecond, double cpuMicrosPerRecord, Map<String, Double> threadCpu) {}

    /** CPU seconds used by each live thread, by thread id, with the thread's name. */
    private static Map<Long, Map.Entry<String, Long>> threadCpu() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Map.Entry<String, Long>> cpu = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long nanos = threads.getThreadCpuTime(info.getThreadId());
                if (nanos >= 0) {
                    cpu.put(info.getThreadId(), Map.entry(info.getThreadName(), nanos));
                }
            }
        }
        return cpu;
    }

    /**
     * CPU seconds per kind of thread between two snapshots: the side stream's operators (offset mapping, its reads of
     * the target, group offset polling, the checkpoint and offset-sync sinks), the replication pipeline (source,
     * replicate, tracker, sink and their Kafka client threads), and everything else (both brokers, Flink's runtime).
     */
    private static Map<String, Double> cpuByKind(Map<Long, Map.Entry<String, Long>> before,
                                                 Map<Long, Map.Entry<String, Long>> after) {
        Map<String, Double> kinds = new java.util.TreeMap<>();
        after.forEach((id, now) -> {
            Map.Entry<String, Long> then = before.get(id);
            long nanos = now.getValue() - (then == null ? 0 : then.getValue());
            String name = now.getKey();
            String kind = name.contains("Offset mapping") || name.contains("Group offset")
                    || name.contains("Checkpoints sink") || name.contains("Offset syncs sink") ? "side stream"
                    : name.contains("Kafka source") || name.contains("Kafka sink")
                    || name.contains("producer-flink-mirror") ? "replication"
                    : "brokers+runtime";
            kinds.merge(kind, nanos / 1e9, Double::sum);
        });
        return kinds;
    }

    /** Replicates {@code records} fresh records of a new topic. */
    private static Result replicate(LocalKafkaCluster a, LocalKafkaCluster b, String topic, int records,
                                    boolean sideStream) throws Exception {
        a.createTopic(topic, 4);
        // Produced in chunks, keeping only the last value per partition: millions of records do not fit the heap.
        Map<Integer, byte[]> lastValues = new java.util.HashMap<>();
        for (int done = 0, chunk = 0; done < records; done += CHUNK, chunk++) {
            List<ProducedRecord> produced = TestRecords.builder().topic(topic, 4)
                    .count(Math.min(CHUNK, records - done)).valueSize(1024).headerRatio(1.0).nullKeyRatio(0).tombstoneRatio(0)
                    .idPrefix(topic + "-" + chunk).build();
            TestRecords.produce(a.bootstrapServers(), produced);
            produced.forEach(r -> lastValues.put(r.partition(), r.value()));
        }
        Map<String, String> props = MirrorRunner.flowProperties(a, b);
        props.put(a.name() + "->" + b.name() + ".topics", topic);
        props.put("flink.execution.checkpointing.interval", "2 s");
        if (!sideStream) {
            props.put("emit.offset-syncs.enabled", "false");
            props.put("emit.checkpoints.enabled", "false");
        }
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpuStart = os.getProcessCpuTime();
        Map<Long, Map.Entry<String, Long>> threadsBefore = threadCpu();
        long start = System.nanoTime();
        Map<String, Double> byKind;
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            String remote = a.name() + "." + topic;
            Poll.until(topic + " replicated", Duration.ofMinutes(10), () -> replicated(b, remote, lastValues));
            byKind = cpuByKind(threadsBefore, threadCpu()); // before the job's threads end
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(records / seconds, (os.getProcessCpuTime() - cpuStart) / 1e3 / records, byKind);
    }

    /** Whether the last record produced to each partition is readable (committed) on the target. */
    private static boolean replicated(LocalKafkaCluster cluster, String topic, Map<Integer, byte[]> lastValues) {
        try (KafkaReader reader = new KafkaReader(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            for (Map.Entry<Integer, byte[]> e : lastValues.entrySet()) {
                TopicPartition tp = new TopicPartition(topic, e.getKey());
                long end = reader.endOffset(tp);
                if (reader.findFirst(tp, Math.max(0, end - 5), r -> java.util.Arrays.equals(r.value(), e.getValue()))
                        .isEmpty()) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
