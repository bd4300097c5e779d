package dev.umbra.cli.daemon;

import java.time.Duration;

/** A part of the running daemon: a capture, a log tail, a listener, a sink. */
public interface Component {

    /** Short name for logs and errors ({@code capture eth0}, {@code syslog 127.0.0.1:5514}). */
    String name();

    /**
     * Starts the component; returns when it runs.
     *
     * @throws Exception when it cannot start; the message says what and why (port in use, no such
     *     interface, unwritable directory)
     */
    void start() throws Exception;

    /** Null while the component works, else why not; drives {@code /healthz}. */
    default String notReady() {
        return null;
    }

    /** Re-reads what it loaded from files (catalog, policy) on SIGHUP; default: nothing to do. */
    default void reload() throws Exception {
    }

    /** Stops within about {@code timeout}: breaks loops, flushes what it holds, releases resources. */
    void stop(Duration timeout);
}
