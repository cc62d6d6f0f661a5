package io.flinkmirror.job.source.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ByteBudgetTest {

    private static final long RATE = 1_000_000;
    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(ThrottledSource.TICK_MILLIS);

    /** Runs {@code seconds} of ticks; readers in {@code busy} ask again as soon as they are granted. */
    private static Map<Integer, Long> run(ByteBudget budget, long startNanos, int seconds, int... busy) {
        Map<Integer, Long> got = new HashMap<>();
        for (int subtask : busy) {
            budget.request(subtask, startNanos);
        }
        for (long t = startNanos; t <= startNanos + TimeUnit.SECONDS.toNanos(seconds); t += TICK) {
            for (ByteBudget.Grant grant : budget.grant(t)) {
                got.merge(grant.subtask(), grant.bytes(), Long::sum);
                budget.request(grant.subtask(), t);
            }
        }
        return got;
    }

    @Test
    void shouldGrantTheRateWithinOneCapacityOverAMinute() {
        ByteBudget budget = new ByteBudget(RATE, 0);
        Map<Integer, Long> got = run(budget, 0, 60, 0, 1, 2);
        long total = got.values().stream().mapToLong(Long::longValue).sum();
        assertThat(total).isBetween(60 * RATE - budget.chunk(), 60 * RATE + budget.chunk());
        assertThat(budget.granted()).isEqualTo(total);
    }

    @Test
    void shouldGiveTheWholeRateToTheOnlyReaderWithData() {
        ByteBudget budget = new ByteBudget(RATE, 0);
        Map<Integer, Long> got = run(budget, 0, 60, 1); // readers 0 and 2 have nothing to read and ask nothing
        assertThat(got).containsOnlyKeys(1);
        assertThat(got.get(1)).isBetween(60 * RATE - budget.chunk(), 60 * RATE + budget.capacity());
    }

    @Test
    void shouldShareTheRateEquallyAmongBusyReaders() {
        ByteBudget budget = new ByteBudget(RATE, 0);
        Map<Integer, Long> got = run(budget, 0, 60, 0, 1, 2, 3);
        for (long bytes : got.values()) {
            assertThat(bytes).isBetween(15 * RATE - 2 * budget.chunk(), 15 * RATE + 2 * budget.chunk());
        }
    }

    @Test
    void shouldKeepTheTokensOfAWaitingReaderWhenGrantsComeLate() {
        ByteBudget budget = new ByteBudget(RATE, 0);
        long got = 0;
        long t = 0;
        budget.request(0, t);
        // Grant calls every 10 ms, but every 2 s one comes 500 ms late (the coordinator thread was busy).
        while (t < TimeUnit.SECONDS.toNanos(60)) {
            t += t % TimeUnit.SECONDS.toNanos(2) == 0 ? TimeUnit.MILLISECONDS.toNanos(500) : TICK;
            for (ByteBudget.Grant grant : budget.grant(t)) {
                got += grant.bytes();
                budget.request(0, t);
            }
        }
        assertThat(got).isBetween(60 * RATE - 2 * budget.chunk(), 60 * RATE + budget.chunk());
    }

    @Test
    void shouldNotSaveUpMoreThanItsCapacityWhileNobodyAsks() {
        ByteBudget budget = new ByteBudget(RATE, 0);
        assertThat(budget.grant(TimeUnit.SECONDS.toNanos(30))).isEmpty();
        long start = TimeUnit.SECONDS.toNanos(30);
        Map<Integer, Long> got = run(budget, start, 10, 0);
        assertThat(got.get(0)).isLessThanOrEqualTo(10 * RATE + budget.capacity());
    }

    @Test
    void shouldCountAReaderWaitingOnceHoweverOftenItAsks() {
        ByteBudget budget = new ByteBudget(RATE, 0);
        budget.request(0, 0);
        budget.request(0, 0);
        budget.request(0, 0);
        assertThat(budget.waiting()).isEqualTo(1);
        assertThat(budget.grant(TimeUnit.SECONDS.toNanos(1))).hasSize(1);
        budget.request(3, TimeUnit.SECONDS.toNanos(1));
        budget.cancel(3);
        assertThat(budget.waiting()).isZero();
    }

    @Test
    void shouldGrantFiftyMillisecondsOfTheRateAtATime() {
        assertThat(ByteBudget.chunk(1_000_000)).isEqualTo(50_000);
        assertThat(ByteBudget.chunk(1)).isEqualTo(1);
        assertThatThrownBy(() -> new ByteBudget(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
