# Sourced by the make-*.sh recorders (". ./recording-netns.sh NAME"): makes a network namespace
# umbra-NAME-rec-PID for one recording, with its loopback up, and a work directory; on exit kills
# what runs in the namespace and removes both (and the namespace's /etc/netns hosts file, if any).
# Sets ns and work; in_ns COMMAND... runs a command inside the namespace. Needs root and iproute2.
ns=umbra-${1:?recording name}-rec-$$
work=$(mktemp -d)
cleanup() {
  ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  sleep 0.5
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "/etc/netns/$ns" "$work"
}
trap cleanup EXIT
ip netns add "$ns"
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
