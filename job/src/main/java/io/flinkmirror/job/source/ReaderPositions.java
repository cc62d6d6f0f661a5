package io.flinkmirror.job.source;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.kafka.common.TopicPartition;

/**
 * A reader's position in each of its partitions (the offset of the next record to read), sent to the enumerator about
 * once a second by {@link PositionReportingReader}, so that {@link BacklogMonitor} measures how far behind the flow is
 * from where the readers are, not from offsets committed on checkpoints.
 */
final class ReaderPositions implements SourceEvent {

    private static final long serialVersionUID = 1L;

    private final HashMap<TopicPartition, Long> next;

    ReaderPositions(Map<TopicPartition, Long> next) {
        this.next = new HashMap<>(next);
    }

    Map<TopicPartition, Long> next() {
        return next;
    }

    @Override
    public String toString() {
        return "ReaderPositions" + next;
    }
}
