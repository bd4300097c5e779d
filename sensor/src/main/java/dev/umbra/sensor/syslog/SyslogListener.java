package dev.umbra.sensor.syslog;

import java.net.InetSocketAddress;

/**
 * Receives syslog messages, one call per message, on the listener's I/O threads: calls for one
 * TCP connection are in order, calls for different senders may be concurrent. Implementations
 * must be thread-safe and quick (they run on the event loop), and must not keep {@code buf}.
 */
@FunctionalInterface
public interface SyslogListener {
    /**
     * One message: header (if any) and text, without framing.
     *
     * @param peer the sender
     * @param buf holds the message; valid only during the call
     */
    void onMessage(InetSocketAddress peer, byte[] buf, int off, int len);
}
