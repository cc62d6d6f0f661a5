package io.flinkmirror.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.testutils.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code bin/mirror run} restores from its state directory: the newest completed snapshot, never one taken
 * against other Kafka clusters, and nothing once told to discard. Snapshots are copies of a real savepoint's metadata
 * (the 0.1.0 fixture).
 */
class LocalStateTest {

    private static final Path FIXTURE = Path.of("..", "savepoints", "fixtures", "0.1.0", "savepoint", "_metadata");
    private static final List<String> FLOWS = List.of("A->B");
    private static final Map<String, String> IDS = Map.of("A", "id-a", "B", "id-b");

    @TempDir
    Path dir;

    /** A completed snapshot at {@code relative} (e.g. {@code checkpoints/<job>/chk-7}) written at {@code second}. */
    private Path snapshot(String relative, long second) throws Exception {
        Path snapshot = dir.resolve(relative);
        Files.createDirectories(snapshot);
        Path metadata = snapshot.resolve("_metadata");
        Files.copy(FIXTURE, metadata);
        Files.setLastModifiedTime(metadata, FileTime.from(Instant.ofEpochSecond(1_800_000_000L + second)));
        return snapshot;
    }

    private Optional<LocalState.Snapshot> start(Configuration conf, List<String> flows, Map<String, String> ids) {
        return new LocalState(dir, null, null).prepare(conf, flows, ids);
    }

    @Test
    void shouldStartWithoutStateAndKeepCheckpointsDurably() {
        Configuration conf = new Configuration();

        assertThat(start(conf, FLOWS, IDS)).isEmpty();
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo(dir.resolve("checkpoints").toUri().toString());
        assertThat(conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(conf.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();
        assertThat(dir.resolve("mirror-state.properties")).content().contains("flows=A->B", "cluster.A.id=id-a");
        // Checkpoints carry what changed: the changelog state backend, its files next to the checkpoints.
        assertThat(conf.get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)).isTrue();
        assertThat(conf.get(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE)).isEqualTo("filesystem");
        assertThat(conf.toMap()).containsEntry("state.changelog.dstl.dfs.base-path",
                dir.resolve("changelog").toUri().toString());
        assertThat(conf.get(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void shouldLeaveTheChangelogToAConfigThatSetsIt() {
        Configuration conf = new Configuration();
        conf.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, false);

        start(conf, FLOWS, IDS);

        assertThat(conf.get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)).isFalse();
        assertThat(conf.toMap()).doesNotContainKey("state.changelog.dstl.dfs.base-path");
    }

    @Test
    void shouldResumeFromTheNewestCompletedSnapshotAndDropOldOnes() throws Exception {
        start(new Configuration(), FLOWS, IDS);
        Path oldest = snapshot("checkpoints/job1/chk-3", 1);
        Path older = snapshot("checkpoints/job1/chk-4", 2);
        Path savepoint = snapshot("savepoints/savepoint-1", 3);
        Path newest = snapshot("checkpoints/job2/chk-9", 4);
        Files.createDirectories(dir.resolve("checkpoints/job2/chk-10")); // not completed: no _metadata
        Files.createDirectories(dir.resolve("checkpoints/job0/shared")); // an earlier job's leftovers

        Configuration conf = new Configuration();
        Optional<LocalState.Snapshot> restored;
        try (LogCapture log = LogCapture.start(Level.INFO)) {
            restored = start(conf, FLOWS, IDS);
            assertThat(log.linesContaining("Resuming from checkpoint")).singleElement().asString()
                    .contains(newest.toString(), "ago");
        }

        assertThat(restored).map(LocalState.Snapshot::dir).contains(newest);
        assertThat(conf.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo(newest.toUri().toString());
        assertThat(savepoint).exists();
        assertThat(older).doesNotExist();
        assertThat(oldest).doesNotExist();
        assertThat(dir.resolve("checkpoints/job0")).doesNotExist();
    }

    @Test
    void shouldNeverRestoreStateTakenAgainstAnotherKafkaCluster() throws Exception {
        start(new Configuration(), FLOWS, IDS);
        Path taken = snapshot("checkpoints/job1/chk-3", 1);

        Configuration conf = new Configuration();
        try (LogCapture log = LogCapture.start(Level.INFO)) {
            assertThat(start(conf, FLOWS, Map.of("A", "id-a", "B", "re-created"))).isEmpty();
            assertThat(log.linesContaining("Not restoring")).singleElement().asString()
                    .contains("cluster 'B' is now Kafka cluster re-created", "id-b");
        }
        assertThat(conf.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();
        assertThat(taken).doesNotExist();
        assertThat(dir.resolve("mirror-state.properties")).content().contains("cluster.B.id=re-created");
    }

    @Test
    void shouldDropTheStateOfRemovedFlowsWithOneWarning() throws Exception {
        start(new Configuration(), List.of("A->B", "A->C"), IDS);
        Path taken = snapshot("checkpoints/job1/chk-3", 1);

        Configuration conf = new Configuration();
        try (LogCapture log = LogCapture.start(Level.INFO)) {
            assertThat(start(conf, FLOWS, IDS)).map(LocalState.Snapshot::dir).contains(taken);
            assertThat(log.linesContaining("no longer configured")).singleElement().asString().contains("A->C");
        }
        assertThat(conf.get(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE)).isTrue();
    }

    @Test
    void shouldDiscardEverySnapshotWhenToldTo() throws Exception {
        start(new Configuration(), FLOWS, IDS);
        Path taken = snapshot("checkpoints/job1/chk-3", 1);
        Path changes = Files.createDirectories(dir.resolve("changelog/job1/dstl")).resolve("c1");
        Files.writeString(changes, "changes");
        Configuration conf = new Configuration();

        assertThat(new LocalState(dir, null, null).prepare(conf, FLOWS, IDS, "--fresh")).isEmpty();
        assertThat(conf.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();
        assertThat(taken).doesNotExist();
        assertThat(changes).as("the state changes the discarded snapshots referred to").doesNotExist();
    }
}
