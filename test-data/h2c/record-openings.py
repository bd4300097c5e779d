#!/usr/bin/python3
"""Records the first bytes real cleartext HTTP/2 clients send, for Http2RequestParserTest.

    /usr/bin/python3 record-openings.py     (writes the *.bin files beside this script)

Needs curl (built with nghttp2) and python3-grpcio: apt-get install curl python3-grpcio.
Traffic stays on 127.0.0.1: a listener accepts one connection, keeps what the client sends until it
has been quiet for half a second, and closes. The listener answers with SETTINGS frames only and
never a response: the clients send their preface, SETTINGS and the first request's HEADERS anyway. The token and cookie are synthetic.
"""
import os
import socket
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))


def record(name, client):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    got = bytearray()

    def serve():
        conn, _ = srv.accept()
        # the server's preface, an empty SETTINGS frame, and an ACK of the client's: gRPC sends its
        # first request only once the connection is up
        conn.sendall(bytes.fromhex("000000040000000000" "000000040100000000"))
        conn.settimeout(0.5)
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                got.extend(chunk)
        except socket.timeout:
            pass
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    client(port)
    t.join()
    srv.close()
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(bytes(got))
    print(name, len(got), "bytes")


def curl(port):
    subprocess.run(["curl", "-s", "-m", "1", "--http2-prior-knowledge",
                    "--resolve", "ollama.lab.example:%d:127.0.0.1" % port,
                    "-H", "Authorization: Bearer sk-test-SYNTHETIC0000000000",
                    "-H", "Cookie: session=SYNTHETIC-cookie-value",
                    "-H", "Content-Type: application/json",
                    "-d", '{"model":"llama3","prompt":"hello"}',
                    "http://ollama.lab.example:%d/api/generate?token=SYNTHETIC" % port], check=False)


def grpc_client(port):
    code = """
import grpc, sys
ch = grpc.insecure_channel('127.0.0.1:%d', options=[('grpc.default_authority', 'triton.lab.example:8001')])
call = ch.unary_unary('/inference.GRPCInferenceService/ModelInfer')
try:
    call(b'\\x0a\\x08resnet50', timeout=1, metadata=(('authorization', 'Bearer SYNTHETIC-grpc-token'),))
except grpc.RpcError:
    pass
""" % port
    subprocess.run(["/usr/bin/python3", "-c", code], check=False)


if __name__ == "__main__":
    record("curl-prior-knowledge.bin", curl)
    record("grpc-python.bin", grpc_client)
    sys.exit(0)
