#!/usr/bin/env bash
# Records test-data/captures/h2c.pcap: cleartext HTTP/2 with prior knowledge (h2c), from real
# clients to real servers, on the ports and paths of self-hosted model servers:
#   - curl --http2-prior-knowledge to nghttpd --no-tls on 11434 (Ollama-like: POST /api/chat with a
#     query and a synthetic Authorization header and cookie, GET /api/tags) and on 8000 (vLLM-like:
#     POST /v1/chat/completions as vllm.lab.example);
#   - gRPC calls from python3-grpcio (grpc_peer.py) to a python3-grpcio server on 8001 (Triton's
#     /inference.GRPCInferenceService/ModelInfer, :authority triton.lab.example:8001) and 8500 (TF
#     Serving's /tensorflow.serving.PredictionService/Predict, :authority tfserving.lab.example:8500);
#   - several requests on one connection: nghttp POSTs one JSON body (30 KB, ending in a synthetic
#     e-mail address and SSN) to /api/generate and /api/chat on 11434 at once (interleaved DATA
#     frames), and grpc_peer.py's "calls" makes three calls on one channel to 8001 (ModelInfer with a
#     synthetic SSN in its protobuf message, ModelMetadata, ModelInfer gzip-compressed with a
#     synthetic AWS secret key).
# Servers listen on 127.0.0.2, clients connect from 127.0.0.1;
# everything runs inside a network namespace made for the recording, on its loopback (nothing
# leaves the machine), captured there with tcpdump. Tokens, cookies and bodies are synthetic.
#
# Needs root and: apt-get install nghttp2-server nghttp2-client python3-grpcio curl tcpdump tshark iproute2
#
# Then it writes h2c.expected.txt with tshark's reading of the capture (one line a request HEADERS
# frame; Http2AuditTest runs the same command and compares):
#   tshark -n -r h2c.pcap -d tcp.port==11434,http2 -d tcp.port==8000,http2 -d tcp.port==8001,http2 \
#     -d tcp.port==8500,http2 -Y 'http2.type == 1 && http2.headers.method' -T fields \
#     -e tcp.srcport -e tcp.dstport -e http2.headers.method -e http2.headers.authority -e http2.headers.path
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/h2c.pcap
expected=$PWD/h2c.expected.txt
. ./recording-netns.sh h2c

# what nghttpd serves (it answers POST with the file as well)
mkdir -p "$work/htdocs/api" "$work/htdocs/v1/chat"
printf '{"models":[{"name":"llama3:8b"}]}\n' > "$work/htdocs/api/tags"
printf '{"message":{"role":"assistant","content":"synthetic"},"done":true}\n' > "$work/htdocs/api/chat"
printf '{"choices":[{"message":{"content":"synthetic"}}]}\n' > "$work/htdocs/v1/chat/completions"
printf '{"response":"synthetic","done":true}\n' > "$work/htdocs/api/generate"
{
  printf '{"model":"llama3:8b","prompt":"'
  for _ in $(seq 1700); do printf 'Notes of the day. '; done
  printf 'Write to pat.doe@example.com, SSN 412-58-3306"}'
} > "$work/post.json"

in_ns nghttpd --no-tls -a 127.0.0.2 -d "$work/htdocs" 11434 >"$work/nghttpd-11434.log" 2>&1 &
in_ns nghttpd --no-tls -a 127.0.0.2 -d "$work/htdocs" 8000 >"$work/nghttpd-8000.log" 2>&1 &
in_ns /usr/bin/python3 grpc_peer.py serve 127.0.0.2 8001 8500 >"$work/grpc.log" 2>&1 &
sleep 1
in_ns tcpdump -i lo --immediate-mode -s 0 -U -w "$out" 'tcp port 11434 or tcp port 8000 or tcp port 8001 or tcp port 8500' \
  2>/dev/null &
tcpdump_pid=$!
sleep 1

h2() { in_ns curl -sS --max-time 5 --http2-prior-knowledge --noproxy '*' -o /dev/null "$@"; }
h2 --resolve ollama.lab.example:11434:127.0.0.2 -H 'Authorization: Bearer sk-SYNTHETIC-h2c-token-0000' \
  -H 'Cookie: session=SYNTHETIC-h2c-cookie' -H 'Content-Type: application/json' \
  -d '{"model":"llama3:8b","messages":[{"role":"user","content":"synthetic"}]}' \
  'http://ollama.lab.example:11434/api/chat?token=SYNTHETIC-h2c-query'
h2 --resolve ollama.lab.example:11434:127.0.0.2 http://ollama.lab.example:11434/api/tags
h2 --resolve vllm.lab.example:8000:127.0.0.2 -H 'Authorization: Bearer sk-SYNTHETIC-h2c-token-0000' \
  -H 'Content-Type: application/json' -d '{"model":"synthetic","messages":[]}' \
  http://vllm.lab.example:8000/v1/chat/completions
in_ns /usr/bin/python3 grpc_peer.py call 127.0.0.2:8001 triton.lab.example:8001 \
  /inference.GRPCInferenceService/ModelInfer >/dev/null
in_ns /usr/bin/python3 grpc_peer.py call 127.0.0.2:8500 tfserving.lab.example:8500 \
  /tensorflow.serving.PredictionService/Predict >/dev/null
in_ns nghttp -n -d "$work/post.json" -H ':authority: ollama.lab.example:11434' \
  -H 'content-type: application/json' -H 'authorization: Bearer sk-SYNTHETIC-h2c-token-0000' \
  http://127.0.0.2:11434/api/generate http://127.0.0.2:11434/api/chat
in_ns /usr/bin/python3 grpc_peer.py calls 127.0.0.2:8001 triton.lab.example:8001 >/dev/null

sleep 1
kill "$tcpdump_pid" 2>/dev/null || true
wait "$tcpdump_pid" 2>/dev/null || true
echo "wrote $out ($(stat -c %s "$out") bytes)"

{
  printf '# tshark 4 on h2c.pcap (command in make-h2c.sh): client port, server port, :method, :authority, :path\n'
  tshark -n -r "$out" -d tcp.port==11434,http2 -d tcp.port==8000,http2 -d tcp.port==8001,http2 \
    -d tcp.port==8500,http2 -Y 'http2.type == 1 && http2.headers.method' -T fields \
    -e tcp.srcport -e tcp.dstport -e http2.headers.method -e http2.headers.authority -e http2.headers.path
} > "$expected"
echo "wrote $expected"
