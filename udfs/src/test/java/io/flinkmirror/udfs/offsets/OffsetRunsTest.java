package io.flinkmirror.udfs.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OffsetRunsTest {

    @Test
    void shouldTellARunThatWouldGoBackwardsBeforeAppendRefusesIt() {
        OffsetRuns runs = new OffsetRuns();
        assertThat(runs.goesBack(0, 0)).isFalse();
        runs.append(10, 100, 5); // source 10..14 -> target 100..104
        assertThat(runs.goesBack(15, 106)).isFalse();
        assertThat(runs.goesBack(1, 135)).as("source read again from before the mapped data").isTrue();
        assertThat(runs.goesBack(15, 103)).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runs.append(1, 135, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldTranslateInsideRunsAndGapsToTheFirstReplicaAtOrAfter() {
        OffsetRuns runs = new OffsetRuns();
        // Transaction 1: source 0..9 and 15..19 (gap 10..14 compacted) at target 0..14; marker at 15.
        runs.append(new long[] {0, 15}, new long[] {10, 5}, 0);
        // Transaction 2: source 20..29 at target 16..25.
        runs.append(new long[] {20}, new long[] {10}, 16);

        assertThat(runs.translate(0)).hasValue(0);
        assertThat(runs.translate(7)).hasValue(7);
        assertThat(runs.translate(10)).hasValue(10); // in the gap: the next replica is source 15 at target 10
        assertThat(runs.translate(14)).hasValue(10);
        assertThat(runs.translate(19)).hasValue(14);
        assertThat(runs.translate(20)).hasValue(16); // skips the marker at 15
        assertThat(runs.translate(29)).hasValue(25);
        assertThat(runs.translate(30)).isEmpty(); // the horizon: decided by the caller
        assertThat(runs.upstreamHorizon()).isEqualTo(30);
        assertThat(runs.nextDownstream).isEqualTo(26);
    }

    @Test
    void shouldMatchABruteForceModelOnRandomHistories() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            OffsetRuns runs = new OffsetRuns();
            List<long[]> pairs = new ArrayList<>(); // {upstream, downstream} of every replicated record
            long u = random.nextInt(5);
            long d = random.nextInt(5);
            int transactions = 1 + random.nextInt(6);
            for (int t = 0; t < transactions; t++) {
                int nRuns = 1 + random.nextInt(3);
                long[] starts = new long[nRuns];
                long[] lengths = new long[nRuns];
                long d0 = d;
                for (int r = 0; r < nRuns; r++) {
                    u += random.nextInt(4); // gap
                    starts[r] = u;
                    lengths[r] = 1 + random.nextInt(5);
                    for (int k = 0; k < lengths[r]; k++) {
                        pairs.add(new long[] {u + k, d + k});
                    }
                    u += lengths[r];
                    d += lengths[r];
                }
                runs.append(starts, lengths, d0);
                d += 1 + random.nextInt(3); // commit marker, maybe aborted records
            }
            for (long g = pairs.get(0)[0]; g < u; g++) {
                long expected = firstReplicaAtOrAfter(pairs, g);
                assertThat(runs.translate(g)).as("round %d, g=%d", round, g).hasValue(expected);
            }
        }
    }

    @Test
    void shouldRejectRunsGoingBackwards() {
        OffsetRuns runs = new OffsetRuns();
        runs.append(new long[] {10}, new long[] {5}, 100);
        assertThatThrownBy(() -> runs.append(new long[] {12}, new long[] {1}, 200))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> runs.append(new long[] {20}, new long[] {1}, 101))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldKeepOnlyTheNewestRunsWhenPruned() {
        OffsetRuns runs = new OffsetRuns();
        for (int i = 0; i < 10; i++) {
            runs.append(new long[] {i * 10L}, new long[] {10}, i * 11L);
        }
        runs.prune(3);
        assertThat(runs.size).isEqualTo(3);
        assertThat(runs.firstUpstream()).isEqualTo(70);
        assertThat(runs.translate(69)).isEqualTo(OptionalLong.empty());
        assertThat(runs.translate(75)).hasValue(82);
    }

    /** {@code n} transactions of {@code len} consecutive records, each followed by its commit marker. */
    private static OffsetRuns transactions(int n, int len) {
        OffsetRuns runs = new OffsetRuns();
        for (int i = 0; i < n; i++) {
            runs.append((long) i * len, (long) i * (len + 1), len);
        }
        return runs;
    }

    /** The exact translation of {@link #transactions}: source {@code g} is record {@code g % len} of its one. */
    private static long exact(long g, int len) {
        return g / len * (len + 1) + g % len;
    }

    @Test
    void shouldKeepEveryRunAGroupMayNeedAndThinTheRestToAnchorsThatNeverOvershoot() {
        int len = 10;
        OffsetRuns runs = transactions(10_000, len);
        runs.retire(1_000, 86_400_000, 600_000, Long.MAX_VALUE); // stamps every run at t=1 s
        assertThat(runs.anchors).isZero();

        long lowestGroup = 60_000; // a group sits at source offset 60,000 (transaction 6,000)
        int dropped = runs.retire(1_000 + 700_000, 86_400_000, 600_000, lowestGroup);

        assertThat(dropped).as("runs below the lowest group, past the grace").isGreaterThan(5_800);
        assertThat(runs.anchors).as("anchors left: a few per doubling of the distance").isBetween(2, 70);
        for (long g = lowestGroup - len; g < 100_000; g++) {
            assertThat(runs.translate(g)).as("g=%d", g).hasValue(exact(g, len));
            assertThat(runs.isCoarse(g)).isFalse();
        }
        for (long g = 0; g < lowestGroup - len; g++) {
            long coarse = runs.translate(g).orElseThrow();
            long distance = lowestGroup - g;
            assertThat(coarse).as("g=%d: at or before the exact offset (read again, never skipped)", g)
                    .isLessThanOrEqualTo(exact(g, len));
            assertThat(exact(g, len) - coarse).as("g=%d: error within a quarter of the distance", g)
                    .isLessThanOrEqualTo(distance / 4 + 2L * (len + 1));
        }
        assertThat(runs.translate(0)).as("the oldest run is always kept").hasValue(0);
    }

    @Test
    void shouldRetireRunsByAgeEvenWhenAGroupStillNeedsThem() {
        OffsetRuns runs = transactions(100, 10);
        long t0 = 1_700_000_000_000L;
        runs.retire(t0, 3_600_000, 600_000, 0); // a group at offset 0 needs every run
        runs.append(1_000, 1_100, 10); // a new transaction an hour later
        int dropped = runs.retire(t0 + 3_600_001, 3_600_000, 600_000, 0);

        assertThat(dropped).as("all but the oldest and newest of the expired runs").isPositive();
        assertThat(runs.anchors).isLessThan(100);
        assertThat(runs.translate(1_005)).hasValue(1_105);
        assertThat(runs.isCoarse(1_005)).isFalse();
        assertThat(runs.translate(0)).hasValue(0);
    }

    @Test
    void shouldKeepRecentRunsForGroupsNotSeenYetAndRunsWithoutATimeFromAnOlderVersion() {
        OffsetRuns runs = transactions(100, 10);
        runs.appendedAt = null; // state written before runs had a time
        assertThat(runs.retire(5_000_000, 86_400_000, 600_000, Long.MAX_VALUE))
                .as("stamped now: inside the grace").isZero();
        assertThat(runs.retire(5_000_000 + 600_000, 86_400_000, 600_000, Long.MAX_VALUE)).isZero();
        assertThat(runs.retire(5_000_000 + 600_001, 86_400_000, 600_000, Long.MAX_VALUE)).isPositive();
    }

    @Test
    void shouldNeverOvershootTheExactTranslationOnRandomHistoriesAndRetirements() {
        Random random = new Random(11);
        for (int round = 0; round < 100; round++) {
            OffsetRuns runs = new OffsetRuns();
            List<long[]> pairs = new ArrayList<>();
            long u = 0;
            long d = 0;
            long now = 1_700_000_000_000L;
            for (int t = 0; t < 300; t++) {
                u += random.nextInt(3);
                long n = 1 + random.nextInt(6);
                runs.append(u, d, n);
                for (int k = 0; k < n; k++) {
                    pairs.add(new long[] {u + k, d + k});
                }
                u += n;
                d += n + 1 + random.nextInt(2);
                now += random.nextInt(1_000);
                if (random.nextInt(10) == 0) {
                    runs.retire(now, 20_000 + random.nextInt(100_000), random.nextInt(20_000),
                            random.nextInt((int) u + 1));
                }
            }
            for (long g = pairs.get(0)[0]; g < u; g++) {
                long expected = firstReplicaAtOrAfter(pairs, g);
                OptionalLong got = runs.translate(g);
                assertThat(got).as("round %d, g=%d", round, g).isPresent();
                if (runs.isCoarse(g)) {
                    assertThat(got.getAsLong()).as("round %d, g=%d", round, g).isLessThanOrEqualTo(expected);
                } else {
                    assertThat(got).as("round %d, g=%d", round, g).hasValue(expected);
                }
            }
        }
    }

    @Test
    void shouldKeepLittleSpareCapacityInMemory() {
        OffsetRuns runs = transactions(10_000, 10);
        assertThat(runs.upstream.length).as("capacity after appends").isLessThanOrEqualTo(10_000 + 10_000 / 4 + 8);
        runs.retire(1_000, 86_400_000, 600_000, Long.MAX_VALUE);
        runs.retire(1_000 + 700_000, 86_400_000, 600_000, Long.MAX_VALUE); // no group: all but anchors dropped
        assertThat(runs.size).isLessThan(300);
        assertThat(runs.upstream.length).as("capacity after retiring")
                .isLessThanOrEqualTo(runs.size + runs.size / 4 + 8);
        assertThat(runs.appendedAt.length).isEqualTo(runs.upstream.length);
        assertThat(runs.translate(99_995)).hasValue(exact(99_995, 10));
    }

    /** The target offset of the first replicated record with source offset {@code >= g} ({upstream, downstream}). */
    private static long firstReplicaAtOrAfter(List<long[]> pairs, long g) {
        for (long[] p : pairs) {
            if (p[0] >= g) {
                return p[1];
            }
        }
        return -1;
    }
}
