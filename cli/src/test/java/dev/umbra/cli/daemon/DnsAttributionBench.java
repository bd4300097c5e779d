package dev.umbra.cli.daemon;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.attribution.ProcessAttributor;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.LiveCaptureConfig;
import dev.umbra.sensor.capture.live.Netns;
import dev.umbra.signatures.Catalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * How often a host's daemon names the process behind a DNS query from a short-lived client (docs/benchmarks.md,
 * "Daemon"): real {@code dig} on the host asks a resolver in a network namespace (test-data's
 * dns_responder.py, answering after DELAY ms: the round trip to a resolver elsewhere), one at a time; the
 * daemon's capture component on the host end of the veth, with the daemon's pipeline and real {@code /proc}
 * attribution, reports each query. Per resolver delay and capture delivery (libpcap's read timeout, or
 * immediate mode): the queries seen, those attributed to the process {@code dig}, and those with a user at
 * least. Root.
 *
 * <pre>bin/bench-attribution                 # DELAYS=0,1,3,10 DIGS=30 ROUNDS=2</pre>
 */
public final class DnsAttributionBench {
    private DnsAttributionBench() {
    }

    public static void main(String[] args) throws Exception {
        HostTools.requireRoot();
        HostTools.require("dig", "bind9-dnsutils");
        HostTools.require("python3", "python3");
        List<Integer> delays = new ArrayList<>();
        for (String d : System.getProperty("delays", "0,1,3,10").split(",")) {
            delays.add(Integer.parseInt(d.trim()));
        }
        int digs = Integer.getInteger("digs", 30);
        int rounds = Integer.getInteger("rounds", 2);
        Path tmp = Files.createTempDirectory("umbra-bench-attribution");
        System.out.printf("%-8s %-14s %8s %10s %10s%n", "delay", "delivery", "queries", "process", "user");
        for (int delay : delays) {
            try (Netns ns = Netns.create()) {
                Process dns = ns.start(tmp.resolve("dns.log"), "python3", Netns.dnsResponder().toString(), "0.0.0.0",
                        "53", "--delay", Integer.toString(delay));
                ns.awaitTcpListener(53, dns, tmp.resolve("dns.log"));
                for (int round = 0; round < rounds; round++) {
                    for (String delivery : List.of("10 ms", "10 ms + DNS", "1 ms", "immediate")) {
                        LiveCaptureConfig c = LiveCaptureConfig.of(ns.hostIf).withBufferBytes(16 << 20);
                        c = delivery.equals("immediate") ? c.withImmediate(true)
                                : c.withTimeoutMillis(delivery.equals("1 ms") ? 1 : 10);
                        int[] r = run(ns, c, delivery.endsWith("DNS"), digs);
                        System.out.printf("%-8s %-14s %8d %10d %10d%n", delay + " ms", delivery, r[0], r[1], r[2]);
                    }
                }
            }
        }
    }

    /** Queries seen, attributed to dig, with a user. */
    private static int[] run(Netns ns, LiveCaptureConfig config, boolean prewarm, int digs) throws Exception {
        List<Observation> seen = new CopyOnWriteArrayList<>();
        Pipeline pipeline = new Pipeline(Catalog.builtIn().matcher(), ProcessAttributor.system(), null,
                (o, m) -> seen.add(o));
        LiveCaptureComponent capture = new LiveCaptureComponent(config, pipeline, new AnomalyCounters(), 1024,
                Duration.ZERO);
        capture.prepare();
        capture.start();
        LiveCaptureComponent dns = prewarm ? DaemonAssembly.attributionPrewarm(ns.hostIf, pipeline) : null;
        if (dns != null) {
            dns.prepare();
            dns.start();
        }
        try {
            Thread.sleep(300);
            for (int i = 0; i < digs; i++) {
                HostTools.run(10, "dig", "+tries=1", "+time=2", "@" + ns.nsIp, "chatgpt.com", "A");
            }
            Thread.sleep(300);
        } finally {
            capture.stop(Duration.ofSeconds(5));
            if (dns != null) {
                dns.stop(Duration.ofSeconds(5));
            }
        }
        List<Observation> queries = seen.stream().filter(o -> o.kind() == ObservationKind.DNS_QUERY).toList();
        return new int[] {queries.size(), (int) queries.stream().filter(o -> "dig".equals(o.process())).count(),
                (int) queries.stream().filter(o -> o.user() != null).count()};
    }
}
