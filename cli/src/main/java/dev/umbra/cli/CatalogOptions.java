package dev.umbra.cli;

import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.CatalogException;
import dev.umbra.signatures.Policy;
import dev.umbra.signatures.integrity.CatalogTrust;
import dev.umbra.signatures.integrity.Ed25519Keys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Which catalog and policy a command uses: the built-in catalog unless {@code --catalog} names a
 * signed release directory (verified against {@code --trust-key} keys), plus an optional policy.
 */
final class CatalogOptions {
    @Option(names = "--catalog", paramLabel = "DIR",
            description = "A signed catalog release directory instead of the built-in catalog.")
    Path catalogDir;

    @Option(names = "--trust-key", paramLabel = "FILE",
            description = "Ed25519 public key (PEM) trusted to sign catalog releases. Repeatable.")
    List<Path> trustKeys = new ArrayList<>();

    @Option(names = "--allow-unverified-catalog",
            description = "Load a --catalog release even when it is unsigned or fails verification (warns).")
    boolean allowUnverified;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "Organisation policy (JSON): verdicts, custom services, exceptions. See docs/catalog.md.")
    Path policyFile;

    /** Loads the catalog (verified), then applies the policy; errors become exit code 2. */
    Catalog load(PrintWriter err) {
        Catalog catalog;
        try {
            if (catalogDir == null) {
                catalog = Catalog.builtIn();
            } else {
                CatalogTrust trust = CatalogTrust.keys(keys());
                if (allowUnverified) {
                    trust = trust.allowUnverified(w -> err.println("umbra: warning: " + w));
                }
                catalog = Catalog.load(catalogDir, trust);
            }
            if (policyFile != null) {
                catalog = catalog.withPolicy(Policy.load(policyFile));
            }
            return catalog;
        } catch (CatalogException e) {
            throw UmbraException.badInput(e.getMessage());
        }
    }

    List<PublicKey> keys() {
        List<PublicKey> keys = new ArrayList<>();
        for (Path p : trustKeys) {
            try {
                keys.add(Ed25519Keys.readPublic(p));
            } catch (IOException e) {
                throw UmbraException.badInput("Invalid value " + p + " for option --trust-key: " + e.getMessage());
            }
        }
        return keys;
    }
}
