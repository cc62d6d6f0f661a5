package io.flinkmirror.cli.local;

import io.flinkmirror.job.MirrorJob;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the Flink Mirror job in an embedded Flink (a MiniCluster in this JVM) with the web UI. */
public final class EmbeddedFlink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedFlink.class);
    /** Network memory of the embedded task manager unless {@code flink.taskmanager.memory.network.max} is set. */
    static final MemorySize EMBEDDED_NETWORK_MEMORY = MemorySize.ofMebiBytes(32);

    private final JobClient client;
    private final String webUrl;

    private EmbeddedFlink(JobClient client, String webUrl) {
        this.client = client;
        this.webUrl = webUrl;
    }

    /** Submits {@code job} to a new embedded Flink whose web UI and REST API listen on {@code webPort}. */
    public static EmbeddedFlink start(MirrorJob job, int webPort, Integer parallelism) throws Exception {
        return start(job, job.flinkConfiguration(), webPort, parallelism);
    }

    /** As {@link #start(MirrorJob, int, Integer)}, with the Flink configuration {@code conf} (the job's, amended). */
    public static EmbeddedFlink start(MirrorJob job, Configuration conf, int webPort, Integer parallelism)
            throws Exception {
        return Cluster.start(conf, webPort, parallelism).submit(job, conf, parallelism);
    }

    /**
     * An embedded Flink (a MiniCluster with the web UI in this JVM) started before its job is known, so that it can
     * start while the Kafka clusters are checked: {@link #submit} then runs the job on it, once.
     */
    public static final class Cluster implements AutoCloseable {
        private final MiniCluster miniCluster;
        private final int webPort;

        private Cluster(MiniCluster miniCluster, int webPort) {
            this.miniCluster = miniCluster;
            this.webPort = webPort;
        }

        /**
         * Starts an embedded Flink for jobs of {@code parallelism} (null: the configuration's default parallelism,
         * else one per core), configured by {@code conf} (its cluster options; {@code conf} gets the REST address).
         */
        public static Cluster start(Configuration conf, int webPort, Integer parallelism) throws Exception {
            conf.set(RestOptions.PORT, webPort);
            conf.set(RestOptions.BIND_ADDRESS, "localhost");
            Configuration clusterConf = new Configuration(conf);
            // Flink's network buffers are allocated when the embedded task manager starts (64 MiB by default); the
            // replication pipelines are chained, only the offset-mapping side stream crosses the network.
            if (!clusterConf.contains(TaskManagerOptions.NETWORK_MEMORY_MAX)) {
                clusterConf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, EMBEDDED_NETWORK_MEMORY);
                clusterConf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, EMBEDDED_NETWORK_MEMORY);
            }
            // As Flink's local executor sizes it: slots for the job's highest parallelism (the job's operators run at
            // the default parallelism or at 1).
            int slots = clusterConf.getOptional(TaskManagerOptions.NUM_TASK_SLOTS).orElse(parallelism != null
                    ? parallelism : clusterConf.getOptional(CoreOptions.DEFAULT_PARALLELISM)
                    .orElse(Runtime.getRuntime().availableProcessors()));
            MiniCluster miniCluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                    .setConfiguration(clusterConf)
                    .setNumTaskManagers(clusterConf.get(TaskManagerOptions.MINI_CLUSTER_NUM_TASK_MANAGERS))
                    .setRpcServiceSharing(RpcServiceSharing.SHARED)
                    .setNumSlotsPerTaskManager(slots)
                    .build());
            try {
                miniCluster.start();
            } catch (Exception e) {
                miniCluster.close();
                throw e;
            }
            return new Cluster(miniCluster, webPort);
        }

        /**
         * Runs {@code job} with the Flink configuration {@code conf} (the job's, amended: restore path, checkpoint
         * directory) at {@code parallelism} (null: the default); the cluster shuts down when the job ends.
         */
        public EmbeddedFlink submit(MirrorJob job, Configuration conf, Integer parallelism) throws Exception {
            StreamGraph graph;
            try {
                graph = graph(job, conf, parallelism);
            } catch (Exception e) {
                close();
                throw e;
            }
            return submit(graph);
        }

        /**
         * The job's graph as {@link #submit(StreamGraph)} runs it: built without a cluster, so it can be built
         * while the embedded Flink starts.
         */
        public static StreamGraph graph(MirrorJob job, Configuration conf, Integer parallelism) throws Exception {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            if (parallelism != null) {
                env.setParallelism(parallelism);
            }
            job.build(env);
            // As env.executeAsync would: restore settings and job options from the configuration.
            StreamGraph graph = PipelineExecutorUtils.getStreamGraph(env.getStreamGraph(), conf);
            graph.setJobName(job.jobName());
            graph.serializeUserDefinedInstances();
            return graph;
        }

        /** Runs {@code graph} ({@link #graph}); the cluster shuts down when the job ends. */
        public EmbeddedFlink submit(StreamGraph graph) throws Exception {
            try {
                JobID id = miniCluster.submitJob(graph).get().getJobID();
                ClassLoader classLoader = Thread.currentThread().getContextClassLoader();
                JobClient client = new MiniClusterJobClient(id, miniCluster, classLoader,
                        MiniClusterJobClient.JobFinalizationBehavior.SHUTDOWN_CLUSTER);
                return new EmbeddedFlink(client, "http://localhost:" + webPort);
            } catch (Exception e) {
                close();
                throw e;
            }
        }

        /** Shuts the embedded Flink down (when no job was submitted to it, or submitting failed). */
        @Override
        public void close() {
            try {
                miniCluster.close();
            } catch (Exception e) {
                LOG.warn("Could not shut the embedded Flink down: {}", e.toString());
            }
        }
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

    /**
     * Stops the job with a final savepoint into {@code savepointDir} (its transactions committed), waiting at most
     * {@code timeout}; cancels it if that fails (its last checkpoint is retained). Returns the savepoint's path, or
     * null if the job was cancelled or had already ended.
     */
    public String stopWithSavepoint(String savepointDir, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String failure = "no savepoint within " + timeout.toSeconds() + " s";
        try {
            while (!client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    String path = client.stopWithSavepoint(false, savepointDir, SavepointFormatType.CANONICAL)
                            .get(left, TimeUnit.NANOSECONDS);
                    LOG.info("Stopped job {} with savepoint {} in {} ms; the next start resumes from it",
                            client.getJobID(), path, (System.nanoTime() - start) / 1_000_000);
                    return path;
                } catch (ExecutionException e) {
                    failure = rootMessage(e);
                    // A stop while the job is still starting (or restarting) fails at once: its JobManager is still
                    // initializing, or its tasks are not all running yet. Try again until they are, within the
                    // timeout.
                    if (!failure.contains("Not all required tasks are currently running")
                            && !failure.contains("while the JobManager is initializing")) {
                        break;
                    }
                    Thread.sleep(Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000)));
                }
            }
            if (client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                return null;
            }
        } catch (TimeoutException e) {
            failure = "no savepoint within " + timeout.toSeconds() + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (Exception e) {
            failure = rootMessage(e);
        }
        LOG.warn("Stop-with-savepoint of job {} failed ({}): cancelling it; the next start resumes from its last "
                + "checkpoint", client.getJobID(), failure);
        close();
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.toString();
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
