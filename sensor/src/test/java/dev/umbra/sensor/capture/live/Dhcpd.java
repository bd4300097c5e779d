package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

/**
 * A real DHCP and DHCPv6 server (dnsmasq, Debian's dnsmasq-base, its DNS off) inside a test's network
 * namespace, on its end of the veth, that leases one address of each family: the host end's own ({@link
 * Netns#hostIp}, {@link Netns#hostIp6}), so that a lease changes nothing on the host while the traffic after it
 * comes from the leased address. Clients run on the host, their scripts {@code /bin/true} (the host's
 * interface, routes and resolver stay as they are): real busybox {@code udhcpc} ({@link #lease}) and real ISC
 * {@code dhclient -6} ({@link #lease6}). The server stops with the namespace.
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
 + ",255.255.255.0,1h", "--dhcp-range=" + ns.hostIp6 + "," + ns.hostIp6 + ",64,1h", "--dhcp-leasefile=" + dir.resolve("leases"), "--pid-file="
                        + dir.resolve("dnsmasq.pid"));
        awaitUdpListener(ns, 67, p, log);
        awaitUdpListener(ns, 547, p, log);
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

    /** A running DHCPv6 client that holds a lease. */
    public static final class Client6 {
        private final List<String> files;
        private final Process process;
        private final Path log;

        private Client6(List<String> files, Process process, Path log) {
            this.files = files;
            this.process = process;
            this.log = log;
        }

        /** Releases the lease (the client's RELEASE, the server's REPLY) and stops the client. */
        public void release(Netns ns) throws InterruptedException {
            List<String> command = new java.util.ArrayList<>(List.of("dhclient", "-6", "-r"));
            command.addAll(files);
            command.add(ns.hostIf);
            HostTools.Result r = HostTools.run(30, command);
            assertThat(r.exitCode()).as("dhclient -r: %s %s", r.out(), r.err()).isZero();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        /** Stops the client without a RELEASE. */
        public void stop() {
            process.destroyForcibly();
        }

        /** What it logged. */
        public String log() {
            return Netns.readQuietly(log);
        }
    }

    /**
     * Real ISC {@code dhclient -6} on the host's end of the veth asks for an address (SOLICIT, REQUEST),
     * sending {@code fqdn} (option 39); returns once it holds the lease of {@link Netns#hostIp6}, still running.
     */
    public Client6 lease6(Netns ns, Path dir, String fqdn) throws java.io.IOException {
        HostTools.require("dhclient", "isc-dhcp-client");
        awaitLinkLocal(ns);
        java.nio.file.Files.createDirectories(dir);
        Path conf = dir.resolve("dhclient6.conf");
        java.nio.file.Files.writeString(conf, "send fqdn.fqdn \"" + fqdn + "\";\nsend fqdn.server-update off;\n");
        Path leases = dir.resolve("dhclient6.leases");
        List<String> files = List.of("-cf", conf.toString(), "-sf", "/bin/true", "-lf", leases.toString(), "-pf",
                dir.resolve("dhclient6.pid").toString());
        List<String> command = new java.util.ArrayList<>(List.of("dhclient", "-6", "-1", "-d", "-v"));
        command.addAll(files);
        command.add(ns.hostIf);
        Path log = dir.resolve("dhclient6.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Client6 client = new Client6(files, p, log);
        for (int i = 0; i < 300; i++) {
            if (java.nio.file.Files.exists(leases) && Netns.readQuietly(leases).contains("iaaddr " + ns.hostIp6 + " ")) {
                return client;
            }
            if (!p.isAlive()) {
                break;
            }
            Netns.sleep(100);
        }
        client.stop();
        throw new AssertionError("dhclient -6 got no lease of " + ns.hostIp6 + ": " + client.log());
    }

    /** Waits until the host end's link-local address, which a DHCPv6 client sends from, is past duplicate address detection. */
    private static void awaitLinkLocal(Netns ns) {
        String out = "";
        for (int i = 0; i < 100; i++) {
            out = HostTools.run(10, "ip", "-6", "-o", "addr", "show", "dev", ns.hostIf, "scope", "link").out();
            if (out.contains("inet6 fe80:") && !out.contains("tentative")) {
                return;
            }
            Netns.sleep(100);
        }
        throw new AssertionError("no usable link-local address on " + ns.hostIf + ": " + out);
    }
}
