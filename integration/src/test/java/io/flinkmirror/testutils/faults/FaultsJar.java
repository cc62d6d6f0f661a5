package io.flinkmirror.testutils.faults;

import io.flinkmirror.job.sink.CommitterDecorators;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The fault injectors of this package as a jar for a mirror process's classpath ({@code FLINK_MIRROR_CLASSPATH}): only
 * these classes, so nothing else of the tests (their log4j configuration above all) reaches the mirror.
 */
public final class FaultsJar {

    /** The mirror's system property naming a committer decorator ({@link CommitterDecorators}). */
    public static final String DECORATOR_PROPERTY = CommitterDecorators.PROPERTY;

    private static Path jar;

    private FaultsJar() {}

    /** Whether a mirror started with {@code javaOptions} needs the jar. */
    public static boolean neededBy(List<String> javaOptions) {
        return javaOptions.stream().anyMatch(o -> o.startsWith("-D" + DECORATOR_PROPERTY + "="));
    }

    /** The jar, written once per test JVM. */
    public static synchronized Path path() {
        if (jar != null) {
            return jar;
        }
        try {
            Path classes = Path.of(FaultsJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            String dir = FaultsJar.class.getPackageName().replace('.', '/');
            Path written = Files.createTempFile("flink-mirror-faults", ".jar");
            written.toFile().deleteOnExit();
            try (OutputStream out = Files.newOutputStream(written); JarOutputStream jarOut = new JarOutputStream(out);
                 Stream<Path> files = Files.list(classes.resolve(dir))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                    jarOut.putNextEntry(new JarEntry(dir + "/" + file.getFileName()));
                    jarOut.write(Files.readAllBytes(file));
                    jarOut.closeEntry();
                }
            }
            jar = written;
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
