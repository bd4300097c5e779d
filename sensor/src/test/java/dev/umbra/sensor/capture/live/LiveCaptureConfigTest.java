package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.decode.LinkType;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class LiveCaptureConfigTest {
    @Test
    void of_interface_hasTheDocumentedDefaults() {
        LiveCaptureConfig c = LiveCaptureConfig.of("eth0");
        assertThat(c.bufferBytes()).isEqualTo(128 * 1024 * 1024);
        assertThat(c.immediate()).isFalse();
        assertThat(c.promiscuous()).isTrue();
        assertThat(c.snaplen()).isEqualTo(65535);
        assertThat(c.filter()).isNull();
        assertThat(c.effectiveFilter(LinkType.ETHERNET))
                .isEqualTo(CaptureFilter.forProtocols(LiveCaptureConfig.DEFAULT_PROTOCOLS, LinkType.ETHERNET));
        assertThat(c.effectiveFilter(LinkType.LINUX_SLL))
                .isEqualTo(CaptureFilter.forProtocols(LiveCaptureConfig.DEFAULT_PROTOCOLS, LinkType.LINUX_SLL));
    }

    @Test
    void withFilter_set_replacesTheDefault() {
        LiveCaptureConfig c = LiveCaptureConfig.of("eth0").withFilter("udp port 5353");
        assertThat(c.effectiveFilter(LinkType.ETHERNET)).isEqualTo("udp port 5353");
        assertThat(c.effectiveFilter(LinkType.RAW_DLT12)).as("a filter set is used as it is on any link type")
                .isEqualTo("udp port 5353");
        assertThat(c.withFilter("  ").effectiveFilter(LinkType.ETHERNET))
                .isEqualTo(c.withFilter(null).effectiveFilter(LinkType.ETHERNET));
    }

    @Test
    void withProtocols_dnsOnly_changesTheDefaultFilter() {
        assertThat(LiveCaptureConfig.of("eth0").withProtocols(EnumSet.of(CaptureProtocol.DNS)).effectiveFilter(LinkType.ETHERNET))
                .isEqualTo(CaptureFilter.forProtocols(EnumSet.of(CaptureProtocol.DNS)));
    }

    @Test
    void new_badValues_throwNamingKeyValueAndRule() {
        LiveCaptureConfig c = LiveCaptureConfig.of("eth0");
        assertThatThrownBy(() -> LiveCaptureConfig.of(" "))
                .hasMessageStartingWith("Invalid value   for configuration capture.interface:");
        assertThatThrownBy(() -> c.withSnaplen(10))
                .hasMessage("Invalid value 10 for configuration capture.snaplen: must be between 64 and 262144 bytes");
        assertThatThrownBy(() -> c.withBufferBytes(4096))
                .hasMessage("Invalid value 4096 for configuration capture.buffer.bytes: must be between 1 MiB and 2 GiB");
        assertThatThrownBy(() -> c.withTimeoutMillis(0))
                .hasMessage("Invalid value 0 for configuration capture.timeout.ms: must be between 1 and 10000");
    }
}
