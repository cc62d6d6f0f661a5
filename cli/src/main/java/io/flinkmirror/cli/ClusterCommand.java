package io.flinkmirror.cli;

import io.flinkmirror.cli.local.ClusterSettings;
import io.flinkmirror.cli.local.LocalFlinkCluster;
import io.flinkmirror.cli.rest.FlinkRest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.messages.webmonitor.JobDetails;
import org.apache.flink.runtime.rest.handler.legacy.messages.ClusterOverviewWithVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/mirror cluster start|stop|status}: a local standalone Flink session cluster (JobManager and TaskManager
 * as separate JVMs) from the Flink jars bin/mirror runs with, for submitting the job jar as to any Flink cluster.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Start, stop or show a local Flink session cluster (JobManager + TaskManager processes, web UI "
                + "on --rest-port) made from the Flink jars bin/mirror uses; no Flink distribution needed.",
        subcommands = {ClusterCommand.Start.class, ClusterCommand.Stop.class, ClusterCommand.Status.class})
final class ClusterCommand implements Runnable {

    /** Exit code: the cluster is not (fully) running. */
    static final int NOT_RUNNING = 1;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The state directory option shared by the subcommands. */
    static final class StateDir {
        @Option(names = "--dir", paramLabel = "DIR",
                description = "State directory of the cluster: config, logs, pid files, checkpoints. Default: "
                        + ".flink-cluster in the Flink Mirror directory.")
        Path dir;

        LocalFlinkCluster cluster() {
            return LocalFlinkCluster.at(dir != null ? dir : MirrorHome.path().resolve(".flink-cluster"));
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start the JobManager and a TaskManager (whichever is not running) and wait until the "
                    + "TaskManager's slots are registered.")
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StateDir state;

        @Option(names = "--rest-port", paramLabel = "PORT", defaultValue = "8081",
                description = "Port of the web UI and REST API (default: ${DEFAULT-VALUE}).")
        int restPort;

        @Option(names = "--rpc-port", paramLabel = "PORT", defaultValue = "6123",
                description = "JobManager RPC port (default: ${DEFAULT-VALUE}).")
        int rpcPort;

        @Option(names = "--slots", paramLabel = "N", defaultValue = "4",
                description = "Task slots of the TaskManager (default: ${DEFAULT-VALUE}); a job needs as many as its "
                        + "highest parallelism.")
        int slots;

        @Option(names = "--jobmanager-memory", paramLabel = "SIZE", defaultValue = "1g",
                description = "JobManager process memory (default: ${DEFAULT-VALUE}).")
        String jobManagerMemory;

        @Option(names = "--taskmanager-memory", paramLabel = "SIZE", defaultValue = "1536m",
                description = "TaskManager process memory (default: ${DEFAULT-VALUE}).")
        String taskManagerMemory;

        @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
                description = "Any other Flink option for config.yaml, e.g. -D heartbeat.timeout=20000.")
        Map<String, String> flinkOptions = new LinkedHashMap<>();

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "90",
                description = "How long to wait for the cluster to come up (default: ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            LocalFlinkCluster cluster = state.cluster();
            ClusterSettings settings = new ClusterSettings(restPort, rpcPort, slots,
                    memory("--jobmanager-memory", jobManagerMemory), memory("--taskmanager-memory", taskManagerMemory),
                    flinkOptions);
            if (cluster.jobManager().alive() && cluster.taskManager().alive()) {
                out.println("Flink cluster already running: web UI " + cluster.restUrl() + " (" + cluster.dir() + ")");
                return 0;
            }
            cluster.start(settings, LocalFlinkCluster.clusterClasspath(System.getProperty("java.class.path")),
                    Duration.ofSeconds(timeoutSeconds));
            out.println("Flink cluster running: web UI " + cluster.restUrl() + ", " + cluster.jobManager() + ", "
                    + cluster.taskManager() + "; logs in " + cluster.logDir());
            return 0;
        }

        private MemorySize memory(String option, String value) {
            try {
                return MemorySize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value '" + value + "' for " + option
                        + ": a memory size such as 1g or 1536m");
            }
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop the TaskManager and the JobManager (running jobs end with them; stop them with "
                    + "savepoints first to keep their state).")
    static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StateDir state;

        @Override
        public Integer call() throws Exception {
            LocalFlinkCluster cluster = state.cluster();
            List<LocalFlinkCluster.ProcessState> stopped = cluster.stop(Duration.ofSeconds(30));
            spec.commandLine().getOut().println(stopped.isEmpty() ? "No Flink cluster process was running ("
                    + cluster.dir() + ")" : "Stopped " + stopped);
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the cluster's processes, TaskManagers, slots and jobs.",
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:JobManager and TaskManager run and the REST API answers", "1:otherwise"})
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StateDir state;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            LocalFlinkCluster cluster = state.cluster();
            LocalFlinkCluster.ProcessState jm = cluster.jobManager();
            LocalFlinkCluster.ProcessState tm = cluster.taskManager();
            out.println(jm + ", " + tm + " (" + cluster.dir() + ")");
            if (!jm.alive()) {
                return NOT_RUNNING;
            }
            try (FlinkRest rest = new FlinkRest(cluster.restUrl())) {
                ClusterOverviewWithVersion overview = rest.overview();
                out.printf("web UI %s: Flink %s, %d TaskManager(s), %d/%d slots free, %d job(s) running%n",
                        rest.url(), overview.getVersion(), overview.getNumTaskManagersConnected(),
                        overview.getNumSlotsAvailable(), overview.getNumSlotsTotal(),
                        overview.getNumJobsRunningOrPending());
                for (JobDetails job : rest.jobsOverview()) {
                    out.printf("  job %s %s %s%n", job.getJobId(), job.getStatus(), job.getJobName());
                }
            } catch (FlinkRest.RestException e) {
                out.println("REST API not answering: " + e.getMessage());
                return NOT_RUNNING;
            }
            return tm.alive() ? 0 : NOT_RUNNING;
        }
    }
}
