package io.flinkmirror.udfs.transform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

/**
 * A flow's Kafka Connect transforms, built from MirrorMaker 2's connector keys as Kafka Connect builds them
 * ({@code ConnectorConfig}): {@code transforms} lists aliases in order; each alias has {@code transforms.<alias>.type}
 * (a {@link Transformation} class) and its options {@code transforms.<alias>.<option>}, optionally
 * {@code transforms.<alias>.predicate} (an alias listed in {@code predicates}, whose {@code predicates.<alias>.type}
 * is a {@link Predicate} class) and {@code transforms.<alias>.negate}. A stage with a predicate transforms only the
 * records the predicate matches (or does not match, negated); the others pass unchanged.
 *
 * <p>Not thread-safe (SMT instances are not): one chain per thread.
 */
public final class TransformChain implements AutoCloseable {

    static final String TRANSFORMS = "transforms";
    static final String PREDICATES = "predicates";
    private static final String TYPE = "type";
    private static final String PREDICATE = "predicate";
    private static final String NEGATE = "negate";

    /** SMTs that rename the topic: the replication policy names target topics, so they are refused at start. */
    static final Set<String> TOPIC_RENAMING = Set.of("org.apache.kafka.connect.transforms.RegexRouter",
            "org.apache.kafka.connect.transforms.TimestampRouter");

    /** One transform of the chain. */
    static final class Stage {
        final String alias;
        final String typeKey;
        final String className;
        final Transformation<SourceRecord> transformation;
        final Predicate<SourceRecord> predicate;
        final boolean negate;

        Stage(String alias, String typeKey, String className, Transformation<SourceRecord> transformation,
              Predicate<SourceRecord> predicate, boolean negate) {
            this.alias = alias;
            this.typeKey = typeKey;
            this.className = className;
            this.transformation = transformation;
            this.predicate = predicate;
            this.negate = negate;
        }

        /** The record after this stage: transformed, passed on unchanged (predicate), or null (filtered). */
        SourceRecord apply(SourceRecord record) {
            if (predicate != null && predicate.test(record) == negate) {
                return record;
            }
            return transformation.apply(record);
        }

        /** The key and class that define this stage, for messages: {@code A->B.transforms.x.type = ...Filter}. */
        String describe() {
            return "transform '" + alias + "' (" + typeKey + " = " + className + ")";
        }
    }

    private final List<Stage> stages;
    private final List<Predicate<SourceRecord>> predicates;

    private TransformChain(List<Stage> stages, List<Predicate<SourceRecord>> predicates) {
        this.stages = stages;
        this.predicates = predicates;
    }

    /** The stages, in order. */
    List<Stage> stages() {
        return stages;
    }

    /** Whether {@code props} lists at least one transform. */
    public static boolean configured(Map<String, String> props) {
        return !aliases(props.get(TRANSFORMS)).isEmpty();
    }

    /**
     * Builds and configures the chain.
     *
     * @param props    the flow's transform keys without their flow prefix ({@code transforms},
     *                 {@code transforms.x.type}, {@code predicates}, ...), per-flow values already preferred
     * @param keyAsSet the key as written in the file for a key of {@code props} (e.g. {@code A->B.transforms}), for
     *                 error messages
     * @throws IllegalArgumentException one line naming the key, the value and what is allowed
     */
    public static TransformChain build(Map<String, String> props, UnaryOperator<String> keyAsSet,
                                       ClassLoader loader) {
        List<String> predicateAliases = aliases(props.get(PREDICATES));
        List<Predicate<SourceRecord>> predicates = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        TransformChain chain = new TransformChain(stages, predicates);
        try {
            for (String alias : aliases(props.get(TRANSFORMS))) {
                stages.add(stage(props, keyAsSet, loader, alias, predicateAliases, predicates));
            }
        } catch (RuntimeException e) {
            chain.close();
            throw e;
        }
        return chain;
    }

    private static Stage stage(Map<String, String> props, UnaryOperator<String> keyAsSet, ClassLoader loader,
                               String alias, List<String> predicateAliases,
                               List<Predicate<SourceRecord>> predicates) {
        String prefix = TRANSFORMS + "." + alias + ".";
        String typeKey = prefix + TYPE;
        String className = props.get(typeKey);
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("Missing key '" + keyAsSet.apply(typeKey) + "': transform '" + alias
                    + "' is listed in '" + keyAsSet.apply(TRANSFORMS) + "'; set it to a class implementing "
                    + Transformation.class.getName() + ", e.g. org.apache.kafka.connect.transforms.Filter");
        }
        className = className.strip();
        if (TOPIC_RENAMING.contains(className)) {
            throw new IllegalArgumentException("Invalid value '" + className + "' for key '"
                    + keyAsSet.apply(typeKey) + "': it renames topics, and Flink Mirror names target topics with the "
                    + "replication policy (replication.policy.class); remove transform '" + alias + "'");
        }
        @SuppressWarnings("unchecked")
        Transformation<SourceRecord> transformation =
                instance(keyAsSet.apply(typeKey), className, Transformation.class, loader);
        Map<String, String> options = options(props, prefix);
        String predicateAlias = options.remove(PREDICATE);
        String negateValue = options.remove(NEGATE);
        configure(transformation::configure, transformation.config(), options, "transform '" + alias + "'",
                keyAsSet.apply(prefix) + "*", className);
        Predicate<SourceRecord> predicate = null;
        boolean negate = false;
        if (negateValue != null) {
            String v = negateValue.strip();
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("Invalid value '" + negateValue + "' for key '"
                        + keyAsSet.apply(prefix + NEGATE) + "': expected true or false");
            }
            negate = Boolean.parseBoolean(v);
        }
        if (predicateAlias != null && !predicateAlias.isBlank()) {
            predicateAlias = predicateAlias.strip();
            if (!predicateAliases.contains(predicateAlias)) {
                throw new IllegalArgumentException("Invalid value '" + predicateAlias + "' for key '"
                        + keyAsSet.apply(prefix + PREDICATE) + "': expected a predicate alias listed in '"
                        + keyAsSet.apply(PREDICATES) + "' (" + (predicateAliases.isEmpty() ? "none listed"
                        : String.join(", ", predicateAliases)) + ")");
            }
            predicate = predicate(props, keyAsSet, loader, predicateAlias);
            predicates.add(predicate);
        } else if (negateValue != null) {
            throw new IllegalArgumentException("Invalid key '" + keyAsSet.apply(prefix + NEGATE)
                    + "': transform '" + alias + "' has no predicate to negate; set '"
                    + keyAsSet.apply(prefix + PREDICATE) + "' or remove it");
        }
        return new Stage(alias, keyAsSet.apply(typeKey), className, transformation, predicate, negate);
    }

    private static Predicate<SourceRecord> predicate(Map<String, String> props, UnaryOperator<String> keyAsSet,
                                                     ClassLoader loader, String alias) {
        String prefix = PREDICATES + "." + alias + ".";
        String typeKey = prefix + TYPE;
        String className = props.get(typeKey);
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("Missing key '" + keyAsSet.apply(typeKey) + "': predicate '" + alias
                    + "' is used by a transform; set it to a class implementing " + Predicate.class.getName()
                    + ", e.g. org.apache.kafka.connect.transforms.predicates.HasHeaderKey");
        }
        className = className.strip();
        @SuppressWarnings("unchecked")
        Predicate<SourceRecord> predicate = instance(keyAsSet.apply(typeKey), className, Predicate.class, loader);
        configure(predicate::configure, predicate.config(), options(props, prefix), "predicate '" + alias + "'",
                keyAsSet.apply(prefix) + "*", className);
        return predicate;
    }

    /** The options of one alias: every key under {@code prefix} but its type, prefix removed (Connect passes them). */
    private static Map<String, String> options(Map<String, String> props, String prefix) {
        Map<String, String> options = new LinkedHashMap<>();
        props.forEach((k, v) -> {
            if (k.startsWith(prefix) && !k.equals(prefix + TYPE)) {
                options.put(k.substring(prefix.length()), v);
            }
        });
        return options;
    }

    private static void configure(java.util.function.Consumer<Map<String, ?>> configure, ConfigDef def,
                                  Map<String, String> options, String what, String keys, String className) {
        try {
            configure.accept(options);
        } catch (RuntimeException e) {
            String allowed = def == null ? "" : "; the options of " + className + " are "
                    + (def.names().isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(def.names())));
            // Option names only: values may be credentials of a custom SMT.
            throw new IllegalArgumentException("Invalid options " + options.keySet() + " of " + what + " (" + keys
                    + "): " + e.getMessage() + allowed, e);
        }
    }

    private static <T> T instance(String key, String className, Class<T> type, ClassLoader loader) {
        Class<?> c;
        try {
            c = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("Invalid value '" + className + "' for key '" + key
                    + "': class not found on the job's classpath; expected a class implementing " + type.getName()
                    + " with a public no-arg constructor", e);
        }
        if (!type.isAssignableFrom(c)) {
            throw new IllegalArgumentException("Invalid value '" + className + "' for key '" + key
                    + "': not a " + type.getName() + "; expected a class implementing it with a public no-arg "
                    + "constructor");
        }
        try {
            return type.cast(c.getConstructor().newInstance());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("Invalid value '" + className + "' for key '" + key
                    + "': cannot create an instance (" + e + "); expected a public no-arg constructor", e);
        }
    }

    /** The aliases of a {@code transforms} / {@code predicates} value: comma-separated, blanks dropped. */
    static List<String> aliases(String value) {
        List<String> aliases = new ArrayList<>();
        if (value != null) {
            for (String alias : value.split(",")) {
                if (!alias.isBlank()) {
                    aliases.add(alias.strip());
                }
            }
        }
        return aliases;
    }

    @Override
    public void close() {
        for (Stage stage : stages) {
            closeQuietly(stage.transformation);
        }
        for (Predicate<SourceRecord> predicate : predicates) {
            closeQuietly(predicate);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing an SMT frees nothing we depend on
        }
    }
}
