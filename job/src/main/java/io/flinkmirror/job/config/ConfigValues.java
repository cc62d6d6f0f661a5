package io.flinkmirror.job.config;

import static io.flinkmirror.job.config.ConfigException.invalidValue;

import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses configuration values with MirrorMaker 2's syntax (Kafka's ConfigDef) and fails with one-line messages that
 * name the key, the value and what is allowed.
 */
final class ConfigValues {

    private static final Pattern LIST_SEPARATOR = Pattern.compile("\\s*,\\s*");
    private static final Pattern HOST_PORT = Pattern.compile(".+:[0-9]+");

    private ConfigValues() {
    }

    /** A comma-separated list as Kafka's ConfigDef reads it: trimmed, split on commas, blank means empty. */
    static List<String> list(String value) {
        String trimmed = value.trim();
        return trimmed.isEmpty() ? List.of() : Arrays.asList(LIST_SEPARATOR.split(trimmed, -1));
    }

    /** {@code true} or {@code false}, case-insensitive, surrounding spaces ignored (as ConfigDef). */
    static boolean bool(String key, String value) {
        String trimmed = value.trim();
        if (trimmed.equalsIgnoreCase("true")) {
            return true;
        }
        if (trimmed.equalsIgnoreCase("false")) {
            return false;
        }
        throw invalidValue(key, value, "expected true or false");
    }

    /** A non-negative number of seconds. */
    static Duration seconds(String key, String value) {
        return Duration.ofSeconds(nonNegativeLong(key, value, "expected a non-negative integer (seconds)"));
    }

    /** A positive number of milliseconds. */
    static Duration positiveMillis(String key, String value) {
        long millis = nonNegativeLong(key, value, "expected a positive integer (milliseconds)");
        if (millis == 0) {
            throw invalidValue(key, value, "expected a positive integer (milliseconds)");
        }
        return Duration.ofMillis(millis);
    }

    /** A non-negative 64-bit integer. */
    static long nonNegativeLong(String key, String value, String expected) {
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed < 0) {
                throw invalidValue(key, value, expected);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalidValue(key, value, expected);
        }
    }

    /** A replication factor: -1 (keep the source topic's) or a positive integer. */
    static int replicationFactor(String key, String value) {
        String expected = "expected -1 (keep the source topic's replication factor) or a positive integer";
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed == 0 || parsed < -1) {
                throw invalidValue(key, value, expected);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalidValue(key, value, expected);
        }
    }

    /** One of {@code allowed}, compared case-sensitively unless {@code ignoreCase}; returns the canonical word. */
    static String oneOf(String key, String value, boolean ignoreCase, String... allowed) {
        String trimmed = value.trim();
        for (String word : allowed) {
            if (ignoreCase ? word.equalsIgnoreCase(trimmed) : word.equals(trimmed)) {
                return word;
            }
        }
        throw invalidValue(key, value, "expected one of " + String.join(", ", allowed));
    }

    /** A list of regexes, each of which must compile, and which must also compile once joined with {@code |}. */
    static List<String> regexList(String key, String value) {
        List<String> regexes = list(value);
        for (String regex : regexes) {
            compile(key, regex);
        }
        compile(key, String.join("|", regexes));
        return regexes;
    }

    private static void compile(String key, String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ConfigException("Invalid regex '" + regex + "' in key '" + key + "': "
                    + e.getDescription() + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "")
                    + " (expected comma-separated Java regexes)");
        }
    }

    /** A non-empty comma-separated list of {@code host:port}. */
    static List<String> bootstrapServers(String key, String value) {
        List<String> servers = list(value);
        String expected = "expected a comma-separated list of host:port";
        if (servers.isEmpty()) {
            throw invalidValue(key, value, expected);
        }
        for (String server : servers) {
            if (!HOST_PORT.matcher(server).matches()) {
                throw invalidValue(key, value, expected + " ('" + server + "' is not host:port)");
            }
        }
        return servers;
    }

    /** A cluster alias list: at least one alias, none containing '->' or spaces, no duplicates. */
    static List<String> clusters(String key, String value) {
        List<String> aliases = list(value);
        String expected = "expected a comma-separated list of distinct cluster aliases without spaces or '->', "
                + "e.g. 'A, B'";
        if (aliases.isEmpty()) {
            throw invalidValue(key, value, expected);
        }
        List<String> seen = new ArrayList<>();
        for (String alias : aliases) {
            if (alias.isEmpty() || alias.contains("->") || alias.chars().anyMatch(Character::isWhitespace)
                    || seen.contains(alias)) {
                throw invalidValue(key, value, expected);
            }
            seen.add(alias);
        }
        return List.copyOf(seen);
    }

    /**
     * A new instance of the class named {@code value}, which must implement {@code type} and have a public no-arg
     * constructor; {@code alternatives} are the other accepted values, listed in the error message.
     */
    static <T> T instance(String key, String value, Class<T> type, String... alternatives) {
        String expected = "expected " + (alternatives.length == 0 ? "" : String.join(" or ", alternatives) + ", or ")
                + "a class implementing " + type.getName() + " with a public no-arg constructor";
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> clazz = Class.forName(value.trim(), true,
                    loader != null ? loader : ConfigValues.class.getClassLoader());
            if (!type.isAssignableFrom(clazz)) {
                throw invalidValue(key, value, expected);
            }
            Constructor<?> constructor = clazz.getConstructor();
            return type.cast(constructor.newInstance());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            if (e instanceof ConfigException) {
                throw (ConfigException) e;
            }
            throw invalidValue(key, value, expected);
        }
    }
}
