#!/usr/bin/env bash
# Records test-data/captures/ai-sample.pcap: real dig, openssl s_client and curl traffic on
# loopback to AI and non-AI host names, captured with tcpdump. Nothing leaves the machine: DNS is
# answered by dns_responder.py on 127.0.0.1:53 and TLS by openssl s_server on port 8443, and curl
# and s_client are pointed at loopback with --resolve / -connect.
#
# Needs root (port 53, capture on lo) and: apt-get install tcpdump bind9-dnsutils openssl curl python3
# The expected AI services are listed in ai-sample.expected.txt; the audit test checks them.
set -euo pipefail
cd "$(dirname "$0")"
out=ai-sample.pcap
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=umbra-test \
  -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 2>/dev/null
python3 dns_responder.py 127.0.0.1 53 & sleep 0.5
openssl s_server -quiet -www -accept 8443 -cert "$work/cert.pem" -key "$work/key.pem" >/dev/null 2>&1 & sleep 0.5
tcpdump -i lo -s 0 -U -w "$out" 'port 53 or port 8443' 2>/dev/null & sleep 1

# A developer laptop (127.0.0.10): the chat apps and model hubs, over UDP DNS.
for name in chatgpt.com www.chatgpt.com claude.ai huggingface.co gemini.google.com www.perplexity.ai \
            www.wikipedia.org github.com notopenai.com; do
  dig +short +tries=1 -b 127.0.0.10 @127.0.0.1 "$name" A >/dev/null
done
dig +short +tries=1 -b 127.0.0.10 @127.0.0.1 huggingface.co AAAA >/dev/null
# A build server (127.0.0.20): model APIs, one lookup over TCP.
for name in api.openai.com api.deepseek.com www.debian.org; do
  dig +short +tries=1 -b 127.0.0.20 @127.0.0.1 "$name" A >/dev/null
done
dig +short +tcp +tries=1 -b 127.0.0.20 @127.0.0.1 api.mistral.ai A >/dev/null

# TLS ClientHellos from the build server: an API client, a coding assistant, look-alikes.
for name in api.anthropic.com copilot-proxy.githubusercontent.com example.org openai.com.evil.example; do
  openssl s_client -connect 127.0.0.1:8443 -bind 127.0.0.20:0 -servername "$name" </dev/null >/dev/null 2>&1 || true
done
# Browsers: curl over IPv4 and IPv6 loopback.
curl -sk --interface 127.0.0.10 --resolve chat.mistral.ai:8443:127.0.0.1 https://chat.mistral.ai:8443/ >/dev/null || true
curl -sk --resolve chatgpt.com:8443:127.0.0.1 --interface 127.0.0.10 https://chatgpt.com:8443/ >/dev/null || true
curl -sk -6 --resolve generativelanguage.googleapis.com:8443:[::1] \
  https://generativelanguage.googleapis.com:8443/ >/dev/null || true
curl -sk --resolve www.debian.org:8443:127.0.0.1 https://www.debian.org:8443/ >/dev/null || true

sleep 1
kill %3 2>/dev/null || true
wait %3 2>/dev/null || true
echo "wrote $out ($(stat -c %s "$out") bytes)"
