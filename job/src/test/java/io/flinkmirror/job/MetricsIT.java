package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.flinkmirror.job.local.LocalKafkaCluster;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.TestRecords;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's MirrorMaker-2-style metrics, read the way an operator reads them: through Flink's REST API (what the web
 * UI shows), under a known load.
 */
class MetricsIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();
    @RegisterExtension
    static final KafkaClusters KAFKA = KafkaClusters.of(2);

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int RECORDS = 5_000;
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    static LocalKafkaCluster a;
    static LocalKafkaCluster b;

    private final HttpClient http = HttpClient.newHttpClient();
    private String rest;
    private JobID job;

    @BeforeAll
    static void clusters() {
        a = KAFKA.get(0);
        b = KAFKA.get(1);
    }

    @Test
    void shouldReportCountsLatencyLagAndCheckpointLatencyThroughRest(@InjectClusterClient RestClusterClient<?> client)
            throws Exception {
        rest = client.getWebInterfaceURL();
        a.createTopic("mt", 2);
        // Fresh timestamps, so that replication latency measures the replication, not the test data's age.
        TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic("mt", 2).count(RECORDS)
                .baseTimestamp(System.currentTimeMillis()).timestampSpread(Duration.ofMillis(1)).idPrefix("m")
                .build());
        Map<String, String> props = MirrorRunner.flowProperties(a, b);
        props.put(a.name() + "->" + b.name() + ".topics", "mt");
        props.put("emit.checkpoints.interval.seconds", "1");
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            job = mirror.client().getJobID();
            a.admin().alterConsumerGroupOffsets("metrics-it", Map.of(new TopicPartition("mt", 0),
                    new OffsetAndMetadata(100), new TopicPartition("mt", 1), new OffsetAndMetadata(200)))
                    .all().get(10, TimeUnit.SECONDS);

            Predicate<String> recordCount = partitionMetric("record-count");
            Poll.until("record-count of mt to sum to " + RECORDS, TIMEOUT,
                    () -> aggregate(recordCount, "sum") == RECORDS, () -> "sum " + aggregate(recordCount, "sum"));
            assertThat(ids(partitionMetric("byte-rate"))).hasSize(2);
            assertThat(ids(partitionMetric("record-age-ms-max"))).hasSize(2);

            Predicate<String> latencyMax = partitionMetric("replication-latency-ms-max");
            Poll.until("replication-latency-ms-max of mt", TIMEOUT, () -> aggregate(latencyMax, "max") > 0,
                    () -> "max " + aggregate(latencyMax, "max"));
            assertThat(aggregate(latencyMax, "max")).isLessThan(60_000);
            Predicate<String> p99 = operatorMetric("replication-latency-ms-p99");
            Poll.until("replication-latency-ms-p99", TIMEOUT, () -> aggregate(p99, "max") > 0,
                    () -> "ids " + ids(id -> id.contains("latency")));
            assertThat(aggregate(p99, "max")).isLessThan(60_000);

            Predicate<String> partitionLag = partitionMetric("lag");
            Predicate<String> subtaskLag = operatorMetric("lag");
            Poll.until("lag of both partitions back to 0", TIMEOUT,
                    () -> ids(partitionLag).size() == 2 && aggregate(partitionLag, "sum") == 0
                            && aggregate(subtaskLag, "sum") == 0,
                    () -> "partition lags " + ids(partitionLag) + " sum " + aggregate(partitionLag, "sum"));

            Predicate<String> checkpointLatency = operatorMetric("checkpoint-latency-ms");
            Poll.until("checkpoint-latency-ms of the translated group", TIMEOUT,
                    () -> aggregate(checkpointLatency, "max") >= 0,
                    () -> "max " + aggregate(checkpointLatency, "max"));
            assertThat(aggregate(checkpointLatency, "max")).isLessThan(60_000);
        }
    }

    /** A per-partition metric of topic {@code mt}: {@code <operator>.topic.mt.partition.<p>.<name>}. */
    private static Predicate<String> partitionMetric(String name) {
        return id -> id.matches(".*\\.topic\\.mt\\.partition\\.\\d+\\." + java.util.regex.Pattern.quote(name));
    }

    /** A subtask-level metric of an operator (the offset mapping's, for the names used here). */
    private static Predicate<String> operatorMetric(String name) {
        return id -> id.endsWith("." + name) && !id.contains(".partition.");
    }

    /** Metric ids, over all vertices of the job, that match. */
    private List<String> ids(Predicate<String> match) {
        List<String> ids = new ArrayList<>();
        for (String vertex : vertices()) {
            for (JsonNode m : get("/jobs/" + job + "/vertices/" + vertex + "/subtasks/metrics")) {
                if (match.test(m.get("id").asText())) {
                    ids.add(m.get("id").asText());
                }
            }
        }
        return ids;
    }

    /**
     * {@code agg} ({@code sum} or {@code max}) over subtasks of every matching metric, then summed ({@code sum}) or
     * maxed ({@code max}) over the metrics; NaN values (empty windows) are skipped; -1 if none has a value.
     */
    private double aggregate(Predicate<String> match, String agg) {
        double result = -1;
        boolean any = false;
        for (String vertex : vertices()) {
            List<String> ids = new ArrayList<>();
            String base = "/jobs/" + job + "/vertices/" + vertex + "/subtasks/metrics";
            get(base).forEach(m -> {
                if (match.test(m.get("id").asText())) {
                    ids.add(m.get("id").asText());
                }
            });
            if (ids.isEmpty()) {
                continue;
            }
            JsonNode values = get(base + "?agg=" + agg + "&get="
                    + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8));
            for (JsonNode v : values) {
                double value = v.get(agg).asDouble(Double.NaN);
                if (Double.isNaN(value)) {
                    continue;
                }
                result = !any ? value : agg.equals("sum") ? result + value : Math.max(result, value);
                any = true;
            }
        }
        return result;
    }

    private List<String> vertices() {
        List<String> ids = new ArrayList<>();
        get("/jobs/" + job).get("vertices").forEach(v -> ids.add(v.get("id").asText()));
        return ids;
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(rest + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("GET " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: GET " + path, e);
        }
    }
}
