#!/usr/bin/env python3
"""Holds a TUN interface open, as a VPN client (WireGuard, OpenVPN) does, for live-capture tests.

A TUN device with no process attached has no carrier, and the kernel drops what is routed into it
before a capture sees it. This attaches to the device (made beforehand with
`ip tuntap add dev NAME mode tun`, or made here if it does not exist), prints "attached", then reads
and discards every packet routed into the tunnel until killed. Captures on NAME see them as raw IP
(DLT_RAW). Standard library only; needs CAP_NET_ADMIN (root).

usage: tun_holder.py NAME
"""
import fcntl
import os
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tun_holder.py NAME")
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", sys.argv[1].encode(), IFF_TUN | IFF_NO_PI))
    print("attached", flush=True)
    while True:
        os.read(fd, 65536)


if __name__ == "__main__":
    main()
