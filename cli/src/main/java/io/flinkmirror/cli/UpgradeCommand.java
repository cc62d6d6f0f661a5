package io.flinkmirror.cli;

import io.flinkmirror.cli.rest.FlinkRest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/mirror upgrade --config FILE}: stop-with-savepoint of the running Flink Mirror job, then submit the
 * (new) jar with the (new) config from that savepoint. Adding topics, flows' regexes and parallelism may change.
 */
@Command(name = "upgrade", mixinStandardHelpOptions = true,
        description = "Stop the running Flink Mirror job with a savepoint, then submit the job jar with --config "
                + "FILE from it (new jar, new config, new parallelism).",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the new job is RUNNING", "1:the new job did not reach RUNNING",
                "2:bad arguments or configuration", "3:no (single) running Flink Mirror job, or the REST API failed"})
final class UpgradeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;
    @Mixin
    DeployOptions target;
    @Mixin
    DeployOptions.JobOption which;
    @Mixin
    DeployOptions.JarOptions jarOptions;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "Properties file of the new job, readable by the JobManager.")
    Path config;

    @Option(names = "--savepoint-dir", paramLabel = "DIR",
            description = "Where the savepoint goes (default: savepoints/ of the Flink Mirror directory).")
    String savepointDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String savepoint = null;
        try (FlinkDeployer deployer = new FlinkDeployer(target.flinkRest)) {
            SubmitCommand.jobName(config); // a bad new config fails here, before the running job is stopped
            FlinkDeployer.MirrorJobInfo job = deployer.findRunning(which.jobId);
            Integer newParallelism = jarOptions.parallelism != null ? jarOptions.parallelism
                    : job.parallelism() > 0 ? Integer.valueOf(job.parallelism()) : null;
            savepoint = deployer.stopWithSavepoint(job.id(), StopCommand.directory(savepointDir));
            out.println("Stopped job " + job.id() + " (" + job.name() + ") with savepoint " + savepoint);
            int code = SubmitCommand.submitAndAwait(deployer, new SubmitCommand.Request(config, jarOptions.jar,
                    newParallelism, savepoint, jarOptions.allowNonRestoredState, false, false), out, err);
            if (code != 0) {
                err.println(retryHint(savepoint));
            }
            return code;
        } catch (FlinkDeployer.DeployException | FlinkRest.RestException e) {
            err.println("flink-mirror: " + e.getMessage());
            if (savepoint != null) {
                err.println(retryHint(savepoint));
            }
            return SubmitCommand.REST_ERROR;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static String retryHint(String savepoint) {
        return "flink-mirror: the old job is stopped; its state is in " + savepoint
                + " (retry with 'bin/mirror submit --config FILE --savepoint " + savepoint + "')";
    }
}
