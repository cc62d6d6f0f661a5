package io.flinkmirror.cli;

import io.flinkmirror.job.config.ConfigException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** Options shared by {@code submit}, {@code stop} and {@code upgrade}: where the cluster is. */
final class DeployOptions {

    /** A savepoint location with a scheme ({@code s3://}, {@code hdfs://}, {@code file:/...}) is passed on as is. */
    private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:/.*");

    @Option(names = "--flink-rest", paramLabel = "URL", defaultValue = "http://localhost:8081",
            description = "Flink REST API (JobManager web UI) address. Default: ${DEFAULT-VALUE}.")
    String flinkRest;


    /** Which running job {@code stop} and {@code upgrade} act on. */
    static final class JobOption {
        @Option(names = "--job", paramLabel = "ID",
                description = "The Flink Mirror job to act on when several run (default: the only one running).")
        String jobId;
    }

    /** Options of the commands that submit the job jar ({@code submit}, {@code upgrade}). */
    static final class JarOptions {
        @Option(names = "--parallelism", paramLabel = "N",
                description = "Job parallelism; overrides flink.parallelism.default of the config file (upgrade: "
                        + "default the running job's).")
        Integer parallelism;

        @Option(names = "--jar", paramLabel = "JAR",
                description = "Job jar to submit (default: the one bin/mirror runs).")
        Path jar;

        @Option(names = "--allow-non-restored-state",
                description = "Start even if the savepoint holds state of operators the job no longer has (a "
                        + "removed flow).")
        boolean allowNonRestoredState;
    }

    /** Default savepoint directory: {@code savepoints/} of the Flink Mirror directory. */
    static Path defaultSavepointDir() {
        return MirrorHome.path().resolve("savepoints");
    }

    /**
     * A savepoint directory or path for the JobManager: URIs as given, local paths made absolute (relative to the
     * working directory) as {@code file:} URIs.
     */
    static String savepointLocation(String location) {
        if (URI_SCHEME.matcher(location).matches()) {
            return location;
        }
        return Path.of(location).toAbsolutePath().normalize().toUri().toString();
    }

    /** The shaded job jar on this command's classpath (bin/mirror's classpath holds it). */
    static Path runningJar() {
        try {
            Path location = Path.of(io.flinkmirror.job.MirrorJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(location) && location.toString().endsWith(".jar")) {
                return location;
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall through
        }
        throw new ConfigException("Cannot tell which job jar to submit (not running from a jar): give it with --jar");
    }
}
