package io.flinkmirror.testutils;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Kafka clusters secured like production ones: SASL/PLAIN over TLS on the broker listener (SASL/PLAIN on the
 * controller listener), ACLs enforced by KRaft's {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found
 * = false}, and one super user ({@code admin}) that the test harness uses. Kafka 4.2's {@code KafkaClusterTestKit}
 * only wires SASL_PLAINTEXT itself (fixed users, a JVM-wide JAAS file, no TLS), so the listener, JAAS and TLS settings
 * are set here as broker properties, per listener.
 *
 * <p>One self-signed certificate for {@code localhost}/{@code 127.0.0.1} (made with the JDK's {@code keytool}) serves
 * every broker; clients trust it through a PKCS12 truststore. Every password is random and contains
 * {@link #SECRET_MARK}, so a test can search logs for leaked secrets.
 */
public final class SecureKafka {

    /** Part of every generated password and keystore password. */
    public static final String SECRET_MARK = "s3cr3t";

    private final Path keystore;
    private final Path truststore;
    private final String storePassword = secret();
    private final Map<String, String> users = new LinkedHashMap<>();

    private SecureKafka(Path dir) {
        this.keystore = dir.resolve("broker.p12");
        this.truststore = dir.resolve("truststore.p12");
        users.put("admin", secret());
    }

    /** Creates the TLS material in {@code dir}; {@code users} (besides {@code admin}) get random passwords. */
    public static SecureKafka create(Path dir, String... users) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        SecureKafka secure = new SecureKafka(dir);
        for (String user : users) {
            secure.users.put(user, secret());
        }
        Path cert = dir.resolve("broker.crt");
        secure.keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", secure.keystore.toString(), "-storepass", secure.storePassword);
        secure.keytool("-exportcert", "-alias", "broker", "-keystore", secure.keystore.toString(), "-storepass",
                secure.storePassword, "-file", cert.toString());
        secure.keytool("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-storetype",
                "PKCS12", "-keystore", secure.truststore.toString(), "-storepass", secure.storePassword);
        return secure;
    }

    private static String secret() {
        return SECRET_MARK + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }

    /** The password of {@code user}. */
    public String password(String user) {
        return users.get(user);
    }

    /** Every secret: user passwords and the key/trust store password. */
    public List<String> secrets() {
        List<String> all = new ArrayList<>(users.values());
        all.add(storePassword);
        return all;
    }

    /** Starts a secured one-node cluster. */
    public LocalKafkaCluster start(String name, Path baseDir) {
        return LocalKafkaCluster.start(name, baseDir, 1, brokerProperties(), new LocalKafkaCluster.Security(
                SecurityProtocol.SASL_SSL, SecurityProtocol.SASL_PLAINTEXT, clientProperties("admin")));
    }

    private Map<String, String> brokerProperties() {
        StringBuilder jaas = new StringBuilder(plainJaas("admin", password("admin")).replace(";", ""));
        users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password)
                .append('"'));
        jaas.append(';');
        Map<String, String> props = new LinkedHashMap<>();
        props.put("sasl.enabled.mechanisms", "PLAIN");
        props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put("listener.name.external.plain.sasl.jaas.config", jaas.toString());
        props.put("listener.name.controller.plain.sasl.jaas.config", jaas.toString());
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", keystore.toString());
        props.put("ssl.keystore.password", storePassword);
        props.put("ssl.key.password", storePassword);
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", truststore.toString());
        props.put("ssl.truststore.password", storePassword);
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("allow.everyone.if.no.acl.found", "false");
        props.put("super.users", "User:admin");
        return props;
    }

    private static String plainJaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** Kafka client properties (no bootstrap.servers) authenticating as {@code user} over TLS. */
    public Map<String, String> clientProperties(String user) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("security.protocol", "SASL_SSL");
        props.put("sasl.mechanism", "PLAIN");
        props.put("sasl.jaas.config", plainJaas(user, password(user)));
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", truststore.toString());
        props.put("ssl.truststore.password", storePassword);
        return props;
    }

    /** The same settings as MirrorMaker 2 style per-cluster keys ({@code <alias>.security.protocol}, ...). */
    public Map<String, String> mirrorProperties(String alias, String user) {
        Map<String, String> props = new LinkedHashMap<>();
        clientProperties(user).forEach((k, v) -> props.put(alias + "." + k, v));
        return props;
    }

    /** Allows {@code user} the {@code operations} on a resource (literal name, or a prefix if {@code prefixed}). */
    public static AclBindingsBuilder acls(String user) {
        return new AclBindingsBuilder("User:" + user);
    }

    /** Collects ACL bindings for one principal. */
    public static final class AclBindingsBuilder {
        private final String principal;
        private final List<AclBinding> bindings = new ArrayList<>();

        private AclBindingsBuilder(String principal) {
            this.principal = principal;
        }

        public AclBindingsBuilder allow(ResourceType type, String name, PatternType pattern,
                                        AclOperation... operations) {
            for (AclOperation op : operations) {
                bindings.add(new AclBinding(new ResourcePattern(type, name, pattern),
                        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
            }
            return this;
        }

        /** Creates the bindings on {@code cluster} (as its super user). */
        public void createOn(LocalKafkaCluster cluster) throws Exception {
            cluster.admin().createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        }
    }
}
