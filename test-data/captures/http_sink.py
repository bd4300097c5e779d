#!/usr/bin/env python3
"""A loopback HTTP/1.1 server for make-http-bodies.sh and the daemon's end-to-end test: reads each
request's body (Content-Length or chunked) and answers 200 "ok", after DELAY seconds when given (as a
model API takes its time to answer, which keeps the client's socket open). It keeps nothing and
prints nothing. Usage: http_sink.py ADDRESS PORT [DELAY]"""
import http.server
import sys
import time

DELAY = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower().endswith("chunked"):
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return
                self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0"))
        if length:
            self.rfile.read(length)

    def _answer(self):
        self._body()
        time.sleep(DELAY)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Sink).serve_forever()
