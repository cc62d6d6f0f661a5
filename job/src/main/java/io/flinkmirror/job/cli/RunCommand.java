package io.flinkmirror.job.cli;

import io.flinkmirror.job.MirrorJob;
import io.flinkmirror.job.MirrorJobMain;
import io.flinkmirror.job.local.EmbeddedFlink;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/mirror run --config FILE}: the job on an embedded Flink with the web UI. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the mirror job on an embedded Flink (web UI included) against the clusters of an "
                + "MM2-style properties file. Ctrl-C stops it.")
final class RunCommand implements Callable<Integer> {

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

    @Override
    public Integer call() throws Exception {
        MirrorJob job = MirrorJobMain.prepare(config, skipPreflight);
        EmbeddedFlink flink = EmbeddedFlink.start(job, webPort, parallelism);
        Runtime.getRuntime().addShutdownHook(new Thread(flink::close, "flink-mirror-shutdown"));
        System.out.println("Flink Mirror job " + flink.client().getJobID() + " running; web UI: "
                + flink.webUrl() + " (Ctrl-C stops it)");
        flink.awaitTermination();
        return 0;
    }
}
