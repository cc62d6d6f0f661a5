package io.flinkmirror.cli;

import io.flinkmirror.cli.rest.FlinkRest;
import io.flinkmirror.job.MirrorOperator;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.messages.webmonitor.JobDetails;
import org.apache.flink.runtime.rest.FileUpload;
import org.apache.flink.runtime.rest.RestClient;
import org.apache.flink.runtime.rest.messages.EmptyMessageParameters;
import org.apache.flink.runtime.rest.messages.EmptyRequestBody;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.runtime.rest.util.RestConstants;
import org.apache.flink.runtime.webmonitor.handlers.JarDeleteHeaders;
import org.apache.flink.runtime.webmonitor.handlers.JarDeleteMessageParameters;
import org.apache.flink.runtime.webmonitor.handlers.JarRunHeaders;
import org.apache.flink.runtime.webmonitor.handlers.JarRunMessageParameters;
import org.apache.flink.runtime.webmonitor.handlers.JarRunRequestBody;
import org.apache.flink.runtime.webmonitor.handlers.JarUploadHeaders;
import org.apache.flink.runtime.webmonitor.handlers.JarUploadResponseBody;

/**
 * Submits, stops and finds Flink Mirror jobs on a Flink cluster through its REST API, with Flink's own REST clients:
 * {@link RestClient} and the web submission messages ({@code /jars/upload}, {@code /jars/:id/run}) for the jar,
 * {@link RestClusterClient} for stop-with-savepoint and cancel.
 */
final class FlinkDeployer implements AutoCloseable {

    /** A REST call that failed; the message says what and why, in one line where Flink allows. */
    static final class DeployException extends RuntimeException {
        DeployException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A running Flink Mirror job: id, name and parallelism of its replication step. */
    record MirrorJobInfo(String id, String name, int parallelism) {
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    private final URL url;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "flink-rest-client");
        t.setDaemon(true);
        return t;
    });
    private final RestClient restClient;
    private final RestClusterClient<StandaloneClusterId> clusterClient;
    private final FlinkRest rest;

    FlinkDeployer(String restUrl) {
        try {
            this.url = URI.create(restUrl).toURL();
            Configuration conf = new Configuration();
            conf.set(RestOptions.ADDRESS, url.getHost());
            conf.set(RestOptions.PORT, port(url));
            conf.set(RestOptions.RETRY_MAX_ATTEMPTS, 2);
            this.restClient = RestClient.forUrl(conf, executor, url);
            this.clusterClient = new RestClusterClient<>(conf, StandaloneClusterId.getInstance());
        } catch (Exception e) {
            throw new DeployException("Cannot set up a REST client for " + restUrl + ": " + e.getMessage(), e);
        }
        this.rest = new FlinkRest(restUrl);
    }

    FlinkRest rest() {
        return rest;
    }

    /**
     * Uploads {@code jar}, runs its main class with {@code args} (optionally from {@code savepoint}), then deletes
     * the uploaded copy (the running job keeps its own). Returns the new job's id.
     */
    JobID submit(Path jar, List<String> args, Integer parallelism, String savepoint, boolean allowNonRestoredState) {
        JarUploadResponseBody upload = call("upload " + jar, () -> restClient.sendRequest(url.getHost(), port(url),
                JarUploadHeaders.getInstance(), EmptyMessageParameters.getInstance(), EmptyRequestBody.getInstance(),
                List.of(new FileUpload(jar, RestConstants.CONTENT_TYPE_JAR))));
        String jarId = Path.of(upload.getFilename()).getFileName().toString();
        try {
            JarRunMessageParameters params = JarRunHeaders.getInstance().getUnresolvedMessageParameters();
            params.jarIdPathParameter.resolve(jarId);
            JarRunRequestBody body = new JarRunRequestBody(null, args, parallelism, null, allowNonRestoredState,
                    savepoint, null, Map.of());
            return call("run " + jarId, () -> restClient.sendRequest(url.getHost(), port(url),
                    JarRunHeaders.getInstance(), params, body)).getJobId();
        } finally {
            JarDeleteMessageParameters delete = JarDeleteHeaders.getInstance().getUnresolvedMessageParameters();
            delete.jarIdPathParameter.resolve(jarId);
            try {
                call("delete jar " + jarId, () -> restClient.sendRequest(url.getHost(), port(url),
                        JarDeleteHeaders.getInstance(), delete, EmptyRequestBody.getInstance()));
            } catch (DeployException e) {
                // the uploaded copy stays in web.upload.dir; harmless
            }
        }
    }

    /**
     * Stops the job with a savepoint in {@code directory} (a path or URI the JobManager can write) and waits until it
     * has ended (the savepoint completes a moment before the job reaches FINISHED; a job submitted in between would
     * share its transactional ids); the savepoint's path.
     */
    String stopWithSavepoint(String jobId, String directory) {
        JobID id = JobID.fromHexString(jobId);
        String path = call("stop-with-savepoint of job " + jobId, () -> clusterClient.stopWithSavepoint(
                id, false, directory, SavepointFormatType.CANONICAL));
        long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
        JobStatus status = call("status of job " + jobId, () -> clusterClient.getJobStatus(id));
        while (!status.isGloballyTerminalState()) {
            if (System.nanoTime() > deadline) {
                throw new DeployException("job " + jobId + " is still " + status + " " + REQUEST_TIMEOUT
                        + " after its savepoint " + path, null);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeployException("interrupted: waiting for job " + jobId + " to end", e);
            }
            status = call("status of job " + jobId, () -> clusterClient.getJobStatus(id));
        }
        return path;
    }

    /** Cancels the job without a savepoint. */
    void cancel(String jobId) {
        call("cancel job " + jobId, () -> clusterClient.cancel(JobID.fromHexString(jobId)));
    }

    /** State of a job, e.g. RUNNING, FAILED. */
    String state(String jobId) {
        return rest.job(jobId).getJobStatus().name();
    }

    /** The RUNNING Flink Mirror jobs (those with {@code A->B Replicate} operators). */
    List<MirrorJobInfo> runningMirrorJobs() {
        List<MirrorJobInfo> jobs = new ArrayList<>();
        for (JobDetails overview : rest.jobsOverview()) {
            if (overview.getStatus() != JobStatus.RUNNING) {
                continue;
            }
            JobDetailsInfo job = rest.job(overview.getJobId().toHexString());
            List<StatusCommand.Flow> flows = StatusCommand.flows(job);
            if (!flows.isEmpty()) {
                jobs.add(new MirrorJobInfo(job.getJobId().toHexString(), job.getName(),
                        replicateParallelism(job, flows.get(0))));
            }
        }
        return jobs;
    }

    private static int replicateParallelism(JobDetailsInfo job, StatusCommand.Flow flow) {
        String replicate = MirrorOperator.REPLICATE.displayName(flow.source(), flow.target());
        for (JobDetailsInfo.JobVertexDetailsInfo vertex : job.getJobVertexInfos()) {
            if (vertex.getName().contains(replicate)) {
                return vertex.getParallelism();
            }
        }
        return -1;
    }

    /**
     * The one running Flink Mirror job, or job {@code jobId} when given; fails naming the candidates when there is
     * none or more than one.
     */
    MirrorJobInfo findRunning(String jobId) {
        List<MirrorJobInfo> jobs = runningMirrorJobs();
        if (jobId != null) {
            return jobs.stream().filter(j -> j.id().equals(jobId)).findFirst().orElseThrow(() ->
                    new DeployException("No RUNNING Flink Mirror job " + jobId + " at " + rest.url()
                            + (jobs.isEmpty() ? "" : " (running: " + describe(jobs) + ")"), null));
        }
        if (jobs.size() != 1) {
            throw new DeployException(jobs.isEmpty() ? "No RUNNING Flink Mirror job at " + rest.url()
                    : "Several Flink Mirror jobs run at " + rest.url() + ", pick one with --job: " + describe(jobs),
                    null);
        }
        return jobs.get(0);
    }

    private static String describe(List<MirrorJobInfo> jobs) {
        return String.join(", ", jobs.stream().map(j -> j.id() + " (" + j.name() + ")").toList());
    }

    private interface Request<T> {
        java.util.concurrent.CompletableFuture<T> send() throws Exception;
    }

    private <T> T call(String what, Request<T> request) {
        try {
            return request.send().get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new DeployException(what + " at " + url + " failed: " + reason(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new DeployException(what + " at " + url + " did not answer within " + REQUEST_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployException("interrupted: " + what, e);
        } catch (Exception e) {
            throw new DeployException(what + " at " + url + " failed: " + reason(e), e);
        }
    }

    /**
     * The most telling line of a failure: Flink Mirror's own one-line error ({@code flink-mirror: ...}) when the
     * job's main reported one, otherwise the innermost message.
     */
    static String reason(Throwable failure) {
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            int at = message.indexOf("flink-mirror: ");
            if (at >= 0) {
                String line = message.substring(at + "flink-mirror: ".length());
                int end = line.indexOf('\n');
                return (end < 0 ? line : line.substring(0, end)).trim();
            }
            root = t;
        }
        String message = root.getMessage() == null ? root.toString() : root.getMessage();
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    private static int port(URL url) {
        return url.getPort() > 0 ? url.getPort() : url.getDefaultPort();
    }

    @Override
    public void close() {
        rest.close();
        clusterClient.close();
        restClient.shutdown(Duration.ofSeconds(5));
        executor.shutdownNow();
    }
}
