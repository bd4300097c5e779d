package dev.umbra.signatures.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.CatalogException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTrustTest {
    @TempDir
    Path dir;

    private final KeyPair release = Ed25519Keys.generate();
    private final KeyPair other = Ed25519Keys.generate();

    @BeforeEach
    void writeRelease() throws IOException {
        for (String file : Catalog.builtInFiles()) {
            Files.write(dir.resolve(file), Catalog.builtInFile(file));
        }
    }

    private CatalogTrust trust() {
        return CatalogTrust.keys(List.of(release.getPublic()));
    }

    @Test
    void load_signedRelease_loads() throws Exception {
        CatalogTrust.sign(dir, release.getPrivate());
        Catalog c = Catalog.load(dir, trust());
        assertThat(c.services()).hasSameSizeAs(Catalog.builtIn().services());
        assertThat(Files.readString(dir.resolve(CatalogManifest.MANIFEST_FILE))).contains("  model_api.json\n");
    }

    @Test
    void load_oneByteChanged_isRefusedNamingTheFile() throws Exception {
        CatalogTrust.sign(dir, release.getPrivate());
        Path file = dir.resolve("model_api.json");
        byte[] content = Files.readAllBytes(file);
        int at = new String(content, java.nio.charset.StandardCharsets.UTF_8).indexOf("api.openai.com");
        content[at] = (byte) 'b'; // api -> bpi: still valid JSON and a valid catalog
        Files.write(file, content);
        assertThat(Catalog.parse(dir).services()).isNotEmpty();
        assertThatThrownBy(() -> Catalog.load(dir, trust())).isInstanceOf(CatalogException.class)
                .hasMessageContaining("model_api.json").hasMessageContaining("changed after signing");
    }

    @Test
    void load_manifestEdited_signatureFails() throws Exception {
        CatalogTrust.sign(dir, release.getPrivate());
        Path manifest = dir.resolve(CatalogManifest.MANIFEST_FILE);
        byte[] content = Files.readAllBytes(manifest);
        content[0] = (byte) (content[0] == 'a' ? 'b' : 'a');
        Files.write(manifest, content);
        assertThatThrownBy(() -> Catalog.load(dir, trust())).hasMessageContaining("signature does not verify");
    }

    @Test
    void load_unsigned_isRefusedWithHowToFix() {
        assertThatThrownBy(() -> Catalog.load(dir, trust())).isInstanceOf(CatalogException.class)
                .hasMessageContaining("not signed").hasMessageContaining("umbra catalog sign")
                .hasMessageContaining("--allow-unverified-catalog");
    }

    @Test
    void load_unsignedWithExplicitFlag_loadsAndWarns() throws Exception {
        List<String> warnings = new ArrayList<>();
        Catalog c = Catalog.load(dir, trust().allowUnverified(warnings::add));
        assertThat(c.services()).isNotEmpty();
        assertThat(warnings).singleElement().asString().contains("not signed").contains("loaded anyway");
    }

    @Test
    void load_signedByAnotherKey_isRefused() throws Exception {
        CatalogTrust.sign(dir, other.getPrivate());
        assertThatThrownBy(() -> Catalog.load(dir, trust())).hasMessageContaining("does not verify");
    }

    @Test
    void load_fileAddedOrRemovedAfterSigning_isRefused() throws Exception {
        CatalogTrust.sign(dir, release.getPrivate());
        Files.writeString(dir.resolve("zz_extra.json"), "{\"services\": []}");
        assertThatThrownBy(() -> Catalog.load(dir, trust())).hasMessageContaining("zz_extra.json")
                .hasMessageContaining("not in the signed manifest");
        Files.delete(dir.resolve("zz_extra.json"));
        Files.delete(dir.resolve("voice_audio.json"));
        assertThatThrownBy(() -> Catalog.load(dir, trust())).hasMessageContaining("voice_audio.json")
                .hasMessageContaining("missing");
    }

    @Test
    void load_noTrustedKey_saysHowToConfigureOne() throws Exception {
        CatalogTrust.sign(dir, release.getPrivate());
        assertThatThrownBy(() -> Catalog.load(dir, CatalogTrust.keys(List.of()))).hasMessageContaining("--trust-key");
    }

    @Test
    void manifest_isSha256sumFormat_checkedByRealSha256sum() throws Exception {
        CatalogTrust.sign(dir, release.getPrivate());
        Process p = new ProcessBuilder("sha256sum", "--check", "--strict", CatalogManifest.MANIFEST_FILE)
                .directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("sha256sum finished (apt-get install -y coreutils)").isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("model_api.json: OK");
    }

    @Test
    void keys_generatedByOpenssl_signAndVerify() throws Exception {
        Path priv = dir.getParent().resolve(dir.getFileName() + "-key.pem");
        Path pub = dir.getParent().resolve(dir.getFileName() + "-pub.pem");
        try {
            run("openssl", "genpkey", "-algorithm", "ed25519", "-out", priv.toString());
            run("openssl", "pkey", "-in", priv.toString(), "-pubout", "-out", pub.toString());
            CatalogTrust.sign(dir, Ed25519Keys.readPrivate(priv));
            assertThat(Catalog.load(dir, CatalogTrust.keys(List.of(Ed25519Keys.readPublic(pub)))).services()).isNotEmpty();
            // and openssl itself verifies the signature we wrote
            Path sig = dir.getParent().resolve(dir.getFileName() + "-sig.bin");
            Files.write(sig, java.util.Base64.getDecoder().decode(
                    Files.readString(dir.resolve(CatalogManifest.SIGNATURE_FILE)).trim()));
            String out = run("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin",
                    "-in", dir.resolve(CatalogManifest.MANIFEST_FILE).toString(), "-sigfile", sig.toString());
            assertThat(out).contains("Signature Verified Successfully");
            Files.delete(sig);
        } finally {
            Files.deleteIfExists(priv);
            Files.deleteIfExists(pub);
        }
    }

    @Test
    void readKeys_notAKey_namesTheFile() throws IOException {
        Path junk = dir.resolve("junk.pem");
        Files.writeString(junk, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertThatThrownBy(() -> Ed25519Keys.readPublic(junk)).hasMessageContaining("junk.pem");
        Files.writeString(junk, "hello");
        assertThatThrownBy(() -> Ed25519Keys.readPrivate(junk)).hasMessageContaining("junk.pem").hasMessageContaining("PEM");
    }

    @Test
    void manifest_malformedLine_namesLine() {
        assertThatThrownBy(() -> CatalogManifest.parse("M", "abc  x.json\n".getBytes()))
                .hasMessageContaining("M:1");
        String ok = "0".repeat(64) + "  a.json\n";
        assertThatThrownBy(() -> CatalogManifest.parse("M", (ok + "0".repeat(64) + "  ../b.json\n").getBytes()))
                .hasMessageContaining("M:2");
    }

    @Test
    void manifest_randomBytes_throwOnlyCatalogException() {
        java.util.Random random = new java.util.Random(9);
        for (int i = 0; i < 2000; i++) {
            byte[] content = new byte[random.nextInt(200)];
            random.nextBytes(content);
            if (i % 2 == 0) {
                byte[] line = ("0".repeat(64) + "  a.json\n").getBytes();
                content = java.util.Arrays.copyOf(line, random.nextInt(line.length + 1));
            }
            try {
                CatalogManifest.parse("M", content);
            } catch (CatalogException expected) {
                assertThat(expected.getMessage()).startsWith("M");
            }
        }
        assertThat(CatalogManifest.sha256(new byte[0]))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    private static String run(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " is missing: apt-get install -y openssl", e);
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }
}
