package io.flinkmirror.integration.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flink Mirror against MirrorMaker 2 (dedicated mode, at-least-once and exactly-once) and a plain copy loop (the
 * ceiling), on two real Kafka brokers running as their own processes, each replicator in its own JVM with the same
 * parallelism (Flink Mirror started by {@code bin/mirror run}, as a user starts it). The workload is loaded once; each
 * run replicates it under fresh cluster aliases to a new target topic, and the copy is read back and counted.
 * Contenders alternate and repeat; medians and pooled rates are reported, plus a latency mode (steady load after a
 * warm-up under the same load, end-to-end latency per record, start time, peak RSS and CPU per GB). Results: CSV and
 * Markdown under {@code integration/target/benchmark/}.
 * <p>
 * Not part of the test run; {@code bin/benchmark} runs it (the {@code benchmark} Maven profile).
 */
class MirrorBenchmark {

    private static final String TOPIC = "bench";

    @Test
    @Timeout(value = 24, unit = TimeUnit.HOURS) // long by design; the default per-test timeout is 10 min
    void compareWithMirrorMaker2AndTheCeiling() throws Exception {
        BenchSettings settings = BenchSettings.fromSystemProperties();
        Path output = BenchEnv.home().resolve("integration/target/benchmark");
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        BenchEnv env = BenchEnv.load(Path.of(System.getProperty("bench.output.dir", output.toString()))
                .resolve("work-" + stamp));
        BenchReport report = new BenchReport(settings);
        say("benchmark: " + settings);
        say("benchmark: logs and configs under " + env.workDir());
        prepareMirrorLauncher(settings);
        try (BrokerProcess source = BrokerProcess.start(env, "source");
             BrokerProcess target = BrokerProcess.start(env, "target")) {
            say("benchmark: brokers up (source " + source.bootstrapServers() + ", target "
                    + target.bootstrapServers() + ")");
            // A cluster in use has its transaction state and consumer offsets topics; a fresh broker creates them (50
            // partitions each) on the first transactional producer and group lookup, which would land in the first
            // measured start.
            Workload.initTransactionState(source.bootstrapServers());
            Workload.initTransactionState(target.bootstrapServers());
            Workload.initGroupCoordinator(source.bootstrapServers());
            Workload.initGroupCoordinator(target.bootstrapServers());
            if (settings.rounds() > 0) {
                double loadSeconds = settings.workload().load(source.bootstrapServers(), TOPIC);
                say(String.format("benchmark: loaded %,d records into %s in %.1f s", settings.workload().records(),
                        TOPIC, loadSeconds));
            } else {
                // No preload to warm the brokers up (their JIT, caches): a short load into each, so that the first
                // measured start does not pay for brokers that have just started, as a cluster in use would not.
                Workload warmUp = new Workload(200_000, settings.workload().partitions(), 200);
                warmUp.load(source.bootstrapServers(), "warm-up");
                warmUp.load(target.bootstrapServers(), "warm-up");
                say("benchmark: brokers warmed up with 200,000 records each");
            }
            if (settings.launchRounds() > 0 || settings.latencySeconds() > 0 || settings.soakSeconds() > 0) {
                warmBrokersAtRate(settings, source, target);
            }
            int run = 0;
            List<Contender> contenders = settings.contenders();
            // Latency first (short), so a benchmark stopped during the long throughput rounds still has it.
            if (settings.latencySeconds() > 0) {
                for (Contender contender : contenders) {
                    run++;
                    try {
                        report.add(contender, latency(contender, run, env, settings, source, target));
                    } catch (Exception | AssertionError e) {
                        report.addFailure("latency " + contender.id() + ": " + firstLine(e));
                        say("benchmark: " + contender.id() + " latency run FAILED: " + e.getMessage());
                    }
                    report.write(env.outputDir());
                }
            }
            for (int round = 1; round <= settings.launchRounds() && settings.launchSeconds() > 0; round++) {
                for (Contender contender : contenders) {
                    run++;
                    try {
                        report.add(launchLatency(contender, round, run, env, settings, source, target));
                    } catch (Exception | AssertionError e) {
                        report.addFailure("latency from launch, round " + round + " " + contender.id() + ": "
                                + firstLine(e));
                        say("benchmark: " + contender.id() + " latency-from-launch run FAILED: " + e.getMessage());
                    }
                    report.write(env.outputDir());
                }
            }
            if (settings.soakSeconds() > 0) {
                for (Contender contender : contenders) {
                    if (contender != Contender.FLINK_EOS && contender != Contender.FLINK_ALO) {
                        continue; // the soak reads the mirror's checkpoints from its REST API
                    }
                    run++;
                    try {
                        soak(contender, run, env, settings, source, target, stamp);
                    } catch (Exception | AssertionError e) {
                        report.addFailure("soak " + contender.id() + ": " + firstLine(e));
                        say("benchmark: " + contender.id() + " soak FAILED: " + e.getMessage());
                    }
                }
            }
            for (int round = 1; round <= settings.rounds(); round++) {
                for (int i = 0; i < contenders.size(); i++) {
                    // Rotate the order each round so no contender always runs first (cold caches) or last.
                    Contender contender = contenders.get((i + round - 1) % contenders.size());
                    run++;
                    try {
                        report.add(throughput(contender, round, run, env, settings, source, target));
                    } catch (Exception | AssertionError e) {
                        report.addFailure("round " + round + " " + contender.id() + ": " + firstLine(e));
                        say("benchmark: " + contender.id() + " run " + run + " FAILED: " + e.getMessage());
                    }
                    report.write(env.outputDir());
                }
            }
        }
        Path markdown = report.write(env.outputDir());
        say("\n" + Files.readString(markdown));
        say("benchmark: results in " + markdown + " and " + markdown.toString().replace(".md", ".csv"));
        List<String> failures = report.failures();
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " benchmark run(s) failed:\n" + String.join("\n", failures));
        }
    }

    /** A measured run's flow (aliases {@code s<run>}, {@code t<run>}), its directory, and its fresh source topic. */
    private record RunSetup(Replicators.Flow flow, Path dir, int partitions) {
        static RunSetup create(Contender contender, int run, String kind, BenchEnv env, BenchSettings settings,
                               BrokerProcess source, BrokerProcess target) throws Exception {
            Replicators.Flow flow = new Replicators.Flow("s" + run, "t" + run, source.bootstrapServers(),
                    target.bootstrapServers(), kind + "-" + run);
            int partitions = settings.workload().partitions();
            Workload.createTopic(source.bootstrapServers(), flow.topic(), partitions);
            return new RunSetup(flow, env.workDir().resolve(String.format("run-%02d-%s-%s", run, contender.id(),
                    kind)), partitions);
        }
    }

    /**
     * Soak: the latency load for {@code soakSeconds} from before the launch, a group stopped after
     * {@code soakGroupAfterSeconds}; writes the minutes as CSV and PNG next to the results and fails on any record
     * missing or duplicated, or a stopped group not translated at or before its exact offset.
     */
    private static void soak(Contender contender, int run, BenchEnv env, BenchSettings settings,
                             BrokerProcess source, BrokerProcess target, String stamp) throws Exception {
        RunSetup setup = RunSetup.create(contender, run, "soak", env, settings, source, target);
        Replicators.Flow flow = setup.flow();
        ChildJvm replicator = Replicators.start(contender, flow, env, settings, setup.dir());
        SoakProbe.Result result;
        try {
            result = SoakProbe.run(replicator, flow, setup.partitions(), settings.latencyRecordSize(),
                    settings.latencyRate(), settings.soakSeconds(), settings.soakGroupAfterSeconds(), setup.dir());
        } finally {
            replicator.stop(30);
        }
        warnIfBuilt(replicator);
        Path csv = SoakReport.csv(env.outputDir().resolve("soak-" + stamp + "-" + contender.id() + ".csv"), result);
        Path png = SoakReport.png(env.outputDir().resolve("soak-" + stamp + "-" + contender.id() + ".png"),
                String.format("%s soak %s: %,d records/s of %d B, %d partitions, group stopped after %d s",
                        contender.id(), stamp, settings.latencyRate(), settings.latencyRecordSize(), setup.partitions(),
                        settings.soakGroupAfterSeconds()), result);
        long worstP99 = result.minutes().stream().skip(1).mapToLong(SoakProbe.Minute::p99).max().orElse(-1);
        say(String.format("benchmark: soak %s %d min: sent %,d, missing %,d, duplicated %,d; p99 after the first "
                        + "minute at most %d ms; checkpoint %.2f -> %.2f MB; RSS %.0f -> %.0f MB; stopped group %s %s "
                        + "(%,d records read again)%n  %s%n  %s", contender.id(), result.minutes().size(),
                result.sent(), result.missing(), result.duplicated(), worstP99,
                result.minutes().get(Math.min(1, result.minutes().size() - 1)).checkpointBytes() / 1e6,
                result.minutes().get(result.minutes().size() - 1).checkpointBytes() / 1e6,
                result.minutes().get(Math.min(1, result.minutes().size() - 1)).rssBytes() / 1e6,
                result.minutes().get(result.minutes().size() - 1).rssBytes() / 1e6, result.stoppedGroup(),
                result.stoppedGroupTranslated() ? "translated at or before its exact offset" : "NOT translated",
                result.stoppedGroupReadAgain(), csv, png));
        deleteTopic(target, flow.targetTopic());
        deleteTopic(source, flow.topic());
        if (result.missing() != 0 || result.duplicated() != 0 || !result.stoppedGroupTranslated()) {
            throw new AssertionError("soak: " + result.missing() + " missing, " + result.duplicated()
                    + " duplicated, stopped group translated: " + result.stoppedGroupTranslated());
        }
    }

    /**
     * Runs the latency load (its rate and record size) into both brokers until their CPU per 5 s settles (within 10%
     * of the 5 s before, after at least 90 s; at most 180 s): brokers that started a minute ago still compile their
     * hot paths and take several times the CPU they take minutes later (measured: 2.2 s per 5 s after 20 s, about
     * 0.8 s after 3 minutes), which on a 2-core machine the first measured start
     * would pay for, unlike a start against a cluster in use.
     */
    private static void warmBrokersAtRate(BenchSettings settings, BrokerProcess source, BrokerProcess target)
            throws Exception {
        int rate = settings.latencyRate();
        byte[] value = new byte[settings.latencyRecordSize()];
        long start = System.nanoTime();
        double before = source.cpuSeconds() + target.cpuSeconds();
        double previousWindow = Double.MAX_VALUE;
        double window = 0;
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> toSource = Workload.producer(source.bootstrapServers());
             KafkaProducer<byte[], byte[]> toTarget = Workload.producer(target.bootstrapServers())) {
            long windowEnd = start + 5_000_000_000L;
            while (true) {
                long due = start + (long) (sent * (1e9 / rate));
                long wait = due - System.nanoTime();
                if (wait > 1_000_000) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                byte[] key = Workload.key(sent);
                toSource.send(new org.apache.kafka.clients.producer.ProducerRecord<>("warm-up-rate", key, value));
                toTarget.send(new org.apache.kafka.clients.producer.ProducerRecord<>("warm-up-rate", key, value));
                sent++;
                if (System.nanoTime() >= windowEnd) {
                    double now = source.cpuSeconds() + target.cpuSeconds();
                    window = now - before;
                    before = now;
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    if ((elapsed >= 90 && window <= 1.1 * previousWindow) || elapsed >= 180) {
                        break;
                    }
                    previousWindow = window;
                    windowEnd += 5_000_000_000L;
                }
            }
        }
        say(String.format("benchmark: brokers at %,d records/s for %.0f s until their CPU settled (%.1f s per 5 s, "
                + "was %.1f)", rate, (System.nanoTime() - start) / 1e9, window, previousWindow));
    }

    private static BenchReport.Run throughput(Contender contender, int round, int run, BenchEnv env,
                                              BenchSettings settings, BrokerProcess source, BrokerProcess target)
            throws Exception {
        Workload workload = settings.workload();
        Replicators.Flow flow = new Replicators.Flow("s" + run, "t" + run, source.bootstrapServers(),
                target.bootstrapServers(), TOPIC);
        Path dir = env.workDir().resolve(String.format("run-%02d-%s", run, contender.id()));
        TargetWatcher.Visibility visibility;
        double cpu;
        long rss;
        double brokerCpu;
        try (TargetWatcher watcher = new TargetWatcher(target.bootstrapServers(), flow.targetTopic(), workload)) {
            double brokerCpuBefore = source.cpuSeconds() + target.cpuSeconds();
            ChildJvm replicator = Replicators.start(contender, flow, env, settings, dir);
            try {
                visibility = watcher.await(replicator, settings.runTimeout(), settings.stallTimeout());
                cpu = replicator.cpuSeconds();
                rss = replicator.peakRssBytes();
                brokerCpu = source.cpuSeconds() + target.cpuSeconds() - brokerCpuBefore;
            } finally {
                replicator.stop(30);
            }
            warnIfBuilt(replicator);
            double seconds = (visibility.doneNanos() - replicator.startNanos()) / 1e9;
            double startup = (visibility.firstNanos() - replicator.startNanos()) / 1e9;
            double steadySeconds = (visibility.doneNanos() - visibility.firstNanos()) / 1e9;
            long steadyRecords = workload.records() - Math.min(workload.records(), visibility.committedAtFirst());
            CopyVerifier.Counts counts = CopyVerifier.verify(target.bootstrapServers(), flow.targetTopic(), workload);
            deleteTopic(target, flow.targetTopic());
            BenchReport.Run result = new BenchReport.Run(contender, round, flow.sourceAlias(), seconds, startup,
                    steadyRecords, steadySeconds, cpu, cpu - visibility.cpuAtFirst(), rss, brokerCpu, counts);
            say(String.format("benchmark: round %d %-10s %6.1f s (first record after %.1f s) %,9.0f rec/s, CPU %.1f s, "
                            + "peak RSS %.0f MB, brokers CPU %.1f s; read back: %s", round, contender.id(), seconds,
                    startup, workload.records() / seconds, cpu, rss / 1e6, brokerCpu, counts));
            return result;
        }
    }

    private static BenchReport.LatencyRun latency(Contender contender, int run, BenchEnv env,
                                                  BenchSettings settings, BrokerProcess source, BrokerProcess target)
            throws Exception {
        RunSetup setup = RunSetup.create(contender, run, "latency", env, settings, source, target);
        Replicators.Flow flow = setup.flow();
        Path dir = setup.dir();
        int partitions = setup.partitions();
        ChildJvm replicator = Replicators.start(contender, flow, env, settings, dir);
        BenchReport.LatencyRun result;
        try {
            long firstReadable = LatencyProbe.awaitReady(replicator, flow, partitions, Duration.ofMinutes(5));
            LatencyProbe.Latency latency = LatencyProbe.measure(replicator, flow, partitions,
                    settings.latencyRecordSize(), settings.latencyRate(), settings.latencyWarmupSeconds(),
                    settings.latencySeconds(), (settings.checkpointInterval() == null ? Duration.ofSeconds(5)
                            : settings.checkpointInterval()).multipliedBy(3).plusSeconds(60));
            result = new BenchReport.LatencyRun(latency, (firstReadable - replicator.startNanos()) / 1e9,
                    replicator.peakRssBytes());
        } finally {
            replicator.stop(30);
        }
        warnIfBuilt(replicator);
        deleteTopic(target, flow.targetTopic());
        deleteTopic(source, flow.topic());
        LatencyProbe.Latency l = result.latency();
        say(String.format("benchmark: latency %-10s start %.1f s, sent %,d (%,d measured) at %,.0f rec/s, seen %,d: "
                        + "p50 %d ms, p90 %d ms, p99 %d ms, max %d ms; peak RSS %.0f MB, CPU %.1f s/GB",
                contender.id(), result.startSeconds(), l.sent(), l.measured(), l.rate(), l.seen(), l.p50(), l.p90(),
                l.p99(), l.max(), result.peakRssBytes() / 1e6, l.cpuPerGigabyte()));
        return result;
    }

    private static BenchReport.LaunchRun launchLatency(Contender contender, int round, int run, BenchEnv env,
                                                       BenchSettings settings, BrokerProcess source,
                                                       BrokerProcess target) throws Exception {
        Replicators.Flow flow = new Replicators.Flow("s" + run, "t" + run, source.bootstrapServers(),
                target.bootstrapServers(), "launch-" + run);
        Path dir = env.workDir().resolve(String.format("run-%02d-%s-launch", run, contender.id()));
        int partitions = settings.workload().partitions();
        Workload.createTopic(source.bootstrapServers(), flow.topic(), partitions);
        java.util.concurrent.atomic.AtomicReference<ChildJvm> replicator =
                new java.util.concurrent.atomic.AtomicReference<>();
        LaunchLatencyProbe.Result result;
        long rss;
        try {
            result = LaunchLatencyProbe.measure(() -> Replicators.start(contender, flow, env, settings, dir),
                    replicator, flow, partitions, settings.latencyRecordSize(), settings.latencyRate(),
                    settings.launchBacklogSeconds(), settings.launchSkipSeconds(), settings.launchSeconds(),
                    Duration.ofMinutes(3), Duration.ofSeconds(60));
            rss = replicator.get().peakRssBytes();
        } finally {
            if (replicator.get() != null) {
                replicator.get().stop(30);
            }
        }
        warnIfBuilt(replicator.get());
        deleteTopic(target, flow.targetTopic());
        deleteTopic(source, flow.topic());
        say(String.format("benchmark: latency from launch round %d %-10s first record after %.1f s; sent in the %d s "
                        + "from %.1f s after launch: %,d (seen %,d): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms",
                round, contender.id(), result.firstRecordSeconds(), settings.launchSeconds(), result.windowSeconds(),
                result.measured(), result.seen(), result.p50(), result.p90(), result.p99(), result.max()));
        return new BenchReport.LaunchRun(contender, round, result, rss);
    }

    /** bin/mirror builds the jar first if it finds it stale; that must not happen inside a measured run. */
    private static void warnIfBuilt(ChildJvm replicator) {
        if (replicator.logContains("mirror: building the job jar")) {
            say("benchmark: WARNING " + replicator.name() + ": bin/mirror rebuilt the job jar during the run, "
                    + "which its start time and CPU include");
        }
    }

    /**
     * Lets bin/mirror record its class archive (once per build; {@code bin/mirror warmup} waits for it) before anything
     * is measured: the runs then measure a start as every start after the first one after a build is.
     */
    private static void prepareMirrorLauncher(BenchSettings settings) throws Exception {
        if (settings.contenders().stream().noneMatch(c -> c == Contender.FLINK_EOS || c == Contender.FLINK_ALO)) {
            return;
        }
        Process process = new ProcessBuilder(BenchEnv.home().resolve("bin/mirror").toString(), "warmup")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("bin/mirror warmup did not succeed within 5 minutes");
        }
    }

    private static void deleteTopic(BrokerProcess broker, String topic) {
        try (Admin admin = broker.admin()) {
            admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            say("benchmark: could not delete " + topic + " on " + broker.name() + ": " + e.getMessage());
        }
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
