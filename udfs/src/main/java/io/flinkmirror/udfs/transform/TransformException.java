package io.flinkmirror.udfs.transform;

/**
 * A transform or the record function failed on a record, or produced one the flow cannot write. The message names
 * the flow, the transform alias (or the function class), the key that configures it and the record
 * ({@code topic-partition@offset}).
 */
public class TransformException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean tolerable;

    TransformException(String message, Throwable cause, boolean tolerable) {
        super(message, cause);
        this.tolerable = tolerable;
    }

    /**
     * Whether {@code errors.tolerance = all} may skip the record. Not for a record renamed to another topic or
     * partition: that is a configuration that can never work, so it always stops the flow.
     */
    public boolean tolerable() {
        return tolerable;
    }
}
