#!/usr/bin/env bash
# A local NATS cluster with JetStream for Vigil's cluster-mode tests and for trying cluster mode:
# N nats-server nodes on 127.0.0.1, each with its own JetStream store and a full mesh of routes.
# Node i (1-based) listens for clients on CLIENT_BASE+i, routes on CLUSTER_BASE+i and monitoring on
# MONITOR_BASE+i (defaults 4231.., 6231.., 8231..). `up` is idempotent and starts only the nodes that
# are not running, so it is also how a killed node is brought back.
#
#   scripts/nats/cluster.sh up|down|status [N]     (N defaults to 3)
#   scripts/nats/cluster.sh urls [N]               (comma-separated client URLs, for NATS_URL)
#
# Overrides: VIGIL_PARTITIONS (the partition mapping, see mappings.sh), VIGIL_NATS_CLUSTER_DIR (state),
# VIGIL_NATS_CLUSTER_CLIENT_BASE, VIGIL_NATS_CLUSTER_ROUTE_BASE, VIGIL_NATS_CLUSTER_MONITOR_BASE,
# VIGIL_NATS_CLUSTER_NAME. Tests that kill nodes use their own bases and
# directory so they never disturb the shared cluster.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${VIGIL_NATS_CLUSTER_DIR:-${VIGIL_SERVICES_DIR:-$repo/.vigil/services}/nats-cluster}
client_base=${VIGIL_NATS_CLUSTER_CLIENT_BASE:-4230}
route_base=${VIGIL_NATS_CLUSTER_ROUTE_BASE:-6230}
monitor_base=${VIGIL_NATS_CLUSTER_MONITOR_BASE:-8230}
cluster_name=${VIGIL_NATS_CLUSTER_NAME:-vigil}

# shellcheck source=mappings.sh
. "$repo/scripts/nats/mappings.sh"

log() { printf '[nats-cluster] %s\n' "$*" >&2; }
die() { printf '[nats-cluster] ERROR: %s\n' "$*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cmd=${1:-}
n=${2:-3}
[[ "$n" =~ ^[1-9][0-9]?$ ]] || die "node count must be 1-99, got '$n'"

pidfile() { echo "$dir/n$1/nats.pid"; }
running() { local p; p=$(pidfile "$1"); [ -f "$p" ] && kill -0 "$(cat "$p")" 2>/dev/null; }

# One config file per node: command-line flags cannot name the server or set cluster routes with a
# cluster name, and JetStream in a cluster needs both. Every node gets the same partition mapping
# (VIGIL_PARTITIONS, default 64), since a sensor's node is the one that applies it.
write_config() {
  local i=$1 routes="" j mappings
  for ((j = 1; j <= n; j++)); do routes+="    nats-route://127.0.0.1:$((route_base + j))"$'\n'; done
  mappings=$(vigil_nats_mappings) || die "bad VIGIL_PARTITIONS"
  mkdir -p "$dir/n$i/store"
  cat >"$dir/n$i/nats.conf" <<CONF
server_name: ${cluster_name}-n$i
listen: 127.0.0.1:$((client_base + i))
http: 127.0.0.1:$((monitor_base + i))
pid_file: "$dir/n$i/nats.pid"
log_file: "$dir/n$i/nats.log"
jetstream {
  store_dir: "$dir/n$i/store"
}
cluster {
  name: $cluster_name
  listen: 127.0.0.1:$((route_base + i))
  routes: [
$routes  ]
}
$mappings
CONF
}

start_node() {
  local i=$1
  if running "$i"; then return 0; fi
  port_open $((client_base + i)) && die "127.0.0.1:$((client_base + i)) is taken by a process this script did not start"
  write_config "$i"
  setsid nohup nats-server -c "$dir/n$i/nats.conf" >/dev/null 2>&1 </dev/null &
  log "started ${cluster_name}-n$i (client :$((client_base + i)), routes :$((route_base + i)), monitor :$((monitor_base + i)))"
}

# The cluster is usable once every node answers healthz with JetStream and the meta group has a leader
# (before that, stream creation fails with "JetStream system temporarily unavailable").
wait_ready() {
  local i ok
  for ((t = 0; t < 240; t++)); do
    ok=1
    for ((i = 1; i <= n; i++)); do
      curl -fsS "http://127.0.0.1:$((monitor_base + i))/healthz?js-enabled-only=true" >/dev/null 2>&1 || { ok=0; break; }
    done
    if [ "$ok" = 1 ] && curl -fsS "http://127.0.0.1:$((monitor_base + 1))/jsz" 2>/dev/null | grep -Eq '"leader": *"[^"]'; then
      return 0
    fi
    sleep 0.25
  done
  for ((i = 1; i <= n; i++)); do tail -n 5 "$dir/n$i/nats.log" >&2 2>/dev/null || true; done
  die "the $n-node cluster did not elect a JetStream meta leader within 60 s"
}

urls() {
  local i out=""
  for ((i = 1; i <= n; i++)); do out+="${out:+,}nats://127.0.0.1:$((client_base + i))"; done
  echo "$out"
}

case "$cmd" in
  up)
    command -v nats-server >/dev/null || die "nats-server is not installed (scripts/services.sh up nats installs it)"
    command -v curl >/dev/null || die "curl is not installed"
    for ((i = 1; i <= n; i++)); do start_node "$i"; done
    wait_ready
    log "$n-node JetStream cluster '$cluster_name' ready: $(urls)"
    ;;
  down)
    for ((i = 1; i <= n; i++)); do
      if running "$i"; then
        pid=$(cat "$(pidfile "$i")")
        kill "$pid"
        for ((t = 0; t < 40; t++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        log "stopped ${cluster_name}-n$i"
      fi
    done
    ;;
  status)
    for ((i = 1; i <= n; i++)); do
      if running "$i"; then echo "nats-cluster n$i: running on 127.0.0.1:$((client_base + i))"; else echo "nats-cluster n$i: stopped"; fi
    done
    ;;
  urls) urls ;;
  *) die "usage: scripts/nats/cluster.sh up|down|status|urls [N]" ;;
esac
