package io.flinkmirror.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * One line of quickstart progress: records replicated (and committed on the target), lag, last checkpoint. It reads
 * the offsets the job's source commits on every completed checkpoint, which is exactly when the sink's transactions
 * commit, so "replicated" counts only data a read_committed consumer on the target can see.
 */
public final class Progress {

    private final Admin source;
    private final String group;
    private final java.util.List<String> topics;
    private final String restUrl;
    private final String jobId;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    public Progress(Admin source, java.util.List<String> topics, String group, String restUrl, String jobId) {
        this.source = source;
        this.topics = topics;
        this.group = group;
        this.restUrl = restUrl;
        this.jobId = jobId;
    }

    /** A one-line summary, e.g. {@code replicated 12,400 records | lag 35 | last checkpoint #7, 2 s ago}. */
    public String line() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = source.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            source.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS).values().forEach(d ->
                    d.partitions().forEach(p -> request.put(new TopicPartition(d.name(), p.partition()),
                            OffsetSpec.latest())));
            long replicated = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
            long end = source.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(5, TimeUnit.SECONDS).values().stream().mapToLong(r -> r.offset()).sum();
            return String.format("replicated %,d records | lag %,d | %s | job %s", replicated,
                    Math.max(0, end - replicated), checkpoint(), state());
        } catch (Exception e) {
            return "waiting for the job (" + e.getClass().getSimpleName() + ")";
        }
    }

    private String checkpoint() throws Exception {
        JsonNode latest = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
        if (latest.isMissingNode() || latest.isNull()) {
            return "no checkpoint yet";
        }
        long ago = (System.currentTimeMillis() - latest.path("latest_ack_timestamp").asLong()) / 1000;
        return "last checkpoint #" + latest.path("id").asLong() + ", " + ago + " s ago";
    }

    private String state() throws Exception {
        return get("/jobs/" + jobId).path("state").asText("?");
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(restUrl + path))
                .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        return json.readTree(response.body());
    }
}
