package dev.umbra.classifier.engine;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * HMAC-SHA256 (RFC 2104) of detected values under the deployment's key. The SHA-256 states after
 * the key blocks ({@code K ^ ipad}, {@code K ^ opad}) are computed once and cloned per value, so a
 * short value costs two compressions instead of four. Thread-safe: the prototypes are cloned per
 * call and never updated after construction.
 */
final class ValueHasher {
    private static final HexFormat HEX = HexFormat.of();
    private static final int BLOCK = 64;
    private final MessageDigest innerPrototype;
    private final MessageDigest outerPrototype;
    private final ThreadLocal<byte[]> buffer = ThreadLocal.withInitial(() -> new byte[256]);

    ValueHasher(byte[] key) {
        try {
            byte[] k = key.length > BLOCK ? MessageDigest.getInstance("SHA-256").digest(key) : key;
            byte[] ipad = new byte[BLOCK];
            byte[] opad = new byte[BLOCK];
            for (int i = 0; i < BLOCK; i++) {
                byte b = i < k.length ? k[i] : 0;
                ipad[i] = (byte) (b ^ 0x36);
                opad[i] = (byte) (b ^ 0x5c);
            }
            innerPrototype = MessageDigest.getInstance("SHA-256");
            innerPrototype.update(ipad);
            outerPrototype = MessageDigest.getInstance("SHA-256");
            outerPrototype.update(opad);
            Arrays.fill(ipad, (byte) 0);
            Arrays.fill(opad, (byte) 0);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Hex HMAC-SHA256 of the UTF-8 bytes of {@code t[start, end)}. */
    String hmac(String t, int start, int end) {
        MessageDigest inner = copy(innerPrototype);
        boolean ascii = true;
        for (int i = start; i < end && ascii; i++) {
            ascii = t.charAt(i) < 128;
        }
        if (ascii) {
            byte[] b = buffer.get();
            if (b.length < end - start) {
                b = new byte[Math.max(end - start, b.length * 2)];
                buffer.set(b);
            }
            for (int i = start; i < end; i++) {
                b[i - start] = (byte) t.charAt(i);
            }
            inner.update(b, 0, end - start);
            Arrays.fill(b, 0, end - start, (byte) 0);
        } else {
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(t, start, end));
            inner.update(bytes);
            if (bytes.hasArray()) {
                Arrays.fill(bytes.array(), (byte) 0);
            }
        }
        MessageDigest outer = copy(outerPrototype);
        outer.update(inner.digest());
        return HEX.formatHex(outer.digest());
    }

    private static MessageDigest copy(MessageDigest prototype) {
        try {
            return (MessageDigest) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest is not cloneable", e);
        }
    }
}
