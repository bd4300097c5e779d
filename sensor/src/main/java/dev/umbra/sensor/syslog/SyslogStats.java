package dev.umbra.sensor.syslog;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of the syslog listener, in total and per sending address. Thread-safe. */
public final class SyslogStats {
    /** Senders counted one by one; the rest share the entry of {@link #OTHER_PEERS}. */
    public static final int MAX_PEERS = 1024;
    /** Key of the shared entry for senders beyond {@link #MAX_PEERS}. */
    public static final String OTHER_PEERS = "other";

    /** Counters of one sender. */
    public static final class Peer {
        final AtomicLong messages = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong oversize = new AtomicLong();
        final AtomicLong framingErrors = new AtomicLong();
        final AtomicLong connections = new AtomicLong();

        /** Messages handed on. */
        public long messages() {
            return messages.get();
        }

        /** Bytes of the messages handed on. */
        public long bytes() {
            return bytes.get();
        }

        /** Messages or connections refused by the allow-list. */
        public long rejected() {
            return rejected.get();
        }

        /** Messages longer than the cap, dropped. */
        public long oversize() {
            return oversize.get();
        }

        /** Connections closed on an error (a failed TLS handshake, a reset). */
        public long framingErrors() {
            return framingErrors.get();
        }

        /** TCP connections accepted. */
        public long connections() {
            return connections.get();
        }
    }

    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private final Peer total = new Peer();

    Peer peer(InetAddress a) {
        String key = a.getHostAddress();
        Peer p = peers.get(key);
        if (p != null) {
            return p;
        }
        if (peers.size() >= MAX_PEERS) {
            return peers.computeIfAbsent(OTHER_PEERS, k -> new Peer());
        }
        return peers.computeIfAbsent(key, k -> new Peer());
    }

    void message(Peer p, int len) {
        p.messages.incrementAndGet();
        p.bytes.addAndGet(len);
        total.messages.incrementAndGet();
        total.bytes.addAndGet(len);
    }

    void rejected(Peer p) {
        p.rejected.incrementAndGet();
        total.rejected.incrementAndGet();
    }

    void oversize(Peer p) {
        p.oversize.incrementAndGet();
        total.oversize.incrementAndGet();
    }

    void framingError(Peer p) {
        p.framingErrors.incrementAndGet();
        total.framingErrors.incrementAndGet();
    }

    void connection(Peer p) {
        p.connections.incrementAndGet();
        total.connections.incrementAndGet();
    }

    /** The counters summed over every sender. */
    public Peer total() {
        return total;
    }

    /** The counters per sending address (text form), sorted by address text. */
    public Map<String, Peer> peers() {
        Map<String, Peer> out = new LinkedHashMap<>();
        peers.keySet().stream().sorted().forEach(k -> out.put(k, peers.get(k)));
        return out;
    }
}
