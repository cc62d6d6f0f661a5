package io.flinkmirror.udfs.acl;

import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.topic.TopicSelector;
import java.io.Serializable;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Which target ACL binding a source topic ACL binding becomes in flow {@code source->target}: MirrorMaker 2's rules
 * ({@code MirrorSourceConnector.syncTopicAcls}) for literal patterns, plus prefixed patterns, which MM2 does not sync.
 *
 * <ul>
 *   <li>Only {@link ResourceType#TOPIC} bindings with a {@link PatternType#LITERAL} or {@link PatternType#PREFIXED}
 *       pattern are synced.</li>
 *   <li>A literal name is synced when the flow replicates a topic of that name ({@link TopicSelector}: topic filter,
 *       not internal, not a cycle); it is renamed by the replication policy. The literal wildcard {@code *} is never
 *       synced (MM2 would turn it into a topic literally named {@code A.*}, or with the identity policy into a
 *       wildcard covering every topic of the target).</li>
 *   <li>A prefix is synced when the flow would replicate a topic named like the prefix itself (the same test as a
 *       literal name) and the policy can name the prefix of the remote names
 *       ({@link ReplicationPolicy#remoteTopicPrefix}): {@code orders} from {@code A} becomes {@code A.orders} with the
 *       default policy, stays {@code orders} with the identity policy.</li>
 *   <li>ALLOW WRITE is not synced (only the replicator writes remote topics); ALLOW ALL becomes ALLOW READ; every other
 *       entry, DENY entries of any operation included, is kept as it is. Principal and host are always kept.</li>
 * </ul>
 */
public final class TopicAclMapping implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String sourceAlias;
    private final ReplicationPolicy policy;
    private final TopicSelector selector;

    public TopicAclMapping(String sourceAlias, ReplicationPolicy policy, TopicSelector selector) {
        this.sourceAlias = Objects.requireNonNull(sourceAlias, "sourceAlias");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.selector = Objects.requireNonNull(selector, "selector");
    }

    /** The target binding {@code source} becomes, or empty if it is not synced. */
    public Optional<AclBinding> targetBinding(AclBinding source) {
        ResourcePattern pattern = source.pattern();
        if (pattern.resourceType() != ResourceType.TOPIC) {
            return Optional.empty();
        }
        Optional<AccessControlEntry> entry = targetEntry(source.entry());
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        String name = pattern.name();
        if (pattern.patternType() == PatternType.LITERAL) {
            if (ResourcePattern.WILDCARD_RESOURCE.equals(name) || !selector.shouldReplicate(name)) {
                return Optional.empty();
            }
            String remote = policy.formatRemoteTopic(sourceAlias, name);
            return Optional.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, remote, PatternType.LITERAL),
                    entry.get()));
        }
        if (pattern.patternType() == PatternType.PREFIXED) {
            if (name.isEmpty() || !selector.shouldReplicate(name)) {
                return Optional.empty();
            }
            String remotePrefix = policy.remoteTopicPrefix(sourceAlias, name);
            if (remotePrefix == null || remotePrefix.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new AclBinding(
                    new ResourcePattern(ResourceType.TOPIC, remotePrefix, PatternType.PREFIXED), entry.get()));
        }
        return Optional.empty();
    }

    /** Every target binding the {@code sourceBindings} become (duplicates merged, e.g. ALLOW ALL and ALLOW READ). */
    public Set<AclBinding> targetBindings(Collection<AclBinding> sourceBindings) {
        Set<AclBinding> result = new LinkedHashSet<>();
        for (AclBinding binding : sourceBindings) {
            targetBinding(binding).ifPresent(result::add);
        }
        return result;
    }

    /** MM2's entry rules: ALLOW WRITE dropped, ALLOW ALL downgraded to ALLOW READ, the rest unchanged. */
    static Optional<AccessControlEntry> targetEntry(AccessControlEntry entry) {
        if (entry.permissionType() == AclPermissionType.ALLOW) {
            if (entry.operation() == AclOperation.WRITE) {
                return Optional.empty();
            }
            if (entry.operation() == AclOperation.ALL) {
                return Optional.of(new AccessControlEntry(entry.principal(), entry.host(), AclOperation.READ,
                        AclPermissionType.ALLOW));
            }
        }
        return Optional.of(entry);
    }
}
