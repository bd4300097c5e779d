package dev.umbra.sensor.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The netlink sock_diag answers' reader (well-formed, "no such socket", other errors, other requests' answers, cut
 * at every length, random bytes), and the real kernel asked for a real socket.
 */
class SocketDiagTest {
    /** An inet_diag_msg answer to request {@code id}: a socket bound to {@code port}, owner uid, inode. */
    private static byte[] socketAnswer(int id, int port, int uid, int inode) {
        ByteBuffer b = ByteBuffer.allocate(16 + 72).order(ByteOrder.nativeOrder());
        b.putInt(88).putShort((short) 20).putShort((short) 0).putInt(id).putInt(0);
        b.put((byte) 2).put((byte) 1).put((byte) 0).put((byte) 0);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).putShort((short) 443);
        b.order(ByteOrder.nativeOrder()).position(16 + 64);
        b.putInt(uid).putInt(inode);
        return b.array();
    }

    private static byte[] errorAnswer(int id, int errno) {
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        b.putInt(36).putShort((short) 2).putShort((short) 0).putInt(id).putInt(0).putInt(-errno);
        return b.array();
    }

    @Test
    void read_socketNoSuchSocketErrorsAndOtherRequests() {
        assertThat(SocketDiag.read(socketAnswer(7, 40000, 1000, 4242), 88, 7, 40000)).containsExactly(4242, 1000);
        assertThat(SocketDiag.read(socketAnswer(7, 40001, 1000, 4242), 88, 7, 40000)).as("bound elsewhere").isNull();
        assertThat(SocketDiag.read(socketAnswer(7, 40000, 0, 0), 88, 7, 40000)).as("TIME_WAIT: no owner").isNull();
        assertThat(SocketDiag.read(socketAnswer(7, 40000, 1000, 4242), 88, 8, 40000)).isSameAs(SocketDiag.STALE);
        assertThat(SocketDiag.read(errorAnswer(7, 2), 36, 7, 40000)).as("ENOENT").isNull();
        assertThat(SocketDiag.read(errorAnswer(7, 22), 36, 7, 40000)).as("EINVAL").isSameAs(SocketDiag.BAD);
        assertThat(SocketDiag.read(new byte[8192], -1, 7, 40000)).isSameAs(SocketDiag.BAD);
    }

    @Test
    void read_cutAtEveryLengthAndRandomBytes_neverThrows() {
        byte[] good = socketAnswer(7, 40000, 1000, 4242);
        for (int n = 0; n < good.length; n++) {
            long[] r = SocketDiag.read(good, n, 7, 40000);
            assertThat(r).as("cut at %d", n).isIn(SocketDiag.STALE, SocketDiag.BAD);
        }
        Random random = new Random(24);
        byte[] b = new byte[128];
        for (int i = 0; i < 200_000; i++) {
            random.nextBytes(b);
            int n = random.nextInt(b.length + 1);
            assertThatCode(() -> SocketDiag.read(b, n, 7, 40000)).doesNotThrowAnyException();
        }
    }

    @Test
    void find_aConnectionOfThisJvm_theKernelGivesItsInode() throws Exception {
        try (SocketDiag diag = SocketDiag.open();
                ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            assertThat(diag).as("netlink sock_diag on Linux").isNotNull();
            byte[] loopback = {127, 0, 0, 1};
            long[] found = diag.find(true, loopback, client.getLocalPort(), loopback, server.getLocalPort());
            assertThat(found).hasSize(2);
            assertThat(found[0]).isPositive();
            assertThat(diag.find(true, loopback, 1, loopback, 2)).as("no such socket").isNull();
            assertThat(diag.find(true, loopback, client.getLocalPort(), null, 0)).as("TCP without its peer")
                    .isSameAs(SocketDiag.UNKNOWN);
            assertThat(accepted.isConnected()).isTrue();
        }
    }
}
