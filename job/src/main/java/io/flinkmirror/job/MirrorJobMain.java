package io.flinkmirror.job;

import io.flinkmirror.job.config.ConfigException;
import io.flinkmirror.job.config.MirrorConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
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

    @Option(names = "--parallelism", paramLabel = "N",
            description = "Job parallelism; overrides flink.parallelism.default of the config file.")
    Integer parallelism;

    @Option(names = "--fresh", description = "Start without state even if a retained checkpoint of this job exists: "
            + "each partition resumes from what its target holds.")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        MirrorJob job = prepare(config, skipPreflight);
        Configuration conf = job.flinkConfiguration();
        if (parallelism != null) {
            conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Configuration resume = RetainedCheckpoints.options(env.getConfiguration(), conf, job.jobName(), fresh);
        if (!resume.keySet().isEmpty()) {
            conf.addAll(resume);
            env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        }
        job.build(env);
        env.execute(job.jobName());
        return 0;
    }

    /** Loads and checks the config; errors a user can fix become one-line messages (see {@link #main}). */
    public static MirrorJob prepare(Path file, boolean skipPreflight) {
        MirrorConfig config = MirrorConfig.load(file);
        MirrorJob job = new MirrorJob(config);
        if (!skipPreflight) {
            job.withoutTopicAclSync(Preflight.run(config, Duration.ofSeconds(15)).topicAclSyncOff());
        }
        return job;
    }

    /** Runs the job's command line in this JVM (errors a user can fix: one line on stderr, code 2). */
    public static int run(String... args) {
        return commandLine(new MirrorJobMain()).execute(args);
    }

    private static CommandLine commandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof Preflight.PreflightException) {
                commandLine.getErr().println("flink-mirror: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }

    /**
     * Runs the job. A failure ends the JVM with the exit code, unless main runs inside a Flink client or JobManager
     * ({@code flink run}, REST {@code /jars/:id/run}): there it throws, so the submitter gets the message and the
     * JobManager keeps running.
     */
    public static void main(String[] args) {
        StringWriter errors = new StringWriter();
        int code;
        try (PrintWriter err = new PrintWriter(errors)) {
            CommandLine cli = commandLine(new MirrorJobMain());
            cli.setErr(err);
            code = cli.execute(args);
        }
        System.err.print(errors);
        if (code == 0) {
            return;
        }
        if (StreamExecutionEnvironment.getExecutionEnvironment() instanceof StreamContextEnvironment) {
            String message = errors.toString().trim();
            throw new IllegalArgumentException(message.startsWith("flink-mirror: ") ? message
                    : "flink-mirror: exited with code " + code + (message.isEmpty() ? "" : ": " + message));
        }
        System.exit(code);
    }
}
