package dev.umbra.sensor.quic;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
    private static final byte[] CLIENT_IN = labelInfo("client in", 32);

    final QuicVersion version;
    final byte[] dcid;
    final SecretKeySpec key;
    final byte[] iv;
    /** The header protection key (RFC 9001 5.4). */
    final byte[] hp;

    private InitialKeys(QuicVersion version, byte[] dcid, byte[] key, byte[] iv, byte[] hp) {
        this.version = version;
        this.dcid = dcid;
        this.key = new SecretKeySpec(key, "AES");
        this.iv = iv;
        this.hp = hp;
    }

    /** Derives the client keys for a connection ID; {@code hkdf} is the decoder's. */
    static InitialKeys derive(Hkdf hkdf, QuicVersion version, byte[] dcid) {
        byte[] secret = new byte[Hkdf.HASH];
        hkdf.hmac(version.salt, version.salt.length, dcid, dcid.length, null, secret, 0); // HKDF-Extract
        hkdf.expandOneBlock(secret, CLIENT_IN, secret);
        byte[] t = new byte[Hkdf.HASH];
        hkdf.expandOneBlock(secret, version.keyInfo, t);
        byte[] key = Arrays.copyOf(t, 16);
        hkdf.expandOneBlock(secret, version.ivInfo, t);
        byte[] iv = Arrays.copyOf(t, 12);
        hkdf.expandOneBlock(secret, version.hpInfo, t);
        return new InitialKeys(version, dcid, key, iv, Arrays.copyOf(t, 16));
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

    /**
     * The HKDF-Expand info of an HKDF-Expand-Label (RFC 8446 7.1) with an empty context, without the
     * block counter: uint16 length | uint8 n | "tls13 " + label | uint8 0.
     */
    static byte[] labelInfo(String label, int length) {
        byte[] l = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        byte[] info = new byte[2 + 1 + l.length + 1];
        info[0] = (byte) (length >> 8);
        info[1] = (byte) length;
        info[2] = (byte) l.length;
        System.arraycopy(l, 0, info, 3, l.length);
        return info; // the last byte, 0, is the empty context's length
    }
}
