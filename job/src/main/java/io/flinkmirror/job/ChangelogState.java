package io.flinkmirror.job;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateChangelogOptions;

/**
 * Flink's changelog state backend, on by default wherever the job keeps durable checkpoints: a checkpoint then writes
 * the keyed state changed since the one before instead of all of it. For the offset mapping that is the last chunk of
 * runs of each partition that received data, a few hundred bytes, where the whole mapping of a partition with a group
 * a day behind is megabytes (see {@code OffsetRunsStore}). The heap stays the working state; the changes go to files
 * next to the checkpoints, and Flink writes a full copy in the background every {@link #MATERIALIZE_INTERVAL}
 * ({@code state.changelog.periodic-materialize.interval}; Flink's default, 10 minutes, lets a checkpoint every 200 ms
 * carry the handles of 3,000 change files, and checkpoints took over a second before each copy in a soak). A config
 * that sets {@code flink.state.changelog.enabled} decides for itself.
 */
public final class ChangelogState {

    /** Where the changes go, as Flink's option (the filesystem storage's base path). */
    static final String BASE_PATH = "state.changelog.dstl.dfs.base-path";

    /** How often the full state is copied in the background, so that checkpoints refer to few change files. */
    static final Duration MATERIALIZE_INTERVAL = Duration.ofMinutes(1);

    private ChangelogState() {}

    /**
     * The options that turn the changelog on with its files under {@code changelogDir} (a URI or path), unless
     * {@code conf} already decides ({@code state.changelog.enabled} set).
     */
    public static Configuration options(ReadableConfig conf, String changelogDir) {
        Configuration options = new Configuration();
        if (conf.getOptional(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG).isPresent()) {
            return options;
        }
        options.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
        options.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
        options.setString(BASE_PATH, changelogDir);
        if (conf.getOptional(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL).isEmpty()) {
            options.set(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL, MATERIALIZE_INTERVAL);
        }
        return options;
    }
}
