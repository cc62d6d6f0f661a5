package io.flinkmirror.job.source;

import io.flinkmirror.udfs.lag.BacklogDetector;
import io.flinkmirror.udfs.lag.TimeLag;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells Flink when a flow is catching up, so that it checkpoints every
 * {@code execution.checkpointing.interval-during-backlog} then (large transactions, full throughput) and every
 * {@code execution.checkpointing.interval} otherwise (low latency). flink-connector-kafka's source does not report a
 * backlog itself.
 *
 * <p>Every second, on the enumerator's worker thread, it reads the end offsets of the partitions assigned to the
 * readers and the offsets the source committed for its consumer group on the last checkpoint; the readers report
 * where they are about once a second ({@link ReaderPositions}), which is fresher (committed offsets move only on
 * checkpoints, every few seconds while catching up) but stops before transaction markers (the committed offsets go
 * past them): each partition's position is the larger of the two. In the enumerator's thread, {@link TimeLag} turns
 * them into how long the next record to read has been waiting, and {@link BacklogDetector} decides, with hysteresis
 * ({@link BacklogDetector#forReaderPositions}: out of catching up as soon as the readers are within 2 s of the end).
 * One INFO line per change.
 *
 * <p>Catching up is reported to Flink only once a checkpoint of the run has completed: a start with a backlog gets
 * its first checkpoint, so its first records on the target, at the normal interval, not after a long one.
 */
final class BacklogMonitor implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BacklogMonitor.class);
    static final long PERIOD_MS = 1_000;
    /** Samples of end offsets kept per partition: two minutes at one per second. */
    static final int HISTORY = 120;

    private final String flow;
    private final String groupId;
    private final HashMap<String, String> adminProps;
    private final Duration backlogInterval;
    /** The monitor of the current enumerator, which the gauge reads. */
    private transient volatile Running current;
    /** The metric group the gauge is registered on: a global failover's new enumerator may get the same one. */
    private transient Object gaugeGroup;

    BacklogMonitor(String flow, String groupId, Map<String, String> adminProps, Duration backlogInterval) {
        this.flow = Objects.requireNonNull(flow, "flow");
        this.groupId = Objects.requireNonNull(groupId, "groupId");
        this.adminProps = new HashMap<>(adminProps);
        this.backlogInterval = Objects.requireNonNull(backlogInterval, "backlogInterval");
    }

    /** Starts monitoring the partitions {@code assigned} returns; {@link Running#close()} stops it. */
    Running start(SplitEnumeratorContext<?> context, Supplier<Set<TopicPartition>> assigned) {
        Running running = new Running(context, assigned);
        context.callAsync(running::sample, running::update, PERIOD_MS, PERIOD_MS);
        current = running;
        synchronized (this) {
            if (gaugeGroup != context.metricGroup()) {
                context.metricGroup().gauge("catchingUp", () -> {
                    Running r = current;
                    return r != null && r.detector.backlog() ? 1 : 0;
                });
                gaugeGroup = context.metricGroup();
            }
        }
        return running;
    }

    /** End and committed offsets read at one time. */
    record Sample(long timeMs, Map<TopicPartition, Long> ends, Map<TopicPartition, Long> committed) {
    }

    final class Running implements AutoCloseable {
        private final SplitEnumeratorContext<?> context;
        private final Supplier<Set<TopicPartition>> assigned;
        private final TimeLag<TopicPartition> lag = new TimeLag<>(HISTORY);
        private final BacklogDetector detector = BacklogDetector.forReaderPositions(backlogInterval);
        /** Where the readers are, as they last reported ({@link ReaderPositions}). */
        private final Map<TopicPartition, Long> readerPositions = new HashMap<>();
        /** Whether a checkpoint of this run has completed: until then, no backlog is reported to Flink. */
        private boolean checkpointed;
        /** What was last reported to Flink. */
        private boolean reported;
        private volatile Admin admin;
        private volatile boolean closed;
        private String lastFailure;

        Running(SplitEnumeratorContext<?> context, Supplier<Set<TopicPartition>> assigned) {
            this.context = context;
            this.assigned = assigned;
        }

        /** Worker thread: reads the offsets. */
        Sample sample() throws Exception {
            List<TopicPartition> partitions = List.copyOf(assigned.get());
            if (closed || partitions.isEmpty()) {
                return new Sample(System.currentTimeMillis(), Map.of(), Map.of());
            }
            if (admin == null) {
                admin = Admin.create(new HashMap<>(adminProps));
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var endsFuture = admin.listOffsets(latest).all();
            var committedFuture = admin.listConsumerGroupOffsets(
                    Map.of(groupId, new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)))
                    .partitionsToOffsetAndMetadata(groupId);
            long now = System.currentTimeMillis();
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                    : endsFuture.get(10, TimeUnit.SECONDS).entrySet()) {
                ends.put(e.getKey(), e.getValue().offset());
            }
            Map<TopicPartition, Long> committed = new HashMap<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e
                    : committedFuture.get(10, TimeUnit.SECONDS).entrySet()) {
                if (e.getValue() != null) {
                    committed.put(e.getKey(), e.getValue().offset());
                }
            }
            return new Sample(now, ends, committed);
        }

        /** Enumerator thread: a reader's positions. */
        void positions(Map<TopicPartition, Long> next) {
            readerPositions.putAll(next);
        }

        /** Enumerator thread: a checkpoint completed; a backlog found before is reported now. */
        void checkpointCompleted() {
            if (!checkpointed) {
                checkpointed = true;
                report(null);
            }
        }

        /** Tells Flink the backlog state if it changed (and may be told: see {@link #checkpointed}). */
        private void report(String behind) {
            boolean backlog = detector.backlog() && checkpointed;
            if (backlog == reported) {
                return;
            }
            reported = backlog;
            context.setIsProcessingBacklog(backlog);
            String lag = behind == null ? "" : " (" + behind + " behind the source)";
            if (backlog) {
                LOG.info("{} catching up{}: checkpoints every {} ms until less than {} ms behind", flow, lag,
                        backlogInterval.toMillis(), detector.exitLagMs());
            } else {
                LOG.info("{} following the source again{}: checkpoints at the normal interval", flow, lag);
            }
        }

        /** Enumerator thread: updates the lag history and the backlog state. */
        void update(Sample sample, Throwable failure) {
            if (closed) {
                return;
            }
            if (failure != null) {
                String message = String.valueOf(failure.getMessage());
                if (!message.equals(lastFailure)) {
                    LOG.warn("{} could not read the source's offsets to tell a backlog (checkpoint interval unchanged):"
                            + " {}", flow, message);
                    lastFailure = message;
                }
                return;
            }
            lastFailure = null;
            lag.record(sample.timeMs(), sample.ends());
            long maxKnownLag = 0;
            long unknownAgeWaiting = 0;
            for (Map.Entry<TopicPartition, Long> e : sample.ends().entrySet()) {
                Long committed = sample.committed().get(e.getKey());
                Long read = readerPositions.get(e.getKey());
                if (committed == null && read == null) {
                    continue;
                }
                long position = Math.max(committed == null ? -1 : committed, read == null ? -1 : read);
                long end = e.getValue();
                long ms = lag.lagMs(e.getKey(), position, sample.timeMs());
                if (ms == TimeLag.UNKNOWN) {
                    unknownAgeWaiting += Math.max(0, end - position);
                } else {
                    maxKnownLag = Math.max(maxKnownLag, ms);
                }
            }
            readerPositions.keySet().retainAll(sample.ends().keySet());
            detector.update(maxKnownLag, unknownAgeWaiting);
            report(unknownAgeWaiting > 0 ? String.format("%,d records older than %d s and %,d ms",
                    unknownAgeWaiting, HISTORY * PERIOD_MS / 1000, maxKnownLag)
                    : String.format("%,d ms", maxKnownLag));
        }

        @Override
        public void close() {
            closed = true;
            if (current == this) {
                current = null;
            }
            Admin client = admin;
            if (client != null) {
                client.close(Duration.ofSeconds(5));
            }
        }
    }
}
