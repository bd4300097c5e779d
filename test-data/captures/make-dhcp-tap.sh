#!/usr/bin/env bash
# Records test-data/captures/dhcp-tap.pcap: what a sensor on a tap sees of a device that gets its address
# by DHCP and then uses AI services. A real DHCP server (dnsmasq, its DNS off), with DNS (dns_responder.py)
# and TLS (openssl s_server) servers, runs in a network namespace made for the recording; the clients are
# in a second namespace joined to it by a veth pair, where tcpdump records. The device (10.77.0.10) asks for
# a lease with real busybox udhcpc, sending its host name ALICE-LAPTOP and client FQDN
# alice-laptop.corp.example (dnsmasq's ACK gives it back as alice-laptop); udhcpc's script is /bin/true, the
# address is the one the interface already has. Then it opens TLS to api.openai.com and looks up
# chatgpt.com. 10.77.0.11, which took no lease, opens TLS to claude.ai. The same device then asks for its
# IPv6 address (fd77::10) by DHCPv6 with real ISC dhclient -6, sending the client FQDN
# alice-laptop.corp.example (dnsmasq's REPLY gives it back as alice-laptop; the script is /bin/true), and
# opens TLS to api.anthropic.com and looks up api.mistral.ai over IPv6. Nothing leaves the machine.
#
# Needs root and: apt-get install dnsmasq-base busybox isc-dhcp-client tcpdump bind9-dnsutils openssl curl
# python3 iproute2
# The expected device names are listed in dhcp-tap.expected.txt; DhcpAuditTest checks them.
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/dhcp-tap.pcap
. ./recording-netns.sh dhcpsrv
. ./recording-clients.sh dhcpcl
in_cli ip addr add 10.77.0.11/24 dev "$cliif"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=umbra-test \
  -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 2>/dev/null
# no ping before an offer: the address answers, the device has it already
in_ns dnsmasq --no-daemon --port=0 --user=root --interface="$srvif" --bind-interfaces --no-ping --log-dhcp \
  --dhcp-range=10.77.0.10,10.77.0.10,255.255.255.0,1h --dhcp-range=fd77::10,fd77::10,64,1h --dhcp-leasefile="$work/leases" \
  --pid-file="$work/dnsmasq.pid" >"$work/dnsmasq.log" 2>&1 &
in_ns python3 dns_responder.py :: 53 >/dev/null 2>&1 &
in_ns openssl s_server -quiet -www -accept 8443 -cert "$work/cert.pem" -key "$work/key.pem" >/dev/null 2>&1 &
sleep 1
in_cli tcpdump -i "$cliif" -s 0 -U -w "$out" 'port 67 or port 68 or port 546 or port 547 or port 53 or port 8443' 2>/dev/null & sleep 1

in_cli busybox udhcpc -i "$cliif" -f -q -n -t 5 -T 1 -s /bin/true -x hostname:ALICE-LAPTOP \
  -F alice-laptop.corp.example >/dev/null 2>&1
in_cli openssl s_client -connect 10.77.0.1:8443 -servername api.openai.com </dev/null >/dev/null 2>&1 || true
in_cli dig +short +tries=1 -b 10.77.0.10 @10.77.0.1 chatgpt.com A >/dev/null
in_cli curl -sk --max-time 5 --interface 10.77.0.11 --resolve 'claude.ai:8443:10.77.0.1' https://claude.ai:8443/ >/dev/null

# DHCPv6 goes out from the link-local address, once duplicate address detection is done with it
for _ in $(seq 50); do
  in_cli ip -6 -o addr show dev "$cliif" scope link | grep -v tentative | grep -q fe80 && break
  sleep 0.1
done
printf 'send fqdn.fqdn "alice-laptop.corp.example";\nsend fqdn.server-update off;\n' >"$work/dhclient6.conf"
in_cli dhclient -6 -1 -cf "$work/dhclient6.conf" -sf /bin/true -lf "$work/dhclient6.leases" \
  -pf "$work/dhclient6.pid" "$cliif" >/dev/null 2>&1
grep -q 'iaaddr fd77::10 ' "$work/dhclient6.leases"
in_cli openssl s_client -connect '[fd77::1]:8443' -servername api.anthropic.com </dev/null >/dev/null 2>&1 || true
in_cli dig +short +tries=1 @fd77::1 api.mistral.ai AAAA >/dev/null
kill "$(cat "$work/dhclient6.pid")"

sleep 1
kill %4 2>/dev/null || true
wait %4 2>/dev/null || true
echo "wrote $out ($(stat -c %s "$out") bytes)"
