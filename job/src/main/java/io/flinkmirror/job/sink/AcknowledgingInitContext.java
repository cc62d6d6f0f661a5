package io.flinkmirror.job.sink;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The writer's init context as Flink gives it, except that it hands the connector's writer a metadata consumer:
 * flink-connector-kafka's writer passes it the {@link RecordMetadata} of every record the target acknowledged
 * (on the producer's I/O thread), which is how the sink learns the target offsets of what it wrote.
 */
final class AcknowledgingInitContext implements WriterInitContext {

    private final WriterInitContext context;
    private final Consumer<RecordMetadata> acknowledged;

    AcknowledgingInitContext(WriterInitContext context, Consumer<RecordMetadata> acknowledged) {
        this.context = context;
        this.acknowledged = acknowledged;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <MetaT> Optional<Consumer<MetaT>> metadataConsumer() {
        Optional<Consumer<MetaT>> theirs = context.metadataConsumer();
        Consumer<MetaT> ours = m -> acknowledged.accept((RecordMetadata) m);
        return Optional.of(theirs.map(t -> (Consumer<MetaT>) m -> {
            ours.accept(m);
            t.accept(m);
        }).orElse(ours));
    }

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
        return context.getUserCodeClassLoader();
    }

    @Override
    public MailboxExecutor getMailboxExecutor() {
        return context.getMailboxExecutor();
    }

    @Override
    public ProcessingTimeService getProcessingTimeService() {
        return context.getProcessingTimeService();
    }

    @Override
    public SinkWriterMetricGroup metricGroup() {
        return context.metricGroup();
    }

    @Override
    public SerializationSchema.InitializationContext asSerializationSchemaInitializationContext() {
        return context.asSerializationSchemaInitializationContext();
    }

    @Override
    public boolean isObjectReuseEnabled() {
        return context.isObjectReuseEnabled();
    }

    @Override
    public <IN> TypeSerializer<IN> createInputSerializer() {
        return context.createInputSerializer();
    }

    @Override
    public OptionalLong getRestoredCheckpointId() {
        return context.getRestoredCheckpointId();
    }

    @Override
    public JobInfo getJobInfo() {
        return context.getJobInfo();
    }

    @Override
    public TaskInfo getTaskInfo() {
        return context.getTaskInfo();
    }
}
