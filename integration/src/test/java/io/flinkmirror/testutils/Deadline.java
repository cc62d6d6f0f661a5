package io.flinkmirror.testutils;

import java.time.Duration;

/** A point in time to give up at; failures name what was awaited. */
public final class Deadline {

    private final Duration timeout;
    private final long deadlineNanos;

    private Deadline(Duration timeout) {
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    public static Deadline in(Duration timeout) {
        return new Deadline(timeout);
    }

    public Duration timeout() {
        return timeout;
    }

    public boolean hasTimeLeft() {
        return System.nanoTime() - deadlineNanos < 0;
    }

    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /** Throws an {@link AssertionError} naming {@code description} once the deadline has passed. */
    public void check(String description) {
        if (!hasTimeLeft()) {
            throw new AssertionError("Timed out after " + timeout + " waiting for: " + description);
        }
    }
}
