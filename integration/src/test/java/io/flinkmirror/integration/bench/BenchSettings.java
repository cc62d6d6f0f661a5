package io.flinkmirror.integration.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code bin/benchmark} passes as {@code -Dbench.*} system properties, with the defaults of the issue:
 * 1M records of 1 KiB over 8 partitions, 9 rounds, latency with 200-byte records at 20k records/s for 15 s of
 * warm-up under load plus 60 s measured, every contender. {@code heap} is the copy loop's only.
 */
record BenchSettings(Workload workload, int rounds, int parallelism, String heap, Duration checkpointInterval,
                     int latencySeconds, int latencyWarmupSeconds, int latencyRate, int latencyRecordSize,
                     List<Contender> contenders, boolean jfr,
                     List<String> jvmOptions, List<String> mirrorOptions, Duration runTimeout,
                     Duration stallTimeout, int launchRounds, int launchBacklogSeconds, int launchSkipSeconds,
                     int launchSeconds, int soakSeconds, int soakGroupAfterSeconds) {

    static BenchSettings fromSystemProperties() {
        Workload workload = new Workload(Long.getLong("bench.records", 1_000_000),
                Integer.getInteger("bench.partitions", 8), Integer.getInteger("bench.record.size", 1024));
        int rounds = Integer.getInteger("bench.rounds", 9);
        long checkpointMs = Long.getLong("bench.checkpoint.interval.ms", -1);
        // Unset: Flink Mirror runs with its own defaults (interval and interval while catching up).
        Duration checkpoint = checkpointMs < 0 ? null : Duration.ofMillis(checkpointMs);
        List<Contender> contenders = new ArrayList<>();
        for (String id : System.getProperty("bench.contenders", "").split(",")) {
            if (!id.isBlank()) {
                contenders.add(Contender.byId(id.trim()));
            }
        }
        if (contenders.isEmpty()) {
            contenders.addAll(List.of(Contender.values()));
        }
        int latencySeconds = Integer.getInteger("bench.latency.seconds", 60);
        int latencyWarmup = Integer.getInteger("bench.latency.warmup.seconds", 15);
        int latencyRate = Integer.getInteger("bench.latency.rate", 20_000);
        int latencyRecordSize = Integer.getInteger("bench.latency.record.size", 200);
        if (workload.records() < 1 || workload.partitions() < 1 || workload.recordSize() < 8 || rounds < 0) {
            throw new IllegalArgumentException("bench.records and bench.partitions must be >= 1, bench.rounds >= 0 "
                    + "and bench.record.size >= 8; got " + workload + ", rounds " + rounds);
        }
        if (latencySeconds < 0 || latencyWarmup < 0 || latencyRate < 1 || latencyRecordSize < 8
                || (long) latencyRate * (latencyWarmup + latencySeconds) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bench.latency.seconds and bench.latency.warmup.seconds must be >= 0, "
                    + "bench.latency.rate >= 1, bench.latency.record.size >= 8, and rate x (warm-up + seconds) an "
                    + "int; got " + latencySeconds + ", " + latencyWarmup + ", " + latencyRate + ", "
                    + latencyRecordSize);
        }
        return new BenchSettings(workload, rounds, Integer.getInteger("bench.parallelism", 2),
                System.getProperty("bench.heap", "2g"), checkpoint, latencySeconds, latencyWarmup, latencyRate,
                latencyRecordSize, List.copyOf(contenders),
                Boolean.getBoolean("bench.jfr"), jvmOptions(System.getProperty("bench.jvm.options", "")),
                jvmOptions(System.getProperty("bench.mirror.options", "")), Duration.ofMinutes(Long.getLong("bench.run.timeout.minutes", 20)),
                Duration.ofSeconds(Long.getLong("bench.stall.seconds", 180)),
                nonNegative("bench.launch.rounds", 3), nonNegative("bench.launch.backlog.seconds", 0),
                nonNegative("bench.launch.skip.seconds", 15), nonNegative("bench.launch.seconds", 45),
                nonNegative("bench.soak.seconds", 0), nonNegative("bench.soak.group.after.seconds", 60));
    }

    private static int nonNegative(String property, int defaultValue) {
        int value = Integer.getInteger(property, defaultValue);
        if (value < 0) {
            throw new IllegalArgumentException(property + " must be >= 0; got " + value);
        }
        return value;
    }

    /**
     * Extra options for every replicator JVM, separated by {@code |}, e.g. a profiler agent. {@code {dir}} and
     * {@code {name}} in them become the run's directory and the replicator's name.
     */
    private static List<String> jvmOptions(String value) {
        List<String> options = new ArrayList<>();
        for (String option : value.split("\\|")) {
            if (!option.isBlank()) {
                options.add(option.trim());
            }
        }
        return List.copyOf(options);
    }

    @Override
    public String toString() {
        return String.format("%,d records x %,d B, %d partitions, %d rounds, parallelism %d, copy loop -Xmx%s, "
                        + "MirrorMaker 2 %s, Flink Mirror bin/mirror's heap, checkpoint "
                        + "interval %s, latency %,d B records at %,d rec/s for %d s after %d s of warm-up, "
                        + "latency from launch %d round(s) (load from %d s before launch, %d s measured from %d s "
                        + "after the first record), soak %d s, contenders %s%s%s%s",
                workload.records(), workload.recordSize(), workload.partitions(), rounds, parallelism, heap,
                String.join(" ", Replicators.MM2_HEAP),
                checkpointInterval == null ? "the job's default" : checkpointInterval.toMillis() + " ms",
                latencyRecordSize, latencyRate, latencySeconds, latencyWarmupSeconds,
                launchRounds, launchBacklogSeconds, launchSeconds, launchSkipSeconds, soakSeconds,
                contenders.stream().map(Contender::id).toList(), jfr ? ", JFR on" : "",
                jvmOptions.isEmpty() ? "" : ", JVM options " + jvmOptions,
                mirrorOptions.isEmpty() ? "" : ", Flink Mirror options " + mirrorOptions);
    }
}
