package io.flinkmirror.udfs.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

class DefaultTopicFilterTest {

    @Test
    void defaultsAreMirrorMakers() {
        assertThat(DefaultTopicFilter.TOPICS_INCLUDE_DEFAULT).containsExactly(".*");
        assertThat(DefaultTopicFilter.TOPICS_EXCLUDE_DEFAULT)
                .containsExactly(".*[\\-\\.]internal", ".*\\.replica", "__.*");
    }

    @Test
    void defaultFilterReplicatesUserTopicsOnly() {
        DefaultTopicFilter filter = new DefaultTopicFilter();
        assertThat(filter.shouldReplicateTopic("orders")).isTrue();
        assertThat(filter.shouldReplicateTopic("A.orders")).isTrue();
        assertThat(filter.shouldReplicateTopic("heartbeats")).isTrue();
        assertThat(filter.shouldReplicateTopic("mm2-offsets.A.internal")).isFalse();
        assertThat(filter.shouldReplicateTopic("connect-offsets-internal")).isFalse();
        assertThat(filter.shouldReplicateTopic("orders.replica")).isFalse();
        assertThat(filter.shouldReplicateTopic("__consumer_offsets")).isFalse();
        // "internal" must follow '-' or '.': this one is a user topic.
        assertThat(filter.shouldReplicateTopic("ordersinternal")).isTrue();
    }

    @Test
    void regexesMustMatchTheWholeName() {
        DefaultTopicFilter filter = new DefaultTopicFilter(List.of("orders", "pay.*"), List.of());
        assertThat(filter.shouldReplicateTopic("orders")).isTrue();
        assertThat(filter.shouldReplicateTopic("orders-v2")).isFalse();
        assertThat(filter.shouldReplicateTopic("old-orders")).isFalse();
        assertThat(filter.shouldReplicateTopic("payments")).isTrue();
        assertThat(filter.shouldReplicateTopic("xpayments")).isFalse();
    }

    @Test
    void excludesWinOverIncludes() {
        DefaultTopicFilter filter = new DefaultTopicFilter(List.of("orders.*"), List.of("orders-test.*"));
        assertThat(filter.shouldReplicateTopic("orders-prod")).isTrue();
        assertThat(filter.shouldReplicateTopic("orders-test-1")).isFalse();
    }

    @Test
    void emptyIncludeListMatchesNothingAndEmptyExcludeListExcludesNothing() {
        assertThat(new DefaultTopicFilter(List.of(), List.of()).shouldReplicateTopic("orders")).isFalse();
        assertThat(new DefaultTopicFilter(List.of(".*"), List.of()).shouldReplicateTopic("__consumer_offsets"))
                .isTrue();
    }

    @Test
    void invalidRegexIsRejected() {
        assertThatThrownBy(() -> new DefaultTopicFilter(List.of("orders["), List.of()))
                .isInstanceOf(PatternSyntaxException.class);
    }

    @Test
    void exposesItsRegexes() {
        DefaultTopicFilter filter = new DefaultTopicFilter(List.of("a"), List.of("b"));
        assertThat(filter.includeRegexes()).containsExactly("a");
        assertThat(filter.excludeRegexes()).containsExactly("b");
    }
}
