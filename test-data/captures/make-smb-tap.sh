#!/usr/bin/env bash
# Records test-data/captures/smb-tap.pcap: what a sensor on a tap sees of users who open a file share
# with NTLM and then use AI services. A real Samba server (smbd, workgroup UMBRATEST, standalone, no
# guest) serves in a network namespace made for the recording, with DNS (dns_responder.py) and TLS
# (openssl s_server); the clients are in a second namespace joined to it by a veth pair, where tcpdump
# records. alice (10.77.0.10) lists the share with smbclient over IPv4 (SMB 3.1.1, NTLMv2 in SPNEGO),
# then opens TLS to api.openai.com and looks up chatgpt.com; 10.77.0.11 tries bob's account with a wrong
# password (refused: no one named there) and opens TLS to claude.ai; bob (fd77::10) lists the share over
# IPv6 and opens TLS to claude.ai. The accounts are system users made for the recording and removed after
# it; passwords are synthetic and reach smbclient through PASSWD. Nothing leaves the machine.
#
# Needs root and: apt-get install samba smbclient tcpdump bind9-dnsutils openssl curl python3 iproute2
# The expected users are listed in smb-tap.expected.txt; SmbAuditTest checks them.
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/smb-tap.pcap
. ./recording-netns.sh smbsrv
. ./recording-clients.sh smbcli
users=(umbra-smb-alice umbra-smb-bob)
trap 'for u in "${users[@]}"; do userdel "$u" 2>/dev/null || true; done; cleanup_clients' EXIT
in_cli ip addr add 10.77.0.11/24 dev "$cliif"

mkdir -p "$work"/{private,lock,state,cache,pid,ncalrpc,share}
chmod 755 "$work" "$work/share"
cat > "$work/smb.conf" <<CONF
[global]
  workgroup = UMBRATEST
  netbios name = FILES
  server role = standalone server
  security = user
  map to guest = never
  passdb backend = tdbsam:$work/private/passdb.tdb
  private dir = $work/private
  lock directory = $work/lock
  state directory = $work/state
  cache directory = $work/cache
  pid directory = $work/pid
  ncalrpc dir = $work/ncalrpc
  log file = $work/smbd.log
  smb ports = 445
  disable netbios = yes
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
[share]
  path = $work/share
  read only = yes
CONF
for u in "${users[@]}"; do
  useradd --system --no-create-home --shell /usr/sbin/nologin "$u"
  pw="SYNTHETIC-$u-pw1"
  printf '%s\n%s\n' "$pw" "$pw" | smbpasswd -c "$work/smb.conf" -s -a "$u" >/dev/null
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=umbra-test \
  -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 2>/dev/null
# smbd in a process group of its own (no --no-process-group): it signals its whole group when it stops
in_ns smbd --foreground -s "$work/smb.conf" >"$work/smbd.out" 2>&1 &
in_ns python3 dns_responder.py :: 53 >/dev/null 2>&1 &
in_ns openssl s_server -quiet -www -accept 8443 -cert "$work/cert.pem" -key "$work/key.pem" >/dev/null 2>&1 &
sleep 2
in_cli tcpdump -i "$cliif" -s 0 -U -w "$out" 'port 445 or port 53 or port 8443' 2>/dev/null & sleep 1

list() { # server address, user, password (the source address is the route's)
  PASSWD=$3 in_cli smbclient -s /dev/null //FILES/share -I "$1" -U "UMBRATEST/$2" -c ls >/dev/null 2>&1
}
list 10.77.0.1 umbra-smb-alice SYNTHETIC-umbra-smb-alice-pw1
in_cli openssl s_client -connect 10.77.0.1:8443 -servername api.openai.com </dev/null >/dev/null 2>&1 || true
in_cli dig +short +tries=1 -b 10.77.0.10 @10.77.0.1 chatgpt.com A >/dev/null
in_cli ip route replace 10.77.0.0/24 dev "$cliif" src 10.77.0.11
if list 10.77.0.1 umbra-smb-bob wrong-password; then
  echo "make-smb-tap.sh: a wrong password was accepted" >&2
  exit 1
fi
in_cli curl -sk --max-time 5 --interface 10.77.0.11 --resolve 'claude.ai:8443:10.77.0.1' https://claude.ai:8443/ >/dev/null
in_cli ip route replace 10.77.0.0/24 dev "$cliif" src 10.77.0.10
list fd77::1 umbra-smb-bob SYNTHETIC-umbra-smb-bob-pw1
in_cli curl -sk --max-time 5 --resolve 'claude.ai:8443:[fd77::1]' https://claude.ai:8443/ >/dev/null

sleep 1
kill %4 2>/dev/null || true
wait %4 2>/dev/null || true
echo "wrote $out ($(stat -c %s "$out") bytes)"
