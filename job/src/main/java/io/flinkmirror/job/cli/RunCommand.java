package io.flinkmirror.job.cli;

import io.flinkmirror.job.MirrorJob;
import io.flinkmirror.job.MirrorJobMain;
import io.flinkmirror.job.local.EmbeddedFlink;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/mirror run --config FILE}: the job on an embedded Flink with the web UI. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the mirror job on an embedded Flink (web UI included) against the clusters of an "
                + "MM2-style properties file. Ctrl-C stops it.")
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

    @Override
    public Integer call() throws Exception {
        long jvmUpMs = ManagementFactory.getRuntimeMXBean().getUptime();
        long start = System.nanoTime();
        MirrorJob job = MirrorJobMain.prepare(config, skipPreflight);
        long prepared = System.nanoTime();
        EmbeddedFlink flink = EmbeddedFlink.start(job, webPort, parallelism);
        long submitted = System.nanoTime();
        LOG.info("Job {} submitted {} ms after the JVM started: JVM and command line {} ms, config and preflight {} ms,"
                + " embedded Flink and job graph {} ms", flink.client().getJobID(),
                jvmUpMs + (submitted - start) / 1_000_000, jvmUpMs, (prepared - start) / 1_000_000,
                (submitted - prepared) / 1_000_000);
        Runtime.getRuntime().addShutdownHook(new Thread(flink::close, "flink-mirror-shutdown"));
        System.out.println("Flink Mirror job " + flink.client().getJobID() + " running; web UI: "
                + flink.webUrl() + " (Ctrl-C stops it)");
        flink.awaitTermination();
        return 0;
    }
}
