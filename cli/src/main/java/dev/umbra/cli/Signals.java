package dev.umbra.cli;

import org.apache.logging.log4j.LogManager;

/** SIGHUP handling through the JDK's sun.misc.Signal (jdk.unsupported, present in every JDK 17). */
final class Signals {
    private Signals() {
    }

    /** Runs {@code action} on each SIGHUP; logs and does nothing where the signal is not available. */
    @SuppressWarnings("restriction")
    static void onHangup(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LogManager.getLogger(Signals.class).warn("SIGHUP reload unavailable: {}", e.getMessage());
        }
    }
}
