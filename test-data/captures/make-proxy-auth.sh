#!/usr/bin/env bash
# Records test-data/captures/proxy-auth.pcap: real curl authenticating to proxies, so that the user
# behind each request is on the wire:
#   - to a real Squid (Basic with basic_ncsa_auth and a password file made here; NTLM with Squid's
#     ntlm_fake_auth helper, which accepts any NTLM user; Digest with digest_file_auth and a password
#     file made here): a CONNECT to api.openai.com as "alice" with Basic, a CONNECT to claude.ai as
#     CORP\bob with NTLM (NEGOTIATE, Squid's CHALLENGE, AUTHENTICATE on the same connection), and a
#     CONNECT to gemini.google.com as "erin" with Digest (first without credentials, answered 407 with
#     Squid's nonce, then with them); then TLS to openssl s_server through each tunnel;
#   - to socks_auth_proxy.py (Dante checks RFC 1929 passwords against the system's users, which a
#     recording should not create): SOCKS5 with user name and password as "carol" to huggingface.co
#     (socks5h), and SOCKS4 with USERID "dave" to api.anthropic.com by address.
# Everything runs inside a network namespace made for the recording, on its loopback (nothing leaves
# the machine), captured there with tcpdump. Every password is synthetic.
#
# Needs root and: apt-get install squid openssl curl python3 tcpdump tshark iproute2
#
# Then it writes proxy-auth.expected.txt: for each request that names a user, the client port and
# the user as tshark reads it (ntlmssp.auth.domain and .username, socks.username, the user-id of a
# Basic http.proxy_authorization, decoded here, the password part dropped; and a Digest one's
# username parameter). ProxyAuthAuditTest
# runs the same tshark command and compares. It also writes proxy-auth.headers.txt, the
# Proxy-Authorization values curl sent as tshark reads them (Basic, NTLM's NEGOTIATE and
# AUTHENTICATE messages, Digest; with synthetic passwords), for ProxyAuthTest.
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/proxy-auth.pcap
expected=$PWD/proxy-auth.expected.txt
. ./recording-netns.sh proxyauth
mkdir -p "/etc/netns/$ns"
printf '127.0.0.1 localhost\n127.0.0.2 api.openai.com claude.ai huggingface.co api.anthropic.com gemini.google.com\n' \
  > "/etc/netns/$ns/hosts"

# squid drops to its own user: the work directory and the password file must be open to it
chmod 777 "$work"
printf 'alice:%s\n' "$(openssl passwd -apr1 SYNTHETIC-alice-pw)" > "$work/passwd"
printf 'erin:SYNTHETIC-erin-pw\n' > "$work/digest-passwd"
chmod 644 "$work/passwd" "$work/digest-passwd"
cat > "$work/squid.conf" <<CONF
http_port 127.0.0.1:3128
pid_filename $work/squid.pid
cache_log $work/cache.log
access_log $work/access.log
coredump_dir $work
cache deny all
cache_mem 8 MB
shutdown_lifetime 0 seconds
hosts_file /etc/hosts
auth_param ntlm program /usr/lib/squid/ntlm_fake_auth
auth_param ntlm children 2
auth_param basic program /usr/lib/squid/basic_ncsa_auth $work/passwd
auth_param basic realm umbra-test
auth_param digest program /usr/lib/squid/digest_file_auth $work/digest-passwd
auth_param digest realm umbra-test
acl authed proxy_auth REQUIRED
http_access allow authed
http_access deny all
CONF

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=umbra-test \
  -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 2>/dev/null
in_ns openssl s_server -quiet -www -accept 127.0.0.2:443 -cert "$work/cert.pem" -key "$work/key.pem" \
  >/dev/null 2>&1 &
in_ns squid -N -f "$work/squid.conf" >"$work/squid.out" 2>&1 &
in_ns /usr/bin/python3 socks_auth_proxy.py 127.0.0.1 1080 >"$work/socks.out" 2>&1 &
for _ in $(seq 50); do
  in_ns bash -c 'echo > /dev/tcp/127.0.0.1/3128' 2>/dev/null && break
  sleep 0.2
done
in_ns tcpdump -i lo -s 0 -U -w "$out" 'tcp port 3128 or tcp port 1080' 2>/dev/null &
tcpdump_pid=$!
sleep 1

fetch() { in_ns curl -sSk --max-time 10 -o /dev/null "$@"; }
fetch -x http://127.0.0.1:3128 --proxy-basic -U alice:SYNTHETIC-alice-pw https://api.openai.com/
fetch -x http://127.0.0.1:3128 --proxy-ntlm -U 'CORP\bob:SYNTHETIC-bob-pw' https://claude.ai/
fetch -x http://127.0.0.1:3128 --proxy-digest -U erin:SYNTHETIC-erin-pw https://gemini.google.com/
fetch --socks5-hostname 127.0.0.1:1080 --proxy-user carol:SYNTHETIC-carol-pw https://huggingface.co/
fetch --socks4 127.0.0.1:1080 --proxy-user dave: --resolve api.anthropic.com:443:127.0.0.2 \
  https://api.anthropic.com/

sleep 1
kill "$tcpdump_pid" 2>/dev/null || true
wait "$tcpdump_pid" 2>/dev/null || true
echo "wrote $out ($(stat -c %s "$out") bytes)"

{
  printf '# tshark 4 on proxy-auth.pcap (command in make-proxy-auth.sh): client port, user\n'
  tshark -n -r "$out" -Y 'http.proxy_authorization || ntlmssp.messagetype == 3 || socks.username' -T fields \
    -E 'separator=|' -e tcp.srcport -e ntlmssp.auth.domain -e ntlmssp.auth.username -e socks.username \
    -e http.proxy_authorization |
  while IFS='|' read -r port domain user socks auth; do
    if [[ -n "$user" ]]; then
      printf '%s\t%s\n' "$port" "${domain:+$domain\\}$user"
    elif [[ -n "$socks" ]]; then
      printf '%s\t%s\n' "$port" "$socks"
    elif [[ "$auth" == Basic\ * ]]; then
      printf '%s\t%s\n' "$port" "$(printf '%s' "${auth#Basic }" | base64 -d | cut -d: -f1)"
    elif [[ "$auth" =~ ^Digest\ .*username=\"([^\"]*)\" ]]; then
      printf '%s\t%s\n' "$port" "${BASH_REMATCH[1]}"
    fi
  done
} > "$expected"
echo "wrote $expected"
{
  printf '# Proxy-Authorization values in proxy-auth.pcap (make-proxy-auth.sh), as tshark reads them\n'
  tshark -n -r "$out" -Y http.proxy_authorization -T fields -e http.proxy_authorization
} > proxy-auth.headers.txt
echo "wrote $PWD/proxy-auth.headers.txt"
