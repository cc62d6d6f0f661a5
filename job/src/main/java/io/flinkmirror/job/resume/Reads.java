package io.flinkmirror.job.resume;

/** The threads and helpers of the independent reads of a start without state ({@link ResumeFromTarget}). */
final class Reads {

    private Reads() {}

    /** Threads for the independent reads of a start without state (daemons: they never hold a JVM up). */
    static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newCachedThreadPool(
            r -> {
                Thread thread = new Thread(r, "flink-mirror-resume-reads");
                thread.setDaemon(true);
                return thread;
            });

    static long timed(Runnable action) {
        long t = System.nanoTime();
        action.run();
        return (System.nanoTime() - t) / 1_000_000;
    }

    /** The value of {@code future}, its failure rethrown as it was thrown. */
    static <T> T join(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
