package io.flinkmirror.testutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PollTest {

    @Test
    void shouldKeepWaitingThroughExceptionsAndFailedInnerChecks() {
        AtomicInteger calls = new AtomicInteger();
        Thread caller = Thread.currentThread();

        Poll.until("the third call", Duration.ofSeconds(10), () -> {
            assertThat(Thread.currentThread()).isSameAs(caller);
            int call = calls.incrementAndGet();
            if (call == 1) {
                throw new IllegalStateException("not reachable yet");
            }
            if (call == 2) {
                throw new AssertionError("an inner check's own timeout");
            }
            return true;
        });

        assertThat(calls).hasValue(3);
    }

    @Test
    void shouldNameWhatItWaitedForAndWhatItSawOnTimeout() {
        assertThatThrownBy(() -> Poll.until("records to arrive", Duration.ofMillis(300), () -> false,
                () -> "7 of 10"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("records to arrive")
                .hasMessageContaining("last state: 7 of 10");
    }
}
