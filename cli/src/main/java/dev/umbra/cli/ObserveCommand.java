package dev.umbra.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umbra.sensor.Observation;
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
        description = "Print every name the sensor sees in captures (DNS queries and answers, TLS SNI) and in "
                + "proxy or sensor logs (requests), AI service or not, one per line.")
final class ObserveCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    UmbraCommand root;

    @Option(names = "--format", defaultValue = "table", description = "table or json (one object per line). Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Mixin
    LogInputOptions logInput;

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "pcap or pcapng captures (recognised by their magic number) and log files, in any mix.")
    List<Path> files;

    @Override
    public Integer call() {
        CaptureRun.checkInputs(files);
        CaptureRun run = new CaptureRun(root.err, logInput.toLogOptions());
        if (format == OutputFormat.table) {
            root.out.printf("%-30s %-13s %-40s %-39s %-39s %s%n", "TIME", "KIND", "HOSTNAME", "CLIENT", "SERVER", "USER");
        }
        run.readAll(files, o -> root.out.println(format == OutputFormat.json ? json(o) : row(o)));
        if (root.verbosity() > 0) {
            run.printStatistics();
        }
        return run.filesFailed() > 0 ? ExitCodes.USAGE : ExitCodes.OK;
    }

    static String row(Observation o) {
        return String.format("%-30s %-13s %-40s %-39s %-39s %s", o.time(), o.kind().id(), o.hostname(),
                endpoint(o.clientIp(), o.clientPort()), endpoint(o.serverIp(), o.serverPort()),
                o.user() == null ? "-" : o.user());
    }

    static String endpoint(String ip, int port) {
        if (ip == null) {
            return "-";
        }
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + (port > 0 ? ":" + port : "");
    }

    static String json(Observation o) {
        ObjectNode n = JSON.createObjectNode();
        n.put("time", o.time().toString());
        n.put("kind", o.kind().id());
        n.put("hostname", o.hostname());
        n.put("client_ip", o.clientIp());
        n.put("client_port", o.clientPort());
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
        if (o.status() > 0) {
            n.put("status", o.status());
        }
        n.put("source", o.source());
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
