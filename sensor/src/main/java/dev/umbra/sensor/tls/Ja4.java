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

    /** Fingerprints remembered per thread (a power of two). */
    static final int MEMO_SLOTS = 256;
    /** Longest input remembered, in values: real hellos have well under a hundred; this bounds the
     *  memo at about 256 KB per thread whatever a flood of odd hellos holds. */
    static final int MEMO_MAX_KEY = 256;

    /** A fingerprint and everything it was computed from (see {@link #body}). */
    private record Memo(int[] key, String ja4) {
    }

    /** Per thread: a SHA-256 digest (looking one up through the providers cost more than hashing),
     *  the fingerprint's inputs, the bytes of the list being hashed, the fingerprint being written and
     *  the fingerprints computed last. */
    private static final class Scratch {
        final MessageDigest sha256;
        byte[] text = new byte[512];
        int[] key = new int[128];
        final byte[] digest = new byte[32];
        final byte[] out = new byte[LENGTH];
        final Memo[] memo = new Memo[MEMO_SLOTS];

        Scratch() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java SE runtime has SHA-256", e);
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    // the layout of Scratch.key: the JA4_a fields, then the sorted ciphers, the sorted hashed
    // extensions and the signature algorithms in wire order, each list after its length
    private static final int K_VERSION = 0;
    private static final int K_SNI = 1;
    private static final int K_ALPN = 2;
    private static final int K_EXTENSIONS = 3;
    private static final int K_CIPHERS = 4;

    private Ja4() {
    }

    static boolean grease(int v) {
        return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
    }

    /**
     * The fingerprint with transport "t", read from the hello's bytes. Offsets are absolute in
     * {@code b}; {@code sigAlgsAt} (the first algorithm, {@code sigAlgsLength} bytes of them) and
     * {@code firstAlpnAt} (the length byte of the first ALPN value) are -1 when absent.
     *
     * <p>Most hellos come from a few client stacks, and the lists are sorted before hashing (Chrome
     * shuffles its extensions; JA4 is stable because it sorts them), so the fingerprint is looked up
     * by its inputs among the last ones computed on this thread before the two SHA-256 are run again:
     * the hashing was most of the fingerprint's cost.
     */
    static String body(byte[] b, int suitesAt, int suitesLength, int[] extensions, int extensionCount,
            int sigAlgsAt, int sigAlgsLength, int firstAlpnAt, int legacyVersion, List<Integer> supportedVersions, boolean sni) {
        return body(b, suitesAt, suitesLength, extensions, extensionCount, sigAlgsAt, sigAlgsLength, firstAlpnAt,
                legacyVersion, supportedVersions, sni, true);
    }

    /** {@link #body} with the memo used or not (tests compare the two). */
    static String body(byte[] b, int suitesAt, int suitesLength, int[] extensions, int extensionCount,
            int sigAlgsAt, int sigAlgsLength, int firstAlpnAt, int legacyVersion, List<Integer> supportedVersions,
            boolean sni, boolean useMemo) {
        Scratch scratch = SCRATCH.get();
        int need = K_CIPHERS + 3 + suitesLength / 2 + extensionCount + sigAlgsLength / 2;
        if (scratch.key.length < need) {
            scratch.key = new int[Math.max(need, scratch.key.length * 2)];
        }
        int[] key = scratch.key;
        int version = -1;
        for (int v : supportedVersions) {
            if (!grease(v) && v > version) {
                version = v;
            }
        }
        key[K_VERSION] = version < 0 ? legacyVersion : version;
        key[K_SNI] = sni ? 1 : 0;
        key[K_ALPN] = alpn(b, firstAlpnAt);
        int nExtensions = 0;
        for (int i = 0; i < extensionCount; i++) {
            if (!grease(extensions[i])) {
                nExtensions++;
            }
        }
        key[K_EXTENSIONS] = nExtensions;
        // the ciphers, sorted
        int ciphersAt = K_CIPHERS + 1;
        int nCiphers = 0;
        for (int i = 0; i < suitesLength; i += 2) {
            int c = ((b[suitesAt + i] & 0xff) << 8) | (b[suitesAt + i + 1] & 0xff);
            if (!grease(c)) {
                key[ciphersAt + nCiphers++] = c;
            }
        }
        key[K_CIPHERS] = nCiphers;
        Arrays.sort(key, ciphersAt, ciphersAt + nCiphers);
        // the extensions without SNI and ALPN, sorted
        int hashedAt = ciphersAt + nCiphers + 1;
        int nHashed = 0;
        for (int i = 0; i < extensionCount; i++) {
            int e = extensions[i];
            if (!grease(e) && e != 0x0000 && e != 0x0010) {
                key[hashedAt + nHashed++] = e;
            }
        }
        key[hashedAt - 1] = nHashed;
        Arrays.sort(key, hashedAt, hashedAt + nHashed);
        // the signature algorithms as sent
        int sigAt = hashedAt + nHashed + 1;
        int nSig = 0;
        for (int i = 0; sigAlgsAt >= 0 && i + 1 < sigAlgsLength; i += 2) {
            int a = ((b[sigAlgsAt + i] & 0xff) << 8) | (b[sigAlgsAt + 1 + i] & 0xff);
            if (!grease(a)) {
                key[sigAt + nSig++] = a;
            }
        }
        key[sigAt - 1] = nSig;
        int keyLength = sigAt + nSig;

        int slot = 0;
        useMemo &= keyLength <= MEMO_MAX_KEY;
        if (useMemo) {
            int h = 1;
            for (int i = 0; i < keyLength; i++) {
                h = 31 * h + key[i];
            }
            slot = (h ^ (h >>> 16)) & (MEMO_SLOTS - 1);
            Memo m = scratch.memo[slot];
            if (m != null && Arrays.equals(m.key, 0, m.key.length, key, 0, keyLength)) {
                return m.ja4;
            }
        }
        String ja4 = compute(scratch, key, ciphersAt, nCiphers, hashedAt, nHashed, sigAt, nSig);
        if (useMemo) {
            scratch.memo[slot] = new Memo(Arrays.copyOf(key, keyLength), ja4);
        }
        return ja4;
    }

    /** JA4_a "_" JA4_b "_" JA4_c from the inputs in {@code key} (its layout: see the K_ constants). */
    private static String compute(Scratch scratch, int[] key, int ciphersAt, int nCiphers, int hashedAt, int nHashed,
            int sigAt, int nSig) {
        byte[] out = scratch.out;
        // JA4_b: the cipher list, hashed
        hash12(scratch, nCiphers == 0 ? -1 : list(scratch, 0, key, ciphersAt, nCiphers), 11);
        // JA4_c: the extension list, then the signature algorithms, hashed
        int c = -1;
        if (nHashed > 0) {
            c = list(scratch, 0, key, hashedAt, nHashed);
            if (nSig > 0) {
                scratch.text[c] = '_'; // list() left room for it
                c = list(scratch, c + 1, key, sigAt, nSig);
            }
        }
        hash12(scratch, c, 24);
        // JA4_a
        out[0] = 't';
        versionCode(key[K_VERSION], out, 1);
        out[3] = (byte) (key[K_SNI] == 1 ? 'd' : 'i');
        twoDigits(out, 4, nCiphers);
        twoDigits(out, 6, key[K_EXTENSIONS]);
        out[8] = (byte) (key[K_ALPN] >> 8);
        out[9] = (byte) key[K_ALPN];
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

    /** The two ALPN characters of JA4_a, the first in the high byte. */
    private static int alpn(byte[] b, int alpnAt) {
        if (alpnAt < 0) {
            return '0' << 8 | '0';
        }
        int n = b[alpnAt] & 0xff;
        int first = b[alpnAt + 1] & 0xff;
        int last = b[alpnAt + n] & 0xff;
        if (alphanumeric(first) && alphanumeric(last)) {
            return first << 8 | last;
        }
        return HEX_BYTES[first >> 4] << 8 | HEX_BYTES[last & 0xf];
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
    private static int list(Scratch scratch, int at, int[] values, int from, int n) {
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
            int v = values[from + i];
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
