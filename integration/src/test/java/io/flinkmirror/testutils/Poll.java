package io.flinkmirror.testutils;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waits for a condition with Awaitility (polled every 50 ms on the calling thread, exceptions and assertion failures
 * counting as "not yet"), failing on timeout with the description, what was seen last and the last exception.
 */
public final class Poll {

    private static final Duration INTERVAL = Duration.ofMillis(50);

    private Poll() {
    }

    /** Waits until {@code condition} is true. */
    public static void until(String description, Duration timeout, BooleanSupplier condition) {
        until(description, timeout, condition, () -> "");
    }

    /**
     * Waits until {@code condition} is true; on timeout the failure also shows {@code state}, e.g. the counts seen so
     * far. An inner check with a shorter timeout of its own (an AssertionError) does not end the wait.
     */
    public static void until(String description, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        try {
            Awaitility.await(description)
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(INTERVAL)
                    .pollInSameThread()
                    .ignoreExceptions()
                    .until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            String seen;
            try {
                seen = state.get();
            } catch (RuntimeException | AssertionError stateFailure) {
                seen = "(state unavailable: " + stateFailure + ")";
            }
            AssertionError error = new AssertionError("Timed out after " + timeout + " waiting for: " + description
                    + (seen == null || seen.isEmpty() ? "" : "; last state: " + seen));
            error.initCause(e);
            throw error;
        }
    }
}
