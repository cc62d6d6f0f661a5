package io.flinkmirror.udfs.topic;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Copies every topic config property except those matching {@code config.properties.exclude}; by default MirrorMaker
 * 2's exclusions, which are properties that belong to the target cluster's operators, not to the data.
 */
public final class DefaultConfigPropertyFilter implements ConfigPropertyFilter {

    private static final long serialVersionUID = 1L;

    /** MirrorMaker 2's default {@code config.properties.exclude}. */
    public static final List<String> DEFAULT_EXCLUDES = List.of(
            "follower\\.replication\\.throttled\\.replicas",
            "leader\\.replication\\.throttled\\.replicas",
            "message\\.timestamp\\.difference\\.max\\.ms",
            "message\\.timestamp\\.type",
            "unclean\\.leader\\.election\\.enable",
            "min\\.insync\\.replicas");

    private final Pattern exclude;

    public DefaultConfigPropertyFilter() {
        this(DEFAULT_EXCLUDES);
    }

    public DefaultConfigPropertyFilter(List<String> excludeRegexes) {
        this.exclude = excludeRegexes.isEmpty()
                ? null
                : Pattern.compile(String.join("|", excludeRegexes.stream().map(r -> "(?:" + r + ")").toList()));
    }

    @Override
    public boolean shouldReplicateConfigProperty(String name) {
        return exclude == null || !exclude.matcher(name).matches();
    }
}
