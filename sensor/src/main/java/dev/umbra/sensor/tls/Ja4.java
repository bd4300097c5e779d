package dev.umbra.sensor.tls;

import java.nio.charset.StandardCharsets;
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
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static final byte[] HEX_BYTES = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** Per thread: a SHA-256 digest (looking one up through the providers cost more than hashing)
     *  and the bytes of the list being hashed. */
    private static final class Scratch {
        final MessageDigest sha256;
        byte[] text = new byte[512];

        Scratch() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java SE runtime has SHA-256", e);
            }
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
        int[] ciphers = new int[suitesLength / 2];
        int nCiphers = 0;
        for (int i = 0; i < suitesLength; i += 2) {
            int c = ((b[suitesAt + i] & 0xff) << 8) | (b[suitesAt + i + 1] & 0xff);
            if (!grease(c)) {
                ciphers[nCiphers++] = c;
            }
        }
        int[] exts = new int[extensionCount];
        int nExtensions = 0;
        int nHashed = 0;
        for (int i = 0; i < extensionCount; i++) {
            int e = extensions[i];
            if (grease(e)) {
                continue;
            }
            nExtensions++;
            if (e != 0x0000 && e != 0x0010) {
                exts[nHashed++] = e;
            }
        }
        int version = -1;
        for (int v : supportedVersions) {
            if (!grease(v) && v > version) {
                version = v;
            }
        }
        if (version < 0) {
            version = legacyVersion;
        }
        StringBuilder sb = new StringBuilder(36);
        sb.append('t').append(versionCode(version)).append(sni ? 'd' : 'i');
        twoDigits(sb, nCiphers);
        twoDigits(sb, nExtensions);
        alpn(sb, b, firstAlpnAt);
        sb.append('_');
        int[] sortedCiphers = Arrays.copyOf(ciphers, nCiphers);
        Arrays.sort(sortedCiphers);
        Scratch scratch = SCRATCH.get();
        sb.append(nCiphers == 0 ? "000000000000" : hash12(scratch, list(scratch, 0, sortedCiphers, nCiphers)));
        sb.append('_');
        if (nHashed == 0) {
            sb.append("000000000000");
        } else {
            int[] sortedExtensions = Arrays.copyOf(exts, nHashed);
            Arrays.sort(sortedExtensions);
            int c = list(scratch, 0, sortedExtensions, nHashed);
            if (sigAlgsAt >= 0) {
                int[] algs = new int[sigAlgsLength / 2];
                int n = 0;
                for (int i = 0; i + 1 < sigAlgsLength; i += 2) {
                    int a = ((b[sigAlgsAt + i] & 0xff) << 8) | (b[sigAlgsAt + 1 + i] & 0xff);
                    if (!grease(a)) {
                        algs[n++] = a;
                    }
                }
                if (n > 0) {
                    scratch.text[c] = '_'; // list() left room for it
                    c = list(scratch, c + 1, algs, n);
                }
            }
            sb.append(hash12(scratch, c));
        }
        return sb.toString();
    }

    private static String versionCode(int v) {
        return switch (v) {
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
    }

    private static void twoDigits(StringBuilder sb, int n) {
        int v = Math.min(n, 99);
        sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    private static void alpn(StringBuilder sb, byte[] b, int at) {
        if (at < 0) {
            sb.append("00");
            return;
        }
        int n = b[at] & 0xff;
        int first = b[at + 1] & 0xff;
        int last = b[at + n] & 0xff;
        if (alphanumeric(first) && alphanumeric(last)) {
            sb.append((char) first).append((char) last);
        } else {
            sb.append(HEX[first >> 4]).append(HEX[last & 0xf]);
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

    /** The first 12 hex digits of the SHA-256 of the scratch text's first {@code length} bytes. */
    private static String hash12(Scratch scratch, int length) {
        MessageDigest sha256 = scratch.sha256;
        sha256.reset();
        sha256.update(scratch.text, 0, length);
        byte[] d = sha256.digest();
        char[] out = new char[12];
        for (int i = 0; i < 6; i++) {
            out[2 * i] = HEX[(d[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[d[i] & 0xf];
        }
        return new String(out);
    }
}
