package io.flinkmirror.job.sink;

import java.util.Optional;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.util.function.SerializableFunction;

/**
 * A committer decorator named by a JVM system property ({@value #PROPERTY}): a class on the classpath with a public
 * no-argument constructor that implements {@code SerializableFunction<Committer<KafkaCommittable>,
 * Committer<KafkaCommittable>>}, wrapped around every flow's sink committer. An extension point for tests of the real
 * process (fault injection: commits held back or never made); the decorators themselves live with the tests. Never
 * set it on a mirror whose data matters.
 */
public final class CommitterDecorators {

    /** The JVM system property naming the decorator class. */
    public static final String PROPERTY = "flink-mirror.committer-decorator";

    private CommitterDecorators() {}

    /** The decorator {@value #PROPERTY} names, if set; a clear error if it cannot be used. */
    @SuppressWarnings("unchecked")
    public static Optional<SerializableFunction<Committer<KafkaCommittable>, Committer<KafkaCommittable>>> requested() {
        String name = System.getProperty(PROPERTY, "").trim();
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Object decorator;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> type = Class.forName(name, true,
                    loader != null ? loader : CommitterDecorators.class.getClassLoader());
            decorator = type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + name + ": cannot create it (" + e
                    + "); allowed: a class on the classpath with a public no-argument constructor", e);
        }
        if (!(decorator instanceof SerializableFunction<?, ?>)) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + name + " is not a SerializableFunction"
                    + "<Committer<KafkaCommittable>, Committer<KafkaCommittable>>");
        }
        return Optional.of((SerializableFunction<Committer<KafkaCommittable>, Committer<KafkaCommittable>>) decorator);
    }
}
