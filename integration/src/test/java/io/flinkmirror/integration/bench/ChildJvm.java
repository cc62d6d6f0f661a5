package io.flinkmirror.integration.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Java process started by the benchmark (and by Mm2ParityIT, which runs MirrorMaker 2 in one), either as
 * {@code java ... Main} or through a launcher script that ends in {@code exec java} (so the process id stays the
 * JVM's), with its output in a file, and what Linux knows about it:
 * CPU time (utime + stime from {@code /proc/<pid>/stat}) and peak resident memory ({@code VmHWM} from
 * {@code /proc/<pid>/status}). Read both before {@link #close()}: they vanish with the process.
 */
public final class ChildJvm implements AutoCloseable {

    /** Clock ticks per second of the {@code /proc} CPU counters (USER_HZ: 100 on every Linux we run on). */
    private static final double CLOCK_TICKS = clockTicks();

    private final String name;
    private final Process process;
    private final Path log;
    private final long startNanos;

    private ChildJvm(String name, Process process, Path log, long startNanos) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startNanos = startNanos;
    }

    /**
     * Starts {@code java JVM_ARGS -cp CLASSPATH MAIN ARGS} in {@code dir}; stdout and stderr go to
     * {@code dir/<name>.log}.
     */
    public static ChildJvm start(String name, Path dir, List<String> jvmArgs, String classpath, String mainClass,
                          List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return launch(name, dir, command, Map.of());
    }

    /**
     * Starts {@code command} (a launcher script that ends in {@code exec java}, so the process measured is the JVM)
     * in {@code dir} with {@code environment} added to this JVM's; stdout and stderr go to {@code dir/<name>.log}.
     */
    public static ChildJvm launch(String name, Path dir, List<String> command, Map<String, String> environment)
            throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        long start = System.nanoTime();
        return new ChildJvm(name, builder.start(), log, start);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** {@link System#nanoTime()} just before the process was launched. */
    long startNanos() {
        return startNanos;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Fails, with the end of the process's log, if it has exited. */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; first error: "
                    + firstError() + "; see " + log);
        }
    }

    /** Waits up to {@code timeout} for the process to end; its exit code, or -1 (and it is killed) if it did not. */
    public int awaitExit(java.time.Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            stop(1);
            return -1;
        }
        return process.exitValue();
    }

    /** User plus system CPU seconds the process has used so far. */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(Paths.get("/proc", String.valueOf(pid()), "stat"));
        // Fields after the command name (which is in parentheses and may contain spaces): state is field 3,
        // utime field 14, stime field 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return (utime + stime) / CLOCK_TICKS;
    }

    /** Peak resident set size in bytes (VmHWM). */
    long peakRssBytes() throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc", String.valueOf(pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmHWM in /proc/" + pid() + "/status");
    }

    /** The last {@code lines} lines of the process's output. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Whether the process's output has a line containing {@code text}. */
    public boolean logContains(String text) {
        try (java.util.stream.Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.anyMatch(line -> line.contains(text));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** The first ERROR line of the process's output, or "none". */
    public String firstError() {
        try (java.util.stream.Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(line -> line.contains(" ERROR ")).findFirst().orElse("none");
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** SIGTERM (shutdown hooks run), then SIGKILL if it is still there after {@code graceSeconds}. */
    public void stop(int graceSeconds) {
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stop(30);
    }

    private static double clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            getconf.waitFor(5, TimeUnit.SECONDS);
            return Double.parseDouble(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
