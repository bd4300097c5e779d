#!/usr/bin/env python3
"""A minimal authoritative-for-everything DNS responder for recording test captures on loopback.

Answers every A query with 127.0.0.1 (or the --a address) and every AAAA query with ::1; names
starting with "www." get a CNAME to the name without it first (a one-step CNAME chain). With --ech
PUBLIC_NAME, every HTTPS query (type 65, RFC 9460) is answered with a ServiceMode record whose ech
SvcParam holds an ECHConfigList (draft-ietf-tls-esni-22 section 4: version 0xfe0d, X25519 HKDF-SHA256
AES-128-GCM, a fresh random public key) naming PUBLIC_NAME, so that a browser sends an Encrypted
Client Hello whose outer SNI is PUBLIC_NAME; without it, HTTPS queries get no answer records. With
--only NAME,NAME... other names get NXDOMAIN (a browser's own background lookups then go nowhere).
Serves UDP and TCP (RFC 1035 section 4.2) on the given address and port until killed. Standard
library only.

The HTTPS record's alpn SvcParam is h2,http/1.1, or the --alpn list (h3 first makes a browser
try QUIC first).

With --many N, A and AAAA queries for names whose first label is "many" get N addresses
(10.200.x.y, fd00:200::x): an answer larger than a link's MTU, which the sending kernel fragments
when the client's EDNS buffer (dig +bufsize=4096) lets it go over UDP. With --dstopts 1, every UDP
answer sent over IPv6 carries a Destination Options extension header (RFC 8200 4.6, one PadN
option; IPV6_DSTOPTS ancillary data), so that the UDP header is not the IPv6 header's next header.
With --delay MS, every answer waits MS milliseconds first: the round trip to a resolver elsewhere on the
network, which a client's socket lives through.

usage: dns_responder.py ADDRESS PORT [--a IPV4] [--ech PUBLIC_NAME] [--alpn ID,...] [--only NAME,...]
                        [--many N] [--dstopts 1] [--delay MS]
An IPv6 ADDRESS (such as ::, which on Linux also accepts IPv4) binds an IPv6 socket.
"""
import os
import socket
import socketserver
import struct
import sys
import threading
import time


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


A_ADDRESS = "127.0.0.1"
ECH_CONFIG_LIST = None
ONLY = None
ALPN = ["h2", "http/1.1"]
MANY = 0
DELAY = 0
# a Destination Options header's body: next header and length are the kernel's, then PadN filling 6 bytes
DSTOPTS = None


def ech_config_list(public_name):
    """An ECHConfigList with one ECHConfig (draft-ietf-tls-esni-22 section 4) for PUBLIC_NAME."""
    name = public_name.encode("ascii")
    key = os.urandom(32)  # an X25519 public key; nobody holds its private half
    suites = struct.pack("!HH", 0x0001, 0x0001)  # HKDF-SHA256, AES-128-GCM
    contents = (bytes([7]) + struct.pack("!H", 0x0020) + struct.pack("!H", len(key)) + key
                + struct.pack("!H", len(suites)) + suites + bytes([0]) + bytes([len(name)]) + name
                + struct.pack("!H", 0))
    config = struct.pack("!HH", 0xfe0d, len(contents)) + contents
    return struct.pack("!H", len(config)) + config


def https_rdata():
    """SvcPriority 1, TargetName "." (the owner), alpn (key 1), ech (key 5)."""
    alpn = b"".join(bytes([len(a)]) + a.encode("ascii") for a in ALPN)
    params = struct.pack("!HH", 1, len(alpn)) + alpn + struct.pack("!HH", 5, len(ECH_CONFIG_LIST)) + ECH_CONFIG_LIST
    return struct.pack("!H", 1) + b"\0" + params


def answer(query):
    labels, qtype, end = parse_question(query)
    ident, = struct.unpack("!H", query[:2])
    if ONLY is not None and b".".join(labels).decode("ascii", "replace").lower() not in ONLY:
        return struct.pack("!HHHHHH", ident, 0x8583, 1, 0, 0, 0) + query[12:end]
    records = []
    target = labels
    if labels and labels[0].lower() == b"www":
        target = labels[1:]
        records.append(encode(labels) + struct.pack("!HHIH", 5, 1, 300, len(encode(target))) + encode(target))
    many = MANY if target and target[0].lower() == b"many" else 0
    owner = b"\xc0\x0c" if target == labels else encode(target)  # the question's name, or the CNAME's target
    if qtype == 1 and many:
        for i in range(many):
            records.append(owner + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([10, 200, i >> 8, i & 0xff]))
    elif qtype == 28 and many:
        for i in range(many):
            address = socket.inet_pton(socket.AF_INET6, "fd00:200::%x" % (i + 1))
            records.append(owner + struct.pack("!HHIH", 28, 1, 300, 16) + address)
    elif qtype == 1:
        records.append(encode(target) + struct.pack("!HHIH", 1, 1, 300, 4) + socket.inet_aton(A_ADDRESS))
    elif qtype == 28:
        records.append(encode(target) + struct.pack("!HHIH", 28, 1, 300, 16) + socket.inet_pton(socket.AF_INET6, "::1"))
    elif qtype == 65 and ECH_CONFIG_LIST is not None:
        rdata = https_rdata()
        records.append(encode(target) + struct.pack("!HHIH", 65, 1, 300, len(rdata)) + rdata)
    header = struct.pack("!HHHHHH", ident, 0x8580, 1, len(records), 0, 0)
    return header + query[12:end] + b"".join(records)


class Udp(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        if DELAY:
            time.sleep(DELAY)
        if DSTOPTS is not None and sock.family == socket.AF_INET6 and "." not in self.client_address[0]:
            sock.sendmsg([answer(data)], [(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, DSTOPTS)], 0,
                         self.client_address)
        else:
            sock.sendto(answer(data), self.client_address)


class Tcp(socketserver.BaseRequestHandler):
    def handle(self):
        n, = struct.unpack("!H", self.request.recv(2))
        data = b""
        while len(data) < n:
            data += self.request.recv(n - len(data))
        reply = answer(data)
        if DELAY:
            time.sleep(DELAY)
        self.request.sendall(struct.pack("!H", len(reply)) + reply)


if __name__ == "__main__":
    address, port = sys.argv[1], int(sys.argv[2])
    options = dict(zip(sys.argv[3::2], sys.argv[4::2]))
    A_ADDRESS = options.get("--a", A_ADDRESS)
    if "--alpn" in options:
        ALPN = options["--alpn"].split(",")
    if "--only" in options:
        ONLY = set(options["--only"].lower().split(","))
    MANY = int(options.get("--many", "0"))
    DELAY = int(options.get("--delay", "0")) / 1000
    if options.get("--dstopts") == "1":
        DSTOPTS = bytes([0, 0, 1, 4, 0, 0, 0, 0])
    if "--ech" in options:
        ECH_CONFIG_LIST = ech_config_list(options["--ech"])
    socketserver.ThreadingUDPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    if ":" in address:
        socketserver.ThreadingUDPServer.address_family = socket.AF_INET6
        socketserver.ThreadingTCPServer.address_family = socket.AF_INET6
    udp = socketserver.ThreadingUDPServer((address, port), Udp)
    tcp = socketserver.ThreadingTCPServer((address, port), Tcp)
    threading.Thread(target=udp.serve_forever, daemon=True).start()
    tcp.serve_forever()
