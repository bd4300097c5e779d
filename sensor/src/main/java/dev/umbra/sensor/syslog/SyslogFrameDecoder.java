package dev.umbra.sensor.syslog;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Splits a syslog TCP stream into messages, per RFC 6587 section 3.4:
 *
 * <pre>
 *   octet-counting (3.4.1):       SYSLOG-FRAME = MSG-LEN SP SYSLOG-MSG     ; MSG-LEN = NONZERO-DIGIT *DIGIT
 *   non-transparent-framing (3.4.2): SYSLOG-FRAME = SYSLOG-MSG TRAILER     ; TRAILER = LF (also CR LF, NUL)
 * </pre>
 *
 * Each frame chooses by its first bytes: digits, a space and {@code <} (the PRI every RFC 5424
 * message starts with) are an octet count; anything else is LF framed, which also takes lines
 * sent without any syslog header (Squid's {@code tcp://} logger) even when they start with
 * digits. A frame longer than the cap is counted and skipped (an LF frame up to its trailer, a
 * counted frame by its count). Messages go straight to the listener from a per-connection buffer:
 * nothing is allocated per message.
 */
final class SyslogFrameDecoder extends ByteToMessageDecoder {
    private static final int MAX_COUNT_DIGITS = 9;

    private final int maxLength;
    private final SyslogListener listener;
    private final SyslogStats stats;
    private final SyslogStats.Peer peer;
    private final InetSocketAddress peerAddress;
    private final byte[] message;
    private long skip; // bytes still to drop of an oversize counted frame
    private boolean discardingToLf; // inside an oversize LF frame

    SyslogFrameDecoder(int maxLength, SyslogListener listener, SyslogStats stats, SyslogStats.Peer peer,
            InetSocketAddress peerAddress) {
        this.maxLength = maxLength;
        this.listener = listener;
        this.stats = stats;
        this.peer = peer;
        this.peerAddress = peerAddress;
        this.message = new byte[maxLength];
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (skip > 0) {
                int n = (int) Math.min(skip, in.readableBytes());
                in.skipBytes(n);
                skip -= n;
                continue;
            }
            if (discardingToLf) {
                int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                if (lf < 0) {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                in.readerIndex(lf + 1);
                discardingToLf = false;
                continue;
            }
            int start = in.readerIndex();
            byte first = in.getByte(start);
            if (first == '\n' || first == '\r' || first == 0) {
                in.skipBytes(1); // empty frames and stray trailers
                continue;
            }
            if (first >= '1' && first <= '9') {
                // octet counting, when the digits are a count: "LEN SP <PRI>..."; a line that merely
                // starts with digits (Squid's time stamp, sent without header) is LF framed
                int i = start;
                long len = 0;
                int end = in.writerIndex();
                while (i < end && i - start < MAX_COUNT_DIGITS) {
                    byte b = in.getByte(i);
                    if (b < '0' || b > '9') {
                        break;
                    }
                    len = len * 10 + (b - '0');
                    i++;
                }
                if (i + 1 >= end) {
                    return; // need the rest of the count and the byte after its SP
                }
                if (in.getByte(i) == ' ' && in.getByte(i + 1) == '<') {
                    if (len > maxLength) {
                        stats.oversize(peer);
                        in.readerIndex(i + 1);
                        skip = len;
                        continue;
                    }
                    if (end - (i + 1) < len) {
                        return; // need the rest of the message
                    }
                    in.getBytes(i + 1, message, 0, (int) len);
                    in.readerIndex(i + 1 + (int) len);
                    deliver((int) len);
                    continue;
                }
            }
            // non-transparent framing: up to LF
            int searchEnd = Math.min(in.writerIndex(), start + maxLength + 1);
            int lf = in.indexOf(start, searchEnd, (byte) '\n');
            if (lf < 0) {
                if (in.readableBytes() > maxLength) {
                    stats.oversize(peer);
                    in.skipBytes(in.readableBytes());
                    discardingToLf = true;
                }
                return;
            }
            int len = lf - start;
            if (len > 0 && in.getByte(lf - 1) == '\r') {
                len--;
            }
            in.getBytes(start, message, 0, len);
            in.readerIndex(lf + 1);
            deliver(len);
        }
    }

    private void deliver(int len) {
        while (len > 0 && (message[len - 1] == '\n' || message[len - 1] == 0)) {
            len--;
        }
        stats.message(peer, len);
        listener.onMessage(peerAddress, message, 0, len);
    }
}
