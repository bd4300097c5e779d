package dev.umbra.signatures.integrity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 keys in PEM files, with the JDK's own EdDSA (no third-party crypto): public keys as
 * {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo), private keys as {@code PRIVATE KEY} (PKCS#8),
 * the formats {@code openssl genpkey -algorithm ed25519} writes.
 */
public final class Ed25519Keys {
    private static final String ALGORITHM = "Ed25519";

    private Ed25519Keys() {
    }

    /** A new key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks Ed25519", e);
        }
    }

    /** Reads a PEM public key; the message names the file when it is not an Ed25519 public key. */
    public static PublicKey readPublic(Path file) throws IOException {
        byte[] der = pem(file, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + ": not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** Reads a PEM (PKCS#8) private key. */
    public static PrivateKey readPrivate(Path file) throws IOException {
        byte[] der = pem(file, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + ": not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /** PEM text of a public key. */
    public static String publicPem(PublicKey key) {
        return pemText("PUBLIC KEY", key.getEncoded());
    }

    /** PEM text of a private key. */
    public static String privatePem(PrivateKey key) {
        return pemText("PRIVATE KEY", key.getEncoded());
    }

    private static String pemText(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] pem(Path file, String type) throws IOException {
        if (Files.size(file) > 16 * 1024) {
            throw new IOException(file + ": too large for a key file");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IOException(file + ": expected a PEM block '" + begin + "'");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IOException(file + ": bad base64 in PEM block: " + ex.getMessage(), ex);
        }
    }
}
