#!/usr/bin/env bash
# Records test-data/captures/kerberos-tap.pcap: what a sensor on a tap sees of two users who log in
# to Kerberos and then use AI services. A real MIT KDC (krb5kdc, realm UMBRA.TEST, pre-authentication
# required) serves in a network namespace made for the recording; the client side is a second
# namespace joined to it by a veth pair, where tcpdump records. alice (10.77.0.10) logs in over UDP
# and IPv4 and asks a service ticket (kvno), a computer account (WS01$) logs in from her address too,
# then she opens TLS to api.openai.com and looks up chatgpt.com; bob (fd77::10) logs in over TCP and
# IPv6 and opens TLS to claude.ai. Keys come from keytabs made for the recording (no password
# anywhere). Nothing leaves the machine.
#
# Needs root and: apt-get install krb5-kdc krb5-admin-server krb5-user tcpdump bind9-dnsutils openssl
#   curl python3 iproute2
# The expected users are listed in kerberos-tap.expected.txt; KerberosAuditTest checks them.
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/kerberos-tap.pcap
. ./recording-netns.sh krbsrv
. ./recording-clients.sh krbcli

realm=UMBRA.TEST
cat > "$work/kdc.conf" <<CONF
[kdcdefaults]
  kdc_ports = 88
  kdc_tcp_ports = 88
[realms]
  $realm = {
    database_name = $work/principal
    key_stash_file = $work/stash
    acl_file = $work/kadm5.acl
    supported_enctypes = aes256-cts-hmac-sha1-96:normal
  }
[logging]
  kdc = FILE:$work/kdc.log
CONF
client_conf() { # file, KDC address, udp_preference_limit (1: TCP only)
  printf '[libdefaults]\n  default_realm = %s\n  dns_lookup_kdc = false\n  dns_lookup_realm = false\n  rdns = false\n  udp_preference_limit = %s\n[realms]\n  %s = {\n    kdc = %s:88\n  }\n' \
    "$realm" "$3" "$realm" "$2" > "$1"
}
client_conf "$work/krb5-v4.conf" 10.77.0.1 1465
client_conf "$work/krb5-v6.conf" '[fd77::1]' 1
export KRB5_KDC_PROFILE=$work/kdc.conf KRB5_CONFIG=$work/krb5-v4.conf
kdb5_util create -s -r "$realm" -P "SYNTHETIC-master-$$" >/dev/null
for p in alice bob 'WS01$'; do
  kadmin.local -q "addprinc -randkey +requires_preauth $p" >/dev/null 2>&1
  kadmin.local -q "ktadd -k $work/${p%\$}.keytab $p" >/dev/null 2>&1
done
kadmin.local -q "addprinc -randkey HTTP/proxy.umbra.test" >/dev/null 2>&1

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=umbra-test \
  -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 2>/dev/null
in_ns krb5kdc -n >"$work/krb5kdc.out" 2>&1 &
in_ns python3 dns_responder.py :: 53 >/dev/null 2>&1 &
in_ns openssl s_server -quiet -www -accept 8443 -cert "$work/cert.pem" -key "$work/key.pem" >/dev/null 2>&1 & sleep 1
in_cli tcpdump -i "$cliif" -s 0 -U -w "$out" 'port 88 or port 53 or port 8443' 2>/dev/null & sleep 1

kinit_as() { # client configuration, principal
  KRB5_CONFIG=$1 KRB5CCNAME=$work/cc-${2%\$} in_cli kinit -k -t "$work/${2%\$}.keytab" "$2"
}
kinit_as "$work/krb5-v4.conf" alice
KRB5CCNAME=$work/cc-alice in_cli kvno HTTP/proxy.umbra.test >/dev/null
kinit_as "$work/krb5-v4.conf" 'WS01$'
in_cli openssl s_client -connect 10.77.0.1:8443 -servername api.openai.com </dev/null >/dev/null 2>&1 || true
in_cli dig +short +tries=1 @10.77.0.1 chatgpt.com A >/dev/null
kinit_as "$work/krb5-v6.conf" bob
in_cli curl -sk --max-time 5 --resolve 'claude.ai:8443:[fd77::1]' https://claude.ai:8443/ >/dev/null

sleep 1
kill %4 2>/dev/null || true
wait %4 2>/dev/null || true
echo "wrote $out ($(stat -c %s "$out") bytes)"
