package dev.umbra.signatures.integrity;

import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.CatalogException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SHA-256 manifest of a catalog release: one line {@code <64 hex digits>  <file name>} per
 * catalog file, sorted by name, in the format of {@code sha256sum} (so {@code sha256sum -c
 * MANIFEST.sha256} checks a release too). The Ed25519 signature in {@value #SIGNATURE_FILE} is over
 * the manifest's exact bytes.
 */
public final class CatalogManifest {
    /** The manifest's file name inside a release directory. */
    public static final String MANIFEST_FILE = "MANIFEST.sha256";
    /** The signature's file name: base64 of the 64-byte Ed25519 signature over the manifest. */
    public static final String SIGNATURE_FILE = "MANIFEST.sha256.sig";
    /** Longest manifest accepted (a release of a few hundred files). */
    static final int MAX_MANIFEST_BYTES = 1 << 20;

    private final Map<String, String> digests;

    private CatalogManifest(Map<String, String> digests) {
        this.digests = Map.copyOf(digests);
    }

    /** File name to lowercase hex SHA-256. */
    public Map<String, String> digests() {
        return digests;
    }

    /** Computes the manifest text of a release directory's catalog files. */
    public static String compute(Path dir) throws CatalogException {
        StringBuilder sb = new StringBuilder();
        for (Path file : Catalog.catalogFiles(dir)) {
            try {
                sb.append(sha256(Files.readAllBytes(file))).append("  ").append(file.getFileName()).append('\n');
            } catch (IOException e) {
                throw new CatalogException(file + ": cannot read: " + e.getMessage(), e);
            }
        }
        return sb.toString();
    }

    /**
     * Parses manifest text.
     *
     * @throws CatalogException naming the line that is malformed
     */
    public static CatalogManifest parse(String where, byte[] content) throws CatalogException {
        if (content.length > MAX_MANIFEST_BYTES) {
            throw new CatalogException(where + ": manifest longer than " + MAX_MANIFEST_BYTES + " bytes: " + content.length);
        }
        Map<String, String> digests = new LinkedHashMap<>();
        List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            if (line.length() < 67 || !line.substring(0, 64).matches("[0-9a-f]{64}") || !line.startsWith("  ", 64)) {
                throw new CatalogException(where + ":" + (i + 1) + ": expected '<sha256 hex>  <file name>'");
            }
            String name = line.substring(66);
            if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new CatalogException(where + ":" + (i + 1) + ": file name must be plain: " + name);
            }
            if (digests.put(name, line.substring(0, 64)) != null) {
                throw new CatalogException(where + ":" + (i + 1) + ": file listed twice: " + name);
            }
        }
        return new CatalogManifest(digests);
    }

    /** Lowercase hex SHA-256 of some bytes. */
    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
