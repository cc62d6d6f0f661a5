package io.flinkmirror.integration.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Where the benchmark finds what it launches (set by the {@code benchmark} Maven profile): the classpath of the
 * Kafka brokers, MirrorMaker 2 and the copy loop; the repository root (whose {@code bin/mirror} runs Flink Mirror);
 * and where results and logs go.
 */
final class BenchEnv {

    private final Path outputDir;
    private final Path workDir;
    private final String peerClasspath;
    private final Path log4jConfig;

    private BenchEnv(Path outputDir, Path workDir, String peerClasspath, Path log4jConfig) {
        this.outputDir = outputDir;
        this.workDir = workDir;
        this.peerClasspath = peerClasspath;
        this.log4jConfig = log4jConfig;
    }

    /** Reads the profile's system properties; {@code workDir} holds broker data and child logs for this run. */
    static BenchEnv load(Path workDir) throws IOException {
        Path classpathFile = Paths.get(required("bench.peer.classpath.file"));
        if (!Files.exists(classpathFile)) {
            throw new IllegalStateException(classpathFile + " is missing: run the benchmark with -Pbenchmark "
                    + "(bin/benchmark does)");
        }
        String peers = Files.readString(classpathFile).trim() + java.io.File.pathSeparator
                + required("bench.test.classes");
        Path log4j = workDir.resolve("log4j2-peers.properties");
        Files.createDirectories(workDir);
        Files.writeString(log4j, String.join("\n",
                "# Brokers, MirrorMaker 2 and the copy loop: WARN and above to the process's own output file.",
                "status = warn",
                "appender.out.type = Console",
                "appender.out.name = out",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.out.ref = out",
                "logger.network.name = org.apache.kafka.clients.NetworkClient",
                "logger.network.level = ERROR",
                ""));
        return new BenchEnv(Paths.get(required("bench.output.dir")), workDir, peers, log4j);
    }

    /** The repository root. */
    static Path home() {
        return Paths.get(System.getProperty("mirror.home", "..")).toAbsolutePath().normalize();
    }

    /** Where CSV and Markdown results go ({@code integration/target/benchmark}). */
    Path outputDir() {
        return outputDir;
    }

    /** Scratch space of this benchmark run: broker data, configs, child logs. */
    Path workDir() {
        return workDir;
    }

    /** Kafka (broker, Connect, MirrorMaker 2) and the benchmark's own test classes; no Flink, nothing of ours. */
    String peerClasspath() {
        return peerClasspath;
    }

    /** JVM options of the Kafka-side child processes: their logging at WARN. */
    List<String> peerLogging() {
        return List.of("-Dlog4j2.configurationFile=" + log4jConfig, "-Dlog4j.configurationFile=" + log4jConfig);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String required(String key) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + key + " is not set: run the benchmark with "
                    + "-Pbenchmark (bin/benchmark does)");
        }
        return value;
    }
}
