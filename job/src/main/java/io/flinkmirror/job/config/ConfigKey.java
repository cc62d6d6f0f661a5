package io.flinkmirror.job.config;

import java.util.Objects;

/**
 * One configuration key Flink Mirror gives a meaning to, with its type, default and doc, as listed by
 * {@link MirrorConfig#documentedKeys()} (the README's option table is checked against these).
 *
 * <p>{@code key} may contain placeholders: {@code <alias>} for a cluster alias, {@code <source>-><target>} for a flow,
 * {@code <key>} for a Kafka client property.
 */
public record ConfigKey(String key, Type type, String defaultValue, String doc) {

    /** The value syntax of a key. */
    public enum Type {
        /** Free text. */
        STRING,
        /** Comma-separated list. */
        LIST,
        /** {@code true} or {@code false}, case-insensitive. */
        BOOLEAN,
        /** A 32-bit integer. */
        INT,
        /** A 64-bit integer. */
        LONG,
        /** A fully qualified class name. */
        CLASS,
        /** One of a fixed set of words. */
        ENUM
    }

    /** A documented key; {@code defaultValue} is null for keys without a default. */
    public ConfigKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(doc, "doc");
    }

    /** The default rendered for documentation: the value, or {@code (none)}. */
    public String defaultText() {
        return defaultValue == null ? "(none)" : defaultValue;
    }
}
