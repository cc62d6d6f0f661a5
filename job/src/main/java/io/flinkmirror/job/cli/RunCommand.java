package io.flinkmirror.job.cli;

import io.flinkmirror.job.MirrorJob;
import io.flinkmirror.job.MirrorJobMain;
import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.local.ClusterIds;
import io.flinkmirror.job.local.EmbeddedFlink;
import io.flinkmirror.job.local.LocalState;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
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

    @Option(names = "--stop-timeout", defaultValue = "60", paramLabel = "SECONDS",
            description = "How long Ctrl-C waits for the final savepoint before cancelling (default: "
                    + "${DEFAULT-VALUE}); the next start then resumes from the last checkpoint.")
    int stopTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        long jvmUpMs = ManagementFactory.getRuntimeMXBean().getUptime();
        long start = System.nanoTime();
        MirrorJob job = MirrorJobMain.prepare(config, skipPreflight);
        Configuration conf = job.flinkConfiguration();
        LocalState state = new LocalState(stateDir != null ? stateDir : defaultStateDir(MirrorHome.path(), job),
                conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).orElse(null),
                conf.getOptional(CheckpointingOptions.SAVEPOINT_DIRECTORY).orElse(null));
        state.prepare(conf, job.config().flows().stream().map(FlowConfig::name).toList(),
                ClusterIds.of(job.config(), Duration.ofSeconds(15)));
        long prepared = System.nanoTime();
        EmbeddedFlink flink = EmbeddedFlink.start(job, conf, webPort, parallelism);
        long submitted = System.nanoTime();
        LOG.info("Job {} submitted {} ms after the JVM started: JVM and command line {} ms, config and preflight {} ms,"
                + " embedded Flink and job graph {} ms", flink.client().getJobID(),
                jvmUpMs + (submitted - start) / 1_000_000, jvmUpMs, (prepared - start) / 1_000_000,
                (submitted - prepared) / 1_000_000);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> flink.stopWithSavepoint(
                state.savepoints().toUri().toString(), Duration.ofSeconds(stopTimeoutSeconds)),
                "flink-mirror-shutdown"));
        System.out.println("Flink Mirror job " + flink.client().getJobID() + " running; web UI: "
                + flink.webUrl() + " (Ctrl-C stops it)");
        flink.awaitTermination();
        return 0;
    }

    /** {@code state/<job name>} under {@code home}, the job name made safe for a file name. */
    static Path defaultStateDir(Path home, MirrorJob job) {
        return home.resolve("state").resolve(job.jobName().replaceAll("[^A-Za-z0-9._-]", "_"));
    }
}
