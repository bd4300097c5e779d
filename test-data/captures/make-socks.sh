#!/usr/bin/env bash
# Records test-data/captures/socks.pcap: real curl going through a real SOCKS proxy (Dante's
# danted) to openssl s_server, with SOCKS5 and a name (socks5h: the proxy resolves it), SOCKS5 and
# SOCKS4 with an address curl looked up first through dns_responder.py, and SOCKS5 with a user name
# and password. Everything runs inside a network namespace made for the recording, on its loopback
# (nothing leaves the machine), and is captured there with tcpdump.
#
# Needs root and: apt-get install dante-server tcpdump bind9-dnsutils openssl curl python3 iproute2
# The expected AI services are listed in socks.expected.txt; SocksAuditTest checks them.
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/socks.pcap
. ./recording-netns.sh socks
in_ns ip addr add 127.0.0.10/8 dev lo 2>/dev/null || true
# the proxy resolves socks5h names from the namespace's own hosts file (ip netns exec mounts it)
mkdir -p "/etc/netns/$ns"
printf '127.0.0.1 localhost\n127.0.0.1 api.openai.com api.anthropic.com\n' > "/etc/netns/$ns/hosts"
# the user the proxy checks the password of (RFC 1929), made only inside this recording's files
cat > "$work/danted.conf" <<CONF
logoutput: stderr
internal: 127.0.0.1 port = 1080
external: 127.0.0.1
clientmethod: none
socksmethod: none username
user.privileged: root
user.unprivileged: nobody
client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0 command: connect }
CONF

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=umbra-test \
  -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 2>/dev/null
in_ns python3 dns_responder.py 127.0.0.1 53 & sleep 0.5
in_ns openssl s_server -quiet -www -accept 8443 -cert "$work/cert.pem" -key "$work/key.pem" >/dev/null 2>&1 &
in_ns danted -f "$work/danted.conf" >"$work/danted.log" 2>&1 & sleep 1
in_ns tcpdump -i lo -s 0 -U -w "$out" 'port 53 or port 1080' 2>/dev/null & sleep 1

curl_via() { in_ns curl -sk --max-time 5 --interface 127.0.0.10 "$@" -o /dev/null; }
# socks5h: only the proxy resolves the name, so no DNS on the wire; TLS inside names it again
curl_via --socks5-hostname 127.0.0.1:1080 https://api.openai.com:8443/
# socks5h with the password method offered: danted picks "none", so none is sent
curl_via --socks5-hostname 127.0.0.1:1080 --proxy-user synthetic-user:synthetic-password \
  https://api.anthropic.com:8443/ || true
# SOCKS5 and SOCKS4 by address: curl looks the name up first (dig here, as a stub resolver would)
in_ns dig +short +tries=1 -b 127.0.0.10 @127.0.0.1 claude.ai A >/dev/null
curl_via --socks5 127.0.0.1:1080 --resolve claude.ai:8443:127.0.0.1 https://claude.ai:8443/
in_ns dig +short +tries=1 -b 127.0.0.10 @127.0.0.1 huggingface.co A >/dev/null
curl_via --socks4 127.0.0.1:1080 --resolve huggingface.co:8443:127.0.0.1 https://huggingface.co:8443/

sleep 1
kill %4 2>/dev/null || true
wait %4 2>/dev/null || true
echo "wrote $out ($(stat -c %s "$out") bytes)"
