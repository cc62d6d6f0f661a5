package io.flinkmirror.job.sink;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;

/** A commit request, seen by the connector as its own, that remembers whether the connector gave it up. */
final class Watched implements Committer.CommitRequest<KafkaCommittable> {
    final Committer.CommitRequest<GuardedCommittable> request;
    Throwable failure;

    Watched(Committer.CommitRequest<GuardedCommittable> request) {
        this.request = request;
    }

    @Override
    public KafkaCommittable getCommittable() {
        return request.getCommittable().kafka();
    }

    @Override
    public int getNumberOfRetries() {
        return request.getNumberOfRetries();
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {
        failure = t;
        request.signalFailedWithKnownReason(t);
    }

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {
        request.signalFailedWithUnknownReason(t);
    }

    @Override
    public void retryLater() {
        request.retryLater();
    }

    @Override
    public void updateAndRetryLater(KafkaCommittable committable) {
        request.updateAndRetryLater(request.getCommittable().with(committable));
    }

    @Override
    public void signalAlreadyCommitted() {
        request.signalAlreadyCommitted();
    }

    @Override
    public String toString() {
        return request.toString();
    }
}
