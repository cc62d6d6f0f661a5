package io.flinkmirror.integration;

import io.flinkmirror.testutils.faults.FaultsJar;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts our commands as real OS processes (as a user would), with their output in files. */
final class Processes {

    private Processes() {}

    /** The repository root (bin/mirror lives there). */
    static Path home() {
        return Paths.get(System.getProperty("mirror.home", "..")).toAbsolutePath().normalize();
    }

    /** The shaded job jar built by the job module. */
    static Path jobJar() {
        return Paths.get(System.getProperty("mirror.job.jar"));
    }

    /** The classpath of a stock Flink: Flink and its dependencies, no Kafka client, nothing of ours. */
    static String flinkClasspath() throws IOException {
        return Files.readString(Paths.get(System.getProperty("mirror.flink.classpath.file"))).trim();
    }

    /** A started process whose stdout and stderr go to files in {@code dir}. */
    record Started(Process process, Path stdout, Path stderr) {
        String out() {
            return read(stdout);
        }

        String err() {
            return read(stderr);
        }

        /** Waits for the process to end; fails if it does not within {@code timeout}. Returns its exit code. */
        int awaitExit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("process still running after " + timeout + "\nstdout:\n" + out()
                        + "\nstderr:\n" + err());
            }
            return process.exitValue();
        }

        /** Sends SIGINT, as Ctrl-C does. */
        void interrupt() throws IOException, InterruptedException {
            new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start().waitFor();
        }

        void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    static Started start(Path dir, String name, Map<String, String> env, String... command) throws IOException {
        Files.createDirectories(dir);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(Arrays.asList(command)).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        return new Started(builder.start(), out, err);
    }

    /** {@code bin/mirror ARGS}, run from an unrelated working directory, logging under {@code dir}. */
    static Started mirror(Path dir, String name, String... args) throws IOException {
        return mirror(dir, name, List.of(), args);
    }

    /** As {@link #mirror(Path, String, String...)}, the JVM started with {@code javaOptions} too. */
    static Started mirror(Path dir, String name, List<String> javaOptions, String... args) throws IOException {
        recordClassArchive(dir);
        List<String> command = new ArrayList<>();
        command.add(home().resolve("bin/mirror").toString());
        command.addAll(Arrays.asList(args));
        String options = String.join(" ", javaOptions);
        Map<String, String> env = new java.util.HashMap<>(Map.of("FLINK_MIRROR_LOG_DIR", dir.resolve("logs").toString(),
                "FLINK_MIRROR_JAVA_OPTS", ("-Djava.io.tmpdir=" + dir + " " + options).trim()));
        if (FaultsJar.neededBy(javaOptions)) {
            env.put("FLINK_MIRROR_CLASSPATH", FaultsJar.path().toString());
        }
        return start(dir, name, env, command.toArray(String[]::new));
    }

    private static boolean archiveRecorded;

    /**
     * Once per test JVM, {@code bin/mirror warmup}: records the launcher's class archive (once per build) and waits
     * for it, so that no test's start competes with the background recording a first start would begin.
     */
    private static synchronized void recordClassArchive(Path dir) throws IOException {
        if (archiveRecorded) {
            return;
        }
        Started warmup = start(dir, "warmup", Map.of("FLINK_MIRROR_LOG_DIR", dir.resolve("logs").toString(),
                "FLINK_MIRROR_JAVA_OPTS", "-Djava.io.tmpdir=" + dir), home().resolve("bin/mirror").toString(),
                "warmup");
        try {
            int code = warmup.awaitExit(Duration.ofMinutes(5));
            if (code != 0) {
                throw new IllegalStateException("bin/mirror warmup exited with " + code + ": " + warmup.err());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while bin/mirror warmup ran", e);
        }
        archiveRecorded = true;
    }

    /**
     * {@code bin/mirror run --config config --state-dir state} on a free web port, waited for until it runs its job
     * (within {@code timeout}); asserted alive. A start whose free port was taken between the look-up and the bind
     * (BindException: the test's race, e.g. with a client's ephemeral port) is tried again on another, twice at most.
     */
    static Started mirrorRun(Path dir, Path config, Path state, String name, List<String> javaOptions,
                             Duration timeout) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            Started mirror = mirror(dir, name + (attempt > 1 ? "-" + attempt : ""), javaOptions, "run", "--config",
                    config.toString(), "--state-dir", state.toString(), "--web-port", String.valueOf(port),
                    "--skip-preflight");
            io.flinkmirror.testutils.Poll.until(name + " to run its job", timeout,
                    () -> mirror.out().contains("running; web UI") || !mirror.process().isAlive());
            if (!mirror.process().isAlive() && mirror.err().contains("BindException") && attempt < 3) {
                continue;
            }
            org.assertj.core.api.Assertions.assertThat(mirror.process().isAlive())
                    .as("%s alive; stderr: %s", name, mirror.err()).isTrue();
            return mirror;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
