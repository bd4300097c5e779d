package dev.umbra.signatures.integrity;

import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.CatalogException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a catalog release must prove before it is loaded: a manifest whose Ed25519 signature verifies
 * under one of the trusted public keys, and catalog files whose SHA-256 digests are exactly the
 * manifest's (no file changed, missing or added). {@link #allowUnverified(Consumer)} lets an operator
 * load an unsigned or failing release anyway; the reason is then reported, never silently ignored.
 */
public final class CatalogTrust {
    private final List<PublicKey> keys;
    private final boolean allowUnverified;
    private final Consumer<String> warnings;

    private CatalogTrust(List<PublicKey> keys, boolean allowUnverified, Consumer<String> warnings) {
        this.keys = List.copyOf(keys);
        this.allowUnverified = allowUnverified;
        this.warnings = warnings;
    }

    /** Trusts releases signed by one of these keys. */
    public static CatalogTrust keys(List<PublicKey> keys) {
        return new CatalogTrust(keys, false, w -> { });
    }

    /** The same trust, but a release that fails verification is loaded, its problem sent to {@code warnings}. */
    public CatalogTrust allowUnverified(Consumer<String> warnings) {
        return new CatalogTrust(keys, true, warnings);
    }

    /**
     * Verifies a release directory.
     *
     * @throws CatalogException saying what failed and how to fix it, unless unverified releases are allowed
     */
    public void verify(Path dir) throws CatalogException {
        try {
            check(dir);
        } catch (CatalogException e) {
            if (!allowUnverified) {
                throw e;
            }
            warnings.accept(e.getMessage() + " (loaded anyway: unverified catalogs are allowed)");
        }
    }

    private void check(Path dir) throws CatalogException {
        if (!Files.isDirectory(dir)) {
            throw new CatalogException(dir + ": a signed catalog release is a directory with " + CatalogManifest.MANIFEST_FILE
                    + " and " + CatalogManifest.SIGNATURE_FILE);
        }
        Path manifestFile = dir.resolve(CatalogManifest.MANIFEST_FILE);
        Path signatureFile = dir.resolve(CatalogManifest.SIGNATURE_FILE);
        if (!Files.isRegularFile(manifestFile) || !Files.isRegularFile(signatureFile)) {
            throw new CatalogException(dir + ": catalog is not signed (no " + CatalogManifest.MANIFEST_FILE + " or "
                    + CatalogManifest.SIGNATURE_FILE + "); sign it with 'umbra catalog sign', or pass --allow-unverified-catalog");
        }
        byte[] manifest;
        byte[] signature;
        try {
            manifest = Files.readAllBytes(manifestFile);
            String sig = Files.readString(signatureFile, StandardCharsets.US_ASCII).trim();
            signature = Base64.getDecoder().decode(sig);
        } catch (IOException | IllegalArgumentException e) {
            throw new CatalogException(signatureFile + ": unreadable signature: " + e.getMessage(), e);
        }
        if (keys.isEmpty()) {
            throw new CatalogException(dir + ": no trusted catalog key configured to verify the signature (pass --trust-key FILE)");
        }
        if (!verifies(manifest, signature)) {
            throw new CatalogException(manifestFile + ": signature does not verify under any of the " + keys.size()
                    + " trusted key(s): the manifest was changed or signed by another key");
        }
        CatalogManifest parsed = CatalogManifest.parse(manifestFile.toString(), manifest);
        Set<String> seen = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (Path file : Catalog.catalogFiles(dir)) {
            String name = file.getFileName().toString();
            seen.add(name);
            String expected = parsed.digests().get(name);
            if (expected == null) {
                problems.add(file + ": not in the signed manifest (added after signing)");
                continue;
            }
            try {
                String actual = CatalogManifest.sha256(Files.readAllBytes(file));
                if (!actual.equals(expected)) {
                    problems.add(file + ": SHA-256 " + actual + " differs from the signed manifest's " + expected
                            + " (file changed after signing)");
                }
            } catch (IOException e) {
                problems.add(file + ": cannot read: " + e.getMessage());
            }
        }
        for (Map.Entry<String, String> e : parsed.digests().entrySet()) {
            if (!seen.contains(e.getKey())) {
                problems.add(dir.resolve(e.getKey()) + ": listed in the signed manifest but missing");
            }
        }
        if (!problems.isEmpty()) {
            throw new CatalogException(problems);
        }
    }

    private boolean verifies(byte[] manifest, byte[] signature) {
        for (PublicKey key : keys) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(manifest);
                if (s.verify(signature)) {
                    return true;
                }
            } catch (GeneralSecurityException e) {
                // a key of another type, or a signature of the wrong length: does not verify
            }
        }
        return false;
    }

    /**
     * Signs a release directory: writes {@value CatalogManifest#MANIFEST_FILE} over its catalog files and
     * {@value CatalogManifest#SIGNATURE_FILE}.
     */
    public static void sign(Path dir, PrivateKey key) throws CatalogException {
        String manifest = CatalogManifest.compute(dir);
        byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(bytes);
            byte[] signature = s.sign();
            Files.write(dir.resolve(CatalogManifest.MANIFEST_FILE), bytes);
            Files.writeString(dir.resolve(CatalogManifest.SIGNATURE_FILE),
                    Base64.getEncoder().encodeToString(signature) + "\n", StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new CatalogException(dir + ": cannot sign: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CatalogException(dir + ": cannot write the manifest or signature: " + e.getMessage(), e);
        }
    }
}
