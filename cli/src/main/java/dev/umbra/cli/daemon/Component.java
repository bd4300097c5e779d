package dev.umbra.cli.daemon;

import java.time.Duration;

/** A part of the running daemon: a capture, a log tail, a listener, a sink. */
public interface Component {

    /** Short name for logs and errors ({@code capture eth0}, {@code syslog 127.0.0.1:5514}). */
    String name();

    /**
     * Loads what {@link #start()} will need (classes, native libraries) without acquiring anything (no
     * socket, no file, no capture handle). Runs on a thread of its own while earlier components start;
     * start waits for it. A failure here is ignored: start meets it again and reports it.
     */
    default void prepare() throws Exception {
    }

    /**
     * Starts the component; returns when it runs.
     *
     * @throws Exception when it cannot start; the message says what and why (port in use, no such
     *     interface, unwritable directory)
     */
    void start() throws Exception;

    /**
     * Components next to each other in the start order with the same group start together, each on its
     * own thread; the next group starts when all of them are up. Null (the default): a group of its own.
     */
    default String startGroup() {
        return null;
    }

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
