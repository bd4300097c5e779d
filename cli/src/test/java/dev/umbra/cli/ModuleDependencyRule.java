package dev.umbra.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The module dependency rule of DESIGN.md, checked on a source tree: which project modules each
 * module's pom and main sources may use, and that only cli binds a logging backend.
 */
final class ModuleDependencyRule {
    /** Project modules each module may depend on. */
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "signatures", Set.of(),
            "sensor", Set.of(),
            "classifier", Set.of(),
            "shipper", Set.of("signatures", "sensor", "classifier"),
            "cli", Set.of("signatures", "sensor", "classifier", "shipper"));

    private static final Pattern POM_DEPENDENCY = Pattern.compile(
            "<dependency>\\s*<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>(.*?)</dependency>",
            Pattern.DOTALL);
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?dev\\.umbra\\.(\\w+)\\.",
            Pattern.MULTILINE);
    private static final Pattern LOGGING_BACKENDS = Pattern.compile(
            "<artifactId>(log4j-core|log4j-slf4j2-impl|log4j-slf4j-impl|logback-classic|slf4j-simple)</artifactId>");

    private ModuleDependencyRule() {
    }

    /** Every violation in the tree at {@code root}, one readable line each; empty when the rule holds. */
    static List<String> violations(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        for (String module : ALLOWED.keySet()) {
            Path pom = root.resolve(module).resolve("pom.xml");
            if (!Files.exists(pom)) {
                out.add(module + ": pom.xml missing");
                continue;
            }
            String xml = Files.readString(pom).replaceAll("(?s)<!--.*?-->", "");
            Matcher m = POM_DEPENDENCY.matcher(xml);
            while (m.find()) {
                if (!m.group(1).trim().equals("dev.umbra")) {
                    continue;
                }
                String dependency = m.group(2).trim().replaceFirst("^umbra-", "");
                boolean testOnly = m.group(3).contains("<scope>test</scope>");
                if (!ALLOWED.get(module).contains(dependency) && !(testOnly && !dependency.equals("cli"))) {
                    out.add(module + "/pom.xml depends on umbra-" + dependency + ", which DESIGN.md forbids");
                }
            }
            if (!module.equals("cli")) {
                Matcher backend = LOGGING_BACKENDS.matcher(xml);
                while (backend.find()) {
                    out.add(module + "/pom.xml binds logging backend " + backend.group(1) + "; only cli may");
                }
            }
            Path sources = root.resolve(module).resolve("src/main/java");
            if (Files.isDirectory(sources)) {
                try (Stream<Path> files = Files.walk(sources)) {
                    for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                        Matcher imp = IMPORT.matcher(Files.readString(file));
                        while (imp.find()) {
                            String used = imp.group(1);
                            if (!used.equals(module) && !ALLOWED.get(module).contains(used)) {
                                out.add(root.relativize(file) + " imports dev.umbra." + used
                                        + ", which DESIGN.md forbids for module " + module);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
