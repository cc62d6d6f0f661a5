package io.flinkmirror.testutils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Deterministic test records and the producers that send them.
 *
 * <p>{@code TestRecords.builder().topic("orders", 4).count(5000).build()} gives 5,000 records spread over the 4
 * partitions with a mix of null keys, tombstones, headers (repeated keys, null and empty values) and varied (also
 * decreasing) timestamps. Every non-null value starts with a unique id ({@code id=<prefix>-<seq>;}) and every tombstone
 * has a unique key ({@code tomb-<prefix>-<seq>}), so each record can be told apart. Same builder settings (seed and
 * base timestamp included) give the same records.
 */
public final class TestRecords {

    private static final Pattern ID = Pattern.compile("^id=([^;]+);");

    private TestRecords() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The unique id of a generated record: from its value, or from its key for a tombstone; null if none. */
    public static String idOf(ProducedRecord record) {
        if (record.isTombstone()) {
            String key = record.keyString();
            return key != null && key.startsWith("tomb-") ? key.substring("tomb-".length()) : null;
        }
        Matcher m = ID.matcher(record.valueString());
        return m.find() ? m.group(1) : null;
    }

    /** The records of one topic, in their order. */
    public static List<ProducedRecord> ofTopic(List<ProducedRecord> records, String topic) {
        return records.stream().filter(r -> r.topic().equals(topic)).collect(Collectors.toList());
    }

    /** Sends the records, in order, to their explicit partitions with an idempotent producer (acks=all). */
    public static void produce(String bootstrapServers, List<ProducedRecord> records) {
        produce(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), records);
    }

    /** As {@link #produce(String, List)}, for a cluster that needs more client settings (TLS, SASL). */
    public static void produce(Map<String, String> clientProperties, List<ProducedRecord> records) {
        Properties props = producerProps(clientProperties);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
            for (ProducedRecord r : records) {
                acks.add(producer.send(r.toProducerRecord()));
            }
            producer.flush();
            await(acks, records);
        }
    }

    /** Sends the records in one transaction, then commits it ({@code commit}) or aborts it. */
    public static void produceTransactional(String bootstrapServers, List<ProducedRecord> records, boolean commit) {
        Properties props = producerProps(bootstrapServers);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-records-" + UUID.randomUUID());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
            for (ProducedRecord r : records) {
                acks.add(producer.send(r.toProducerRecord()));
            }
            producer.flush();
            await(acks, records);
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.abortTransaction();
            }
        }
    }

    /** Settings of the producers here: idempotent, acks=all, byte-array serializers. */
    static Properties producerProps(String bootstrapServers) {
        return producerProps(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    private static Properties producerProps(Map<String, String> clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }

    private static void await(List<Future<RecordMetadata>> acks, List<ProducedRecord> records) {
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("send failed for record #" + i + " " + records.get(i), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while producing", e);
            }
        }
    }

    /** Settings of a generated record set. Defaults: 1,000 records, seed 42, 10% null keys, 5% tombstones. */
    public static final class Builder {
        private final Map<String, Integer> topics = new LinkedHashMap<>();
        private int count = 1000;
        private long seed = 42;
        private String idPrefix = "r";
        private double nullKeyRatio = 0.10;
        private double tombstoneRatio = 0.05;
        private double headerRatio = 0.30;
        private int keySpace = 100;
        private int valueSize = 64;
        private Long baseTimestamp;
        private Duration timestampSpread = Duration.ofMinutes(30);

        /** Adds a topic with its partition count; records are spread over all topics given. */
        public Builder topic(String topic, int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1");
            }
            topics.put(topic, partitions);
            return this;
        }

        public Builder count(int count) {
            this.count = count;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Prefix of the unique ids; use distinct prefixes for record sets that go to the same topic. */
        public Builder idPrefix(String idPrefix) {
            this.idPrefix = idPrefix;
            return this;
        }

        public Builder nullKeyRatio(double ratio) {
            this.nullKeyRatio = ratio;
            return this;
        }

        public Builder tombstoneRatio(double ratio) {
            this.tombstoneRatio = ratio;
            return this;
        }

        public Builder headerRatio(double ratio) {
            this.headerRatio = ratio;
            return this;
        }

        /** Number of distinct keys of non-tombstone records ({@code key-0 .. key-(n-1)}). */
        public Builder keySpace(int keySpace) {
            this.keySpace = keySpace;
            return this;
        }

        /** Approximate value size in bytes (the id prefix comes first; padding fills the rest). */
        public Builder valueSize(int valueSize) {
            this.valueSize = valueSize;
            return this;
        }

        /**
         * Timestamps are drawn within {@code base +- spread}. Default base: now rounded down to the minute, minus the
         * spread, so no timestamp is in the future or old enough to meet a default retention.
         */
        public Builder baseTimestamp(long baseTimestamp) {
            this.baseTimestamp = baseTimestamp;
            return this;
        }

        public Builder timestampSpread(Duration spread) {
            this.timestampSpread = spread;
            return this;
        }

        public List<ProducedRecord> build() {
            if (topics.isEmpty()) {
                throw new IllegalStateException("no topic: call topic(name, partitions)");
            }
            long spread = Math.max(1, timestampSpread.toMillis());
            long base = baseTimestamp != null ? baseTimestamp : System.currentTimeMillis() / 60_000 * 60_000 - spread;
            Random random = new Random(seed);
            List<Map.Entry<String, Integer>> topicList = new ArrayList<>(topics.entrySet());
            List<ProducedRecord> out = new ArrayList<>(count);
            for (int seq = 0; seq < count; seq++) {
                Map.Entry<String, Integer> topic = topicList.get(seq % topicList.size());
                int partition = random.nextInt(topic.getValue());
                String id = idPrefix + "-" + seq;
                boolean tombstone = random.nextDouble() < tombstoneRatio;
                String key;
                String value;
                if (tombstone) {
                    key = "tomb-" + id;
                    value = null;
                } else {
                    key = random.nextDouble() < nullKeyRatio ? null : "key-" + random.nextInt(Math.max(1, keySpace));
                    value = value(id, random);
                }
                List<ProducedRecord.Header> headers =
                        random.nextDouble() < headerRatio ? headers(seq, random) : List.of();
                long timestamp = base + (long) ((random.nextDouble() * 2 - 1) * spread);
                out.add(new ProducedRecord(topic.getKey(), partition, ProducedRecord.utf8(key),
                        ProducedRecord.utf8(value), headers, timestamp));
            }
            return out;
        }

        private String value(String id, Random random) {
            StringBuilder sb = new StringBuilder(Math.max(valueSize, 16)).append("id=").append(id).append(';');
            while (sb.length() < valueSize) {
                sb.append((char) ('a' + random.nextInt(26)));
            }
            return sb.toString();
        }

        private static List<ProducedRecord.Header> headers(int seq, Random random) {
            List<ProducedRecord.Header> headers = new ArrayList<>();
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                switch (random.nextInt(4)) {
                    case 0:
                        headers.add(new ProducedRecord.Header("null-header", null));
                        break;
                    case 1:
                        headers.add(new ProducedRecord.Header("empty-header", new byte[0]));
                        break;
                    case 2:
                        headers.add(new ProducedRecord.Header("binary", new byte[] {0, (byte) 0xff, (byte) seq}));
                        break;
                    default:
                        headers.add(ProducedRecord.Header.of("trace", "seq-" + seq + "-" + i));
                }
            }
            if (random.nextInt(5) == 0) { // a repeated header key: order must survive
                headers.add(ProducedRecord.Header.of("trace", "repeat-" + seq));
            }
            return headers;
        }
    }
}
