package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.capture.PacketHandler;
import dev.umbra.sensor.decode.PacketDecoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS answers larger than the link's MTU, fragmented by the sending kernel, and IPv6 answers behind a
 * Destination Options header, captured live with the default filter: real {@code dig} on the host asks
 * {@code test-data/captures/dns_responder.py --many 100 --dstopts 1} in a network namespace over a veth
 * pair whose MTU is IPv6's minimum, 1 280 bytes. Until the filter let fragments and extension headers
 * through, libpcap gave the decoder the first IPv4 fragment alone (the answer cut at its first gap) and
 * none of the IPv6 answers.
 */
class LiveCaptureFragmentsTest {
    @TempDir
    Path tmp;

    @Test
    void run_fragmentedAnswersAndExtensionHeaders_reachTheDecoderWhole() throws Exception {
        HostTools.require("dig", "bind9-dnsutils");
        HostTools.require("ss", "iproute2");
        try (Netns ns = Netns.create()) {
            HostTools.check(10, "ip", "link", "set", ns.hostIf, "mtu", "1280");
            ns.ns("ip", "link", "set", ns.nsIf, "mtu", "1280");
            Path log = tmp.resolve("dns.log");
            Process dns = ns.start(log, "python3", Netns.dnsResponder().toString(), "::", "53", "--many", "100",
                    "--dstopts", "1");
            ns.awaitTcpListener(53, dns, log);

            ConcurrentLinkedQueue<Observation> seen = new ConcurrentLinkedQueue<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            AtomicInteger fragments = new AtomicInteger();
            AtomicInteger behindOptions = new AtomicInteger();
            LiveCaptureStats stats;
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(ns.hostIf))) {
                PacketDecoder decoder = new PacketDecoder(ns.hostIf, seen::add, anomalies);
                PacketHandler counting = (linkType, time, buf, off, captured, original) -> {
                    int etherType = (buf[off + 12] & 0xff) << 8 | buf[off + 13] & 0xff;
                    if (etherType == 0x0800 && ((buf[off + 20] & 0x3f) | buf[off + 21]) != 0) {
                        fragments.incrementAndGet(); // MF or a fragment offset
                    } else if (etherType == 0x86dd && buf[off + 20] == 60) {
                        behindOptions.incrementAndGet();
                        if (buf[off + 54] == 44) {
                            fragments.incrementAndGet();
                        }
                    }
                    decoder.onPacket(linkType, time, buf, off, captured, original);
                };
                CaptureLoop loop = CaptureLoop.start(capture, counting, Duration.ofSeconds(60), "test-capture");

                dig(ns.nsIp, "many.chatgpt.com", "A");
                dig(ns.nsIp6, "many.claude.ai", "AAAA");
                dig(ns.nsIp6, "api.openai.com", "AAAA");

                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline && answers(seen, "api.openai.com").isEmpty()) {
                    Netns.sleep(50);
                }
                loop.stop();
                decoder.finish();
                stats = capture.stats();
            }

            // 100 addresses in 1 640-2 880 bytes: two IPv4 fragments, three IPv6 ones
            assertThat(fragments.get()).as("fragments captured").isEqualTo(5);
            assertThat(behindOptions.get()).as("IPv6 frames with destination options").isEqualTo(4);
            assertThat(answers(seen, "many.chatgpt.com")).singleElement().satisfies(a -> assertThat(a)
                    .hasSize(100).contains("10.200.0.0", "10.200.0.99"));
            assertThat(answers(seen, "many.claude.ai")).singleElement().satisfies(a -> assertThat(a)
                    .hasSize(100).contains("fd00:200::1", "fd00:200::64"));
            assertThat(answers(seen, "api.openai.com")).singleElement().isEqualTo(List.of("::1"));
            assertThat(stats.dropped()).isZero();
            assertThat(anomalies.nonZero()).as("anomalies").isEmpty();
        }
    }

    private static void dig(String server, String name, String type) {
        HostTools.check(15, "dig", "+tries=1", "+time=3", "+bufsize=4096", "+ignore", "@" + server, name, type);
    }

    private static List<List<String>> answers(java.util.Collection<Observation> seen, String name) {
        return seen.stream().filter(o -> o.kind() == ObservationKind.DNS_ANSWER && o.hostname().equals(name))
                .map(Observation::answers).toList();
    }
}
