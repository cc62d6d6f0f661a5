package io.flinkmirror.cli.failover;

/** An expected failure of a consumer-group failover step, with a one-line message and the reason it happened. */
public final class FailoverException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a failover step stopped; the CLI turns each into its own exit code. */
    public enum Reason {
        /** A cluster could not be read or written (unreachable, timed out, not authorized). */
        KAFKA_ERROR,
        /** The group has active members on the target cluster, so its offsets must not be changed. */
        GROUP_ACTIVE,
        /** The checkpoints topic holds no checkpoint for the group. */
        NO_CHECKPOINT
    }

    private final Reason reason;

    /** A failure for {@code reason} described by {@code message}. */
    public FailoverException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** A failure for {@code reason} described by {@code message}, caused by {@code cause}. */
    public FailoverException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the step stopped. */
    public Reason reason() {
        return reason;
    }
}
