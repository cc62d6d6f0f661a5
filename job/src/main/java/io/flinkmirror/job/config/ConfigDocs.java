package io.flinkmirror.job.config;

import java.util.stream.Collectors;

/**
 * Renders {@link MirrorConfig#documentedKeys()} as the option table of {@code docs/configuration.md} (checked by
 * {@code ConfigTableDocTest}), so the docs cannot drift.
 */
public final class ConfigDocs {

    private ConfigDocs() {}

    /** A Markdown table: key, type, default, description. */
    public static String markdownTable() {
        return "| Key | Type | Default | Description |\n|---|---|---|---|\n"
                + MirrorConfig.documentedKeys().stream()
                .map(k -> "| `" + k.key() + "` | " + k.type().name().toLowerCase() + " | "
                        + (k.defaultValue() == null && k.defaultDoc() == null ? ""
                                : "`" + escape(k.defaultText()) + "`") + " | "
                        + escape(k.doc()).replace("<", "&lt;").replace(">", "&gt;") + " |")
                .collect(Collectors.joining("\n")) + "\n";
    }

    private static String escape(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
