package dev.umbra.classifier.icap;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.umbra.classifier.Fixtures;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * Coverage-guided fuzz target (Jazzer) for the ICAP request decoder; it lives beside the
 * package-private {@link IcapHandler}. docs/classifier.md says how to run it.
 */
class IcapCoverageFuzzTest {
    /**
     * ICAP bytes on one connection (REQMOD/OPTIONS heads, encapsulated HTTP headers, chunked bodies
     * with previews), cut into chunks of {@code 1 + b} bytes (byte 0 is b), decoded by a monitoring
     * service with the real classifier. Oracle: nothing throws out of the channel; no exception is
     * caught by the handler's last resort ({@code icap_connection_error} stays 0).
     */
    @FuzzTest(maxDuration = "2m")
    void icapHandler_requestsInChunks(byte[] data) {
        if (data.length < 1) {
            return;
        }
        IcapServer server = new IcapServer(IcapConfig.monitor(), Fixtures.classifier(), IcapScope.ALL, f -> { });
        EmbeddedChannel channel = new EmbeddedChannel(new IcapHandler(server));
        int chunk = 1 + (data[0] & 0xff);
        for (int p = 1; p < data.length && channel.isOpen(); p += chunk) {
            channel.writeInbound(Unpooled.wrappedBuffer(data, p, Math.min(chunk, data.length - p)));
            channel.checkException();
        }
        channel.finishAndReleaseAll();
        if (server.counters().getOrDefault("icap_connection_error", 0L) != 0) {
            throw new AssertionError("an exception reached the ICAP handler's last resort: " + server.counters());
        }
    }
}
