package dev.umbra.sensor.capture.live;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.lang.reflect.Field;
import org.pcap4j.core.PcapHandle;

/*
 * Design notes.
 *
 * libpcap attaches a capture's BPF program to its packet socket (SO_ATTACH_FILTER). When Linux refuses
 * the program, libpcap prints "Warning: Kernel filter failed" on standard error, keeps the program and
 * runs it in user space: pcap_setfilter succeeds, and every frame of the interface is copied into the
 * ring and up to the process, which at line rate costs the capture its buffer. One of Umbra's own
 * default filters was refused that way. So after the filter is set, the socket is asked how many
 * instructions it holds (getsockopt SO_GET_FILTER with a zero length answers the count, 0 when none is
 * attached).
 *
 * The socket comes from pcap_fileno on the libpcap handle pcap4j keeps in a private field (pcap4j 1.8.2
 * has no accessor for it). Anything unexpected (another pcap4j, no such symbol) answers "unknown".
 */
/** How many BPF instructions the kernel holds on a live capture's socket. */
final class KernelFilter {
    /** Linux: SOL_SOCKET and SO_GET_FILTER (= SO_ATTACH_FILTER), asm-generic/socket.h. */
    private static final int SOL_SOCKET = 1;
    private static final int SO_GET_FILTER = 26;

    private interface Pcap extends Library {
        int pcap_fileno(Pointer p);
    }

    private interface LibC extends Library {
        int getsockopt(int fd, int level, int option, Pointer value, IntByReference length);
    }

    private KernelFilter() {
    }

    /** The instructions attached to the capture's socket: 0 when none is, -1 when that cannot be told. */
    static int attachedInstructions(PcapHandle handle) {
        try {
            Field f = PcapHandle.class.getDeclaredField("handle");
            f.setAccessible(true);
            Pointer p = (Pointer) f.get(handle);
            int fd = Native.load("pcap", Pcap.class).pcap_fileno(p);
            if (fd < 0) {
                return -1;
            }
            IntByReference length = new IntByReference(0);
            int r = Native.load("c", LibC.class).getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, null, length);
            return r == 0 ? length.getValue() : -1;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return -1;
        }
    }
}
