package dev.umbra.sensor.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.umbra.sensor.attribution.ProcessAttributor.Transport;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.Netns;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attribution of real sockets of real processes on loopback, through the real /proc. */
class ProcessAttributorTest {
    private final ProcessAttributor attributor = ProcessAttributor.system();
    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void stopProcesses() {
        started.forEach(Process::destroyForcibly);
    }

    private static String require(String tool, String aptPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool).toString();
            }
        }
        fail(tool + " is required by this test: apt-get install -y " + aptPackage);
        return null;
    }

    /** A python program that sends one datagram to 127.0.0.1 port argv[1] from an unconnected socket, then waits. */
    private static final String UDP_CLIENT = "import socket,sys,time\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "s.sendto(b'q', ('127.0.0.1', int(sys.argv[1])))\ntime.sleep(30)\n";

    /** A process that sent {@code receiver} a datagram, and the port it sent it from. */
    private record Sender(Process process, int port) {
    }

    /**
     * Starts {@code command} with the receiver's port as its last argument and waits for its datagram: then its
     * socket is surely in the kernel's tables.
     */
    private Sender datagramFrom(DatagramSocket receiver, String... command) throws IOException {
        receiver.setSoTimeout(10_000);
        String[] withPort = java.util.Arrays.copyOf(command, command.length + 1);
        withPort[command.length] = Integer.toString(receiver.getLocalPort());
        Process p = start(withPort);
        DatagramPacket packet = new DatagramPacket(new byte[16], 16);
        receiver.receive(packet);
        return new Sender(p, packet.getPort());
    }

    private Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    @Test
    void lookup_tcpConnectionOfThisJvm_attributesThisProcess() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            ProcessInfo info = attributor.lookup(Transport.TCP, "127.0.0.1", client.getLocalPort(), "127.0.0.1",
                    server.getLocalPort());
            assertThat(info).isNotNull();
            assertThat(info.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(info.name()).isEqualTo("java");
            assertThat(info.executable()).endsWith("/java");
            assertThat(info.user()).isEqualTo(System.getProperty("user.name"));
            assertThat(accepted.isConnected()).isTrue();
        }
    }

    @Test
    void lookup_pythonTcpClient_attributesPythonAndMasksItsSecrets() throws Exception {
        String python = require("python3", "python3");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            start(python, "-c", "import socket,sys,time\n"
                    + "s=socket.create_connection(('127.0.0.1', int(sys.argv[1])))\ntime.sleep(30)\n",
                    Integer.toString(server.getLocalPort()), "--api-key", "sk-proj-SYNTHETICSYNTHETIC0123456789");
            server.setSoTimeout(10_000);
            try (Socket accepted = server.accept()) {
                ProcessInfo info = attributor.lookup(Transport.TCP, "127.0.0.1", accepted.getPort(), "127.0.0.1",
                        server.getLocalPort());
                assertThat(info).isNotNull();
                assertThat(info.name()).startsWith("python3");
                assertThat(info.pid()).isEqualTo(started.get(0).pid());
                assertThat(info.commandLine()).contains("--api-key sk-p****")
                        .doesNotContain("SYNTHETICSYNTHETIC0123456789");
            }
        }
    }

    @Test
    void lookup_curlWaitingForAnswer_attributesCurl() throws Exception {
        String curl = require("curl", "curl");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            start(curl, "-s", "--max-time", "20", "http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions");
            server.setSoTimeout(10_000);
            try (Socket accepted = server.accept()) {
                ProcessInfo info = attributor.lookup(Transport.TCP, "127.0.0.1", accepted.getPort(), "127.0.0.1",
                        server.getLocalPort());
                assertThat(info).isNotNull();
                assertThat(info.name()).isEqualTo("curl");
                assertThat(info.executable()).endsWith("curl");
            }
        }
    }

    @Test
    void lookup_unconnectedUdpSocketOfAnotherUser_attributesUserAndProcess() throws Exception {
        // the system interpreter: one under root's home is not executable for uid 65534
        String python = "/usr/bin/python3";
        if (!Files.isExecutable(Path.of(python))) {
            fail("/usr/bin/python3 is required by this test: apt-get install -y python3");
        }
        String setpriv = require("setpriv", "util-linux");
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Sender sender = datagramFrom(receiver, setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                    python, "-c", UDP_CLIENT);
            ProcessInfo info = attributor.lookup(Transport.UDP, "127.0.0.1", sender.port(), "127.0.0.1",
                    receiver.getLocalPort());
            assertThat(info).isNotNull();
            assertThat(info.uid()).isEqualTo(65534);
            assertThat(info.user()).isIn("nobody", "65534");
            if (System.getProperty("user.name").equals("root")) {
                assertThat(info.name()).startsWith("python3");
            }
        }
    }

    @Test
    void lookup_noSuchSocket_returnsNull() {
        assertThat(attributor.lookup(Transport.TCP, "127.0.0.1", 1, "127.0.0.1", 2)).isNull();
        assertThat(attributor.lookup(Transport.TCP, "not an ip", 1, null, 0)).isNull();
        assertThat(attributor.counters().get("not_found")).isEqualTo(2);
    }

    @Test
    void lookup_fakeProcWithMalformedAndIpv6Lines_findsTheValidSocket() throws IOException {
        Path proc = tmp.resolve("proc");
        Files.createDirectories(proc.resolve("net"));
        String header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
        Files.writeString(proc.resolve("net/tcp"), header + "garbage\n   1: zz:zz 00:00 01\n");
        // ::1 port 0x1F90 (8080) to ::1 port 0xC350 (50000), uid 1000, inode 4242: four host-order words
        String v6Loopback = "00000000000000000000000001000000";
        Files.writeString(proc.resolve("net/tcp6"), header + "   0: " + v6Loopback + ":C350 " + v6Loopback
                + ":1F90 01 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0 20 4 30 10 -1\n");
        Files.writeString(tmp.resolve("passwd"), "alice:x:1000:1000::/home/alice:/bin/sh\nbroken line\n");
        ProcessAttributor fake = new ProcessAttributor(proc, tmp.resolve("passwd"), Ticker.systemTicker(),
                Duration.ZERO, Duration.ofSeconds(1));
        ProcessInfo info = fake.lookup(Transport.TCP, "::1", 50000, "::1", 8080);
        assertThat(info).isNotNull();
        assertThat(info.user()).isEqualTo("alice");
        assertThat(info.hasProcess()).isFalse();
        assertThat(fake.lookup(Transport.TCP, "::1", 50001, "::1", 8080)).isNull();
    }


    @Test
    void lookup_addressNotOfThisHost_returnsNullWithoutReadingSocketTables() throws IOException {
        Path proc = tmp.resolve("proc");
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/fib_trie"), """
                Main:
                  +-- 0.0.0.0/0 3 0 5
                     +-- 192.0.2.0/24 2 0 2
                           |-- 192.0.2.0
                              /24 link UNICAST
                           |-- 192.0.2.2
                              /32 host LOCAL
                        |-- 192.0.2.255
                           /32 link BROADCAST
                """);
        Files.writeString(proc.resolve("net/if_inet6"), "fd000000000000000000000000000002 04 40 00 82     eth0\n"
                + "short\n");
        String header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
        // 192.0.2.2 port 0xC350 to 198.51.100.7 port 443, uid 0, inode 77 (host-order words)
        Files.writeString(proc.resolve("net/tcp"), header
                + "   0: 020200C0:C350 076433C6:01BB 01 00000000:00000000 00:00000000 00000000     0        0 77 1\n");
        Files.writeString(tmp.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        ProcessAttributor fake = new ProcessAttributor(proc, tmp.resolve("passwd"), Ticker.systemTicker(),
                Duration.ZERO, Duration.ofSeconds(1));

        assertThat(fake.lookup(Transport.TCP, "192.0.2.2", 50000, "198.51.100.7", 443)).isNotNull();
        assertThat(fake.lookup(Transport.TCP, "198.51.100.9", 50000, "198.51.100.7", 443)).isNull();
        assertThat(fake.lookup(Transport.TCP, "fd00::3", 50000, "2001:db8::1", 443)).isNull();
        assertThat(fake.counters()).containsEntry("not_local", 2L).containsEntry("user_only", 1L)
                .containsEntry("not_found", 0L);
        // the table would have matched: only the local-address check kept it from being read
        Files.writeString(proc.resolve("net/tcp"), header
                + "   0: 096433C6:C350 076433C6:01BB 01 00000000:00000000 00:00000000 00000000     0        0 78 1\n");
        assertThat(fake.lookup(Transport.TCP, "198.51.100.9", 50000, "198.51.100.7", 443)).isNull();
    }

    @Test
    void lookup_addressOfAnotherNetworkNamespace_readsThatNamespacesTableAndNamesTheContainer() throws IOException {
        String id = "3f2a9c1b0d4e5f6a".repeat(4);
        Path proc = tmp.resolve("proc");
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/fib_trie"), "|-- 192.0.2.2\n   /32 host LOCAL\n");
        Files.writeString(proc.resolve("net/tcp"), TCP_HEADER);
        Files.createDirectories(proc.resolve("self/ns"));
        Files.createSymbolicLink(proc.resolve("self/ns/net"), Path.of("net:[4026531840]"));
        // pid 1 shares the daemon's namespace; 4242 is a container's process; 4241, in the same namespace,
        // exited while being read (no net directory left)
        fakeProcess(proc, 1, "net:[4026531840]", "systemd", "0::/init.scope");
        Path container = fakeProcess(proc, 4242, "net:[4026532777]", "python3",
                "0::/system.slice/docker-" + id + ".scope");
        fakeProcess(proc, 4241, "net:[4026532777]", "sh", "0::/system.slice/docker-" + id + ".scope");
        Files.createDirectories(container.resolve("net"));
        Files.writeString(container.resolve("net/fib_trie"), "|-- 172.17.0.2\n   /32 host LOCAL\n"
                + "|-- 127.0.0.1\n   /32 host LOCAL\n");
        // 172.17.0.2:40000 to 104.18.32.47:443, uid 0, inode 555 (host-order words)
        Files.writeString(container.resolve("net/tcp"), TCP_HEADER
                + "   0: 020011AC:9C40 2F201268:01BB 01 00000000:00000000 00:00000000 00000000     0        0 555 1\n");
        Files.createDirectories(container.resolve("fd"));
        Files.createSymbolicLink(container.resolve("fd/3"), Path.of("socket:[555]"));
        Files.writeString(tmp.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        ProcessAttributor fake = new ProcessAttributor(proc, tmp.resolve("passwd"), Ticker.systemTicker(),
                Duration.ZERO, Duration.ofSeconds(1));

        ProcessInfo info = fake.lookup(Transport.TCP, "172.17.0.2", 40000, "104.18.32.47", 443);
        assertThat(info).as("counters %s", fake.counters()).isNotNull();
        assertThat(info.pid()).isEqualTo(4242);
        assertThat(info.name()).isEqualTo("python3");
        assertThat(info.user()).isEqualTo("root");
        assertThat(info.container()).isEqualTo(new ContainerId("docker", id));
        // loopback is in every namespace: only the daemon's own is asked; another host's address is no one's
        assertThat(fake.lookup(Transport.TCP, "172.17.0.2", 40001, "104.18.32.47", 443)).isNull();
        assertThat(fake.lookup(Transport.TCP, "198.51.100.9", 40000, "104.18.32.47", 443)).isNull();
        assertThat(fake.counters()).containsEntry("other_namespace", 2L).containsEntry("with_process", 1L)
                .containsEntry("not_local", 1L).containsEntry("not_found", 1L);
    }

    /**
     * A client started after the last scan of every process's descriptors (dig, curl: short-lived) is found by
     * the pids handed out since, without another scan; with threads started after its socket, whose ids come
     * later, the process they belong to is named. Real processes, real /proc.
     */
    @Test
    void lookup_processStartedAfterTheLastScan_foundWithoutAnotherScan() throws Exception {
        String python = require("python3", "python3");
        ProcessAttributor slowRescans = new ProcessAttributor(Path.of("/proc"), Path.of("/etc/passwd"),
                Ticker.systemTicker(), Duration.ofHours(1), Duration.ofSeconds(30));
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept();
                DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            // this JVM's own connection: its inode is not known yet, so the one scan allowed an hour runs
            assertThat(slowRescans.lookup(Transport.TCP, "127.0.0.1", client.getLocalPort(), "127.0.0.1",
                    server.getLocalPort())).isNotNull();
            assertThat(slowRescans.counters()).containsEntry("descriptor_scans", 1L).containsEntry("with_process", 1L);
            assertThat(accepted.isConnected()).isTrue();

            Sender sender = datagramFrom(receiver, python, "-c", "import socket,sys,threading,time\n"
                    + "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                    + "for _ in range(3): threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
                    + "s.sendto(b'q', ('127.0.0.1', int(sys.argv[1])))\ntime.sleep(30)\n");
            ProcessInfo info = slowRescans.lookup(Transport.UDP, "127.0.0.1", sender.port(), "127.0.0.1",
                    receiver.getLocalPort());
            assertThat(info).isNotNull();
            assertThat(info.pid()).as("the process, not one of its threads").isEqualTo(sender.process().pid());
            assertThat(info.name()).startsWith("python3");
            assertThat(slowRescans.counters()).as("no second scan").containsEntry("descriptor_scans", 1L)
                    .containsEntry("with_process", 2L);
        }
    }

    /**
     * The kernel asked over netlink (sock_diag) and the socket tables give the same owner: a TCP connection of this
     * JVM (a dual-stack socket with IPv4 peers: ::ffff:127.0.0.1 to the kernel), an unconnected UDP socket of
     * another process, over IPv4 and IPv6; and neither finds a socket that is not there.
     */
    @Test
    void lookup_kernelAskedOverNetlinkAndTheTablesAgree() throws Exception {
        String python = require("python3", "python3");
        ProcessAttributor tables = new ProcessAttributor(Path.of("/proc"), Path.of("/etc/passwd"),
                Ticker.systemTicker(), Duration.ZERO, Duration.ofSeconds(30));
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept();
                DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket receiver6 = new DatagramSocket(0, InetAddress.getByName("::1"))) {
            ProcessInfo byKernel = attributor.lookup(Transport.TCP, "127.0.0.1", client.getLocalPort(), "127.0.0.1",
                    server.getLocalPort());
            ProcessInfo byTables = tables.lookup(Transport.TCP, "127.0.0.1", client.getLocalPort(), "127.0.0.1",
                    server.getLocalPort());
            assertThat(byKernel).isEqualTo(byTables);
            assertThat(byKernel.pid()).isEqualTo(ProcessHandle.current().pid());
            // the server's end of the same connection is another socket, of this JVM too
            assertThat(attributor.lookup(Transport.TCP, "127.0.0.1", accepted.getLocalPort(), "127.0.0.1",
                    accepted.getPort())).isEqualTo(tables.lookup(Transport.TCP, "127.0.0.1", accepted.getLocalPort(),
                    "127.0.0.1", accepted.getPort()));

            Sender v4 = datagramFrom(receiver, python, "-c", UDP_CLIENT);
            Sender v6 = datagramFrom(receiver6, python, "-c", "import socket,sys,time\n"
                    + "s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\ns.sendto(b'q', ('::1', int(sys.argv[1])))\n"
                    + "time.sleep(30)\n");
            ProcessInfo udp = attributor.lookup(Transport.UDP, "127.0.0.1", v4.port(), "127.0.0.1",
                    receiver.getLocalPort());
            assertThat(udp.pid()).isEqualTo(v4.process().pid());
            assertThat(udp).isEqualTo(tables.lookup(Transport.UDP, "127.0.0.1", v4.port(), "127.0.0.1",
                    receiver.getLocalPort()));
            ProcessInfo udp6 = attributor.lookup(Transport.UDP, "::1", v6.port(), "::1", receiver6.getLocalPort());
            assertThat(udp6.pid()).isEqualTo(v6.process().pid());
            // the remote unknown: the socket bound to the port
            assertThat(attributor.lookup(Transport.UDP, "::1", v6.port(), null, 0).pid()).isEqualTo(v6.process().pid());

            assertThat(attributor.lookup(Transport.TCP, "127.0.0.1", 1, "127.0.0.1", 2)).isNull();
            assertThat(attributor.counters().get("asked_kernel")).as("answered by the kernel, not the tables")
                    .isEqualTo(attributor.counters().get("lookups"));
        }
    }

    /** prepare() scans at once (a daemon's start), so the first lookup of a client started since needs no scan. */
    @Test
    void prepare_scansOnce_soAClientStartedAfterIsFoundWithoutAnother() throws Exception {
        String python = require("python3", "python3");
        ProcessAttributor prepared = new ProcessAttributor(Path.of("/proc"), Path.of("/etc/passwd"),
                Ticker.systemTicker(), Duration.ofHours(1), Duration.ofSeconds(30));
        prepared.prepare();
        assertThat(prepared.counters()).containsEntry("descriptor_scans", 1L);
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Sender sender = datagramFrom(receiver, python, "-c", UDP_CLIENT);
            ProcessInfo info = prepared.lookup(Transport.UDP, "127.0.0.1", sender.port(), "127.0.0.1",
                    receiver.getLocalPort());
            assertThat(info.pid()).isEqualTo(sender.process().pid());
            assertThat(prepared.counters()).containsEntry("descriptor_scans", 1L);
        }
    }

    /**
     * The pids handed out since the last scan, on a fake /proc: tried newest first, across the wrap below
     * pid_max, a thread's id naming its process; none tried when /proc/loadavg cannot be read.
     */
    @Test
    void lookup_fakeProcPidsHandedOutSinceTheScan_triedNewestFirstAcrossTheWrap() throws IOException {
        Path proc = tmp.resolve("proc");
        Files.createDirectories(proc.resolve("net"));
        Files.createDirectories(proc.resolve("sys/kernel"));
        Files.writeString(proc.resolve("sys/kernel/pid_max"), "32768\n");
        Files.writeString(proc.resolve("loadavg"), "0.10 0.20 0.30 1/80 32766\n");
        String v6Loopback = "00000000000000000000000001000000";
        // ::1 port 50000 to ::1 port 8080, uid 0, inode 4242; and port 50002, inode 4343
        Files.writeString(proc.resolve("net/tcp6"), TCP_HEADER
                + "   0: " + v6Loopback + ":C350 " + v6Loopback + ":1F90 01 00000000:00000000 00:00000000 00000000"
                + "     0        0 4242 1 0 20 4 30 10 -1\n"
                + "   1: " + v6Loopback + ":C352 " + v6Loopback + ":1F90 01 00000000:00000000 00:00000000 00000000"
                + "     0        0 4343 1 0 20 4 30 10 -1\n");
        Files.writeString(tmp.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        ProcessAttributor fake = new ProcessAttributor(proc, tmp.resolve("passwd"), Ticker.systemTicker(),
                Duration.ofHours(1), Duration.ofSeconds(1));
        // the first lookup scans (no process holds the socket yet): only its user
        assertThat(fake.lookup(Transport.TCP, "::1", 50000, "::1", 8080).hasProcess()).isFalse();
        assertThat(fake.counters()).containsEntry("descriptor_scans", 1L);

        // then the pids wrap: 32767, then 1 (a process), 2 and 3 (its threads; a thread's directory holds the
        // same descriptors and names its process in status)
        Path process = fakeProcess(proc, 1, "net:[1]", "fakeclient", "0::/");
        Files.writeString(process.resolve("status"), "Name:\tfakeclient\nUmask:\t0022\nState:\tS\nTgid:\t1\nPid:\t1\n");
        Files.createDirectories(process.resolve("fd"));
        Files.createSymbolicLink(process.resolve("fd/3"), Path.of("socket:[4343]"));
        for (int tid : new int[] {2, 3}) {
            Path thread = proc.resolve(Integer.toString(tid));
            Files.createDirectories(thread.resolve("fd"));
            Files.createSymbolicLink(thread.resolve("fd/3"), Path.of("socket:[4343]"));
            Files.writeString(thread.resolve("status"), "Name:\tworker\nUmask:\t0022\nState:\tS\nTgid:\t1\nPid:\t" + tid + "\n");
        }
        Files.writeString(proc.resolve("loadavg"), "0.10 0.20 0.30 1/80 3\n");
        ProcessInfo info = fake.lookup(Transport.TCP, "::1", 50002, "::1", 8080);
        assertThat(info.pid()).isEqualTo(1);
        assertThat(info.name()).isEqualTo("fakeclient");
        assertThat(fake.counters()).as("no second scan").containsEntry("descriptor_scans", 1L);

        // /proc/loadavg unreadable or malformed: nothing tried, nothing thrown (the scan, once an hour, is all)
        String[] loadavgs = {"garbage\n", "0.1 0.2 0.3 1/80 x\n", ""};
        for (int k = 0; k < loadavgs.length; k++) {
            Files.writeString(proc.resolve("loadavg"), loadavgs[k]);
            ProcessAttributor again = new ProcessAttributor(proc, tmp.resolve("passwd"), Ticker.systemTicker(),
                    Duration.ofHours(1), Duration.ofSeconds(1));
            assertThat(again.lookup(Transport.TCP, "::1", 50000, "::1", 8080).hasProcess()).isFalse(); // the scan
            Files.writeString(proc.resolve("net/tcp6"), "   " + (2 + k) + ": " + v6Loopback + ":" + Integer.toHexString(50004 + k)
                    .toUpperCase() + " " + v6Loopback + ":1F90 01 00000000:00000000 00:00000000 00000000     0        0 "
                    + (4444 + k) + " 1 0 20 4 30 10 -1\n", java.nio.file.StandardOpenOption.APPEND);
            Path late = fakeProcess(proc, 10 + k, "net:[1]", "late", "0::/");
            Files.createDirectories(late.resolve("fd"));
            Files.createSymbolicLink(late.resolve("fd/3"), Path.of("socket:[" + (4444 + k) + "]"));
            ProcessInfo lateInfo = again.lookup(Transport.TCP, "::1", 50004 + k, "::1", 8080);
            assertThat(lateInfo).isNotNull();
            assertThat(lateInfo.hasProcess()).as("not tried without the last pid").isFalse();
            assertThat(again.counters()).containsEntry("descriptor_scans", 1L);
        }
    }

    private static final String TCP_HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    private static Path fakeProcess(Path proc, int pid, String netns, String comm, String cgroup) throws IOException {
        Path dir = proc.resolve(Integer.toString(pid));
        Files.createDirectories(dir.resolve("ns"));
        Files.createSymbolicLink(dir.resolve("ns/net"), Path.of(netns));
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.writeString(dir.resolve("cgroup"), cgroup + "\n");
        Files.writeString(dir.resolve("cmdline"), comm + "\0");
        return dir;
    }

    /**
     * A process in a network namespace of its own and a cgroup named as Docker's systemd driver names
     * a container's: what a container is to the kernel. Real namespace, real cgroup, real socket.
     */
    @Test
    void lookup_processInANamespaceAndADockerCgroup_attributedWithItsContainer() throws Exception {
        HostTools.requireRoot();
        String python = require("python3", "python3");
        String id = Long.toHexString(System.nanoTime()).repeat(8).substring(0, 48) + "0123456789abcdef";
        Path cgroup = HostTools.dockerCgroup(id);
        try (Netns ns = Netns.create();
                ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName(ns.hostIp))) {
            server.setSoTimeout(10_000);
            Process p = ns.start(tmp.resolve("client.log"), python, "-c", "import socket,sys,time\n"
                    + "s=socket.create_connection((sys.argv[1], int(sys.argv[2])))\ntime.sleep(30)\n",
                    ns.hostIp, Integer.toString(server.getLocalPort()));
            try (Socket accepted = server.accept()) {
                long pid = p.descendants().map(ProcessHandle::pid).findFirst().orElse(p.pid());
                Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(pid));
                ProcessInfo info = attributor.lookup(Transport.TCP, ns.nsIp, accepted.getPort(), ns.hostIp,
                        server.getLocalPort());
                assertThat(info).as("the namespace's socket").isNotNull();
                assertThat(info.pid()).isEqualTo(pid);
                assertThat(info.name()).startsWith("python3");
                assertThat(info.container()).isEqualTo(new ContainerId("docker", id));
                assertThat(attributor.counters()).containsEntry("other_namespace", 1L);
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
            }
        } finally {
            HostTools.removeCgroup(cgroup);
        }
    }
}
