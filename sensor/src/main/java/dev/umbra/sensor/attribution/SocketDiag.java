package dev.umbra.sensor.attribution;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The inode and owning uid of one socket of this network namespace, asked of the kernel by its addresses and
 * ports over netlink's sock_diag (NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY with an inet_diag_req_v2 without
 * NLM_F_DUMP: one socket, found by the kernel's own hash lookup; linux/inet_diag.h, sock_diag(7)), as ss(8)
 * does. Reading /proc/net/{tcp,udp}{,6} instead makes the kernel write a line for every socket of the host at
 * each read: 27 ms for 12,000 TCP sockets here, on the capture thread, for each new connection.
 *
 * <p>Linux on a 64-bit JVM only (size_t as a Java long); {@link #open()} gives null where netlink is not to be
 * had, and {@link #find} gives {@link #UNKNOWN} when the kernel did not answer, so that the caller reads the
 * tables. Not thread-safe: one netlink socket, one request at a time (ProcessAttributor's lock).
 */
final class SocketDiag implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(SocketDiag.class);

    /** What {@link #find} gives when the kernel could not be asked (the tables are to be read). */
    static final long[] UNKNOWN = new long[0];

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int AF_NETLINK = 16;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_SOCK_DIAG = 4;
    private static final int SOCK_DIAG_BY_FAMILY = 20;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLMSG_ERROR = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    private static final int ENOENT = 2;
    /** nlmsghdr (16 bytes) and inet_diag_req_v2 (56). */
    private static final int REQUEST_LENGTH = 16 + 56;
    /** nlmsghdr and inet_diag_msg (72 bytes) at least. */
    private static final int MESSAGE_LENGTH = 16 + 72;

    private interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLength) throws LastErrorException;

        long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

        int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private final LibC libc;
    private final int fd;
    private final byte[] request = new byte[REQUEST_LENGTH];
    private final byte[] answer = new byte[8192];
    /** sockaddr_nl of the kernel: family AF_NETLINK, pid 0, groups 0. */
    private final byte[] kernel = new byte[12];
    private int seq;
    private boolean broken;

    private SocketDiag(LibC libc, int fd) {
        this.libc = libc;
        this.fd = fd;
        ByteBuffer.wrap(kernel).order(ByteOrder.nativeOrder()).putShort((short) AF_NETLINK);
    }

    /** A netlink socket to ask the kernel with, or null where there is none to be had (logged once, at debug). */
    static SocketDiag open() {
        if (!System.getProperty("os.name", "").equals("Linux") || Native.SIZE_T_SIZE != 8) {
            return null;
        }
        try {
            LibC libc = Native.load("c", LibC.class);
            int fd = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
            // struct timeval { long tv_sec; long tv_usec; }: an answer comes within microseconds, or never
            byte[] timeout = new byte[16];
            ByteBuffer.wrap(timeout).order(ByteOrder.nativeOrder()).putLong(0).putLong(200_000);
            libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, timeout.length);
            return new SocketDiag(libc, fd);
        } catch (LastErrorException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            LOG.debug("no sock_diag netlink socket ({}): socket tables are read instead", e.toString());
            return null;
        }
    }

    /**
     * The socket with this local address and port and, when known, this remote one.
     *
     * @param tcp TCP, else UDP (an unconnected UDP socket bound to the port, or to any address, matches any remote)
     * @param remote the peer's address, or null when unknown (UDP only)
     * @return {inode, uid}; null when the kernel has no such socket, or only one without an owner (TIME_WAIT);
     *     {@link #UNKNOWN} when it could not be asked
     */
    long[] find(boolean tcp, byte[] local, int localPort, byte[] remote, int remotePort) {
        if (broken || tcp && remote == null) {
            return UNKNOWN;
        }
        byte[] peer = remote != null ? remote : new byte[local.length];
        int peerPort = remote != null ? remotePort : 0;
        long[] found = ask(tcp, local, localPort, peer, peerPort);
        if (found == null && local.length == 4 && !broken) {
            // a dual-stack socket holds an IPv4 peer as ::ffff:a.b.c.d
            found = ask(tcp, ProcessAttributor.mapped(local), localPort, ProcessAttributor.mapped(peer), peerPort);
        }
        return broken ? UNKNOWN : found;
    }

    /** One family's answer: {inode, uid}, or null. */
    private long[] ask(boolean tcp, byte[] local, int localPort, byte[] peer, int peerPort) {
        if (tcp) {
            return exchange(IPPROTO_TCP, local, localPort, peer, peerPort, localPort);
        }
        // udp_dump_one looks the socket up as a datagram from the first address to the second ("src and dst are
        // swapped for historical reasons"); asked the other way round too, should a kernel not swap them
        long[] found = exchange(IPPROTO_UDP, peer, peerPort, local, localPort, localPort);
        return found != null || broken ? found : exchange(IPPROTO_UDP, local, localPort, peer, peerPort, localPort);
    }

    /** Sends one request (sockid src, dst) and reads its answer, whose socket must be bound to wantPort. */
    private long[] exchange(int protocol, byte[] src, int srcPort, byte[] dst, int dstPort, int wantPort) {
        int family = src.length == 4 ? AF_INET : AF_INET6;
        int id = ++seq;
        ByteBuffer r = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
        Arrays.fill(request, (byte) 0);
        r.putInt(REQUEST_LENGTH).putShort((short) SOCK_DIAG_BY_FAMILY).putShort((short) NLM_F_REQUEST).putInt(id)
                .putInt(0);
        r.put((byte) family).put((byte) protocol).put((byte) 0).put((byte) 0).putInt(-1); // every state
        r.order(ByteOrder.BIG_ENDIAN).putShort((short) srcPort).putShort((short) dstPort);
        r.put(src).position(r.position() + 16 - src.length);
        r.put(dst).position(r.position() + 16 - dst.length);
        r.order(ByteOrder.nativeOrder()).putInt(0).putInt(-1).putInt(-1); // any interface, INET_DIAG_NOCOOKIE
        try {
            libc.sendto(fd, request, request.length, 0, kernel, kernel.length);
            for (int stale = 0; stale < 4; stale++) {
                long n = libc.recv(fd, answer, answer.length, 0);
                long[] read = read(answer, (int) Math.min(n, answer.length), id, wantPort);
                if (read == STALE) {
                    continue; // an answer to an earlier request that timed out
                }
                if (read == BAD) {
                    fail("sock_diag answered " + n + " bytes that are neither a socket nor ENOENT");
                    return null;
                }
                return read;
            }
            fail("sock_diag gave no answer to request " + id);
            return null;
        } catch (LastErrorException e) {
            fail("sock_diag: " + e.getMessage());
            return null;
        }
    }

    /** What {@link #read} gives for an answer to another request. */
    static final long[] STALE = new long[0];
    /** What {@link #read} gives for an answer that is neither a socket nor "no such socket". */
    static final long[] BAD = new long[0];

    /**
     * Reads one netlink answer of {@code n} bytes to request {@code id}: {inode, uid} of the socket bound to
     * {@code wantPort}; null for no such socket (ENOENT), one bound elsewhere, or one without an owner (inode 0:
     * TIME_WAIT); {@link #STALE} for an answer to another request; {@link #BAD} for anything else.
     */
    static long[] read(byte[] answer, int n, int id, int wantPort) {
        if (n < 16) {
            return n < 0 ? BAD : STALE;
        }
        ByteBuffer a = ByteBuffer.wrap(answer, 0, n).order(ByteOrder.nativeOrder());
        if (a.getInt(8) != id) {
            return STALE;
        }
        int type = a.getShort(4) & 0xffff;
        if (type == NLMSG_ERROR) {
            return n >= 20 && -a.getInt(16) == ENOENT ? null : BAD;
        }
        if (type != SOCK_DIAG_BY_FAMILY || n < MESSAGE_LENGTH) {
            return BAD;
        }
        int port = ((answer[20] & 0xff) << 8) | (answer[21] & 0xff);
        long uid = a.getInt(16 + 64) & 0xffffffffL;
        long inode = a.getInt(16 + 68) & 0xffffffffL;
        return port != wantPort || inode == 0 ? null : new long[] {inode, uid};
    }

    private void fail(String why) {
        if (!broken) {
            LOG.warn("{}; socket tables are read instead from now on", why);
        }
        broken = true;
    }

    @Override
    public void close() {
        try {
            libc.close(fd);
        } catch (LastErrorException ignored) {
            // closing a socket that is going away anyway
        }
    }
}
