package io.flinkmirror.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/mirror} as a user runs it: help, and one-line errors for bad configs within 30 s. */
class CliIT {

    @TempDir
    Path dir;

    /**
     * How long a run with a broken config may take to fail: well under Kafka's default API timeout (60 s), which a run
     * that waited for its clients would reach, and well over the preflight's own 15 s plus a JVM start on a busy
     * machine. {@code awaitExit} kills the process and fails the test past it.
     */
    private static final Duration FAILS_BEFORE_CLIENT_TIMEOUTS = Duration.ofSeconds(40);

    @Test
    void shouldPrintUsageForTheLauncherAndEachCommand() throws Exception {
        Processes.Started help = Processes.mirror(dir, "help", "--help");
        assertThat(help.awaitExit(Duration.ofSeconds(60))).isZero();
        assertThat(help.out()).contains("Usage: mirror", "quickstart", "run", "cluster", "submit", "stop", "upgrade");

        Processes.Started runHelp = Processes.mirror(dir, "run-help", "run", "--help");
        assertThat(runHelp.awaitExit(Duration.ofSeconds(60))).isZero();
        assertThat(runHelp.out()).contains("--config", "--web-port");
    }

    @Test
    void shouldRejectAMisspelledKeyWithOneLineNamingIt() throws Exception {
        Path config = dir.resolve("typo.properties");
        Files.writeString(config, String.join("\n",
                "clusters = A, B",
                "A.bootstrap.servers = localhost:1",
                "B.bootstrap.servers = localhost:2",
                "A->B.enabled = true",
                "A->B.topics = orders",
                "refresh.topics.interval.second = 5",
                ""));
        Processes.Started run = Processes.mirror(dir, "typo", "run", "--config", config.toString());
        int code = run.awaitExit(FAILS_BEFORE_CLIENT_TIMEOUTS);

        assertThat(code).isNotZero();
        String err = run.err().strip();
        assertThat(err.lines()).as("stderr: %s", err).hasSize(1);
        assertThat(err).contains("refresh.topics.interval.second", "refresh.topics.interval.seconds");
    }

    @Test
    void shouldFailFastNamingTheClusterWhenABootstrapServerIsUnreachable() throws Exception {
        int closedPort = Processes.freePort();
        Path config = dir.resolve("unreachable.properties");
        Files.writeString(config, String.join("\n",
                "clusters = A, B",
                "A.bootstrap.servers = localhost:" + closedPort,
                "B.bootstrap.servers = localhost:" + closedPort,
                "A->B.enabled = true",
                ""));
        Processes.Started run = Processes.mirror(dir, "unreachable", "run", "--config", config.toString());
        int code = run.awaitExit(FAILS_BEFORE_CLIENT_TIMEOUTS);

        assertThat(code).isNotZero();
        String err = run.err().strip();
        assertThat(err.lines()).as("stderr: %s", err).hasSize(1);
        assertThat(err).contains("'A'", "localhost:" + closedPort, "unreachable");
    }
}
