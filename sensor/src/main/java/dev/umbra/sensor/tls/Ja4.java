package dev.umbra.sensor.tls;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;

/**
 * JA4, the TLS client fingerprint of FoxIO (technical_details/JA4.md, BSD-3-Clause):
 *
 * <pre>
 * JA4_a = transport ("t" TCP, "q" QUIC) | version (highest non-GREASE supported_versions entry, else
 *         the hello's version: "13" "12" "11" "10" "s3" "s2", "00" unknown) | "d" SNI present / "i" |
 *         cipher count (2 digits, max 99) | extension count (2 digits, max 99, SNI and ALPN included) |
 *         first and last character of the first ALPN value ("00" none; hex digits when not alphanumeric)
 * JA4_b = sha256 of the sorted cipher list ("002f,0035,...")[0:12], "000000000000" when empty
 * JA4_c = sha256 of the sorted extension list without 0000 and 0010, then "_" and the signature
 *         algorithms in wire order when there are any [0:12], "000000000000" when no extension is left
 * GREASE values (0x?a?a with equal bytes, RFC 8701) are ignored everywhere.
 * </pre>
 */
final class Ja4 {
    private static final byte[] HEX_BYTES = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** JA4_a "_" JA4_b "_" JA4_c: always this many characters. */
    static final int LENGTH = 36;

    /** Per thread: a SHA-256 digest (looking one up through the providers cost more than hashing),
     *  the bytes of the list being hashed, the sorted values and the fingerprint being written. */
    private static final class Scratch {
        final MessageDigest sha256;
        byte[] text = new byte[512];
        int[] values = new int[64];
        final byte[] digest = new byte[32];
        final byte[] out = new byte[LENGTH];

        Scratch() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java SE runtime has SHA-256", e);
            }
        }

        int[] values(int n) {
            if (values.length < n) {
                values = new int[Math.max(n, values.length * 2)];
            }
            return values;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Ja4() {
    }

    static boolean grease(int v) {
        return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
    }

    /**
     * The fingerprint with transport "t", read from the hello's bytes. Offsets are absolute in
     * {@code b}; {@code sigAlgsAt} (the first algorithm, {@code sigAlgsLength} bytes of them) and
     * {@code firstAlpnAt} (the length byte of the first ALPN value) are -1 when absent.
     */
    static String body(byte[] b, int suitesAt, int suitesLength, int[] extensions, int extensionCount,
            int sigAlgsAt, int sigAlgsLength, int firstAlpnAt, int legacyVersion, List<Integer> supportedVersions, boolean sni) {
        Scratch scratch = SCRATCH.get();
        byte[] out = scratch.out;
        int version = -1;
        for (int v : supportedVersions) {
            if (!grease(v) && v > version) {
                version = v;
            }
        }
        if (version < 0) {
            version = legacyVersion;
        }
        int nExtensions = 0;
        for (int i = 0; i < extensionCount; i++) {
            if (!grease(extensions[i])) {
                nExtensions++;
            }
        }
        // JA4_b: the cipher list, sorted, hashed
        int[] values = scratch.values(suitesLength / 2);
        int nCiphers = 0;
        for (int i = 0; i < suitesLength; i += 2) {
            int c = ((b[suitesAt + i] & 0xff) << 8) | (b[suitesAt + i + 1] & 0xff);
            if (!grease(c)) {
                values[nCiphers++] = c;
            }
        }
        Arrays.sort(values, 0, nCiphers);
        hash12(scratch, nCiphers == 0 ? -1 : list(scratch, 0, values, nCiphers), 11);
        // JA4_c: the extension list without SNI and ALPN, sorted, then the signature algorithms as sent
        values = scratch.values(extensionCount);
        int nHashed = 0;
        for (int i = 0; i < extensionCount; i++) {
            int e = extensions[i];
            if (!grease(e) && e != 0x0000 && e != 0x0010) {
                values[nHashed++] = e;
            }
        }
        int c = -1;
        if (nHashed > 0) {
            Arrays.sort(values, 0, nHashed);
            c = list(scratch, 0, values, nHashed);
            if (sigAlgsAt >= 0) {
                values = scratch.values(sigAlgsLength / 2 + 1); // the text is written, the values are free
                int n = 0;
                for (int i = 0; i + 1 < sigAlgsLength; i += 2) {
                    int a = ((b[sigAlgsAt + i] & 0xff) << 8) | (b[sigAlgsAt + 1 + i] & 0xff);
                    if (!grease(a)) {
                        values[n++] = a;
                    }
                }
                if (n > 0) {
                    scratch.text[c] = '_'; // list() left room for it
                    c = list(scratch, c + 1, values, n);
                }
            }
        }
        hash12(scratch, c, 24);
        // JA4_a
        out[0] = 't';
        versionCode(version, out, 1);
        out[3] = (byte) (sni ? 'd' : 'i');
        twoDigits(out, 4, nCiphers);
        twoDigits(out, 6, nExtensions);
        alpn(out, 8, b, firstAlpnAt);
        out[10] = '_';
        out[23] = '_';
        return new String(out, 0, LENGTH, StandardCharsets.ISO_8859_1);
    }

    private static void versionCode(int v, byte[] out, int at) {
        String code = switch (v) {
            case 0x0304 -> "13";
            case 0x0303 -> "12";
            case 0x0302 -> "11";
            case 0x0301 -> "10";
            case 0x0300 -> "s3";
            case 0x0002 -> "s2";
            case 0xfeff -> "d1";
            case 0xfefd -> "d2";
            case 0xfefc -> "d3";
            default -> "00";
        };
        out[at] = (byte) code.charAt(0);
        out[at + 1] = (byte) code.charAt(1);
    }

    private static void twoDigits(byte[] out, int at, int n) {
        int v = Math.min(n, 99);
        out[at] = (byte) ('0' + v / 10);
        out[at + 1] = (byte) ('0' + v % 10);
    }

    private static void alpn(byte[] out, int at, byte[] b, int alpnAt) {
        if (alpnAt < 0) {
            out[at] = '0';
            out[at + 1] = '0';
            return;
        }
        int n = b[alpnAt] & 0xff;
        int first = b[alpnAt + 1] & 0xff;
        int last = b[alpnAt + n] & 0xff;
        if (alphanumeric(first) && alphanumeric(last)) {
            out[at] = (byte) first;
            out[at + 1] = (byte) last;
        } else {
            out[at] = HEX_BYTES[first >> 4];
            out[at + 1] = HEX_BYTES[last & 0xf];
        }
    }

    private static boolean alphanumeric(int c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /**
     * Writes {@code "002f,0035,..."} into the scratch text at {@code at}, with room for one more
     * byte after it.
     *
     * @return the offset after the list
     */
    private static int list(Scratch scratch, int at, int[] values, int n) {
        int need = at + n * 5 + 1;
        if (scratch.text.length < need) {
            scratch.text = Arrays.copyOf(scratch.text, Math.max(need, scratch.text.length * 2));
        }
        byte[] out = scratch.text;
        int p = at;
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out[p++] = ',';
            }
            int v = values[i];
            out[p++] = HEX_BYTES[(v >> 12) & 0xf];
            out[p++] = HEX_BYTES[(v >> 8) & 0xf];
            out[p++] = HEX_BYTES[(v >> 4) & 0xf];
            out[p++] = HEX_BYTES[v & 0xf];
        }
        return p;
    }

    /**
     * Writes the first 12 hex digits of the SHA-256 of the scratch text's first {@code length} bytes
     * into the fingerprint at {@code at}; twelve zeros when {@code length} is -1 (an empty list).
     */
    private static void hash12(Scratch scratch, int length, int at) {
        byte[] out = scratch.out;
        if (length < 0) {
            Arrays.fill(out, at, at + 12, (byte) '0');
            return;
        }
        MessageDigest sha256 = scratch.sha256;
        sha256.reset();
        sha256.update(scratch.text, 0, length);
        byte[] d = scratch.digest;
        try {
            sha256.digest(d, 0, d.length);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 gives 32 bytes", e); // cannot happen: d has 32
        }
        for (int i = 0; i < 6; i++) {
            out[at + 2 * i] = HEX_BYTES[(d[i] >> 4) & 0xf];
            out[at + 2 * i + 1] = HEX_BYTES[d[i] & 0xf];
        }
    }
}
