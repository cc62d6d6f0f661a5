package io.flinkmirror.integration.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The replicators the benchmark compares, each run as its own JVM with the same parallelism. */
enum Contender {
    CEILING("ceiling", "copy loop (ceiling)", false),
    MM2_ALO("mm2-alo", "MirrorMaker 2 at-least-once", false),
    MM2_EOS("mm2-eos", "MirrorMaker 2 exactly-once", true),
    FLINK_EOS("flink-eos", "Flink Mirror exactly-once", true),
    FLINK_ALO("flink-alo", "Flink Mirror at-least-once", false);

    private final String id;
    private final String title;
    private final boolean exactlyOnce;

    Contender(String id, String title, boolean exactlyOnce) {
        this.id = id;
        this.title = title;
        this.exactlyOnce = exactlyOnce;
    }

    String id() {
        return id;
    }

    String title() {
        return title;
    }

    boolean exactlyOnce() {
        return exactlyOnce;
    }

    boolean isFlinkMirror() {
        return this == FLINK_EOS || this == FLINK_ALO;
    }

    /** MirrorMaker 2 with the same delivery guarantee, for Flink Mirror's contenders; null for the others. */
    Contender mm2Peer() {
        return switch (this) {
            case FLINK_EOS -> MM2_EOS;
            case FLINK_ALO -> MM2_ALO;
            default -> null;
        };
    }

    static Contender byId(String id) {
        for (Contender contender : values()) {
            if (contender.id.equals(id)) {
                return contender;
            }
        }
        throw new IllegalArgumentException("unknown contender '" + id + "'; allowed: "
                + Arrays.stream(values()).map(Contender::id).collect(Collectors.joining(", ")));
    }
}
