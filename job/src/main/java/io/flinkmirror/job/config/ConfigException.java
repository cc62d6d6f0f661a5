package io.flinkmirror.job.config;

/**
 * A bad Flink Mirror / MirrorMaker 2 configuration. The message is one line naming the key, the value and what is
 * allowed, fit to print to the user as is.
 */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A configuration error described by {@code message}. */
    public ConfigException(String message) {
        super(message);
    }

    /** A configuration error described by {@code message}, caused by {@code cause}. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The standard message for a bad value: {@code Invalid value 'v' for key 'k': expected ...}. */
    static ConfigException invalidValue(String key, String value, String expected) {
        return new ConfigException("Invalid value '" + value + "' for key '" + key + "': " + expected);
    }
}
