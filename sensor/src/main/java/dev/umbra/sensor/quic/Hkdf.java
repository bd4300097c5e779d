package dev.umbra.sensor.quic;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/*
 * Design notes.
 *
 * HMAC (RFC 2104) written over a reused SHA-256 MessageDigest instead of javax.crypto.Mac: a QUIC
 * Initial key derivation is five HMACs of a few bytes each, once per connection, and through Mac
 * each one cost a SecretKeySpec copy of the key, the provider's key setup and a fresh output array
 * (the label texts encoded on every call were most of the decoder's allocation on QUIC traffic).
 * Here the pads, the inner hash and the output live in scratch arrays and nothing is allocated. The
 * digest is the JDK's, so it keeps its SHA intrinsics. Keys are public (RFC 9001 5.2 derives them
 * from the connection ID on the wire), so constant time does not matter.
 */
/**
 * HMAC-SHA256 and the one-block HKDF-Expand that QUIC Initial keys need. Not thread-safe: one per
 * decoder.
 */
final class Hkdf {
    private static final int BLOCK = 64;
    /** SHA-256 output length. */
    static final int HASH = 32;

    private final MessageDigest sha256;
    private final byte[] pad = new byte[BLOCK];
    private final byte[] inner = new byte[HASH];
    private final byte[] longKey = new byte[HASH];
    private final byte[] counter = {1};

    Hkdf() {
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // every Java SE runtime has it (JCA standard names)
            throw new IllegalStateException("JDK lacks SHA-256", e);
        }
    }

    /** HMAC-SHA256(key, data[, data2]) into {@code out} at {@code at}; {@code out} may be {@code key}. */
    void hmac(byte[] key, int keyLength, byte[] data, int dataLength, byte[] data2, byte[] out, int at) {
        try {
            if (keyLength > BLOCK) {
                sha256.update(key, 0, keyLength);
                sha256.digest(longKey, 0, HASH);
                key = longKey;
                keyLength = HASH;
            }
            for (int i = 0; i < BLOCK; i++) {
                pad[i] = (byte) ((i < keyLength ? key[i] : 0) ^ 0x36);
            }
            sha256.update(pad, 0, BLOCK);
            sha256.update(data, 0, dataLength);
            if (data2 != null) {
                sha256.update(data2);
            }
            sha256.digest(inner, 0, HASH);
            for (int i = 0; i < BLOCK; i++) {
                pad[i] ^= 0x36 ^ 0x5c;
            }
            sha256.update(pad, 0, BLOCK);
            sha256.update(inner, 0, HASH);
            sha256.digest(out, at, HASH);
        } catch (DigestException e) {
            // only when out has no room for 32 bytes from at: a caller's bug
            throw new IllegalArgumentException("no room for an HMAC-SHA256 at " + at + " of " + out.length, e);
        }
    }

    /**
     * HKDF-Expand (RFC 5869 2.3) for an output of at most one SHA-256 block: T(1) = HMAC(prk, info | 0x01).
     *
     * @param out receives 32 bytes at 0; the first {@code length} of them are the output
     */
    void expandOneBlock(byte[] prk, byte[] info, byte[] out) {
        hmac(prk, prk.length, info, info.length, counter, out, 0);
    }
}
