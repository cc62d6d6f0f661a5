package io.flinkmirror.cli.local;

import io.flinkmirror.job.ChangelogState;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable state of a job run by {@code bin/mirror run}: its checkpoints and savepoints in a directory, and what
 * the next start resumes from.
 *
 * <p>Layout of the state directory: {@code checkpoints/<job id>/chk-<n>/} (Flink's checkpoints, retained on
 * cancellation and failure), {@code savepoints/savepoint-*} (the final savepoint of a Ctrl-C), and
 * {@code mirror-state.properties}: the flows and the Kafka cluster ids the state was taken against. A snapshot is
 * restored only when every cluster of the flows it holds still has the same cluster id; a flow that is no longer
 * configured is dropped with a WARN; a new flow starts without state (from what its target holds).
 */
public final class LocalState {

    private static final Logger LOG = LoggerFactory.getLogger(LocalState.class);
    private static final String METADATA = "_metadata";
    private static final String STATE_FILE = "mirror-state.properties";
    /** Completed snapshots kept besides the one restored (in case the newest cannot be read). */
    private static final int KEEP = 2;

    /** A completed checkpoint or savepoint: its directory, id and when it was written. */
    public record Snapshot(Path dir, long checkpointId, Instant written, boolean savepoint) {
        public String describe() {
            Duration age = Duration.between(written, Instant.now());
            return (savepoint ? "savepoint " : "checkpoint ") + checkpointId + " at " + dir + " (taken "
                    + (age.toSeconds() < 120 ? age.toSeconds() + " s" : age.toMinutes() + " min") + " ago)";
        }
    }

    private final Path dir;
    private final Path checkpoints;
    private final Path savepoints;

    /**
     * State kept in {@code dir}; {@code checkpointsDir} / {@code savepointsDir} (from the config's
     * {@code flink.execution.checkpointing.dir} / {@code .savepoint-dir}, may be null) win over the defaults in it.
     */
    public LocalState(Path dir, String checkpointsDir, String savepointsDir) {
        this.dir = dir.toAbsolutePath().normalize();
        this.checkpoints = checkpointsDir == null ? this.dir.resolve("checkpoints") : localPath(checkpointsDir);
        this.savepoints = savepointsDir == null ? this.dir.resolve("savepoints") : localPath(savepointsDir);
    }

    public Path dir() {
        return dir;
    }

    public Path savepoints() {
        return savepoints;
    }

    private static Path localPath(String uriOrPath) {
        if (uriOrPath.startsWith("file:")) {
            return Path.of(URI.create(uriOrPath)).toAbsolutePath().normalize();
        }
        if (uriOrPath.contains("://")) {
            throw new IllegalArgumentException("bin/mirror run keeps its state on a local disk: "
                    + uriOrPath + " is not a local path (use a cluster deployment for remote state)");
        }
        return Path.of(uriOrPath).toAbsolutePath().normalize();
    }

    /**
     * Prepares {@code conf} for a run with {@code flows} against clusters with ids {@code clusterIds} (alias ->
     * id): durable checkpoints in the state directory, and, if a snapshot there may be restored, its path. Writes
     * the state file for the next start. Returns the snapshot restored, if any.
     */
    public Optional<Snapshot> prepare(Configuration conf, List<String> flows, Map<String, String> clusterIds) {
        return prepare(conf, flows, clusterIds, null);
    }

    /**
     * As {@link #prepare(Configuration, List, Map)}; with {@code discardReason} set, every snapshot is deleted first
     * (the run starts without state) and the reason logged.
     */
    public Optional<Snapshot> prepare(Configuration conf, List<String> flows, Map<String, String> clusterIds,
                                      String discardReason) {
        try {
            Files.createDirectories(checkpoints);
            Files.createDirectories(savepoints);
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
            conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, savepoints.toUri().toString());
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
            if (!conf.contains(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS)) {
                conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 2);
            }
            conf.addAll(ChangelogState.options(conf, dir.resolve("changelog").toUri().toString()));

            Properties previous = readStateFile();
            List<Snapshot> snapshots = snapshots();
            if (discardReason != null && !snapshots.isEmpty()) {
                LOG.warn("Discarding the state in {} ({}): starting without state (each partition resumes from what"
                        + " its target holds)", dir, discardReason);
                for (Snapshot s : snapshots) {
                    deleteRecursively(s.dir());
                }
                if (Files.exists(dir.resolve("changelog"))) {
                    deleteRecursively(dir.resolve("changelog")); // the state changes those snapshots referred to
                }
                snapshots = List.of();
            }
            Optional<Snapshot> restore = Optional.empty();
            if (!snapshots.isEmpty()) {
                String mismatch = clusterMismatch(previous, flows, clusterIds);
                if (mismatch != null) {
                    LOG.warn("Not restoring {}: {}; starting without state (each partition resumes from what "
                            + "its target holds)", snapshots.get(0).describe(), mismatch);
                    for (Snapshot s : snapshots) {
                        deleteRecursively(s.dir());
                    }
                } else {
                    restore = Optional.of(snapshots.get(0));
                    Set<String> removed = new LinkedHashSet<>(list(previous.getProperty("flows", "")));
                    removed.removeAll(flows);
                    if (!removed.isEmpty()) {
                        LOG.warn("Dropping the state of flows no longer configured: {}", removed);
                    }
                    // State no operator claims is a removed flow's: dropping it is safe, since a flow without
                    // state resumes from what its target holds.
                    conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
                    conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restore.get().dir().toUri().toString());
                    // The new job owns the snapshot from now on: Flink deletes it once newer ones replace it.
                    conf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
                    LOG.info("Resuming from {}", restore.get().describe());
                    for (Snapshot s : snapshots.subList(Math.min(KEEP, snapshots.size()), snapshots.size())) {
                        deleteRecursively(s.dir());
                    }
                }
            } else {
                LOG.info("No state in {}: starting without state (each partition resumes from what its target "
                        + "holds)", dir);
            }
            deleteEmptyJobDirs();
            writeStateFile(flows, clusterIds, previous, restore.isPresent());
            return restore;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the state directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Why the saved state does not belong to the clusters configured now, or null if it does. */
    private static String clusterMismatch(Properties previous, List<String> flows, Map<String, String> clusterIds) {
        if (previous.isEmpty()) {
            return "it carries no record of the clusters it was taken against (" + STATE_FILE + " is missing)";
        }
        for (Map.Entry<String, String> e : new TreeMap<>(clusterIds).entrySet()) {
            String before = previous.getProperty("cluster." + e.getKey() + ".id");
            if (before != null && !before.equals(e.getValue())) {
                return "cluster '" + e.getKey() + "' is now Kafka cluster " + e.getValue() + ", the state was taken"
                        + " against " + before;
            }
        }
        return null;
    }

    /** Completed snapshots (checkpoints and savepoints with readable metadata), newest first. */
    public List<Snapshot> snapshots() throws IOException {
        List<Snapshot> found = new ArrayList<>();
        for (Path root : List.of(checkpoints, savepoints)) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root, 3)) {
                for (Path metadata : files.filter(p -> p.getFileName().toString().equals(METADATA)).toList()) {
                    read(metadata, root == savepoints).ifPresent(found::add);
                }
            }
        }
        found.sort(Comparator.comparing(Snapshot::written).reversed());
        return found;
    }

    private static Optional<Snapshot> read(Path metadata, boolean savepoint) {
        Path snapshot = metadata.getParent();
        try (InputStream in = Files.newInputStream(metadata)) {
            CheckpointMetadata loaded = Checkpoints.loadCheckpointMetadata(new DataInputStream(in),
                    LocalState.class.getClassLoader(), snapshot.toString());
            FileTime written = Files.getLastModifiedTime(metadata);
            return Optional.of(new Snapshot(snapshot, loaded.getCheckpointId(), written.toInstant(), savepoint));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Skipping {}: its metadata cannot be read ({})", snapshot, e.toString());
            return Optional.empty();
        }
    }

    /** Job directories of earlier runs with no completed checkpoint left (Flink removes subsumed ones). */
    private void deleteEmptyJobDirs() throws IOException {
        try (Stream<Path> jobs = Files.list(checkpoints)) {
            for (Path job : jobs.filter(Files::isDirectory).toList()) {
                boolean completed;
                try (Stream<Path> files = Files.walk(job, 2)) {
                    completed = files.anyMatch(p -> p.getFileName().toString().equals(METADATA));
                }
                if (!completed) {
                    deleteRecursively(job);
                }
            }
        }
    }

    private Properties readStateFile() throws IOException {
        Properties props = new Properties();
        Path file = dir.resolve(STATE_FILE);
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                props.load(in);
            }
        }
        return props;
    }

    /**
     * Records the flows and cluster ids of this run. Flows of the restored snapshot that are not configured now stay
     * listed only until the next start (their state is dropped by this run's first checkpoint).
     */
    private void writeStateFile(List<String> flows, Map<String, String> clusterIds, Properties previous,
                                boolean restored) throws IOException {
        Properties props = new Properties();
        props.setProperty("flows", String.join(", ", flows));
        if (restored) {
            previous.stringPropertyNames().stream().filter(k -> k.startsWith("cluster."))
                    .forEach(k -> props.setProperty(k, previous.getProperty(k)));
        }
        clusterIds.forEach((alias, id) -> props.setProperty("cluster." + alias + ".id", id));
        Path tmp = dir.resolve(STATE_FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            props.store(out, "Flink Mirror: what the state in this directory was taken against");
        }
        Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<String> list(String value) {
        return Stream.of(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
