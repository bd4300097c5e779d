package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * {@code umbra audit --format html}: the page is read back with an XML parser (the report is
 * well-formed on purpose), so the tests check what a browser would show, cell by cell, and that
 * hostile text from a log stays text.
 */
class HtmlReportTest {
    private static final XPath XPATH = XPathFactory.newInstance().newXPath();

    @TempDir
    Path tmp;

    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setExpandEntityReferences(false);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(html)));
    }

    private static List<Element> all(Document d, String xpath) throws Exception {
        NodeList nodes = (NodeList) XPATH.evaluate(xpath, d, XPathConstants.NODESET);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    private static String text(Document d, String xpath) throws Exception {
        return XPATH.evaluate(xpath, d).trim();
    }

    private static Element cell(Element row, int column) {
        return (Element) row.getElementsByTagName("td").item(column);
    }

    @Test
    void audit_bundledSample_htmlListsEveryClientServicePairAndEachServiceOnce() throws Exception {
        CliRun r = CliRun.run("audit", "--format", "html", CliRun.sample().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("<!DOCTYPE html>");
        Document d = parse(r.out());

        Set<String> pairs = new HashSet<>();
        for (Element row : all(d, "//section[@id='usage']//tbody/tr")) {
            String service = cell(row, 1).getElementsByTagName("code").item(0).getTextContent();
            assertThat(row.getAttribute("data-service")).isEqualTo(service);
            pairs.add(cell(row, 0).getTextContent() + "\t" + service);
        }
        Set<String> expected = Files.readAllLines(CliRun.repoRoot().resolve("test-data/captures/ai-sample.expected.txt"))
                .stream().filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toSet());
        assertThat(pairs).isEqualTo(expected);

        List<String> services = all(d, "//section[@id='services']//tbody/tr").stream()
                .map(e -> e.getAttribute("data-service")).toList();
        assertThat(services).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(expected.stream().map(l -> l.split("\t")[1]).collect(Collectors.toSet()));
        assertThat(text(d, "//div[@id='services']/b")).isEqualTo("12");
        assertThat(text(d, "//div[@id='clients']/b")).isEqualTo("3");
        assertThat(text(d, "//title")).isEqualTo("Umbra audit: 12 AI services, 3 clients");
        assertThat(text(d, "//meta[@http-equiv='Content-Security-Policy']/@content")).startsWith("default-src 'none'");
        assertThat(r.out()).doesNotContain("<script", "notopenai", "evil.example", "http://", "https://");
        assertThat(text(d, "//section[@id='inputs']//code")).isEqualTo(CliRun.sample().toString());
    }

    @Test
    void audit_withPolicy_unsanctionedServicesComeFirstThenHigherRisk() throws Exception {
        Path policy = tmp.resolve("policy.json");
        Files.writeString(policy, """
                {"default": "tolerated", "services": {"huggingface": "unsanctioned", "deepseek-api": "unsanctioned",
                 "openai-api": "sanctioned"}}
                """);
        CliRun r = CliRun.run("audit", "--format", "html", "--policy", policy.toString(), CliRun.sample().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Document d = parse(r.out());
        List<Element> rows = all(d, "//section[@id='services']//tbody/tr");
        List<String> verdicts = rows.stream().map(e -> e.getAttribute("data-verdict")).toList();
        assertThat(verdicts.subList(0, 2)).containsOnly("unsanctioned");
        assertThat(verdicts.get(verdicts.size() - 1)).isEqualTo("sanctioned");
        assertThat(rows.get(verdicts.size() - 1).getAttribute("data-service")).isEqualTo("openai-api");
        // within a verdict, by risk score, highest first
        List<Integer> tolerated = new ArrayList<>();
        for (Element row : rows) {
            if (row.getAttribute("data-verdict").equals("tolerated")) {
                tolerated.add(Integer.parseInt(cell(row, 4).getTextContent()));
            }
        }
        assertThat(tolerated).hasSizeGreaterThan(2).isSortedAccordingTo((a, b) -> Integer.compare(b, a));
        assertThat(text(d, "//div[@id='unsanctioned']/b")).isEqualTo("2");
        assertThat(text(d, "//div[@id='unsanctioned-clients']/b")).isEqualTo("2");
        assertThat(text(d, "//p[@class='meta']/code")).isEqualTo(policy.toString());
    }

    @Test
    void audit_hostileLogValues_stayTextInTheHtml() throws Exception {
        String user = "<script>alert(1)</script>\"'&";
        String path = "/v1/\"><img src=x onerror=alert(2)>";
        Path log = tmp.resolve("access.log");
        Files.writeString(log, String.join("\n",
                "1700000000.000    10 10.0.0.5 TCP_MISS/200 1500 POST http://api.openai.com" + path.replace(" ", "%20")
                        + " " + user + " HIER_DIRECT/1.2.3.4 application/json",
                "1700000060.000    10 10.0.0.6 TCP_MISS/200 2500 POST http://api.openai.com/v1/chat/completions - "
                        + "HIER_DIRECT/1.2.3.4 application/json",
                ""));
        CliRun r = CliRun.run("audit", "--format", "html", log.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("<script", "<img", "onerror=alert(2)>");
        Document d = parse(r.out());
        List<Element> rows = all(d, "//section[@id='usage']//tbody/tr");
        List<String> clients = rows.stream().map(e -> cell(e, 0).getTextContent()).toList();
        assertThat(clients).contains(user, "10.0.0.6");
        Element hostile = rows.get(clients.indexOf(user));
        assertThat(cell(hostile, 10).getTextContent()).contains("/v1/\"><img");
        // Squid's native log counts bytes to the client only: exact in the title, short in the cell
        assertThat(cell(hostile, 5).getAttribute("title")).isEqualTo("1500 bytes");
        assertThat(cell(hostile, 5).getTextContent()).isEqualTo("1.5 kB");
        assertThat(cell(hostile, 4).getTextContent()).isEqualTo("\u2014");
        assertThat(text(d, "//div[@id='uploaded']/b")).isEqualTo("\u2014");
        Element service = all(d, "//section[@id='services']//tbody/tr").get(0);
        assertThat(cell(service, 11).getAttribute("title")).isEqualTo("4000 bytes");
        assertThat(cell(service, 8).getTextContent()).isEqualTo("2");
    }

    @Test
    void audit_noAiService_htmlSaysSo() throws Exception {
        Path log = tmp.resolve("access.log");
        Files.writeString(log, "1700000000.000    10 10.0.0.5 TCP_MISS/200 99 GET http://www.debian.org/ - "
                + "HIER_DIRECT/5.6.7.9 text/html\n");
        CliRun r = CliRun.run("audit", "--format", "html", log.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Document d = parse(r.out());
        assertThat(text(d, "//p[@id='none']")).startsWith("No AI services found in 0 packets and 1 log line");
        assertThat(all(d, "//table")).isEmpty();
        assertThat(text(d, "//div[@id='uploaded']/b")).isEqualTo("\u2014");
    }

    @Test
    void audit_badFormat_exitsTwoNamingTheChoices() {
        CliRun r = CliRun.run("audit", "--format", "pdf", CliRun.sample().toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("pdf", "table", "json", "html");
    }

    @Test
    void esc_escapesMarkupQuotesAndControlCharacters() throws IOException {
        assertThat(HtmlReport.esc("a<b>&\"c'")).isEqualTo("a&lt;b&gt;&amp;&quot;c&#39;");
        assertThat(HtmlReport.esc("x\u0000y\u001bz\ud800")).isEqualTo("x\ufffdy\ufffdz\ufffd");
        assertThat(HtmlReport.esc("tab\there \ud83d\ude00")).isEqualTo("tab\there \ud83d\ude00");
    }

    @Test
    void bytes_shortFormInPowersOfThousand() {
        assertThat(HtmlReport.bytes(0)).isEqualTo("0 B");
        assertThat(HtmlReport.bytes(999)).isEqualTo("999 B");
        assertThat(HtmlReport.bytes(1000)).isEqualTo("1.0 kB");
        assertThat(HtmlReport.bytes(999_949)).isEqualTo("999.9 kB");
        assertThat(HtmlReport.bytes(999_950)).isEqualTo("1.0 MB");
        assertThat(HtmlReport.bytes(48_210_000_000L)).isEqualTo("48.2 GB");
        assertThat(HtmlReport.bytes(Long.MAX_VALUE)).isEqualTo("9.2 EB");
    }
}
