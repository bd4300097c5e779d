package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** {@code umbra observe} and {@code umbra audit} on proxy logs, alone and mixed with captures. */
class LogInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static Path corpus() {
        Path dir = CliRun.repoRoot().resolve("../shared/corpus").normalize();
        if (!Files.isDirectory(dir.resolve("proxylogs"))) {
            fail("third-party corpus not found at " + dir + ": check out the project with ../shared beside it");
        }
        return dir;
    }

    static List<Path> corpusLogs() throws IOException {
        try (Stream<Path> s = Files.walk(corpus().resolve("proxylogs"))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static Set<String> expected(Path log) throws IOException {
        return Files.readAllLines(corpus().resolve("expected-proxylogs").resolve(log.getFileName() + ".hosts.txt")).stream()
                .map(String::trim).filter(l -> !l.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> hosts(CliRun r) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line).get("hostname").asText());
            }
        }
        return out;
    }

    @TestFactory
    List<DynamicTest> observe_corpusProxyLog_findsEveryExpectedHost() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path log : corpusLogs()) {
            tests.add(DynamicTest.dynamicTest(log.getFileName().toString(), () -> {
                CliRun r = CliRun.run("observe", "--format", "json", log.toString());
                assertThat(r.exitCode()).as(r.err()).isZero();
                assertThat(r.err()).as("no warnings").isEmpty();
                assertThat(hosts(r)).containsAll(expected(log));
            }));
        }
        return tests;
    }

    @Test
    void observe_allCorpusLogsAndACaptureOnOneCommandLine_findsEverything() throws IOException {
        List<String> args = new ArrayList<>(List.of("observe", "--format", "json", CliRun.sample().toString()));
        Set<String> want = new TreeSet<>(Set.of("chatgpt.com"));
        for (Path log : corpusLogs()) {
            args.add(log.toString());
            want.addAll(expected(log));
        }
        CliRun r = CliRun.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(hosts(r)).containsAll(want);
    }

    @Test
    void observe_brokenSquidLog_countsGarbageWithLineNumbersAndGoesOn() throws IOException {
        Path squid = corpusLogs().stream().filter(p -> p.getFileName().toString().startsWith("squid")).findFirst().orElseThrow();
        List<String> lines = Files.readAllLines(squid, StandardCharsets.ISO_8859_1);
        List<String> broken = new ArrayList<>(lines);
        broken.add(3, "\u0000\u0001 binary garbage");
        broken.add(7, lines.get(7).substring(0, 25));
        broken.add(11, "x".repeat(100_000));
        Path copy = tmp.resolve("broken-access.log");
        Files.write(copy, broken, StandardCharsets.ISO_8859_1);
        CliRun r = CliRun.run("observe", "--format", "json", copy.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err().lines()).singleElement().asString()
                .contains("broken-access.log", "(squid)", "3 of " + broken.size() + " lines not read",
                        "log_line_too_long 1", "first at line(s) 4, 8, 12");
        assertThat(hosts(r)).containsAll(expected(squid));
    }

    @Test
    void audit_squidLogMixedWithCapture_attributesPerUserWithBytesAndPaths() throws IOException {
        Path log = tmp.resolve("access.log");
        Files.writeString(log, String.join("\n",
                "1700000000.000    10 10.0.0.5 TCP_TUNNEL/200 48210 CONNECT api.openai.com:443 alice HIER_DIRECT/1.2.3.4 -",
                "1700000060.000    10 10.0.0.5 TCP_MISS/200 1000 POST http://api.openai.com/v1/files?sig=SECRET alice HIER_DIRECT/1.2.3.4 application/json",
                "1700000120.000    10 10.0.0.6 TCP_MISS/200 700 GET http://claude.ai/api/organizations - HIER_DIRECT/5.6.7.8 text/html",
                "1700000180.000    10 10.0.0.6 TCP_MISS/200 99 GET http://www.debian.org/ - HIER_DIRECT/5.6.7.9 text/html",
                ""));
        CliRun r = CliRun.run("audit", CliRun.sample().toString(), log.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        String alice = r.out().lines().filter(l -> l.startsWith("alice ")).findFirst().orElseThrow(
                () -> new AssertionError("no row for alice in\n" + r.out()));
        assertThat(alice.split("\\s+")).contains("alice", "2", "49210", "/v1/files[file_upload]", "2023-11-14T22:13:20Z",
                "2023-11-14T22:14:20Z");
        assertThat(r.out()).doesNotContain("SECRET", "debian");
        assertThat(r.out().lines().filter(l -> l.startsWith("10.0.0.6 "))).singleElement().asString()
                .contains("/api/organizations", "700");
        assertThat(r.out().lines().anyMatch(l -> l.startsWith("127."))).as("capture rows too").isTrue();
        assertThat(r.out()).contains("log lines");
    }

    @Test
    void audit_jsonFromProxyLog_carriesUserMethodPathAndStatus() throws IOException {
        Path log = tmp.resolve("access.log");
        Files.writeString(log, "1700000060.000    10 10.0.0.5 TCP_MISS/201 1000 POST http://api.openai.com/v1/files?x=1 "
                + "alice HIER_DIRECT/1.2.3.4 application/json\n");
        CliRun r = CliRun.run("audit", "--format", "json", log.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode e = JSON.readTree(r.out().lines().findFirst().orElseThrow());
        assertThat(e.get("class_uid").asInt()).isEqualTo(4002);
        assertThat(e.at("/actor/user/name").asText()).isEqualTo("alice");
        assertThat(e.at("/http_request/http_method").asText()).isEqualTo("POST");
        assertThat(e.at("/http_request/url/path").asText()).isEqualTo("/v1/files");
        assertThat(e.at("/http_response/code").asInt()).isEqualTo(201);
    }

    @Test
    void observe_logFormatForced_usesIt() throws IOException {
        Path log = tmp.resolve("headerless.log");
        Files.writeString(log, "2024-01-01 00:00:00 10.0.0.1 bob https://chatgpt.com/backend-api/conversation\n");
        CliRun r = CliRun.run("observe", "--format", "json", "--log-format", "w3c",
                "--w3c-fields", "date time c-ip cs-username cs-uri", log.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out().lines().findFirst().orElseThrow());
        assertThat(o.get("hostname").asText()).isEqualTo("chatgpt.com");
        assertThat(o.get("user").asText()).isEqualTo("bob");
        assertThat(o.get("url_path").asText()).isEqualTo("/backend-api/conversation");
    }

    @Test
    void observe_badLogFormatOrLogformat_exitsTwoNamingTheValue() throws IOException {
        Path log = tmp.resolve("a.log");
        Files.writeString(log, "x\n");
        CliRun r = CliRun.run("observe", "--log-format", "syslog-ng", log.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid value syslog-ng for option --log-format");
        CliRun r2 = CliRun.run("observe", "--squid-logformat", "%ts %>a", log.toString());
        assertThat(r2.exitCode()).isEqualTo(2);
        assertThat(r2.err()).contains("no URL (%ru)");
    }

    @Test
    void audit_squidLogWithCatalogPaths_namesUploadAndChatEndpoints() throws Exception {
        Path log = tmp.resolve("paths.log");
        Files.writeString(log, String.join("\n",
                "1795228000.049    250 10.0.0.9 TCP_MISS/200 91234 POST https://chatgpt.com/backend-api/files carol HIER_DIRECT/1.2.3.4 application/json",
                "1795228001.049    250 10.0.0.9 TCP_MISS/200 1234 POST https://chatgpt.com/backend-api/conversation carol HIER_DIRECT/1.2.3.4 text/event-stream",
                "1795228002.049    250 10.0.0.9 TCP_MISS/200 999 GET https://chatgpt.com/robots.txt carol HIER_DIRECT/1.2.3.4 text/plain", ""));
        CliRun r = CliRun.run("audit", log.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("/backend-api/files[file_upload]", "/backend-api/conversation[chat]", "/robots.txt")
                .doesNotContain("/robots.txt[");
    }
}
