package io.flinkmirror.job;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a job submitted to a Flink cluster ({@code flink run}, {@code bin/mirror submit}) keeps its checkpoints, and
 * which one it resumes from when started without a savepoint: checkpoints go to {@code <checkpoint dir>/<job name>/}
 * (the cluster's {@code execution.checkpointing.dir}, or the config's {@code flink.execution.checkpointing.dir}),
 * retained on cancellation and failure, and a start without a savepoint restores the newest completed one there.
 * Without a checkpoint directory, or with {@code --fresh}, the job starts without state: each partition then resumes
 * from what its target holds.
 */
final class RetainedCheckpoints {

    private static final Logger LOG = LoggerFactory.getLogger(RetainedCheckpoints.class);

    private RetainedCheckpoints() {}

    /**
     * The options to add to {@code jobConf} (the job's own configuration) given the environment's effective one:
     * the job's checkpoint directory, retention, and the checkpoint to restore if none was asked for.
     */
    static Configuration options(ReadableConfig effective, Configuration jobConf, String jobName, boolean fresh) {
        Configuration options = new Configuration();
        Optional<String> base = effective.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        if (base.isEmpty()) {
            LOG.info("No checkpoint directory (execution.checkpointing.dir): checkpoints of job '{}' are not "
                    + "retained; a start without a savepoint resumes from what the targets hold", jobName);
            return options;
        }
        Path dir = new Path(base.get(), jobName.replaceAll("[^A-Za-z0-9._-]", "_"));
        options.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toString());
        if (!jobConf.contains(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION)) {
            options.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        Optional<String> asked = effective.getOptional(StateRecoveryOptions.SAVEPOINT_PATH);
        if (asked.isPresent()) {
            LOG.info("Job '{}' restores {} as asked", jobName, asked.get());
            return options;
        }
        if (fresh) {
            LOG.info("Job '{}' starts without state (--fresh): each partition resumes from what its target holds",
                    jobName);
            return options;
        }
        try {
            Optional<FileStatus> newest = newest(dir);
            if (newest.isPresent()) {
                Path chk = newest.get().getPath().getParent();
                Duration age = Duration.between(Instant.ofEpochMilli(newest.get().getModificationTime()),
                        Instant.now());
                LOG.info("Resuming job '{}' from its newest retained checkpoint {} (taken {} s ago)", jobName, chk,
                        age.toSeconds());
                options.set(StateRecoveryOptions.SAVEPOINT_PATH, chk.toString());
                // State no operator claims belongs to a removed flow: dropping it is safe (a flow without state
                // resumes from what its target holds).
                options.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
            } else {
                LOG.info("No retained checkpoint of job '{}' under {}: starting without state (each partition "
                        + "resumes from what its target holds)", jobName, dir);
            }
        } catch (IOException e) {
            LOG.warn("Cannot list the checkpoints of job '{}' under {} ({}): starting without state", jobName, dir,
                    e.toString());
        }
        return options;
    }

    /** The {@code _metadata} file of the newest completed checkpoint under {@code dir} ({@code <job id>/chk-N/}). */
    private static Optional<FileStatus> newest(Path dir) throws IOException {
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) {
            return Optional.empty();
        }
        FileStatus best = null;
        for (FileStatus job : fs.listStatus(dir)) {
            if (!job.isDir()) {
                continue;
            }
            for (FileStatus chk : fs.listStatus(job.getPath())) {
                if (!chk.isDir() || !chk.getPath().getName().startsWith("chk-")) {
                    continue;
                }
                Path metadata = new Path(chk.getPath(), "_metadata");
                if (fs.exists(metadata)) {
                    FileStatus status = fs.getFileStatus(metadata);
                    if (best == null || status.getModificationTime() > best.getModificationTime()) {
                        best = status;
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
