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
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(t, start, end));
        m.update(bytes);
        byte[] out = m.doFinal();
        if (bytes.hasArray()) {
            java.util.Arrays.fill(bytes.array(), (byte) 0);
        }
        return HexFormat.of().formatHex(out);
    }
}
