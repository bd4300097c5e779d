package dev.umbra.sensor.quic;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client Initial keys of one connection (RFC 9001 section 5.2):
 *
 * <pre>
 * initial_secret        = HKDF-Extract(initial_salt, client_dst_connection_id)
 * client_initial_secret = HKDF-Expand-Label(initial_secret, "client in", "", 32)
 * key = HKDF-Expand-Label(client_initial_secret, "quic key", "", 16)
 * iv  = HKDF-Expand-Label(client_initial_secret, "quic iv",  "", 12)
 * hp  = HKDF-Expand-Label(client_initial_secret, "quic hp",  "", 16)
 * RFC 8446 7.1 HkdfLabel: uint16 length | opaque label&lt;7..255&gt; = "tls13 " + Label | opaque context&lt;0..255&gt;
 * </pre>
 */
final class InitialKeys {
    final QuicVersion version;
    final byte[] dcid;
    final SecretKeySpec key;
    final byte[] iv;
    final SecretKeySpec hp;

    private InitialKeys(QuicVersion version, byte[] dcid, byte[] key, byte[] iv, byte[] hp) {
        this.version = version;
        this.dcid = dcid;
        this.key = new SecretKeySpec(key, "AES");
        this.iv = iv;
        this.hp = new SecretKeySpec(hp, "AES");
    }

    /** Derives the client keys for a connection ID; {@code mac} is a reusable HmacSHA256 instance. */
    static InitialKeys derive(Mac mac, QuicVersion version, byte[] dcid) throws GeneralSecurityException {
        byte[] initial = hmac(mac, version.salt, dcid);
        byte[] client = expandLabel(mac, initial, "client in", 32);
        String p = version.labelPrefix;
        return new InitialKeys(version, dcid, expandLabel(mac, client, p + "key", 16),
                expandLabel(mac, client, p + "iv", 12), expandLabel(mac, client, p + "hp", 16));
    }

    /** True when this is the key set of {@code dcid} under {@code v}. */
    boolean matches(QuicVersion v, byte[] b, int off, int len) {
        if (v != version || len != dcid.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (dcid[i] != b[off + i]) {
                return false;
            }
        }
        return true;
    }

    /** HKDF-Expand (RFC 5869 2.3) for outputs of at most one SHA-256 block, with a TLS 1.3 label. */
    static byte[] expandLabel(Mac mac, byte[] secret, String label, int length) throws GeneralSecurityException {
        byte[] l = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        byte[] info = new byte[2 + 1 + l.length + 1 + 1];
        info[0] = (byte) (length >> 8);
        info[1] = (byte) length;
        info[2] = (byte) l.length;
        System.arraycopy(l, 0, info, 3, l.length);
        info[3 + l.length] = 0; // empty context
        info[4 + l.length] = 1; // T(1) counter
        byte[] t = hmac(mac, secret, info);
        byte[] out = new byte[length];
        System.arraycopy(t, 0, out, 0, length);
        return out;
    }

    static byte[] hmac(Mac mac, byte[] key, byte[] data) throws GeneralSecurityException {
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
