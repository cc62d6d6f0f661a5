package io.flinkmirror.udfs.transform.examples;

import io.flinkmirror.udfs.record.MirrorRecord;
import io.flinkmirror.udfs.transform.RecordFunction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An example {@link RecordFunction}: in UTF-8 JSON-ish values, replaces the string value of field {@code field}
 * (option {@code field}, default {@code password}) with {@code "***"}, and drops records whose value contains the
 * text of option {@code drop-if-contains} (if set). Records whose value is null (tombstones) pass unchanged. What an
 * SMT cannot do on bytes: MM2's transforms see the value as opaque bytes.
 *
 * <pre>
 *   A->B.flink.record.function.class = io.flinkmirror.udfs.transform.examples.MaskField
 *   A->B.flink.record.function.field = ssn
 *   A->B.flink.record.function.drop-if-contains = "test":true
 * </pre>
 */
public class MaskField implements RecordFunction {

    private static final long serialVersionUID = 1L;

    private transient Pattern pattern;
    private transient String dropIfContains;

    @Override
    public void open(Map<String, String> options) {
        String field = options.getOrDefault("field", "password");
        pattern = Pattern.compile("(\"" + Pattern.quote(field) + "\"\\s*:\\s*)\"[^\"]*\"");
        dropIfContains = options.get("drop-if-contains");
    }

    @Override
    public MirrorRecord apply(MirrorRecord record) {
        if (record.value == null) {
            return record;
        }
        String value = new String(record.value, StandardCharsets.UTF_8);
        if (dropIfContains != null && value.contains(dropIfContains)) {
            return null;
        }
        Matcher m = pattern.matcher(value);
        if (m.find()) {
            record.value = m.replaceAll("$1\"***\"").getBytes(StandardCharsets.UTF_8);
        }
        return record;
    }
}
