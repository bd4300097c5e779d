package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

/**
 * A real DHCP server (dnsmasq, Debian's dnsmasq-base, its DNS off) inside a test's network namespace, on its
 * end of the veth, that leases one address: the host end's own ({@link Netns#hostIp}), so that a lease changes
 * nothing on the host while the traffic after it comes from the leased address. Clients run on the host with
 * {@link #lease}: real busybox {@code udhcpc}, whose script is {@code /bin/true} (the host's interface,
 * routes and resolver stay as they are). The server stops with the namespace.
 */
public final class Dhcpd {
    private Dhcpd() {
    }

    /** Starts dnsmasq in {@code ns} with its lease file in {@code dir}; returns once it listens on port 67. */
    public static Dhcpd start(Netns ns, Path dir) throws java.io.IOException {
        HostTools.require("dnsmasq", "dnsmasq-base");
        HostTools.require("busybox", "busybox");
        java.nio.file.Files.createDirectories(dir);
        Path log = dir.resolve("dnsmasq.log");
        // no ping before an offer: the address answers, it is the host's own
        Process p = ns.start(log, "dnsmasq", "--no-daemon", "--port=0", "--user=root", "--interface=" + ns.nsIf,
                "--bind-interfaces", "--no-ping", "--log-dhcp", "--dhcp-range=" + ns.hostIp + "," + ns.hostIp
                        + ",255.255.255.0,1h", "--dhcp-leasefile=" + dir.resolve("leases"), "--pid-file="
                        + dir.resolve("dnsmasq.pid"));
        awaitUdpListener(ns, 67, p, log);
        return new Dhcpd();
    }

    private static void awaitUdpListener(Netns ns, int port, Process owner, Path log) {
        for (int i = 0; i < 200; i++) {
            assertThat(owner.isAlive()).as("dnsmasq exited: %s", Netns.readQuietly(log)).isTrue();
            HostTools.Result r = HostTools.run(10, "ip", "netns", "exec", ns.name, "ss", "-Huln", "sport = :" + port);
            if (r.exitCode() == 0 && !r.out().isBlank()) {
                return;
            }
            Netns.sleep(50);
        }
        throw new AssertionError("dnsmasq does not listen on port " + port + ": " + Netns.readQuietly(log));
    }

    /**
     * busybox {@code udhcpc} on the host's end of the veth asks for a lease (DISCOVER, REQUEST), sending
     * {@code hostName} (option 12) and, when not null, {@code fqdn} (option 81); returns once it has one.
     */
    public void lease(Netns ns, String hostName, String fqdn) {
        List<String> command = new java.util.ArrayList<>(List.of("busybox", "udhcpc", "-i", ns.hostIf, "-f", "-q", "-n",
                "-t", "5", "-T", "1", "-s", "/bin/true", "-x", "hostname:" + hostName));
        if (fqdn != null) {
            command.addAll(List.of("-F", fqdn));
        }
        HostTools.Result r = HostTools.run(30, command);
        assertThat(r.exitCode()).as("udhcpc: %s %s", r.out(), r.err()).isZero();
        assertThat(r.out() + r.err()).contains("lease of " + ns.hostIp + " obtained");
    }
}
