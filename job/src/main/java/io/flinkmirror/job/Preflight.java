package io.flinkmirror.job;

import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.config.MirrorConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;

/**
 * Checks, before the job is submitted, that every cluster of every enabled flow and every heartbeat target answers,
 * so that a wrong address or credential fails in seconds with the cluster's alias and address instead of as a restart
 * loop inside Flink.
 */
public final class Preflight {

    private Preflight() {}

    /** Thrown when a cluster cannot be reached; the message is one line meant for the user. */
    public static final class PreflightException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PreflightException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Connects to every cluster of {@code config} and fails with a one-line message if one does not answer. */
    public static void check(MirrorConfig config, Duration timeout) {
        Map<String, Map<String, Object>> clusters = new LinkedHashMap<>();
        for (FlowConfig flow : config.flows()) {
            clusters.putIfAbsent(flow.source(), new HashMap<>(flow.sourceAdminProps()));
            clusters.putIfAbsent(flow.target(), new HashMap<>(flow.targetAdminProps()));
        }
        for (FlowConfig flow : config.heartbeatFlows()) {
            clusters.putIfAbsent(flow.target(), new HashMap<>(flow.targetAdminProps()));
        }
        clusters.forEach((alias, props) -> checkCluster(alias, props, timeout));
    }

    private static void checkCluster(String alias, Map<String, Object> props, Duration timeout) {
        Object bootstrap = props.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        String where = "cluster '" + alias + "' (" + alias + ".bootstrap.servers=" + bootstrap + ")";
        int ms = (int) timeout.toMillis();
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 10_000));
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster().clusterId().get(ms + 1_000L, TimeUnit.MILLISECONDS);
        } catch (KafkaException e) {
            throw new PreflightException(where + " cannot be used: " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new PreflightException(where + " is unreachable: no answer within " + timeout.toSeconds() + " s",
                    e);
        } catch (ExecutionException e) {
            String reason = e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException
                    ? "no answer within " + timeout.toSeconds() + " s"
                    : e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
            throw new PreflightException(where + " is unreachable: " + reason, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PreflightException("interrupted while checking " + where, e);
        }
    }
}
