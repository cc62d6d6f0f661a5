package io.flinkmirror.job.config;

import io.flinkmirror.udfs.transform.ErrorTolerance;
import io.flinkmirror.udfs.transform.RecordTransformer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A flow's record transforms and record function, from its keys ({@link FlowConfig#recordTransformer()}). */
final class FlowTransforms {

    private FlowTransforms() {}

    /**
     * The flow's transforms ({@code transforms}, {@code transforms.*}, {@code predicates}, {@code predicates.*}), its
     * record function ({@code flink.record.function.*}) and {@code errors.tolerance}, each key per flow if set there,
     * else top level; built once here so that a bad class or option fails at config time. (MM2 4.2 reads only
     * {@code transforms} and {@code predicates} at the top level, not their {@code .<alias>.*} options; applying
     * those too is what such a file means.)
     */
    static RecordTransformer of(FlowSettings settings, String flow) {
        Map<String, String> props = new LinkedHashMap<>();
        Map<String, String> keysAsSet = new LinkedHashMap<>();
        Map<String, String> options = new LinkedHashMap<>();
        String flowPrefix = flow + ".";
        for (boolean perFlow : new boolean[] {false, true}) {
            settings.raw().forEach((key, value) -> {
                if (perFlow != key.startsWith(flowPrefix) || (perFlow && key.length() == flowPrefix.length())) {
                    return;
                }
                String name = perFlow ? key.substring(flowPrefix.length()) : key;
                if (name.equals(ConfigKeys.TRANSFORMS.key()) || name.equals(ConfigKeys.PREDICATES.key())
                        || KeyChecker.isTransformOption(name)) {
                    props.put(name, value);
                    keysAsSet.put(name, key);
                } else if (KeyChecker.isRecordFunctionOption(name)
                        && !name.equals(ConfigKeys.RECORD_FUNCTION_CLASS.key())) {
                    options.put(name.substring(KeyChecker.RECORD_FUNCTION_PREFIX.length()), value);
                }
            });
        }
        ErrorTolerance tolerance = ErrorTolerance.valueOf(
                settings.get(ConfigKeys.ERRORS_TOLERANCE).toUpperCase(Locale.ROOT));
        String functionClass = settings.isSet(ConfigKeys.RECORD_FUNCTION_CLASS)
                ? settings.value(ConfigKeys.RECORD_FUNCTION_CLASS) : null;
        RecordTransformer transformer = new RecordTransformer(flow, settings.source(), props, keysAsSet,
                functionClass, settings.name(ConfigKeys.RECORD_FUNCTION_CLASS), options, tolerance);
        try {
            transformer.validate();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        return transformer;
    }
}
