#!/usr/bin/env bash
# Records test-data/captures/http-bodies.pcap: real curl requests with plaintext bodies to AI and
# non-AI host names, sent to http_sink.py on 127.0.0.1:8080 and captured with tcpdump on lo.
# Nothing leaves the machine: curl is pointed at loopback with --resolve. Every sensitive value in
# the bodies is synthetic (a test card number, made-up key, SSN and NHS numbers, a reserved
# example.com address).
#
# Needs root (capture on lo) and: apt-get install tcpdump curl python3 gzip
# What the audit must find is in http-bodies.expected.txt; HttpBodiesAuditTest checks it.
set -euo pipefail
cd "$(dirname "$0")"
out=http-bodies.pcap
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

cat >"$work/chat.json" <<'JSON'
{"model":"gpt-4o","messages":[{"role":"user","content":"Customer Jane Roe, email jane.roe@example.com, card 4111 1111 1111 1111, draft an apology"}]}
JSON
cat >"$work/debug.json" <<'JSON'
{"model":"claude-3","messages":[{"role":"user","content":"why does this fail? aws_access_key_id = AKIAZ7QXJ2M4N8P3R6TW aws_secret_access_key = q8Vt3kZr0Lw9YbN2xHc5JmPe7UfA1sDg4RiKoT6n"}]}
JSON
cat >"$work/notes.json" <<'JSON'
{"contents":[{"parts":[{"text":"Patient SSN 536-22-8817, NHS number 943 476 5919, summarise the discharge notes"}]}]}
JSON
gzip -c "$work/notes.json" >"$work/notes.json.gz"

python3 http_sink.py 127.0.0.1 8080 & sleep 0.5
tcpdump -i lo -s 0 -U -w "$out" 'tcp port 8080' 2>/dev/null & sleep 1

post() { # client, host, path, curl options...
  local client=$1 host=$2 path=$3
  shift 3
  curl -s -o /dev/null --interface "$client" --resolve "$host:8080:127.0.0.1" "$@" "http://$host:8080$path"
}
# A laptop (127.0.0.30): a chat completion with a customer's details, then a plain model list.
post 127.0.0.30 api.openai.com /v1/chat/completions -H 'Content-Type: application/json' --data-binary @"$work/chat.json"
post 127.0.0.30 api.openai.com /v1/models
# A developer (127.0.0.31): cloud keys pasted into a chunked request.
post 127.0.0.31 api.anthropic.com /v1/messages -H 'Content-Type: application/json' \
  -H 'Transfer-Encoding: chunked' --data-binary @"$work/debug.json"
# A clinic's script (127.0.0.32): patient identifiers in a gzip-compressed body.
post 127.0.0.32 generativelanguage.googleapis.com /v1beta/models/gemini-pro:generateContent \
  -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' --data-binary @"$work/notes.json.gz"
# Not an AI service: the same customer details to a web form must not be reported.
post 127.0.0.30 www.example.org /submit -H 'Content-Type: application/json' --data-binary @"$work/chat.json"

sleep 1
kill %2
wait %2 2>/dev/null || true
echo "wrote $out ($(stat -c %s "$out") bytes)"
