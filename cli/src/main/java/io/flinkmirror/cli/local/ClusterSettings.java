package io.flinkmirror.cli.local;

import java.util.Map;
import org.apache.flink.configuration.MemorySize;

/**
 * How to start the cluster. Defaults fit a 2-core, 24 GiB machine that also runs two Kafka brokers: JobManager
 * 1 GiB, TaskManager 1.5 GiB with 4 slots and little managed memory (the job keeps its state on the heap).
 */
public record ClusterSettings(int restPort, int rpcPort, int slots, MemorySize jobManagerMemory,
                       MemorySize taskManagerMemory, Map<String, String> extraConfig) {

    public static final int DEFAULT_REST_PORT = 8081;
    public static final int DEFAULT_RPC_PORT = 6123;
    public static final int DEFAULT_SLOTS = 4;
    public static final MemorySize DEFAULT_JOB_MANAGER_MEMORY = MemorySize.parse("1g");
    public static final MemorySize DEFAULT_TASK_MANAGER_MEMORY = MemorySize.parse("1536m");

    public ClusterSettings {
        extraConfig = Map.copyOf(extraConfig);
    }

    public static ClusterSettings defaults() {
        return new ClusterSettings(DEFAULT_REST_PORT, DEFAULT_RPC_PORT, DEFAULT_SLOTS, DEFAULT_JOB_MANAGER_MEMORY,
                DEFAULT_TASK_MANAGER_MEMORY, Map.of());
    }
}
