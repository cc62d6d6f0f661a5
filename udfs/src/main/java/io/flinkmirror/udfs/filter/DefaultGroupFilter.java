package io.flinkmirror.udfs.filter;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Checkpoints consumer groups matching an include list and no exclude list, as MirrorMaker 2's
 * {@code DefaultGroupFilter} ({@code groups}, {@code groups.exclude}). Same matching rules as
 * {@link DefaultTopicFilter}: whole-name match, empty include list matches nothing, excludes win.
 */
public class DefaultGroupFilter implements GroupFilter {

    private static final long serialVersionUID = 1L;

    /** MM2's {@code groups} default: every group. */
    public static final List<String> GROUPS_INCLUDE_DEFAULT = List.of(".*");

    /** MM2's {@code groups.exclude} default: console consumers, Connect workers and {@code __*} groups. */
    public static final List<String> GROUPS_EXCLUDE_DEFAULT = List.of("console-consumer-.*", "connect-.*", "__.*");

    private final List<String> includeRegexes;
    private final List<String> excludeRegexes;
    private final Pattern include;
    private final Pattern exclude;

    /** A filter with MM2's default include and exclude lists. */
    public DefaultGroupFilter() {
        this(GROUPS_INCLUDE_DEFAULT, GROUPS_EXCLUDE_DEFAULT);
    }

    /** A filter for these regexes; throws {@link java.util.regex.PatternSyntaxException} for an invalid regex. */
    public DefaultGroupFilter(List<String> includeRegexes, List<String> excludeRegexes) {
        this.includeRegexes = List.copyOf(includeRegexes);
        this.excludeRegexes = List.copyOf(excludeRegexes);
        this.include = compileAlternatives(this.includeRegexes);
        this.exclude = compileAlternatives(this.excludeRegexes);
    }

    /** The include regexes ({@code groups}). */
    public List<String> includeRegexes() {
        return includeRegexes;
    }

    /** The exclude regexes ({@code groups.exclude}). */
    public List<String> excludeRegexes() {
        return excludeRegexes;
    }

    @Override
    public boolean shouldReplicateGroup(String group) {
        return fullMatch(include, group) && !fullMatch(exclude, group);
    }

    @Override
    public String toString() {
        return "DefaultGroupFilter{groups=" + includeRegexes + ", groups.exclude=" + excludeRegexes + "}";
    }

    /** The regexes joined with {@code |} as MM2 does, or null for an empty list (which matches nothing). */
    static Pattern compileAlternatives(List<String> regexes) {
        return regexes.isEmpty() ? null : Pattern.compile(String.join("|", regexes));
    }

    static boolean fullMatch(Pattern pattern, String name) {
        return pattern != null && pattern.matcher(name).matches();
    }
}
