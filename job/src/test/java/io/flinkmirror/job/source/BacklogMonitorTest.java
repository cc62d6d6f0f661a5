package io.flinkmirror.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.junit.jupiter.api.Test;

class BacklogMonitorTest {

    /** What a context's metric group was asked to register. */
    private final List<Gauge<?>> gauges = new ArrayList<>();

    @Test
    void shouldRegisterItsGaugeOnceWhenAGlobalFailoverStartsANewEnumeratorOnTheSameMetricGroup() {
        BacklogMonitor monitor = new BacklogMonitor("a->b", "group", Map.of("bootstrap.servers", "localhost:1"),
                Duration.ofSeconds(5));
        SplitEnumeratorMetricGroup group = metricGroup();
        SplitEnumeratorContext<?> context = context(group);

        BacklogMonitor.Running first = monitor.start(context, Set::of);
        first.close();
        BacklogMonitor.Running second = monitor.start(context, Set::of); // the enumerator after a global failover
        try {
            assertThat(gauges).hasSize(1);
            assertThat(gauges.get(0).getValue()).isEqualTo(0);
        } finally {
            second.close();
        }
        assertThat(gauges.get(0).getValue()).as("no enumerator running").isEqualTo(0);
    }

    @Test
    void shouldRegisterItsGaugeOnANewMetricGroup() {
        BacklogMonitor monitor = new BacklogMonitor("a->b", "group", Map.of("bootstrap.servers", "localhost:1"),
                Duration.ofSeconds(5));
        monitor.start(context(metricGroup()), Set::of).close();
        monitor.start(context(metricGroup()), Set::of).close();
        assertThat(gauges).hasSize(2);
    }

    private SplitEnumeratorMetricGroup metricGroup() {
        return (SplitEnumeratorMetricGroup) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SplitEnumeratorMetricGroup.class}, (proxy, method, args) -> {
                    if (method.getName().equals("gauge")) {
                        gauges.add((Gauge<?>) args[1]);
                        return args[1];
                    }
                    if (method.getName().equals("hashCode")) {
                        return System.identityHashCode(proxy);
                    }
                    if (method.getName().equals("equals")) {
                        return proxy == args[0];
                    }
                    return null;
                });
    }

    private SplitEnumeratorContext<?> context(SplitEnumeratorMetricGroup group) {
        return (SplitEnumeratorContext<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SplitEnumeratorContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("metricGroup")) {
                        return group;
                    }
                    return null; // callAsync: no sampling in this test
                });
    }
}
