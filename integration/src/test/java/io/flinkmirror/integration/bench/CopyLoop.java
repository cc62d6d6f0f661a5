package io.flinkmirror.integration.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The ceiling contender: the least work a replicator can do. {@code threads} threads, each owning every
 * {@code threads}-th partition, read {@code read_committed} with a plain consumer and write the same partition, key,
 * value, headers and timestamp with an idempotent producer (acks=all, the benchmark's batch tuning). No offsets
 * committed, no transactions, no topic management beyond creating the target topic. Runs until killed.
 * <p>
 * {@code CopyLoop SOURCE_BOOTSTRAP SOURCE_TOPIC TARGET_BOOTSTRAP TARGET_TOPIC THREADS}
 */
public final class CopyLoop {

    private CopyLoop() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: CopyLoop SOURCE_BOOTSTRAP SOURCE_TOPIC TARGET_BOOTSTRAP TARGET_TOPIC THREADS");
            System.exit(2);
        }
        String sourceBootstrap = args[0];
        String sourceTopic = args[1];
        String targetBootstrap = args[2];
        String targetTopic = args[3];
        int threads = Integer.parseInt(args[4]);
        int partitions;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, sourceBootstrap))) {
            partitions = admin.describeTopics(List.of(sourceTopic)).allTopicNames().get(60, TimeUnit.SECONDS)
                    .get(sourceTopic).partitions().size();
        }
        Workload.createTopic(targetBootstrap, targetTopic, partitions);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<TopicPartition> owned = new ArrayList<>();
            for (int p = t; p < partitions; p += threads) {
                owned.add(new TopicPartition(sourceTopic, p));
            }
            Thread worker = new Thread(() -> copy(sourceBootstrap, owned, targetBootstrap, targetTopic),
                    "copy-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }

    private static void copy(String sourceBootstrap, List<TopicPartition> owned, String targetBootstrap,
                             String targetTopic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, sourceBootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = Workload.producer(targetBootstrap)) {
            consumer.assign(owned);
            consumer.seekToBeginning(owned);
            while (true) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    producer.send(new ProducerRecord<>(targetTopic, record.partition(), record.timestamp(),
                            record.key(), record.value(), record.headers()), (metadata, e) -> {
                                if (e != null) {
                                    System.err.println("copy loop: send failed: " + e);
                                    Runtime.getRuntime().halt(1);
                                }
                            });
                }
            }
        }
    }
}
