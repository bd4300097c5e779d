package dev.umbra.cli;

import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code umbra run} in its own JVM for the daemon tests: its configuration, output and log in one directory. */
final class DaemonProcess {
    private DaemonProcess() {
    }

    /**
     * Writes {@code umbra.yaml} from {@code configLines} into {@code dir} and starts the daemon on it;
     * its standard output and error go to {@code daemon.out} and {@code daemon.err} there.
     */
    static Process start(Path dir, List<String> configLines) throws IOException {
        return start(dir, "-Xmx128m", configLines);
    }

    /** As {@link #start(Path, List)}, with this maximum heap ({@code -Xmx...}). */
    static Process start(Path dir, String maxHeap, List<String> configLines) throws IOException {
        return start(dir, List.of(), HostTools.javaCommand(maxHeap), configLines);
    }

    /**
     * As {@link #start(Path, List)}, as the user and with the capabilities a systemd unit would give:
     * {@code setpriv} sets them ({@code capabilities} as the unit's {@code AmbientCapabilities} lists
     * them, {@code CAP_NET_RAW ...}) and then runs the JVM from a copy of the test class path the user
     * can read. {@code dir} is made writable for the user.
     */
    static Process startAs(Path dir, int uid, int gid, List<String> capabilities, List<String> configLines)
            throws IOException {
        HostTools.require("setpriv", "util-linux");
        String caps = String.join(",", capabilities.stream()
                .map(c -> "+" + c.toLowerCase(java.util.Locale.ROOT).replaceFirst("^cap_", "")).toList());
        List<String> setpriv = List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                "--inh-caps=-all," + caps, "--ambient-caps=-all," + caps, "--bounding-set=-all," + caps);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        return start(dir, setpriv, readableJavaCommand(dir.resolve("classpath"), "-Xmx128m"), configLines);
    }

    private static Process start(Path dir, List<String> prefix, List<String> java, List<String> configLines)
            throws IOException {
        Path config = Files.writeString(dir.resolve("umbra.yaml"), String.join("\n", configLines) + "\n");
        List<String> jvm = new ArrayList<>(java);
        // the logging the jar ships (the test class path also holds the shipper tests' log4j2-test.xml,
        // which Log4j would prefer)
        jvm.add(jvm.indexOf("-cp"), "-Dlog4j2.configurationFile=log4j2.xml");
        List<String> command = new ArrayList<>(prefix);
        command.addAll(jvm);
        command.addAll(List.of(Main.class.getName(), "run", "--config", config.toString()));
        return new ProcessBuilder(command).redirectOutput(dir.resolve("daemon.out").toFile())
                .redirectError(dir.resolve("daemon.err").toFile()).start();
    }

    /**
     * The java command of {@link HostTools#javaCommand}, its class path copied under {@code copy}
     * with read access for everyone (Maven's repository under /root is not).
     */
    private static List<String> readableJavaCommand(Path copy, String... jvmOptions) throws IOException {
        List<String> cmd = new ArrayList<>(HostTools.javaCommand(jvmOptions));
        int cp = cmd.indexOf("-cp") + 1;
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : cmd.get(cp).split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
                continue;
            }
            Path to = copy.resolve((n++) + "-" + from.getFileName());
            try (var walk = Files.walk(from)) {
                for (Path f : (Iterable<Path>) walk::iterator) {
                    Path target = to.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(f, target);
                    }
                }
            }
            entries.add(to.toString());
        }
        // directories 755, files 644, the copy's parents traversable
        HostTools.check(60, "chmod", "-R", "a+rX", copy.toString());
        cmd.set(cp, String.join(java.io.File.pathSeparator, entries));
        return cmd;
    }

    /**
     * The findings a {@code file:} output wrote, one JSON object a line, once the daemon has stopped; its
     * log is given for a failing test's message.
     */
    static List<com.fasterxml.jackson.databind.JsonNode> findings(Path file) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            events.add(json.readTree(line));
        }
        return events;
    }

    /**
     * Stops the daemon with SIGTERM and waits for it (at most 60 s); it must exit 143, as a JVM ended by
     * SIGTERM does once its shutdown hooks ran. Returns its log ({@code daemon.err} in {@code dir}).
     */
    static String stop(Process daemon, Path dir) throws Exception {
        daemon.destroy();
        org.assertj.core.api.Assertions.assertThat(daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                .as("daemon stopped after SIGTERM").isTrue();
        String err = Files.readString(dir.resolve("daemon.err"));
        org.assertj.core.api.Assertions.assertThat(daemon.exitValue()).as(err).isEqualTo(143);
        return err;
    }

    /**
     * The configuration of a sensor on a tap: capture on {@code iface} (4 MiB buffer), attribution off,
     * findings to {@code findings} (one JSON object a line), 1 s aggregation windows, metrics on the port.
     *
     * @param captureLines more lines of the capture section ({@code "  key: value"})
     */
    static List<String> tapConfig(String iface, Path findings, int metricsPort, String... captureLines) {
        List<String> lines = new ArrayList<>(List.of("capture:", "  interfaces: [" + iface + "]", "  buffer_bytes: 4m"));
        lines.addAll(List.of(captureLines));
        lines.addAll(List.of("attribution:", "  enabled: false",
                "output: [\"file:" + findings + "\"]",
                "aggregation:", "  window: 1s",
                "metrics:", "  listen: \"127.0.0.1:" + metricsPort + "\""));
        return lines;
    }

    /** The findings for one catalog service ({@code enrichments[0].data.service_id}). */
    static List<com.fasterxml.jackson.databind.JsonNode> ofService(List<com.fasterxml.jackson.databind.JsonNode> events,
            String serviceId) {
        return events.stream().filter(e -> e.at("/enrichments/0/data/service_id").asText().equals(serviceId)).toList();
    }

    /** A finding's actor: a Network or HTTP Activity's own, or a Detection Finding's first evidence's. */
    static com.fasterxml.jackson.databind.JsonNode actor(com.fasterxml.jackson.databind.JsonNode event) {
        return event.has("actor") ? event.get("actor") : event.at("/evidences/0/actor");
    }

    /**
     * The findings of {@code serviceId} among {@code events}: at least one, every one's actor the user
     * {@code user} with no process (a tap's daemon names no process). {@code daemonLog} goes in the message.
     */
    static List<com.fasterxml.jackson.databind.JsonNode> assertActorUser(List<com.fasterxml.jackson.databind.JsonNode> events,
            String serviceId, String user, String daemonLog) {
        List<com.fasterxml.jackson.databind.JsonNode> found = ofService(events, serviceId);
        org.assertj.core.api.Assertions.assertThat(found).as("findings for %s among %s; daemon log: %s", serviceId,
                events, daemonLog).isNotEmpty().allSatisfy(e -> {
                    com.fasterxml.jackson.databind.JsonNode actor = actor(e);
                    org.assertj.core.api.Assertions.assertThat(actor.at("/user/name").asText()).as(e.toString())
                            .isEqualTo(user);
                    org.assertj.core.api.Assertions.assertThat(actor.has("process")).isFalse();
                });
        return found;
    }

    /** What a tap daemon's run gave: its findings and its log. */
    record TapRun(List<com.fasterxml.jackson.databind.JsonNode> findings, String log) {
    }

    /**
     * The daemon as a sensor on a tap of {@code ns}'s veth ({@link #tapConfig}, {@code captureLine} added to its
     * capture section: the servers it trusts). Once it is ready, {@code logon} runs (the exchange that names the
     * client), then real {@code curl} opens TLS to api.openai.com at the namespace's TLS server
     * ({@link dev.umbra.sensor.capture.live.Netns#serveDnsAndTls}, started by the caller). Returns the
     * findings and the log.
     */
    static TapRun tapRun(Path dir, dev.umbra.sensor.capture.live.Netns ns, String captureLine, Traffic logon)
            throws Exception {
        int metricsPort = Loopback.freePort();
        Path findings = dir.resolve("findings.jsonl");
        Process daemon = start(dir, tapConfig(ns.hostIf, findings, metricsPort, captureLine));
        String log = drive(daemon, dir, metricsPort, () -> {
            logon.run();
            dev.umbra.sensor.capture.live.HostTools.Result curl = dev.umbra.sensor.capture.live.HostTools.run(15,
                    "curl", "-sk", "--max-time", "5", "--resolve", "api.openai.com:8443:" + ns.nsIp,
                    "https://api.openai.com:8443/v1/models");
            org.assertj.core.api.Assertions.assertThat(curl.exitCode()).as("curl: %s", curl.err()).isZero();
        });
        return new TapRun(findings(findings), log);
    }

    /** What a test does to the network while the daemon runs. */
    interface Traffic {
        void run() throws Exception;
    }

    /**
     * Waits until the daemon answers ready on its metrics port, runs {@code traffic}, waits 2.5 s (the
     * connections close, then one 1 s aggregation window and a tick), and stops the daemon ({@link #stop});
     * when anything fails the daemon is killed first. Returns its log.
     */
    static String drive(Process daemon, Path dir, int metricsPort, Traffic traffic) throws Exception {
        try {
            Loopback.awaitReady(metricsPort, daemon, 30);
            traffic.run();
            Thread.sleep(2500);
        } catch (Throwable t) {
            daemon.destroyForcibly();
            throw t;
        }
        return stop(daemon, dir);
    }
}
