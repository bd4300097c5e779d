#!/usr/bin/python3
"""Records what real cleartext HTTP/2 clients send, for Http2ConnectionTest and Http2CleartextTest.

    /usr/bin/python3 record-openings.py     (writes the *.bin files beside this script)

Needs curl (built with nghttp2), nghttpd and python3-grpcio:
apt-get install curl nghttp2-server nghttp2-client python3-grpcio. Traffic stays on 127.0.0.1. Tokens, cookies and
the values in the bodies are synthetic.

- curl-prior-knowledge.bin, grpc-python.bin: a connection's opening. A listener accepts one
  connection, keeps what the client sends until it has been quiet for half a second, and closes; it
  answers with SETTINGS frames only and never a response, and the clients send their preface,
  SETTINGS and the first request (HEADERS, DATA) anyway.
- nghttp-two-requests.bin, grpc-three-calls.bin: a whole connection carrying several requests. The
  client talks to a real server (nghttpd --no-tls; grpc_peer.py's python3-grpcio server) through a
  relay on 127.0.0.1 that passes both directions on and keeps what the client sent. nghttp (not
  curl: curl 7.88 sends nothing for a second transfer on a reused prior-knowledge connection) POSTs
  the same 37,000-byte JSON body to two paths at once: PRIORITY frames, HEADERS with priority, the
  second block made of references to the first one's HPACK entries, and the DATA frames of the two
  streams interleaved. The gRPC client makes grpc_peer.py's three calls on one channel (the last
  one gzip-compressed).
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "..", "captures", "grpc_peer.py")


def capture_opening(client, quiet=0.5):
    """What client(port) sends to a listener on 127.0.0.1 that answers with SETTINGS frames only,
    kept until the client has been quiet for `quiet` seconds (also used by
    ../payloads/grpc/make-fixtures.py)."""
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
        conn.settimeout(quiet)
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
    return bytes(got)


def record(name, client):
    got = capture_opening(client)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(got)
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


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("server on %d did not start" % port)


def record_relayed(name, server, client):
    """Runs server(port) -> Popen, then client(relay_port) through a relay that keeps the client's bytes."""
    server_port = free_port()
    proc = server(server_port)
    try:
        wait_for(server_port)
        relay = socket.socket()
        relay.bind(("127.0.0.1", 0))
        relay.listen(1)
        got = bytearray()

        def pipe(src, dst, keep):
            try:
                while True:
                    chunk = src.recv(65536)
                    if not chunk:
                        break
                    if keep is not None:
                        keep.extend(chunk)
                    dst.sendall(chunk)
            except OSError:
                pass
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        def serve():
            conn, _ = relay.accept()
            upstream = socket.create_connection(("127.0.0.1", server_port))
            back = threading.Thread(target=pipe, args=(upstream, conn, None))
            back.start()
            pipe(conn, upstream, got)
            back.join(timeout=5)
            conn.close()
            upstream.close()

        t = threading.Thread(target=serve)
        t.start()
        client(relay.getsockname()[1])
        t.join(timeout=15)
        relay.close()
    finally:
        proc.kill()
        proc.wait()
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(bytes(got))
    print(name, len(got), "bytes")


def nghttpd(port):
    docroot = tempfile.mkdtemp()
    os.makedirs(os.path.join(docroot, "api"))
    for path in ("api/generate", "api/chat"):
        with open(os.path.join(docroot, path), "w") as f:
            f.write('{"done":true}\n')
    return subprocess.Popen(["nghttpd", "--no-tls", "-a", "127.0.0.1", "-d", docroot, str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def nghttp_two_requests(port):
    body = os.path.join(tempfile.mkdtemp(), "chat.json")
    with open(body, "w") as f:
        f.write('{"model":"llama3","messages":[{"role":"user","content":"%s"}]}' % (
            "Minutes of the review, pages follow. " * 1000 + "Contact pat.doe@example.com, SSN 412-58-3306."))
    url = "http://127.0.0.1:%d" % port
    subprocess.run(["nghttp", "-n", "-d", body, "-H", ":authority: ollama.lab.example:11434",
                    "-H", "content-type: application/json",
                    "-H", "authorization: Bearer sk-test-SYNTHETIC0000000000",
                    url + "/api/generate?token=SYNTHETIC", url + "/api/chat"], check=True)


def grpc_server(port):
    return subprocess.Popen(["/usr/bin/python3", PEER, "serve", "127.0.0.1", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def grpc_three_calls(port):
    subprocess.run(["/usr/bin/python3", PEER, "calls", "127.0.0.1:%d" % port, "triton.lab.example:8001"],
                   check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    record("curl-prior-knowledge.bin", curl)
    record("grpc-python.bin", grpc_client)
    record_relayed("nghttp-two-requests.bin", nghttpd, nghttp_two_requests)
    record_relayed("grpc-three-calls.bin", grpc_server, grpc_three_calls)
    sys.exit(0)
