package io.flinkmirror.job.topics;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;

/** A failed call of topic ACL sync, with the cluster it went to and the right it needed ({@link TopicAclSync}). */
final class AclSyncFailure extends Exception {

    private static final long serialVersionUID = 1L;

    /** Which cluster of the flow the call went to. */
    enum Side { SOURCE, TARGET }

    final Side side;
    final String right;
    final String neededFor;

    AclSyncFailure(Side side, String right, String neededFor, Throwable cause) {
        super(right + ": " + cause, cause);
        this.side = side;
        this.right = right;
        this.neededFor = neededFor;
    }

    /** The future's value; its failure as an AclSyncFailure naming {@code right} and what it is {@code neededFor}. */
    static <T> T await(KafkaFuture<T> future, long timeoutMs, Side side, String right, String neededFor)
            throws Exception {
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AclSyncFailure(side, right, neededFor, e.getCause());
        }
    }

    /** Whether it is a missing right or an absent authorizer: expected conditions that turn the sync off. */
    boolean isExpected() {
        return getCause() instanceof AuthorizationException || getCause() instanceof SecurityDisabledException;
    }
}
