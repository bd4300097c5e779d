package dev.umbra.sensor.quic;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.flow.FlowKey;
import dev.umbra.sensor.flow.ReassemblyBuffer;
import dev.umbra.sensor.tls.ClientHello;
import dev.umbra.sensor.tls.ClientHelloParser;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;

/*
 * Design notes.
 *
 * A client's Initial packets are protected with keys anyone can derive from the Destination
 * Connection ID of the client's first Initial (RFC 9001 section 5.2). This class opens them: it
 * removes header protection (AES-ECB mask over a 16-byte sample, section 5.4), decrypts the payload
 * (AEAD_AES_128_GCM, nonce = iv XOR packet number, AAD = the unprotected header, section 5.3),
 * walks the frames and puts CRYPTO data into a per-connection ReassemblyBuffer by offset. When the
 * buffer holds the whole ClientHello handshake message (type, uint24 length, body) it goes to
 * ClientHelloParser#parseHandshake and the listener gets it once.
 *
 * Connections are keyed by the client's direction of the UDP 4-tuple, not by DCID: once the
 * server's first Initial arrives the client switches to the server-chosen DCID while its Initials
 * stay protected with the keys of the original DCID (quic_frags_different_dcid in the corpus). The
 * keys that worked are kept on the connection and tried first; when they fail (after a Retry the
 * client re-keys with the new DCID) keys are derived from the packet's DCID and the CRYPTO stream
 * starts over.
 *
 * Bounds: at most maxConnections connections in an access-ordered map (least recently used evicted
 * first, counted as quic_connection_evicted, idle ones expire), at most maxCryptoBytes of CRYPTO
 * data per connection (quic_crypto_buffer_overflow), at most MAX_PACKETS_PER_DATAGRAM coalesced
 * packets and MAX_FRAMES_PER_PACKET frames. A connection whose hello was reported keeps only a
 * small marker so retransmissions and later Initials cost a map lookup, not a decryption.
 *
 * Server Initials use other keys; a datagram whose reverse direction is a known connection is
 * skipped without trying. A hello never completed is reported by flush() if its SNI was received.
 */
/**
 * Opens QUIC Initial packets (v1, v2, drafts 22 to 34, mvfst, Google T050/T051), reassembles the
 * CRYPTO stream of each client and hands every ClientHello to a listener.
 *
 * <p>Not thread-safe: one instance per capture thread.
 */
public final class QuicInitialDecoder {
    /** Receives each client's ClientHello once. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param client the client to server direction of the connection
         * @param timeNanos capture time of the packet that completed the hello (or of the last
         *     packet seen, for a hello reported incomplete)
         * @param hello the parsed hello; {@link ClientHello#complete()} is false when bytes are missing
         * @param raw the handshake message bytes, from offset 0 of the CRYPTO stream; valid only
         *     during the call (the buffer serves the next connection afterwards)
         * @param rawLength the number of valid bytes in {@code raw}
         */
        void onClientHello(FlowKey client, long timeNanos, ClientHello hello, byte[] raw, int rawLength);
    }

    /** Default cap on connections followed at once. */
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    /** Default cap on CRYPTO bytes kept per connection (a post-quantum hello is about 2 KB). */
    public static final int DEFAULT_MAX_CRYPTO_BYTES = 16 * 1024;
    /** Default idle time after which a connection is forgotten. */
    public static final long DEFAULT_IDLE_NANOS = 60_000_000_000L;
    /** Coalesced packets read from one datagram (RFC 9000 12.2). */
    public static final int MAX_PACKETS_PER_DATAGRAM = 8;
    /** Frames read from one packet. */
    public static final int MAX_FRAMES_PER_PACKET = 256;
    /** ACK ranges read from one ACK frame. */
    public static final int MAX_ACK_RANGES = 64;
    /** RFC 9000 17.2: connection IDs are at most 20 bytes in v1. */
    public static final int MAX_CID_LENGTH = 20;

    private static final int PROBE_EXPIRED = 8;

    private final AnomalyCounters anomalies;
    private final Listener listener;
    private final int maxConnections;
    private final int maxCryptoBytes;
    private final long idleNanos;
    private final Map<FlowKey, Connection> connections;
    private final ClientHelloParser parser = new ClientHelloParser();
    private final Hkdf hkdf = new Hkdf();
    private final Aes128 hpCipher = new Aes128();
    private final Cipher aead;
    private byte[] header = new byte[128];
    private final byte[] mask = new byte[16];
    private final byte[] nonce = new byte[12];
    private byte[] plain = new byte[2048];
    // the keys derived last: a burst of Initials with one DCID (retransmissions before the first
    // decrypted, a flood of forged or corrupted ones) costs one derivation, not one each
    private InitialKeys recent;
    // the keys hpCipher was last keyed with
    private InitialKeys hpKeys;
    // CRYPTO buffers of reported connections, kept for the next connections
    private final ReassemblyBuffer[] spare = new ReassemblyBuffer[4];
    private int spareCount;
    private long now;
    private int pos;

    /** Per connection state; {@code crypto} is released once the hello was reported. */
    private static final class Connection {
        InitialKeys keys;
        ReassemblyBuffer crypto;
        boolean reported;
        long lastSeen;
    }

    /** A decoder with the default limits. */
    public QuicInitialDecoder(AnomalyCounters anomalies, Listener listener) {
        this(anomalies, listener, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CRYPTO_BYTES, DEFAULT_IDLE_NANOS);
    }

    /**
     * @param maxConnections connections followed at once, at least 1
     * @param maxCryptoBytes CRYPTO bytes kept per connection, at least 64
     * @param idleNanos time without packets after which a connection is forgotten, positive
     */
    public QuicInitialDecoder(AnomalyCounters anomalies, Listener listener, int maxConnections, int maxCryptoBytes,
            long idleNanos) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
        }
        if (maxCryptoBytes < 64) {
            throw new IllegalArgumentException("maxCryptoBytes must be at least 64: " + maxCryptoBytes);
        }
        if (idleNanos <= 0) {
            throw new IllegalArgumentException("idleNanos must be positive: " + idleNanos);
        }
        this.anomalies = anomalies;
        this.listener = listener;
        this.maxConnections = maxConnections;
        this.maxCryptoBytes = maxCryptoBytes;
        this.idleNanos = idleNanos;
        this.connections = new LinkedHashMap<>(64, 0.75f, true);
        try {
            this.aead = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            // every Java SE runtime has these (JCA standard names)
            throw new IllegalStateException("JDK lacks AES-GCM", e);
        }
    }

    /**
     * A cheap test: a long header with the fixed bit and a version whose Initials can be opened.
     */
    public static boolean looksLikeInitial(byte[] b, int off, int len) {
        if (len < 7 || (b[off] & 0xc0) != 0xc0) {
            return false;
        }
        QuicVersion v = QuicVersion.of(u32(b, off + 1));
        return v != null && ((b[off] >> 4) & 3) == v.initialType;
    }

    /** Connections currently followed. */
    public int connections() {
        return connections.size();
    }

    /**
     * Reads one UDP datagram sent in direction {@code key}.
     *
     * @param timeNanos capture time, used for idle expiry
     */
    public void onDatagram(FlowKey key, long timeNanos, byte[] b, int off, int len) {
        now = timeNanos;
        expire();
        Connection conn = connections.get(key);
        if (conn == null && connections.containsKey(key.reverse())) {
            return; // the server side of a connection we follow: other keys, nothing to learn
        }
        if (conn != null) {
            conn.lastSeen = timeNanos;
            if (conn.reported) {
                return;
            }
        }
        int p = off;
        int end = off + len;
        for (int i = 0; i < MAX_PACKETS_PER_DATAGRAM && p < end; i++) {
            int next = packet(key, b, p, end);
            if (next <= p) {
                return;
            }
            p = next;
            conn = connections.get(key);
            if (conn != null && conn.reported) {
                return;
            }
        }
    }

    /** Reports the hellos still incomplete (end of capture) and forgets every connection. */
    public void flush() {
        for (Map.Entry<FlowKey, Connection> e : connections.entrySet()) {
            reportPartial(e.getKey(), e.getValue());
        }
        connections.clear();
    }

    /**
     * RFC 9000 17.2 / 17.2.2:
     * <pre>
     * Initial Packet {
     *   Header Form (1) = 1, Fixed Bit (1) = 1, Long Packet Type (2) = 0, Reserved Bits (2),
     *   Packet Number Length (2), Version (32), Destination Connection ID Length (8),
     *   Destination Connection ID (0..160), Source Connection ID Length (8), Source Connection ID (0..160),
     *   Token Length (i), Token (..), Length (i), Packet Number (8..32), Packet Payload (8..)
     * }
     * </pre>
     *
     * @return the offset after this packet, or -1 to stop reading the datagram
     */
    private int packet(FlowKey key, byte[] b, int p, int end) {
        if (end - p < 7 || (b[p] & 0x80) == 0) {
            return -1; // short header or too short: 1-RTT data, not ours
        }
        int first = b[p] & 0xff;
        int wire = u32(b, p + 1);
        QuicVersion version = QuicVersion.of(wire);
        if (version == null) {
            if (wire != 0) {
                anomalies.count(Anomaly.QUIC_UNSUPPORTED_VERSION);
            }
            return -1;
        }
        int type = (first >> 4) & 3;
        int retryType = version == QuicVersion.V2 ? 0 : 3;
        if (type == retryType) {
            return -1; // Retry: no Length field, nothing after it
        }
        int q = p + 5;
        int dcidLength = b[q] & 0xff;
        if (dcidLength > MAX_CID_LENGTH) {
            anomalies.count(Anomaly.QUIC_HEADER_MALFORMED);
            return -1;
        }
        int dcid = q + 1;
        q = dcid + dcidLength;
        if (q >= end) {
            anomalies.count(Anomaly.QUIC_HEADER_TRUNCATED);
            return -1;
        }
        int scidLength = b[q] & 0xff;
        if (scidLength > MAX_CID_LENGTH) {
            anomalies.count(Anomaly.QUIC_HEADER_MALFORMED);
            return -1;
        }
        q += 1 + scidLength;
        if (type == version.initialType) {
            long tokenLength = varint(b, q, end);
            if (tokenLength < 0 || pos + tokenLength > end) {
                anomalies.count(Anomaly.QUIC_HEADER_TRUNCATED);
                return -1;
            }
            q = pos + (int) tokenLength;
        }
        long length = varint(b, q, end);
        if (length < 0) {
            anomalies.count(Anomaly.QUIC_HEADER_TRUNCATED);
            return -1;
        }
        int pnOffset = pos;
        if (length > end - pnOffset) {
            anomalies.count(Anomaly.QUIC_HEADER_TRUNCATED);
            return -1;
        }
        int packetEnd = pnOffset + (int) length;
        if (type != version.initialType) {
            return packetEnd; // 0-RTT or Handshake coalesced after the Initial
        }
        // 5.4.2: the sample starts 4 bytes after the start of the Packet Number field
        if (pnOffset + 4 + 16 > packetEnd) {
            anomalies.count(Anomaly.QUIC_HEADER_TRUNCATED);
            return -1;
        }
        if (pnOffset - p + 4 > header.length) {
            header = new byte[pnOffset - p + 4]; // a long Retry token; bounded by the datagram
        }
        Connection conn = connections.get(key);
        int plainLength = -1;
        InitialKeys used = null;
        if (conn != null && conn.keys != null) {
            plainLength = decrypt(conn.keys, b, p, pnOffset, packetEnd);
            used = conn.keys;
        }
        if (plainLength < 0 && (conn == null || conn.keys == null
                || !conn.keys.matches(version, b, dcid, dcidLength))) {
            if (recent != null && recent.matches(version, b, dcid, dcidLength)) {
                used = recent;
            } else {
                byte[] id = new byte[dcidLength];
                System.arraycopy(b, dcid, id, 0, dcidLength);
                used = InitialKeys.derive(hkdf, version, id);
                recent = used;
            }
            plainLength = decrypt(used, b, p, pnOffset, packetEnd);
            if (plainLength >= 0 && conn != null && conn.crypto != null) {
                conn.crypto.clear(); // re-keyed after a Retry: the CRYPTO stream starts over
            }
        }
        if (plainLength < 0) {
            anomalies.count(Anomaly.QUIC_INITIAL_DECRYPT_FAILED);
            return -1;
        }
        if (conn == null) {
            conn = newConnection(key);
        }
        conn.keys = used;
        conn.lastSeen = now;
        frames(key, conn, version, plain, plainLength);
        return packetEnd;
    }

    /**
     * Removes header protection and decrypts into {@link #plain}.
     *
     * @return the plaintext length, or -1 when authentication failed
     */
    private int decrypt(InitialKeys keys, byte[] b, int p, int pnOffset, int packetEnd) {
        try {
            if (hpKeys != keys) {
                hpCipher.setKey(keys.hp, 0);
                hpKeys = keys;
            }
            hpCipher.encryptBlock(b, pnOffset + 4, mask, 0);
            int first = (b[p] & 0xff) ^ (mask[0] & 0x0f); // long header: low 4 bits protected
            int pnLength = (first & 3) + 1;
            int headerLength = pnOffset - p + pnLength;
            System.arraycopy(b, p, header, 0, headerLength);
            header[0] = (byte) first;
            System.arraycopy(keys.iv, 0, nonce, 0, 12);
            for (int i = 0; i < pnLength; i++) {
                int at = pnOffset - p + i;
                header[at] = (byte) (header[at] ^ mask[1 + i]);
                // 5.3: the packet number, left-padded to the IV size, XORed with the IV
                nonce[12 - pnLength + i] ^= header[at];
            }
            int cipherOffset = pnOffset + pnLength;
            int cipherLength = packetEnd - cipherOffset;
            if (cipherLength < 16) {
                return -1;
            }
            aead.init(Cipher.DECRYPT_MODE, keys.key, new GCMParameterSpec(128, nonce));
            aead.updateAAD(header, 0, headerLength);
            if (plain.length < cipherLength) {
                plain = new byte[Math.max(cipherLength, plain.length * 2)];
            }
            return aead.doFinal(b, cipherOffset, cipherLength, plain, 0);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException | IllegalStateException e) {
            return -1;
        }
    }

    /** Reads the frames of an already decrypted Initial payload (the fuzz tests' way in). */
    void decryptedPayload(FlowKey key, long timeNanos, QuicVersion version, byte[] f, int len) {
        now = timeNanos;
        Connection conn = connections.get(key);
        if (conn == null) {
            conn = newConnection(key);
        }
        if (!conn.reported) {
            frames(key, conn, version, f, len);
        }
    }

    /** RFC 9000 section 19 (frames allowed in Initial packets: 12.4, table 3). */
    private void frames(FlowKey key, Connection conn, QuicVersion version, byte[] f, int len) {
        int p = 0;
        for (int i = 0; i < MAX_FRAMES_PER_PACKET && p < len; i++) {
            int type = f[p] & 0xff;
            if (type == 0x00) {
                while (p < len && f[p] == 0) {
                    p++; // 19.1 PADDING, usually a long run
                }
                continue;
            }
            if (type == version.cryptoFrameType) {
                // 19.6 CRYPTO: Offset (i), Length (i), Crypto Data (..)
                long offset = varint(f, p + 1, len);
                long length = offset < 0 ? -1 : varint(f, pos, len);
                if (length < 0 || pos + length > len) {
                    anomalies.count(Anomaly.QUIC_FRAME_MALFORMED);
                    return;
                }
                crypto(key, conn, offset, f, pos, (int) length);
                if (conn.reported) {
                    return;
                }
                p = pos + (int) length;
                continue;
            }
            if (version == QuicVersion.T050 || version == QuicVersion.T051) {
                return; // gQUIC framing beyond CRYPTO and PADDING: nothing Umbra needs
            }
            switch (type) {
                case 0x01 -> p++; // 19.2 PING
                case 0x02, 0x03 -> {
                    // 19.3 ACK: Largest, Delay, Range Count, First Range, Ranges (Gap, Length) [ECN: 3 counts]
                    long v = varint(f, p + 1, len);
                    v = v < 0 ? -1 : varint(f, pos, len);
                    long ranges = v < 0 ? -1 : varint(f, pos, len);
                    v = ranges < 0 ? -1 : varint(f, pos, len);
                    if (v < 0 || ranges > MAX_ACK_RANGES) {
                        anomalies.count(Anomaly.QUIC_FRAME_MALFORMED);
                        return;
                    }
                    int fields = (int) ranges * 2 + (type == 0x03 ? 3 : 0);
                    for (int k = 0; k < fields; k++) {
                        if (varint(f, pos, len) < 0) {
                            anomalies.count(Anomaly.QUIC_FRAME_MALFORMED);
                            return;
                        }
                    }
                    p = pos;
                }
                case 0x1c, 0x1d -> {
                    // 19.19 CONNECTION_CLOSE: Error Code (i), [Frame Type (i)], Reason Phrase Length (i), Reason
                    return;
                }
                default -> {
                    anomalies.count(Anomaly.QUIC_FRAME_MALFORMED);
                    return;
                }
            }
        }
    }

    private void crypto(FlowKey key, Connection conn, long offset, byte[] f, int off, int length) {
        if (conn.crypto == null) {
            if (spareCount > 0) {
                conn.crypto = spare[--spareCount];
                spare[spareCount] = null;
            } else {
                conn.crypto = new ReassemblyBuffer(maxCryptoBytes);
            }
        }
        ReassemblyBuffer buf = conn.crypto;
        if (!buf.put(offset, f, off, length)) {
            anomalies.count(Anomaly.QUIC_CRYPTO_BUFFER_OVERFLOW);
        }
        int have = buf.contiguous();
        if (have < 4) {
            return;
        }
        byte[] a = buf.array();
        if (a[0] != 1) {
            anomalies.count(Anomaly.TLS_CLIENT_HELLO_MALFORMED);
            markReported(conn);
            return;
        }
        int need = 4 + (((a[1] & 0xff) << 16) | ((a[2] & 0xff) << 8) | (a[3] & 0xff));
        if (need > buf.cap()) {
            // will never fit: parse what the cap holds, once it is all there
            if (have < buf.cap()) {
                return;
            }
            anomalies.count(Anomaly.QUIC_CRYPTO_BUFFER_OVERFLOW);
            report(key, conn, have, true);
            return;
        }
        if (have >= need) {
            report(key, conn, need, false);
        }
    }

    private void report(FlowKey key, Connection conn, int length, boolean cutOff) {
        byte[] a = conn.crypto.array();
        int status = parser.parseHandshake(a, 0, length, cutOff);
        if (status == ClientHelloParser.OK) {
            ClientHello hello = parser.result();
            if (!hello.complete()) {
                anomalies.count(Anomaly.QUIC_CLIENT_HELLO_INCOMPLETE);
            }
            listener.onClientHello(key, now, hello, a, length);
        } else if (status == ClientHelloParser.MALFORMED) {
            anomalies.count(Anomaly.TLS_CLIENT_HELLO_MALFORMED);
        } else if (status == ClientHelloParser.NOT_ENOUGH_DATA) {
            anomalies.count(Anomaly.QUIC_CLIENT_HELLO_INCOMPLETE);
        }
        markReported(conn);
    }

    private void reportPartial(FlowKey key, Connection conn) {
        if (conn.reported || conn.crypto == null) {
            return;
        }
        int have = conn.crypto.contiguous();
        if (have >= 4 && conn.crypto.array()[0] == 1) {
            long saved = now;
            now = conn.lastSeen;
            report(key, conn, have, true);
            now = saved;
        } else if (conn.crypto.highest() > 0) {
            anomalies.count(Anomaly.QUIC_CLIENT_HELLO_INCOMPLETE);
        }
    }

    private void markReported(Connection conn) {
        conn.reported = true;
        if (conn.crypto != null && spareCount < spare.length) {
            conn.crypto.clear();
            spare[spareCount++] = conn.crypto;
        }
        conn.crypto = null;
        conn.keys = null;
    }

    private Connection newConnection(FlowKey key) {
        if (connections.size() >= maxConnections) {
            Iterator<Map.Entry<FlowKey, Connection>> it = connections.entrySet().iterator();
            Map.Entry<FlowKey, Connection> eldest = it.next();
            it.remove();
            if (!eldest.getValue().reported) {
                anomalies.count(Anomaly.QUIC_CONNECTION_EVICTED); // only a loss when the hello was unread
            }
            reportPartial(eldest.getKey(), eldest.getValue());
        }
        Connection conn = new Connection();
        conn.lastSeen = now;
        connections.put(key, conn);
        return conn;
    }

    /** Forgets every connection idle for longer than the timeout at {@code timeNanos}. */
    public void expireIdle(long timeNanos) {
        now = timeNanos;
        expire(Integer.MAX_VALUE);
    }

    /** Drops a few connections idle for longer than the timeout (eldest first). */
    private void expire() {
        expire(PROBE_EXPIRED);
    }

    private void expire(int max) {
        Iterator<Map.Entry<FlowKey, Connection>> it = connections.entrySet().iterator();
        for (int i = 0; i < max && it.hasNext(); i++) {
            Map.Entry<FlowKey, Connection> e = it.next();
            if (now - e.getValue().lastSeen <= idleNanos) {
                return;
            }
            it.remove();
            reportPartial(e.getKey(), e.getValue());
        }
    }

    /**
     * RFC 9000 16: a variable-length integer at {@code p}; sets {@link #pos} after it.
     *
     * @return the value, or -1 when it does not fit before {@code end}
     */
    private long varint(byte[] b, int p, int end) {
        if (p >= end) {
            return -1;
        }
        int n = 1 << ((b[p] & 0xff) >> 6);
        if (p + n > end) {
            return -1;
        }
        long v = b[p] & 0x3f;
        for (int i = 1; i < n; i++) {
            v = (v << 8) | (b[p + i] & 0xff);
        }
        pos = p + n;
        return v;
    }

    private static int u32(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }
}
