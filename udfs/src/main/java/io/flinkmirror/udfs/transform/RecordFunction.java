package io.flinkmirror.udfs.transform;

import io.flinkmirror.udfs.record.MirrorRecord;
import java.io.Serializable;
import java.util.Map;

/**
 * A flow's own record logic, for what Kafka Connect SMTs cannot express: gets each record after the flow's
 * transforms ({@code transforms}) and returns the record to write, or null to drop it. Loaded by class name from
 * {@code flink.record.function.class} (per flow: {@code A->B.flink.record.function.class}); needs a public no-arg
 * constructor. One instance per parallel subtask; {@link #apply} is called from one thread.
 *
 * <p>The record may be changed in place or replaced: key, value, headers and timestamp are the function's to
 * change. Its source topic, partition, offset and target topic must stay as they are (the replication policy names
 * target topics, and each source partition has one target partition); changing them stops the job. An exception
 * thrown by {@link #apply} is handled as {@code errors.tolerance} says (the job fails, or with {@code all} the record
 * is skipped and counted). A dropped record keeps offset translation exact: a group positioned at it translates to
 * the next record written.
 */
public interface RecordFunction extends Serializable {

    /**
     * Called once before the first record, with the flow's {@code flink.record.function.<option>} keys (prefix
     * removed, {@code class} not included).
     */
    default void open(Map<String, String> options) throws Exception {
    }

    /** The record to write for {@code record} (the same object, changed or not, or another one), or null to drop it. */
    MirrorRecord apply(MirrorRecord record) throws Exception;

    /** Called once when the flow's operator stops. */
    default void close() throws Exception {
    }
}
