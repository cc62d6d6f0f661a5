package io.flinkmirror.cli.local;

import io.flinkmirror.job.config.MirrorConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Kafka cluster id of every cluster a config's flows use: state taken against other clusters is not restored. */
public final class ClusterIds {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterIds.class);

    private ClusterIds() {}

    /** Alias -> cluster id; a cluster that does not answer within {@code timeout} is left out, with a WARN. */
    public static Map<String, String> of(MirrorConfig config, Duration timeout) {
        Map<String, Map<String, String>> admins = config.clusterAdminProps();
        Map<String, String> ids = new LinkedHashMap<>();
        admins.forEach((alias, props) -> {
            Map<String, Object> client = new LinkedHashMap<>(props);
            client.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            // Kafka refuses a request timeout above the API timeout.
            client.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 10_000));
            try (Admin admin = Admin.create(client)) {
                ids.put(alias, admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (Exception e) {
                LOG.warn("Cluster '{}' did not tell its cluster id ({}): its state is restored unchecked", alias,
                        e.toString());
            }
        });
        return ids;
    }
}
