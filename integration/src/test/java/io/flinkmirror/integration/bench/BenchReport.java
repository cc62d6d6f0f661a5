package io.flinkmirror.integration.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Collects the runs of one benchmark and writes them up: every run as CSV, and a Markdown summary with medians per
 * contender, ratios to the ceiling and to MirrorMaker 2 of the same guarantee, latency percentiles, the issue's
 * targets marked met or not met, and each run's read-back counts.
 */
final class BenchReport {

    /** One throughput run of one contender. */
    record Run(Contender contender, int round, String alias, double seconds, double startupSeconds,
               double steadyRecordsPerSecond, double cpuSeconds, double steadyCpuSeconds, long steadyBytes,
               long peakRssBytes, double brokerCpuSeconds, CopyVerifier.Counts counts) {
    }

    private final BenchSettings settings;
    private final LocalDateTime started = LocalDateTime.now();
    private final List<Run> runs = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<Contender, LatencyProbe.Latency> latencies = new EnumMap<>(Contender.class);

    BenchReport(BenchSettings settings) {
        this.settings = settings;
    }

    void add(Run run) {
        runs.add(run);
    }

    void add(Contender contender, LatencyProbe.Latency latency) {
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
        return run.steadyBytes() <= 0 ? Double.NaN : run.steadyCpuSeconds() / (run.steadyBytes() / 1e9);
    }

    /** Median of {@code metric} over {@code contender}'s runs; NaN if it has none. */
    double median(Contender contender, ToDoubleFunction<Run> metric) {
        List<Double> values = new ArrayList<>();
        for (Run run : runs) {
            if (run.contender() == contender) {
                values.add(metric.applyAsDouble(run));
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

    String csv() {
        StringBuilder out = new StringBuilder("mode,contender,round,alias,records,record_size,partitions,seconds,"
                + "startup_s,records_per_s,mb_per_s,steady_records_per_s,cpu_s,cpu_s_per_gb,steady_cpu_s_per_gb,"
                + "peak_rss_mb,broker_cpu_s_per_gb,found,missing,duplicated,misplaced,altered,"
                + "latency_sent,latency_seen,latency_rate,p50_ms,p99_ms,max_ms\n");
        for (Run run : runs) {
            CopyVerifier.Counts c = run.counts();
            out.append(String.format(Locale.ROOT, "throughput,%s,%d,%s,%d,%d,%d,%.3f,%.3f,%.0f,%.2f,%.0f,%.2f,%.2f,"
                            + "%.2f,%.0f,%.2f,%d,%d,%d,%d,%d,,,,,,%n",
                    run.contender().id(), run.round(), run.alias(), workload().records(), workload().recordSize(),
                    workload().partitions(), run.seconds(), run.startupSeconds(), recordsPerSecond(run),
                    megabytesPerSecond(run), run.steadyRecordsPerSecond(), run.cpuSeconds(), cpuPerGigabyte(run),
                    steadyCpuPerGigabyte(run), run.peakRssBytes() / 1e6, brokerCpuPerGigabyte(run), c.found(), c.missing(), c.duplicated(),
                    c.misplaced(), c.altered()));
        }
        latencies.forEach((contender, l) -> out.append(String.format(Locale.ROOT,
                "latency,%s,,,,%d,%d,,,,,,,,,,,,,,,,%d,%d,%.0f,%d,%d,%d%n", contender.id(), workload().recordSize(),
                workload().partitions(), l.sent(), l.seen(), l.rate(), l.p50(), l.p99(), l.max())));
        return out.toString();
    }

    String markdown(String date, String machine) {
        StringBuilder md = new StringBuilder();
        md.append("Run ").append(date).append(" on ").append(machine).append(".  \n");
        md.append("Workload: ").append(settings).append(".  \n");
        md.append("Medians over the rounds; ratios are between medians of this run. rec/s and MB/s (values) count ")
                .append("from process launch until the last record of every partition is readable read_committed; ")
                .append("steady rec/s from the first readable record on. CPU is the replicator process's user+system ")
                .append("time per GB of values (steady: after the first readable record); brokers CPU is that of ")
                .append("both brokers from launch to the last readable record, per GB: the replicator's cost to the ")
                .append("clusters.\n\n");
        md.append("| contender | rec/s | MB/s | steady rec/s | startup s | CPU s/GB | steady CPU s/GB | peak RSS MB "
                + "| brokers CPU s/GB | x ceiling | x MM2 same guarantee | missing / duplicated (all rounds) | latency p50 / p99 / max ms |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        double ceiling = medianRecordsPerSecond(Contender.CEILING);
        for (Contender contender : settings.contenders()) {
            double rate = medianRecordsPerSecond(contender);
            Contender peer = contender.mm2Peer();
            ReadBack readBack = readBack(contender);
            LatencyProbe.Latency latency = latencies.get(contender);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    contender.title(), number(rate, "%,.0f"), number(median(contender, this::megabytesPerSecond), "%.1f"),
                    number(median(contender, Run::steadyRecordsPerSecond), "%,.0f"),
                    number(median(contender, Run::startupSeconds), "%.1f"),
                    number(median(contender, this::cpuPerGigabyte), "%.1f"),
                    number(median(contender, this::steadyCpuPerGigabyte), "%.1f"),
                    number(median(contender, r -> r.peakRssBytes() / 1e6), "%.0f"),
                    number(median(contender, this::brokerCpuPerGigabyte), "%.1f"),
                    number(rate / ceiling, "%.2f"),
                    peer == null ? "" : number(rate / medianRecordsPerSecond(peer), "%.2f"),
                    readBack.runs() == 0 ? "" : readBack.missing() + " / " + readBack.duplicated()
                            + (readBack.wrong() == 0 ? "" : " (" + readBack.wrong() + " misplaced/altered)"),
                    latency == null ? "" : latency.p50() + " / " + latency.p99() + " / " + latency.max()
                            + (latency.seen() < latency.sent() ? " (" + latency.seen() + " of " + latency.sent()
                            + " seen)" : "")));
        }
        md.append("\nTargets (goals, not assertions):\n\n");
        for (String target : targets()) {
            md.append("- ").append(target).append('\n');
        }
        md.append("\n<details><summary>Every run</summary>\n\n| round | contender | s | startup s | rec/s | steady rec/s "
                + "| CPU s | peak RSS MB | brokers CPU s | read back |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Run run : runs) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %,.0f | %,.0f | %.1f | %.0f | %.1f | %s |%n",
                    run.round(), run.contender().id(), run.seconds(), run.startupSeconds(), recordsPerSecond(run),
                    run.steadyRecordsPerSecond(), run.cpuSeconds(), run.peakRssBytes() / 1e6, run.brokerCpuSeconds(),
                    run.counts().exact() ? "exact" : run.counts()));
        }
        md.append("\n</details>\n");
        if (!failures.isEmpty()) {
            md.append("\nFailed runs:\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        return md.toString();
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

    /** The targets with the measured figures, each marked met / not met (or not measured). */
    List<String> targets() {
        List<String> lines = new ArrayList<>();
        double flinkEos = medianRecordsPerSecond(Contender.FLINK_EOS);
        double mm2Eos = medianRecordsPerSecond(Contender.MM2_EOS);
        double ceiling = medianRecordsPerSecond(Contender.CEILING);
        lines.add(target("Flink Mirror EOS throughput >= 2x MirrorMaker 2 EOS", flinkEos / mm2Eos, 2.0, true, "x"));
        lines.add(target("Flink Mirror EOS throughput >= 0.85x the ceiling", flinkEos / ceiling, 0.85, true, "x"));
        for (Contender flink : List.of(Contender.FLINK_EOS, Contender.FLINK_ALO)) {
            double ours = median(flink, this::cpuPerGigabyte);
            double theirs = median(flink.mm2Peer(), this::cpuPerGigabyte);
            lines.add(target(flink.title() + " CPU per GB <= " + flink.mm2Peer().title() + "'s ("
                    + number(ours, "%.1f") + " vs " + number(theirs, "%.1f") + " s/GB)", ours / theirs, 1.0, false,
                    "x"));
        }
        LatencyProbe.Latency latency = latencies.get(Contender.FLINK_EOS);
        long limit = settings.checkpointInterval().toMillis() + 1000;
        lines.add(target("Flink Mirror EOS p99 latency <= checkpoint interval + 1 s (" + limit + " ms)",
                latency == null ? Double.NaN : latency.p99(), limit, false, " ms"));
        for (Contender contender : List.of(Contender.MM2_EOS, Contender.FLINK_EOS)) {
            ReadBack readBack = readBack(contender);
            if (readBack.runs() > 0) {
                boolean exact = readBack.missing() == 0 && readBack.duplicated() == 0 && readBack.wrong() == 0;
                lines.add(contender.title() + " copies exact (0 missing / 0 duplicated): " + readBack.missing()
                        + " / " + readBack.duplicated() + " over " + readBack.runs() + " runs: "
                        + (exact ? "met" : "NOT MET"));
            }
        }
        return lines;
    }

    private static String target(String what, double value, double goal, boolean atLeast, String unit) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return what + ": not measured";
        }
        boolean met = atLeast ? value >= goal : value <= goal;
        return what + ": " + String.format(Locale.ROOT, unit.equals("x") ? "%.2fx" : "%.0f" + unit, value) + " -> "
                + (met ? "met" : "NOT MET");
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
