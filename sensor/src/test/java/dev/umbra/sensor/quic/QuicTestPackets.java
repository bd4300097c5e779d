package dev.umbra.sensor.quic;

import java.io.ByteArrayOutputStream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Builds protected client Initial packets the way a QUIC client does (RFC 9001 5.3, 5.4), for tests.
 * The decoder under test never sees how they were made: only the wire bytes.
 */
public final class QuicTestPackets {
    private QuicTestPackets() {
    }

    /** A CRYPTO frame (RFC 9000 19.6) carrying {@code data[from, from+len)} at that offset. */
    public static byte[] crypto(byte[] data, int from, int len) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x06);
        varint(o, from);
        varint(o, len);
        o.write(data, from, len);
        return o.toByteArray();
    }

    /** Frames concatenated and padded with PADDING frames to {@code padTo} bytes. */
    public static byte[] frames(int padTo, byte[]... frames) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            o.write(f, 0, f.length);
        }
        while (o.size() < padTo) {
            o.write(0);
        }
        return o.toByteArray();
    }

    /** A protected Initial packet with a 2-byte packet number and keys derived from {@code keyDcid}. */
    public static byte[] initial(int version, byte[] keyDcid, byte[] dcid, byte[] scid, byte[] token, int pn, byte[] payload)
            throws Exception {
        QuicVersion v = QuicVersion.of(version);
        InitialKeys keys = InitialKeys.derive(new Hkdf(), v, keyDcid);
        int pnLength = 2;
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write(0xc0 | (v.initialType << 4) | (pnLength - 1));
        h.write(version >>> 24);
        h.write(version >>> 16);
        h.write(version >>> 8);
        h.write(version);
        h.write(dcid.length);
        h.write(dcid, 0, dcid.length);
        h.write(scid.length);
        h.write(scid, 0, scid.length);
        varint(h, token.length);
        h.write(token, 0, token.length);
        int length = pnLength + payload.length + 16;
        h.write(0x40 | (length >> 8)); // always the 2-byte varint form
        h.write(length);
        int pnOffset = h.size();
        h.write(pn >> 8);
        h.write(pn);
        byte[] header = h.toByteArray();

        byte[] nonce = keys.iv.clone();
        nonce[10] ^= (byte) (pn >> 8);
        nonce[11] ^= (byte) pn;
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, keys.key, new GCMParameterSpec(128, nonce));
        gcm.updateAAD(header);
        byte[] sealed = gcm.doFinal(payload);

        byte[] packet = new byte[header.length + sealed.length];
        System.arraycopy(header, 0, packet, 0, header.length);
        System.arraycopy(sealed, 0, packet, header.length, sealed.length);
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(keys.hp, "AES"));
        byte[] mask = ecb.doFinal(packet, pnOffset + 4, 16);
        packet[0] ^= (byte) (mask[0] & 0x0f);
        for (int i = 0; i < pnLength; i++) {
            packet[pnOffset + i] ^= mask[1 + i];
        }
        return packet;
    }

    public static void varint(ByteArrayOutputStream o, long v) {
        if (v < 64) {
            o.write((int) v);
        } else if (v < 16384) {
            o.write(0x40 | (int) (v >> 8));
            o.write((int) v);
        } else {
            o.write(0x80 | (int) (v >> 24));
            o.write((int) (v >> 16));
            o.write((int) (v >> 8));
            o.write((int) v);
        }
    }
}
