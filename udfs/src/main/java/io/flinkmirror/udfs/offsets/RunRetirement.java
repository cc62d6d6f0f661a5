package io.flinkmirror.udfs.offsets;

import java.util.Arrays;

/**
 * How {@link OffsetRuns} are bounded by time ({@link OffsetRuns#retire}): runs no group needs exactly become anchors,
 * thinned to a few per doubling of the distance from the exact runs, as MirrorMaker 2's offset-sync store keeps them.
 * Works on the runs' arrays in place and records what changed for {@link OffsetRunsStore}.
 */
final class RunRetirement {

    private RunRetirement() {}

    static int retire(OffsetRuns r, long nowMs, long exactWindowMs, long graceMs, long lowestGroupOffset) {
        if (r.appendedAt == null || r.appendedAt.length < r.upstream.length) {
            long[] stamped = new long[r.upstream.length];
            if (r.appendedAt != null) {
                System.arraycopy(r.appendedAt, 0, stamped, 0, Math.min(r.appendedAt.length, stamped.length));
            }
            r.appendedAt = stamped;
        }
        for (int i = r.size - 1; i >= 0 && r.appendedAt[i] == 0; i--) {
            r.appendedAt[i] = nowMs;
            r.changed(i);
        }
        if (r.anchors < 0 || r.anchors > r.size) {
            r.anchors = Math.min(Math.max(r.anchors, 0), r.size);
            r.rewritten = true;
        }
        int exactFrom = r.anchors;
        while (exactFrom < r.size) {
            long age = nowMs - r.appendedAt[exactFrom];
            boolean needed = age <= exactWindowMs
                    && (r.upstream[exactFrom] + r.length[exactFrom] > lowestGroupOffset || age <= graceMs);
            if (needed) {
                break;
            }
            exactFrom++;
        }
        if (exactFrom == r.anchors) {
            return 0;
        }
        boolean[] keep = thin(r, exactFrom);
        int kept = 0;
        for (int i = 0; i < r.size; i++) {
            if (i >= exactFrom || keep[i]) {
                r.upstream[kept] = r.upstream[i];
                r.downstream[kept] = r.downstream[i];
                r.length[kept] = r.length[i];
                r.appendedAt[kept] = r.appendedAt[i];
                kept++;
            }
        }
        int dropped = r.size - kept;
        int retired = exactFrom - r.anchors;
        r.retiredFront += retired;
        if (r.changedFrom != Integer.MAX_VALUE) {
            r.changedFrom = Math.max(0, r.changedFrom - retired);
        }
        r.anchorsChanged = true;
        r.anchors = exactFrom - dropped;
        r.size = kept;
        if (r.size < r.upstream.length / 2) { // give the spare capacity back (memory)
            int n = Math.max(8, r.size + r.size / 4);
            r.upstream = Arrays.copyOf(r.upstream, n);
            r.downstream = Arrays.copyOf(r.downstream, n);
            r.length = Arrays.copyOf(r.length, n);
            r.appendedAt = Arrays.copyOf(r.appendedAt, n);
        }
        return dropped;
    }

    /**
     * Which of the runs {@code [0, exactFrom)} to keep as anchors: the oldest, the newest, and for every distance
     * {@code 2^(k/4)} below the boundary (the first exact run, or the horizon) the newest run starting at or before
     * it: at most four anchors per doubling of the distance, as MM2's offset-sync store keeps one.
     */
    private static boolean[] thin(OffsetRuns r, int exactFrom) {
        boolean[] keep = new boolean[exactFrom];
        keep[0] = true;
        keep[exactFrom - 1] = true;
        long boundary = exactFrom < r.size ? r.upstream[exactFrom] : r.upstreamHorizon();
        for (int k = 0; k < 252; k++) {
            long target = boundary - (long) Math.pow(2, k / 4.0);
            if (target < r.upstream[0]) {
                break;
            }
            int lo = 0;
            int hi = exactFrom - 1;
            while (lo < hi) { // newest anchor starting at or before target
                int mid = (lo + hi + 1) >>> 1;
                if (r.upstream[mid] <= target) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            keep[lo] = true;
        }
        return keep;
    }
}
