package io.flinkmirror.job;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/** The preflight's connections ({@link Preflight}): one admin client per cluster, and failures that name it. */
final class PreflightClients {

    private PreflightClients() {}

    /** Something to do with a connected admin client; checked exceptions are reported like connection failures. */
    interface AdminCheck<T> {
        T run(Admin admin) throws Exception;
    }

    /**
     * One admin client per cluster (and client properties) for the whole preflight, connected once, reused by every
     * check on that cluster; closed together. Failures become {@link PreflightException}s naming the cluster.
     */
    static final class Admins implements AutoCloseable {
        private final Duration timeout;
        private final Map<List<Object>, Admin> clients = new java.util.concurrent.ConcurrentHashMap<>();
        /** The cluster id each cluster told when its first client connected, by alias. */
        final Map<String, String> clusterIds = new java.util.concurrent.ConcurrentHashMap<>();

        Admins(Duration timeout) {
            this.timeout = timeout;
        }

        <T> T run(String alias, Map<String, String> clientProps, AdminCheck<T> check) {
            String where = "cluster '" + alias + "' (" + alias + ".bootstrap.servers="
                    + clientProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + ")";
            int ms = (int) timeout.toMillis();
            try {
                List<Object> key = List.of(alias, clientProps);
                Admin admin = clients.get(key);
                if (admin == null) {
                    Map<String, Object> props = new HashMap<>(clientProps);
                    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
                    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 10_000));
                    admin = Admin.create(props);
                    clients.put(key, admin);
                    String id = admin.describeCluster().clusterId().get(ms + 1_000L, TimeUnit.MILLISECONDS);
                    clusterIds.put(alias, id);
                }
                return check.run(admin);
            } catch (Preflight.PreflightException e) {
                throw e;
            } catch (TimeoutException e) {
                throw new Preflight.PreflightException(where + " is unreachable: no answer within " + timeout.toSeconds()
                        + " s", e);
            } catch (ExecutionException e) {
                throw failure(alias, where, e.getCause(), timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Preflight.PreflightException("interrupted while checking " + where, e);
            } catch (Exception e) {
                throw failure(alias, where, e, timeout);
            }
        }

        @Override
        public void close() {
            clients.values().forEach(admin -> admin.close(Duration.ZERO));
        }
    }

    private static Preflight.PreflightException failure(String alias, String where, Throwable cause, Duration timeout) {
        if (cause instanceof SslAuthenticationException) {
            return new Preflight.PreflightException(where + " failed the TLS handshake: " + cause.getMessage() + " (check "
                    + alias + ".ssl.truststore.* and " + alias + ".ssl.keystore.*)", cause);
        }
        if (cause instanceof AuthenticationException) {
            return new Preflight.PreflightException(where + " rejected the credentials: " + cause.getMessage() + " (check "
                    + alias + ".sasl.jaas.config and " + alias + ".sasl.mechanism)", cause);
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new Preflight.PreflightException(where + " is unreachable: no answer within " + timeout.toSeconds()
                    + " s", cause);
        }
        if (cause instanceof KafkaException && !(cause instanceof org.apache.kafka.common.errors.ApiException)) {
            return new Preflight.PreflightException(where + " cannot be used: " + cause.getMessage(), cause);
        }
        return new Preflight.PreflightException(where + " cannot be used: " + cause.getClass().getSimpleName() + ": "
                + cause.getMessage(), cause);
    }
}
