package io.flinkmirror.cli;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Read-only client of the Flink REST API: cluster overview, TaskManagers, jobs, their vertices, checkpoints and
 * aggregated subtask metrics.
 */
public final class FlinkRest {

    /** A GET that failed: the server could not be reached or did not answer 200. */
    public static final class RestException extends RuntimeException {
        private final int status;

        RestException(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /** HTTP status of the answer, or -1 when there was none. */
        public int status() {
            return status;
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    // Flink writes metric values that are NaN (empty windows) as bare NaN.
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    public FlinkRest(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** The REST endpoint, e.g. {@code http://localhost:8081}. */
    public String url() {
        return baseUrl;
    }

    /** {@code /overview}: cluster summary (TaskManagers, slots, jobs by state, Flink version). */
    public JsonNode overview() {
        return get("/overview");
    }

    /** {@code /taskmanagers}: the registered TaskManagers, each with its id, slots and last heartbeat. */
    public JsonNode taskManagers() {
        return get("/taskmanagers").path("taskmanagers");
    }

    /** {@code /jobs/overview}: every job the cluster knows, running or finished. */
    public JsonNode jobsOverview() {
        return get("/jobs/overview").path("jobs");
    }

    /** {@code /jobs/<id>}: state, name and vertices of one job. */
    public JsonNode job(String jobId) {
        return get("/jobs/" + jobId);
    }

    /** {@code latest.completed} of {@code /jobs/<id>/checkpoints}, a missing node when none completed yet. */
    public JsonNode latestCompletedCheckpoint(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
    }

    /** {@code latest.restored} of {@code /jobs/<id>/checkpoints}: the checkpoint or savepoint the job started from. */
    public JsonNode latestRestoredCheckpoint(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
    }

    /** Ids of the metrics that the subtasks of a vertex report. */
    public List<String> metricIds(String jobId, String vertexId) {
        List<String> ids = new ArrayList<>();
        get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics").forEach(m -> ids.add(m.path("id")
                .asText()));
        return ids;
    }

    /**
     * Each metric of {@code ids} aggregated over the vertex's subtasks with {@code agg} ({@code sum}, {@code max},
     * ...); NaN where the metric has no value.
     */
    public Map<String, Double> aggregate(String jobId, String vertexId, Collection<String> ids, String agg) {
        Map<String, Double> values = new HashMap<>();
        if (ids.isEmpty()) {
            return values;
        }
        JsonNode answer = get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics?agg=" + agg + "&get="
                + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8));
        answer.forEach(m -> values.put(m.path("id").asText(), m.path(agg).asDouble(Double.NaN)));
        return values;
    }

    private JsonNode get(String path) {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RestException("Cannot reach the Flink REST API at " + baseUrl + " (GET " + path + "): " + e,
                    -1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestException("Interrupted: GET " + baseUrl + path, -1, e);
        }
        if (response.statusCode() != 200) {
            throw new RestException("GET " + baseUrl + path + " answered " + response.statusCode() + ": "
                    + response.body(), response.statusCode(), null);
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new RestException("GET " + baseUrl + path + " answered no JSON: " + e.getMessage(), 200, e);
        }
    }
}
