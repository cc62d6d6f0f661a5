package io.flinkmirror.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/mirror's log configuration ({@code conf/log4j2-cli.properties}), loaded by log4j itself in a logger context of
 * its own: the log rolls over by size and keeps a bounded number of files, with the sizes and level bin/mirror passes.
 */
class LogRotationTest {

    private static final Path CONFIG = Path.of("../conf/log4j2-cli.properties");

    @TempDir
    Path dir;

    @Test
    void shouldRollTheLogOverBySizeAndKeepAtMostTheConfiguredNumberOfFiles() throws Exception {
        Path log = dir.resolve("mirror.log");
        List<String> props = List.of("log.file", "mirror.log.max-size", "mirror.log.max-files", "mirror.console.level",
                "mirror.log.level");
        System.setProperty("log.file", log.toString());
        System.setProperty("mirror.log.max-size", "4KB");
        System.setProperty("mirror.log.max-files", "3");
        System.setProperty("mirror.console.level", "OFF");
        System.setProperty("mirror.log.level", "WARN");
        LoggerContext context = new LoggerContext("log-rotation-test");
        try {
            context.setConfigLocation(CONFIG.toUri());
            Logger logger = context.getLogger("io.flinkmirror.test");
            for (int i = 0; i < 2_000; i++) {
                logger.warn("line {} of a mirror that runs for months, padded to about a hundred bytes ..........", i);
                logger.info("an INFO line, below the level asked for: never written");
            }
        } finally {
            context.stop();
            props.forEach(System::clearProperty);
        }

        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.sorted().toList();
        }
        assertThat(files).as("the log and its rolled files").contains(log, dir.resolve("mirror.log.1"))
                .hasSizeLessThanOrEqualTo(1 + 3);
        for (Path file : files) {
            assertThat(Files.size(file)).as("size of %s", file).isLessThanOrEqualTo(4 * 1024 + 200);
            assertThat(Files.readString(file)).doesNotContain("below the level asked for");
        }
        assertThat(Files.readString(log)).contains("line 1999 of a mirror");
    }
}
