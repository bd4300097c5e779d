package dev.umbra.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.attribution.ProcessAttributor;
import dev.umbra.sensor.capture.live.BasicAuthServer;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.LiveCaptureConfig;
import dev.umbra.signatures.Catalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's daemon and a plain-HTTP request challenged with 401, on the wire: real curl with {@code --anyauth}
 * against a real HTTP server that wants Basic credentials (the JDK's), on loopback, captured live by the
 * daemon's capture component (real libpcap) into the daemon's pipeline with real process attribution
 * ({@code /proc}). The daemon holds the request until it is answered, as a tap's does, and attributes it to
 * its process as it holds it: a client refused and gone by the time the request is reported is still named.
 * tcpdump beside it records the tries, and tshark reads the 401 between them.
 */
class HostDaemonChallengeLiveTest {
    private static final String PASSWORD = "SYNTHETIC-grace-pw";
    /** How long the server thinks before each answer: the client is surely running when its request is read. */
    private static final long THINK_MILLIS = 300;

    @TempDir
    Path tmp;

    @Test
    void challengedThenSentWithCredentials_reportedOnceWithTheUserAndTheProcess() throws Exception {
        Wire w = curl("-u", "grace:" + PASSWORD);
        assertThat(w.tshark).as("what crossed the wire: two tries, the first challenged")
                .containsExactly("GET||", "|401|", "GET||Basic", "|200|");
        assertThat(w.requests).as("the challenged try is not reported").singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("api.openai.com");
            assertThat(o.user()).as("the user the credentials name is kept").isEqualTo("grace");
            assertThat(o.process()).as("and the process is added beside it").isEqualTo("curl");
        });
    }

    @Test
    void refusedAndGoneBeforeTheFlowEnds_reportedOnceWithItsProcess() throws Exception {
        Wire w = curl();
        assertThat(w.tshark).containsExactly("GET||", "|401|");
        // held until the flow's end: curl had exited on the 401 by then, so only the attribution made when
        // the request was held can name it
        assertThat(w.requests).singleElement().satisfies(o -> {
            assertThat(o.user()).as("the process's owner").isEqualTo(System.getProperty("user.name"));
            assertThat(o.process()).isEqualTo("curl");
        });
    }

    /** What one curl put on the wire, as tshark and as the daemon's pipeline read it. */
    private record Wire(List<String> tshark, List<Observation> requests) {
    }

    private Wire curl(String... curlArgs) throws Exception {
        HostTools.requireRoot();
        HostTools.require("curl", "curl");
        HostTools.require("tshark", "tshark");
        try (BasicAuthServer server = BasicAuthServer.start("grace", PASSWORD, THINK_MILLIS)) {
            return curl(server.port(), curlArgs);
        }
    }

    private Wire curl(int port, String... curlArgs) throws Exception {
        Process tcpdump = null;
        try {
            Path pcap = tmp.resolve("challenge.pcap");
            tcpdump = HostTools.tcpdump("lo", pcap, tmp.resolve("tcpdump.log"), "tcp port " + port);
            List<Observation> seen = new CopyOnWriteArrayList<>();
            // the daemon's pipeline on a host: the built-in catalog, attribution over the real /proc
            Pipeline pipeline = new Pipeline(Catalog.builtIn().matcher(), ProcessAttributor.system(), null,
                    (o, m) -> seen.add(o));
            AnomalyCounters anomalies = new AnomalyCounters();
            LiveCaptureComponent capture = new LiveCaptureComponent(LiveCaptureConfig.of("lo").withBufferBytes(8 << 20)
                    .withPromiscuous(false).withTimeoutMillis(10).withFilter("tcp port " + port), pipeline, anomalies,
                    1024, Duration.ZERO);
            capture.holdRequestsUntilAnswered(pipeline::attribute); // as DaemonAssembly wires a host's capture
            capture.prepare();
            capture.start();
            try {
                Thread.sleep(300);
                List<String> curl = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-o", "/dev/null",
                        "--anyauth", "--resolve", "api.openai.com:" + port + ":127.0.0.1"));
                curl.addAll(List.of(curlArgs));
                curl.add("http://api.openai.com:" + port + "/v1/models");
                HostTools.Result r = HostTools.run(30, curl);
                assertThat(r.exitCode()).as("curl: %s", r.err()).isZero();
                Thread.sleep(300);
            } finally {
                capture.stop(Duration.ofSeconds(10));
            }
            tcpdump.destroy();
            assertThat(tcpdump.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen.toString()).doesNotContain(PASSWORD);
            assertThat(anomalies.nonZero()).isEmpty();
            return new Wire(BasicAuthServer.exchanges(pcap),
                    seen.stream().filter(o -> o.kind() == ObservationKind.HTTP_REQUEST).toList());
        } finally {
            if (tcpdump != null) {
                tcpdump.destroyForcibly();
            }
        }
    }
}
