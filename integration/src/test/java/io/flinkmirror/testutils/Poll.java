package io.flinkmirror.testutils;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes, then fails loudly with a description. */
public final class Poll {

    private static final long INTERVAL_MS = 50;

    private Poll() {
    }

    /**
     * Waits until {@code condition} is true. Exceptions and assertion failures it throws count as "not yet" (an
     * inner check with a shorter timeout of its own does not end the wait) and the last one becomes the cause.
     */
    public static void until(String description, Duration timeout, BooleanSupplier condition) {
        until(description, timeout, condition, () -> "");
    }

    /**
     * Same as {@link #until(String, Duration, BooleanSupplier)}; on timeout the failure also shows {@code state}, e.g.
     * the counts seen so far.
     */
    public static void until(String description, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        Deadline deadline = Deadline.in(timeout);
        Throwable last = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
                last = null;
            } catch (RuntimeException | AssertionError e) {
                last = e;
            }
            if (!deadline.hasTimeLeft()) {
                String seen;
                try {
                    seen = state.get();
                } catch (RuntimeException e) {
                    seen = "(state unavailable: " + e + ")";
                }
                AssertionError error = new AssertionError("Timed out after " + timeout + " waiting for: " + description
                        + (seen == null || seen.isEmpty() ? "" : "; last state: " + seen));
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            try {
                Thread.sleep(Math.min(INTERVAL_MS, Math.max(1, deadline.remaining().toMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for: " + description, e);
            }
        }
    }
}
