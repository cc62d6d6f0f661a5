package io.flinkmirror.job.cli;

import io.flinkmirror.job.MirrorJobMain;
import picocli.CommandLine.Command;

/** {@code bin/mirror}: run Flink Mirror locally, or try it with the quickstart. */
@Command(name = "mirror", mixinStandardHelpOptions = true, version = "Flink Mirror 0.1.0",
        description = "Exactly-once Kafka replication (MirrorMaker 2 compatible) as an Apache Flink job.",
        subcommands = {QuickstartCommand.class, RunCommand.class, OffsetsCommand.class, StatusCommand.class,
                ClusterCommand.class, SubmitCommand.class, StopCommand.class, UpgradeCommand.class})
public final class MirrorCli implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(MirrorJobMain.run(new MirrorCli(), args));
    }
}
