package io.flinkmirror.integration;

import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.integration.bench.ChildJvm;
import io.flinkmirror.job.MirrorJob;
import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MirrorMaker 2 file {@code conf/mm2-active-passive.properties} run twice from the same source cluster P: by real
 * MirrorMaker 2 (4.2, dedicated mode, in a child JVM) into cluster B1, and by Flink Mirror (the real job graph on a
 * MiniCluster) into cluster B2; only {@code backup.bootstrap.servers} differs. Then B1 and B2 are compared: the same
 * remote topics, the same records per partition in the same order (key, value, timestamp, headers: neither adds a
 * header in this setup), i.e. the same records dropped by the Filter SMT and the same header removed by DropHeaders;
 * the same topic configs synced, at creation and after a change on P; the same topic ACLs (one of them created on P
 * while both run), plus the PREFIXED ones Flink Mirror maps and MM2 does not;
 * consumer group offsets translated by {@code RemoteClusterUtils.translateOffsets} (ours exact, MM2's logged) and
 * committed to the target's groups. Flink Mirror's copy is counted {@code read_committed}: 0 missing, 0 duplicated.
 *
 * <p>All three clusters run KRaft's {@code StandardAuthorizer} so that ACLs exist; the clients are unauthenticated
 * ({@code User:ANONYMOUS}, a super user) to keep the comparison about replication, not security.
 */
class Mm2ParityIT {

    private static final Logger LOG = LoggerFactory.getLogger(Mm2ParityIT.class);

    /** Parallelism 2 for the job without a flink.* key in the file: the MiniCluster's slot count is the default. */
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String EXAMPLE = "conf/mm2-active-passive.properties";
    /** Recent timestamps: the remote topics get the source's retention.ms (one hour for orders). */
    private static final long BASE_TS = System.currentTimeMillis() - 600_000;
    private static final Map<String, Integer> DATA_TOPICS = Map.of("orders", 3, "payments-eu", 2);
    private static final String NOT_REPLICATED = "clicks";
    private static final Map<String, String> ORDERS_CONFIG = Map.of("retention.ms", "3600000",
            "max.message.bytes", "2000000");
    private static final Map<String, String> PAYMENTS_CONFIG = Map.of("retention.ms", "86400000");
    /** orders' retention.ms once both replicators run: the periodic config syncs must carry it over. */
    private static final String CHANGED_RETENTION = "7200000";

    static Path base;
    static LocalKafkaCluster p;
    static LocalKafkaCluster b1;
    static LocalKafkaCluster b2;

    @BeforeAll
    static void clusters() throws IOException {
        base = Files.createTempDirectory(Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir"))),
                "mm2-parity-");
        // ACLs need an authorizer; unauthenticated clients are User:ANONYMOUS, made a super user so that ACLs on a
        // topic do not lock the test, MM2 or the job out of it.
        Map<String, String> broker = Map.of(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users", "User:ANONYMOUS",
                "allow.everyone.if.no.acl.found", "true");
        p = LocalKafkaCluster.start("P", base, broker);
        b1 = LocalKafkaCluster.start("B1", base, broker);
        b2 = LocalKafkaCluster.start("B2", base, broker);
    }

    @AfterAll
    static void stopClusters() {
        for (LocalKafkaCluster cluster : new LocalKafkaCluster[] {p, b1, b2}) {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void shouldDoWithAnMm2FileWhatMirrorMaker2DoesWithIt() throws Exception {
        List<ProducedRecord> source = sourceData();
        List<AclBinding> sourceAcls = sourceAcls();
        p.admin().createAcls(sourceAcls).all().get(30, TimeUnit.SECONDS);
        Map<String, Map<TopicPartition, OffsetAndMetadata>> groups = sourceGroups(source);
        groups.forEach((group, offsets) -> alterGroup(p, group, offsets));

        Path mm2File = example(base.resolve("mm2.properties"), b1);
        Path ourFile = example(base.resolve("flink-mirror.properties"), b2);
        List<ProducedRecord> expected = replicas(source);
        long start = System.nanoTime();
        try (ChildJvm mirrorMaker = startMirrorMaker2(mm2File);
                MirrorRunner mirror = MirrorRunner.start(new MirrorJob(MirrorConfig.load(ourFile)))) {
            // ---- Records: what each target holds, per partition, in order -------------------------------------
            for (String topic : DATA_TOPICS.keySet()) {
                List<ProducedRecord> wanted = TestRecords.ofTopic(expected, "primary." + topic);
                awaitRecords(b2, "primary." + topic, wanted.size(), mirror::jobStatus);
                awaitRecords(b1, "primary." + topic, wanted.size(), () -> {
                    mirrorMaker.checkAlive();
                    return "MM2 " + mirrorMaker.tail(3);
                });
                ExactlyOnceChecker.Report ours = ExactlyOnceChecker.expecting(wanted)
                        .verify(b2.bootstrapServers(), "primary." + topic, TIMEOUT);
                LOG.info("Flink Mirror primary.{} on B2: {}", topic, ours);
                ours.assertExactlyOnce();
                ExactlyOnceChecker.Report theirs = ExactlyOnceChecker.expecting(wanted)
                        .verify(b1.bootstrapServers(), "primary." + topic, TIMEOUT);
                LOG.info("MirrorMaker 2 primary.{} on B1: {}", topic, theirs);
                theirs.assertExactlyOnce();
                assertThat(records(b2, "primary." + topic)).as("B2 holds what B1 holds, partition by partition")
                        .isEqualTo(records(b1, "primary." + topic));
            }
            LOG.info("Both targets hold the {} expected records ({} source records) after {} s", expected.size(),
                    source.size(), (System.nanoTime() - start) / 1_000_000_000L);

            // Changes while both run: a config and an ACL, picked up by the periodic syncs (every 5 s in the file).
            ConfigResource orders = new ConfigResource(ConfigResource.Type.TOPIC, "orders");
            p.admin().incrementalAlterConfigs(Map.of(orders, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", CHANGED_RETENTION), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            p.admin().createAcls(List.of(acl("payments-eu", LITERAL, "grace", "*", READ, ALLOW)))
                    .all().get(30, TimeUnit.SECONDS);

            // ---- Remote topics and their configs --------------------------------------------------------------
            Poll.until("the same remote topics on B1 and B2", TIMEOUT,
                    () -> remoteTopics(b1).equals(remoteTopics(b2)) && remoteTopics(b2).containsAll(
                            List.of("primary.orders", "primary.payments-eu", "primary.heartbeats")),
                    () -> "B1 " + remoteTopics(b1) + ", B2 " + remoteTopics(b2));
            assertThat(remoteTopics(b2)).doesNotContain("primary." + NOT_REPLICATED);
            for (String topic : DATA_TOPICS.keySet()) {
                Map<String, String> wanted = new HashMap<>(topic.equals("orders") ? ORDERS_CONFIG : PAYMENTS_CONFIG);
                if (topic.equals("orders")) {
                    wanted.put("retention.ms", CHANGED_RETENTION);
                }
                Poll.until("primary." + topic + "'s configs synced on both targets", TIMEOUT,
                        () -> topicConfigs(b1, "primary." + topic).entrySet().containsAll(wanted.entrySet())
                                && topicConfigs(b2, "primary." + topic).entrySet().containsAll(wanted.entrySet()),
                        () -> "B1 " + topicConfigs(b1, "primary." + topic) + ", B2 "
                                + topicConfigs(b2, "primary." + topic));
                LOG.info("primary.{} non-default configs: B1 (MM2) {}, B2 (Flink Mirror) {}", topic,
                        topicConfigs(b1, "primary." + topic), topicConfigs(b2, "primary." + topic));
                assertThat(topicConfigs(b2, "primary." + topic)).as("configs synced to primary." + topic)
                        .isEqualTo(topicConfigs(b1, "primary." + topic));
                assertThat(partitions(b2, "primary." + topic)).isEqualTo(partitions(b1, "primary." + topic))
                        .isEqualTo(DATA_TOPICS.get(topic));
            }

            // ---- Topic ACLs -------------------------------------------------------------------------------------
            Set<AclBinding> mm2Rules = Set.of(
                    acl("primary.orders", LITERAL, "alice", "*", READ, ALLOW),
                    acl("primary.orders", LITERAL, "bob", "*", READ, ALLOW),
                    acl("primary.payments-eu", LITERAL, "dave", "10.0.0.7", DESCRIBE, DENY),
                    acl("primary.payments-eu", LITERAL, "grace", "*", READ, ALLOW));
            AclBinding prefixedCopy = acl("primary.payments-", PREFIXED, "erin", "*", READ, ALLOW);
            Poll.until("topic ACLs synced to B1 and B2", TIMEOUT,
                    () -> topicAcls(b1).containsAll(mm2Rules) && topicAcls(b2).containsAll(mm2Rules)
                            && topicAcls(b2).contains(prefixedCopy),
                    () -> "B1 " + topicAcls(b1) + ", B2 " + topicAcls(b2));
            Set<AclBinding> onB1 = topicAcls(b1);
            Set<AclBinding> onB2 = topicAcls(b2);
            Set<AclBinding> extra = new HashSet<>(onB2);
            extra.removeAll(onB1);
            LOG.info("Topic ACLs: MM2 synced {} to B1, Flink Mirror {} to B2; only on B2: {}", onB1.size(),
                    onB2.size(), extra);
            assertThat(onB1).as("MM2: LITERAL only, WRITE not synced, ALL -> READ, DENY kept")
                    .containsExactlyInAnyOrderElementsOf(mm2Rules);
            assertThat(onB2).as("Flink Mirror: every ACL MM2 synced").containsAll(onB1);
            assertThat(extra).as("and, by design, the PREFIXED ACL mapped through the replication policy")
                    .containsExactly(prefixedCopy);

            // ---- Consumer group offsets --------------------------------------------------------------------------
            Map<TopicPartition, List<Long>> b2Offsets = targetOffsets(b2);
            Map<TopicPartition, List<Long>> b1Offsets = targetOffsets(b1);
            Map<TopicPartition, Long> b2Ends = endOffsets(b2, b2Offsets.keySet());
            for (Map.Entry<String, Map<TopicPartition, OffsetAndMetadata>> group : groups.entrySet()) {
                Map<TopicPartition, long[]> exact = new HashMap<>();
                group.getValue().forEach((tp, offset) -> exact.put(remote(tp),
                        exactTarget(source, tp, offset.offset(), b2Offsets.get(remote(tp)), b2Ends.get(remote(tp)))));
                Poll.until("Flink Mirror's checkpoints of " + group.getKey() + " on B2", TIMEOUT,
                        () -> isExact(translate(b2, group.getKey()), exact),
                        () -> "wanted " + show(exact) + ", translated " + translate(b2, group.getKey()));
                Poll.until("Flink Mirror's offsets of " + group.getKey() + " committed to B2's group", TIMEOUT,
                        () -> isExact(committed(b2, group.getKey()), exact),
                        () -> "wanted " + show(exact) + ", committed " + committed(b2, group.getKey()));
                Map<TopicPartition, Long> ours = translate(b2, group.getKey());
                Map<TopicPartition, Long> mm2 = settledTranslation(b1, group.getKey(), exact.keySet());
                Map<TopicPartition, Long> mm2Committed = committed(b1, group.getKey());
                group.getValue().forEach((tp, offset) -> LOG.info(
                        "group {} at {}@{}: Flink Mirror {} (exact), MirrorMaker 2 checkpoint {} ({}), committed {}",
                        group.getKey(), tp, offset.offset(), ours.get(remote(tp)), mm2.get(remote(tp)),
                        describe(source, tp, offset.offset(), mm2.get(remote(tp)), b1Offsets.get(remote(tp))),
                        mm2Committed.get(remote(tp))));
            }
            mirrorMaker.checkAlive();
        }
    }

    // ---- Source data ----------------------------------------------------------------------------------------------

    /**
     * 3 x 60 records in {@code orders}, 2 x 50 in {@code payments-eu}, 40 in {@code clicks} (not replicated): every
     * seventh (not the last of a partition) carries a {@code debug} header (dropped by the Filter SMT), every third a
     * {@code internal-token} header (removed by DropHeaders) between two headers that stay.
     */
    private static List<ProducedRecord> sourceData() {
        p.createTopic("orders", 3, ORDERS_CONFIG);
        p.createTopic("payments-eu", 2, PAYMENTS_CONFIG);
        p.createTopic(NOT_REPLICATED, 1);
        List<ProducedRecord> records = new ArrayList<>();
        Map<String, Integer> counts = Map.of("orders", 60, "payments-eu", 50, NOT_REPLICATED, 40);
        for (String topic : List.of("orders", "payments-eu", NOT_REPLICATED)) {
            int partitions = DATA_TOPICS.getOrDefault(topic, 1);
            int n = counts.get(topic);
            for (int partition = 0; partition < partitions; partition++) {
                for (int i = 0; i < n; i++) {
                    List<ProducedRecord.Header> headers = new ArrayList<>();
                    headers.add(ProducedRecord.Header.of("trace-id", topic + "-" + partition + "-" + i));
                    if (i % 3 == 1) {
                        headers.add(ProducedRecord.Header.of("internal-token", "secret-" + i));
                    }
                    if (i % 7 == 3 && i < n - 1) {
                        headers.add(ProducedRecord.Header.of("debug", "1"));
                    }
                    headers.add(new ProducedRecord.Header("bin", new byte[] {0, (byte) i, (byte) 0xff}));
                    records.add(new ProducedRecord(topic, partition, bytes(i % 5 == 0 ? null : "k" + i),
                            bytes(topic + "/" + partition + "/" + i), headers, BASE_TS + partition * 1000L + i));
                }
            }
        }
        TestRecords.produce(p.bootstrapServers(), records);
        return records;
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static boolean isDebug(ProducedRecord r) {
        return r.headers().stream().anyMatch(h -> h.key().equals("debug"));
    }

    /** What the file's transforms make of the source records: debug ones dropped, internal-token removed. */
    private static List<ProducedRecord> replicas(List<ProducedRecord> source) {
        return source.stream().filter(r -> DATA_TOPICS.containsKey(r.topic()) && !isDebug(r))
                .map(r -> r.withTopic("primary." + r.topic()).withHeaders(r.headers().stream()
                        .filter(h -> !h.key().equals("internal-token")).toList()))
                .toList();
    }

    /** The records of {@code tp} in offset order (a plain producer: offset = index). */
    private static List<ProducedRecord> partition(List<ProducedRecord> source, TopicPartition tp) {
        return source.stream().filter(r -> r.topic().equals(tp.topic()) && r.partition() == tp.partition()).toList();
    }

    /**
     * Literal READ/ALL/WRITE/DENY ACLs and a PREFIXED one on replicated topics, and one on a topic that is not
     * replicated.
     */
    private static List<AclBinding> sourceAcls() {
        return List.of(
                acl("orders", LITERAL, "alice", "*", READ, ALLOW),
                acl("orders", LITERAL, "bob", "*", ALL, ALLOW),
                acl("orders", LITERAL, "carol", "*", WRITE, ALLOW),
                acl("payments-eu", LITERAL, "dave", "10.0.0.7", DESCRIBE, DENY),
                acl("payments-", PREFIXED, "erin", "*", READ, ALLOW),
                acl(NOT_REPLICATED, LITERAL, "frank", "*", READ, ALLOW));
    }

    /**
     * Groups on P, committed before either replicator starts: at a kept record, at a record the Filter drops, at 0,
     * in the middle of a run of kept records, and at a partition's end.
     */
    private static Map<String, Map<TopicPartition, OffsetAndMetadata>> sourceGroups(List<ProducedRecord> source) {
        TopicPartition orders0 = new TopicPartition("orders", 0);
        TopicPartition orders1 = new TopicPartition("orders", 1);
        TopicPartition orders2 = new TopicPartition("orders", 2);
        TopicPartition payments0 = new TopicPartition("payments-eu", 0);
        TopicPartition payments1 = new TopicPartition("payments-eu", 1);
        long filtered = 24; // 24 % 7 == 3: a debug record
        assertThat(isDebug(partition(source, orders1).get((int) filtered))).isTrue();
        Map<String, Map<TopicPartition, OffsetAndMetadata>> groups = new LinkedHashMap<>();
        groups.put("billing", Map.of(orders0, new OffsetAndMetadata(10), orders1, new OffsetAndMetadata(filtered),
                orders2, new OffsetAndMetadata(partition(source, orders2).size())));
        groups.put("audit", Map.of(payments0, new OffsetAndMetadata(0), payments1, new OffsetAndMetadata(38),
                orders0, new OffsetAndMetadata(45)));
        return groups;
    }

    private static void alterGroup(LocalKafkaCluster cluster, String group, Map<TopicPartition, OffsetAndMetadata> o) {
        try {
            cluster.admin().alterConsumerGroupOffsets(group, o).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot commit offsets of group " + group, e);
        }
    }

    // ---- The two replicators ----------------------------------------------------------------------------------

    /** The example file with {@code backup.bootstrap.servers} (and primary's) pointing at the test's clusters. */
    private static Path example(Path to, LocalKafkaCluster backup) throws IOException {
        Path file = Paths.get(System.getProperty("mirror.home", "..")).resolve(EXAMPLE);
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("primary.bootstrap.servers")) {
                line = "primary.bootstrap.servers = " + p.bootstrapServers();
            } else if (line.startsWith("backup.bootstrap.servers")) {
                line = "backup.bootstrap.servers = " + backup.bootstrapServers();
            }
            lines.add(line);
        }
        Files.write(to, lines);
        return to;
    }

    /** {@code org.apache.kafka.connect.mirror.MirrorMaker <file>} as {@code connect-mirror-maker.sh} runs it. */
    private static ChildJvm startMirrorMaker2(Path file) throws IOException {
        String classpath = Files.readString(Paths.get(System.getProperty("bench.peer.classpath.file"))).trim();
        Path log4j = base.resolve("log4j2-mm2.properties");
        Files.writeString(log4j, String.join("\n",
                "status = warn",
                "appender.out.type = Console",
                "appender.out.name = out",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.out.ref = out",
                "logger.mirror.name = org.apache.kafka.connect.mirror",
                "logger.mirror.level = INFO",
                "logger.connect.name = org.apache.kafka.connect.runtime",
                "logger.connect.level = INFO",
                "logger.network.name = org.apache.kafka.clients.NetworkClient",
                "logger.network.level = ERROR",
                ""));
        ChildJvm mm2 = ChildJvm.start("mirror-maker-2", base, List.of("-Xms128M", "-Xmx512M",
                        "-Djava.io.tmpdir=" + base, "-Dlog4j2.configurationFile=" + log4j),
                classpath, "org.apache.kafka.connect.mirror.MirrorMaker", List.of(file.toString()));
        LOG.info("MirrorMaker 2 started (pid {}), log {}", mm2.pid(), base.resolve("mirror-maker-2.log"));
        return mm2;
    }

    // ---- Reading the targets ------------------------------------------------------------------------------------

    private static TopicPartition remote(TopicPartition tp) {
        return new TopicPartition("primary." + tp.topic(), tp.partition());
    }

    private static void awaitRecords(LocalKafkaCluster target, String topic, int count,
                                     java.util.function.Supplier<String> state) {
        Poll.until(count + " records in " + topic + " on " + target.name(), TIMEOUT,
                () -> recordCount(target, topic) >= count, () -> recordCount(target, topic) + " there, " + state.get());
    }

    private static long recordCount(LocalKafkaCluster target, String topic) {
        return targetOffsets(target).entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                .mapToLong(e -> e.getValue().size()).sum();
    }

    /** Every committed record of the remote data topics, per partition in offset order. */
    private static Map<Integer, List<ProducedRecord>> records(LocalKafkaCluster target, String topic) {
        Map<Integer, List<ProducedRecord>> byPartition = new TreeMap<>();
        read(target, (record, offset) -> {
            if (record.topic().equals(topic)) {
                byPartition.computeIfAbsent(record.partition(), k -> new ArrayList<>()).add(record);
            }
        });
        return byPartition;
    }

    /** The offsets of every committed record of the remote data topics, per partition. */
    private static Map<TopicPartition, List<Long>> targetOffsets(LocalKafkaCluster target) {
        Map<TopicPartition, List<Long>> offsets = new HashMap<>();
        read(target, (record, offset) -> offsets.computeIfAbsent(
                new TopicPartition(record.topic(), record.partition()), k -> new ArrayList<>()).add(offset));
        return offsets;
    }

    /** Reads the remote data topics that exist on {@code target} to their read_committed end. */
    private static void read(LocalKafkaCluster target, java.util.function.ObjLongConsumer<ProducedRecord> sink) {
        Map<String, Object> props = new HashMap<>(target.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (String topic : DATA_TOPICS.keySet()) {
                consumer.listTopics(Duration.ofSeconds(10)).getOrDefault("primary." + topic, List.of())
                        .forEach(info -> tps.add(new TopicPartition(info.topic(), info.partition())));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cannot read " + tps + " to " + ends + " on " + target.name());
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    sink.accept(ProducedRecord.from(r), r.offset());
                }
            }
        }
    }

    private static Map<TopicPartition, Long> endOffsets(LocalKafkaCluster target, Set<TopicPartition> tps)
            throws Exception {
        Map<TopicPartition, OffsetSpec> request = tps.stream().collect(Collectors.toMap(tp -> tp,
                tp -> OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        target.admin().listOffsets(request).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** Remote topics ({@code primary.*}, not MM2's internal ones) on {@code target}. */
    private static Set<String> remoteTopics(LocalKafkaCluster target) {
        try {
            return target.admin().listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith("primary.") && !t.endsWith(".internal"))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int partitions(LocalKafkaCluster target, String topic) throws Exception {
        return target.admin().describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().size();
    }

    /** The topic's configs set on it (not the broker's defaults). */
    private static Map<String, String> topicConfigs(LocalKafkaCluster target, String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            return target.admin().describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                    .entries().stream().filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                    .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value, (x, y) -> x, TreeMap::new));
        } catch (Exception e) {
            return Map.of("error", e.toString());
        }
    }

    private static AclBinding acl(String topic, PatternType type, String user, String host, AclOperation op,
                                  AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(TOPIC, topic, type),
                new AccessControlEntry("User:" + user, host, op, permission));
    }

    /** Every topic ACL of {@code target}. */
    private static Set<AclBinding> topicAcls(LocalKafkaCluster target) {
        try {
            return new HashSet<>(target.admin().describeAcls(new AclBindingFilter(
                    new ResourcePatternFilter(TOPIC, null, PatternType.ANY), AccessControlEntryFilter.ANY))
                    .values().get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- Offsets ------------------------------------------------------------------------------------------------

    /** {@code RemoteClusterUtils.translateOffsets} of {@code group} on {@code target}, offsets only. */
    private static Map<TopicPartition, Long> translate(LocalKafkaCluster target, String group) {
        try {
            Map<String, Object> props = new HashMap<>(target.clientProperties());
            return RemoteClusterUtils.translateOffsets(props, "primary", group, Duration.ofSeconds(10)).entrySet()
                    .stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (Exception e) {
            return Map.of();
        }
    }

    /**
     * MM2's translation of {@code group} once it has settled: its checkpoints move while its offset syncs arrive, so
     * wait (at most 40 s, then take what there is) until every partition has one and none changed for 8 s (four
     * checkpoint intervals of the example file).
     */
    private static Map<TopicPartition, Long> settledTranslation(LocalKafkaCluster target, String group,
                                                                Set<TopicPartition> partitions) {
        Map<TopicPartition, Long> last = new HashMap<>();
        long[] changedAt = {System.nanoTime()};
        try {
            Poll.until("MM2's checkpoints of " + group + " to settle", Duration.ofSeconds(40), () -> {
                Map<TopicPartition, Long> now = translate(target, group);
                if (!now.equals(last)) {
                    last.clear();
                    last.putAll(now);
                    changedAt[0] = System.nanoTime();
                }
                return now.keySet().containsAll(partitions)
                        && System.nanoTime() - changedAt[0] >= Duration.ofSeconds(8).toNanos();
            });
        } catch (AssertionError e) {
            LOG.info("MM2's checkpoints of {} did not settle: {}", group, e.getMessage());
        }
        return translate(target, group);
    }

    /** The offsets committed for {@code group} on {@code target}. */
    private static Map<TopicPartition, Long> committed(LocalKafkaCluster target, String group) {
        try {
            return target.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).entrySet().stream().filter(e -> e.getValue() != null)
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (Exception e) {
            return Map.of();
        }
    }

    /**
     * The exact target offsets of source position {@code g} of {@code tp}, as {@code [lowest, highest]}: the target
     * offset of the first replicated record with source offset {@code >= g}; when every replicated record lies below
     * {@code g}, anything after the last one up to the target's end (only transaction markers lie in between).
     */
    private static long[] exactTarget(List<ProducedRecord> source, TopicPartition tp, long g, List<Long> targetOffsets,
                                      long targetEnd) {
        List<ProducedRecord> records = partition(source, tp);
        int kept = 0;
        for (int offset = 0; offset < records.size(); offset++) {
            if (isDebug(records.get(offset))) {
                continue;
            }
            if (offset >= g) {
                return new long[] {targetOffsets.get(kept), targetOffsets.get(kept)};
            }
            kept++;
        }
        return new long[] {kept == 0 ? 0 : targetOffsets.get(kept - 1) + 1, targetEnd};
    }

    private static boolean isExact(Map<TopicPartition, Long> translated, Map<TopicPartition, long[]> exact) {
        return translated.keySet().equals(exact.keySet()) && exact.entrySet().stream().allMatch(e ->
                translated.get(e.getKey()) >= e.getValue()[0] && translated.get(e.getKey()) <= e.getValue()[1]);
    }

    private static String show(Map<TopicPartition, long[]> exact) {
        return exact.entrySet().stream().map(e -> e.getKey() + "=" + (e.getValue()[0] == e.getValue()[1]
                ? String.valueOf(e.getValue()[0]) : e.getValue()[0] + ".." + e.getValue()[1]))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    /** What MM2's translated offset means: exact, or how many replicated records a consumer re-reads or skips. */
    private static String describe(List<ProducedRecord> source, TopicPartition tp, long g, Long translated,
                                   List<Long> targetOffsets) {
        if (translated == null) {
            return "no checkpoint";
        }
        List<ProducedRecord> records = partition(source, tp);
        int below = 0; // replicated records with source offset < g: they sit at target offsets 0..below-1 (no gaps)
        for (int offset = 0; offset < records.size() && offset < g; offset++) {
            if (!isDebug(records.get(offset))) {
                below++;
            }
        }
        long exact = below < targetOffsets.size() ? targetOffsets.get(below) : targetOffsets.size();
        if (translated == exact) {
            return "exact";
        }
        return translated < exact ? "re-reads " + (exact - translated) + " records"
                : "skips " + (translated - exact) + " records";
    }
}
