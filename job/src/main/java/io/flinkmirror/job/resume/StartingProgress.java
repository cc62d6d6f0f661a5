package io.flinkmirror.job.resume;

import io.flinkmirror.udfs.progress.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The starting position of partitions without committed progress, written to the progress topic as a progress of no
 * records before their first split: so that a partition's first transaction, aborted on the target, is copied again
 * from there like any later one, and a later start without state resumes there without deciding again.
 */
final class StartingProgress {

    private static final Logger LOG = LoggerFactory.getLogger(ResumeFromTarget.class);

    private StartingProgress() {}

    /**
     * Writes a progress of no records at each of {@code starting} to {@code progressTopic} with
     * {@code targetProducerProps} (nothing without either; see {@link ResumeFromTarget#withStartingProgress}).
     */
    static void write(String flow, String progressTopic, Map<String, String> targetProducerProps,
                      Map<TopicPartition, Long> starting) {
        if (progressTopic == null || targetProducerProps == null || starting.isEmpty()) {
            return;
        }
        java.util.Properties props = new java.util.Properties();
        props.putAll(targetProducerProps);
        props.remove("transactional.id");
        props.put("acks", "all");
        props.put("client.id", "flink-mirror-starting-progress-" + flow.replace("->", "-"));
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
                     new org.apache.kafka.clients.producer.KafkaProducer<>(props,
                             new org.apache.kafka.common.serialization.ByteArraySerializer(),
                             new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (Map.Entry<TopicPartition, Long> e : starting.entrySet()) {
                if (e.getValue() < 0) {
                    continue;
                }
                Progress start = new Progress(e.getKey().topic(), e.getKey().partition(), e.getValue(), e.getValue(),
                        new long[0], new long[0]);
                sent.add(producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(progressTopic, 0,
                        start.recordKey(), start.recordValue())));
            }
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(flow + " interrupted while writing its starting progress", e);
        } catch (Exception e) {
            LOG.warn("{} could not write the starting progress of {} partition(s) to {} ({}): should the first "
                    + "transaction of one of them be aborted on the target, the job stops for a start without state",
                    flow, starting.size(), progressTopic, e.toString());
        }
    }
}
