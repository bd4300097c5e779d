package dev.umbra.sensor.syslog;

import dev.umbra.sensor.AddressBlocks;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Settings of the syslog listener. Every key, its default and its rule:
 *
 * <table>
 *   <caption>syslog configuration</caption>
 *   <tr><th>key</th><th>default</th><th>rule</th></tr>
 *   <tr><td>syslog.bind</td><td>127.0.0.1</td><td>an address of this host; loopback unless an
 *       operator opens it (DESIGN.md, security stance)</td></tr>
 *   <tr><td>syslog.udp.port</td><td>-1 (off)</td><td>-1 off, 0 any free port, 1..65535</td></tr>
 *   <tr><td>syslog.tcp.port</td><td>-1 (off)</td><td>-1 off, 0 any free port, 1..65535</td></tr>
 *   <tr><td>syslog.tls.certificate / syslog.tls.key</td><td>none</td><td>PEM files; both or
 *       neither; with them the TCP listener speaks TLS (RFC 5425)</td></tr>
 *   <tr><td>syslog.max.message.length</td><td>65536</td><td>256..16 MiB; longer messages are
 *       counted and dropped</td></tr>
 *   <tr><td>syslog.allowed.senders</td><td>empty (any)</td><td>addresses or CIDR blocks
 *       ({@code 10.0.0.0/8}, {@code ::1}); others are counted and dropped</td></tr>
 * </table>
 *
 * @param bind address to listen on
 * @param udpPort UDP port, 0 for any, -1 for none
 * @param tcpPort TCP port, 0 for any, -1 for none
 * @param tlsCertificate PEM certificate chain for TLS on the TCP port, or {@code null}
 * @param tlsKey PEM PKCS#8 private key for TLS, or {@code null}
 * @param maxMessageLength longest message accepted, in bytes
 * @param allowedSenders allowed sending addresses or CIDR blocks; empty allows any
 */
public record SyslogConfig(InetAddress bind, int udpPort, int tcpPort, Path tlsCertificate, Path tlsKey,
        int maxMessageLength, List<String> allowedSenders) {
    /** Default longest message: 64 KiB. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 64 * 1024;

    public SyslogConfig {
        if (bind == null) {
            bind = InetAddress.getLoopbackAddress();
        }
        port("syslog.udp.port", udpPort);
        port("syslog.tcp.port", tcpPort);
        if (udpPort < 0 && tcpPort < 0) {
            throw new IllegalArgumentException("Invalid value -1 for configuration syslog.udp.port and syslog.tcp.port: "
                    + "at least one listener is needed. Set syslog.udp.port or syslog.tcp.port to a port (0 for any)");
        }
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("Invalid value " + (tlsCertificate == null ? tlsKey : tlsCertificate)
                    + " for configuration " + (tlsCertificate == null ? "syslog.tls.key" : "syslog.tls.certificate")
                    + ": TLS needs both syslog.tls.certificate and syslog.tls.key");
        }
        for (Path p : new Path[] {tlsCertificate, tlsKey}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("Invalid value " + p + " for configuration "
                        + (p == tlsKey ? "syslog.tls.key" : "syslog.tls.certificate") + ": not a readable file");
            }
        }
        if (tlsCertificate != null && tcpPort < 0) {
            throw new IllegalArgumentException("Invalid value -1 for configuration syslog.tcp.port: TLS is configured "
                    + "(syslog.tls.certificate=" + tlsCertificate + ") but the TCP listener is off");
        }
        if (maxMessageLength < 256 || maxMessageLength > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("Invalid value " + maxMessageLength
                    + " for configuration syslog.max.message.length: must be 256..16777216 bytes");
        }
        allowedSenders = allowedSenders == null ? List.of() : List.copyOf(allowedSenders);
        AddressBlocks.parse(allowedSenders, "syslog.allowed.senders");
    }

    private static void port(String key, int p) {
        if (p < -1 || p > 65535) {
            throw new IllegalArgumentException("Invalid value " + p + " for configuration " + key
                    + ": must be -1 (off), 0 (any free port) or 1..65535");
        }
    }

    /** A loopback listener on the given ports, plain TCP, any loopback sender. */
    public static SyslogConfig loopback(int udpPort, int tcpPort) {
        return new SyslogConfig(InetAddress.getLoopbackAddress(), udpPort, tcpPort, null, null,
                DEFAULT_MAX_MESSAGE_LENGTH, List.of());
    }

    /** Parses an address for {@code syslog.bind}. */
    public static InetAddress bindAddress(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Invalid value " + s + " for configuration syslog.bind: not an address");
        }
    }
}
