package io.flinkmirror.udfs.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.udfs.record.MirrorRecord;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.junit.jupiter.api.Test;

/**
 * The types kept in Flink state (and sent between operators) are Flink POJOs: serialized by the PojoSerializer, whose
 * versioned snapshot lets a savepoint restore after fields were added or removed. A type that fell back to Kryo could
 * not evolve at all, so this test fails when one does (for example after a field without a public setter appears).
 */
class StateTypesTest {

    @Test
    void shouldSerializeStateAndStreamTypesAsEvolvablePojos() {
        for (Class<?> type : List.of(OffsetRuns.class, RunsHead.class, RunChunk.class, PartitionWrites.class,
                GroupOffset.class, EncodedRecord.class, MirrorRecord.class)) {
            TypeInformation<?> info = TypeInformation.of(type);
            assertThat(info).as("type information of %s", type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
            TypeSerializer<?> serializer = info.createSerializer(new SerializerConfigImpl());
            assertThat(serializer).isInstanceOf(PojoSerializer.class);
            TypeSerializerSnapshot<?> snapshot = serializer.snapshotConfiguration();
            assertThat(snapshot.getCurrentVersion()).as("snapshot version of %s", type.getSimpleName()).isPositive();
        }
    }
}
