package io.flinkmirror.udfs.policy;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.List;

/**
 * Creates the {@link ReplicationPolicy} named by {@code replication.policy.class}: our class names, MirrorMaker 2's
 * ({@code org.apache.kafka.connect.mirror.DefaultReplicationPolicy} / {@code IdentityReplicationPolicy}), or any class
 * implementing our {@link ReplicationPolicy} with a public {@code (String separator)} or no-arg constructor.
 */
public final class ReplicationPolicies {

    /** MirrorMaker 2's default policy class name. */
    public static final String MM2_DEFAULT_POLICY = "org.apache.kafka.connect.mirror.DefaultReplicationPolicy";
    /** MirrorMaker 2's identity policy class name. */
    public static final String MM2_IDENTITY_POLICY = "org.apache.kafka.connect.mirror.IdentityReplicationPolicy";

    private static final List<String> DEFAULT_NAMES =
            List.of(DefaultReplicationPolicy.class.getName(), MM2_DEFAULT_POLICY);
    private static final List<String> IDENTITY_NAMES =
            List.of(IdentityReplicationPolicy.class.getName(), MM2_IDENTITY_POLICY);

    private ReplicationPolicies() {
    }

    /** As {@link #create(String, String, String, boolean)} with the internal topic separator enabled (MM2's default). */
    public static ReplicationPolicy create(String className, String separator, String sourceClusterAlias) {
        return create(className, separator, sourceClusterAlias,
                DefaultReplicationPolicy.INTERNAL_TOPIC_SEPARATOR_ENABLED_DEFAULT);
    }

    /**
     * The policy named {@code className} (null or blank means the default policy), using {@code separator} (null
     * means {@code "."}); {@code sourceClusterAlias} is what the identity policy reports as the source of every
     * topic. Throws IllegalArgumentException naming the class and the allowed values if it cannot be created.
     */
    public static ReplicationPolicy create(String className, String separator, String sourceClusterAlias,
                                           boolean internalTopicSeparatorEnabled) {
        String name = className == null ? "" : className.trim();
        if (name.isEmpty() || DEFAULT_NAMES.contains(name)) {
            return new DefaultReplicationPolicy(separator, internalTopicSeparatorEnabled);
        }
        if (IDENTITY_NAMES.contains(name)) {
            return new IdentityReplicationPolicy(separator, internalTopicSeparatorEnabled, sourceClusterAlias);
        }
        return instantiate(name, separator);
    }

    /** What {@code replication.policy.class} accepts, for error messages and documentation. */
    public static String allowedValues() {
        return String.join(", ", DEFAULT_NAMES) + ", " + String.join(", ", IDENTITY_NAMES)
                + ", or a class implementing " + ReplicationPolicy.class.getName()
                + " with a public (String separator) or no-arg constructor";
    }

    private static ReplicationPolicy instantiate(String name, String separator) {
        Class<?> clazz;
        try {
            clazz = Class.forName(name, true, classLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(
                    "Unknown replication policy class '" + name + "': expected " + allowedValues(), e);
        }
        if (!ReplicationPolicy.class.isAssignableFrom(clazz)
                || clazz.isInterface() || Modifier.isAbstract(clazz.getModifiers())) {
            throw new IllegalArgumentException("Replication policy class '" + name + "' is not a concrete "
                    + ReplicationPolicy.class.getName() + ": expected " + allowedValues());
        }
        try {
            Constructor<?> withSeparator = publicConstructor(clazz, String.class);
            if (withSeparator != null) {
                String sep = separator == null ? DefaultReplicationPolicy.SEPARATOR_DEFAULT : separator;
                return (ReplicationPolicy) withSeparator.newInstance(sep);
            }
            Constructor<?> noArg = publicConstructor(clazz);
            if (noArg != null) {
                return (ReplicationPolicy) noArg.newInstance();
            }
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(
                    "Replication policy class '" + name + "' failed in its constructor: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("Cannot instantiate replication policy class '" + name + "': " + e, e);
        }
        throw new IllegalArgumentException("Replication policy class '" + name
                + "' has neither a public (String separator) nor a public no-arg constructor: expected "
                + allowedValues());
    }

    private static Constructor<?> publicConstructor(Class<?> clazz, Class<?>... parameterTypes) {
        try {
            Constructor<?> constructor = clazz.getConstructor(parameterTypes);
            return Modifier.isPublic(clazz.getModifiers()) ? constructor : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ReplicationPolicies.class.getClassLoader();
    }
}
