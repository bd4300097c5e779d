package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace joined to the host by a veth pair, made by the test and removed on close
 * (also when the test fails). The host end ({@link #hostIf}) is where the tests capture; servers
 * run inside the namespace at {@link #nsIp}.
 *
 * <p>Addresses are random in 10.64.0.0/10 (IPv4) and fd75:6d62::/32 (IPv6) and checked
 * against the host's addresses, so that concurrent runs do not collide.
 */
public final class Netns implements AutoCloseable {
    public final String name;
    public final String hostIf;
    public final String nsIf;
    public final String hostIp;
    public final String nsIp;
    public final String hostIp6;
    public final String nsIp6;
    private final List<Process> processes = new ArrayList<>();
    private boolean closed;

    private Netns(String id, int a, int b) {
        this.name = "umbra-test-" + id;
        this.hostIf = "uh" + id;
        this.nsIf = "un" + id;
        this.hostIp = "10." + a + "." + b + ".1";
        this.nsIp = "10." + a + "." + b + ".2";
        String prefix = String.format("fd75:6d62:%x:%x", a, b);
        this.hostIp6 = prefix + "::1";
        this.nsIp6 = prefix + "::2";
    }

    /**
     * Creates the namespace and the veth pair, both ends up, with IPv4 and IPv6 addresses. (No VLAN
     * sub-interfaces: containers often lack the 8021q module; VLAN-tagged frames are covered by
     * replaying generated captures onto the veth instead.)
     */
    public static Netns create() {
        HostTools.requireRoot();
        HostTools.require("ip", "iproute2");
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String hostAddresses = HostTools.run(10, "ip", "-o", "addr").out();
        Netns n = null;
        for (int attempt = 0; attempt < 20 && n == null; attempt++) {
            int a = 64 + r.nextInt(64);
            int b = r.nextInt(256);
            String id = Integer.toString(r.nextInt(1 << 30), 36);
            if (!hostAddresses.contains("10." + a + "." + b + ".") && !hostAddresses.contains(id)) {
                n = new Netns(id, a, b);
            }
        }
        if (n == null) {
            fail("no free test subnet found in 10.64.0.0/10");
        }
        try {
            n.setUp();
        } catch (RuntimeException | AssertionError e) {
            n.close();
            throw e;
        }
        return n;
    }

    private void setUp() {
        HostTools.check(10, "ip", "netns", "add", name);
        restoreLink();
    }

    /**
     * Deletes the veth pair (both ends), as a NIC unplugged or an interface removed by a network
     * manager: a capture on {@link #hostIf} loses its interface.
     */
    public void removeLink() {
        HostTools.check(10, "ip", "link", "del", hostIf);
    }

    /** Makes the veth pair again, under the same names and addresses, both ends up. */
    public void restoreLink() {
        HostTools.check(10, "ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf, "netns", name);
        HostTools.check(10, "ip", "addr", "add", hostIp + "/30", "dev", hostIf);
        HostTools.check(10, "ip", "-6", "addr", "add", hostIp6 + "/64", "dev", hostIf, "nodad");
        HostTools.check(10, "ip", "link", "set", hostIf, "up");
        ns("ip", "addr", "add", nsIp + "/30", "dev", nsIf);
        ns("ip", "-6", "addr", "add", nsIp6 + "/64", "dev", nsIf, "nodad");
        ns("ip", "link", "set", nsIf, "up");
        ns("ip", "link", "set", "lo", "up");
    }

    /**
     * Gives the namespace its own /etc/hosts (what {@code ip netns exec} mounts from
     * /etc/netns/NAME/), so that servers in it resolve these names without DNS; removed on close.
     *
     * @param lines hosts lines, such as {@code "10.64.1.2 api.openai.com"}
     */
    public void hosts(String... lines) {
        etc("hosts", "127.0.0.1 localhost\n" + String.join("\n", lines) + "\n");
    }

    /**
     * Gives the namespace its own /etc/resolv.conf, so that programs in it ask this DNS server
     * (on the host's end of the veth, say); removed on close.
     */
    public void resolver(String address) {
        etc("resolv.conf", "nameserver " + address + "\n");
    }

    private void etc(String file, String content) {
        Path dir = Path.of("/etc/netns", name);
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.writeString(dir.resolve(file), content);
        } catch (IOException e) {
            fail("cannot write " + dir + "/" + file + ": " + e.getMessage());
        }
    }

    /** Runs a command inside the namespace to its end; fails the test on a non-zero exit. */
    public HostTools.Result ns(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        HostTools.Result r = HostTools.run(30, cmd);
        if (r.exitCode() != 0) {
            fail(String.join(" ", cmd) + " exited " + r.exitCode() + ": " + r.err().trim());
        }
        return r;
    }

    /** Starts a long-running process inside the namespace; it is killed on close. */
    public Process start(Path log, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            fail("cannot start " + cmd + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Serves DNS and TLS inside the namespace, as an AI service's resolver and front end would: {@code
     * test-data/captures/dns_responder.py} on port 53 of {@code dnsAddress}, and {@code openssl s_server
     * -www} on port 8443 with a self-signed certificate written to {@code dir}; returns once both listen.
     */
    public void serveDnsAndTls(Path dir, String dnsAddress) {
        HostTools.selfSignedCertificate(dir);
        Path dnsLog = dir.resolve("dns.log");
        Process dns = start(dnsLog, "python3", dnsResponder().toString(), dnsAddress, "53");
        Path tlsLog = dir.resolve("tls.log");
        Process tls = start(tlsLog, "openssl", "s_server", "-quiet", "-www", "-accept", "8443",
                "-cert", dir.resolve("cert.pem").toString(), "-key", dir.resolve("key.pem").toString());
        awaitTcpListener(53, dns, dnsLog);
        awaitTcpListener(8443, tls, tlsLog);
    }

    /** {@code test-data/captures/dns_responder.py} of this checkout; fails the test when python3 or it is missing. */
    public static Path dnsResponder() {
        HostTools.require("python3", "python3");
        Path responder = Path.of(System.getProperty("umbra.repo.root", "..")).resolve(
                "test-data/captures/dns_responder.py").toAbsolutePath().normalize();
        if (!java.nio.file.Files.exists(responder)) {
            fail("missing " + responder);
        }
        return responder;
    }

    /** Waits until something listens on the TCP port inside the namespace (bounded). */
    public void awaitTcpListener(int port, Process owner, Path log) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!owner.isAlive()) {
                fail("server in namespace exited early: " + readQuietly(log));
            }
            HostTools.Result r = HostTools.run(10, "ip", "netns", "exec", name, "ss", "-Htln", "sport = :" + port);
            if (r.exitCode() == 0 && !r.out().isBlank()) {
                return;
            }
            sleep(50);
        }
        fail("nothing listens on port " + port + " in " + name + " after 10 s: " + readQuietly(log));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // deleting the namespace deletes its veth end, which deletes the peer on the host
        HostTools.run(10, "ip", "netns", "del", name);
        HostTools.run(10, "ip", "link", "del", hostIf);
        Path etc = Path.of("/etc/netns", name);
        try {
            java.nio.file.Files.deleteIfExists(etc.resolve("hosts"));
            java.nio.file.Files.deleteIfExists(etc.resolve("resolv.conf"));
            java.nio.file.Files.deleteIfExists(etc);
        } catch (IOException e) {
            // left behind: harmless, named after this run's random id
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String readQuietly(Path log) {
        try {
            return java.nio.file.Files.readString(log);
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
