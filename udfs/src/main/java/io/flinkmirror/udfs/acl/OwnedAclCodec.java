package io.flinkmirror.udfs.acl;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The records of the topic ACLs a flow created on its target ({@code mm2-topic-acls.<source>.internal}, compacted):
 * the key is the binding, the value says which flow created it and when; a null value (tombstone) means the flow no
 * longer owns it. Keys and values start with a version ({@value #VERSION}); an unknown version is rejected.
 *
 * <p>Key: version (int16), resource type, pattern type, operation, permission type (one byte each, Kafka's codes),
 * then resource name, principal and host (each an int32 length and UTF-8 bytes). Value: version (int16), flow name
 * (int32 length and UTF-8 bytes), creation time (int64 epoch milliseconds).
 */
public final class OwnedAclCodec {

    /** The version written. */
    public static final short VERSION = 0;

    private OwnedAclCodec() {}

    /** The record key of {@code binding}. */
    public static byte[] key(AclBinding binding) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeShort(VERSION);
            out.writeByte(binding.pattern().resourceType().code());
            out.writeByte(binding.pattern().patternType().code());
            out.writeByte(binding.entry().operation().code());
            out.writeByte(binding.entry().permissionType().code());
            writeString(out, binding.pattern().name());
            writeString(out, binding.entry().principal());
            writeString(out, binding.entry().host());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The binding a record key names. */
    public static AclBinding binding(byte[] key) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(key))) {
            checkVersion(in.readShort());
            ResourceType resourceType = ResourceType.fromCode(in.readByte());
            PatternType patternType = PatternType.fromCode(in.readByte());
            AclOperation operation = AclOperation.fromCode(in.readByte());
            AclPermissionType permission = AclPermissionType.fromCode(in.readByte());
            String name = readString(in);
            String principal = readString(in);
            String host = readString(in);
            return new AclBinding(new ResourcePattern(resourceType, name, patternType),
                    new AccessControlEntry(principal, host, operation, permission));
        }
    }

    /** The record value saying {@code flow} created the binding at {@code createdMs}. */
    public static byte[] value(String flow, long createdMs) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeShort(VERSION);
            writeString(out, flow);
            out.writeLong(createdMs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The flow named by a record value. */
    public static String flow(byte[] value) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            checkVersion(in.readShort());
            return readString(in);
        }
    }

    private static void checkVersion(short version) throws IOException {
        if (version != VERSION) {
            throw new IOException("Unknown version: " + version);
        }
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("Invalid string length " + length);
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
