package io.flinkmirror.cli;

import java.nio.file.Path;
import java.nio.file.Paths;

/** The Flink Mirror directory ({@code bin/mirror} sets {@code -Dmirror.home}); the working directory otherwise. */
final class MirrorHome {

    private MirrorHome() {}

    static Path path() {
        return Paths.get(System.getProperty("mirror.home", "")).toAbsolutePath().normalize();
    }
}
