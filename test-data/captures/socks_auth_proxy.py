#!/usr/bin/python3
"""A small SOCKS proxy that asks for a user name and password, for recording what real SOCKS clients
send when they authenticate (make-proxy-auth.sh). Dante checks RFC 1929 passwords against the
system's users, which a recording should not create; this proxy accepts any user name and password.

    socks_auth_proxy.py ADDRESS PORT

SOCKS5 (RFC 1928): it always picks the username/password method (RFC 1929) when the client offers
it, else "no authentication"; SOCKS4 and 4a: the USERID is taken as it comes. Then it connects to
the destination (a name is resolved from /etc/hosts, which ip netns exec gives the namespace) and
relays both ways. Prints "listening" once bound. Nothing is logged about what clients send.
"""
import socket
import struct
import sys
import threading


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def recv_until_nul(sock):
    data = b""
    while not data.endswith(b"\0"):
        data += recv_exact(sock, 1)
    return data[:-1]


def relay(a, b):
    try:
        while True:
            chunk = a.recv(65536)
            if not chunk:
                break
            b.sendall(chunk)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def handle(client):
    try:
        version = recv_exact(client, 1)[0]
        if version == 5:
            methods = recv_exact(client, recv_exact(client, 1)[0])
            if 2 in methods:
                client.sendall(b"\x05\x02")
                recv_exact(client, 1)  # RFC 1929 version
                recv_exact(client, recv_exact(client, 1)[0])  # user name
                recv_exact(client, recv_exact(client, 1)[0])  # password, dropped
                client.sendall(b"\x01\x00")
            else:
                client.sendall(b"\x05\x00")
            _, command, _, atyp = recv_exact(client, 4)
            if atyp == 1:
                host = socket.inet_ntoa(recv_exact(client, 4))
            elif atyp == 3:
                host = recv_exact(client, recv_exact(client, 1)[0]).decode()
            else:
                host = socket.inet_ntop(socket.AF_INET6, recv_exact(client, 16))
            port = struct.unpack("!H", recv_exact(client, 2))[0]
            upstream = socket.create_connection((host, port), timeout=5)
            client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("0.0.0.0") + b"\x00\x00")
        elif version == 4:
            command, port = struct.unpack("!BH", recv_exact(client, 3))
            address = recv_exact(client, 4)
            recv_until_nul(client)  # USERID
            host = socket.inet_ntoa(address)
            if address[:3] == b"\0\0\0":
                host = recv_until_nul(client).decode()  # SOCKS4a
            upstream = socket.create_connection((host, port), timeout=5)
            client.sendall(b"\x00\x5a" + b"\0" * 6)
        else:
            return
        back = threading.Thread(target=relay, args=(upstream, client))
        back.start()
        relay(client, upstream)
        back.join(timeout=5)
        upstream.close()
    except (OSError, ConnectionError, ValueError):
        pass
    finally:
        client.close()


def main(address, port):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((address, port))
    server.listen(16)
    print("listening", flush=True)
    while True:
        client, _ = server.accept()
        threading.Thread(target=handle, args=(client,), daemon=True).start()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]))
