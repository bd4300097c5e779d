#!/usr/bin/env python3
"""A UDP port that takes every datagram and answers none, for recordings and live tests.

A QUIC client sent to a port with nothing on it gets ICMP port unreachable and gives up after its
first Initial; sent here, it sends its whole Initial flight and its retransmissions, as it would to
a server that is slow or filtered. Prints "listening" once bound. Standard library only.

usage: udp_sink.py ADDRESS PORT
"""
import socket
import sys

if __name__ == "__main__":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], int(sys.argv[2])))
    print("listening", flush=True)
    while True:
        s.recvfrom(65535)
