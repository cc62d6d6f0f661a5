package io.flinkmirror.udfs.record;

import io.flinkmirror.udfs.policy.ReplicationPolicy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The replication step of one flow {@code source->target}: names the target topic with the
 * {@link ReplicationPolicy}, keeps everything else of the record, and stops records that would go back to the cluster
 * they came from.
 *
 * <p>Loop prevention has two layers. Topic names (MirrorMaker 2's rule) are applied when topics are selected, before a
 * record ever reaches this function. For policies that do not rename topics (identity mirroring in active-active), the
 * provenance header {@value #ORIGIN_HEADER} carries the alias of the cluster where the record was first written: it is
 * added on the first hop, kept on later hops, and a record whose origin is the target cluster is dropped here.
 */
public class ReplicateFunction extends ProcessFunction<MirrorRecord, MirrorRecord> {

    private static final long serialVersionUID = 1L;

    /** Header carrying the alias of the cluster a record was first produced to. */
    public static final String ORIGIN_HEADER = "flink-mirror.origin";

    private final String sourceAlias;
    private final String targetAlias;
    private final ReplicationPolicy policy;
    private final boolean provenanceHeader;

    private transient Map<String, String> targetTopics;
    private transient byte[] sourceAliasBytes;
    private transient byte[] targetAliasBytes;
    private transient Counter loopDropped;

    public ReplicateFunction(String sourceAlias, String targetAlias, ReplicationPolicy policy,
                             boolean provenanceHeader) {
        this.sourceAlias = Objects.requireNonNull(sourceAlias, "sourceAlias");
        this.targetAlias = Objects.requireNonNull(targetAlias, "targetAlias");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.provenanceHeader = provenanceHeader;
    }

    @Override
    public void open(OpenContext openContext) {
        targetTopics = new HashMap<>();
        sourceAliasBytes = sourceAlias.getBytes(StandardCharsets.UTF_8);
        targetAliasBytes = targetAlias.getBytes(StandardCharsets.UTF_8);
        loopDropped = getRuntimeContext().getMetricGroup().counter("records-dropped-loop");
    }

    @Override
    public void processElement(MirrorRecord record, Context ctx, Collector<MirrorRecord> out) {
        if (provenanceHeader) {
            byte[] origin = record.lastHeader(ORIGIN_HEADER);
            if (origin == null) {
                record.addHeader(ORIGIN_HEADER, sourceAliasBytes);
            } else if (java.util.Arrays.equals(origin, targetAliasBytes)) {
                loopDropped.inc();
                return;
            }
        }
        record.targetTopic = targetTopics.computeIfAbsent(record.sourceTopic, this::targetTopic);
        out.collect(record);
    }

    /** The target topic for a source topic of this flow. */
    public String targetTopic(String sourceTopic) {
        return policy.formatRemoteTopic(sourceAlias, sourceTopic);
    }
}
