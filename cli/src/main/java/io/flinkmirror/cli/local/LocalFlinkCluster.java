package io.flinkmirror.cli.local;

import io.flinkmirror.cli.rest.FlinkRest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;

/**
 * A standalone Flink session cluster on this machine, started from the Flink jars on a classpath (no Flink
 * distribution needed): one JobManager and one TaskManager, each its own JVM, as {@code start-cluster.sh} runs them.
 *
 * <p>Everything lives under one state directory: {@code conf/} (config.yaml, log4j), {@code log/}, the pid files
 * {@code jobmanager.pid} / {@code taskmanager.pid}, checkpoints and temp files. The processes outlive the JVM that
 * started them; {@link #stop()} (from any JVM) ends them through their pid files. {@link #start} starts whichever of
 * the two is not running, so after a TaskManager died it starts a new one for the running JobManager.
 */
public final class LocalFlinkCluster {

    /** Main class of the JobManager process (standalone session mode). */
    public static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    /** Main class of the TaskManager process. */
    public static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /** Module openings Flink needs on Java 17 (flink-dist's {@code env.java.opts.all}); more are taken over. */
    private static final List<String> REQUIRED_JVM_OPENS = List.of(
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED");

    /** One process of the cluster as its pid file tells: its pid, and whether that pid is our Flink process. */
    public record ProcessState(String role, long pid, boolean alive) {
        @Override
        public String toString() {
            return role + (pid < 0 ? " not started" : alive ? " running (pid " + pid + ")" : " not running (pid "
                    + pid + " gone)");
        }
    }

    private final Path dir;
    private final ClusterFiles files;

    private LocalFlinkCluster(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        this.files = new ClusterFiles(this.dir);
    }

    /** The cluster whose state lives in {@code dir} (nothing is started or read yet). */
    public static LocalFlinkCluster at(Path dir) {
        return new LocalFlinkCluster(dir);
    }

    public Path dir() {
        return dir;
    }

    public Path confDir() {
        return files.confDir();
    }

    public Path logDir() {
        return files.logDir();
    }

    /** The cluster's configuration as written to {@code conf/config.yaml}; empty before the first start. */
    public Configuration configuration() {
        return files.read();
    }

    /**
     * The Flink jars of {@code classpath} that a cluster needs: everything except Kafka, the Kafka connector and
     * Flink Mirror itself (the job jar brings those, as it does on any Flink cluster).
     */
    public static String clusterClasspath(String classpath) {
        return Arrays.stream(classpath.split(java.io.File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .filter(entry -> {
                    String path = entry.replace('\\', '/');
                    String file = path.substring(path.lastIndexOf('/') + 1);
                    return !path.contains("/org/apache/kafka/") && !path.contains("/io/flinkmirror/")
                            && !path.contains("/info/picocli/") && !path.contains("/org/junit/")
                            && !file.startsWith("flink-connector-kafka") && !file.startsWith("flink-mirror-")
                            && !file.startsWith("kafka");
                })
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    /**
     * Starts the JobManager unless it runs, then a TaskManager unless one runs, and waits until the TaskManager's
     * slots are registered. A JobManager that already runs keeps its configuration ({@code settings} apply to the
     * processes started now).
     *
     * @param classpath Flink's jars (see {@link #clusterClasspath})
     */
    public void start(ClusterSettings settings, String classpath, Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(logDir());
        boolean jobManagerRunning = jobManager().alive();
        if (!jobManagerRunning) {
            files.write(settings);
        }
        Configuration conf = configuration();
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!jobManagerRunning) {
            Process jm = launch("jobmanager", JOB_MANAGER_MAIN, ClusterFiles.jobManagerJvmArgs(conf),
                    ClusterFiles.jobManagerDynamicArgs(conf), classpath);
            awaitRest(jm, deadline);
        }
        if (!taskManager().alive()) {
            Set<String> known = taskManagerIds();
            Process tm = launch("taskmanager", TASK_MANAGER_MAIN, ClusterFiles.taskManagerJvmArgs(conf),
                    ClusterFiles.taskManagerDynamicArgs(conf), classpath);
            awaitTaskManager(tm, known, deadline);
        }
    }

    /** Ends the TaskManager, then the JobManager (SIGTERM, then SIGKILL after {@code timeout}); removes pid files. */
    public List<ProcessState> stop(Duration timeout) throws IOException {
        List<ProcessState> stopped = new ArrayList<>();
        for (String role : List.of("taskmanager", "jobmanager")) {
            ProcessState state = state(role);
            if (state.alive()) {
                ProcessHandle handle = ProcessHandle.of(state.pid()).orElseThrow();
                handle.destroy();
                try {
                    handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    handle.destroyForcibly();
                }
                stopped.add(state);
            }
            Files.deleteIfExists(pidFile(role));
        }
        return stopped;
    }

    /** The JobManager as its pid file tells. */
    public ProcessState jobManager() {
        return state("jobmanager");
    }

    /** The TaskManager as its pid file tells. */
    public ProcessState taskManager() {
        return state("taskmanager");
    }

    /** The REST API / web UI address of the cluster, from its config ({@code http://localhost:<rest.port>}). */
    public String restUrl() {
        return "http://localhost:" + configuration().get(RestOptions.PORT);
    }

    private Process launch(String role, String mainClass, List<String> jvmArgs, List<String> dynamicArgs,
                           String classpath) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(marker(role));
        command.addAll(jvmArgs);
        command.addAll(jvmOpens());
        command.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
        command.add("-Dlog.file=" + logDir().resolve(role + ".log"));
        command.add("-Dlog4j.configurationFile=" + confDir().resolve("log4j.properties").toUri());
        command.add("-classpath");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(confDir().toString());
        command.addAll(dynamicArgs);
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir().resolve(role + ".out").toFile()))
                .redirectErrorStream(true)
                .start();
        Files.writeString(pidFile(role), process.pid() + "\n");
        return process;
    }

    /** Flink's module openings, plus every {@code --add-opens/--add-exports} this JVM was started with. */
    private static List<String> jvmOpens() {
        Set<String> opens = new LinkedHashSet<>(REQUIRED_JVM_OPENS);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens=") || arg.startsWith("--add-exports=")) {
                opens.add(arg);
            }
        }
        return new ArrayList<>(opens);
    }

    private void awaitRest(Process jm, long deadline) throws InterruptedException {
        try (FlinkRest rest = new FlinkRest(restUrl())) {
            while (!answers(rest)) {
                failIfEnded(jm, "JobManager", deadline);
                Thread.sleep(200);
            }
        }
    }

    private static boolean answers(FlinkRest rest) {
        try {
            rest.overview();
            return true;
        } catch (FlinkRest.RestException e) {
            return false;
        }
    }

    /**
     * Waits for a TaskManager that was not registered before ({@code known}): a killed one stays listed until its
     * heartbeat times out.
     */
    private void awaitTaskManager(Process tm, Set<String> known, long deadline) throws InterruptedException {
        while (known.containsAll(taskManagerIds())) {
            failIfEnded(tm, "TaskManager", deadline);
            Thread.sleep(200);
        }
    }

    /** Ids of the TaskManagers registered at the JobManager (none if it does not answer). */
    public Set<String> taskManagerIds() {
        Set<String> ids = new LinkedHashSet<>();
        try (FlinkRest rest = new FlinkRest(restUrl())) {
            rest.taskManagers().forEach(tm -> ids.add(tm.getResourceId().getResourceIdString()));
        } catch (FlinkRest.RestException e) {
            // not up (yet): no TaskManager known
        }
        return ids;
    }

    private void failIfEnded(Process process, String role, long deadline) {
        if (!process.isAlive()) {
            throw new IllegalStateException(role + " exited with code " + process.exitValue() + "; see "
                    + logDir().resolve(role.toLowerCase() + ".log") + " and .out");
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(role + " not ready in time; see " + logDir().resolve(role.toLowerCase()
                    + ".log"));
        }
    }

    private ProcessState state(String role) {
        Path file = pidFile(role);
        if (!Files.exists(file)) {
            return new ProcessState(role, -1, false);
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return new ProcessState(role, -1, false);
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        // A reused pid is not ours: our process has the marker first on its command line (which the JDK may
        // truncate, hence first).
        boolean alive = handle.isPresent() && handle.get().isAlive() && handle.get().info().commandLine()
                .map(cmd -> cmd.contains(marker(role))).orElse(true);
        return new ProcessState(role, pid, alive);
    }

    /** A system property naming the role and the state directory, so a pid can be told to be ours. */
    private String marker(String role) {
        return "-Dflink-mirror.cluster=" + role + "@" + dir;
    }

    private Path pidFile(String role) {
        return dir.resolve(role + ".pid");
    }

}
