package io.flinkmirror.udfs.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class OwnedAclCodecTest {

    @Test
    void shouldRoundTripBindingsAndValues() throws IOException {
        for (PatternType type : new PatternType[] {PatternType.LITERAL, PatternType.PREFIXED}) {
            AclBinding binding = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "A.ördérs|x", type),
                    new AccessControlEntry("User:CN=a,O=b|c", "10.0.0.1", AclOperation.DESCRIBE,
                            AclPermissionType.DENY));
            assertThat(OwnedAclCodec.binding(OwnedAclCodec.key(binding))).isEqualTo(binding);
        }
        assertThat(OwnedAclCodec.flow(OwnedAclCodec.value("A->B", 42L))).isEqualTo("A->B");
    }

    @Test
    void shouldRejectUnknownVersions() {
        byte[] key = OwnedAclCodec.key(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "t",
                PatternType.LITERAL),
                new AccessControlEntry("User:a", "*", AclOperation.READ, AclPermissionType.ALLOW)));
        key[1] = 7;
        assertThatThrownBy(() -> OwnedAclCodec.binding(key)).isInstanceOf(IOException.class)
                .hasMessage("Unknown version: 7");
    }
}
