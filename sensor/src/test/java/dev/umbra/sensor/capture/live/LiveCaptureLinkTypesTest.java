package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.TestFrames;
import dev.umbra.sensor.decode.LinkType;
import dev.umbra.sensor.decode.PacketDecoder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Live capture, with its default filter, on the interfaces of a host that are not Ethernet: the
 * {@code any} pseudo-interface (Linux cooked) and a TUN interface such as a VPN client makes (raw IP).
 * libpcap refuses the {@code vlan} keyword on both, so the default filter is built per link type
 * (CaptureFilter); before that, {@code umbra capture -i any} and captures on tun or WireGuard
 * interfaces failed with "invalid BPF filter". Real libpcap, traffic only on loopback or into the TUN
 * interface the test makes.
 */
class LiveCaptureLinkTypesTest {
    @Test
    void open_anyPseudoInterface_cookedWithoutVlanClausesAndDnsOnLoopbackArrives() throws Exception {
        HostTools.requireRoot();
        try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("any").withBufferBytes(4 << 20)
                .withPromiscuous(false))) {
            assertThat(capture.linkType()).isEqualTo(LinkType.LINUX_SLL);
            assertThat(capture.filter()).isEqualTo(CaptureFilter.forProtocols(LiveCaptureConfig.DEFAULT_PROTOCOLS,
                    LinkType.LINUX_SLL)).doesNotContain("vlan");
            assertThat(queriesSeen(capture, InetAddress.getLoopbackAddress(), "any.linktype.test"))
                    .contains("any.linktype.test");
        }
    }

    @Test
    void open_tunInterface_rawIpWithoutVlanClausesAndDnsIntoTheTunnelArrives() throws Exception {
        HostTools.requireRoot();
        HostTools.require("ip", "iproute2");
        HostTools.require("python3", "python3");
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String name = "ut" + Integer.toString(r.nextInt(1 << 30), 36);
        String hostAddresses = HostTools.run(10, "ip", "-o", "addr").out();
        String prefix = null;
        for (int attempt = 0; attempt < 20 && prefix == null; attempt++) {
            String p = "10." + (64 + r.nextInt(64)) + "." + r.nextInt(256) + ".";
            if (!hostAddresses.contains(p)) {
                prefix = p;
            }
        }
        assertThat(prefix).as("a free test subnet in 10.64.0.0/10").isNotNull();
        Path holder = Path.of(System.getProperty("user.dir")).resolveSibling("test-data/captures/tun_holder.py")
                .toAbsolutePath().normalize();
        HostTools.check(10, "ip", "tuntap", "add", "dev", name, "mode", "tun");
        Process hold = null;
        try {
            hold = new ProcessBuilder("python3", holder.toString(), name).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(hold.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            if (!"attached".equals(first)) {
                fail("tun_holder.py did not attach to " + name + ": " + first);
            }
            HostTools.check(10, "ip", "addr", "add", prefix + "1/30", "dev", name);
            HostTools.check(10, "ip", "link", "set", name, "up");
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(name).withBufferBytes(4 << 20)
                    .withPromiscuous(false))) {
                assertThat(capture.linkType()).isEqualTo(LinkType.RAW_DLT12);
                assertThat(capture.filter()).doesNotContain("vlan");
                // routed into the tunnel: the holder reads it, the capture sees it on the way
                assertThat(queriesSeen(capture, InetAddress.getByName(prefix + "2"), "tun.linktype.test"))
                        .contains("tun.linktype.test");
            }
        } finally {
            if (hold != null) {
                hold.destroyForcibly();
                hold.waitFor(5, TimeUnit.SECONDS);
            }
            HostTools.run(10, "ip", "tuntap", "del", "dev", name, "mode", "tun");
        }
    }

    @Test
    void open_anyOnAHostThatForwards_eachPacketDecodedOnceThoughSeenOnTwoInterfaces() throws Exception {
        HostTools.requireRoot();
        HostTools.require("ip", "iproute2");
        HostTools.require("python3", "python3");
        Path forwarding = Path.of("/proc/sys/net/ipv4/ip_forward");
        String before = java.nio.file.Files.readString(forwarding).strip();
        try (Netns a = Netns.create(); Netns b = Netns.create()) {
            java.nio.file.Files.writeString(forwarding, "1");
            // the host routes between the two namespaces, as it does between containers or VMs
            a.ns("ip", "route", "add", b.nsIp + "/32", "via", a.hostIp);
            b.ns("ip", "route", "add", a.nsIp + "/32", "via", b.hostIp);
            String name = "fwd" + Long.toString(System.nanoTime(), 36) + ".linktype.test";
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("any").withBufferBytes(4 << 20)
                    .withPromiscuous(false).withFilter("udp port 53 and host " + b.nsIp))) {
                List<Observation> seen = new CopyOnWriteArrayList<>();
                AnomalyCounters anomalies = new AnomalyCounters();
                PacketDecoder decoder = new PacketDecoder("any", seen::add, anomalies);
                Thread loop = new Thread(() -> {
                    try {
                        capture.run(decoder, 0, Duration.ofSeconds(20));
                    } catch (LiveCaptureException e) {
                        seen.clear();
                    }
                });
                loop.start();
                Thread.sleep(300);
                a.ns("python3", "-c", "import socket,struct,sys\n"
                        + "q=struct.pack('>HHHHHH',7,0x100,1,0,0,0)+b''.join(bytes([len(p)])+p.encode() for p in "
                        + "sys.argv[1].split('.'))+b'\\0'+struct.pack('>HH',1,1)\n"
                        + "socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(q,(sys.argv[2],53))", name, b.nsIp);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (anomalies.get(dev.umbra.sensor.Anomaly.CAPTURE_DUPLICATE) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                Thread.sleep(300);
                capture.stop();
                loop.join(10_000);
                assertThat(anomalies.get(dev.umbra.sensor.Anomaly.CAPTURE_DUPLICATE))
                        .as("the forwarded copy, seen on the second interface").isEqualTo(1);
                assertThat(seen).filteredOn(o -> name.equals(o.hostname())).singleElement()
                        .satisfies(o -> assertThat(o.clientIp()).isEqualTo(a.nsIp));
            }
        } finally {
            java.nio.file.Files.writeString(forwarding, before);
        }
    }

    /**
     * Runs the capture through a real decoder while DNS queries for {@code name} go to port 53 of
     * {@code server}, until the decoder reports the name (at most 10 s); the DNS query names it reported.
     */
    private static List<String> queriesSeen(LiveCapture capture, InetAddress server, String name) throws Exception {
        List<Observation> seen = new CopyOnWriteArrayList<>();
        PacketDecoder decoder = new PacketDecoder("test", seen::add, new AnomalyCounters());
        Thread loop = new Thread(() -> {
            try {
                capture.run(decoder, 0, Duration.ofSeconds(20));
            } catch (LiveCaptureException e) {
                seen.clear(); // the assertion below then names what was missing
            }
        });
        loop.start();
        byte[] query = TestFrames.dnsQuery(0x4c54, name, 1);
        try (DatagramSocket socket = new DatagramSocket()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && seen.stream().noneMatch(o -> name.equals(o.hostname()))) {
                socket.send(new DatagramPacket(query, query.length, server, 53));
                Thread.sleep(100);
            }
        } finally {
            capture.stop();
            loop.join(10_000);
        }
        return seen.stream().filter(o -> o.kind() == ObservationKind.DNS_QUERY).map(Observation::hostname).toList();
    }
}
