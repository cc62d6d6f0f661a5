package io.flinkmirror.job.config;

import java.util.List;

/**
 * A key of an MM2 properties file split into its scope and its name: {@code A->B.topics} is the flow A->B's
 * {@code topics}, {@code A.security.protocol} is cluster A's {@code security.protocol}, {@code flink.x} is a Flink
 * option, anything else is top level.
 *
 * @param raw the key as written
 * @param scope where it applies
 * @param alias the cluster alias for {@link Scope#ALIAS}, else null
 * @param source the flow's source alias for {@link Scope#FLOW}, else null
 * @param target the flow's target alias for {@link Scope#FLOW}, else null
 * @param name the key without its alias or flow prefix
 */
record ScopedKey(String raw, Scope scope, String alias, String source, String target, String name) {

    /** Where a key applies. */
    enum Scope {
        /** Every flow / every cluster. */
        TOP,
        /** A Flink option or one of our {@code flink.*} keys. */
        FLINK,
        /** One cluster: {@code <alias>.<name>}. */
        ALIAS,
        /** One flow: {@code <source>-><target>.<name>}. */
        FLOW
    }

    static final String FLOW_ARROW = "->";
    static final String FLINK_PREFIX = "flink.";

    /** The prefix that was stripped from {@link #raw} to get {@link #name}. */
    String prefix() {
        return raw.substring(0, raw.length() - name.length());
    }

    /** The flow name {@code source->target}, for {@link Scope#FLOW}. */
    String flow() {
        return source + FLOW_ARROW + target;
    }

    /** Splits {@code raw}; aliases with dots are matched whole, longest first. */
    static ScopedKey parse(String raw, List<String> clusters) {
        int arrow = raw.indexOf(FLOW_ARROW);
        if (arrow >= 0) {
            String source = raw.substring(0, arrow);
            String rest = raw.substring(arrow + FLOW_ARROW.length());
            String target = longestAliasPrefix(rest, clusters);
            if (target == null) {
                int dot = rest.indexOf('.');
                target = dot < 0 ? rest : rest.substring(0, dot);
            }
            String name = rest.length() > target.length() ? rest.substring(target.length() + 1) : "";
            return new ScopedKey(raw, Scope.FLOW, null, source, target, name);
        }
        if (raw.startsWith(FLINK_PREFIX)) {
            return new ScopedKey(raw, Scope.FLINK, null, null, null, raw);
        }
        String alias = longestAliasPrefix(raw, clusters);
        if (alias != null) {
            String name = raw.substring(alias.length() + 1);
            // A top-level key that happens to start with an alias (say alias "ssl") stays top level.
            if (KnownKeys.isKnown(name) || !KnownKeys.isKnown(raw)) {
                return new ScopedKey(raw, Scope.ALIAS, alias, null, null, name);
            }
        }
        return new ScopedKey(raw, Scope.TOP, null, null, null, raw);
    }

    private static String longestAliasPrefix(String key, List<String> clusters) {
        String best = null;
        for (String alias : clusters) {
            if (key.startsWith(alias + ".") && (best == null || alias.length() > best.length())) {
                best = alias;
            }
        }
        return best;
    }
}
