package io.flinkmirror.udfs.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultGroupFilterTest {

    @Test
    void defaultsAreMirrorMakers() {
        assertThat(DefaultGroupFilter.GROUPS_INCLUDE_DEFAULT).containsExactly(".*");
        assertThat(DefaultGroupFilter.GROUPS_EXCLUDE_DEFAULT).containsExactly("console-consumer-.*", "connect-.*", "__.*");
    }

    @Test
    void defaultFilterSkipsConsoleConnectAndInternalGroups() {
        DefaultGroupFilter filter = new DefaultGroupFilter();
        assertThat(filter.shouldReplicateGroup("billing")).isTrue();
        assertThat(filter.shouldReplicateGroup("console-consumer-4242")).isFalse();
        assertThat(filter.shouldReplicateGroup("connect-mirror")).isFalse();
        assertThat(filter.shouldReplicateGroup("__share")).isFalse();
        assertThat(filter.shouldReplicateGroup("my-connect-group")).isTrue();
    }

    @Test
    void regexesMustMatchTheWholeNameAndExcludesWin() {
        DefaultGroupFilter filter = new DefaultGroupFilter(List.of("app-.*", "billing"), List.of("app-test"));
        assertThat(filter.shouldReplicateGroup("app-1")).isTrue();
        assertThat(filter.shouldReplicateGroup("app-test")).isFalse();
        assertThat(filter.shouldReplicateGroup("billing")).isTrue();
        assertThat(filter.shouldReplicateGroup("billing-2")).isFalse();
        assertThat(filter.shouldReplicateGroup("myapp-1")).isFalse();
    }

    @Test
    void emptyIncludeListMatchesNothing() {
        assertThat(new DefaultGroupFilter(List.of(), List.of()).shouldReplicateGroup("billing")).isFalse();
    }
}
