package dev.umbra.sensor.flow;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/*
 * Design notes.
 *
 * Only the first bytes of a TCP direction matter to Umbra (a ClientHello, an HTTP request head, a
 * CONNECT then a ClientHello) plus, on DNS connections, a run of length-prefixed messages, and on
 * cleartext HTTP/2 connections every frame (each header block needs the HPACK state of the ones
 * before it). So a
 * stream is followed only while it may still carry such bytes: it opens on a SYN (the ISN gives
 * offset 0, so segments arriving out of order land in place) or, when the capture missed the SYN,
 * on a segment that starts something unfinished (a ClientHello record longer than the segment, a
 * DNS message cut at the segment end). The caller closes it as soon as the bytes were read or
 * found uninteresting; later segments of that direction are then read one by one again (so a
 * STARTTLS upgrade's hello is still seen). A direction that sent FIN or RST while its stream holds
 * no bytes is forgotten at once (ended()): on a capture of many short sessions, the sides that never
 * sent a byte kept most of the table until their idle timeout. Without a SYN, segments that arrive before the one starting the hello cannot
 * be placed and are lost (counted by the caller as an incomplete hello).
 *
 * Bounds: maxStreams entries in an access-ordered map (least recently used evicted first, counted
 * tcp_stream_evicted; the eviction callback lets the caller report what an evicted stream held),
 * streams idle longer than idleNanos expire, each buffer holds at most its cap (bytes beyond are
 * counted tcp_reassembly_overflow).
 *
 * Buffers of streams that were read, expired or evicted go back to a small free list (at most
 * SPARE_BUFFERS) and serve the next stream: most TCP sessions open a stream on their SYN and read a
 * hello of a few hundred bytes, so allocating a fresh buffer for each was most of the decoder's
 * garbage.
 */
/**
 * The TCP directions currently being reassembled, keyed by direction. Not thread-safe.
 */
public final class TcpStreams {
    /** What a stream is known to carry. */
    public enum Kind {
        /** Opened on a SYN; nothing seen yet. */
        UNKNOWN,
        /** A TLS ClientHello record. */
        TLS,
        /** Length-prefixed DNS messages (RFC 7766). */
        DNS,
        /** An HTTP/1.x request head. */
        HTTP,
        /**
         * A cleartext HTTP/2 connection, followed from its preface to its end (its HPACK table and the
         * bodies being read are in {@link Stream#state}); what was read is discarded as it goes.
         */
        HTTP2,
        /** The body of an HTTP/1.x request, from {@link Stream#start}; see {@link Stream#state}. */
        HTTP_BODY,
        /** A SOCKS client's greeting and request (RFC 1928, SOCKS4/4a); the tunnel follows. */
        SOCKS,
        /** An SMB connection's set-up (NEGOTIATE, SESSION_SETUP), read while a logon may come. */
        SMB,
        /** Read already and forgotten. */
        DONE
    }

    /** One reassembled direction. Fields are for the decoder that owns this table. */
    public static final class Stream {
        /** The direction. */
        public final FlowKey key;
        /** Sequence number of stream offset 0 (moves forward when read bytes are discarded). */
        long base;
        /** What the stream carries. */
        public Kind kind;
        /** Offset where the current protocol unit starts (after a PROXY header or a CONNECT request). */
        public int start;
        /** The bytes, allocated when the first payload arrives. */
        public ReassemblyBuffer buf;
        /** What the decoder keeps about the current unit (the request whose body is being read), or null. */
        public Object state;
        /** True for a server's direction (opened at its SYN-ACK): what it sends first answers the client. */
        public boolean responder;
        long lastSeen;
        /** The sequence number of stream offset {@code offset}. */
        public long sequenceAt(int offset) {
            return (base + offset) & 0xffffffffL;
        }

        /** Capture time of the last segment, for reports made at eviction. */
        public long lastSeenNanos() {
            return lastSeen;
        }

        Stream(FlowKey key, long base, Kind kind) {
            this.key = key;
            this.base = base;
            this.kind = kind;
        }
    }

    /** Default cap on streams followed at once. */
    public static final int DEFAULT_MAX_STREAMS = 16_384;
    /** Default idle time after which a stream is forgotten. */
    public static final long DEFAULT_IDLE_NANOS = 30_000_000_000L;
    private static final int PROBE_EXPIRED = 8;
    /** Buffers kept for reuse. */
    private static final int SPARE_BUFFERS = 16;

    private final AnomalyCounters anomalies;
    private final int maxStreams;
    private final long idleNanos;
    private final BiConsumer<Stream, Boolean> onDrop;
    private final Map<FlowKey, Stream> streams = new LinkedHashMap<>(256, 0.75f, true);
    private final ReassemblyBuffer[] spare = new ReassemblyBuffer[SPARE_BUFFERS];
    private int spareCount;

    /**
     * @param onDrop called with a stream that is evicted ({@code true}) or expires ({@code false})
     *     before it was read, so the caller can report what it holds
     */
    public TcpStreams(AnomalyCounters anomalies, int maxStreams, long idleNanos, BiConsumer<Stream, Boolean> onDrop) {
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be at least 1: " + maxStreams);
        }
        if (idleNanos <= 0) {
            throw new IllegalArgumentException("idleNanos must be positive: " + idleNanos);
        }
        this.anomalies = anomalies;
        this.maxStreams = maxStreams;
        this.idleNanos = idleNanos;
        this.onDrop = onDrop;
    }

    /** True when no stream is followed (lets the caller skip building a key). */
    public boolean isEmpty() {
        return streams.isEmpty();
    }

    /** Streams followed now. */
    public int size() {
        return streams.size();
    }

    /** The stream of a direction, or {@code null}. */
    public Stream get(FlowKey key, long now) {
        Stream s = streams.get(key);
        if (s != null) {
            s.lastSeen = now;
        }
        return s;
    }

    /** Opens (or reopens) a stream whose offset 0 is sequence number {@code base}. */
    public Stream open(FlowKey key, long base, Kind kind, long now) {
        expire(now);
        Stream s = new Stream(key, base & 0xffffffffL, kind);
        s.lastSeen = now;
        // one lookup: put, then evict the eldest when that made one stream too many (the new
        // stream is the youngest, so the eldest is the one that would have been evicted first)
        Stream replaced = streams.put(key, s);
        if (replaced != null) {
            if (replaced.kind == Kind.HTTP2 && replaced.state != null) {
                onDrop.accept(replaced, Boolean.FALSE); // the connection it followed is over
            }
            recycle(replaced);
        } else if (streams.size() > maxStreams) {
            Iterator<Stream> it = streams.values().iterator();
            Stream eldest = it.next();
            it.remove();
            anomalies.count(Anomaly.TCP_STREAM_EVICTED);
            onDrop.accept(eldest, Boolean.TRUE);
            recycle(eldest);
        }
        return s;
    }

    /**
     * Places a segment's payload.
     *
     * @param cap the buffer cap if one must be allocated
     */
    public void put(Stream s, long seq, byte[] b, int off, int len, int cap) {
        long offset = (seq - s.base) & 0xffffffffL;
        if (offset > 0x7fffffffL) {
            // before offset 0 (a retransmission of the SYN's data or older bytes): keep what is after it
            long skip = 0x1_0000_0000L - offset;
            if (skip >= len) {
                return;
            }
            off += (int) skip;
            len -= (int) skip;
            offset = 0;
        }
        if (s.buf == null) {
            if (spareCount > 0) {
                s.buf = spare[--spareCount];
                spare[spareCount] = null;
                s.buf.reuse(cap);
            } else {
                s.buf = new ReassemblyBuffer(cap);
            }
        }
        if (offset >= s.buf.cap()) {
            anomalies.count(Anomaly.TCP_REASSEMBLY_OVERFLOW);
            return;
        }
        if (!s.buf.put(offset, b, off, len)) {
            anomalies.count(Anomaly.TCP_REASSEMBLY_OVERFLOW);
        }
    }

    /**
     * Drops the first {@code n} bytes of a stream's buffer, which the caller has read, and moves the
     * stream's offset 0 after them (a long-lived DNS connection stays within the cap).
     */
    public void discard(Stream s, int n) {
        if (n <= 0 || s.buf == null) {
            return;
        }
        s.buf.discard(n);
        s.base = (s.base + n) & 0xffffffffL;
        s.start = Math.max(0, s.start - n);
        if (s.buf.highest() == 0) {
            recycle(s); // everything was read: the next segment takes a buffer again
        }
    }

    /**
     * Marks a stream read and forgets it: later segments of the direction are read one by one again
     * (a STARTTLS upgrade sends its ClientHello after plaintext commands).
     */
    public void done(Stream s) {
        s.kind = Kind.DONE;
        s.state = null;
        streams.remove(s.key, s);
        recycle(s);
    }

    /** Takes a forgotten stream's buffer back for the next stream. */
    private void recycle(Stream s) {
        ReassemblyBuffer b = s.buf;
        s.buf = null;
        if (b != null && spareCount < SPARE_BUFFERS) {
            spare[spareCount++] = b;
        }
    }

    /**
     * The direction sent FIN or RST. Its stream is forgotten when it holds no bytes: sessions where a
     * side never sends any (the server of a connection the capture shows only the hello of) would
     * otherwise keep a stream each until the idle timeout, filling the table. A stream that holds
     * bytes stays, since a segment sent before the FIN may still arrive.
     */
    public void ended(FlowKey key) {
        Stream s = streams.get(key);
        if (s != null && (s.buf == null || s.buf.highest() == 0)) {
            streams.remove(key);
            if (s.kind == Kind.HTTP2 && s.state != null) {
                onDrop.accept(s, Boolean.FALSE); // an HTTP/2 connection ends: its open bodies go now
            }
            recycle(s);
        }
    }

    /** Forgets a direction. */
    public void close(FlowKey key) {
        streams.remove(key);
    }

    /** Forgets every stream, handing those not read to the drop callback. */
    public void flush() {
        for (Stream s : streams.values()) {
            if (s.kind != Kind.DONE) {
                onDrop.accept(s, Boolean.FALSE);
            }
            recycle(s);
        }
        streams.clear();
    }

    /** Drops every stream idle for longer than the timeout at {@code now}. */
    public void expireIdle(long now) {
        expire(now, Integer.MAX_VALUE);
    }

    private void expire(long now) {
        expire(now, PROBE_EXPIRED);
    }

    private void expire(long now, int max) {
        Iterator<Stream> it = streams.values().iterator();
        for (int i = 0; i < max && it.hasNext(); i++) {
            Stream s = it.next();
            if (now - s.lastSeen <= idleNanos) {
                return;
            }
            it.remove();
            if (s.kind != Kind.DONE) {
                onDrop.accept(s, Boolean.FALSE);
            }
            recycle(s);
        }
    }
}
