package io.flinkmirror.integration.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Collects the runs of one benchmark and writes them up: every run as CSV, and a Markdown summary with medians and
 * pooled figures per contender, ratios to the ceiling and to MirrorMaker 2 of the same guarantee, the per-round race
 * of Flink Mirror exactly-once against MirrorMaker 2 exactly-once, the latency runs, issue 17's targets marked MET
 * or NOT MET, and each run's read-back counts.
 */
final class BenchReport {

    /**
     * One throughput run of one contender: {@code seconds} from launch until the whole copy is readable,
     * {@code startupSeconds} until the first record is; the {@code steadyRecords} copied in the
     * {@code steadySeconds} in between, and the process's CPU (all of it, and the steady part).
     */
    record Run(Contender contender, int round, String alias, double seconds, double startupSeconds,
               long steadyRecords, double steadySeconds, double cpuSeconds, double steadyCpuSeconds,
               long peakRssBytes, double brokerCpuSeconds, CopyVerifier.Counts counts) {

        /** Whether the steady part is long enough to tell a rate: half a second and at least one record. */
        boolean steadyKnown() {
            return steadySeconds >= 0.5 && steadyRecords > 0;
        }

        double steadyRecordsPerSecond() {
            return steadyKnown() ? steadyRecords / steadySeconds : Double.NaN;
        }
    }

    /**
     * One latency run: the probe's figures, {@code startSeconds} from the replicator's launch until the first
     * readiness record was readable on the target, and the replicator's peak RSS.
     */
    record LatencyRun(LatencyProbe.Latency latency, double startSeconds, long peakRssBytes) {
    }

    /** One round's whole copies (launch to last record readable) of Flink Mirror EOS and MirrorMaker 2 EOS. */
    record Race(int round, double flinkSeconds, double mm2Seconds) {
        boolean flinkFirst() {
            return flinkSeconds < mm2Seconds;
        }
    }

    private static final String[] CSV_COLUMNS = {"mode", "contender", "round", "alias", "records", "record_size",
        "partitions", "seconds", "startup_s", "records_per_s", "mb_per_s", "steady_records", "steady_s",
        "steady_records_per_s", "cpu_s", "cpu_s_per_gb", "steady_cpu_s_per_gb", "peak_rss_mb", "broker_cpu_s_per_gb",
        "found", "missing", "duplicated", "misplaced", "altered", "x_ceiling", "x_mm2_same_guarantee",
        "finished_before_mm2_eos", "latency_warmup_s", "latency_sent", "latency_measured", "latency_seen",
        "latency_rate", "p50_ms", "p90_ms", "p99_ms", "max_ms"};

    private final BenchSettings settings;
    private final LocalDateTime started = LocalDateTime.now();
    private final List<Run> runs = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<Contender, LatencyRun> latencies = new EnumMap<>(Contender.class);
    private final List<LaunchRun> launches = new ArrayList<>();

    /** One latency-from-launch run ({@link LaunchLatencyProbe}) and the replicator's peak RSS. */
    record LaunchRun(Contender contender, int round, LaunchLatencyProbe.Result result, long peakRssBytes) {
    }

    void add(LaunchRun launch) {
        launches.add(launch);
    }

    BenchReport(BenchSettings settings) {
        this.settings = settings;
    }

    void add(Run run) {
        runs.add(run);
    }

    void add(Contender contender, LatencyRun latency) {
        latencies.put(contender, latency);
    }

    void addFailure(String failure) {
        failures.add(failure);
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    private Workload workload() {
        return settings.workload();
    }

    private double recordsPerSecond(Run run) {
        return workload().records() / run.seconds();
    }

    private double megabytesPerSecond(Run run) {
        return workload().bytes() / 1e6 / run.seconds();
    }

    private double cpuPerGigabyte(Run run) {
        return run.cpuSeconds() / (workload().bytes() / 1e9);
    }

    /** CPU of both brokers (source and target) during the run, per GB: what the replicator costs the clusters. */
    private double brokerCpuPerGigabyte(Run run) {
        return run.brokerCpuSeconds() / (workload().bytes() / 1e9);
    }

    private double steadyCpuPerGigabyte(Run run) {
        return run.steadyKnown()
                ? run.steadyCpuSeconds() / (run.steadyRecords() * (double) workload().recordSize() / 1e9)
                : Double.NaN;
    }

    /** Median of {@code metric} over {@code contender}'s runs (NaN values left out); NaN if none is left. */
    double median(Contender contender, ToDoubleFunction<Run> metric) {
        List<Double> values = new ArrayList<>();
        for (Run run : runs) {
            double value = metric.applyAsDouble(run);
            if (run.contender() == contender && !Double.isNaN(value)) {
                values.add(value);
            }
        }
        if (values.isEmpty()) {
            return Double.NaN;
        }
        values.sort(Double::compare);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    double medianRecordsPerSecond(Contender contender) {
        return median(contender, this::recordsPerSecond);
    }

    /**
     * Steady records of all of {@code contender}'s rounds over their steady seconds, so every round weighs by its
     * length (a median picks one round); NaN if no round had a steady part.
     */
    double pooledSteadyRecordsPerSecond(Contender contender) {
        long records = 0;
        double seconds = 0;
        for (Run run : runs) {
            if (run.contender() == contender && run.steadyKnown()) {
                records += run.steadyRecords();
                seconds += run.steadySeconds();
            }
        }
        return seconds > 0 ? records / seconds : Double.NaN;
    }

    /** Pooled steady rate of {@code contender} over that of {@code reference} (NaN if either is unknown or null). */
    double pooledRatio(Contender contender, Contender reference) {
        return reference == null ? Double.NaN
                : pooledSteadyRecordsPerSecond(contender) / pooledSteadyRecordsPerSecond(reference);
    }

    /** The rounds in which both Flink Mirror EOS and MirrorMaker 2 EOS completed a throughput run, in order. */
    List<Race> races() {
        Map<Integer, Double> flink = new TreeMap<>();
        Map<Integer, Double> mm2 = new TreeMap<>();
        for (Run run : runs) {
            if (run.contender() == Contender.FLINK_EOS) {
                flink.put(run.round(), run.seconds());
            } else if (run.contender() == Contender.MM2_EOS) {
                mm2.put(run.round(), run.seconds());
            }
        }
        List<Race> races = new ArrayList<>();
        flink.forEach((round, seconds) -> {
            if (mm2.containsKey(round)) {
                races.add(new Race(round, seconds, mm2.get(round)));
            }
        });
        return races;
    }

    String csv() {
        StringBuilder out = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
        Map<Integer, Race> races = new TreeMap<>();
        races().forEach(race -> races.put(race.round(), race));
        for (Run run : runs) {
            CopyVerifier.Counts c = run.counts();
            Map<String, String> row = new HashMap<>();
            row.put("mode", "throughput");
            row.put("contender", run.contender().id());
            row.put("round", String.valueOf(run.round()));
            row.put("alias", run.alias());
            row.put("records", String.valueOf(workload().records()));
            row.put("record_size", String.valueOf(workload().recordSize()));
            row.put("partitions", String.valueOf(workload().partitions()));
            row.put("seconds", csvNumber(run.seconds(), "%.3f"));
            row.put("startup_s", csvNumber(run.startupSeconds(), "%.3f"));
            row.put("records_per_s", csvNumber(recordsPerSecond(run), "%.0f"));
            row.put("mb_per_s", csvNumber(megabytesPerSecond(run), "%.2f"));
            row.put("steady_records", String.valueOf(run.steadyRecords()));
            row.put("steady_s", csvNumber(run.steadySeconds(), "%.3f"));
            row.put("steady_records_per_s", csvNumber(run.steadyRecordsPerSecond(), "%.0f"));
            row.put("cpu_s", csvNumber(run.cpuSeconds(), "%.2f"));
            row.put("cpu_s_per_gb", csvNumber(cpuPerGigabyte(run), "%.2f"));
            row.put("steady_cpu_s_per_gb", csvNumber(steadyCpuPerGigabyte(run), "%.2f"));
            row.put("peak_rss_mb", csvNumber(run.peakRssBytes() / 1e6, "%.0f"));
            row.put("broker_cpu_s_per_gb", csvNumber(brokerCpuPerGigabyte(run), "%.2f"));
            row.put("found", String.valueOf(c.found()));
            row.put("missing", String.valueOf(c.missing()));
            row.put("duplicated", String.valueOf(c.duplicated()));
            row.put("misplaced", String.valueOf(c.misplaced()));
            row.put("altered", String.valueOf(c.altered()));
            Race race = races.get(run.round());
            if (run.contender() == Contender.FLINK_EOS && race != null) {
                row.put("finished_before_mm2_eos", String.valueOf(race.flinkFirst()));
            }
            out.append(csvRow(row));
        }
        for (Contender contender : settings.contenders()) {
            if (runs.stream().anyMatch(run -> run.contender() == contender)) {
                Map<String, String> row = new HashMap<>();
                row.put("mode", "pooled");
                row.put("contender", contender.id());
                row.put("steady_records_per_s", csvNumber(pooledSteadyRecordsPerSecond(contender), "%.0f"));
                row.put("x_ceiling", csvNumber(pooledRatio(contender, Contender.CEILING), "%.3f"));
                row.put("x_mm2_same_guarantee", csvNumber(pooledRatio(contender, contender.mm2Peer()), "%.3f"));
                out.append(csvRow(row));
            }
        }
        for (Contender contender : latencyContenders()) {
            LatencyRun run = latencies.get(contender);
            LatencyProbe.Latency l = run.latency();
            Map<String, String> row = new HashMap<>();
            row.put("mode", "latency");
            row.put("contender", contender.id());
            row.put("record_size", String.valueOf(settings.latencyRecordSize()));
            row.put("partitions", String.valueOf(workload().partitions()));
            row.put("startup_s", csvNumber(run.startSeconds(), "%.3f"));
            row.put("cpu_s", csvNumber(l.cpuSeconds(), "%.2f"));
            row.put("cpu_s_per_gb", csvNumber(l.cpuPerGigabyte(), "%.2f"));
            row.put("peak_rss_mb", csvNumber(run.peakRssBytes() / 1e6, "%.0f"));
            row.put("latency_warmup_s", String.valueOf(settings.latencyWarmupSeconds()));
            row.put("latency_sent", String.valueOf(l.sent()));
            row.put("latency_measured", String.valueOf(l.measured()));
            row.put("latency_seen", String.valueOf(l.seen()));
            row.put("latency_rate", csvNumber(l.rate(), "%.0f"));
            row.put("p50_ms", String.valueOf(l.p50()));
            row.put("p90_ms", String.valueOf(l.p90()));
            row.put("p99_ms", String.valueOf(l.p99()));
            row.put("max_ms", String.valueOf(l.max()));
            out.append(csvRow(row));
        }
        for (LaunchRun launch : launches) {
            LaunchLatencyProbe.Result r = launch.result();
            Map<String, String> row = new HashMap<>();
            row.put("mode", "latency-from-launch");
            row.put("round", String.valueOf(launch.round()));
            row.put("contender", launch.contender().id());
            row.put("record_size", String.valueOf(settings.latencyRecordSize()));
            row.put("partitions", String.valueOf(workload().partitions()));
            row.put("startup_s", csvNumber(r.firstRecordSeconds(), "%.3f"));
            row.put("peak_rss_mb", csvNumber(launch.peakRssBytes() / 1e6, "%.0f"));
            row.put("latency_sent", String.valueOf(r.sent()));
            row.put("latency_measured", String.valueOf(r.measured()));
            row.put("latency_seen", String.valueOf(r.seen()));
            row.put("latency_rate", csvNumber(r.rate(), "%.0f"));
            row.put("p50_ms", String.valueOf(r.p50()));
            row.put("p90_ms", String.valueOf(r.p90()));
            row.put("p99_ms", String.valueOf(r.p99()));
            row.put("max_ms", String.valueOf(r.max()));
            out.append(csvRow(row));
        }
        return out.toString();
    }

    /** The contenders with a latency run, in the order of the settings (as the throughput table lists them). */
    private List<Contender> latencyContenders() {
        return settings.contenders().stream().filter(latencies::containsKey).toList();
    }

    private static String csvRow(Map<String, String> row) {
        StringJoiner line = new StringJoiner(",", "", "\n");
        for (String column : CSV_COLUMNS) {
            line.add(row.getOrDefault(column, ""));
        }
        return line.toString();
    }

    private static String csvNumber(double value, String format) {
        return number(value, format).replace(",", "");
    }

    String markdown(String date, String machine) {
        StringBuilder md = new StringBuilder();
        md.append("Run ").append(date).append(" on ").append(machine).append(".  \n");
        md.append("Workload: ").append(settings).append(".  \n");
        md.append("Throughput: medians over the rounds, ratios between medians of this run. rec/s and MB/s (values) ")
                .append("count from process launch until the last record of every partition is readable ")
                .append("read_committed; steady rec/s from the first readable record on. CPU is the replicator ")
                .append("process's user+system time per GB of values (steady: after the first readable record); ")
                .append("brokers CPU is that of both brokers from launch to the last readable record, per GB: the ")
                .append("replicator's cost to the clusters. Pooled: the steady records of all rounds over their ")
                .append("steady seconds, and the ratios of those pooled rates.\n\n");
        md.append("| contender | rec/s | MB/s | steady rec/s | startup s | CPU s/GB | steady CPU s/GB | peak RSS MB "
                + "| brokers CPU s/GB | x ceiling | x MM2 same guarantee | pooled steady rec/s | pooled x ceiling "
                + "| pooled x MM2 same guarantee | missing / duplicated (all rounds) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        double ceiling = medianRecordsPerSecond(Contender.CEILING);
        for (Contender contender : settings.contenders()) {
            double rate = medianRecordsPerSecond(contender);
            Contender peer = contender.mm2Peer();
            ReadBack readBack = readBack(contender);
            md.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    contender.title(), number(rate, "%,.0f"), number(median(contender, this::megabytesPerSecond), "%.1f"),
                    number(median(contender, Run::steadyRecordsPerSecond), "%,.0f"),
                    number(median(contender, Run::startupSeconds), "%.1f"),
                    number(median(contender, this::cpuPerGigabyte), "%.1f"),
                    number(median(contender, this::steadyCpuPerGigabyte), "%.1f"),
                    number(median(contender, r -> r.peakRssBytes() / 1e6), "%.0f"),
                    number(median(contender, this::brokerCpuPerGigabyte), "%.1f"),
                    number(rate / ceiling, "%.2f"),
                    peer == null ? "" : number(rate / medianRecordsPerSecond(peer), "%.2f"),
                    number(pooledSteadyRecordsPerSecond(contender), "%,.0f"),
                    number(pooledRatio(contender, Contender.CEILING), "%.2f"),
                    number(pooledRatio(contender, peer), "%.2f"),
                    readBack.runs() == 0 ? "" : readBack.missing() + " / " + readBack.duplicated()
                            + (readBack.wrong() == 0 ? "" : " (" + readBack.wrong() + " misplaced/altered)")));
        }
        List<Race> races = races();
        if (!races.isEmpty()) {
            md.append("\nFlink Mirror exactly-once against MirrorMaker 2 exactly-once, whole copy (launch to last ")
                    .append("record readable) per round:\n\n");
            for (Race race : races) {
                md.append(String.format(Locale.ROOT, "- round %d: Flink Mirror EOS %.1f s, MirrorMaker 2 EOS %.1f s: %s%n",
                        race.round(), race.flinkSeconds(), race.mm2Seconds(),
                        race.flinkFirst() ? "Flink Mirror finished first" : "MirrorMaker 2 finished first"));
            }
            md.append("\n").append(raceSummary(races)).append('\n');
        }
        if (!latencies.isEmpty()) {
            md.append(String.format(Locale.ROOT, "%nLatency: %,d-byte records at %,d rec/s for %d s after %d s of "
                            + "warm-up under the same load (left out of the percentiles), end-to-end from send to "
                            + "readable read_committed on the target. start = launch until the first readiness "
                            + "record is readable; CPU s/GB = the replicator's CPU per GB of values while the measured "
                            + "records were sent and copied.%n%n", settings.latencyRecordSize(), settings.latencyRate(),
                    settings.latencySeconds(), settings.latencyWarmupSeconds()));
            md.append("| contender | p50 ms | p90 ms | p99 ms | max ms | measured records (seen) | send rec/s "
                    + "| start s | peak RSS MB | CPU s/GB |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Contender contender : latencyContenders()) {
                LatencyRun run = latencies.get(contender);
                LatencyProbe.Latency l = run.latency();
                md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %,d%s | %,.0f | %.1f | %.0f | %s |%n",
                        contender.title(), l.p50(), l.p90(), l.p99(), l.max(), l.measured(),
                        l.seen() < l.measured() ? String.format(Locale.ROOT, " (%,d seen)", l.seen()) : "", l.rate(),
                        run.startSeconds(), run.peakRssBytes() / 1e6, number(l.cpuPerGigabyte(), "%.1f")));
            }
        }
        if (!launches.isEmpty()) {
            md.append(String.format(Locale.ROOT, "%nLatency from launch: %,d-byte records at %,d rec/s, the load "
                            + "started %d s before the replicator's launch and running on; first record = launch until "
                            + "the first record is readable read_committed on the target; latencies of the records sent "
                            + "in the %d s that begin %d s after that first record (send to readable).%n%n",
                    settings.latencyRecordSize(), settings.latencyRate(), settings.launchBacklogSeconds(),
                    settings.launchSeconds(), settings.launchSkipSeconds()));
            md.append("| round | contender | first record s | p50 ms | p90 ms | p99 ms | max ms | measured (seen) "
                    + "| peak RSS MB |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (LaunchRun launch : launches) {
                LaunchLatencyProbe.Result r = launch.result();
                md.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %d | %d | %d | %d | %,d%s | %.0f |%n",
                        launch.round(), launch.contender().title(), r.firstRecordSeconds(), r.p50(), r.p90(), r.p99(),
                        r.max(), r.measured(), r.seen() < r.measured()
                                ? String.format(Locale.ROOT, " (%,d seen)", r.seen()) : "",
                        launch.peakRssBytes() / 1e6));
            }
        }
        md.append("\nTargets (issue 17; goals, not assertions):\n\n");
        for (String target : targets()) {
            md.append("- ").append(target).append('\n');
        }
        md.append("\n<details><summary>Every run</summary>\n\n| round | contender | s | startup s | rec/s | steady rec/s "
                + "| CPU s | peak RSS MB | brokers CPU s | read back |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Run run : runs) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %,.0f | %s | %.1f | %.0f | %.1f | %s |%n",
                    run.round(), run.contender().id(), run.seconds(), run.startupSeconds(), recordsPerSecond(run),
                    number(run.steadyRecordsPerSecond(), "%,.0f"), run.cpuSeconds(), run.peakRssBytes() / 1e6,
                    run.brokerCpuSeconds(), run.counts().exact() ? "exact" : run.counts()));
        }
        md.append("\n</details>\n");
        if (!failures.isEmpty()) {
            md.append("\nFailed runs:\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        return md.toString();
    }

    static String raceSummary(List<Race> races) {
        long first = races.stream().filter(Race::flinkFirst).count();
        return "Flink Mirror EOS finished first in " + first + " of " + races.size() + " rounds.";
    }

    /** Read-back counts of all runs of one contender; {@code wrong} = misplaced + altered. */
    private record ReadBack(int runs, long missing, long duplicated, long wrong) {
    }

    private ReadBack readBack(Contender contender) {
        int count = 0;
        long missing = 0;
        long duplicated = 0;
        long wrong = 0;
        for (Run run : runs) {
            if (run.contender() == contender) {
                count++;
                missing += run.counts().missing();
                duplicated += run.counts().duplicated();
                wrong += run.counts().misplaced() + run.counts().altered();
            }
        }
        return new ReadBack(count, missing, duplicated, wrong);
    }

    /** Issue 17's targets with the measured figures, each marked MET / NOT MET (or not measured). */
    List<String> targets() {
        List<String> lines = new ArrayList<>();
        Contender eos = Contender.FLINK_EOS;
        LatencyRun latency = latencies.get(eos);
        LatencyRun mm2Latency = latencies.get(Contender.MM2_EOS);
        lines.add(target("Flink Mirror EOS latency p99 <= 1,000 ms",
                latency == null ? Double.NaN : latency.latency().p99(), 1000, false, "%,.0f ms"));
        lines.add(target("Flink Mirror EOS latency p50 <= 300 ms",
                latency == null ? Double.NaN : latency.latency().p50(), 300, false, "%,.0f ms"));
        List<LaunchLatencyProbe.Result> fromLaunch = launches.stream().filter(l -> l.contender() == eos)
                .map(LaunchRun::result).toList();
        lines.add(target("Flink Mirror EOS latency from launch p99 <= 1,000 ms (worst of " + fromLaunch.size()
                        + " rounds)", fromLaunch.stream().mapToDouble(r -> r.seen() < r.measured() ? Double.MAX_VALUE
                        : r.p99()).max().orElse(Double.NaN), 1000, false, "%,.0f ms"));
        lines.add(target("Flink Mirror EOS latency from launch p50 <= 300 ms (worst of " + fromLaunch.size()
                        + " rounds)", fromLaunch.stream().mapToDouble(LaunchLatencyProbe.Result::p50).max()
                        .orElse(Double.NaN), 300, false, "%,.0f ms"));
        lines.add(target("Flink Mirror EOS first record <= 5 s after launch, load running (worst of "
                        + fromLaunch.size() + " rounds)", fromLaunch.stream()
                        .mapToDouble(LaunchLatencyProbe.Result::firstRecordSeconds).max().orElse(Double.NaN), 5, false,
                "%.1f s"));
        lines.add(target("Flink Mirror EOS steady throughput >= 0.90x the ceiling (pooled)",
                pooledRatio(eos, Contender.CEILING), 0.90, true, "%.2fx"));
        lines.add(target("Flink Mirror EOS steady throughput >= 2x MirrorMaker 2 EOS (pooled)",
                pooledRatio(eos, Contender.MM2_EOS), 2.0, true, "%.2fx"));
        lines.add(target("Flink Mirror EOS start <= 5 s (latency run: launch to first record readable)",
                latency == null ? Double.NaN : latency.startSeconds(), 5, false, "%.1f s"));
        lines.add(target("Flink Mirror EOS start <= 5 s (throughput runs: first record after, median; max "
                        + number(max(eos, Run::startupSeconds), "%.1f") + " s)",
                median(eos, Run::startupSeconds), 5, false, "%.1f s"));
        double rss = max(eos, Run::peakRssBytes);
        if (latency != null) {
            rss = Double.isNaN(rss) ? latency.peakRssBytes() : Math.max(rss, latency.peakRssBytes());
        }
        lines.add(target("Flink Mirror EOS peak RSS <= 800 MB (largest of its latency and throughput runs)",
                rss / 1e6, 800, false, "%.0f MB"));
        double ours = median(eos, this::cpuPerGigabyte);
        double theirs = median(Contender.MM2_EOS, this::cpuPerGigabyte);
        lines.add(target("Flink Mirror EOS CPU s/GB <= MirrorMaker 2 EOS's (throughput runs, medians: "
                + number(ours, "%.1f") + " vs " + number(theirs, "%.1f") + ")", ours / theirs, 1.0, false, "%.2fx"));
        double oursLatency = latency == null ? Double.NaN : latency.latency().cpuPerGigabyte();
        double theirsLatency = mm2Latency == null ? Double.NaN : mm2Latency.latency().cpuPerGigabyte();
        lines.add(target(String.format(Locale.ROOT, "Flink Mirror EOS CPU s/GB <= MirrorMaker 2 EOS's (latency runs "
                        + "at %,d rec/s: %s vs %s)", settings.latencyRate(), number(oursLatency, "%.1f"),
                number(theirsLatency, "%.1f")), oursLatency / theirsLatency, 1.0, false, "%.2fx"));
        for (Contender contender : List.of(Contender.MM2_EOS, Contender.FLINK_EOS)) {
            ReadBack readBack = readBack(contender);
            if (readBack.runs() > 0) {
                boolean exact = readBack.missing() == 0 && readBack.duplicated() == 0 && readBack.wrong() == 0;
                lines.add(contender.title() + " copies exact (0 missing / 0 duplicated): " + readBack.missing()
                        + " / " + readBack.duplicated() + " over " + readBack.runs() + " runs -> "
                        + (exact ? "MET" : "NOT MET"));
            }
        }
        return lines;
    }

    /** Largest {@code metric} over {@code contender}'s runs; NaN if it has none. */
    private double max(Contender contender, ToDoubleFunction<Run> metric) {
        return runs.stream().filter(run -> run.contender() == contender).mapToDouble(metric).max()
                .orElse(Double.NaN);
    }

    /** "what: figure -> MET" or "-> NOT MET" ({@code figureFormat} formats the value), or "not measured". */
    static String target(String what, double value, double goal, boolean atLeast, String figureFormat) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return what + ": not measured";
        }
        boolean met = atLeast ? value >= goal : value <= goal;
        return what + ": " + String.format(Locale.ROOT, figureFormat, value) + " -> " + (met ? "MET" : "NOT MET");
    }

    private static String number(double value, String format) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "" : String.format(Locale.ROOT, format, value);
    }

    /**
     * Writes CSV and Markdown under {@code dir} (the same two files each time, named after the start time, so a
     * stopped benchmark still leaves the runs so far), copied to {@code latest.*}; returns the Markdown file.
     */
    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        LocalDateTime now = started;
        String stamp = now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path csv = dir.resolve("mirror-benchmark-" + stamp + ".csv");
        Path md = dir.resolve("mirror-benchmark-" + stamp + ".md");
        Files.writeString(csv, csv());
        Files.writeString(md, markdown(now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), machine()));
        Files.copy(csv, dir.resolve("latest.csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(md, dir.resolve("latest.md"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return md;
    }

    /** "N cores (model), M GB RAM, Java V": what the figures were measured on. */
    static String machine() {
        String model = "";
        long memKb = 0;
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Paths.get("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave out what is unknown
        }
        return String.format(Locale.ROOT, "%d cores%s, %.0f GB RAM, Java %s (a shared, noisy machine: compare "
                        + "ratios within one run, not absolute figures across runs)",
                Runtime.getRuntime().availableProcessors(), model.isEmpty() ? "" : " (" + model + ")",
                memKb / 1024.0 / 1024.0, System.getProperty("java.version"));
    }
}
