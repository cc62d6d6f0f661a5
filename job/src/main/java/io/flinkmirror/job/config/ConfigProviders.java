package io.flinkmirror.job.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.provider.ConfigProvider;

/**
 * Resolves {@code ${provider:path:key}} references in values with Kafka ConfigProviders, configured as MirrorMaker 2
 * configures them: {@code config.providers = file}, {@code config.providers.file.class = ...FileConfigProvider},
 * {@code config.providers.file.param.<param> = ...}. Keys under {@code config.providers} are left as written.
 */
final class ConfigProviders {

    static final String PROVIDERS_KEY = "config.providers";

    private ConfigProviders() {
    }

    /** {@code raw} with every reference resolved, in the same order; {@code raw} itself if no provider is listed. */
    static Map<String, String> resolve(Map<String, String> raw) {
        String names = raw.get(PROVIDERS_KEY);
        if (names == null || names.isBlank()) {
            return raw;
        }
        Map<String, ConfigProvider> providers = new HashMap<>();
        try {
            for (String name : ConfigValues.list(names)) {
                providers.put(name, create(raw, name));
            }
            Map<String, String> toResolve = new LinkedHashMap<>();
            raw.forEach((key, value) -> {
                if (!key.startsWith(PROVIDERS_KEY)) {
                    toResolve.put(key, value);
                }
            });
            Map<String, String> resolved;
            try {
                resolved = new ConfigTransformer(providers).transform(toResolve).data();
            } catch (RuntimeException e) {
                throw new ConfigException("Cannot resolve ${...} references with the providers in '"
                        + PROVIDERS_KEY + "' (" + names + "): " + e.getMessage(), e);
            }
            Map<String, String> result = new LinkedHashMap<>();
            raw.forEach((key, value) -> result.put(key, resolved.getOrDefault(key, value)));
            return result;
        } finally {
            for (ConfigProvider provider : providers.values()) {
                try {
                    provider.close();
                } catch (Exception ignored) {
                    // Closing a provider after use must not hide the configuration outcome.
                }
            }
        }
    }

    private static ConfigProvider create(Map<String, String> raw, String name) {
        String classKey = PROVIDERS_KEY + "." + name + ".class";
        String className = raw.get(classKey);
        if (className == null || className.isBlank()) {
            throw new ConfigException("Missing key '" + classKey + "': provider '" + name + "' is listed in '"
                    + PROVIDERS_KEY + "' and needs its ConfigProvider class");
        }
        ConfigProvider provider = ConfigValues.instance(classKey, className, ConfigProvider.class);
        String paramPrefix = PROVIDERS_KEY + "." + name + ".param.";
        Map<String, String> params = new HashMap<>();
        raw.forEach((key, value) -> {
            if (key.startsWith(paramPrefix)) {
                params.put(key.substring(paramPrefix.length()), value);
            }
        });
        try {
            provider.configure(params);
        } catch (RuntimeException e) {
            throw new ConfigException("Cannot configure provider '" + name + "' (" + className.trim() + ") from '"
                    + paramPrefix + "*': " + e.getMessage(), e);
        }
        return provider;
    }

    /** The keys under {@code config.providers} that only configure providers. */
    static boolean isProviderKey(String key) {
        return key.equals(PROVIDERS_KEY) || key.startsWith(PROVIDERS_KEY + ".");
    }
}
