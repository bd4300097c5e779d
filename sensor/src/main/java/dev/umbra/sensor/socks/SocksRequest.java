package dev.umbra.sensor.socks;

/**
 * The request of a SOCKS client: where it asked the proxy to connect.
 *
 * @param version 4 (SOCKS4 and SOCKS4a) or 5
 * @param command {@link SocksRequestParser#CONNECT}, {@link SocksRequestParser#BIND} or
 *     {@link SocksRequestParser#UDP_ASSOCIATE}
 * @param host the host name the client sent (SOCKS4a, SOCKS5 address type 3), lowercase; {@code null}
 *     when it sent an address
 * @param address the address the client sent, in text form; {@code null} when it sent a name
 * @param addressHi the address's high 64 bits in the {@link dev.umbra.sensor.flow.FlowKey} layout, 0
 *     when it sent a name
 * @param addressLo the address's low 64 bits in the FlowKey layout, 0 when it sent a name
 * @param port the destination port
 * @param length the bytes of the client's opening, from its first byte to the end of the request:
 *     what follows is the tunnel's data
 * @param passwordSent true when the client sent a user name and password (RFC 1929) before the request;
 *     the password is never kept
 * @param user the user name (RFC 1929 UNAME, SOCKS4 USERID) when it is text
 *     ({@link dev.umbra.sensor.http.ProxyAuth#socksUser}), or {@code null}
 */
public record SocksRequest(int version, int command, String host, String address, long addressHi, long addressLo,
        int port, int length, boolean passwordSent, String user) {

    /** The command as a method name: {@code CONNECT}, {@code BIND} or {@code UDP ASSOCIATE}. */
    public String commandName() {
        return switch (command) {
            case SocksRequestParser.CONNECT -> "CONNECT";
            case SocksRequestParser.BIND -> "BIND";
            default -> "UDP ASSOCIATE";
        };
    }
}
