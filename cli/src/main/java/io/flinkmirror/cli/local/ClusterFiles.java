package io.flinkmirror.cli.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ClusterOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * The files of a {@link LocalFlinkCluster} under its directory ({@code conf/config.yaml}, {@code conf/log4j.properties},
 * {@code log/}) and the JVM and dynamic arguments of its processes, derived from that configuration as Flink's own
 * start scripts derive them.
 */
final class ClusterFiles {

    private final Path dir;

    ClusterFiles(Path dir) {
        this.dir = dir;
    }

    Path confDir() {
        return dir.resolve("conf");
    }

    Path logDir() {
        return dir.resolve("log");
    }

    /** The configuration {@link #write} wrote, read back; empty before the first start. */
    Configuration read() {
        Path file = confDir().resolve("config.yaml");
        Configuration conf = new Configuration();
        if (!Files.exists(file)) {
            return conf;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int colon = line.indexOf(": ");
                if (!line.startsWith("#") && colon > 0) {
                    conf.setString(line.substring(0, colon).trim(), unquote(line.substring(colon + 2).trim()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        return conf;
    }

    /** Writes {@code conf/config.yaml} (flat Flink keys) and the processes' log4j configuration. */
    void write(ClusterSettings settings) throws IOException {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put(JobManagerOptions.ADDRESS.key(), "localhost");
        conf.put(JobManagerOptions.BIND_HOST.key(), "localhost");
        conf.put(JobManagerOptions.PORT.key(), String.valueOf(settings.rpcPort()));
        conf.put(RestOptions.ADDRESS.key(), "localhost");
        conf.put(RestOptions.BIND_ADDRESS.key(), "localhost");
        conf.put(RestOptions.PORT.key(), String.valueOf(settings.restPort()));
        conf.put(TaskManagerOptions.HOST.key(), "localhost");
        conf.put(TaskManagerOptions.BIND_HOST.key(), "localhost");
        conf.put(TaskManagerOptions.NUM_TASK_SLOTS.key(), String.valueOf(settings.slots()));
        conf.put(JobManagerOptions.TOTAL_PROCESS_MEMORY.key(), settings.jobManagerMemory().toString());
        conf.put(TaskManagerOptions.TOTAL_PROCESS_MEMORY.key(), settings.taskManagerMemory().toString());
        // The job keeps its state on the heap (hashmap state backend): managed memory would sit unused.
        conf.put(TaskManagerOptions.MANAGED_MEMORY_FRACTION.key(), "0.05");
        conf.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), dir.resolve("checkpoints").toUri().toString());
        conf.put(CoreOptions.TMP_DIRS.key(), dir.resolve("tmp").toString());
        conf.put(WebOptions.UPLOAD_DIR.key(), dir.resolve("uploads").toString());
        conf.put(ClusterOptions.PROCESS_WORKING_DIR_BASE.key(), dir.resolve("work").toString());
        // A job's main() that calls System.exit must not end the JobManager it runs in (REST submissions).
        conf.put(ClusterOptions.INTERCEPT_USER_SYSTEM_EXIT.key(), ClusterOptions.UserSystemExitMode.THROW.name());
        // A TaskManager that dies is noticed within 15 s (Flink's default: 50 s), so the job is running and
        // checkpointing again on a replacement within about a minute.
        conf.put("heartbeat.interval", "3000");
        conf.put("heartbeat.timeout", "15000");
        conf.putAll(settings.extraConfig());
        Files.createDirectories(confDir());
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("uploads"));
        StringBuilder yaml = new StringBuilder("# Written by bin/mirror cluster start; flat Flink keys.\n");
        conf.forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
        Files.writeString(confDir().resolve("config.yaml"), yaml);
        Files.writeString(confDir().resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = MainAppender",
                "appender.main.name = MainAppender",
                "appender.main.type = File",
                "appender.main.append = true",
                "appender.main.fileName = ${sys:log.file}",
                "appender.main.layout.type = PatternLayout",
                "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                "# Flink 2.2's sink committers register their pendingCommittables gauge again at every checkpoint",
                "# (a WARN 'Name collision' per committer and checkpoint).",
                "logger.metricgroup.name = org.apache.flink.metrics.MetricGroup",
                "logger.metricgroup.level = ERROR",
                "# The changelog state backend warns 'state is not in tracking' each time it releases state changes",
                "# the JobManager already owns (after their checkpoint completed).",
                "logger.changelogregistry.name = org.apache.flink.changelog.fs.TaskChangelogRegistryImpl",
                "logger.changelogregistry.level = ERROR",
                ""));
    }

    static List<String> jobManagerJvmArgs(Configuration conf) {
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(conf);
        return split(JobManagerProcessUtils.generateJvmParametersStr(spec, conf));
    }

    static List<String> jobManagerDynamicArgs(Configuration conf) {
        return split(JobManagerProcessUtils.generateDynamicConfigsStr(
                JobManagerProcessUtils.processSpecFromConfig(conf)));
    }

    static List<String> taskManagerJvmArgs(Configuration conf) {
        return split(ProcessMemoryUtils.generateJvmParametersStr(TaskExecutorProcessUtils.processSpecFromConfig(conf)));
    }

    static List<String> taskManagerDynamicArgs(Configuration conf) {
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        return split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec));
    }

    private static List<String> split(String args) {
        return Arrays.stream(args.trim().split("\\s+")).filter(s -> !s.isEmpty()).collect(Collectors.toList());
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return value;
    }
}
