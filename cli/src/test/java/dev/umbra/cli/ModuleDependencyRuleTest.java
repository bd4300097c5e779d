package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleDependencyRuleTest {
    @TempDir
    Path tmp;

    @Test
    void violations_projectTree_none() throws IOException {
        assertThat(ModuleDependencyRule.violations(CliRun.repoRoot())).isEmpty();
    }

    @Test
    void violations_sensorDependingOnSignatures_isReported() throws IOException {
        Path tree = copyOfPoms();
        Path pom = tree.resolve("sensor/pom.xml");
        Files.writeString(pom, Files.readString(pom).replace("<dependencies>",
                "<dependencies>\n    <dependency><groupId>dev.umbra</groupId><artifactId>umbra-signatures</artifactId></dependency>"));
        assertThat(ModuleDependencyRule.violations(tree))
                .containsExactly("sensor/pom.xml depends on umbra-signatures, which DESIGN.md forbids");
    }

    @Test
    void violations_shipperDependingOnCli_isReported() throws IOException {
        Path tree = copyOfPoms();
        Path pom = tree.resolve("shipper/pom.xml");
        Files.writeString(pom, Files.readString(pom).replace("<dependencies>",
                "<dependencies>\n    <dependency>\n      <groupId>dev.umbra</groupId>\n      <artifactId>umbra-cli</artifactId>\n"
                        + "      <scope>test</scope>\n    </dependency>"));
        assertThat(ModuleDependencyRule.violations(tree)).singleElement().asString().contains("umbra-cli");
    }

    @Test
    void violations_classifierImportingShipperClass_isReported() throws IOException {
        Path tree = copyOfPoms();
        Path source = tree.resolve("classifier/src/main/java/dev/umbra/classifier/Leak.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package dev.umbra.classifier;\nimport dev.umbra.shipper.Finding;\nclass Leak {}\n");
        assertThat(ModuleDependencyRule.violations(tree)).singleElement().asString()
                .contains("Leak.java imports dev.umbra.shipper");
    }

    @Test
    void violations_loggingBackendOutsideCli_isReported() throws IOException {
        Path tree = copyOfPoms();
        Path pom = tree.resolve("signatures/pom.xml");
        Files.writeString(pom, Files.readString(pom).replace("<dependencies>",
                "<dependencies>\n    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId></dependency>"));
        assertThat(ModuleDependencyRule.violations(tree)).singleElement().asString().contains("log4j-core");
    }

    private Path copyOfPoms() throws IOException {
        for (String module : ModuleDependencyRule.ALLOWED.keySet()) {
            Files.createDirectories(tmp.resolve(module));
            Files.copy(CliRun.repoRoot().resolve(module).resolve("pom.xml"), tmp.resolve(module).resolve("pom.xml"));
        }
        assertThat(ModuleDependencyRule.violations(tmp)).isEmpty();
        return tmp;
    }
}
