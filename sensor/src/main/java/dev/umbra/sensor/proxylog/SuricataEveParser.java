package dev.umbra.sensor.proxylog;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses Suricata's EVE JSON output ({@code eve.json}, one event per line) for the event types
 * that name a host: {@code dns}, {@code tls}, {@code quic} and {@code http}.
 *
 * <pre>
 *   {"timestamp":"2023-01-01T00:00:00.123456+0000","event_type":"dns","src_ip":..,"src_port":..,
 *    "dest_ip":..,"dest_port":..,"dns":{"type":"query","rrname":"example.com","rrtype":"A"}}
 *   dns   (EVE v2) type query|answer, rrname, answers[].rdata or grouped.{A,AAAA,CNAME}[]
 *         (EVE v3) queries[].rrname, answers[].rdata, type request|response
 *   tls   tls.sni          quic  quic.sni
 *   http  http.hostname, http.url, http.http_method, http.status, http.length (response body)
 * </pre>
 *
 * Other event types (flow, alert, stats, ...) are skipped, not counted as bad.
 */
public final class SuricataEveParser implements LineParser {
    private final LogContext ctx;
    private final JsonFields json = new JsonFields();
    private final UrlParts url = new UrlParts();

    /** @param ctx where observations and counts go */
    public SuricataEveParser(LogContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void parse(byte[] buf, int off, int len, long lineNumber) {
        if (Text.skipSpaces(buf, off, off + len) == off + len) {
            return;
        }
        if (!json.read(buf, off, len)) {
            ctx.bad(LogAnomaly.JSON_MALFORMED, lineNumber);
            return;
        }
        String type = json.get("event_type");
        if (type == null) {
            ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
            return;
        }
        if (!(type.equals("dns") || type.equals("tls") || type.equals("quic") || type.equals("http"))) {
            ctx.skip();
            return;
        }
        String ts = json.get("timestamp");
        Instant time = null;
        if (ts != null) {
            byte[] b = ts.getBytes(StandardCharsets.ISO_8859_1);
            time = Text.iso(b, 0, b.length);
        }
        if (time == null) {
            ctx.bad(LogAnomaly.BAD_TIME, lineNumber);
            return;
        }
        String src = json.get("src_ip");
        String dst = json.get("dest_ip");
        int srcPort = ZeekParser.port(json.get("src_port"));
        int dstPort = ZeekParser.port(json.get("dest_port"));
        switch (type) {
            case "dns" -> dns(time, src, srcPort, dst, dstPort, lineNumber);
            case "tls", "quic" -> {
                String sni = ZeekParser.host(json.get(type + ".sni"));
                if (sni == null) {
                    ctx.skip();
                    return;
                }
                ctx.emit(Observation.network(time, type.equals("tls") ? ObservationKind.TLS_SNI : ObservationKind.QUIC_SNI,
                        sni, src, srcPort, dst, dstPort, ctx.source()));
            }
            default -> http(time, src, srcPort, dst, dstPort, lineNumber);
        }
    }

    private void dns(Instant time, String src, int srcPort, String dst, int dstPort, long lineNumber) {
        String dnsType = json.get("dns.type");
        String name = json.get("dns.rrname");
        if (name == null) {
            name = json.get("dns.queries.rrname");
        }
        String q = ZeekParser.host(name);
        if (q == null) {
            ctx.skip();
            return;
        }
        boolean answer = "answer".equals(dnsType) || "response".equals(dnsType);
        if (!answer) {
            ctx.emit(Observation.network(time, ObservationKind.DNS_QUERY, q, src, srcPort, dst, dstPort, ctx.source()));
            return;
        }
        List<String> answers = new ArrayList<>(json.all("dns.answers.rdata"));
        for (String t : new String[] {"A", "AAAA", "CNAME"}) {
            answers.addAll(json.all("dns.grouped." + t));
        }
        // an answer travels server to client: the client is the destination of the packet
        ctx.emit(new Observation(time, ObservationKind.DNS_ANSWER, q, dst, dstPort, src, srcPort, answers, List.of(),
                null, -1, -1, null, null, ctx.source()));
    }

    private void http(Instant time, String src, int srcPort, String dst, int dstPort, long lineNumber) {
        String hostname = json.get("http.hostname");
        String h = null;
        if (hostname != null) {
            byte[] hb = hostname.getBytes(StandardCharsets.UTF_8);
            if (url.split(hb, 0, hb.length)) {
                h = Text.host(hb, url.hostStart, url.hostEnd);
            }
        }
        String path = null;
        String u = json.get("http.url");
        if (u != null) {
            byte[] ub = u.getBytes(StandardCharsets.UTF_8);
            boolean hasHost = url.split(ub, 0, ub.length);
            if (h == null && hasHost) {
                h = Text.host(ub, url.hostStart, url.hostEnd);
            }
            path = Text.path(ub, url.pathStart, url.pathEnd);
        }
        if (h == null) {
            ctx.bad(LogAnomaly.NO_HOST, lineNumber);
            return;
        }
        int status = ZeekParser.port(json.get("http.status"));
        ctx.emit(Observation.request(time, ObservationKind.HTTP_REQUEST, h, src, srcPort, dst, dstPort, null,
                json.get("http.http_method"), path, status > 999 ? 0 : status, -1,
                ZeekParser.count(json.get("http.length")), ctx.source()));
    }
}
