package io.flinkmirror.udfs.transform;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * A value-level SMT on bytes (test): upper-cases UTF-8 values; fails on a value equal to option {@code fail.on}.
 */
public class UpperCaseValue implements Transformation<SourceRecord> {

    private String failOn;

    @Override
    public SourceRecord apply(SourceRecord record) {
        if (record.value() == null) {
            return record;
        }
        String value = new String((byte[]) record.value(), StandardCharsets.UTF_8);
        if (value.equals(failOn)) {
            throw new IllegalArgumentException("cannot upper-case '" + value + "'");
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                record.valueSchema(), value.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8),
                record.timestamp(), record.headers());
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef().define("fail.on", ConfigDef.Type.STRING, null, ConfigDef.Importance.LOW, "test");
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
        failOn = (String) configs.get("fail.on");
    }
}
