package io.flinkmirror.testutils;

import io.flinkmirror.cli.rest.FlinkRest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;

/** A job's metrics and checkpoint statistics through Flink's REST API (typed, via {@link FlinkRest}). */
public final class JobMetrics implements AutoCloseable {

    private final FlinkRest rest;
    private final JobID job;

    public JobMetrics(String restUrl, JobID job) {
        this.rest = new FlinkRest(restUrl);
        this.job = job;
    }

    /** The job these metrics are of. */
    public JobID job() {
        return job;
    }

    /** Metric ids, over all vertices of the job, that match. */
    public List<String> ids(Predicate<String> match) {
        List<String> ids = new ArrayList<>();
        for (String vertex : vertices()) {
            rest.metricIds(job.toHexString(), vertex).stream().filter(match).forEach(ids::add);
        }
        return ids;
    }

    /**
     * {@code agg} ({@code sum} or {@code max}) over subtasks of every matching metric, then summed ({@code sum}) or
     * maxed ({@code max}) over the metrics; NaN values (empty windows) are skipped; -1 if none has a value.
     */
    public double aggregate(Predicate<String> match, String agg) {
        double result = -1;
        boolean any = false;
        for (String vertex : vertices()) {
            List<String> ids = rest.metricIds(job.toHexString(), vertex).stream().filter(match).toList();
            for (double value : rest.aggregate(job.toHexString(), vertex, ids, agg).values()) {
                if (Double.isNaN(value)) {
                    continue;
                }
                result = !any ? value : agg.equals("sum") ? result + value : Math.max(result, value);
                any = true;
            }
        }
        return result;
    }

    /**
     * As {@link #aggregate}, once some matching metric has a value: Flink's REST API serves metrics from a store its
     * first requests only start to fill, so a metric that exists may be missing from the first answers.
     */
    public double awaitAggregate(Predicate<String> match, String agg, Duration timeout) {
        double[] value = {-1};
        Poll.until("a value of the matching metrics (" + agg + ")", timeout,
                () -> (value[0] = aggregate(match, agg)) >= 0);
        return value[0];
    }

    /** The job's checkpoint statistics. */
    public CheckpointingStatistics checkpoints() {
        return rest.checkpoints(job.toHexString());
    }

    private List<String> vertices() {
        List<String> ids = new ArrayList<>();
        for (JobDetailsInfo.JobVertexDetailsInfo vertex : rest.job(job.toHexString()).getJobVertexInfos()) {
            ids.add(vertex.getJobVertexID().toHexString());
        }
        return ids;
    }

    @Override
    public void close() {
        rest.close();
    }
}
