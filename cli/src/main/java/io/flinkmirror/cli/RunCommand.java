package io.flinkmirror.cli;

import io.flinkmirror.cli.local.ClusterIds;
import io.flinkmirror.cli.local.EmbeddedFlink;
import io.flinkmirror.cli.local.LocalState;
import io.flinkmirror.job.MirrorJob;
import io.flinkmirror.job.Preflight;
import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.job.sink.CommitGuardSink;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/mirror run --config FILE}: the job on an embedded Flink with the web UI. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the mirror job on an embedded Flink (web UI included) against the clusters of an "
                + "MM2-style properties file. Ctrl-C stops it with a final savepoint; the next run resumes from the newest "
                + "checkpoint or savepoint in its state directory, or, without one, from what the target holds.")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "MirrorMaker 2 style properties file.")
    Path config;

    @Option(names = "--web-port", defaultValue = "8081", paramLabel = "PORT",
            description = "Port of the Flink web UI and REST API (default: ${DEFAULT-VALUE}).")
    int webPort;

    @Option(names = "--parallelism", paramLabel = "N", description = "Job parallelism (default: number of cores).")
    Integer parallelism;

    @Option(names = "--skip-preflight", description = "Do not check that every cluster answers first.")
    boolean skipPreflight;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where checkpoints and savepoints are kept and resumed from (default: state/<job name> in "
                    + "the Flink Mirror directory; flink.execution.checkpointing.dir in the config wins).")
    Path stateDir;

    @Option(names = "--fresh", description = "Discard the state directory's checkpoints and savepoints: start "
            + "without state, each partition resuming from what its target holds.")
    boolean fresh;

    @Option(names = "--stop-timeout", defaultValue = "60", paramLabel = "SECONDS",
            description = "How long Ctrl-C waits for the final savepoint before cancelling (default: "
                    + "${DEFAULT-VALUE}); the next start then resumes from the last checkpoint.")
    int stopTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        long jvmUpMs = ManagementFactory.getRuntimeMXBean().getUptime();
        long start = System.nanoTime();
        MirrorConfig mirrorConfig = MirrorConfig.load(config);
        MirrorJob job = new MirrorJob(mirrorConfig);
        Configuration conf = job.flinkConfiguration();
        // The embedded Flink starts while the preflight checks the Kafka clusters (it needs neither them nor state).
        CompletableFuture<EmbeddedFlink.Cluster> cluster = CompletableFuture.supplyAsync(() -> {
            try {
                return EmbeddedFlink.Cluster.start(conf, webPort, parallelism);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        LocalState state = new LocalState(stateDir != null ? stateDir : defaultStateDir(MirrorHome.path(), job),
                conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).orElse(null),
                conf.getOptional(CheckpointingOptions.SAVEPOINT_DIRECTORY).orElse(null));
        List<String> flows = job.config().flows().stream().map(FlowConfig::name).toList();
        AtomicReference<EmbeddedFlink> running = new AtomicReference<>();
        Map<String, String> clusterIds;
        long prepared;
        try {
            // The preflight learns every cluster's id on its way; without it, they are asked for on their own.
            if (skipPreflight) {
                clusterIds = ClusterIds.of(mirrorConfig, Duration.ofSeconds(15));
            } else {
                Preflight.Report report = Preflight.run(mirrorConfig, Duration.ofSeconds(15));
                clusterIds = report.clusterIds();
                job.withoutTopicAclSync(report.topicAclSyncOff());
            }
            state.prepare(conf, flows, clusterIds, fresh ? "--fresh" : null);
            prepared = System.nanoTime();
            // Built while the embedded Flink may still be starting.
            org.apache.flink.streaming.api.graph.StreamGraph graph = EmbeddedFlink.Cluster.graph(job, conf,
                    parallelism);
            running.set(join(cluster).submit(graph));
        } catch (Exception | Error e) {
            cluster.thenAccept(EmbeddedFlink.Cluster::close);
            throw e;
        }
        EmbeddedFlink flink = running.get();
        long submitted = System.nanoTime();
        LOG.info("Job {} submitted {} ms after the JVM started: JVM and command line {} ms, config and preflight {} ms,"
                + " embedded Flink and job graph {} ms", flink.client().getJobID(),
                jvmUpMs + (submitted - start) / 1_000_000, jvmUpMs, (prepared - start) / 1_000_000,
                (submitted - prepared) / 1_000_000);
        // Once, whoever comes first: the signal handler or the shutdown hook (an exit by other means).
        java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                running.get().stopWithSavepoint(state.savepoints().toUri().toString(),
                        Duration.ofSeconds(stopTimeoutSeconds));
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "flink-mirror-shutdown"));
        // Ctrl-C and SIGTERM stop the job with a final savepoint *before* the JVM shuts down: left to the JVM, the
        // signal runs Flink's own shutdown hooks beside ours, which stop the embedded TaskManager's I/O under tasks
        // that are still starting, and the savepoint never comes (a cancel after --stop-timeout instead).
        StopOnSignal.install(stop);
        System.out.println("Flink Mirror job " + flink.client().getJobID() + " running; web UI: "
                + flink.webUrl() + " (Ctrl-C stops it)");
        while (true) {
            try {
                running.get().awaitTermination();
                return 0;
            } catch (ExecutionException e) {
                if (!causedBy(e, CommitGuardSink.LOST_MESSAGE)) {
                    throw e;
                }
                // The restored checkpoint's transactions are gone: its source offsets are past records the target
                // does not hold. Without state, each partition resumes from what the target holds: nothing lost.
                Configuration freshConf = job.flinkConfiguration();
                state.prepare(freshConf, flows, clusterIds, "its transactions can no longer be committed");
                running.set(startAgain(job, freshConf));
                LOG.warn("Restarted without state as job {}: the records of the lost transactions are copied again",
                        running.get().client().getJobID());
            }
        }
    }

    /** The started cluster, or the exception that stopped it from starting. */
    private static EmbeddedFlink.Cluster join(CompletableFuture<EmbeddedFlink.Cluster> cluster) throws Exception {
        try {
            return cluster.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Starts the job on a new embedded Flink, retrying while the ended one still holds the web port. */
    private EmbeddedFlink startAgain(MirrorJob job, Configuration conf) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return EmbeddedFlink.start(job, conf, webPort, parallelism);
            } catch (Exception e) {
                if (attempt == 10) {
                    throw e;
                }
                LOG.info("Embedded Flink not started yet ({}), retrying", e.toString());
                Thread.sleep(1_000);
            }
        }
    }

    /** Whether {@code e} or one of its causes has a message containing {@code text} (causes may be serialized). */
    static boolean causedBy(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** {@code state/<job name>} under {@code home}, the job name made safe for a file name. */
    static Path defaultStateDir(Path home, MirrorJob job) {
        return home.resolve("state").resolve(job.jobName().replaceAll("[^A-Za-z0-9._-]", "_"));
    }
}
