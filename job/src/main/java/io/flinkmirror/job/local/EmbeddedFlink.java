package io.flinkmirror.job.local;

import io.flinkmirror.job.MirrorJob;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the Flink Mirror job in an embedded Flink (a MiniCluster in this JVM) with the web UI. */
public final class EmbeddedFlink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedFlink.class);

    private final JobClient client;
    private final String webUrl;

    private EmbeddedFlink(JobClient client, String webUrl) {
        this.client = client;
        this.webUrl = webUrl;
    }

    /** Submits {@code job} to a new embedded Flink whose web UI and REST API listen on {@code webPort}. */
    public static EmbeddedFlink start(MirrorJob job, int webPort, Integer parallelism) throws Exception {
        Configuration conf = job.flinkConfiguration();
        conf.set(RestOptions.PORT, webPort);
        conf.set(RestOptions.BIND_ADDRESS, "localhost");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }
        job.build(env);
        JobClient client = env.executeAsync(job.jobName());
        return new EmbeddedFlink(client, "http://localhost:" + webPort);
    }

    public JobClient client() {
        return client;
    }

    /** Base URL of the web UI and REST API. */
    public String webUrl() {
        return webUrl;
    }

    /** Blocks until the job ends. */
    public void awaitTermination() throws Exception {
        client.getJobExecutionResult().get();
    }

    /** Cancels the job if it still runs. */
    @Override
    public void close() {
        try {
            if (!client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                client.cancel().get(30, TimeUnit.SECONDS);
                LOG.info("Cancelled job {}", client.getJobID());
            }
        } catch (Exception e) {
            LOG.warn("Could not cancel job {}: {}", client.getJobID(), e.toString());
        }
    }
}
