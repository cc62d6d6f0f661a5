package io.flinkmirror.cli;

import io.flinkmirror.job.Preflight;
import io.flinkmirror.job.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/mirror}: run Flink Mirror locally, or try it with the quickstart. */
@Command(name = "mirror", mixinStandardHelpOptions = true, version = "Flink Mirror 0.1.0",
        description = "Exactly-once Kafka replication (MirrorMaker 2 compatible) as an Apache Flink job.",
        subcommands = {QuickstartCommand.class, RunCommand.class, OffsetsCommand.class, StatusCommand.class,
                ClusterCommand.class, SubmitCommand.class, StopCommand.class, UpgradeCommand.class,
                WarmupCommand.class})
public final class MirrorCli implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs {@code bin/mirror ARGS} and returns its exit code: 2 with one line on stderr for what a user can fix (a bad
     * config, a cluster that does not answer); anything else is a bug and keeps its stack trace.
     */
    static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new MirrorCli());
        commandLine.setExecutionExceptionHandler((e, cli, parsed) -> {
            boolean expected = e instanceof ConfigException || e instanceof Preflight.PreflightException;
            if (!expected) {
                throw e;
            }
            cli.getErr().println("flink-mirror: " + e.getMessage());
            return 2;
        });
        return commandLine.execute(args);
    }
}
