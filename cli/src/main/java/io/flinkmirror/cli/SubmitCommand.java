package io.flinkmirror.cli;

import io.flinkmirror.cli.rest.FlinkRest;
import io.flinkmirror.job.MirrorJob;
import io.flinkmirror.job.config.ConfigException;
import io.flinkmirror.job.config.MirrorConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/mirror submit --config FILE}: uploads the shaded job jar to a Flink cluster through its REST API and
 * runs it (optionally from a savepoint), then waits until the job is RUNNING.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Upload the job jar to a Flink cluster (REST API) and run it with --config FILE, optionally "
                + "from a savepoint. The JobManager reads FILE: give a path it can read.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the job is RUNNING", "1:the job did not reach RUNNING, or one with its name already runs",
                "2:bad arguments or configuration", "3:the Flink REST API failed"})
final class SubmitCommand implements Callable<Integer> {

    static final int NOT_RUNNING = 1;
    static final int REST_ERROR = 3;
    private static final Duration RUNNING_TIMEOUT = Duration.ofSeconds(90);

    @Spec
    CommandSpec spec;
    @Mixin
    DeployOptions target;
    @Mixin
    DeployOptions.JarOptions jarOptions;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "MirrorMaker 2 style properties file, readable by the JobManager.")
    Path config;

    @Option(names = "--savepoint", paramLabel = "PATH", description = "Start from this savepoint (or retained "
            + "checkpoint).")
    String savepoint;

    @Option(names = "--skip-preflight", description = "Do not check on the JobManager that every cluster answers.")
    boolean skipPreflight;

    @Option(names = "--fresh", description = "Start without state, even if a retained checkpoint of the job exists "
            + "(without --savepoint the job resumes from its newest retained checkpoint): each partition resumes "
            + "from what its target holds.")
    boolean fresh;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (FlinkDeployer deployer = new FlinkDeployer(target.flinkRest)) {
            String name = jobName(config);
            for (FlinkDeployer.MirrorJobInfo running : deployer.runningMirrorJobs()) {
                if (running.name().equals(name)) {
                    err.println("flink-mirror: job '" + name + "' already runs as " + running.id() + " at "
                            + deployer.rest().url() + "; use 'bin/mirror upgrade' (or stop it first): two jobs "
                            + "with one name share transactional ids and fence each other");
                    return NOT_RUNNING;
                }
            }
            return submitAndAwait(deployer, new Request(config, jarOptions.jar, jarOptions.parallelism,
                    savepoint == null ? null : DeployOptions.savepointLocation(savepoint),
                    jarOptions.allowNonRestoredState,
                    skipPreflight, fresh), out, err);
        } catch (FlinkDeployer.DeployException | FlinkRest.RestException e) {
            err.println("flink-mirror: " + e.getMessage());
            return REST_ERROR;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** What to submit. */
    record Request(Path config, Path jar, Integer parallelism, String savepoint, boolean allowNonRestoredState,
                   boolean skipPreflight, boolean fresh) {
    }

    /** Checks the config locally, submits, and waits for RUNNING; returns the exit code. */
    static int submitAndAwait(FlinkDeployer deployer, Request request, PrintWriter out, PrintWriter err) {
        Path configFile = request.config().toAbsolutePath().normalize();
        List<String> args = new ArrayList<>(List.of("--config", configFile.toString()));
        if (request.parallelism() != null) {
            args.addAll(List.of("--parallelism", String.valueOf(request.parallelism())));
        }
        if (request.skipPreflight()) {
            args.add("--skip-preflight");
        }
        if (request.fresh()) {
            args.add("--fresh");
        }
        Path jarFile = request.jar() != null ? request.jar() : DeployOptions.runningJar();
        if (!Files.isRegularFile(jarFile)) {
            throw new ConfigException("No job jar at " + jarFile + " (--jar)");
        }
        JobID id = deployer.submit(jarFile, args, request.parallelism(), request.savepoint(),
                request.allowNonRestoredState());
        out.println("Submitted job " + id + (request.savepoint() == null ? "" : " from savepoint "
                + request.savepoint()) + "; web UI " + deployer.rest().url() + "/#/job/running/" + id);
        String state = awaitRunning(deployer, id.toHexString());
        if (!"RUNNING".equals(state)) {
            err.println("flink-mirror: job " + id + " is " + state + ", not RUNNING; see the JobManager log or "
                    + deployer.rest().url() + "/#/job/completed/" + id + "/exceptions");
            return NOT_RUNNING;
        }
        out.println("Job " + id + " RUNNING" + restoredFrom(deployer, id.toHexString()));
        return 0;
    }

    /** What the job restored, as the REST API tells ({@code ""} if it started without state). */
    private static String restoredFrom(FlinkDeployer deployer, String id) {
        try {
            String path = deployer.rest().latestRestoredCheckpoint(id)
                    .map(CheckpointingStatistics.RestoredCheckpointStatistics::getExternalPath).orElse("");
            if (path.isEmpty()) {
                return ", started without state (each partition resumes from what its target holds)";
            }
            // A retained checkpoint restored by path counts as a savepoint in the REST API: tell them by the path.
            return ", restored from " + (path.matches(".*/chk-\\d+/?$") ? "checkpoint " : "savepoint ") + path;
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static String awaitRunning(FlinkDeployer deployer, String id) {
        long deadline = System.nanoTime() + RUNNING_TIMEOUT.toNanos();
        String state = deployer.state(id);
        while (!"RUNNING".equals(state) && !isTerminal(state) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return state;
            }
            state = deployer.state(id);
        }
        return state;
    }

    private static boolean isTerminal(String state) {
        return List.of("FAILED", "CANCELED", "FINISHED").contains(state);
    }

    /** The job name the config gives (loading it reports config errors here, before anything is uploaded). */
    static String jobName(Path config) {
        return new MirrorJob(MirrorConfig.load(config)).jobName();
    }
}
