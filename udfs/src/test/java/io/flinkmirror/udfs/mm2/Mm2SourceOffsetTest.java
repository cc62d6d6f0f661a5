package io.flinkmirror.udfs.mm2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class Mm2SourceOffsetTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadMirrorSourceConnectorOffsetsAsConnectWritesThem() {
        Optional<Mm2SourceOffset> o = Mm2SourceOffset.parse(
                utf8("[\"MirrorSourceConnector\",{\"cluster\":\"A\",\"partition\":3,\"topic\":\"orders-compacted\"}]"),
                utf8("{\"offset\":4711}"));
        assertThat(o).contains(new Mm2SourceOffset("MirrorSourceConnector", "A",
                new TopicPartition("orders-compacted", 3), 4711L));
        assertThat(o.get().resumeAt()).contains(4712L);
    }

    @Test
    void shouldNotDependOnFieldOrderOrSpacing() {
        Optional<Mm2SourceOffset> o = Mm2SourceOffset.parse(
                utf8("[ \"MirrorSourceConnector\", { \"topic\" : \"t\", \"cluster\" : \"east\", \"partition\" : 0 } ]"),
                utf8("{ \"offset\" : 0 }"));
        assertThat(o.map(Mm2SourceOffset::resumeAt)).contains(Optional.of(1L));
        assertThat(o.get().cluster()).isEqualTo("east");
    }

    @Test
    void shouldReadATombstoneAsClearedAndOtherRecordsAsNothing() {
        Optional<Mm2SourceOffset> cleared = Mm2SourceOffset.parse(
                utf8("[\"MirrorSourceConnector\",{\"cluster\":\"A\",\"partition\":0,\"topic\":\"t\"}]"), null);
        assertThat(cleared).isPresent();
        assertThat(cleared.get().resumeAt()).isEmpty();
        assertThat(Mm2SourceOffset.parse(utf8("[\"MirrorCheckpointConnector\",{\"group\":\"g\"}]"),
                utf8("{\"offset\":1}"))).isEmpty();
        assertThat(Mm2SourceOffset.parse(utf8("garbage"), utf8("{}"))).isEmpty();
        assertThat(Mm2SourceOffset.parse(null, utf8("{\"offset\":1}"))).isEmpty();
    }
}
