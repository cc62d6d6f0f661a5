package io.flinkmirror.job;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.SaslConfigs;

/** The principal a flow's clients authenticate as, for messages (never a secret). */
public final class Principals {

    private static final Pattern JAAS_USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private Principals() {}

    /** {@code User:<name>} from a SASL JAAS config's username (never its password), or a generic description. */
    public static String of(Map<String, String> clientProps) {
        String jaas = clientProps.get(SaslConfigs.SASL_JAAS_CONFIG);
        if (jaas != null) {
            Matcher m = JAAS_USERNAME.matcher(jaas);
            if (m.find()) {
                return "User:" + m.group(1);
            }
        }
        String protocol = clientProps.getOrDefault("security.protocol", "PLAINTEXT");
        return "PLAINTEXT".equalsIgnoreCase(protocol) ? "User:ANONYMOUS" : "(" + protocol + " client)";
    }
}
