package dev.umbra.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.attribution.ProcessAttributor;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.LiveCaptureConfig;
import dev.umbra.sensor.capture.live.Netns;
import dev.umbra.signatures.Catalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's daemon names the process behind a DNS query from a short-lived client: real {@code dig} on the host
 * asks a real resolver in a network namespace the test creates (test-data's dns_responder.py, answering after
 * 5 ms, a resolver elsewhere on the network), and exits on the answer. The daemon's capture of the host end of
 * the veth (libpcap's read timeout 10 ms), its DNS-only attribution capture beside it
 * ({@link DaemonAssembly#attributionPrewarm}) and its pipeline with real {@code /proc} attribution, wired as
 * DaemonAssembly wires them on a host. Without the DNS-only capture, dig is mostly gone by the time the query is
 * read (bin/bench-attribution: 3-14 of 30 named with a 3 ms round trip; with it, 29-30). A query over TCP is
 * attributed too.
 */
class HostDaemonDnsAttributionLiveTest {
    private static final int DIGS = 10;

    @TempDir
    Path tmp;

    @Test
    void digWithAResolverFiveMillisecondsAway_itsQueriesAreAttributedToDig() throws Exception {
        digs(5);
    }

    @Test
    void digOverTcp_itsQueriesAreAttributedToDigToo() throws Exception {
        // a query over TCP (dig +tcp; any client after a truncated answer) is looked up among TCP sockets too
        // (the observation does not say which; before, only UDP ones were, and none of these was named). With
        // a resolver 5 ms away, dig +tcp is mostly gone before the lookup (1 of 10 named): 50 ms here
        digs(50, "+tcp");
    }

    private void digs(int delayMillis, String... digOptions) throws Exception {
        HostTools.requireRoot();
        HostTools.require("dig", "bind9-dnsutils");
        HostTools.require("ip", "iproute2");
        try (Netns ns = Netns.create()) {
            Process dns = ns.start(tmp.resolve("dns.log"), "python3", Netns.dnsResponder().toString(), "0.0.0.0", "53",
                    "--delay", Integer.toString(delayMillis));
            ns.awaitTcpListener(53, dns, tmp.resolve("dns.log"));
            List<Observation> seen = new CopyOnWriteArrayList<>();
            ProcessAttributor attributor = ProcessAttributor.system();
            attributor.prepare(); // as DaemonAssembly does at start
            Pipeline pipeline = new Pipeline(Catalog.builtIn().matcher(), attributor, null, (o, m) -> seen.add(o));
            LiveCaptureComponent capture = new LiveCaptureComponent(LiveCaptureConfig.of(ns.hostIf)
                    .withBufferBytes(8 << 20).withTimeoutMillis(10), pipeline, new AnomalyCounters(), 1024, Duration.ZERO);
            LiveCaptureComponent prewarm = DaemonAssembly.attributionPrewarm(ns.hostIf, pipeline);
            assertThat(prewarm.name()).isEqualTo("attribution capture " + ns.hostIf);
            capture.prepare();
            capture.start();
            prewarm.start();
            try {
                Thread.sleep(300);
                for (int i = 0; i < DIGS; i++) {
                    List<String> dig = new java.util.ArrayList<>(List.of("dig", "+tries=1", "+time=3"));
                    dig.addAll(List.of(digOptions));
                    dig.addAll(List.of("@" + ns.nsIp, "chatgpt.com", "A"));
                    HostTools.check(10, dig.toArray(String[]::new));
                }
                Thread.sleep(300);
            } finally {
                prewarm.stop(Duration.ofSeconds(5));
                capture.stop(Duration.ofSeconds(5));
            }
            List<Observation> queries = seen.stream().filter(o -> o.kind() == ObservationKind.DNS_QUERY).toList();
            assertThat(queries).as("every query reported once, by the main capture").hasSize(DIGS)
                    .allSatisfy(o -> assertThat(o.hostname()).isEqualTo("chatgpt.com"));
            // a lookup can still lose a race with the client now and then (a loaded machine); most must not
            assertThat(queries.stream().filter(o -> "dig".equals(o.process())).count())
                    .as("queries attributed to dig: %s", queries.stream().map(Observation::process).toList())
                    .isGreaterThanOrEqualTo(DIGS - 2);
            assertThat(queries).filteredOn(o -> "dig".equals(o.process()))
                    .allSatisfy(o -> assertThat(o.user()).isEqualTo(System.getProperty("user.name")));
        }
    }
}
