package io.flinkmirror.cli.rest;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.messages.webmonitor.JobDetails;
import org.apache.flink.runtime.rest.RestClient;
import org.apache.flink.runtime.rest.handler.legacy.messages.ClusterOverviewWithVersion;
import org.apache.flink.runtime.rest.messages.ClusterOverviewHeaders;
import org.apache.flink.runtime.rest.messages.EmptyMessageParameters;
import org.apache.flink.runtime.rest.messages.EmptyRequestBody;
import org.apache.flink.runtime.rest.messages.JobIDPathParameter;
import org.apache.flink.runtime.rest.messages.JobMessageParameters;
import org.apache.flink.runtime.rest.messages.JobVertexIdPathParameter;
import org.apache.flink.runtime.rest.messages.JobsOverviewHeaders;
import org.apache.flink.runtime.rest.messages.MessageHeaders;
import org.apache.flink.runtime.rest.messages.MessageParameters;
import org.apache.flink.runtime.rest.messages.MessagePathParameter;
import org.apache.flink.runtime.rest.messages.MessageQueryParameter;
import org.apache.flink.runtime.rest.messages.ResponseBody;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.CompletedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatisticsHeaders;
import org.apache.flink.runtime.rest.messages.job.JobDetailsHeaders;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedMetric;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedMetricsResponseBody;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedSubtaskMetricsHeaders;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedSubtaskMetricsParameters;
import org.apache.flink.runtime.rest.messages.job.metrics.MetricsAggregationParameter;
import org.apache.flink.runtime.rest.messages.job.metrics.MetricsFilterParameter;
import org.apache.flink.runtime.rest.messages.taskmanager.TaskManagerInfo;
import org.apache.flink.runtime.rest.messages.taskmanager.TaskManagersHeaders;
import org.apache.flink.runtime.rest.util.RestClientException;

/**
 * Read-only client of the Flink REST API on Flink's own {@link RestClient} and typed message headers: cluster
 * overview, TaskManagers, jobs, checkpoints and aggregated subtask metrics. Close it when done (its client has
 * threads).
 */
public final class FlinkRest implements AutoCloseable {

    /** A request that failed: the server could not be reached or did not answer with success. */
    public static final class RestException extends RuntimeException {
        private final int status;

        RestException(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /** HTTP status of the answer, or -1 when there was none. */
        public int status() {
            return status;
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String baseUrl;
    private final URL url;
    private final ExecutorService executor;
    private final RestClient client;

    public FlinkRest(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        try {
            this.url = URI.create(this.baseUrl).toURL();
            Configuration conf = new Configuration();
            conf.set(RestOptions.CONNECTION_TIMEOUT, Duration.ofSeconds(3));
            conf.set(RestOptions.IDLENESS_TIMEOUT, TIMEOUT);
            this.executor = Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "flink-rest-reads");
                thread.setDaemon(true);
                return thread;
            });
            this.client = RestClient.forUrl(conf, executor, url);
        } catch (Exception e) {
            throw new RestException("Cannot set up a REST client for " + baseUrl + ": " + e.getMessage(), -1, e);
        }
    }

    /** The REST endpoint, e.g. {@code http://localhost:8081}. */
    public String url() {
        return baseUrl;
    }

    /** Cluster summary: TaskManagers, slots, jobs by state, Flink version. */
    public ClusterOverviewWithVersion overview() {
        return get(ClusterOverviewHeaders.getInstance(), EmptyMessageParameters.getInstance());
    }

    /** The registered TaskManagers. */
    public Collection<TaskManagerInfo> taskManagers() {
        return get(TaskManagersHeaders.getInstance(), EmptyMessageParameters.getInstance()).getTaskManagerInfos();
    }

    /** Every job the cluster knows, running or finished. */
    public Collection<JobDetails> jobsOverview() {
        return get(JobsOverviewHeaders.getInstance(), EmptyMessageParameters.getInstance()).getJobs();
    }

    /** State, name and vertices of one job. */
    public JobDetailsInfo job(String jobId) {
        JobMessageParameters params = JobDetailsHeaders.getInstance().getUnresolvedMessageParameters();
        params.jobPathParameter.resolve(jobId(jobId));
        return get(JobDetailsHeaders.getInstance(), params);
    }

    /** The job's latest completed checkpoint, if any completed yet. */
    public Optional<CompletedCheckpointStatistics> latestCompletedCheckpoint(String jobId) {
        return Optional.ofNullable(checkpoints(jobId).getLatestCheckpoints().getCompletedCheckpointStatistics());
    }

    /** The checkpoint or savepoint the job started from, if it was restored. */
    public Optional<CheckpointingStatistics.RestoredCheckpointStatistics> latestRestoredCheckpoint(String jobId) {
        return Optional.ofNullable(checkpoints(jobId).getLatestCheckpoints().getRestoredCheckpointStatistics());
    }

    /** The job's checkpoint statistics: counts, durations, latest completed, failed and restored. */
    public CheckpointingStatistics checkpoints(String jobId) {
        JobMessageParameters params = CheckpointingStatisticsHeaders.getInstance().getUnresolvedMessageParameters();
        params.jobPathParameter.resolve(jobId(jobId));
        return get(CheckpointingStatisticsHeaders.getInstance(), params);
    }

    /** Ids of the metrics that the subtasks of a vertex report. */
    public List<String> metricIds(String jobId, String vertexId) {
        List<String> ids = new ArrayList<>();
        metrics(jobId, vertexId, List.of(), List.of()).forEach(m -> ids.add(m.getId()));
        return ids;
    }

    /**
     * Each metric of {@code ids} aggregated over the vertex's subtasks with {@code agg} ({@code sum}, {@code max},
     * ...); NaN where the metric has no value.
     */
    public Map<String, Double> aggregate(String jobId, String vertexId, Collection<String> ids, String agg) {
        Map<String, Double> values = new HashMap<>();
        if (ids.isEmpty()) {
            return values;
        }
        MetricsAggregationParameter.AggregationMode mode =
                MetricsAggregationParameter.AggregationMode.valueOf(agg.toUpperCase(java.util.Locale.ROOT));
        for (AggregatedMetric metric : metrics(jobId, vertexId, List.copyOf(ids), List.of(mode))) {
            Double value = switch (mode) {
                case SUM -> metric.getSum();
                case MAX -> metric.getMax();
                case MIN -> metric.getMin();
                case AVG -> metric.getAvg();
                case SKEW -> metric.getSkew();
            };
            values.put(metric.getId(), value == null ? Double.NaN : value);
        }
        return values;
    }

    private Collection<AggregatedMetric> metrics(String jobId, String vertexId, List<String> ids,
                                                 List<MetricsAggregationParameter.AggregationMode> aggs) {
        AggregatedSubtaskMetricsParameters params =
                AggregatedSubtaskMetricsHeaders.getInstance().getUnresolvedMessageParameters();
        for (MessagePathParameter<?> p : params.getPathParameters()) {
            if (p instanceof JobIDPathParameter job) {
                job.resolve(jobId(jobId));
            } else if (p instanceof JobVertexIdPathParameter vertex) {
                vertex.resolve(JobVertexID.fromHexString(vertexId));
            }
        }
        for (MessageQueryParameter<?> q : params.getQueryParameters()) {
            if (q instanceof MetricsFilterParameter filter && !ids.isEmpty()) {
                filter.resolve(ids);
            } else if (q instanceof MetricsAggregationParameter agg && !aggs.isEmpty()) {
                agg.resolve(aggs);
            }
        }
        AggregatedMetricsResponseBody body = get(AggregatedSubtaskMetricsHeaders.getInstance(), params);
        return body.getMetrics();
    }

    private static JobID jobId(String id) {
        try {
            return JobID.fromHexString(id);
        } catch (IllegalArgumentException e) {
            throw new RestException("Not a Flink job id: '" + id + "'", 400, e);
        }
    }

    private <P extends ResponseBody, M extends MessageParameters> P get(
            MessageHeaders<EmptyRequestBody, P, M> headers, M params) {
        String what = headers.getHttpMethod() + " " + baseUrl + headers.getTargetRestEndpointURL();
        try {
            return client.sendRequest(url.getHost(), url.getPort() < 0 ? url.getDefaultPort() : url.getPort(),
                    headers, params, EmptyRequestBody.getInstance()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RestClientException rest) {
                throw new RestException(what + " answered " + rest.getHttpResponseStatus().code() + ": "
                        + rest.getMessage(), rest.getHttpResponseStatus().code(), rest);
            }
            throw new RestException("Cannot reach the Flink REST API at " + baseUrl + " (" + what + "): " + cause,
                    -1, cause);
        } catch (TimeoutException e) {
            throw new RestException("No answer from the Flink REST API at " + baseUrl + " within "
                    + TIMEOUT.toSeconds() + " s (" + what + ")", -1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestException("Interrupted: " + what, -1, e);
        } catch (java.io.IOException e) {
            throw new RestException("Cannot reach the Flink REST API at " + baseUrl + " (" + what + "): " + e, -1,
                    e);
        }
    }

    @Override
    public void close() {
        try {
            client.closeAsync().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing: nothing left to do
        } finally {
            executor.shutdownNow();
        }
    }
}
