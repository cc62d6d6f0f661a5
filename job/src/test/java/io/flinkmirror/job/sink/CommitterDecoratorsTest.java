package io.flinkmirror.job.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.util.function.SerializableFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommitterDecoratorsTest {

    /** Counts the commits it lets through. */
    public static final class Counting
            implements SerializableFunction<Committer<KafkaCommittable>, Committer<KafkaCommittable>> {
        static int commits;

        @Override
        public Committer<KafkaCommittable> apply(Committer<KafkaCommittable> delegate) {
            return new Committer<>() {
                @Override
                public void commit(Collection<CommitRequest<KafkaCommittable>> requests) {
                    commits++;
                }

                @Override
                public void close() {}
            };
        }
    }

    @AfterEach
    void clear() {
        System.clearProperty(CommitterDecorators.PROPERTY);
    }

    @Test
    void shouldDecorateNothingUnlessAsked() {
        assertThat(CommitterDecorators.requested()).isEmpty();
    }

    @Test
    void shouldWrapTheCommitterInTheNamedDecorator() throws Exception {
        System.setProperty(CommitterDecorators.PROPERTY, Counting.class.getName());

        Committer<KafkaCommittable> decorated = CommitterDecorators.requested().orElseThrow().apply(null);
        decorated.commit(java.util.List.of());

        assertThat(Counting.commits).isEqualTo(1);
    }

    @Test
    void shouldNameThePropertyTheValueAndWhatIsAllowedWhenTheClassCannotBeUsed() {
        System.setProperty(CommitterDecorators.PROPERTY, "com.example.NoSuchDecorator");
        assertThatThrownBy(CommitterDecorators::requested).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Dflink-mirror.committer-decorator=com.example.NoSuchDecorator")
                .hasMessageContaining("public no-argument constructor");

        System.setProperty(CommitterDecorators.PROPERTY, String.class.getName());
        assertThatThrownBy(CommitterDecorators::requested).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.String is not a SerializableFunction");
    }
}
