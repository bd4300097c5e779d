#!/usr/bin/env bash
# Records test-data/captures/chromium-ech.pcap: a real browser sending Encrypted Client Hellos.
# Debian's Chromium, headless, opens https://chatgpt.com/ inside a network namespace made for the
# recording, whose resolv.conf points at dns_responder.py on its loopback. The responder answers
# chatgpt.com's A query with 127.0.0.2 and its HTTPS query with alpn h3,h2 and an ECH config whose
# public name is ech-public.umbra-test.example (other names: NXDOMAIN). So Chromium sends a QUIC
# Initial with ECH to 127.0.0.2:443 (udp_sink.py: takes datagrams, answers none) and TLS hellos
# with ECH to openssl s_server there; s_server knows no ECH, so Chromium then falls back to hellos
# without it (the real name, GREASE ECH). Everything stays on the namespace's loopback, captured there
# with tcpdump; nothing leaves the machine.
#
# Needs root and: apt-get install chromium openssl python3 tcpdump iproute2
# ChromiumEchAuditTest reads the file (and tshark's reading of it).
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/chromium-ech.pcap
. ./recording-netns.sh chromiumech
in_ns ip addr add 127.0.0.2/8 dev lo 2>/dev/null || true
mkdir -p "/etc/netns/$ns"
printf 'nameserver 127.0.0.1\n' > "/etc/netns/$ns/resolv.conf"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=umbra-test \
  -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 2>/dev/null
in_ns python3 dns_responder.py 127.0.0.1 53 --a 127.0.0.2 --ech ech-public.umbra-test.example \
  --alpn h3,h2 --only chatgpt.com >"$work/dns.log" 2>&1 &
in_ns openssl s_server -quiet -www -accept 127.0.0.2:443 -cert "$work/cert.pem" -key "$work/key.pem" \
  >/dev/null 2>&1 &
in_ns python3 udp_sink.py 127.0.0.2 443 >/dev/null &
sleep 1
in_ns tcpdump -i lo -s 0 -U -w "$out" 'port 53 or port 443' 2>/dev/null &
tcpdump_pid=$!
sleep 1

in_ns timeout 60 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --disable-default-apps \
  --ignore-certificate-errors --user-data-dir="$work/profile" --dump-dom https://chatgpt.com/ \
  >/dev/null 2>"$work/chromium.log" || { cat "$work/chromium.log" >&2; exit 1; }

sleep 1
kill "$tcpdump_pid" 2>/dev/null || true
wait "$tcpdump_pid" 2>/dev/null || true
echo "wrote $out ($(stat -c %s "$out") bytes)"
