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
 * Kafka brokers, MirrorMaker 2 and the copy loop; the shaded job jar and its local classpath (as {@code bin/mirror}
 * uses them); and where results and logs go.
 */
final class BenchEnv {

    /** The module openings Flink needs on Java 17, as {@code bin/mirror} passes them. */
    static final List<String> FLINK_OPENS = List.of(
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED");

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

    /** {@code java -cp} of the launcher jar plus its classpath (the shaded job jar, Flink), as {@code bin/mirror} runs it. */
    static String mirrorClasspath() throws IOException {
        Path jar = Paths.get(required("mirror.cli.jar"));
        Path local = home().resolve("cli/target/local-classpath.txt");
        return jar + java.io.File.pathSeparator + Files.readString(local).trim();
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
