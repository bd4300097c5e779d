package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/umbra, the launcher, run as a user runs it. The shaded jar is made after the tests (package
 * phase), so the test hands the launcher a manifest-only jar whose Class-Path is this test's class
 * path: the launcher's own JVM options (JIT directives, class data sharing) are what is under test.
 */
class LauncherTest {
    @TempDir
    Path dir;

    private Path classPathJar() throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        List<String> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toAbsolutePath().toUri().toString());
        }
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
        Path jar = dir.resolve("umbra.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        return jar;
    }

    private record Result(int code, String out, String err) {
    }

    private Result launch(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(CliRun.repoRoot().resolve("bin/umbra").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("UMBRA_JAR", classPathJar().toString());
        pb.environment().remove("UMBRA_JAVA_OPTS");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("bin/umbra finished").isTrue();
        return new Result(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    }

    @Test
    void auditJsonToStdout_isOnlyJson_withTheJitDirectivesLoaded() throws Exception {
        assertThat(CliRun.repoRoot().resolve("packaging/jit-directives.json")).isRegularFile();
        Result r = launch("audit", "--format", "json", CliRun.sample().toString());
        assertThat(r.code()).as(r.err()).isZero();
        ObjectMapper json = new ObjectMapper();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            // "N compiler directives added" is what the JVM prints on stdout unless told not to
            assertThat(json.readTree(line).path("class_uid").asInt()).as(line).isPositive();
        }
        assertThat(r.err()).doesNotContain("directives", "warning", "Error");
    }

    @Test
    void version_startsWithUmbra() throws Exception {
        Result r = launch("--version");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("umbra ");
    }
}
