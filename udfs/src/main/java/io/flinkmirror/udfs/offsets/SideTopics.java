package io.flinkmirror.udfs.offsets;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The offset mapping's two internal topics on the target (offset syncs, checkpoints), created on a thread of their
 * own when the task opens, so that the task, and with it the job's first checkpoint, need not wait for the brokers.
 * Invariant: nothing is written to them before {@link #await} returned; a failure to create them fails the task there.
 */
final class SideTopics {

    private final CompletableFuture<Void> created = new CompletableFuture<>();

    /** Starts creating the topics the settings name. */
    SideTopics(OffsetMappingSettings settings) {
        Thread creator = new Thread(() -> {
            try {
                InternalTopics.ensure(settings.offsetSyncsAdminProps(), settings.offsetSyncsTopic(),
                        settings.offsetSyncsReplicationFactor());
                InternalTopics.ensure(settings.targetAdminProps(), settings.checkpointsTopic(),
                        settings.checkpointsReplicationFactor());
                created.complete(null);
            } catch (Throwable e) {
                created.completeExceptionally(e);
            }
        }, settings.flow() + " internal topics");
        creator.setContextClassLoader(SideTopics.class.getClassLoader()); // Kafka loads classes by name
        creator.setDaemon(true);
        creator.start();
    }

    /** Waits until the topics exist (at once after the first time); rethrows what failed their creation. */
    void await() throws Exception {
        if (!created.isDone() || created.isCompletedExceptionally()) {
            try {
                created.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }
}
