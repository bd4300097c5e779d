package dev.umbra.sensor.syslog;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Coverage-guided fuzz target (Jazzer) for the syslog TCP framing and the header parser; it lives
 * beside the package-private {@link SyslogFrameDecoder}. The sensor's other targets are in
 * {@code fuzz/CoverageFuzzTest}; docs/sensor.md says how to run them.
 */
class SyslogCoverageFuzzTest {
    private static final int MAX_LENGTH = 512;

    /**
     * A TCP stream (octet-counted and LF-framed frames, RFC 6587) cut into chunks of {@code 1 + b}
     * bytes (byte 0 is b) and decoded. Oracle: nothing throws; every message handed on is at most the
     * cap long and lies inside the decoder's buffer; the header parser's results lie inside the
     * message and within their caps.
     */
    @FuzzTest(maxDuration = "2m")
    void frameDecoder_streamInChunks(byte[] data) throws Exception {
        if (data.length < 1) {
            return;
        }
        SyslogStats stats = new SyslogStats();
        SyslogStats.Peer peer = stats.peer(InetAddress.getLoopbackAddress());
        SyslogHeader header = new SyslogHeader();
        SyslogFrameDecoder decoder = new SyslogFrameDecoder(MAX_LENGTH, (from, buf, off, len) -> {
            if (off < 0 || len < 0 || len > MAX_LENGTH || off + len > buf.length) {
                throw new AssertionError("message at " + off + "+" + len + " of " + buf.length + " bytes");
            }
            for (boolean requirePri : new boolean[] {true, false}) {
                if (header.parse(buf, off, len, requirePri)) {
                    if (header.bodyStart() < off || header.bodyStart() > off + len
                            || (header.hostname() != null && header.hostname().length() > SyslogHeader.MAX_HOSTNAME)
                            || (header.appName() != null && header.appName().length() > SyslogHeader.MAX_APP_NAME)) {
                        throw new AssertionError("header beyond its message or caps: body at " + header.bodyStart()
                                + " of " + off + "+" + len + ", HOSTNAME of " + length(header.hostname())
                                + " characters, APP-NAME of " + length(header.appName()));
                    }
                }
            }
        }, stats, peer, new InetSocketAddress(InetAddress.getLoopbackAddress(), 514));
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        int chunk = 1 + (data[0] & 0xff);
        for (int p = 1; p < data.length; p += chunk) {
            channel.writeInbound(Unpooled.wrappedBuffer(data, p, Math.min(chunk, data.length - p)));
            channel.checkException();
        }
        channel.finishAndReleaseAll();
    }

    private static int length(String s) {
        return s == null ? -1 : s.length();
    }
}
