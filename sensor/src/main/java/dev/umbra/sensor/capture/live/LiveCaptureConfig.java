package dev.umbra.sensor.capture.live;

import java.util.EnumSet;
import java.util.Set;

/**
 * Settings of one live capture. Values are checked when the config is built; the error names the
 * key, the value and the rule ({@code Invalid value V for configuration K: rule}).
 *
 * <table>
 * <caption>Settings</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>capture.interface</td><td>(required)</td><td>interface name, as in {@code ip link}</td></tr>
 * <tr><td>capture.filter</td><td>built from capture.protocols</td><td>BPF expression, pcap-filter(7)</td></tr>
 * <tr><td>capture.protocols</td><td>dns, tls, quic, http</td><td>what the default filter lets through</td></tr>
 * <tr><td>capture.snaplen</td><td>65535</td><td>bytes kept of each frame, 64..262144</td></tr>
 * <tr><td>capture.promiscuous</td><td>true</td><td>see frames not addressed to this host (taps, SPAN ports)</td></tr>
 * <tr><td>capture.buffer.bytes</td><td>128 MiB</td><td>kernel capture buffer, 1 MiB..2 GiB; 2 MiB drops 14-20 % at 450 k packets/s</td></tr>
 * <tr><td>capture.immediate</td><td>false</td><td>deliver each frame at once (more wake-ups, more drops under load)</td></tr>
 * <tr><td>capture.timeout.ms</td><td>100</td><td>longest wait before a partly filled buffer block is delivered, 1..10000</td></tr>
 * </table>
 *
 * @param interfaceName interface to capture on
 * @param filter BPF expression, or {@code null} for the default built from {@code protocols}
 * @param protocols protocols the default filter lets through
 * @param snaplen bytes kept of each frame
 * @param promiscuous promiscuous mode
 * @param bufferBytes kernel capture buffer size
 * @param immediate immediate mode
 * @param timeoutMillis read timeout (packet buffer timeout)
 */
public record LiveCaptureConfig(String interfaceName, String filter, Set<CaptureProtocol> protocols, int snaplen,
        boolean promiscuous, int bufferBytes, boolean immediate, int timeoutMillis) {
    /** Default kernel capture buffer: 128 MiB. */
    public static final int DEFAULT_BUFFER_BYTES = 128 << 20;
    /** Default snap length: the largest IPv4 packet, enough for any ClientHello segment. */
    public static final int DEFAULT_SNAPLEN = 65535;
    /** Default read timeout in milliseconds. */
    public static final int DEFAULT_TIMEOUT_MILLIS = 100;
    /** Protocols enabled by default. */
    public static final Set<CaptureProtocol> DEFAULT_PROTOCOLS = Set.copyOf(
            EnumSet.of(CaptureProtocol.DNS, CaptureProtocol.TLS, CaptureProtocol.QUIC, CaptureProtocol.SOCKS_UDP,
                    CaptureProtocol.HTTP, CaptureProtocol.KERBEROS, CaptureProtocol.SMB, CaptureProtocol.DHCP));

    public LiveCaptureConfig {
        if (interfaceName == null || interfaceName.isBlank()) {
            throw invalid(interfaceName, "capture.interface", "an interface name is required (see 'ip link')");
        }
        if (filter != null && filter.isBlank()) {
            filter = null;
        }
        protocols = protocols == null || protocols.isEmpty() ? DEFAULT_PROTOCOLS : Set.copyOf(protocols);
        if (snaplen < 64 || snaplen > 262_144) {
            throw invalid(snaplen, "capture.snaplen", "must be between 64 and 262144 bytes");
        }
        if (bufferBytes < (1 << 20) || bufferBytes > Integer.MAX_VALUE - 1) {
            throw invalid(bufferBytes, "capture.buffer.bytes", "must be between 1 MiB and 2 GiB");
        }
        if (timeoutMillis < 1 || timeoutMillis > 10_000) {
            throw invalid(timeoutMillis, "capture.timeout.ms", "must be between 1 and 10000");
        }
    }

    /** The defaults for one interface. */
    public static LiveCaptureConfig of(String interfaceName) {
        return new LiveCaptureConfig(interfaceName, null, DEFAULT_PROTOCOLS, DEFAULT_SNAPLEN, true,
                DEFAULT_BUFFER_BYTES, false, DEFAULT_TIMEOUT_MILLIS);
    }

    /** The filter set, or the default one built from the protocols for an interface of this link type. */
    public String effectiveFilter(int linkType) {
        return filter != null ? filter : CaptureFilter.forProtocols(protocols, linkType);
    }

    public LiveCaptureConfig withFilter(String value) {
        return new LiveCaptureConfig(interfaceName, value, protocols, snaplen, promiscuous, bufferBytes, immediate,
                timeoutMillis);
    }

    public LiveCaptureConfig withProtocols(Set<CaptureProtocol> value) {
        return new LiveCaptureConfig(interfaceName, filter, value, snaplen, promiscuous, bufferBytes, immediate,
                timeoutMillis);
    }

    public LiveCaptureConfig withSnaplen(int value) {
        return new LiveCaptureConfig(interfaceName, filter, protocols, value, promiscuous, bufferBytes, immediate,
                timeoutMillis);
    }

    public LiveCaptureConfig withPromiscuous(boolean value) {
        return new LiveCaptureConfig(interfaceName, filter, protocols, snaplen, value, bufferBytes, immediate,
                timeoutMillis);
    }

    public LiveCaptureConfig withBufferBytes(int value) {
        return new LiveCaptureConfig(interfaceName, filter, protocols, snaplen, promiscuous, value, immediate,
                timeoutMillis);
    }

    public LiveCaptureConfig withImmediate(boolean value) {
        return new LiveCaptureConfig(interfaceName, filter, protocols, snaplen, promiscuous, bufferBytes, value,
                timeoutMillis);
    }

    public LiveCaptureConfig withTimeoutMillis(int value) {
        return new LiveCaptureConfig(interfaceName, filter, protocols, snaplen, promiscuous, bufferBytes, immediate,
                value);
    }

    private static IllegalArgumentException invalid(Object value, String key, String rule) {
        return new IllegalArgumentException("Invalid value " + value + " for configuration " + key + ": " + rule);
    }
}
