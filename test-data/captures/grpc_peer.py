#!/usr/bin/python3
"""A real gRPC server and client (python3-grpcio) over cleartext HTTP/2, for recording test captures
and for the live-capture tests.

    grpc_peer.py serve ADDRESS PORT [PORT ...]
        Serves every unary method on each port, without TLS, until killed: the request bytes are
        taken as they are (no protobuf) and answered with a few fixed bytes. Prints "serving" once
        bound and then one line per call with the method's name.

    grpc_peer.py call TARGET AUTHORITY METHOD
        One unary call to METHOD (such as /inference.GRPCInferenceService/ModelInfer) on a new
        channel to TARGET (ADDRESS:PORT), with :authority AUTHORITY (grpc.default_authority, as a
        client that reached the server by that name sends it) and a synthetic authorization
        metadata value. Each call is a process, so a connection of its own. Exits 0 when the
        server answered.

    grpc_peer.py calls TARGET AUTHORITY
        The calls of CALLS below, in order, on one channel, so over one HTTP/2 connection: later
        header blocks refer to the HPACK table the first one built, and the requests carry
        protobuf-encoded synthetic prompts (one of them gzip-compressed, grpc-encoding: gzip). Exits
        0 when the server answered every call.

Needs apt-get install python3-grpcio; run it with /usr/bin/python3 (a python3 of pyenv or a venv may
not have grpc).
"""
import sys
import time
from concurrent import futures

import grpc

RESPONSE = b"\x0a\x06synthetic-result"
# what a client would carry as a credential: synthetic, and checked to be absent from what the sensor reports
SYNTHETIC_TOKEN = "Bearer SYNTHETIC-grpc-token-0000"


class AnyUnary(grpc.GenericRpcHandler):
    """Answers every method as unary-unary with raw bytes (no serializers)."""

    def service(self, handler_call_details):
        method = handler_call_details.method

        def answer(request, context):
            print("call", method, len(request), flush=True)
            return RESPONSE

        return grpc.unary_unary_rpc_method_handler(answer)


def serve(address, ports):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((AnyUnary(),))
    for port in ports:
        if server.add_insecure_port("%s:%d" % (address, port)) == 0:
            sys.exit("cannot bind %s:%d" % (address, port))
    server.start()
    print("serving", address, " ".join(str(p) for p in ports), flush=True)
    while True:
        time.sleep(3600)


def message(model, prompt=None):
    """A small protobuf message, encoded by hand: field 1 model name, field 2 prompt (both strings)."""
    def field(number, text):
        data = text.encode("utf-8")
        n, length = len(data), bytearray()
        while n >= 0x80:  # a base-128 varint
            length.append(n & 0x7f | 0x80)
            n >>= 7
        length.append(n)
        return bytes([number << 3 | 2]) + bytes(length) + data
    return field(1, model) + (field(2, prompt) if prompt is not None else b"")


# (method, request message, compression): synthetic values only
CALLS = (
    ("/inference.GRPCInferenceService/ModelInfer",
     message("llama-guard", "Summarise the claim of Pat Doe, SSN 412-58-3306, pat.doe@example.com"),
     grpc.Compression.NoCompression),
    ("/inference.GRPCInferenceService/ModelMetadata", message("llama-guard"), grpc.Compression.NoCompression),
    ("/inference.GRPCInferenceService/ModelInfer",
     # long and repetitive: gRPC sends a message uncompressed when gzip would not make it smaller
     message("llama-guard", "Deployment notes, see runbook. " * 40
             + "Deploy with aws_secret_access_key = Zq4Vt8kRr0Lw9YbN2xHc5JmPe7UfA1sDg4RiKoT6"),
     grpc.Compression.Gzip),
)


def calls(target, authority):
    options = [("grpc.default_authority", authority), ("grpc.enable_http_proxy", 0)]
    with grpc.insecure_channel(target, options=options) as channel:
        for method, request, compression in CALLS:
            reply = channel.unary_unary(method)(request, timeout=10, compression=compression,
                                                metadata=(("authorization", SYNTHETIC_TOKEN),))
            if reply != RESPONSE:
                sys.exit("unexpected reply %r" % reply)
            print("answered", method)


def call(target, authority, method):
    options = [("grpc.default_authority", authority), ("grpc.enable_http_proxy", 0)]
    with grpc.insecure_channel(target, options=options) as channel:
        reply = channel.unary_unary(method)(b"\x0a\x08resnet50", timeout=10,
                                            metadata=(("authorization", SYNTHETIC_TOKEN),))
    if reply != RESPONSE:
        sys.exit("unexpected reply %r" % reply)
    print("answered", method)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], [int(p) for p in sys.argv[3:]])
    elif len(sys.argv) == 5 and sys.argv[1] == "call":
        call(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 4 and sys.argv[1] == "calls":
        calls(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
