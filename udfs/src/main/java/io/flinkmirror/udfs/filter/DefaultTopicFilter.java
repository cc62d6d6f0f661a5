package io.flinkmirror.udfs.filter;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Replicates topics matching an include list and no exclude list, as MirrorMaker 2's {@code DefaultTopicFilter}
 * ({@code topics}, {@code topics.exclude}). Each list is joined with {@code |} and must match the whole topic name;
 * an empty include list matches nothing, an empty exclude list excludes nothing. Excludes win over includes.
 */
public class DefaultTopicFilter implements TopicFilter {

    private static final long serialVersionUID = 1L;

    /** MM2's {@code topics} default: every topic. */
    public static final List<String> TOPICS_INCLUDE_DEFAULT = List.of(".*");

    /** MM2's {@code topics.exclude} default: Connect/MM2 internal topics, {@code *.replica} and {@code __*}. */
    public static final List<String> TOPICS_EXCLUDE_DEFAULT = List.of(".*[\\-\\.]internal", ".*\\.replica", "__.*");

    private final List<String> includeRegexes;
    private final List<String> excludeRegexes;
    private final Pattern include;
    private final Pattern exclude;

    /** A filter with MM2's default include and exclude lists. */
    public DefaultTopicFilter() {
        this(TOPICS_INCLUDE_DEFAULT, TOPICS_EXCLUDE_DEFAULT);
    }

    /** A filter for these regexes; throws {@link java.util.regex.PatternSyntaxException} for an invalid regex. */
    public DefaultTopicFilter(List<String> includeRegexes, List<String> excludeRegexes) {
        this.includeRegexes = List.copyOf(includeRegexes);
        this.excludeRegexes = List.copyOf(excludeRegexes);
        this.include = DefaultGroupFilter.compileAlternatives(this.includeRegexes);
        this.exclude = DefaultGroupFilter.compileAlternatives(this.excludeRegexes);
    }

    /** The include regexes ({@code topics}). */
    public List<String> includeRegexes() {
        return includeRegexes;
    }

    /** The exclude regexes ({@code topics.exclude}). */
    public List<String> excludeRegexes() {
        return excludeRegexes;
    }

    @Override
    public boolean shouldReplicateTopic(String topic) {
        return DefaultGroupFilter.fullMatch(include, topic) && !DefaultGroupFilter.fullMatch(exclude, topic);
    }

    @Override
    public String toString() {
        return "DefaultTopicFilter{topics=" + includeRegexes + ", topics.exclude=" + excludeRegexes + "}";
    }
}
