package dev.umbra.sensor.capture.live;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.decode.PacketDecoder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.RawPacketListener;

/**
 * How fast the live read path empties a full kernel ring, with nothing else running: opens a handle
 * with a 256 MiB buffer and the default filter on a veth, has trafgen send COUNT frames of a
 * {@link TrafgenConfig} while nothing reads, then drains the ring through a {@link PacketDecoder} and
 * times it. Three rounds in one JVM: the first shows a cold JVM, the later ones a warm decoder.
 * {@code loop} reads as {@link LiveCapture} does (pcap_loop, one JNA callback per frame); {@code next}
 * through pcap_next_ex (one JNA call per frame) for comparison. Root; netsniff-ng.
 *
 * <pre>java -cp ... dev.umbra.sensor.capture.live.DrainBench CONFIG COUNT loop|next</pre>
 */
final class DrainBench {
    private DrainBench() {
    }

    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        long count = Long.parseLong(args[1]);
        String mode = args[2];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Netns ns = Netns.create()) {
            LiveCaptureConfig c = LiveCaptureConfig.of(ns.hostIf).withBufferBytes(256 << 20);
            PcapHandle handle = new PcapHandle.Builder(ns.hostIf).snaplen(c.snaplen())
                    .promiscuousMode(PromiscuousMode.NONPROMISCUOUS).timeoutMillis(c.timeoutMillis())
                    .bufferSize(c.bufferBytes()).timestampPrecision(PcapHandle.TimestampPrecision.NANO).build();
            handle.setFilter(c.effectiveFilter(handle.getDlt().value()), BpfCompileMode.OPTIMIZE);
            long[] decoded = {0};
            AnomalyCounters anomalies = new AnomalyCounters();
            PacketDecoder decoder = new PacketDecoder(ns.hostIf, o -> decoded[0]++, anomalies);
            for (int round = 1; round <= 3; round++) {
                long before = handle.getStats().getNumPacketsReceived();
                HostTools.Result r = HostTools.run(900, "ip", "netns", "exec", ns.name, "trafgen", "--dev", ns.nsIf,
                        "--conf", config.toString(), "--num", Long.toString(count), "--cpus", "1");
                System.out.println("sent: " + r.out().lines().filter(l -> l.contains("outgoing") || l.contains("usec"))
                        .map(String::trim).toList());
                long received = handle.getStats().getNumPacketsReceived() - before;
                System.out.println("in the ring: " + received + ", dropped " + handle.getStats().getNumPacketsDropped());
                long[] frames = {0};
                long wall0 = System.nanoTime();
                long cpu0 = threads.getCurrentThreadCpuTime();
                if (mode.equals("loop")) {
                    RawPacketListener listener = frame -> {
                        deliver(handle, decoder, frame);
                        frames[0]++;
                    };
                    handle.loop((int) received, listener);
                } else {
                    while (frames[0] < received) {
                        byte[] frame;
                        try {
                            frame = handle.getNextRawPacketEx();
                        } catch (java.util.concurrent.TimeoutException e) {
                            continue;
                        }
                        deliver(handle, decoder, frame);
                        frames[0]++;
                    }
                }
                double wall = (System.nanoTime() - wall0) / 1e9;
                double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
                System.out.printf("%s: %d frames in %.3f s wall (%.0f/s), %.3f s thread CPU (%.0f/s), %d observations%n", mode,
                        frames[0], wall, frames[0] / wall, cpu, frames[0] / cpu, decoded[0]);
            }
            handle.close();
        }
    }

    /** Hands a frame to the decoder with the timestamp and original length pcap4j keeps for it, as LiveCapture does. */
    private static void deliver(PcapHandle handle, PacketDecoder decoder, byte[] frame) {
        java.sql.Timestamp ts = handle.getTimestamp();
        long nanos = ts == null ? 0 : Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos();
        Integer original = handle.getOriginalLength();
        decoder.onPacket(1, nanos, frame, 0, frame.length, original == null ? frame.length : original);
    }
}
