package dev.umbra.classifier.engine;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 of detected values under the deployment's key; one {@link Mac} per thread. */
final class ValueHasher {
    private final ThreadLocal<Mac> mac;
    private final ThreadLocal<byte[]> buffer = ThreadLocal.withInitial(() -> new byte[256]);

    ValueHasher(byte[] key) {
        SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
        mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(spec);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        });
    }

    /** Hex HMAC of the UTF-8 bytes of {@code t[start, end)}. */
    String hmac(String t, int start, int end) {
        Mac m = mac.get();
        boolean ascii = true;
        for (int i = start; i < end && ascii; i++) {
            ascii = t.charAt(i) < 128;
        }
        if (ascii) {
            // the common case: one update from a reused buffer, no encoder
            byte[] b = buffer.get();
            if (b.length < end - start) {
                b = new byte[Math.max(end - start, b.length * 2)];
                buffer.set(b);
            }
            for (int i = start; i < end; i++) {
                b[i - start] = (byte) t.charAt(i);
            }
            m.update(b, 0, end - start);
            java.util.Arrays.fill(b, 0, end - start, (byte) 0);
        } else {
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(t, start, end));
            m.update(bytes);
            if (bytes.hasArray()) {
                java.util.Arrays.fill(bytes.array(), (byte) 0);
            }
        }
        return HEX.formatHex(m.doFinal());
    }

    private static final HexFormat HEX = HexFormat.of();
}
