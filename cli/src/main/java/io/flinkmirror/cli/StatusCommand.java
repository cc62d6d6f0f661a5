package io.flinkmirror.cli;

import io.flinkmirror.cli.rest.FlinkRest;
import io.flinkmirror.job.MirrorOperator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.runtime.messages.webmonitor.JobDetails;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.CompletedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/mirror status}: per flow of a running Flink Mirror job, replicated records/s, lag, p99 replication
 * latency and the last completed checkpoint, read from the Flink REST API. A job is a Flink Mirror job when its graph
 * holds {@code A->B Replicate} operators; each gives a flow.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show each flow of the running Flink Mirror job(s): replicated records/s, lag, p99 replication "
                + "latency and the last completed checkpoint, from the Flink REST API.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
                "0:the job(s) are RUNNING; their status is shown",
                "1:the job is not RUNNING, or no Flink Mirror job was found",
                "2:bad arguments",
                "3:the Flink REST API could not be read"})
public final class StatusCommand implements Callable<Integer> {

    /** Exit code: every job shown is RUNNING. */
    public static final int OK = 0;
    /** Exit code: the job is not RUNNING, or there is no Flink Mirror job. */
    public static final int NOT_RUNNING = 1;
    /** Exit code: the REST API could not be reached or answered an error. */
    public static final int REST_ERROR = 3;

    private static final String RUNNING = "RUNNING";
    /** One operator of a chained vertex name, e.g. {@code A->B Replicate}; aliases hold no spaces. */
    private static final Pattern REPLICATE = Pattern.compile("(\\S+)->(\\S+) Replicate");
    private static final Pattern RECORD_RATE = Pattern.compile("(.*)\\.topic\\..+\\.partition\\.\\d+\\.record-rate");

    @Spec
    CommandSpec spec;

    @Option(names = "--flink-rest", paramLabel = "URL", defaultValue = "http://localhost:8081",
            description = "Flink REST API (JobManager web UI) address. Default: ${DEFAULT-VALUE}.")
    String flinkRest;

    @Option(names = "--job", paramLabel = "ID", description = "Job id to show (default: every RUNNING Flink Mirror "
            + "job).")
    String jobId;

    /** One flow {@code source->target} of a job. */
    record Flow(String source, String target) {
        String name() {
            return source + "->" + target;
        }
    }

    /** What the status table shows of one flow; NaN / null where the job has no value (yet). */
    record FlowStatus(Flow flow, double recordsPerSecond, double lag, double p99LatencyMs) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (FlinkRest rest = new FlinkRest(flinkRest)) {
            return jobId != null ? showOne(rest, jobId, out, err) : showRunning(rest, out, err);
        } catch (FlinkRest.RestException e) {
            err.println("flink-mirror: " + e.getMessage());
            return REST_ERROR;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int showOne(FlinkRest rest, String id, PrintWriter out, PrintWriter err) {
        JobDetailsInfo job;
        try {
            job = rest.job(id);
        } catch (FlinkRest.RestException e) {
            if (e.status() == 404 || e.status() == 400) {
                err.println("flink-mirror: no job " + id + " at " + rest.url());
                return NOT_RUNNING;
            }
            throw e;
        }
        List<Flow> flows = flows(job);
        if (flows.isEmpty()) {
            err.println("flink-mirror: job " + id + " (" + job.getName() + ") at " + rest.url()
                    + " is not a Flink Mirror job (no 'A->B Replicate' operator)");
            return NOT_RUNNING;
        }
        String state = job.getJobStatus().name();
        if (!RUNNING.equals(state)) {
            err.println("flink-mirror: Flink Mirror job " + id + " (" + job.getName() + ") is " + state
                    + ", not RUNNING");
            return NOT_RUNNING;
        }
        print(rest, job, flows, out);
        return OK;
    }

    private int showRunning(FlinkRest rest, PrintWriter out, PrintWriter err) {
        List<String> notRunning = new ArrayList<>();
        int shown = 0;
        for (JobDetails overview : rest.jobsOverview()) {
            String id = overview.getJobId().toHexString();
            JobDetailsInfo job = rest.job(id);
            List<Flow> flows = flows(job);
            if (flows.isEmpty()) {
                continue;
            }
            if (RUNNING.equals(job.getJobStatus().name())) {
                if (shown++ > 0) {
                    out.println();
                }
                print(rest, job, flows, out);
            } else {
                notRunning.add(id + " " + job.getJobStatus());
            }
        }
        if (shown > 0) {
            return OK;
        }
        err.println("flink-mirror: no RUNNING Flink Mirror job at " + rest.url()
                + (notRunning.isEmpty() ? "" : " (not running: " + String.join(", ", notRunning) + ")"));
        return NOT_RUNNING;
    }

    /** The flows of a job, from the {@code A->B Replicate} operators named in its vertices. */
    static List<Flow> flows(JobDetailsInfo job) {
        Map<String, Flow> flows = new LinkedHashMap<>();
        for (JobDetailsInfo.JobVertexDetailsInfo vertex : job.getJobVertexInfos()) {
            for (String operator : operators(vertex.getName())) {
                Matcher m = REPLICATE.matcher(operator);
                if (m.matches() && MirrorOperator.REPLICATE.displayName(m.group(1), m.group(2)).equals(operator)) {
                    Flow flow = new Flow(m.group(1), m.group(2));
                    flows.put(flow.name(), flow);
                }
            }
        }
        return new ArrayList<>(flows.values());
    }

    /** The operator names a (chained) vertex name joins, e.g. {@code Source: A->B Kafka source -> A->B Replicate}. */
    private static List<String> operators(String vertexName) {
        List<String> names = new ArrayList<>();
        for (String part : vertexName.split(" -> ")) {
            String name = part.startsWith("Source: ") ? part.substring("Source: ".length()) : part;
            names.add(name.trim());
        }
        return names;
    }

    private void print(FlinkRest rest, JobDetailsInfo job, List<Flow> flows, PrintWriter out) {
        String id = job.getJobId().toHexString();
        String checkpoint = checkpoint(rest.latestCompletedCheckpoint(id));
        out.printf("Flink Mirror job %s (%s): %s, %d flow(s), Flink REST %s%n", id, job.getName(),
                job.getJobStatus(), flows.size(), rest.url());
        for (Flow flow : flows) {
            FlowStatus status = status(rest, job, flow);
            out.println();
            table(out, List.of(
                    new String[] {"FLOW", flow.name()},
                    new String[] {"records/s", Double.isNaN(status.recordsPerSecond()) ? "-"
                            : String.format(Locale.ROOT, "%,.1f", status.recordsPerSecond())},
                    new String[] {"lag", Double.isNaN(status.lag()) ? "-"
                            : String.format(Locale.ROOT, "%,d records", Math.round(status.lag()))},
                    new String[] {"p99 latency", Double.isNaN(status.p99LatencyMs()) ? "-"
                            : String.format(Locale.ROOT, "%,d ms", Math.round(status.p99LatencyMs()))},
                    new String[] {"last checkpoint", checkpoint}));
        }
    }

    /**
     * The flow's metrics: records/s summed over the Replicate operator's per-partition {@code record-rate} (or its
     * {@code numRecordsOutPerSecond} before any partition reported), {@code lag} summed and
     * {@code replication-latency-ms-p99} maxed over the Offset mapping operator's subtasks.
     */
    static FlowStatus status(FlinkRest rest, JobDetailsInfo job, Flow flow) {
        String jid = job.getJobId().toHexString();
        String replicate = MirrorOperator.REPLICATE.displayName(flow.source(), flow.target());
        String mapping = MirrorOperator.OFFSET_MAPPING.displayName(flow.source(), flow.target());
        double rate = Double.NaN;
        double outRate = Double.NaN;
        double lag = Double.NaN;
        double p99 = Double.NaN;
        for (JobDetailsInfo.JobVertexDetailsInfo vertex : job.getJobVertexInfos()) {
            List<String> operators = operators(vertex.getName());
            if (!operators.contains(replicate) && !operators.contains(mapping)) {
                continue;
            }
            String vid = vertex.getJobVertexID().toHexString();
            List<String> rates = new ArrayList<>();
            List<String> outRates = new ArrayList<>();
            List<String> lags = new ArrayList<>();
            List<String> p99s = new ArrayList<>();
            for (String metric : rest.metricIds(jid, vid)) {
                Matcher m = RECORD_RATE.matcher(metric);
                if (m.matches() && sameOperator(m.group(1), replicate)) {
                    rates.add(metric);
                } else if (isOf(metric, replicate, "numRecordsOutPerSecond")) {
                    outRates.add(metric);
                } else if (isOf(metric, mapping, "lag")) {
                    lags.add(metric);
                } else if (isOf(metric, mapping, "replication-latency-ms-p99")) {
                    p99s.add(metric);
                }
            }
            rate = add(rate, rest.aggregate(jid, vid, rates, "sum").values(), false);
            outRate = add(outRate, rest.aggregate(jid, vid, outRates, "sum").values(), false);
            lag = add(lag, rest.aggregate(jid, vid, lags, "sum").values(), false);
            p99 = add(p99, rest.aggregate(jid, vid, p99s, "max").values(), true);
        }
        return new FlowStatus(flow, Double.isNaN(rate) ? outRate : rate, lag, p99);
    }

    /** Whether {@code metricId} is {@code <operator>.<name>}, the operator name possibly sanitized by Flink. */
    private static boolean isOf(String metricId, String operator, String name) {
        return metricId.endsWith("." + name)
                && sameOperator(metricId.substring(0, metricId.length() - name.length() - 1), operator);
    }

    private static boolean sameOperator(String inMetricId, String operator) {
        return normalize(inMetricId).equals(normalize(operator));
    }

    private static String normalize(String name) {
        return name.replaceAll("[^A-Za-z0-9]", "");
    }

    /** {@code total} summed (or maxed) with the non-NaN {@code values}; NaN while none had a value. */
    private static double add(double total, Iterable<Double> values, boolean max) {
        for (double v : values) {
            if (!Double.isNaN(v)) {
                total = Double.isNaN(total) ? v : max ? Math.max(total, v) : total + v;
            }
        }
        return total;
    }

    private static String checkpoint(Optional<CompletedCheckpointStatistics> latest) {
        if (latest.isEmpty()) {
            return "none yet";
        }
        CompletedCheckpointStatistics completed = latest.get();
        long ago = Math.max(0, (System.currentTimeMillis() - completed.getLatestAckTimestamp()) / 1000);
        return "#" + completed.getId() + ", " + ago + " s ago";
    }

    private static void table(PrintWriter out, List<String[]> rows) {
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        out.print(rows.stream().map(r -> String.format("%-" + (width + 2) + "s%s", r[0], r[1]))
                .collect(Collectors.joining(System.lineSeparator(), "", System.lineSeparator())));
    }
}
