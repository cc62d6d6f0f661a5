package io.flinkmirror.udfs.metrics;

/**
 * Minimum, maximum and average of the values recorded in a rolling window of one to two intervals: the current
 * interval (aligned to multiples of {@code intervalMillis}) plus the previous one. With no value in the window the
 * statistics are {@code NaN}, as Kafka's own windowed min/max/avg.
 *
 * <p>Invariants: the current bucket holds the values recorded in {@code [currentStart, currentStart + interval)}, the
 * previous bucket those of {@code [currentStart - interval, currentStart)}; a read at time {@code now} ignores a bucket
 * whose interval ended an interval or more before {@code now}.
 *
 * <p>Recording is allocation-free and lock-free: one thread (the task) records, any thread (metric reporters) reads.
 * A read racing a record may mix the value being recorded into some statistics and not others; it never fails.
 */
public final class WindowedStats {

    private final long intervalMillis;

    private long currentStart = Long.MIN_VALUE / 2;
    private long currentMin;
    private long currentMax;
    private long currentSum;
    private long currentCount;
    private long previousMin;
    private long previousMax;
    private long previousSum;
    private long previousCount;

    public WindowedStats(long intervalMillis) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("intervalMillis must be positive, was " + intervalMillis);
        }
        this.intervalMillis = intervalMillis;
    }

    /** Adds {@code value}, observed at {@code nowMillis} (times must not go backwards by more than an interval). */
    public void record(long value, long nowMillis) {
        if (nowMillis - currentStart >= intervalMillis) {
            rotate(nowMillis);
        }
        if (currentCount == 0) {
            currentMin = value;
            currentMax = value;
        } else {
            if (value < currentMin) {
                currentMin = value;
            }
            if (value > currentMax) {
                currentMax = value;
            }
        }
        currentSum += value;
        currentCount++;
    }

    private void rotate(long nowMillis) {
        long start = nowMillis - Math.floorMod(nowMillis, intervalMillis);
        if (start - currentStart == intervalMillis && currentCount > 0) {
            previousMin = currentMin;
            previousMax = currentMax;
            previousSum = currentSum;
            previousCount = currentCount;
        } else {
            previousCount = 0;
        }
        currentCount = 0;
        currentSum = 0;
        currentStart = start;
    }

    /** Number of values in the window at {@code nowMillis}. */
    public long count(long nowMillis) {
        return (currentValid(nowMillis) ? currentCount : 0) + (previousValid(nowMillis) ? previousCount : 0);
    }

    /** Smallest value in the window at {@code nowMillis}, or NaN if there is none. */
    public double min(long nowMillis) {
        double min = Double.NaN;
        if (currentValid(nowMillis) && currentCount > 0) {
            min = currentMin;
        }
        if (previousValid(nowMillis) && previousCount > 0 && !(previousMin >= min)) {
            min = previousMin;
        }
        return min;
    }

    /** Largest value in the window at {@code nowMillis}, or NaN if there is none. */
    public double max(long nowMillis) {
        double max = Double.NaN;
        if (currentValid(nowMillis) && currentCount > 0) {
            max = currentMax;
        }
        if (previousValid(nowMillis) && previousCount > 0 && !(previousMax <= max)) {
            max = previousMax;
        }
        return max;
    }

    /** Average of the values in the window at {@code nowMillis}, or NaN if there is none. */
    public double avg(long nowMillis) {
        long count = 0;
        long sum = 0;
        if (currentValid(nowMillis)) {
            count += currentCount;
            sum += currentSum;
        }
        if (previousValid(nowMillis)) {
            count += previousCount;
            sum += previousSum;
        }
        return count == 0 ? Double.NaN : (double) sum / count;
    }

    private boolean currentValid(long nowMillis) {
        return nowMillis - currentStart < 2 * intervalMillis;
    }

    private boolean previousValid(long nowMillis) {
        return nowMillis - currentStart < intervalMillis;
    }
}
