package io.flinkmirror.cli;

import io.flinkmirror.cli.rest.FlinkRest;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bin/mirror stop [--savepoint [DIR]]}: stop-with-savepoint, or cancel, the running Flink Mirror job. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stop the running Flink Mirror job: with --savepoint, stop-with-savepoint (the savepoint's "
                + "path is printed; resume with 'submit --savepoint PATH'); without, cancel it.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:stopped", "3:no (single) running Flink Mirror job, or the REST API failed"})
final class StopCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;
    @Mixin
    DeployOptions target;
    @Mixin
    DeployOptions.JobOption which;

    @Option(names = "--savepoint", arity = "0..1", paramLabel = "DIR", fallbackValue = "",
            description = "Take a savepoint into DIR (a path or URI the JobManager can write; default: savepoints/ "
                    + "of the Flink Mirror directory) and stop.")
    String savepointDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (FlinkDeployer deployer = new FlinkDeployer(target.flinkRest)) {
            FlinkDeployer.MirrorJobInfo job = deployer.findRunning(which.jobId);
            if (savepointDir == null) {
                deployer.cancel(job.id());
                out.println("Cancelled job " + job.id() + " (" + job.name() + ")");
            } else {
                String path = deployer.stopWithSavepoint(job.id(), directory(savepointDir));
                out.println("Stopped job " + job.id() + " (" + job.name() + ") with savepoint " + path);
            }
            return 0;
        } catch (FlinkDeployer.DeployException | FlinkRest.RestException e) {
            err.println("flink-mirror: " + e.getMessage());
            return SubmitCommand.REST_ERROR;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The savepoint directory for the JobManager: the given one, or savepoints/ when none was given. */
    static String directory(String given) {
        return DeployOptions.savepointLocation(given == null || given.isEmpty()
                ? DeployOptions.defaultSavepointDir().toString() : given);
    }
}
