#!/usr/bin/env bash
# Installs the built .deb on this machine, checks it, and removes it again (CI runs this as root).
#   packaging/check-deb.sh [path/to/umbra_*.deb]
# Checks: dpkg -i succeeds; `umbra --version` works as installed; the umbra user, /var/lib/umbra
# and the conffile exist; `systemd-analyze verify` accepts the unit, alone and with the attribution
# drop-in; the unit runs under a real systemd (check-systemd.sh); dpkg -r keeps the conffile;
# dpkg --purge removes the user, the state directory and the conffile.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=${1:-$(ls cli/target/umbra_*_all.deb 2>/dev/null | head -1)}
if [[ -z "$deb" || ! -f "$deb" ]]; then
  echo "check-deb: no package; build it with 'mvn -DskipTests package'" >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "check-deb: must run as root (dpkg -i)" >&2
  exit 1
fi
fail() { echo "check-deb: FAIL: $*" >&2; exit 1; }

if dpkg-query -W umbra >/dev/null 2>&1; then
  dpkg --purge umbra >/dev/null
fi
echo "check-deb: dpkg -i $deb"
dpkg -i "$deb"
version=$(/usr/bin/umbra --version | head -1)
[[ "$version" == umbra* ]] || fail "umbra --version printed '$version'"
echo "check-deb: installed: $version"
getent passwd umbra >/dev/null || fail "no umbra user"
[[ $(stat -c %U /var/lib/umbra) == umbra ]] || fail "/var/lib/umbra not owned by umbra"
[[ -f /etc/umbra/umbra.yaml ]] || fail "no /etc/umbra/umbra.yaml"
[[ $(stat -c %a /etc/umbra/hmac.key) == 640 && $(wc -c < /etc/umbra/hmac.key) -eq 64 ]] || fail "no 32-byte HMAC key in /etc/umbra/hmac.key"
grep -qx /etc/umbra/umbra.yaml /var/lib/dpkg/info/umbra.conffiles || fail "umbra.yaml is not a conffile"
/usr/bin/umbra config check /etc/umbra/umbra.yaml >/dev/null || fail "shipped configuration does not validate"
[[ -s /var/cache/umbra/umbra.jsa ]] || fail "postinst made no class data sharing archive /var/cache/umbra/umbra.jsa"
cds_out=$(/usr/bin/umbra --version 2>&1)
[[ "$cds_out" != *warning* ]] || fail "umbra --version with the CDS archive printed a warning: $cds_out"
java -XX:SharedArchiveFile=/var/cache/umbra/umbra.jsa -Xshare:on -XX:+UseSerialGC -jar /usr/share/umbra/umbra.jar --version \
  >/dev/null 2>&1 || fail "the JVM refuses /var/cache/umbra/umbra.jsa (-Xshare:on)"
[[ -f /usr/share/umbra/jit-directives.json ]] || fail "no /usr/share/umbra/jit-directives.json (the launcher's JIT directives)"
java -XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=/usr/share/umbra/jit-directives.json -version \
  >/dev/null 2>&1 || fail "the JVM refuses /usr/share/umbra/jit-directives.json"
for setting in 'User=umbra' 'AmbientCapabilities=CAP_NET_RAW' 'CapabilityBoundingSet=CAP_NET_RAW' 'NoNewPrivileges=yes' \
                'ProtectSystem=strict' 'ReadWritePaths=/var/lib/umbra' 'Restart=on-failure'; do
  grep -qx "$setting" /lib/systemd/system/umbra.service || fail "unit lacks $setting"
done
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze verify /lib/systemd/system/umbra.service 2>&1 || true)
  # verify prints nothing for a good unit; on a machine without a running systemd it may warn about
  # the environment, which is not the unit's fault
  if grep -i "umbra.service" <<<"$out" | grep -viE "not running|Failed to connect|No such file or directory.*bus"; then
    fail "systemd-analyze verify: $out"
  fi
  echo "check-deb: systemd-analyze verify ok"
  # the opt-in drop-in (docs/daemon.md, "Attribution"): verified as it is used, linked into the unit's .d
  dropin=/usr/share/umbra/systemd/attribution.conf
  [[ -f $dropin ]] || fail "no $dropin"
  mkdir -p /etc/systemd/system/umbra.service.d
  ln -sf "$dropin" /etc/systemd/system/umbra.service.d/attribution.conf
  out=$(systemd-analyze verify /lib/systemd/system/umbra.service 2>&1 || true)
  rm -rf /etc/systemd/system/umbra.service.d
  if grep -iE "attribution.conf|umbra.service" <<<"$out" | grep -viE "not running|Failed to connect|No such file or directory.*bus"; then
    fail "systemd-analyze verify with $dropin: $out"
  fi
  echo "check-deb: systemd-analyze verify with the attribution drop-in ok"
else
  fail "systemd-analyze missing: apt-get install systemd"
fi
# the unit under a real systemd (booted in a container over this root): started, capturing, attributing,
# with and without the attribution drop-in, stopped
bash packaging/check-systemd.sh
dpkg -r umbra >/dev/null
[[ ! -e /usr/bin/umbra ]] || fail "dpkg -r left /usr/bin/umbra"
[[ -f /etc/umbra/umbra.yaml ]] || fail "dpkg -r removed the conffile"
[[ ! -e /var/cache/umbra ]] || fail "dpkg -r left /var/cache/umbra"
dpkg --purge umbra >/dev/null
[[ ! -e /etc/umbra/umbra.yaml ]] || fail "purge left /etc/umbra/umbra.yaml"
[[ ! -e /etc/umbra/hmac.key ]] || fail "purge left /etc/umbra/hmac.key"
[[ ! -e /var/lib/umbra ]] || fail "purge left /var/lib/umbra"
! getent passwd umbra >/dev/null || fail "purge left the umbra user"
echo "check-deb: ok"
