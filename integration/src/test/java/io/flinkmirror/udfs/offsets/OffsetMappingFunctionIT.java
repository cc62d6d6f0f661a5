package io.flinkmirror.udfs.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.testutils.LogCapture;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.TwoClusterTest;
import io.flinkmirror.udfs.mm2.Checkpoint;
import io.flinkmirror.udfs.mm2.OffsetSync;
import io.flinkmirror.udfs.record.RecordFingerprint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/**
 * {@link OffsetMappingFunction} alone, in Flink's keyed operator test harness, against real brokers: a transaction's
 * writes are located only once committed on the target, then give offset syncs and exact group offset translations;
 * its state survives a snapshot and restore.
 */
class OffsetMappingFunctionIT extends TwoClusterTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String TOPIC = "harness";
    private static final String REMOTE = "A.harness";
    private static final int RECORDS = 10;

    private static OffsetMappingFunction function() {
        return new OffsetMappingFunction(new OffsetMappingSettings("A->B", "mm2-offset-syncs.A.internal",
                "A.checkpoints.internal", a.clientProperties(), b.clientProperties(), b.clientProperties(),
                b.clientProperties(), java.time.Duration.ofDays(1), true, null));
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, PartitionWrites, GroupOffset, EncodedRecord>
            harness(OffsetMappingFunction function) throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(function),
                PartitionWrites::sourceKey, GroupOffset::sourceKey, Types.STRING);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldMapATransactionOnceCommittedAndTranslateGroupOffsetsExactly() throws Exception {
        a.createTopic(TOPIC, 1);
        b.createTopic(REMOTE, 1);
        long[] timestamps = new long[RECORDS];
        Properties sourceProps = new Properties();
        sourceProps.putAll(a.clientProperties());
        try (KafkaProducer<byte[], byte[]> source = new KafkaProducer<>(sourceProps, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                timestamps[i] = 1_700_000_000_000L + i;
                source.send(new ProducerRecord<>(TOPIC, 0, timestamps[i], bytes("k" + i), bytes("v" + i))).get();
            }
        }
        PartitionWrites writes = new PartitionWrites(TOPIC, REMOTE, 0, 1, new long[] {0}, new long[] {RECORDS},
                RecordFingerprint.of(bytes("k0"), bytes("v0"), timestamps[0]),
                RecordFingerprint.of(bytes("k9"), bytes("v9"), timestamps[RECORDS - 1]));
        writes.firstTimestamp = timestamps[0];
        writes.lastTimestamp = timestamps[RECORDS - 1];
        writes.minTimestamp = timestamps[0];
        writes.maxTimestamp = timestamps[RECORDS - 1];

        Properties txn = new Properties();
        txn.putAll(b.clientProperties());
        txn.put("transactional.id", "harness-sink");
        try (KafkaProducer<byte[], byte[]> sink = new KafkaProducer<>(txn, new ByteArraySerializer(),
                new ByteArraySerializer());
             var harness = harness(function())) {
            harness.open();
            // What the sink writes in the transaction of checkpoint 1, not committed yet.
            sink.initTransactions();
            sink.beginTransaction();
            for (int i = 0; i < RECORDS; i++) {
                sink.send(new ProducerRecord<>(REMOTE, 0, timestamps[i], bytes("k" + i), bytes("v" + i)));
            }
            sink.flush();
            long[] now = {0};
            try (LogCapture lookups = LogCapture.of(OffsetMappingFunction.class.getName(), Level.DEBUG)) {
                harness.processElement1(new StreamRecord<>(writes));
                // Wait until look-ups on the target have run and found the transaction open, twice.
                Poll.until("two look-ups that find the transaction not committed yet", TIMEOUT, () -> {
                    try {
                        harness.setProcessingTime(now[0] += 200);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return lookups.linesContaining(OffsetMappingFunction.NOT_COMMITTED_YET).size() >= 2;
                });
            }
            assertThat(harness.getSideOutput(OffsetMappingFunction.OFFSET_SYNCS)).as("syncs before the commit")
                    .isNullOrEmpty();

            sink.commitTransaction();
            Poll.until("the offset sync of the committed transaction", TIMEOUT, () -> {
                try {
                    harness.setProcessingTime(now[0] += 200);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return !syncs(harness).isEmpty();
            });
            assertThat(syncs(harness)).containsExactly(new OffsetSync(TOPIC, 0, 0, 0));

            harness.processElement2(new StreamRecord<>(new GroupOffset("g", TOPIC, 0, 4, "m")));
            assertThat(checkpoints(harness)).containsExactly(new Checkpoint("g", REMOTE, 0, 4, 4, "m"));

            // Snapshot and restore into a new instance: the mapping is state, not memory.
            var snapshot = harness.snapshot(1, now[0]);
            try (var restored = harness(function())) {
                restored.initializeState(snapshot);
                restored.open();
                restored.processElement2(new StreamRecord<>(new GroupOffset("g", TOPIC, 0, 7, "m")));
                // Never backwards, and an unchanged translation writes nothing new.
                restored.processElement2(new StreamRecord<>(new GroupOffset("g", TOPIC, 0, 7, "m")));
                restored.processElement2(new StreamRecord<>(new GroupOffset("g", TOPIC, 0, 2, "m")));
                assertThat(checkpoints(restored)).containsExactly(new Checkpoint("g", REMOTE, 0, 7, 7, "m"));
            }
        }
    }

    private static List<OffsetSync> syncs(
            KeyedTwoInputStreamOperatorTestHarness<String, PartitionWrites, GroupOffset, EncodedRecord> harness) {
        List<OffsetSync> syncs = new ArrayList<>();
        var queue = harness.getSideOutput(OffsetMappingFunction.OFFSET_SYNCS);
        if (queue != null) {
            queue.forEach(r -> syncs.add(OffsetSync.deserialize(r.getValue().key, r.getValue().value)));
        }
        return syncs;
    }

    private static List<Checkpoint> checkpoints(
            KeyedTwoInputStreamOperatorTestHarness<String, PartitionWrites, GroupOffset, EncodedRecord> harness) {
        List<Checkpoint> checkpoints = new ArrayList<>();
        for (EncodedRecord r : harness.extractOutputValues()) {
            checkpoints.add(Checkpoint.deserialize(r.key, r.value));
        }
        return checkpoints;
    }
}
