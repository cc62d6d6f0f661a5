package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.MirrorCli;
import io.flinkmirror.cli.StatusCommand;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.testutils.TwoClusterTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** {@code bin/mirror status} against the real job on a MiniCluster, through Flink's REST API. */
class StatusCommandIT extends TwoClusterTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int RECORDS = 3_000;

    /** Exit code and output of one in-process {@code mirror status} run. */
    private record Run(int exit, String out, String err) {
    }

    @Test
    void shouldShowFlowWhileRunningAndFailOnceCancelled(@InjectClusterClient RestClusterClient<?> client)
            throws Exception {
        String rest = client.getWebInterfaceURL();
        String flow = a.name() + "->" + b.name();
        a.createTopic("st", 2);
        TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic("st", 2).count(RECORDS)
                .baseTimestamp(System.currentTimeMillis()).timestampSpread(Duration.ofMillis(1)).idPrefix("s")
                .build());
        Map<String, String> props = MirrorRunner.flowProperties(a, b);
        props.put(flow + ".topics", "st");
        props.put("emit.checkpoints.interval.seconds", "1");
        // The flow's lag sums every replicated partition, the heartbeats topic's too, which gets a record every second
        // (as often as the test's checkpoints commit): it is 0 only in short gaps that a poll may keep missing (CI
        // once saw "lag 1 records" for 2 minutes). Without heartbeats the lag settles at 0 once caught up.
        props.put("emit.heartbeats.enabled", "false");
        JobID job;
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            job = mirror.client().getJobID();
            mirror.awaitCaughtUp(a, b.name(), List.of("st"), TIMEOUT);

            Run[] last = new Run[1];
            // The REST API serves each vertex's metrics once its metric fetcher has read them (every few seconds):
            // the offset mapping's lag may show before the replication's records/s does.
            Poll.until("mirror status to show lag 0, records/s and a completed checkpoint", TIMEOUT, () -> {
                last[0] = status("--flink-rest", rest);
                return last[0].exit() == StatusCommand.OK && last[0].out().matches("(?s).*\\blag +0 records.*")
                        && last[0].out().matches("(?s).*records/s +[\\d,.]+.*")
                        && last[0].out().matches("(?s).*last checkpoint +#\\d+, \\d+ s ago.*");
            }, () -> "last run: " + last[0]);
            Run running = last[0];
            assertThat(running.out())
                    .contains("Flink Mirror job " + job, "RUNNING")
                    .containsPattern("FLOW +" + java.util.regex.Pattern.quote(flow))
                    .containsPattern("records/s +[\\d,.]+")
                    .containsPattern("p99 latency +(-|[\\d,]+ ms)");
            assertThat(running.err()).isEmpty();
            System.out.println(running.out());

            mirror.client().cancel().get(30, TimeUnit.SECONDS);
        }

        // The REST API caches job details for a few seconds: it reports the cancellation a little later.
        Run[] last = new Run[1];
        Poll.until("mirror status --job to report the cancelled job", TIMEOUT, () -> {
            last[0] = status("--flink-rest", rest, "--job", job.toString());
            // CANCELLING first, then CANCELED: wait for the final state.
            return last[0].exit() != StatusCommand.OK && last[0].err().contains("CANCELED");
        }, () -> "last run: " + last[0]);
        Run cancelled = last[0];
        assertThat(cancelled.exit()).isEqualTo(StatusCommand.NOT_RUNNING);
        assertThat(cancelled.out()).isEmpty();
        assertThat(cancelled.err().strip()).doesNotContain("\n")
                .contains(job.toString(), "CANCELED", "not RUNNING");

        Run any = status("--flink-rest", rest);
        assertThat(any.exit()).isEqualTo(StatusCommand.NOT_RUNNING);
        assertThat(any.err().strip()).doesNotContain("\n").contains("no RUNNING Flink Mirror job", job.toString());
    }

    private static Run status(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new MirrorCli());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "status";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = cli.execute(all);
        return new Run(exit, out.toString(), err.toString());
    }
}
