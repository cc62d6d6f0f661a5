package io.flinkmirror.job.resume;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aborts the transactions a flow's earlier run left open on target partitions, and waits until those partitions have
 * no open transaction, so that what a {@code read_committed} reader sees there is final: nothing it does not see yet
 * can still become visible.
 *
 * <p>The sink aborts most of them itself when it starts (flink-connector-kafka probes its transactional ids); what is
 * still open after {@link #SELF_ABORT} and has the flow's own transactional id ({@code <prefix>-<subtask>-<n>}) is
 * aborted by fencing its producer (Kafka's {@code Admin.fenceProducers}, the rights the sink already has). A transaction
 * already preparing its commit completes first (the broker finishes it before fencing). Another producer's open
 * transaction is waited for, up to a bound, then reported.
 */
final class LingeringTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(LingeringTransactions.class);
    /**
     * How long the sink's own start-up abort of its earlier transactions (flink-connector-kafka probes its
     * transactional ids) is given first: fencing an id the new run already uses would fail its writer.
     */
    private static final Duration SELF_ABORT = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long CALL_TIMEOUT_MS = 30_000;

    private final String flow;
    private final Map<String, String> adminProps;
    private final String transactionalIdPrefix;

    LingeringTransactions(String flow, Map<String, String> adminProps, String transactionalIdPrefix) {
        this.flow = flow;
        this.adminProps = adminProps;
        this.transactionalIdPrefix = transactionalIdPrefix;
    }

    /** Aborts the flow's open transactions on {@code partitions} and waits until none of them has one open. */
    void abortAndAwait(Collection<TopicPartition> partitions) {
        Properties props = new Properties();
        props.putAll(adminProps);
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, Long> open = awaitClosed(admin, openTransactions(admin, partitions), SELF_ABORT);
            if (open.isEmpty()) {
                return;
            }
            Set<String> ours = fenceOurs(admin, open.keySet());
            open = awaitClosed(admin, open, WAIT);
            if (open.isEmpty() && !ours.isEmpty()) {
                LOG.info("{} aborted {} transaction(s) its previous run left open on the target: {}", flow,
                        ours.size(), ours);
            } else if (!open.isEmpty()) {
                LOG.warn("{} target partitions still hold another producer's open transaction after {} s "
                        + "(partition=first open offset): {}; records committed after it are not counted and may be"
                        + " copied again", flow, WAIT.toSeconds(), new TreeMap<>(asStrings(open)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(flow + " interrupted while aborting lingering transactions", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(flow + " could not look for open transactions on the target: " + e, e);
        }
    }

    /** Waits at most {@code wait} for the open transactions of {@code open} to end; those still open. */
    private static Map<TopicPartition, Long> awaitClosed(Admin admin, Map<TopicPartition, Long> open, Duration wait)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            open = openTransactions(admin, open.keySet());
        }
        return open;
    }

    /** Partitions whose last stable offset is below their high watermark: the first open offset of each. */
    private static Map<TopicPartition, Long> openTransactions(Admin admin, Collection<TopicPartition> partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartition tp : partitions) {
            latest.put(tp, OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResultInfo> stable = admin.listOffsets(latest,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> high = admin.listOffsets(latest,
                new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get(CALL_TIMEOUT_MS,
                TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> open = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long lso = stable.get(tp).offset();
            if (lso < high.get(tp).offset()) {
                open.put(tp, lso);
            }
        }
        return open;
    }

    /** Fences the producers of this flow's open transactions on {@code partitions}; their transactional ids. */
    private Set<String> fenceOurs(Admin admin, Collection<TopicPartition> partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<Long> producerIds = new HashSet<>();
        admin.describeProducers(partitions).all().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .forEach((tp, state) -> {
                    for (ProducerState producer : state.activeProducers()) {
                        if (producer.currentTransactionStartOffset().isPresent()) {
                            producerIds.add(producer.producerId());
                        }
                    }
                });
        Set<String> ours = new HashSet<>();
        if (producerIds.isEmpty()) {
            return ours;
        }
        Collection<TransactionListing> listings = admin.listTransactions(
                new ListTransactionsOptions().filterProducerIds(producerIds)).all().get(CALL_TIMEOUT_MS,
                TimeUnit.MILLISECONDS);
        for (TransactionListing listing : listings) {
            if (listing.transactionalId().startsWith(transactionalIdPrefix + "-")) {
                ours.add(listing.transactionalId());
            }
        }
        if (!ours.isEmpty()) {
            admin.fenceProducers(ours).all().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        return ours;
    }

    private static Map<String, Long> asStrings(Map<TopicPartition, Long> offsets) {
        Map<String, Long> out = new HashMap<>();
        offsets.forEach((tp, offset) -> out.put(tp.toString(), offset));
        return out;
    }
}
