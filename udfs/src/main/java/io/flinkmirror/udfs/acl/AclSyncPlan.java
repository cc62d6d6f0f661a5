package io.flinkmirror.udfs.acl;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.common.acl.AclBinding;

/**
 * What one topic ACL sync changes on the target, from three sets of target bindings: {@code desired} (what the source
 * ACLs map to now, {@link TopicAclMapping}), {@code existing} (what the target holds now) and {@code owned} (what this
 * flow created earlier and recorded as its own).
 *
 * <p>Invariants: a binding is deleted only if it is owned and no longer desired, so a binding the flow did not create
 * (there before the flow wanted it, or made by anyone else) is never deleted; a binding is created only if the target
 * lacks it, so what the flow records as created never existed on the target just before. An owned binding already
 * gone from the target is only forgotten.
 *
 * @param toCreate desired bindings the target lacks: created, then recorded as owned
 * @param toDelete owned bindings no longer desired that the target still holds: deleted, then forgotten
 * @param toForget owned bindings no longer desired that the target no longer holds: forgotten
 */
public record AclSyncPlan(Set<AclBinding> toCreate, Set<AclBinding> toDelete, Set<AclBinding> toForget) {

    public AclSyncPlan {
        toCreate = Collections.unmodifiableSet(new LinkedHashSet<>(toCreate));
        toDelete = Collections.unmodifiableSet(new LinkedHashSet<>(toDelete));
        toForget = Collections.unmodifiableSet(new LinkedHashSet<>(toForget));
    }

    /** The plan for {@code desired}, {@code existing} and {@code owned} target bindings. */
    public static AclSyncPlan of(Set<AclBinding> desired, Set<AclBinding> existing, Set<AclBinding> owned) {
        Set<AclBinding> create = new LinkedHashSet<>(desired);
        create.removeAll(existing);
        Set<AclBinding> delete = new LinkedHashSet<>();
        Set<AclBinding> forget = new LinkedHashSet<>();
        for (AclBinding binding : owned) {
            if (!desired.contains(binding)) {
                (existing.contains(binding) ? delete : forget).add(binding);
            }
        }
        return new AclSyncPlan(create, delete, forget);
    }

    /** Whether the sync changes nothing (on the target or in the record of owned bindings). */
    public boolean isEmpty() {
        return toCreate.isEmpty() && toDelete.isEmpty() && toForget.isEmpty();
    }
}
