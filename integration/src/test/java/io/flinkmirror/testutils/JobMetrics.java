package io.flinkmirror.testutils;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobID;

/** A running job's metrics, read the way an operator reads them: through Flink's REST API (what the web UI shows). */
public final class JobMetrics {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String rest;
    private final JobID job;

    /** The job these metrics are of. */
    public JobID job() {
        return job;
    }

    public JobMetrics(String restUrl, JobID job) {
        this.rest = restUrl;
        this.job = job;
    }

    /** Metric ids, over all vertices of the job, that match. */
    public List<String> ids(Predicate<String> match) {
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
    public double aggregate(Predicate<String> match, String agg) {
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

    /** GET {@code path} of the REST API (e.g. {@code /jobs/<id>/checkpoints}) as JSON. */
    public JsonNode get(String path) {
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
