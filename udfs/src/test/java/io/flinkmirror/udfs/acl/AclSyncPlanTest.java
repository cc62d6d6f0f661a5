package io.flinkmirror.udfs.acl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class AclSyncPlanTest {

    private static AclBinding read(String principal) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, "A.orders", PatternType.LITERAL),
                new AccessControlEntry(principal, "*", AclOperation.READ, AclPermissionType.ALLOW));
    }

    private final AclBinding alice = read("User:alice");
    private final AclBinding bob = read("User:bob");
    private final AclBinding carol = read("User:carol");

    @Test
    void shouldCreateWhatTheTargetLacksAndNothingElse() {
        AclSyncPlan plan = AclSyncPlan.of(Set.of(alice, bob), Set.of(bob), Set.of());
        assertThat(plan.toCreate()).containsExactly(alice);
        assertThat(plan.toDelete()).isEmpty();
        assertThat(plan.toForget()).isEmpty();
    }

    @Test
    void shouldDeleteOnlyOwnedBindingsNoLongerDesired() {
        // bob: on the target before the flow wanted it (never owned); carol: someone else's.
        AclSyncPlan plan = AclSyncPlan.of(Set.of(), Set.of(alice, bob, carol), Set.of(alice));
        assertThat(plan.toDelete()).containsExactly(alice);
        assertThat(plan.toCreate()).isEmpty();
        assertThat(plan.toForget()).isEmpty();
    }

    @Test
    void shouldForgetOwnedBindingsAlreadyGoneFromTheTarget() {
        AclSyncPlan plan = AclSyncPlan.of(Set.of(), Set.of(), Set.of(alice));
        assertThat(plan.toForget()).containsExactly(alice);
        assertThat(plan.toDelete()).isEmpty();
    }

    @Test
    void shouldRecreateAnOwnedBindingRemovedOnTheTargetWhileStillDesired() {
        AclSyncPlan plan = AclSyncPlan.of(Set.of(alice), Set.of(), Set.of(alice));
        assertThat(plan.toCreate()).containsExactly(alice);
        assertThat(plan.toDelete()).isEmpty();
        assertThat(plan.toForget()).isEmpty();
    }

    @Test
    void shouldBeEmptyWhenInStep() {
        assertThat(AclSyncPlan.of(Set.of(alice), Set.of(alice, carol), Set.of(alice)).isEmpty()).isTrue();
        assertThat(AclSyncPlan.of(Set.of(bob), Set.of(bob), Set.of()).isEmpty()).isTrue();
    }
}
