package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkmirror.job.config.ConfigException;
import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.testutils.TwoClusterTest;
import io.flinkmirror.udfs.record.MirrorRecord;
import io.flinkmirror.udfs.transform.RecordFunction;
import java.io.File;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.Test;

/**
 * A {@link RecordFunction} shipped in its own jar, the way a user adds one: the class is compiled by the test into a
 * jar that is not on the test's classpath; the config is parsed with the jar in the client's classloader (as
 * {@code flink run -C} or {@code bin/mirror} with the jar on its classpath do) and the job runs on a Flink
 * MiniCluster that loads the class from the jar through its user-code classloader. The target holds exactly the
 * records the function keeps, changed as it changes them (read_committed: 0 missing, 0 duplicated).
 */
class UserJarRecordFunctionIT extends TwoClusterTest {

    private static final String CLASS_NAME = "com.example.mirror.RedactFunction";
    private static final String SOURCE = """
            package com.example.mirror;

            import io.flinkmirror.udfs.record.MirrorRecord;
            import io.flinkmirror.udfs.transform.RecordFunction;
            import java.nio.charset.StandardCharsets;
            import java.util.Locale;
            import java.util.Map;

            /** Drops records whose key starts with the 'drop-prefix' option, upper-cases values, tags the others. */
            public class RedactFunction implements RecordFunction {
                private String dropPrefix;
                private byte[] tag;

                @Override
                public void open(Map<String, String> options) {
                    dropPrefix = options.get("drop-prefix");
                    tag = options.getOrDefault("tag", "user-jar").getBytes(StandardCharsets.UTF_8);
                }

                @Override
                public MirrorRecord apply(MirrorRecord record) {
                    String key = record.key == null ? "" : new String(record.key, StandardCharsets.UTF_8);
                    if (key.startsWith(dropPrefix)) {
                        return null;
                    }
                    if (record.value != null) {
                        record.value = new String(record.value, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT)
                                .getBytes(StandardCharsets.UTF_8);
                    }
                    record.addHeader("redacted-by", tag);
                    return record;
                }
            }
            """;

    /** Compiles {@link #SOURCE} against the job's classes and packs it into a jar of its own. */
    private static Path userJar() throws Exception {
        Path dir = Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")), "user-jar-");
        Path src = dir.resolve("src/com/example/mirror/RedactFunction.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String classpath = Paths.get(RecordFunction.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + File.pathSeparator
                + Paths.get(MirrorRecord.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "17", "-cp", classpath, "-d", classes.toString(),
                src.toString());
        assertThat(rc).as("javac exit code").isZero();
        Path jar = dir.resolve("redact-function.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out)) {
            String entry = CLASS_NAME.replace('.', '/') + ".class";
            jarOut.putNextEntry(new JarEntry(entry));
            jarOut.write(Files.readAllBytes(classes.resolve(entry)));
            jarOut.closeEntry();
        }
        return jar;
    }

    @Test
    void shouldRunARecordFunctionLoadedFromAUserJar() throws Exception {
        assertThatThrownBy(() -> Class.forName(CLASS_NAME)).as("the class is not on the test's classpath")
                .isInstanceOf(ClassNotFoundException.class);
        Path jar = userJar();
        String topic = "user-jar";
        a.createTopic(topic, 2);
        long now = System.currentTimeMillis();
        List<ProducedRecord> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            records.add(ProducedRecord.of(topic, i % 2, (i % 4 == 0 ? "drop-" : "keep-") + i, "value " + i,
                    now - 10_000 + i));
        }
        TestRecords.produce(a.bootstrapServers(), records);
        Map<String, String> props = MirrorRunner.flowProperties(a, b, topic);
        props.put("emit.heartbeats.enabled", "false");
        props.put("flink.pipeline.name", "user-jar");
        props.put(a.name() + "->" + b.name() + ".flink.record.function.class", CLASS_NAME);
        props.put(a.name() + "->" + b.name() + ".flink.record.function.drop-prefix", "drop-");

        assertThatThrownBy(() -> MirrorConfig.parse(props)).as("without the jar").isInstanceOf(ConfigException.class)
                .hasMessageContainingAll("Invalid value '" + CLASS_NAME + "' for key '" + a.name() + "->" + b.name()
                        + ".flink.record.function.class'", "class not found");

        org.apache.flink.configuration.Configuration flinkConf = new org.apache.flink.configuration.Configuration();
        flinkConf.set(org.apache.flink.configuration.RestOptions.BIND_PORT, "0"); // any free port, never 8081
        MiniCluster flink = new MiniCluster(new MiniClusterConfiguration.Builder().setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(8).setConfiguration(flinkConf).build());
        flink.start();
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader userCode = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                UserJarRecordFunctionIT.class.getClassLoader())) {
            Thread.currentThread().setContextClassLoader(userCode);
            MirrorConfig config = MirrorConfig.parse(props);
            MirrorJob job = new MirrorJob(config);
            TestStreamEnvironment env = new TestStreamEnvironment(flink, job.flinkConfiguration(), 2,
                    List.of(new org.apache.flink.core.fs.Path(jar.toUri())), List.of());
            job.build(env);
            JobClient client = env.executeAsync(job.jobName());
            Thread.currentThread().setContextClassLoader(previous);
            try {
                MirrorRunner.awaitCaughtUp(a, b.name(), List.of(topic), java.time.Duration.ofSeconds(120),
                        () -> status(client));
                List<ProducedRecord> expected = records.stream()
                        .filter(r -> r.keyString().startsWith("keep-"))
                        .map(r -> ProducedRecord.of(a.name() + "." + topic, r.partition(), r.keyString(),
                                r.valueString().toUpperCase(Locale.ROOT), r.timestamp(),
                                ProducedRecord.Header.of("redacted-by", "user-jar")))
                        .toList();
                ExactlyOnceChecker.expecting(expected).verify(b.bootstrapServers(), a.name() + "." + topic,
                        java.time.Duration.ofSeconds(120)).assertExactlyOnce();
            } finally {
                client.cancel().get(60, TimeUnit.SECONDS);
            }
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
            flink.close();
        }
    }

    private static String status(JobClient client) {
        try {
            return "job " + client.getJobStatus().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "job status unknown: " + e;
        }
    }
}
