package io.flinkmirror.integration.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Starts a {@link Contender} replicating one source topic between the two brokers, under fresh MirrorMaker 2 style
 * cluster aliases, so its target topic ({@code <sourceAlias>.<topic>}), internal topics, consumer groups and
 * transactional ids are all new.
 */
final class Replicators {

    /** One replication: aliases, brokers and the source topic. */
    record Flow(String sourceAlias, String targetAlias, String sourceBootstrap, String targetBootstrap,
                String topic) {
        /** The target topic, named as MirrorMaker 2's DefaultReplicationPolicy names it. */
        String targetTopic() {
            return sourceAlias + "." + topic;
        }
    }

    private Replicators() {
    }

    /** MirrorMaker 2's heap as Kafka's {@code connect-mirror-maker.sh} sets it (KAFKA_HEAP_OPTS). */
    static final List<String> MM2_HEAP = List.of("-Xms256M", "-Xmx2G");

    /**
     * Starts {@code contender} in {@code dir}: the copy loop as {@code java -Xmx<heap> ... CopyLoop}, MirrorMaker 2
     * as {@code java -Xms256M -Xmx2G ... MirrorMaker} (its launcher's heap), and Flink Mirror as a user runs it,
     * {@code bin/mirror run --config <file> --web-port <free> --parallelism <n> --state-dir <dir>/state} with
     * bin/mirror's own JVM defaults (the benchmark's JVM options go in through {@code FLINK_MIRROR_JAVA_OPTS}, its
     * log into {@code dir}).
     */
    static ChildJvm start(Contender contender, Flow flow, BenchEnv env, BenchSettings settings, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        String name = contender.id() + "-" + flow.sourceAlias();
        List<String> jvm = new ArrayList<>(List.of("-Djava.io.tmpdir=" + dir));
        if (settings.jfr()) {
            jvm.add("-XX:StartFlightRecording=filename=" + dir.resolve(name + ".jfr") + ",settings=profile,"
                    + "dumponexit=true");
        }
        for (String option : settings.jvmOptions()) {
            jvm.add(option.replace("{dir}", dir.toString()).replace("{name}", name));
        }
        int threads = settings.parallelism();
        switch (contender) {
            case CEILING -> {
                jvm.add(0, "-Xmx" + settings.heap());
                jvm.addAll(env.peerLogging());
                return ChildJvm.start(name, dir, jvm, env.peerClasspath(), CopyLoop.class.getName(),
                        List.of(flow.sourceBootstrap(), flow.topic(), flow.targetBootstrap(), flow.targetTopic(),
                                String.valueOf(threads)));
            }
            case MM2_ALO, MM2_EOS -> {
                Map<String, String> props = commonProperties(flow, threads);
                if (contender.exactlyOnce()) {
                    // KIP-618: a worker setting, so it goes under the target cluster's alias (MirrorMakerConfig
                    // builds each herder's worker config from <target>.* keys; a top-level key is not passed on).
                    props.put(flow.targetAlias() + ".exactly.once.source.support", "enabled");
                    props.put(flow.sourceAlias() + ".consumer.isolation.level", "read_committed");
                }
                Path config = write(dir.resolve(name + ".properties"), props);
                jvm.addAll(0, MM2_HEAP);
                jvm.addAll(env.peerLogging());
                return ChildJvm.start(name, dir, jvm, env.peerClasspath(),
                        "org.apache.kafka.connect.mirror.MirrorMaker", List.of(config.toString()));
            }
            case FLINK_EOS, FLINK_ALO -> {
                Map<String, String> props = commonProperties(flow, threads);
                props.put("flink.delivery.guarantee", contender.exactlyOnce() ? "exactly-once" : "at-least-once");
                if (settings.checkpointInterval() != null) {
                    props.put("flink.execution.checkpointing.interval",
                            settings.checkpointInterval().toMillis() + " ms");
                }
                for (String option : settings.mirrorOptions()) {
                    int eq = option.indexOf('=');
                    props.put(option.substring(0, eq).trim(), option.substring(eq + 1).trim());
                }
                Path config = write(dir.resolve(name + ".properties"), props);
                // A state directory per run: bin/mirror's default (state/ in the repository) would hand each run
                // the savepoint of the one before.
                return ChildJvm.launch(name, dir, List.of(BenchEnv.home().resolve("bin/mirror").toString(), "run",
                                "--config", config.toString(), "--web-port", String.valueOf(BenchEnv.freePort()),
                                "--parallelism", String.valueOf(threads),
                                "--state-dir", dir.resolve("state").toString()),
                        Map.of("FLINK_MIRROR_LOG_DIR", dir.toString(), "FLINK_MIRROR_JAVA_OPTS", javaOpts(jvm)));
            }
            default -> throw new IllegalStateException("unknown contender " + contender);
        }
    }

    /** JVM options as {@code FLINK_MIRROR_JAVA_OPTS}, which bin/mirror splits at whitespace. */
    private static String javaOpts(List<String> options) {
        for (String option : options) {
            if (option.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("Flink Mirror gets its JVM options through FLINK_MIRROR_JAVA_OPTS, "
                        + "split at whitespace: '" + option + "' must not contain any");
            }
        }
        return String.join(" ", options);
    }

    /**
     * The MirrorMaker 2 properties both MM2 and Flink Mirror run with: one flow, replication factor 1 everywhere
     * (one broker per cluster), offset syncs on the target (Flink Mirror's default, MM2 supports it), short refresh
     * intervals, and the benchmark's producer tuning for the replicated records (batch.size, linger.ms, no
     * compression). Consumers keep Kafka's defaults in every contender.
     */
    static Map<String, String> commonProperties(Flow flow, int tasks) {
        String s = flow.sourceAlias();
        String t = flow.targetAlias();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", s + ", " + t);
        props.put(s + ".bootstrap.servers", flow.sourceBootstrap());
        props.put(t + ".bootstrap.servers", flow.targetBootstrap());
        props.put(s + "->" + t + ".enabled", "true");
        props.put(s + "->" + t + ".topics", flow.topic());
        // No reverse herder: nothing flows t->s, and its heartbeats would land on the source.
        props.put(t + "->" + s + ".emit.heartbeats.enabled", "false");
        props.put("tasks.max", String.valueOf(tasks));
        props.put("replication.factor", "1");
        props.put("offset-syncs.topic.location", "target");
        props.put("offset-syncs.topic.replication.factor", "1");
        props.put("checkpoints.topic.replication.factor", "1");
        props.put("heartbeats.topic.replication.factor", "1");
        props.put("offset.storage.replication.factor", "1");
        props.put("status.storage.replication.factor", "1");
        props.put("config.storage.replication.factor", "1");
        props.put("refresh.topics.interval.seconds", "5");
        props.put("refresh.groups.interval.seconds", "5");
        props.put("sync.topic.acls.enabled", "false");
        Workload.producerTuning().forEach((key, value) -> {
            if (!key.equals("acks") && !key.equals("enable.idempotence")) {
                props.put(t + ".producer." + key, String.valueOf(value));
            }
        });
        return props;
    }

    private static Path write(Path file, Map<String, String> props) throws IOException {
        Files.writeString(file, props.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue())
                .collect(Collectors.joining("\n", "", "\n")));
        return file;
    }
}
