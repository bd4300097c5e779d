package dev.umbra.sensor.smb;

import dev.umbra.sensor.AddressBlocks;
import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.flow.FlowKey;
import java.util.LinkedHashMap;
import java.util.Map;

/*
 * Design notes.
 *
 * A request's user is only a claim: anyone can send an AUTHENTICATE_MESSAGE with any name. It becomes a
 * logon when the server's response to that MessageId on the same connection succeeds, and not as a guest
 * or anonymous session (a server that maps unknown users to guest answers success too). The response is
 * as unprotected as the request (its signature needs the session key), so whoever can put both on the
 * wire can name an address; the servers the decoder is given (capture.smb_servers) are the only ones
 * whose responses count then.
 *
 * Bounds: at most MAX_PENDING requests wait for their responses, eldest dropped first (counted); a
 * response more than PENDING_NANOS after its request names no one.
 */
/**
 * SMB logons seen on the wire: a SESSION_SETUP request naming an NTLM user, and the server's success for
 * it. Not thread-safe: one per decoder.
 */
public final class SmbLogons {
    /** Requests waiting for their responses. */
    public static final int MAX_PENDING = 1024;
    /** How long a request waits for its response. */
    public static final long PENDING_NANOS = 60_000_000_000L;

    /** Receives each logon: the client's address (FlowKey layout) and its user. */
    public interface Listener {
        void loggedOn(long hi, long lo, String user, long timeNanos);
    }

    private record Key(FlowKey clientToServer, long messageId) {
    }

    private record Pending(String user, long timeNanos) {
    }

    private final AnomalyCounters anomalies;
    private final AddressBlocks servers;
    private final Listener listener;
    private final Map<Key, Pending> pending = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Pending> eldest) {
            if (size() > MAX_PENDING) {
                anomalies.count(Anomaly.SMB_LOGON_EVICTED);
                return true;
            }
            return false;
        }
    };

    /**
     * @param servers the servers whose responses count ({@link AddressBlocks#ANY}: every one)
     */
    public SmbLogons(AnomalyCounters anomalies, AddressBlocks servers, Listener listener) {
        this.anomalies = anomalies;
        this.servers = servers;
        this.listener = listener;
    }

    /**
     * Reads the whole frame at {@code b[p, p + length)} sent in direction {@code key}.
     *
     * @return false when the session is set up (a message of another kind): the connection holds nothing
     *     more to read
     */
    public boolean frame(FlowKey key, byte[] b, int p, int length, long timeNanos) {
        if ((b[p] & 0xff) != 0) {
            return true; // NetBIOS session service (port 139): session request, response, keep-alive
        }
        int end = p + length;
        int h = p + SmbMessage.FRAME_HEADER;
        for (int i = 0; i < SmbMessage.maxCompound(); i++) {
            SmbMessage m = SmbMessage.parse(b, h, end);
            switch (m.kind()) {
                case MALFORMED -> {
                    anomalies.count(Anomaly.SMB_MESSAGE_MALFORMED);
                    return false;
                }
                case AFTER_SETUP -> {
                    return false;
                }
                case SESSION_SETUP_REQUEST -> request(key, m, timeNanos);
                case SESSION_SETUP_RESPONSE -> response(key, m, timeNanos);
                default -> {
                }
            }
            if (m.next() == 0) {
                return true;
            }
            h = m.next();
        }
        return true;
    }

    /** Requests waiting for their responses. */
    public int pending() {
        return pending.size();
    }

    private void request(FlowKey key, SmbMessage m, long timeNanos) {
        if (m.user() != null) {
            pending.put(new Key(key, m.messageId()), new Pending(m.user(), timeNanos));
        }
    }

    private void response(FlowKey key, SmbMessage m, long timeNanos) {
        if (pending.isEmpty()) {
            return;
        }
        Pending p = pending.remove(new Key(key.reverse(), m.messageId()));
        if (p == null || m.status() != 0 || timeNanos - p.timeNanos() > PENDING_NANOS
                || (m.sessionFlags() & (SmbMessage.IS_GUEST | SmbMessage.IS_NULL)) != 0) {
            return;
        }
        if (!servers.allows(key.srcHi(), key.srcLo())) {
            anomalies.count(Anomaly.SMB_LOGON_UNTRUSTED);
            return;
        }
        listener.loggedOn(key.dstHi(), key.dstLo(), p.user(), timeNanos);
    }
}
