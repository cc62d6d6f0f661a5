package io.flinkmirror.job;

import io.flinkmirror.job.config.ConfigException;
import io.flinkmirror.job.config.MirrorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of the job jar: {@code flink run flink-mirror-job.jar --config mirror.properties}. Runs on whatever
 * execution environment Flink provides (a cluster under {@code flink run} or the REST API, a local one otherwise).
 */
@Command(name = "flink-mirror-job", mixinStandardHelpOptions = true,
        description = "Runs Flink Mirror on the current Flink execution environment.")
public final class MirrorJobMain implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "MirrorMaker 2 style properties file (clusters, A->B.enabled, A->B.topics, ...).")
    Path config;

    @Option(names = "--skip-preflight",
            description = "Do not check that every cluster answers before submitting the job.")
    boolean skipPreflight;

    @Override
    public Integer call() throws Exception {
        MirrorJob job = prepare(config, skipPreflight);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(job.flinkConfiguration());
        job.build(env);
        env.execute(job.jobName());
        return 0;
    }

    /** Loads and checks the config; errors a user can fix become one-line messages (see {@link #run}). */
    public static MirrorJob prepare(Path file, boolean skipPreflight) {
        MirrorConfig config = MirrorConfig.load(file);
        if (!skipPreflight) {
            Preflight.check(config, Duration.ofSeconds(15));
        }
        return new MirrorJob(config);
    }

    /** Runs a picocli command, printing expected errors as one line on stderr, and returns its exit code. */
    public static int run(Object command, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof Preflight.PreflightException) {
                commandLine.getErr().println("flink-mirror: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    public static void main(String[] args) {
        int code = run(new MirrorJobMain(), args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
