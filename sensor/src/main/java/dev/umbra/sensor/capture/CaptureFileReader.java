package dev.umbra.sensor.capture;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/*
 * Design notes.
 *
 * A pure-Java reader of pcap and pcapng files. Records are parsed in place in one large reusable
 * buffer (ChannelInput) and handed to the PacketHandler without copying; nothing is allocated per
 * packet. libpcap refuses pcapng files whose interfaces have different link types; this reader
 * gives every packet the link type of its own interface.
 *
 * Formats:
 *  - pcap: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html (section 4, 5): magic
 *    A1B2C3D4 (microseconds) or A1B23C4D (nanoseconds) in the writer's byte order; 24-byte file
 *    header, 16-byte record headers. The Kuznetzov "modified pcap" (A1B2CD34) adds 8 bytes per
 *    record.
 *  - pcapng: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html (section 4): blocks of
 *    type, total length, body, total length. SHB (0x0A0D0D0A) sets the byte order and starts a new
 *    interface list; IDB (1) declares link type and if_tsresol/if_tsoffset; EPB (6), SPB (3) and the
 *    obsolete OPB (2) carry packets; other blocks are skipped.
 *
 * A record cut off by the end of the file, or a record header that cannot be right, stops the read;
 * everything before it has been delivered, and the summary names the offset.
 *
 * Captures are often kept and passed around gzip-compressed (capture.pcap.gz; Wireshark and tshark
 * read them as they are). A file starting with the gzip magic (RFC 1952 2.3.1) is decompressed as it is
 * read, with the JDK's zlib, and parsed the same way; the summary's byte counts and offsets are then
 * those of the decompressed capture. Compressed data cut off or corrupt ends the read like a cut-off
 * record: what came before it has been delivered, and the summary says why it stopped.
 */
public final class CaptureFileReader {
    /** Largest record accepted (pcap record or pcapng block). */
    public static final int MAX_RECORD_BYTES = 64 << 20;
    private static final int BUFFER_BYTES = 1 << 20;
    private static final int MIN_BUFFER_BYTES = 4096;

    private static final int PCAPNG_SHB = 0x0A0D0D0A;
    private static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D;

    private CaptureFileReader() {
    }

    /**
     * Reads a capture file from start to end.
     *
     * @throws CaptureFormatException when the file is not a pcap or pcapng capture
     * @throws IOException when the file cannot be read
     */
    public static CaptureSummary read(Path file, PacketHandler handler, AnomalyCounters anomalies)
            throws IOException, CaptureFormatException {
        if (Files.isDirectory(file)) {
            throw new CaptureFormatException("is a directory, not a capture file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (gzipped(channel)) {
                GzipInput in = new GzipInput(Channels.newInputStream(channel));
                return in.summarize(read(Channels.newChannel(in), handler, anomalies, BUFFER_BYTES));
            }
            // a small file gets a buffer of its size, not the 1 MiB meant for large sequential reads
            long size = channel.size();
            int buffer = (int) Math.max(MIN_BUFFER_BYTES, Math.min(BUFFER_BYTES, size));
            return read(channel, handler, anomalies, buffer);
        }
    }

    /**
     * Whether a file is a capture this reader reads: it starts with a pcap or pcapng magic number,
     * also inside gzip compression.
     */
    public static boolean isCapture(Path file) throws IOException {
        byte[] m = new byte[4];
        int n;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            InputStream in = Channels.newInputStream(channel);
            if (gzipped(channel)) {
                in = new GZIPInputStream(in);
            }
            n = in.readNBytes(m, 0, 4);
        } catch (EOFException | ZipException e) {
            return false; // gzip, but too short or broken to hold a capture header
        }
        return isCaptureMagic(m, n);
    }

    /** Whether the first {@code n} bytes of {@code b} (at least 4 for a yes) start a pcap or pcapng capture. */
    public static boolean isCaptureMagic(byte[] b, int n) {
        if (n < 4) {
            return false;
        }
        int v = Bytes.i32(b, 0, true);
        return v == PCAPNG_SHB || v == 0xA1B2C3D4 || v == 0xD4C3B2A1 || v == 0xA1B23C4D || v == 0x4D3CB2A1
                || v == 0xA1B2CD34 || v == 0x34CDB2A1;
    }

    /** Whether two bytes are the gzip magic (RFC 1952 2.3.1: ID1 = 31, ID2 = 139). */
    public static boolean isGzipMagic(int b0, int b1) {
        return (b0 & 0xff) == 0x1f && (b1 & 0xff) == 0x8b;
    }

    /** True when the channel's first two bytes are the gzip magic 1f 8b; its position is left as it was. */
    private static boolean gzipped(FileChannel channel) throws IOException {
        ByteBuffer magic = ByteBuffer.allocate(2);
        while (magic.hasRemaining() && channel.read(magic, magic.position()) > 0) {
            // positional reads: the channel's own position stays at 0
        }
        return magic.position() == 2 && isGzipMagic(magic.get(0), magic.get(1));
    }

    /** Reads a capture from any channel (a file, standard input). */
    public static CaptureSummary read(ReadableByteChannel channel, PacketHandler handler, AnomalyCounters anomalies)
            throws IOException, CaptureFormatException {
        return read(channel, handler, anomalies, BUFFER_BYTES);
    }

    /** Reads with a read buffer of {@code bufferBytes} to start with (it grows for larger records). */
    static CaptureSummary read(ReadableByteChannel channel, PacketHandler handler, AnomalyCounters anomalies,
            int bufferBytes) throws IOException, CaptureFormatException {
        ChannelInput in = new ChannelInput(channel, bufferBytes, MAX_RECORD_BYTES);
        if (!in.ensure(4)) {
            throw new CaptureFormatException(in.available() == 0 ? "empty file" : "too short to be a capture file");
        }
        int magic = Bytes.i32(in.array(), in.position(), true);
        if (magic == PCAPNG_SHB) {
            return readPcapng(in, handler, anomalies);
        }
        return readPcap(in, magic, handler, anomalies);
    }

    private static CaptureSummary readPcap(ChannelInput in, int magic, PacketHandler handler, AnomalyCounters anomalies)
            throws IOException, CaptureFormatException {
        boolean bigEndian;
        long fracToNanos;
        int extra = 0;
        switch (magic) {
            case 0xA1B2C3D4 -> { bigEndian = true; fracToNanos = 1000; }
            case 0xD4C3B2A1 -> { bigEndian = false; fracToNanos = 1000; }
            case 0xA1B23C4D -> { bigEndian = true; fracToNanos = 1; }
            case 0x4D3CB2A1 -> { bigEndian = false; fracToNanos = 1; }
            case 0xA1B2CD34 -> { bigEndian = true; fracToNanos = 1000; extra = 8; }
            case 0x34CDB2A1 -> { bigEndian = false; fracToNanos = 1000; extra = 8; }
            default -> throw new CaptureFormatException(String.format(
                    "not a pcap or pcapng capture (magic %08x)", magic));
        }
        if (!in.ensure(24)) {
            throw new CaptureFormatException("pcap file header cut off (" + in.available() + " of 24 bytes)");
        }
        byte[] b = in.array();
        int p = in.position();
        int linkType = (int) (Bytes.u32(b, p + 20, bigEndian) & 0x0FFFFFFF) & 0xFFFF;
        in.skip(24);
        int recordHeader = 16 + extra;
        long packets = 0;
        while (!in.atEnd()) {
            long recordOffset = in.offset();
            if (!in.ensure(recordHeader)) {
                return stopped("pcap", packets, in, recordOffset, "record header cut off");
            }
            b = in.array();
            p = in.position();
            long sec = Bytes.u32(b, p, bigEndian);
            long frac = Bytes.u32(b, p + 4, bigEndian);
            long incl = Bytes.u32(b, p + 8, bigEndian);
            long orig = Bytes.u32(b, p + 12, bigEndian);
            if (incl > MAX_RECORD_BYTES - recordHeader) {
                anomalies.count(Anomaly.CAPTURE_BLOCK_TOO_LARGE);
                return stopped("pcap", packets, in, recordOffset,
                        "record length " + incl + " exceeds " + (MAX_RECORD_BYTES - recordHeader) + ", file corrupt");
            }
            if (!in.ensure(recordHeader + (int) incl)) {
                return stopped("pcap", packets, in, recordOffset, "packet cut off mid-record");
            }
            b = in.array();
            p = in.position();
            handler.onPacket(linkType, sec * 1_000_000_000L + frac * fracToNanos, b, p + recordHeader, (int) incl,
                    (int) Math.min(orig, Integer.MAX_VALUE));
            packets++;
            in.skip(recordHeader + (int) incl);
        }
        return new CaptureSummary("pcap", packets, in.offset(), -1, null);
    }

    /** One pcapng interface: link type and timestamp scale. */
    private record Interface(int linkType, long unitsPerSecond, long offsetSeconds, long snapLength) {
    }

    private static CaptureSummary readPcapng(ChannelInput in, PacketHandler handler, AnomalyCounters anomalies)
            throws IOException, CaptureFormatException {
        List<Interface> interfaces = new ArrayList<>();
        boolean bigEndian = true;
        boolean sawSection = false;
        long packets = 0;
        while (!in.atEnd()) {
            long blockOffset = in.offset();
            if (!in.ensure(12)) {
                return stopped("pcapng", packets, in, blockOffset, "block header cut off");
            }
            byte[] b = in.array();
            int p = in.position();
            int type = Bytes.i32(b, p, bigEndian);
            if (type == PCAPNG_SHB) {
                int bom = Bytes.i32(b, p + 8, true);
                if (bom == PCAPNG_BYTE_ORDER_MAGIC) {
                    bigEndian = true;
                } else if (bom == Integer.reverseBytes(PCAPNG_BYTE_ORDER_MAGIC)) {
                    bigEndian = false;
                } else {
                    if (!sawSection) {
                        throw new CaptureFormatException("pcapng section header has a bad byte-order magic");
                    }
                    anomalies.count(Anomaly.CAPTURE_BAD_BLOCK);
                    return stopped("pcapng", packets, in, blockOffset, "section header with bad byte-order magic");
                }
                sawSection = true;
                interfaces.clear();
            } else if (!sawSection) {
                throw new CaptureFormatException("pcapng file does not start with a section header");
            }
            long total = Bytes.u32(b, p + 4, bigEndian);
            if (total < 12 || (total & 3) != 0 || total > MAX_RECORD_BYTES) {
                anomalies.count(total > MAX_RECORD_BYTES ? Anomaly.CAPTURE_BLOCK_TOO_LARGE : Anomaly.CAPTURE_BAD_BLOCK);
                if (packets == 0 && blockOffset == 0) {
                    throw new CaptureFormatException("pcapng section header has a bad length " + total);
                }
                return stopped("pcapng", packets, in, blockOffset, "block length " + total + " is invalid, file corrupt");
            }
            int length = (int) total;
            if (!in.ensure(length)) {
                return stopped("pcapng", packets, in, blockOffset, "block cut off mid-record");
            }
            b = in.array();
            p = in.position();
            switch (type) {
                case 1 -> interfaces.add(parseInterface(b, p, length, bigEndian));
                case 6, 2 -> {
                    // EPB (section 4.3): iface u32, ts high, ts low, captured, original, data.
                    // OPB (appendix): iface u16, drops u16, ts high, ts low, captured, original, data.
                    if (length < 32) {
                        anomalies.count(Anomaly.CAPTURE_BAD_BLOCK);
                        break;
                    }
                    int iface = type == 6 ? (int) Bytes.u32(b, p + 8, bigEndian) : Bytes.u16(b, p + 8, bigEndian);
                    long ts = (Bytes.u32(b, p + 12, bigEndian) << 32) | Bytes.u32(b, p + 16, bigEndian);
                    long captured = Bytes.u32(b, p + 20, bigEndian);
                    long original = Bytes.u32(b, p + 24, bigEndian);
                    if (captured > length - 32) {
                        anomalies.count(Anomaly.CAPTURE_BAD_BLOCK);
                        break;
                    }
                    if (iface < 0 || iface >= interfaces.size()) {
                        anomalies.count(Anomaly.CAPTURE_UNKNOWN_INTERFACE);
                        break;
                    }
                    Interface i = interfaces.get(iface);
                    handler.onPacket(i.linkType(), toNanos(ts, i), b, p + 28, (int) captured,
                            (int) Math.min(original, Integer.MAX_VALUE));
                    packets++;
                }
                case 3 -> {
                    // SPB (section 4.4): original length, data; captured = min(original, block room, snaplen).
                    if (length < 16) {
                        anomalies.count(Anomaly.CAPTURE_BAD_BLOCK); // no room for its original length
                        break;
                    }
                    if (interfaces.isEmpty()) {
                        anomalies.count(Anomaly.CAPTURE_UNKNOWN_INTERFACE);
                        break;
                    }
                    Interface i = interfaces.get(0);
                    long original = Bytes.u32(b, p + 8, bigEndian);
                    long captured = Math.min(original, length - 16);
                    if (i.snapLength() > 0) {
                        captured = Math.min(captured, i.snapLength());
                    }
                    handler.onPacket(i.linkType(), 0, b, p + 12, (int) captured,
                            (int) Math.min(original, Integer.MAX_VALUE));
                    packets++;
                }
                default -> {
                    // SHB handled above; NRB, ISB, DSB, custom and unknown blocks carry no packets.
                }
            }
            in.skip(length);
        }
        return new CaptureSummary("pcapng", packets, in.offset(), -1, null);
    }

    /** IDB (section 4.2): link type u16, reserved u16, snaplen u32, options. */
    private static Interface parseInterface(byte[] b, int p, int length, boolean bigEndian) {
        if (length < 20) {
            return new Interface(-1, 1_000_000, 0, 0);
        }
        int linkType = Bytes.u16(b, p + 8, bigEndian);
        long snap = Bytes.u32(b, p + 12, bigEndian);
        long units = 1_000_000;
        long offsetSeconds = 0;
        int o = p + 16;
        int end = p + length - 4;
        while (o + 4 <= end) {
            int code = Bytes.u16(b, o, bigEndian);
            int len = Bytes.u16(b, o + 2, bigEndian);
            if (code == 0 || o + 4 + len > end) {
                break;
            }
            if (code == 9 && len >= 1) {
                int v = b[o + 4] & 0xff;
                int exp = v & 0x7f;
                if ((v & 0x80) == 0) {
                    units = exp <= 18 ? pow10(exp) : 1_000_000;
                } else {
                    units = exp <= 62 ? 1L << exp : 1_000_000;
                }
            } else if (code == 14 && len >= 8) {
                // a 64-bit integer in the section's byte order
                long first = Bytes.u32(b, o + 4, bigEndian);
                long second = Bytes.u32(b, o + 8, bigEndian);
                offsetSeconds = bigEndian ? (first << 32) | second : (second << 32) | first;
            }
            o += 4 + ((len + 3) & ~3);
        }
        return new Interface(linkType, units, offsetSeconds, snap);
    }

    private static long pow10(int exp) {
        long v = 1;
        for (int i = 0; i < exp; i++) {
            v *= 10;
        }
        return v;
    }

    private static long toNanos(long ts, Interface i) {
        long units = i.unitsPerSecond();
        long seconds = Long.divideUnsigned(ts, units);
        long rest = Long.remainderUnsigned(ts, units);
        long nanos = units <= 1_000_000_000L && 1_000_000_000L % units == 0
                ? rest * (1_000_000_000L / units)
                : (long) (rest * (1e9 / units));
        return (seconds + i.offsetSeconds()) * 1_000_000_000L + nanos;
    }

    private static CaptureSummary stopped(String format, long packets, ChannelInput in, long offset, String reason) {
        return new CaptureSummary(format, packets, in.offset(), offset, reason);
    }
}
