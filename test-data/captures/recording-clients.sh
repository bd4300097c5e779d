# Sourced by the make-*.sh recorders after recording-netns.sh (". ./recording-clients.sh NAME"): makes a
# second network namespace umbra-NAME-rec-PID for the clients, joined to the server namespace $ns by a
# veth pair; the clients' end $cliif has 10.77.0.10/24 and fd77::10/64, the servers' end 10.77.0.1/24 and
# fd77::1/64 (no duplicate address detection). Sets cli, cliif and srvif (the servers' end); in_cli
# COMMAND... runs a command in it;
# cleanup_clients removes it and then runs cleanup (trapped on exit; a recorder that traps more calls it
# last). Needs root and iproute2.
cli=umbra-${1:?clients name}-rec-$$
cliif=${1:0:6}c$$
srvif=${1:0:6}s$$
trap 'cleanup_clients' EXIT
cleanup_clients() {
  ip netns del "$cli" 2>/dev/null || true
  cleanup
}
ip netns add "$cli"
in_cli() { ip netns exec "$cli" "$@"; }
ip link add "$cliif" netns "$cli" type veth peer name "$srvif" netns "$ns"
in_cli ip link set lo up
in_cli ip addr add 10.77.0.10/24 dev "$cliif"
in_cli ip -6 addr add fd77::10/64 dev "$cliif" nodad
in_cli ip link set "$cliif" up
in_ns ip addr add 10.77.0.1/24 dev "$srvif"
in_ns ip -6 addr add fd77::1/64 dev "$srvif" nodad
in_ns ip link set "$srvif" up
