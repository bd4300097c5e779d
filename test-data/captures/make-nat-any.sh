#!/usr/bin/env bash
# Records test-data/captures/nat-any.pcap: what `tcpdump -i any` sees on a host that masquerades a
# container's traffic, as Docker does. Three network namespaces made for the recording: a "host"
# that routes between a "container" (172.17.0.2, behind 172.17.0.1) and a "server" (192.0.2.53,
# beside the host's 192.0.2.10), with an nftables masquerade rule on the way out. In the container,
# real dig asks the server's dns_responder.py for chatgpt.com, real curl POSTs 20 000 bytes to
# https://chatgpt.com/ (openssl s_server) and openssl s_client says claude.ai; the host itself then
# connects to api.anthropic.com, untranslated. The capture is of `any` inside the host namespace, so
# each of the container's packets is there twice: on its veth with 172.17.0.2, on the uplink with
# 192.0.2.10 and another port. Nothing leaves the machine.
#
# Needs root and: apt-get install nftables tcpdump bind9-dnsutils openssl curl python3 iproute2
# NatAnyAuditTest reads the file (and tshark's reading of it).
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/nat-any.pcap
. ./recording-netns.sh nat
container=umbra-nat-c-$$
server=umbra-nat-s-$$
trap 'ip netns pids "$container" 2>/dev/null | xargs -r kill 2>/dev/null || true
      ip netns pids "$server" 2>/dev/null | xargs -r kill 2>/dev/null || true
      ip netns del "$container" 2>/dev/null || true; ip netns del "$server" 2>/dev/null || true; cleanup' EXIT
ip netns add "$container"
ip netns add "$server"
in_c() { ip netns exec "$container" "$@"; }
in_s() { ip netns exec "$server" "$@"; }
ip link add veth-c type veth peer name eth0 netns "$container"
ip link set veth-c netns "$ns"
ip link add uplink type veth peer name eth0 netns "$server"
ip link set uplink netns "$ns"
in_ns ip addr add 172.17.0.1/16 dev veth-c
in_ns ip addr add 192.0.2.10/24 dev uplink
in_ns ip link set veth-c up
in_ns ip link set uplink up
in_ns sysctl -qw net.ipv4.ip_forward=1
in_c ip addr add 172.17.0.2/16 dev eth0
in_c ip link set eth0 up
in_c ip link set lo up
in_c ip route add default via 172.17.0.1
in_s ip addr add 192.0.2.53/24 dev eth0
in_s ip link set eth0 up
in_s ip link set lo up
in_ns nft add table ip nat
in_ns nft add chain ip nat post '{ type nat hook postrouting priority srcnat; }'
in_ns nft add rule ip nat post ip saddr 172.17.0.0/16 oifname uplink masquerade

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=umbra-test \
  -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 2>/dev/null
in_s python3 dns_responder.py 192.0.2.53 53 >"$work/dns.log" 2>&1 &
in_s openssl s_server -quiet -www -accept 443 -cert "$work/cert.pem" -key "$work/key.pem" >/dev/null 2>&1 &
sleep 1
in_ns tcpdump -i any --immediate-mode -s 0 -U -w "$out" 'tcp or udp' 2>/dev/null &
sleep 1

in_c dig +short +tries=1 @192.0.2.53 chatgpt.com A >/dev/null
head -c 20000 /dev/zero | tr '\0' 'u' >"$work/upload.txt"
# s_server -www answers no POST: curl sends all of it, then gives up after 2 s
in_c curl -sk --max-time 2 --resolve chatgpt.com:443:192.0.2.53 --data-binary @"$work/upload.txt" \
  https://chatgpt.com/ -o /dev/null || true
in_c openssl s_client -connect 192.0.2.53:443 -servername claude.ai </dev/null >/dev/null 2>&1
in_ns curl -sk --max-time 5 --resolve api.anthropic.com:443:192.0.2.53 https://api.anthropic.com/ -o /dev/null

sleep 1
kill %3 2>/dev/null || true
wait %3 2>/dev/null || true
echo "wrote $out ($(stat -c %s "$out") bytes)"
