package io.flinkmirror.testutils;

import io.flinkmirror.udfs.record.MirrorRecord;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Inserted before a flow's sink (MiniCluster only: the counters are JVM-wide): throws once, after {@code n} records
 * went through all subtasks, so the failure hits an open sink transaction.
 */
public final class FailOnce implements MapFunction<MirrorRecord, MirrorRecord> {

    private static final long serialVersionUID = 1L;
    private static final AtomicLong SEEN = new AtomicLong();
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    private final long n;

    private FailOnce(long n) {
        this.n = n;
    }

    /** A new injection point; resets the JVM-wide counters. */
    public static FailOnce after(long n) {
        SEEN.set(0);
        FAILED.set(false);
        return new FailOnce(n);
    }

    /** Whether the failure was thrown. */
    public static boolean failed() {
        return FAILED.get();
    }

    @Override
    public MirrorRecord map(MirrorRecord record) {
        if (SEEN.incrementAndGet() == n && FAILED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure after " + n + " records");
        }
        return record;
    }
}
