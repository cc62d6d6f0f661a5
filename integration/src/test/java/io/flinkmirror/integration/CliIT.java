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
        long start = System.nanoTime();
        Processes.Started run = Processes.mirror(dir, "typo", "run", "--config", config.toString());
        int code = run.awaitExit(Duration.ofSeconds(60));

        assertThat(code).isNotZero();
        // Generous (shared, noisy machines; includes the JVM start): it fails, it does not wait for the clients' timeouts.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
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
        long start = System.nanoTime();
        Processes.Started run = Processes.mirror(dir, "unreachable", "run", "--config", config.toString());
        int code = run.awaitExit(Duration.ofSeconds(60));

        assertThat(code).isNotZero();
        // Generous (shared, noisy machines; includes the JVM start): it fails, it does not wait for the clients' timeouts.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        String err = run.err().strip();
        assertThat(err.lines()).as("stderr: %s", err).hasSize(1);
        assertThat(err).contains("'A'", "localhost:" + closedPort, "unreachable");
    }
}
