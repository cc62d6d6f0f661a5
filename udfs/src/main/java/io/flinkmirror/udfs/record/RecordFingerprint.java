package io.flinkmirror.udfs.record;

import java.util.zip.CRC32C;

/** A 64-bit fingerprint of a record's key, value and timestamp, to recognise a replicated record on the target. */
public final class RecordFingerprint {

    private RecordFingerprint() {}

    /** Fingerprint of a record; null key or value count as distinct from empty ones. */
    public static long of(byte[] key, byte[] value, long timestamp) {
        CRC32C crc = new CRC32C();
        update(crc, key);
        long keyCrc = crc.getValue();
        crc.reset();
        update(crc, value);
        long valueCrc = crc.getValue();
        return (keyCrc << 32 | valueCrc) ^ (timestamp * 0x9E3779B97F4A7C15L);
    }

    private static void update(CRC32C crc, byte[] bytes) {
        if (bytes == null) {
            crc.update(0xFF);
        } else {
            crc.update(bytes.length >>> 24);
            crc.update(bytes.length >>> 16);
            crc.update(bytes.length >>> 8);
            crc.update(bytes.length);
            crc.update(bytes);
        }
    }
}
