package io.flinkmirror.testutils;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures every log event of this JVM at {@code level} and above (Kafka's and Flink's included: their loggers are
 * lowered to {@code level} while capturing), with messages and stack traces as text, instead of printing them. Closing
 * restores the file configuration.
 */
public final class LogCapture implements AutoCloseable {

    private final List<String> lines = new ArrayList<>();
    private final Capturing appender = new Capturing();

    private LogCapture() {}

    /** Starts capturing every logger at {@code level} (e.g. INFO, where Kafka clients log their configs). */
    public static LogCapture start(Level level) {
        LogCapture capture = new LogCapture();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        capture.appender.start();
        config.addAppender(capture.appender);
        for (Map.Entry<String, LoggerConfig> e : config.getLoggers().entrySet()) {
            e.getValue().getAppenders().keySet().forEach(e.getValue()::removeAppender); // events reach the root
        }
        LoggerConfig root = config.getRootLogger();
        root.getAppenders().keySet().forEach(root::removeAppender);
        root.addAppender(capture.appender, null, null);
        Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, level);
        context.updateLoggers();
        return capture;
    }

    /**
     * Captures only the events of {@code loggerName} (and the loggers below it) at {@code level} and above; every
     * other logger logs as configured. For INFO lines of one class without the INFO of every client and broker in
     * this JVM (which, kept for a whole test, fill the heap).
     */
    public static LogCapture of(String loggerName, Level level) {
        LogCapture capture = new LogCapture();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        capture.appender.start();
        config.addAppender(capture.appender);
        LoggerConfig logger = new LoggerConfig(loggerName, level, true);
        logger.addAppender(capture.appender, level, null);
        config.addLogger(loggerName, logger);
        context.updateLoggers();
        return capture;
    }

    /** The captured lines so far (logger, level, message, and the stack trace of any throwable). */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** Captured lines containing {@code text}. */
    public List<String> linesContaining(String text) {
        return lines().stream().filter(l -> l.contains(text)).toList();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.reconfigure();
        appender.stop();
    }

    private final class Capturing extends AbstractAppender {
        Capturing() {
            super("log-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder line = new StringBuilder().append(event.getLevel()).append(' ')
                    .append(event.getLoggerName()).append(" - ").append(event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
                StringWriter trace = new StringWriter();
                event.getThrown().printStackTrace(new PrintWriter(trace));
                line.append('\n').append(trace);
            }
            synchronized (LogCapture.this) {
                lines.add(line.toString());
            }
        }
    }
}
