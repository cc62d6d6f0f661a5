package io.flinkmirror.cli;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Handles SIGINT (Ctrl-C) and SIGTERM of {@code bin/mirror run} itself, instead of the JVM: the first one runs
 * {@code stop} (the final savepoint, or a cancel when that cannot be taken) on a thread of its own while everything
 * the job needs is still up, then exits with 130 (the JVM's shutdown hooks run after it); a second one exits at once.
 * Where the JVM does not let a handler be installed, the JVM's shutdown hooks do the same, racing Flink's own.
 */
final class StopOnSignal {

    private static final Logger LOG = LoggerFactory.getLogger(StopOnSignal.class);
    private static final int EXIT_CODE = 130;

    private StopOnSignal() {}

    static void install(Runnable stop) {
        AtomicInteger signals = new AtomicInteger();
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (signals.incrementAndGet() > 1) {
                        LOG.warn("SIG{} again: exiting without waiting for the final savepoint", signal.getName());
                        System.exit(EXIT_CODE);
                    }
                    LOG.info("SIG{}: stopping the job with a final savepoint (again to exit at once)",
                            signal.getName());
                    Thread stopper = new Thread(() -> {
                        try {
                            stop.run();
                        } finally {
                            System.exit(EXIT_CODE);
                        }
                    }, "flink-mirror-stop");
                    stopper.start();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("Cannot handle SIG{} ({}): the shutdown hook stops the job", name, e.toString());
            }
        }
    }
}
