package io.flinkmirror.udfs.transform;

import io.flinkmirror.udfs.record.MirrorRecord;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * What a flow does to each record before writing it: its Kafka Connect transforms ({@link TransformChain}, on the
 * {@link SourceRecord} MirrorMaker 2 would build, see {@link ConnectRecords}), then its {@link RecordFunction}, either
 * of which may drop the record. Built from the flow's settings on the client (where {@link #validate()} checks them),
 * shipped with the job, and opened where records are replicated.
 *
 * <p>Errors follow {@link ErrorTolerance}: {@link #apply} throws a {@link TransformException} naming the transform
 * alias, its key and the record; the caller decides whether to skip the record ({@code errors.tolerance = all}) or to
 * fail. A transform that sends the record to another topic or partition always fails: the replication policy names
 * target topics and a source partition has one target partition.
 *
 * <p>Not thread-safe: one instance per thread ({@link #copy()} gives a new unopened one).
 */
public final class RecordTransformer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String flow;
    private final String sourceAlias;
    private final TreeMap<String, String> transformProps;
    private final TreeMap<String, String> keysAsSet;
    private final String functionClass;
    private final String functionKey;
    private final TreeMap<String, String> functionOptions;
    private final ErrorTolerance tolerance;

    private transient TransformChain chain;
    private transient List<TransformChain.Stage> stages;
    private transient RecordFunction function;
    private transient ConnectRecords converter;

    /**
     * @param flow            the flow's name, {@code A->B}
     * @param sourceAlias     the source cluster's alias (the {@code cluster} of MM2's source partition)
     * @param transformProps  the flow's {@code transforms*} and {@code predicates*} keys, flow prefix removed
     * @param keysAsSet       for each key of {@code transformProps}, the key as written in the file
     * @param functionClass   the {@link RecordFunction} class, or null
     * @param functionKey     the key naming it, as written
     * @param functionOptions the function's options
     * @param tolerance       {@code errors.tolerance}
     */
    public RecordTransformer(String flow, String sourceAlias, Map<String, String> transformProps,
                             Map<String, String> keysAsSet, String functionClass, String functionKey,
                             Map<String, String> functionOptions, ErrorTolerance tolerance) {
        this.flow = Objects.requireNonNull(flow, "flow");
        this.sourceAlias = Objects.requireNonNull(sourceAlias, "sourceAlias");
        this.transformProps = new TreeMap<>(transformProps);
        this.keysAsSet = new TreeMap<>(keysAsSet);
        this.functionClass = functionClass == null || functionClass.isBlank() ? null : functionClass.strip();
        this.functionKey = functionKey;
        this.functionOptions = new TreeMap<>(functionOptions);
        this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
    }

    /** Whether the flow has transforms or a record function at all (if not, records are never converted). */
    public boolean active() {
        return TransformChain.configured(transformProps) || functionClass != null;
    }

    public ErrorTolerance tolerance() {
        return tolerance;
    }

    /** A new, unopened transformer with the same settings (for another thread). */
    public RecordTransformer copy() {
        return new RecordTransformer(flow, sourceAlias, transformProps, keysAsSet, functionClass, functionKey,
                functionOptions, tolerance);
    }

    /**
     * Builds every transform and predicate with its options and loads the record function's class, then frees them:
     * a bad class or option fails here, at config time.
     *
     * @throws IllegalArgumentException one line naming the key, the value and what is allowed
     */
    public void validate() {
        TransformChain.build(transformProps, this::keyAsSet, loader()).close();
        if (functionClass != null) {
            newFunction();
        }
    }

    /** Builds the transforms and opens the record function. */
    public void open() throws Exception {
        chain = TransformChain.build(transformProps, this::keyAsSet, loader());
        stages = chain.stages();
        converter = new ConnectRecords();
        if (functionClass != null) {
            function = newFunction();
            function.open(functionOptions);
        }
    }

    /**
     * The record to write for {@code record} (whose target topic is set), the same object changed, or another one
     * from the record function; null if a transform or the function dropped it.
     *
     * @throws TransformException naming the transform and the record, if one failed or renamed the record
     */
    public MirrorRecord apply(MirrorRecord record) {
        if (chain == null) {
            throw new IllegalStateException("RecordTransformer of " + flow + " is not open");
        }
        if (!stages.isEmpty() && applyTransforms(record) == null) {
            return null;
        }
        if (function == null) {
            return record;
        }
        String targetTopic = record.targetTopic;
        String sourceTopic = record.sourceTopic;
        int partition = record.partition;
        long offset = record.offset;
        MirrorRecord out;
        try {
            out = function.apply(record);
        } catch (Exception e) {
            throw new TransformException(flow + " record function " + functionClass + " (" + functionKey
                    + ") failed on record " + sourceTopic + "-" + partition + "@" + offset + ": " + e, e, true);
        }
        if (out != null && (!targetTopic.equals(out.targetTopic) || out.partition != partition
                || out.offset != offset || !sourceTopic.equals(out.sourceTopic))) {
            throw new TransformException(flow + " record function " + functionClass + " (" + functionKey
                    + ") changed the topic, partition or offset of record " + sourceTopic + "-" + partition + "@"
                    + offset + " (now " + out.sourceTopic + "-" + out.partition + "@" + out.offset + " -> "
                    + out.targetTopic + "): the replication policy names target topics and each source partition "
                    + "has one target partition; change only key, value, headers and timestamp", null, false);
        }
        return out;
    }

    /** Runs the transforms on {@code record}; writes the result back into it, or returns null if dropped. */
    private MirrorRecord applyTransforms(MirrorRecord record) {
        SourceRecord current = converter.toSourceRecord(record, sourceAlias);
        for (TransformChain.Stage stage : stages) {
            SourceRecord next;
            try {
                next = stage.apply(current);
            } catch (RuntimeException e) {
                throw new TransformException(flow + " " + stage.describe() + " failed on record " + record.sourceTopic
                        + "-" + record.partition + "@" + record.offset + ": " + e, e, true);
            }
            if (next == null) {
                return null;
            }
            if (!record.targetTopic.equals(next.topic()) || !Integer.valueOf(record.partition)
                    .equals(next.kafkaPartition())) {
                throw new TransformException(flow + " " + stage.describe() + " sent record " + record.sourceTopic
                        + "-" + record.partition + "@" + record.offset + " to " + next.topic() + "-"
                        + next.kafkaPartition() + " instead of " + record.targetTopic + "-" + record.partition
                        + ": the replication policy names target topics (replication.policy.class) and each source "
                        + "partition has one target partition; remove this transform", null, false);
            }
            current = next;
        }
        try {
            ConnectRecords.copyBack(current, record);
        } catch (RuntimeException e) {
            throw new TransformException(flow + " transforms " + keyAsSet(TransformChain.TRANSFORMS) + " = "
                    + transformProps.get(TransformChain.TRANSFORMS) + " turned record " + record.sourceTopic + "-"
                    + record.partition + "@" + record.offset + " into one that cannot be written: "
                    + e.getMessage(), e, true);
        }
        return record;
    }

    /** Closes the transforms and the record function. */
    public void close() throws Exception {
        if (chain != null) {
            chain.close();
            chain = null;
        }
        if (function != null) {
            RecordFunction f = function;
            function = null;
            f.close();
        }
    }

    private RecordFunction newFunction() {
        Class<?> c;
        try {
            c = Class.forName(functionClass, true, loader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("Invalid value '" + functionClass + "' for key '" + functionKey
                    + "': class not found on the job's classpath; expected a class implementing "
                    + RecordFunction.class.getName() + " with a public no-arg constructor", e);
        }
        if (!RecordFunction.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException("Invalid value '" + functionClass + "' for key '" + functionKey
                    + "': not a " + RecordFunction.class.getName() + "; expected a class implementing it with a "
                    + "public no-arg constructor");
        }
        try {
            return (RecordFunction) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("Invalid value '" + functionClass + "' for key '" + functionKey
                    + "': cannot create an instance (" + e + "); expected a public no-arg constructor", e);
        }
    }

    private String keyAsSet(String key) {
        String set = keysAsSet.get(key);
        return set != null ? set : flow + "." + key;
    }

    /** The classloader of the job's user code: Flink sets it as the context classloader of tasks and the client. */
    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : RecordTransformer.class.getClassLoader();
    }

    @Override
    public String toString() {
        return "RecordTransformer{" + flow + ", transforms=" + transformProps.get(TransformChain.TRANSFORMS)
                + ", function=" + functionClass + ", errors.tolerance=" + tolerance.configValue() + "}";
    }
}
