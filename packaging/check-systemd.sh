#!/usr/bin/env bash
# Starts the installed package's unit under a real systemd and checks what it does (CI runs this as
# root, from check-deb.sh, while the package is installed):
#   packaging/check-systemd.sh
# The build machine has no systemd as PID 1, so one boots in a Podman container whose root is this
# machine's own root as an overlay (what the container writes is thrown away), without a network
# (only its own loopback), with the capabilities root has on a host. In it:
#   - umbra.service starts as user umbra with CAP_NET_RAW alone (its ambient set), under its sandbox
#     (ProtectSystem=strict, PrivateTmp, ...), captures on lo and reports real curl's ClientHello to a
#     TLS server there: with the user (root, from the socket table) and without the process;
#   - with the shipped attribution drop-in linked in, it has CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH
#     too, and the same curl is reported with its process;
#   - systemctl stop ends it cleanly (SIGTERM, Result=success), and its log holds no exception and
#     no third-party chatter (pcap4j's loop lines, Kafka's configuration dump).
set -euo pipefail
fail() { echo "check-systemd: FAIL: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || fail "must run as root"
command -v podman >/dev/null || fail "podman missing: apt-get install -y podman runc"
command -v runc >/dev/null || fail "runc missing: apt-get install -y runc"
[[ -x /usr/bin/umbra && -f /lib/systemd/system/umbra.service ]] || fail "the umbra package is not installed"

name=umbra-check-systemd
podman rm -f "$name" >/dev/null 2>&1 || true
trap 'podman rm -f "$name" >/dev/null 2>&1 || true' EXIT
# basic.target, not the host's default: only what the check starts runs, not every service installed on the
# host (Samba's nmbd, say, waits for a network interface the container does not have, and systemd stays
# "starting" until its start times out);
# runc: Debian 12's crun refuses hosts with cgroup v1 and v2 controllers mixed; the limits are set
# because podman's defaults are above what root may raise to without CAP_SYS_RESOURCE (CI sandboxes)
podman run -d --name "$name" --runtime runc --systemd=always --network none \
  --cap-add NET_RAW,SYS_ADMIN,SYS_PTRACE,DAC_READ_SEARCH \
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  --tmpfs /tmp:rw,notmpcopyup --tmpfs /run:rw,notmpcopyup \
  --rootfs /:O /usr/lib/systemd/systemd --unit=basic.target >/dev/null
on() { podman exec "$name" "$@"; }

for _ in $(seq 120); do
  state=$(on systemctl is-system-running 2>/dev/null || true)
  [[ $state == running || $state == degraded ]] && break
  sleep 0.5
done
[[ $state == running || $state == degraded ]] || fail "systemd in the container did not come up: $state"
echo "check-systemd: systemd up in a container ($state)"

# capture on lo, findings each second; a TLS server on lo for curl
on sed -i 's/^  interfaces: \[\]/  interfaces: [lo]/; s/^  window: 60s/  window: 1s/' /etc/umbra/umbra.yaml
on openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=api.openai.com -days 1 \
  -keyout /tmp/key.pem -out /tmp/cert.pem >/dev/null 2>&1
on systemd-run -q --unit=tls-server sh -c 'sleep 600 | openssl s_server -quiet -accept 443 -cert /tmp/cert.pem -key /tmp/key.pem'

# starts umbra and waits until it answers /healthz; prints its main pid
start() {
  on systemctl start umbra
  for _ in $(seq 120); do
    on curl -sf -o /dev/null http://127.0.0.1:9464/healthz 2>/dev/null && break
    sleep 0.5
  done
  on curl -sf -o /dev/null http://127.0.0.1:9464/healthz || fail "umbra did not become ready: $(on journalctl -u umbra --no-pager -o cat | tail -20)"
  on systemctl show -p MainPID --value umbra
}

# curl's ClientHello to api.openai.com; prints the actor of the finding the daemon with main pid $1
# gives (JSON)
hello_actor() {
  local pid=$1
  on curl -sk --max-time 3 --resolve api.openai.com:443:127.0.0.1 -o /dev/null https://api.openai.com/v1/models || true
  for _ in $(seq 20); do
    actor=$(on journalctl "_PID=$pid" --no-pager -o cat | python3 -c '
import json, sys
for line in sys.stdin:
    if line.startswith("{"):
        e = json.loads(line)
        if e.get("class_uid") == 4001 and e.get("dst_endpoint", {}).get("hostname") == "api.openai.com":
            print(json.dumps(e.get("actor", {})))
            break')
    [[ -n $actor ]] && { echo "$actor"; return; }
    sleep 0.5
  done
  fail "no finding for curl's ClientHello: $(on journalctl -u umbra --no-pager -o cat | tail -20)"
}

capabilities() {
  on grep CapAmb "/proc/$1/status" | awk '{print $2}'
}

pid=$(start)
[[ $(on stat -c %U "/proc/$pid") == umbra ]] || fail "umbra does not run as user umbra"
[[ $(capabilities "$pid") == 0000000000002000 ]] || fail "ambient capabilities $(capabilities "$pid"), not CAP_NET_RAW alone"
actor=$(hello_actor "$pid")
python3 -c 'import json,sys; a=json.loads(sys.argv[1]); sys.exit(0 if a.get("user",{}).get("name")=="root" and "process" not in a else 1)' "$actor" \
  || fail "with the unit alone, expected root and no process: $actor"
echo "check-systemd: umbra.service runs as umbra with CAP_NET_RAW alone; curl reported as root's, no process: ok"

on mkdir -p /etc/systemd/system/umbra.service.d
on ln -s /usr/share/umbra/systemd/attribution.conf /etc/systemd/system/umbra.service.d/
on systemctl daemon-reload
on systemctl stop umbra
pid=$(start)
# CAP_NET_RAW (13), CAP_SYS_PTRACE (19), CAP_DAC_READ_SEARCH (2)
[[ $(capabilities "$pid") == 0000000000082004 ]] || fail "with the drop-in, ambient capabilities $(capabilities "$pid")"
actor=$(hello_actor "$pid")
python3 -c 'import json,sys; a=json.loads(sys.argv[1]); sys.exit(0 if a.get("process",{}).get("name")=="curl" else 1)' "$actor" \
  || fail "with the drop-in, expected curl's process: $actor"
echo "check-systemd: with the attribution drop-in, curl reported with its process: ok"

on systemctl stop umbra
result=$(on systemctl show -p Result --value umbra)
status=$(on systemctl show -p ExecMainStatus --value umbra)
# the daemon's shutdown hook ends the JVM with 0, or a JVM ended by SIGTERM with 143 (SuccessExitStatus)
[[ $result == success && ($status == 0 || $status == 143) ]] || fail "stop: Result=$result ExecMainStatus=$status"
log=$(on journalctl -u umbra --no-pager -o cat)
if grep -E "\((PcapHandle|ProducerConfig|AppInfoParser)\)" <<<"$log" | head -3 | grep -q .; then
  fail "third-party chatter in umbra's log: $(grep -E '\((PcapHandle|ProducerConfig|AppInfoParser)\)' <<<"$log" | head -3)"
fi
grep -qi "exception" <<<"$log" && fail "an exception in umbra's log: $(grep -i -m3 exception <<<"$log")"
echo "check-systemd: stopped cleanly (SIGTERM, exit $status), log clean: ok"
echo "check-systemd: ok"
