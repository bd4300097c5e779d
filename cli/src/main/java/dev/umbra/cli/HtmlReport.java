package dev.umbra.cli;

import dev.umbra.signatures.AiService;
import dev.umbra.signatures.RiskFact;
import dev.umbra.signatures.Verdict;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The audit as one self-contained HTML page ({@code umbra audit --format html}): a summary, one row
 * per AI service (unsanctioned and unknown ones first, then by risk score), one row per (client,
 * service) as in the terminal table, and the inputs.
 *
 * <p>Every value from a capture or a log (host names, users, paths, file names) is untrusted text
 * and is escaped; the page also carries a Content-Security-Policy that allows no script and no
 * resource from anywhere, so even a value that escaped the escaping could not run or call out. The
 * markup is well-formed XML (void elements closed, attributes quoted), so that tests, and anyone
 * post-processing the report, can read it with an XML parser.
 */
final class HtmlReport {
    /** What the audit read, for the page's header and its inputs section. */
    record Inputs(List<Path> files, long packets, long logLines, int logFiles, Path catalogDir, Path policyFile) {
    }

    /** A service's rows together. */
    private static final class ServiceUsage {
        final AiService service;
        final Verdict verdict;
        final Set<String> clients = new LinkedHashSet<>();
        final Set<String> hostnames = new LinkedHashSet<>();
        long count;
        long bytesUp = -1;
        long bytesDown = -1;
        Instant first;
        Instant last;

        ServiceUsage(AiService service, Verdict verdict) {
            this.service = service;
            this.verdict = verdict;
        }
    }

    private static final String STYLE = String.join("\n",
            "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#1d232b}",
            "h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.2em;margin:1.8em 0 .5em}",
            ".meta{color:#5b6672;margin:0 0 1.2em}",
            ".cards{display:flex;flex-wrap:wrap;gap:.8em}",
            ".card{border:1px solid #d5dbe1;border-radius:6px;padding:.6em 1em;min-width:9em}",
            ".card b{display:block;font-size:1.7em}",
            "table{border-collapse:collapse;width:100%;font-size:13px}",
            "th,td{border-bottom:1px solid #e3e7eb;padding:.35em .5em;text-align:left;vertical-align:top}",
            "th{background:#f3f5f7;position:sticky;top:0}",
            "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}",
            "td.t{white-space:nowrap}td.w{word-break:break-all;max-width:28em}",
            ".v{display:inline-block;border-radius:3px;padding:0 .45em;font-size:12px;font-weight:600}",
            ".v-unsanctioned{background:#fbe3e3;color:#9b1c1c}.v-unknown{background:#fdf1d6;color:#7a5300}",
            ".v-tolerated{background:#e2ecfb;color:#1c4a9b}.v-sanctioned{background:#e0f3e5;color:#1d6b34}",
            "code{font-size:12px}footer{margin-top:2em;color:#5b6672;font-size:12px}");

    private HtmlReport() {
    }

    /** Writes the page for {@code rows} (in the report's order) to {@code out}. */
    static void write(ChunkedLines out, List<UsageReport.Row> rows, List<UsageReport.Sent> sent, Inputs inputs,
            String version, Instant generated) {
        List<ServiceUsage> services = services(rows);
        Set<String> clients = new LinkedHashSet<>();
        Set<String> unsanctionedClients = new LinkedHashSet<>();
        long unsanctioned = 0;
        long uploaded = -1;
        for (UsageReport.Row r : rows) {
            clients.add(r.client);
            if (r.match.verdict() == Verdict.UNSANCTIONED) {
                unsanctionedClients.add(r.client);
            }
            if (r.bytesUp >= 0) {
                uploaded = Math.max(uploaded, 0) + r.bytesUp;
            }
        }
        for (ServiceUsage s : services) {
            unsanctioned += s.verdict == Verdict.UNSANCTIONED ? 1 : 0;
        }
        String read = inputs.logFiles() == 0 ? count(inputs.packets(), "packet")
                : count(inputs.packets(), "packet") + " and " + count(inputs.logLines(), "log line");

        out.line("<!DOCTYPE html>");
        out.line("<html lang=\"en\">");
        out.line("<head>");
        out.line("<meta charset=\"utf-8\"/>");
        out.line("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"/>");
        out.line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>");
        out.line("<meta name=\"generator\" content=\"Umbra " + esc(version) + "\"/>");
        out.line("<title>Umbra audit: " + count(services.size(), "AI service") + ", " + count(clients.size(), "client")
                + "</title>");
        out.line("<style>" + STYLE + "</style>");
        out.line("</head>");
        out.line("<body>");
        out.line("<h1>AI services used</h1>");
        out.line("<p class=\"meta\">Umbra " + esc(version) + " audit of " + count(inputs.files().size(), "file")
                + " (" + read + "), generated " + IsoTime.millis(generated) + ". Catalog: "
                + (inputs.catalogDir() == null ? "built in" : "<code>" + esc(inputs.catalogDir().toString()) + "</code>")
                + ". Policy: " + (inputs.policyFile() == null ? "none (every verdict is unknown)"
                : "<code>" + esc(inputs.policyFile().toString()) + "</code>") + ".</p>");

        out.line("<section id=\"summary\"><div class=\"cards\">");
        card(out, "services", services.size(), "AI services");
        card(out, "clients", clients.size(), "clients");
        card(out, "unsanctioned", unsanctioned, "unsanctioned services");
        card(out, "unsanctioned-clients", unsanctionedClients.size(), "clients of unsanctioned services");
        card(out, "sensitive", sent.size(), "requests carrying sensitive data");
        out.line("<div class=\"card\" id=\"uploaded\"><b" + (uploaded < 0 ? "" : " title=\"" + uploaded + " bytes\"") + ">"
                + (uploaded < 0 ? "&#8212;" : bytes(uploaded)) + "</b>uploaded to AI services</div>");
        out.line("</div></section>");

        if (rows.isEmpty()) {
            out.line("<p id=\"none\">No AI services found in " + read + " from " + count(inputs.files().size(), "file")
                    + ".</p>");
        } else {
            servicesTable(out, services);
            if (!sent.isEmpty()) {
                sentTable(out, sent);
            }
            usageTable(out, rows);
        }

        out.line("<section id=\"inputs\"><h2>Inputs</h2><ul>");
        for (Path f : inputs.files()) {
            out.line("<li><code>" + esc(f.toString()) + "</code></li>");
        }
        out.line("</ul></section>");
        out.line("<footer><p>Verdicts come from the policy: <b>unsanctioned</b> services are forbidden, <b>unknown</b>"
                + " ones are not in it yet, <b>tolerated</b> and <b>sanctioned</b> ones are allowed. The risk score (0"
                + " least, 100 most) sums the catalog's risk facts; an unknown fact counts as a risk. Bytes are"
                + " transport payload from flows and the sizes proxy logs give; &#8212; where no source counted them."
                + " <i>ech-outer-sni-only</i>: the service was seen only as the public outer name of an Encrypted"
                + " Client Hello, not by its real destination; <i>device=</i> names the client's device, as its DHCP"
                + " lease did. URL paths are kept without their queries.</p></footer>");
        out.line("</body>");
        out.line("</html>");
        out.flush();
    }

    private static void servicesTable(ChunkedLines out, List<ServiceUsage> services) {
        out.line("<section id=\"services\"><h2>Services</h2>");
        out.line("<table><thead><tr><th>Service</th><th>Vendor</th><th>Category</th><th>Verdict</th><th>Risk</th>"
                + "<th>Trains on inputs</th><th>Retention</th><th>Jurisdiction</th><th>Clients</th><th>Requests</th>"
                + "<th>Uploaded</th><th>Downloaded</th><th>First seen</th><th>Last seen</th><th>Host names</th></tr></thead>");
        out.line("<tbody>");
        for (ServiceUsage s : services) {
            StringBuilder b = rowStart(out, s.service, s.verdict);
            b.append("<td><b>").append(esc(s.service.name())).append("</b><br/><code>").append(esc(s.service.id()))
                    .append("</code></td>");
            td(b, null, s.service.vendor());
            td(b, null, s.service.category().id());
            b.append("<td>").append(verdict(s.verdict)).append("</td>");
            td(b, "n", s.service.riskScore() == null ? null : s.service.riskScore().toString());
            td(b, null, fact(s.service, "trains_on_inputs"));
            td(b, null, fact(s.service, "retention"));
            td(b, null, fact(s.service, "jurisdiction"));
            td(b, "n", Long.toString(s.clients.size()));
            usageCells(b, s.count, s.bytesUp, s.bytesDown, s.first, s.last, s.hostnames);
            b.append("</tr>");
            out.endLine();
        }
        out.line("</tbody></table></section>");
    }

    private static void sentTable(ChunkedLines out, List<UsageReport.Sent> sent) {
        out.line("<section id=\"sensitive\"><h2>Sensitive data sent to AI services</h2>");
        out.line("<p>Found in plaintext request bodies; the evidence is masked, the values never leave this report's"
                + " maker.</p>");
        out.line("<table><thead><tr><th>Client</th><th>Service</th><th>Verdict</th><th>Time</th><th>Request</th>"
                + "<th>Type</th><th>Category</th><th>Likelihood</th><th>Evidence</th></tr></thead>");
        out.line("<tbody>");
        for (UsageReport.Sent x : sent) {
            for (dev.umbra.classifier.Detection d : x.detections()) {
                StringBuilder b = rowStart(out, x.match().service(), x.match().verdict());
                td(b, "w", x.client());
                td(b, null, x.match().service().id());
                b.append("<td>").append(verdict(x.match().verdict())).append("</td>");
                td(b, "t", IsoTime.millis(x.request().time()));
                td(b, "w", (x.request().method() == null ? "" : x.request().method() + " ")
                        + (x.request().urlPath() == null ? "" : x.request().urlPath()));
                td(b, null, d.type());
                td(b, null, d.category().id());
                td(b, null, d.likelihood().id());
                td(b, "w", d.masked());
                b.append("</tr>");
                out.endLine();
            }
        }
        out.line("</tbody></table></section>");
    }

    private static void usageTable(ChunkedLines out, List<UsageReport.Row> rows) {
        out.line("<section id=\"usage\"><h2>Usage per client</h2>");
        out.line("<table><thead><tr><th>Client</th><th>Service</th><th>Verdict</th><th>Requests</th><th>Uploaded</th>"
                + "<th>Downloaded</th><th>First seen</th><th>Last seen</th><th>Host names</th><th>Addresses</th>"
                + "<th>URL paths</th><th>Notes</th></tr></thead>");
        out.line("<tbody>");
        for (UsageReport.Row r : rows) {
            StringBuilder b = rowStart(out, r.match.service(), r.match.verdict());
            td(b, "w", r.client);
            b.append("<td>").append(esc(r.match.service().name())).append("<br/><code>")
                    .append(esc(r.match.service().id())).append("</code></td>");
            b.append("<td>").append(verdict(r.match.verdict())).append("</td>");
            usageCells(b, r.count, r.bytesUp, r.bytesDown, r.first, r.last, r.hostnames);
            td(b, "w", r.addresses.isEmpty() || r.addresses.size() == 1 && r.addresses.contains(r.client) ? null
                    : String.join(", ", r.addresses));
            td(b, "w", r.paths.isEmpty() ? null
                    : String.join(", ", r.paths) + (r.morePaths > 0 ? ", +" + r.morePaths + " more" : ""));
            td(b, null, UsageReport.notes(r));
            b.append("</tr>");
            out.endLine();
        }
        out.line("</tbody></table></section>");
    }

    private static StringBuilder rowStart(ChunkedLines out, AiService service, Verdict verdict) {
        StringBuilder b = out.text();
        b.append("<tr data-service=\"").append(esc(service.id())).append("\" data-verdict=\"").append(verdict.id())
                .append("\">");
        return b;
    }

    /** Requests, bytes up and down, first and last seen, host names. */
    private static void usageCells(StringBuilder b, long count, long up, long down, Instant first, Instant last,
            Set<String> hostnames) {
        td(b, "n", Long.toString(count));
        bytesCell(b, up);
        bytesCell(b, down);
        td(b, "t", IsoTime.millis(first));
        td(b, "t", IsoTime.millis(last));
        td(b, "w", String.join(", ", hostnames));
    }

    /** Rows per service: unsanctioned, unknown, tolerated, sanctioned; then by risk score, highest first; then id. */
    private static List<ServiceUsage> services(List<UsageReport.Row> rows) {
        Map<String, ServiceUsage> byId = new LinkedHashMap<>();
        for (UsageReport.Row r : rows) {
            ServiceUsage s = byId.computeIfAbsent(r.match.service().id(),
                    k -> new ServiceUsage(r.match.service(), r.match.verdict()));
            s.clients.add(r.client);
            s.hostnames.addAll(r.hostnames);
            s.count += r.count;
            if (r.bytesUp >= 0) {
                s.bytesUp = Math.max(s.bytesUp, 0) + r.bytesUp;
            }
            if (r.bytesDown >= 0) {
                s.bytesDown = Math.max(s.bytesDown, 0) + r.bytesDown;
            }
            s.first = s.first == null || r.first.isBefore(s.first) ? r.first : s.first;
            s.last = s.last == null || r.last.isAfter(s.last) ? r.last : s.last;
        }
        List<ServiceUsage> out = new ArrayList<>(byId.values());
        out.sort(Comparator.comparingInt((ServiceUsage s) -> severity(s.verdict))
                .thenComparing(s -> s.service.riskScore() == null ? -1 : s.service.riskScore(), Comparator.reverseOrder())
                .thenComparing(s -> s.service.id()));
        return out;
    }

    private static int severity(Verdict v) {
        return switch (v) {
            case UNSANCTIONED -> 0;
            case UNKNOWN -> 1;
            case TOLERATED -> 2;
            case SANCTIONED -> 3;
        };
    }

    private static String fact(AiService s, String name) {
        RiskFact f = s.facts().get(name);
        return f == null ? RiskFact.UNKNOWN : f.value();
    }

    private static void card(ChunkedLines out, String id, long value, String label) {
        out.line("<div class=\"card\" id=\"" + id + "\"><b>" + value + "</b>" + label + "</div>");
    }

    private static String verdict(Verdict v) {
        return "<span class=\"v v-" + v.id() + "\">" + v.id() + "</span>";
    }

    private static void td(StringBuilder b, String cssClass, String text) {
        b.append(cssClass == null ? "<td>" : "<td class=\"" + cssClass + "\">");
        if (text == null) {
            b.append("&#8212;");
        } else {
            escape(b, text);
        }
        b.append("</td>");
    }

    private static void bytesCell(StringBuilder b, long n) {
        if (n < 0) {
            b.append("<td class=\"n\">&#8212;</td>");
        } else {
            b.append("<td class=\"n\" title=\"").append(n).append(" bytes\">").append(bytes(n)).append("</td>");
        }
    }

    /** {@code 0 B}, {@code 999 B}, {@code 1.5 kB}, {@code 12.3 MB} (powers of 1000). */
    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double v = n;
        int u = -1;
        while (v >= 999.95 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** {@code s} as HTML text or attribute value (both quotes escaped); control characters become U+FFFD. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        escape(b, s);
        return b.toString();
    }

    private static void escape(StringBuilder b, String s) {
        int plain = 0;
        while (plain < s.length() && isPlain(s.charAt(plain))) {
            plain++;
        }
        b.append(s, 0, plain); // most values (addresses, host names, ids) need nothing
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    // characters XML 1.0 does not allow (and HTML renders as nothing useful)
                    boolean control = c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f || c == 0xfffe
                            || c == 0xffff;
                    boolean loneSurrogate = Character.isHighSurrogate(c)
                            ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                            : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
                    b.append(control || loneSurrogate ? '\ufffd' : c);
                }
            }
        }
    }

    private static boolean isPlain(char c) {
        return c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
    }
}
