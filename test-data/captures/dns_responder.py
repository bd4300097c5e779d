#!/usr/bin/env python3
"""A minimal authoritative-for-everything DNS responder for recording test captures on loopback.

Answers every A query with 127.0.0.1 and every AAAA query with ::1; names starting with "www."
get a CNAME to the name without it first (a one-step CNAME chain). Serves UDP and TCP
(RFC 1035 section 4.2) on the given address and port until killed. Standard library only.

usage: dns_responder.py ADDRESS PORT
An IPv6 ADDRESS (such as ::, which on Linux also accepts IPv4) binds an IPv6 socket.
"""
import socket
import socketserver
import struct
import sys
import threading


def parse_question(msg):
    """Returns (name labels, qtype, end offset) of the first question; no compression in queries."""
    labels, p = [], 12
    while msg[p] != 0:
        n = msg[p]
        labels.append(msg[p + 1:p + 1 + n])
        p += 1 + n
    qtype, = struct.unpack("!H", msg[p + 1:p + 3])
    return labels, qtype, p + 5


def encode(labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"


def answer(query):
    labels, qtype, end = parse_question(query)
    records = []
    target = labels
    if labels and labels[0].lower() == b"www":
        target = labels[1:]
        records.append(encode(labels) + struct.pack("!HHIH", 5, 1, 300, len(encode(target))) + encode(target))
    if qtype == 1:
        records.append(encode(target) + struct.pack("!HHIH", 1, 1, 300, 4) + socket.inet_aton("127.0.0.1"))
    elif qtype == 28:
        records.append(encode(target) + struct.pack("!HHIH", 28, 1, 300, 16) + socket.inet_pton(socket.AF_INET6, "::1"))
    ident, = struct.unpack("!H", query[:2])
    header = struct.pack("!HHHHHH", ident, 0x8580, 1, len(records), 0, 0)
    return header + query[12:end] + b"".join(records)


class Udp(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(answer(data), self.client_address)


class Tcp(socketserver.BaseRequestHandler):
    def handle(self):
        n, = struct.unpack("!H", self.request.recv(2))
        data = b""
        while len(data) < n:
            data += self.request.recv(n - len(data))
        reply = answer(data)
        self.request.sendall(struct.pack("!H", len(reply)) + reply)


if __name__ == "__main__":
    address, port = sys.argv[1], int(sys.argv[2])
    socketserver.ThreadingUDPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    if ":" in address:
        socketserver.ThreadingUDPServer.address_family = socket.AF_INET6
        socketserver.ThreadingTCPServer.address_family = socket.AF_INET6
    udp = socketserver.ThreadingUDPServer((address, port), Udp)
    tcp = socketserver.ThreadingTCPServer((address, port), Tcp)
    threading.Thread(target=udp.serve_forever, daemon=True).start()
    tcp.serve_forever()
