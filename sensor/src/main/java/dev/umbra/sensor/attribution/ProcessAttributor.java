package dev.umbra.sensor.attribution;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/*
 * Design notes.
 *
 * Linux only. A sighting (DNS query, ClientHello, flow) from this host is attributed in three steps:
 *  1. the kernel gives the socket's inode and owning uid for the 4-tuple (TCP) or local address and
 *     port (UDP, usually unconnected): asked over netlink's sock_diag for this namespace's sockets
 *     (SocketDiag: a hash lookup, tens of microseconds), else read from the socket tables
 *     /proc/net/{tcp,tcp6,udp,udp6} (the kernel writes every socket's line at each read: 27 ms for
 *     12,000 sockets);
 *  2. one scan of /proc/PID/fd/* links ("socket:[INODE]") maps inodes to pids; the map is rebuilt
 *     only when an inode is missing from it, and at most once per rescan interval. Before that, the
 *     pids handed out since the last scan (/proc/loadavg names the last) are tried newest first: a
 *     client started since (dig, curl) is found within a few tries, while it still runs;
 *  3. /proc/PID/{comm,exe,cmdline} name the process; /etc/passwd names the uid.
 * Results are cached per socket (Caffeine, bounded by size and time); the clock is injected.
 *
 * Containers. A container (Docker, Kubernetes, Podman) has its own network namespace: its sockets are
 * not in the daemon's /proc/net tables and its addresses are not the host's, but the host's `any`
 * capture sees its traffic (docs/sensor.md: the NATed copy is dropped, the container's own address
 * kept). An address that is not the daemon's own is looked for among the addresses of the host's other
 * network namespaces: one process per namespace (distinct /proc/PID/ns/net links) is asked for its
 * namespace's addresses (/proc/PID/net/fib_trie, if_inet6), at most every 2 s when an address is
 * missing, and the socket is then read from that process's /proc/PID/net tables. Socket inodes are
 * host-wide, so the descriptor scan finds the owner as before; /proc/PID/cgroup names its container
 * (ContainerId). Loopback addresses exist in every namespace and are only looked up in the daemon's.
 *
 * Short-lived processes: a process is attributed if it still owns the socket when the lookup runs.
 * A DNS client's socket lives one round trip to its resolver, a TLS client's at least its handshake, so
 * lookups made while the packet is handled (not later), with DNS queries handed over at once (the
 * daemon's DNS-only capture) and the new pids tried first, see nearly all of them once the round trip
 * is a millisecond or more
 * (bin/bench-attribution); a process that exits before the lookup (an answer from a resolver on the
 * host itself) keeps only its uid, and only while the socket lingers in the table. Counters say how
 * often each case happens.
 */
public final class ProcessAttributor {
    private static final Logger LOG = LogManager.getLogger(ProcessAttributor.class);

    /** Transport of the socket to look up. */
    public enum Transport { TCP, UDP }

    /** Cap on sockets cached. */
    public static final int MAX_CACHED_SOCKETS = 16_384;
    /** Cap on lines read from one socket table. */
    public static final int MAX_TABLE_LINES = 1_000_000;

    private final Path proc;
    /** This namespace's socket tables, {@code proc/net}: the sockets the kernel is asked for directly. */
    private final Path ownNet;
    private final Path passwd;
    private final Ticker ticker;
    private final long rescanIntervalNanos;
    private final boolean littleEndian = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private final Cache<String, ProcessInfo> cache;

    private Map<Long, Long> inodeToPid = Map.of();
    private long lastScanNanos = Long.MIN_VALUE / 2;
    /** The last pid the kernel handed out when the last scan of every process's descriptors began; -1: none yet. */
    private long lastPidAtScan = -1;
    /** The kernel's pid_max (pids wrap around below it), read once. */
    private long pidMax;
    /** Pids (and thread ids, which share their numbers) handed out since the last full scan that one lookup tries. */
    static final int MAX_NEW_PROCESSES = 64;
    /** Descriptors one lookup reads at most in processes started since the last full scan. */
    static final int MAX_NEW_DESCRIPTORS = 4096;
    private Map<Integer, String> users;

    private final AtomicLong lookups = new AtomicLong();
    private final AtomicLong withProcess = new AtomicLong();
    private final AtomicLong userOnly = new AtomicLong();
    private final AtomicLong notFound = new AtomicLong();
    private final AtomicLong rescans = new AtomicLong();
    private final AtomicLong notLocal = new AtomicLong();
    private final AtomicLong askedKernel = new AtomicLong();
    /** Asks the kernel for one socket of this namespace (netlink sock_diag); null: the tables are read. */
    private SocketDiag diag;
    private final AtomicLong otherNamespace = new AtomicLong();

    /** Addresses of this host (null: unknown, every address may be local), and when they were read. */
    private Set<ByteBuffer> localAddresses;
    private long localAddressesNanos = Long.MIN_VALUE / 2;
    /** An address not among this host's is checked again after this long (addresses come and go). */
    static final long LOCAL_ADDRESS_REFRESH_NANOS = 2_000_000_000L;
    /** Network namespaces whose addresses are read at most (a host with more is unusual). */
    static final int MAX_NAMESPACES = 4096;

    /** Addresses of the host's other network namespaces, to a process in that namespace. */
    private Map<ByteBuffer, Long> namespaceAddresses = Map.of();
    private long namespaceAddressesNanos = Long.MIN_VALUE / 2;

    /** An attributor over the real {@code /proc} and {@code /etc/passwd}. */
    public static ProcessAttributor system() {
        ProcessAttributor a = new ProcessAttributor(Path.of("/proc"), Path.of("/etc/passwd"), Ticker.systemTicker(),
                Duration.ofMillis(20), Duration.ofSeconds(30));
        a.diag = SocketDiag.open();
        return a;
    }

    /**
     * @param proc the proc file system root
     * @param passwd the passwd file
     * @param ticker time source
     * @param rescanInterval minimum time between two scans of every process's descriptors
     * @param cacheTtl how long a socket's owner is remembered
     */
    public ProcessAttributor(Path proc, Path passwd, Ticker ticker, Duration rescanInterval, Duration cacheTtl) {
        if (rescanInterval.isNegative()) {
            throw new IllegalArgumentException("rescan interval cannot be negative: " + rescanInterval);
        }
        this.proc = proc;
        this.ownNet = proc.resolve("net");
        this.passwd = passwd;
        this.ticker = ticker;
        this.rescanIntervalNanos = rescanInterval.toNanos();
        this.cache = Caffeine.newBuilder().maximumSize(MAX_CACHED_SOCKETS).expireAfterWrite(cacheTtl)
                .ticker(ticker).build();
    }

    /**
     * Finds the local owner of a socket.
     *
     * @param transport TCP or UDP
     * @param localIp the address on this host (literal)
     * @param localPort the port on this host
     * @param remoteIp the peer address (literal), or null when unknown
     * @param remotePort the peer port, or 0 when unknown
     * @return the owner, or {@code null} when no socket of this host matches
     */
    public synchronized ProcessInfo lookup(Transport transport, String localIp, int localPort, String remoteIp,
            int remotePort) {
        lookups.incrementAndGet();
        String key = transport + " " + localIp + " " + localPort + " " + remoteIp + " " + remotePort;
        ProcessInfo cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        byte[] local = literal(localIp);
        byte[] remote = remoteIp == null ? null : literal(remoteIp);
        if (local == null) {
            notFound.incrementAndGet();
            return null;
        }
        Path net = ownNet;
        if (!isLocalAddress(local)) {
            Long holder = namespaceHolding(local);
            if (holder == null) {
                // a flow between two other hosts (a tap, a bridge, a replay): no socket here, no table to read
                notLocal.incrementAndGet();
                return null;
            }
            otherNamespace.incrementAndGet();
            net = proc.resolve(Long.toString(holder)).resolve("net");
        }
        long[] socket = SocketDiag.UNKNOWN;
        if (diag != null && net == ownNet) {
            socket = diag.find(transport == Transport.TCP, local, localPort, remote, remotePort);
            if (socket != SocketDiag.UNKNOWN) {
                askedKernel.incrementAndGet();
            }
        }
        if (socket == SocketDiag.UNKNOWN) {
            socket = findSocket(net, transport, local, localPort, remote, remotePort);
        }
        if (socket == null) {
            notFound.incrementAndGet();
            return null;
        }
        long inode = socket[0];
        int uid = (int) socket[1];
        Long pid = inodeToPid.get(inode);
        if (pid == null) {
            // a process started since the last scan (dig, curl, a script) is looked at first, and alone: it may
            // exit within milliseconds, and a scan of every process's descriptors can take longer than that
            pid = newProcessOwning(inode);
        }
        if (pid == null && ticker.read() - lastScanNanos >= rescanIntervalNanos) {
            scanDescriptors();
            pid = inodeToPid.get(inode);
        }
        ProcessInfo info = pid == null ? new ProcessInfo(uid, userName(uid), -1, null, null, null) : describe(pid, uid);
        (info.hasProcess() ? withProcess : userOnly).incrementAndGet();
        cache.put(key, info);
        return info;
    }

    /**
     * Reads every process's descriptors once now (a daemon's start), so that the first lookups neither wait for
     * that scan nor miss a process started after it: the new-pid lookup needs a scan to count from.
     */
    public synchronized void prepare() {
        scanDescriptors();
    }

    /**
     * Counters: lookups, with_process, user_only, not_found, asked_kernel (the socket was asked of the kernel
     * by netlink, not read from the tables), descriptor_scans, not_local, other_namespace (the socket was looked
     * for in another network namespace of this host: a container's).
     */
    public Map<String, Long> counters() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("lookups", lookups.get());
        m.put("with_process", withProcess.get());
        m.put("user_only", userOnly.get());
        m.put("not_found", notFound.get());
        m.put("asked_kernel", askedKernel.get());
        m.put("descriptor_scans", rescans.get());
        m.put("not_local", notLocal.get());
        m.put("other_namespace", otherNamespace.get());
        return m;
    }

    /**
     * True when the address is one of this host's (loopback, or listed as local in
     * {@code /proc/net/fib_trie} or {@code /proc/net/if_inet6}); re-read at most every 2 s when an address
     * is not found. When neither file can be read, every address counts as local.
     */
    private boolean isLocalAddress(byte[] address) {
        byte[] a = address.length == 16 && isV4Mapped(address) ? Arrays.copyOfRange(address, 12, 16) : address;
        if (a.length == 4 && a[0] == 127 || a.length == 16 && isV6Loopback(a)) {
            return true;
        }
        if (localAddresses != null && localAddresses.contains(ByteBuffer.wrap(a))) {
            return true;
        }
        long now = ticker.read();
        if (now - localAddressesNanos >= LOCAL_ADDRESS_REFRESH_NANOS) {
            localAddressesNanos = now;
            localAddresses = readLocalAddresses();
        }
        return localAddresses == null || localAddresses.contains(ByteBuffer.wrap(a));
    }

    /*
     * /proc/net/fib_trie lists each local IPv4 address as a leaf followed by its route type:
     *        |-- 192.0.2.2
     *           /32 host LOCAL
     * /proc/net/if_inet6: one address per line, 32 hex digits first:
     *   fd000000000000000000000000000002 04 40 00 82     eth0
     */
    private Set<ByteBuffer> readLocalAddresses() {
        return readLocalAddresses(proc.resolve("net"));
    }

    /**
     * A process of another network namespace of this host that has {@code address} (not loopback), or
     * null. The namespaces' addresses are read again at most every 2 s when an address is not among them.
     */
    private Long namespaceHolding(byte[] address) {
        byte[] a = address.length == 16 && isV4Mapped(address) ? Arrays.copyOfRange(address, 12, 16) : address;
        if (a.length == 4 && a[0] == 127 || a.length == 16 && isV6Loopback(a)) {
            return null;
        }
        Long pid = namespaceAddresses.get(ByteBuffer.wrap(a));
        long now = ticker.read();
        if (pid == null && now - namespaceAddressesNanos >= LOCAL_ADDRESS_REFRESH_NANOS) {
            namespaceAddressesNanos = now;
            namespaceAddresses = readNamespaceAddresses();
            pid = namespaceAddresses.get(ByteBuffer.wrap(a));
        }
        return pid;
    }

    private Map<ByteBuffer, Long> readNamespaceAddresses() {
        String own = namespaceOf(proc.resolve("self"));
        Set<String> seen = new HashSet<>();
        if (own != null) {
            seen.add(own);
        }
        Map<ByteBuffer, Long> found = new HashMap<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> isNumber(p.getFileName().toString()))) {
            for (Path pidDir : pids) {
                if (seen.size() > MAX_NAMESPACES) {
                    break;
                }
                String ns = namespaceOf(pidDir);
                if (ns == null || seen.contains(ns)) {
                    continue;
                }
                Set<ByteBuffer> addresses = readLocalAddresses(pidDir.resolve("net"));
                if (addresses == null) {
                    continue; // exited meanwhile: another process of the namespace may answer
                }
                seen.add(ns);
                long pid = Long.parseLong(pidDir.getFileName().toString());
                for (ByteBuffer b : addresses) {
                    byte[] x = b.array();
                    if (!(x.length == 4 && x[0] == 127 || x.length == 16 && isV6Loopback(x))) {
                        found.putIfAbsent(b, pid);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("cannot list {}: {}", proc, e.toString());
        }
        return found;
    }

    /** The network namespace of a process ({@code net:[INODE]}), or null when it cannot be read. */
    private static String namespaceOf(Path pidDir) {
        try {
            return Files.readSymbolicLink(pidDir.resolve("ns").resolve("net")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private Set<ByteBuffer> readLocalAddresses(Path net) {
        Set<ByteBuffer> found = new HashSet<>();
        boolean readAny = false;
        Path trie = net.resolve("fib_trie");
        if (Files.isReadable(trie)) {
            try (BufferedReader r = Files.newBufferedReader(trie, StandardCharsets.US_ASCII)) {
                readAny = true;
                String leaf = null;
                String line;
                for (int n = 0; n < MAX_TABLE_LINES && (line = r.readLine()) != null; n++) {
                    String t = line.trim();
                    if (t.startsWith("|-- ")) {
                        leaf = t.substring(4);
                    } else if (leaf != null && t.startsWith("/32 host LOCAL")) {
                        byte[] b = literal(leaf);
                        if (b != null && b.length == 4) {
                            found.add(ByteBuffer.wrap(b));
                        }
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.debug("cannot read {}: {}", trie, e.toString());
            }
        }
        Path inet6 = net.resolve("if_inet6");
        if (Files.isReadable(inet6)) {
            try (BufferedReader r = Files.newBufferedReader(inet6, StandardCharsets.US_ASCII)) {
                readAny = true;
                String line;
                for (int n = 0; n < MAX_TABLE_LINES && (line = r.readLine()) != null; n++) {
                    String t = line.trim();
                    if (t.length() >= 32) {
                        byte[] b = new byte[16];
                        boolean ok = true;
                        for (int i = 0; i < 16 && ok; i++) {
                            int hi = Character.digit(t.charAt(2 * i), 16);
                            int lo = Character.digit(t.charAt(2 * i + 1), 16);
                            ok = hi >= 0 && lo >= 0;
                            b[i] = (byte) (hi << 4 | lo);
                        }
                        if (ok) {
                            found.add(ByteBuffer.wrap(b));
                        }
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.debug("cannot read {}: {}", inet6, e.toString());
            }
        }
        return readAny ? found : null;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static boolean isV6Loopback(byte[] a) {
        for (int i = 0; i < 15; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[15] == 1;
    }

    /** Returns {inode, uid} of the matching socket, or null. */
    private long[] findSocket(Path net, Transport transport, byte[] local, int localPort, byte[] remote,
            int remotePort) {
        String base = transport == Transport.TCP ? "tcp" : "udp";
        long[] found = scanTable(net.resolve(base + (local.length == 16 ? "6" : "")),
                transport, local, localPort, remote, remotePort);
        if (found == null && local.length == 4) {
            // dual-stack sockets list IPv4 peers as ::ffff:a.b.c.d in the v6 table
            found = scanTable(net.resolve(base + "6"), transport, mapped(local), localPort,
                    remote == null ? null : mapped(remote), remotePort);
        }
        return found;
    }

    /*
     * /proc/net/tcp (Documentation/networking/proc_net_tcp.rst):
     *   sl  local_address rem_address   st tx_queue:rx_queue tr:tm->when retrnsmt   uid  timeout inode
     *    0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 ...
     * Addresses are the kernel's 32-bit words in host byte order, in hex; ports are hex numbers.
     */
    private long[] scanTable(Path table, Transport transport, byte[] local, int localPort, byte[] remote,
            int remotePort) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        }
        long[] wildcard = null;
        int limit = Math.min(lines.size(), MAX_TABLE_LINES);
        for (int i = 1; i < limit; i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length < 10) {
                continue;
            }
            int colon = f[1].indexOf(':');
            int rcolon = f[2].indexOf(':');
            if (colon < 0 || rcolon < 0) {
                continue;
            }
            int lport = parseHex(f[1].substring(colon + 1));
            if (lport != localPort) {
                continue;
            }
            byte[] laddr = address(f[1].substring(0, colon));
            byte[] raddr = address(f[2].substring(0, rcolon));
            int rport = parseHex(f[2].substring(rcolon + 1));
            long inode;
            int uid;
            try {
                inode = Long.parseLong(f[9]);
                uid = Integer.parseInt(f[7]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (laddr == null || raddr == null || inode == 0) {
                continue;
            }
            boolean localMatches = Arrays.equals(laddr, local);
            boolean remoteMatches = remote != null && Arrays.equals(raddr, remote) && rport == remotePort;
            if (localMatches && remoteMatches) {
                return new long[] {inode, uid};
            }
            boolean localAny = allZero(laddr);
            boolean remoteAny = allZero(raddr) && rport == 0;
            if ((localMatches || localAny) && (remoteAny || transport == Transport.UDP && remote == null)) {
                // an unconnected UDP socket, or a listener; keep looking for an exact match
                wildcard = wildcard == null ? new long[] {inode, uid} : wildcard;
            }
        }
        return transport == Transport.UDP ? wildcard : null;
    }

    private void scanDescriptors() {
        rescans.incrementAndGet();
        lastScanNanos = ticker.read();
        lastPidAtScan = lastPid();
        Map<Long, Long> map = new HashMap<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> isNumber(p.getFileName().toString()))) {
            for (Path pidDir : pids) {
                long pid = Long.parseLong(pidDir.getFileName().toString());
                readSockets(pid, pidDir, Integer.MAX_VALUE, (inode, owner) -> {
                    map.put(inode, owner);
                    return false;
                });
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", proc, e.getMessage());
        }
        inodeToPid = map;
    }

    /**
     * The process that owns the socket {@code inode}, among those started since the last full scan; null when
     * none of them does, or it cannot be told. The kernel hands out pids in order ({@code /proc/loadavg}'s fifth
     * field is the last one, in the daemon's pid namespace): the pids after the one it had handed out when the
     * scan began are tried newest first, at most MAX_NEW_PROCESSES of them and MAX_NEW_DESCRIPTORS descriptors,
     * without listing {@code /proc}. A short-lived client (dig, curl, a script) is found within a few tries and
     * well within its lifetime, which a scan of every process's descriptors can outlast. Threads take numbers
     * from the same sequence; {@code /proc/TID} is not listed but can be read, and names its process (Tgid),
     * whose descriptors are read once however many of its threads are among the ids.
     */
    private Long newProcessOwning(long inode) {
        long last = lastPid();
        if (lastPidAtScan < 0 || last < 0) {
            return null;
        }
        if (pidMax == 0) {
            pidMax = readNumber(proc.resolve("sys/kernel/pid_max"), 1L << 22);
        }
        long fresh = Math.floorMod(last - lastPidAtScan, pidMax);
        // the threads of one process share its descriptor table: each process is read once, by its own pid
        long[] read = new long[MAX_NEW_PROCESSES];
        int processes = 0;
        long[] owner = {-1};
        int budget = MAX_NEW_DESCRIPTORS;
        for (long i = 0; i < Math.min(fresh, MAX_NEW_PROCESSES) && budget > 0 && owner[0] < 0; i++) {
            long id = Math.floorMod(last - i, pidMax);
            long tgid = id == 0 ? -1 : readTgid(proc.resolve(Long.toString(id)).resolve("status"));
            if (tgid <= 0 || contains(read, processes, tgid)) {
                continue; // no such id (any more), or a process read already
            }
            read[processes++] = tgid;
            budget -= readSockets(tgid, proc.resolve(Long.toString(tgid)), budget, (socket, holder) -> {
                if (socket == inode) {
                    owner[0] = holder;
                    return true;
                }
                return false;
            });
        }
        return owner[0] < 0 ? null : owner[0];
    }

    private static boolean contains(long[] values, int n, long value) {
        for (int i = 0; i < n; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }

    /** The last pid the kernel handed out ({@code /proc/loadavg}, fifth field); -1 when it cannot be read. */
    private long lastPid() {
        String line = readFirstLine(proc.resolve("loadavg"));
        if (line == null) {
            return -1;
        }
        String[] fields = line.trim().split("\\s+");
        if (fields.length < 5) {
            return -1;
        }
        try {
            return Long.parseLong(fields[4]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The number a one-line file holds, or {@code otherwise}. */
    private static long readNumber(Path file, long otherwise) {
        String line = readFirstLine(file);
        try {
            return line == null ? otherwise : Long.parseLong(line.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** The thread group (process) id a {@code /proc/ID/status} names, or -1. */
    private static long readTgid(Path status) {
        try (BufferedReader r = Files.newBufferedReader(status, StandardCharsets.US_ASCII)) {
            for (int i = 0; i < 16; i++) {
                String line = r.readLine();
                if (line == null) {
                    break;
                }
                if (line.startsWith("Tgid:")) {
                    return Long.parseLong(line.substring(5).trim());
                }
            }
        } catch (IOException | NumberFormatException | UncheckedIOException e) {
            // exited meanwhile, or not the format expected
        }
        return -1;
    }

    /** Receives a socket's inode and the process holding it; true to stop reading. */
    private interface SocketSink {
        boolean accept(long inode, long pid);
    }

    /**
     * Hands the socket inodes of the process's descriptors (links {@code socket:[INODE]}) to {@code sink}, at most
     * {@code maxLinks} links read; returns how many were read.
     */
    private static int readSockets(long pid, Path pidDir, int maxLinks, SocketSink sink) {
        int read = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pidDir.resolve("fd"))) {
            for (Path fd : fds) {
                if (read++ >= maxLinks) {
                    break;
                }
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | UnsupportedOperationException e) {
                    continue;
                }
                if (target.startsWith("socket:[") && target.endsWith("]")) {
                    long inode;
                    try {
                        inode = Long.parseLong(target.substring(8, target.length() - 1));
                    } catch (NumberFormatException ignored) {
                        continue; // not a socket inode
                    }
                    if (sink.accept(inode, pid)) {
                        break;
                    }
                }
            }
        } catch (IOException | SecurityException e) {
            // the process exited, or belongs to another user and we lack CAP_SYS_PTRACE
        }
        return read;
    }

    private ProcessInfo describe(long pid, int uid) {
        Path dir = proc.resolve(Long.toString(pid));
        String name = readFirstLine(dir.resolve("comm"));
        String exe = null;
        try {
            exe = Files.readSymbolicLink(dir.resolve("exe")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // not readable for processes of other users without CAP_SYS_PTRACE
        }
        String commandLine = null;
        try {
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i <= raw.length && args.size() < 256; i++) {
                if (i == raw.length || raw[i] == 0) {
                    if (i > start) {
                        args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    }
                    start = i + 1;
                }
            }
            commandLine = CommandLineMasker.mask(args);
        } catch (IOException e) {
            // exited meanwhile
        }
        if (name == null) {
            return new ProcessInfo(uid, userName(uid), -1, null, null, null);
        }
        ContainerId container = null;
        try {
            container = ContainerId.fromCgroup(Files.readAllLines(dir.resolve("cgroup"), StandardCharsets.UTF_8));
        } catch (IOException | UncheckedIOException e) {
            // exited meanwhile, or no cgroup file (a proc tree of tests)
        }
        return new ProcessInfo(uid, userName(uid), pid, name, exe, commandLine, container);
    }

    private String userName(int uid) {
        if (users == null || !users.containsKey(uid)) {
            Map<Integer, String> loaded = new HashMap<>();
            try {
                for (String line : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
                    String[] f = line.split(":", -1);
                    if (f.length >= 3) {
                        try {
                            loaded.putIfAbsent(Integer.parseInt(f[2]), f[0]);
                        } catch (NumberFormatException ignored) {
                            // malformed line
                        }
                    }
                }
            } catch (IOException e) {
                LOG.debug("cannot read {}: {}", passwd, e.getMessage());
            }
            users = loaded;
        }
        String name = users.get(uid);
        return name != null ? name : Integer.toString(uid);
    }

    private byte[] address(String hex) {
        if (hex.length() != 8 && hex.length() != 32) {
            return null;
        }
        byte[] out = new byte[hex.length() / 2];
        for (int word = 0; word < out.length / 4; word++) {
            long v;
            try {
                v = Long.parseLong(hex.substring(word * 8, word * 8 + 8), 16);
            } catch (NumberFormatException e) {
                return null;
            }
            for (int i = 0; i < 4; i++) {
                int shift = littleEndian ? 8 * i : 8 * (3 - i);
                out[word * 4 + i] = (byte) (v >>> shift);
            }
        }
        return out;
    }

    private static int parseHex(String s) {
        try {
            return Integer.parseInt(s, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static byte[] literal(String ip) {
        if (ip == null || !ip.matches("[0-9a-fA-F:.]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An IPv4 address as IPv6 sees it on a dual-stack socket: ::ffff:a.b.c.d. */
    static byte[] mapped(byte[] v4) {
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(v4, 0, out, 12, 4);
        return out;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String readFirstLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.isEmpty() ? null : lines.get(0).trim();
        } catch (IOException e) {
            return null;
        }
    }
}
