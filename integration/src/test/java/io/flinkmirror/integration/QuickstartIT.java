package io.flinkmirror.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.testutils.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/mirror quickstart}: records replicated within 60 s, job RUNNING in the REST API, Ctrl-C cleans up. */
class QuickstartIT {

    private static final Pattern REPLICATED = Pattern.compile("replicated ([0-9,]+) records");

    @TempDir
    Path dir;

    @Test
    void shouldReplicateDemoTrafficServeTheWebUiAndStopCleanlyOnCtrlC() throws Exception {
        int port = Processes.freePort();
        Processes.Started quickstart = Processes.mirror(dir, "quickstart", "quickstart", "--web-port",
                String.valueOf(port));
        try {
            Poll.until("the quickstart to report replicated records", Duration.ofSeconds(90),
                    () -> replicated(quickstart.out()) > 0 || !quickstart.process().isAlive());
            assertThat(replicated(quickstart.out())).as("records replicated; stdout:\n%s\nstderr:\n%s",
                    quickstart.out(), quickstart.err()).isPositive();

            HttpClient http = HttpClient.newHttpClient();
            String overview = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + "/jobs/overview")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(overview).contains("\"state\":\"RUNNING\"", "flink-mirror-quickstart");
            HttpResponse<String> index = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.body()).containsIgnoringCase("<html");

            List<ProcessHandle> ours = quickstart.process().descendants().toList();
            quickstart.interrupt();
            int code = quickstart.awaitExit(Duration.ofSeconds(60));
            assertThat(code).as("exit code after Ctrl-C; stderr:\n%s", quickstart.err()).isIn(0, 130);
            assertThat(quickstart.out()).contains("Stopped");
            assertThat(ours).noneMatch(ProcessHandle::isAlive);
            assertThat(ProcessHandle.of(quickstart.process().pid())).isEmpty();
        } finally {
            quickstart.kill();
        }
    }

    /** The largest "replicated N records" count the quickstart printed so far. */
    private static long replicated(String out) {
        long replicated = 0;
        Matcher m = REPLICATED.matcher(out);
        while (m.find()) {
            replicated = Math.max(replicated, Long.parseLong(m.group(1).replace(",", "")));
        }
        return replicated;
    }
}
