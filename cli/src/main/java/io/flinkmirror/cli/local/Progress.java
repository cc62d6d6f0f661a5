package io.flinkmirror.cli.local;

import io.flinkmirror.cli.rest.FlinkRest;
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
public final class Progress implements AutoCloseable {

    private final Admin source;
    private final String group;
    private final java.util.List<String> topics;
    private final FlinkRest rest;
    private final String jobId;

    public Progress(Admin source, java.util.List<String> topics, String group, String restUrl, String jobId) {
        this.source = source;
        this.topics = topics;
        this.group = group;
        this.rest = new FlinkRest(restUrl);
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

    private String checkpoint() {
        return rest.latestCompletedCheckpoint(jobId).map(latest -> "last checkpoint #" + latest.getId() + ", "
                + (System.currentTimeMillis() - latest.getLatestAckTimestamp()) / 1000 + " s ago")
                .orElse("no checkpoint yet");
    }

    private String state() {
        return rest.job(jobId).getJobStatus().name();
    }

    @Override
    public void close() {
        rest.close();
    }
}
