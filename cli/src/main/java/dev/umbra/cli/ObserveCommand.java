package dev.umbra.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code umbra observe}: every observation of the inputs, AI service or not. */
@Command(name = "observe", mixinStandardHelpOptions = true,
        description = "Print every name the sensor sees in captures (DNS queries and answers, TLS and QUIC SNI "
                + "with TLS version, ALPN, JA4 and ECH, HTTP requests with method and path, SOCKS requests) and in "
                + "proxy or sensor logs (requests), AI service or not, one per line.")
final class ObserveCommand implements Callable<Integer> {
    /** Made on first use (picocli creates every subcommand for every command line). */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    @ParentCommand
    UmbraCommand root;

    @Option(names = "--format", defaultValue = "table", description = "table or json (one object per line). Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Mixin
    LogInputOptions logInput;

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "pcap or pcapng captures (recognised by their magic number, also gzip-compressed) and log "
                    + "files (also gzip-compressed), in any mix; - reads standard input.")
    List<Path> files;

    @Override
    public Integer call() {
        CaptureRun.checkInputs(files);
        CaptureRun run = new CaptureRun(root.err, logInput.toLogOptions());
        if (format == OutputFormat.table) {
            root.out.printf("%-30s %-13s %-40s %-39s %-39s %-12s %s%n", "TIME", "KIND", "HOSTNAME", "CLIENT", "SERVER",
                    "USER", "DETAILS");
        }
        ChunkedLines lines = new ChunkedLines(root.out);
        try {
            run.readAll(files, o -> lines.line(format == OutputFormat.json ? json(o) : row(o)));
        } finally {
            lines.flush(); // what was seen before an error still goes out
        }
        if (root.verbosity() > 0) {
            run.printStatistics();
        }
        return run.filesFailed() > 0 ? ExitCodes.USAGE : ExitCodes.OK;
    }

    static String row(Observation o) {
        return String.format("%-30s %-13s %-40s %-39s %-39s %-12s %s", o.time(), o.kind().id(), o.hostname(),
                endpoint(o.clientIp(), o.clientPort()), endpoint(o.serverIp(), o.serverPort()),
                o.user() == null ? "-" : o.user(), details(o));
    }

    /**
     * What else is known of the sighting, in one column: for a ClientHello the TLS version, ALPN,
     * JA4 and {@code ech-outer-sni} when the name is the outer SNI of an Encrypted Client Hello; for
     * a request the method and path ({@code CONNECT host:port} for an HTTP or SOCKS tunnel) and the status; for a
     * DNS answer the answers; byte counts where known. "-" when nothing is.
     */
    static String details(Observation o) {
        StringBuilder sb = new StringBuilder();
        if (o.clientHostname() != null) {
            sb.append("client=").append(o.clientHostname().replace(' ', '_'));
        }
        if (o.tlsVersion() != null) {
            space(sb);
            sb.append("tls").append(o.tlsVersion());
        }
        if (!o.alpn().isEmpty()) {
            space(sb).append("alpn=").append(String.join(",", o.alpn()));
        }
        if (o.ja4() != null) {
            space(sb).append("ja4=").append(o.ja4());
        }
        if (o.ech()) {
            space(sb).append(o.kind() == ObservationKind.DNS_ANSWER ? "ech-config" : "ech-outer-sni");
        }
        if (o.method() != null) {
            space(sb).append(o.method());
            if (o.targetPort() > 0) {
                String host = o.hostname().indexOf(':') >= 0 ? "[" + o.hostname() + "]" : o.hostname();
                sb.append(' ').append(host).append(':').append(o.targetPort());
            } else if (o.urlPath() != null) {
                sb.append(' ').append(o.urlPath());
            }
        } else if (o.urlPath() != null) {
            space(sb).append(o.urlPath());
        }
        if (o.status() > 0) {
            space(sb).append(o.status());
        }
        if (!o.answers().isEmpty()) {
            space(sb).append(String.join(",", o.answers()));
        }
        if (o.bytesOut() >= 0 || o.bytesIn() >= 0) {
            space(sb).append("out=").append(o.bytesOut() < 0 ? "-" : String.valueOf(o.bytesOut()))
                    .append(" in=").append(o.bytesIn() < 0 ? "-" : String.valueOf(o.bytesIn()));
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    private static StringBuilder space(StringBuilder sb) {
        return sb.length() == 0 ? sb : sb.append(' ');
    }

    static String endpoint(String ip, int port) {
        if (ip == null) {
            return "-";
        }
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + (port > 0 ? ":" + port : "");
    }

    static String json(Observation o) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("time", o.time().toString());
        n.put("kind", o.kind().id());
        n.put("hostname", o.hostname());
        n.put("client_ip", o.clientIp());
        n.put("client_port", o.clientPort());
        if (o.clientHostname() != null) {
            n.put("client_hostname", o.clientHostname());
        }
        n.put("server_ip", o.serverIp());
        n.put("server_port", o.serverPort());
        if (!o.answers().isEmpty()) {
            o.answers().forEach(n.putArray("answers")::add);
        }
        if (!o.alpn().isEmpty()) {
            o.alpn().forEach(n.putArray("alpn")::add);
        }
        if (o.ja4() != null) {
            n.put("ja4", o.ja4());
        }
        if (o.tlsVersion() != null) {
            n.put("tls_version", o.tlsVersion());
        }
        if (o.kind() == ObservationKind.TLS_SNI || o.kind() == ObservationKind.QUIC_SNI
                || o.kind() == ObservationKind.DNS_ANSWER) {
            n.put("ech", o.ech());
        }
        if (o.bytesOut() >= 0) {
            n.put("bytes_out", o.bytesOut());
        }
        if (o.bytesIn() >= 0) {
            n.put("bytes_in", o.bytesIn());
        }
        if (o.user() != null) {
            n.put("user", o.user());
        }
        if (o.process() != null) {
            n.put("process", o.process());
        }
        if (o.method() != null) {
            n.put("method", o.method());
        }
        if (o.urlPath() != null) {
            n.put("url_path", o.urlPath());
        }
        if (o.targetPort() > 0) {
            n.put("target_port", o.targetPort());
        }
        if (o.status() > 0) {
            n.put("status", o.status());
        }
        n.put("source", o.source());
        try {
            return Json.MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
