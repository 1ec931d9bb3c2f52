#!/usr/bin/env bash
# Local real services for Vigil's integration tests and for trying the real adapters:
# PostgreSQL (Debian cluster), nats-server with JetStream, and Neo4j 5 Community (scripts/neo4j/).
# Everything listens on 127.0.0.1, except a Samba AD DC (scripts/samba/) in its own network namespace
# at 10.231.77.10. `up` is idempotent; `down` stops only what `up` started.
#
#   scripts/services.sh up [postgres|nats|neo4j|samba]...   (default: all)
#   scripts/services.sh down [...]
#   scripts/services.sh status [...]
#   scripts/services.sh up --nats-cluster 3       (also a 3-node JetStream cluster, scripts/nats/cluster.sh)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=${VIGIL_SERVICES_DIR:-$repo/.vigil/services}
pg_port=${VIGIL_PG_PORT:-5432}
nats_port=${VIGIL_NATS_PORT:-4222}
nats_monitor_port=${VIGIL_NATS_MONITOR_PORT:-8222}
mkdir -p "$state"

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # name port seconds pid?
  local name=$1 port=$2 secs=$3 pid=${4:-}
  for ((i = 0; i < secs * 4; i++)); do
    port_open "$port" && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.25
  done
  log "$name did not open 127.0.0.1:$port within ${secs}s"
  return 1
}

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null || die "cannot install $* : apt-get not found; install it by hand"
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    apt_updated=1
  fi
  log "installing $* from Debian packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed"
}

# ---------------------------------------------------------------- PostgreSQL
pg_cluster() { pg_lsclusters --no-header 2>/dev/null | awk -v p="$pg_port" '$3 == p { print $1" "$2; exit }'; }

pg_sql() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$pg_port" -d postgres -tAc "$1"; }

postgres_up() {
  if ! command -v pg_lsclusters >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql
  fi
  local cluster
  cluster=$(pg_cluster)
  if [ -z "$cluster" ]; then
    local ver
    ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    log "creating PostgreSQL $ver cluster 'vigil' on port $pg_port"
    pg_createcluster "$ver" vigil -p "$pg_port" >/dev/null
    cluster="$ver vigil"
  fi
  # shellcheck disable=SC2086
  set -- $cluster
  if ! port_open "$pg_port"; then
    pg_ctlcluster "$1" "$2" start || die "PostgreSQL cluster $1/$2 failed to start (see /var/log/postgresql/)"
    echo "$1 $2" >"$state/postgres.started"
  fi
  wait_port PostgreSQL "$pg_port" 30 || die "PostgreSQL is not answering on 127.0.0.1:$pg_port"
  for ((i = 0; i < 40; i++)); do pg_isready -q -h 127.0.0.1 -p "$pg_port" && break; sleep 0.25; done
  # The app role is deliberately not a superuser: superusers bypass row-level security.
  pg_sql "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vigil') THEN
        CREATE ROLE vigil LOGIN PASSWORD 'vigil' NOSUPERUSER NOBYPASSRLS CREATEDB;
      END IF; END \$\$;" >/dev/null
  for db in vigil vigil_test; do
    if [ "$(pg_sql "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
      pg_sql "CREATE DATABASE $db OWNER vigil" >/dev/null
    fi
  done
  log "PostgreSQL $1/$2 on 127.0.0.1:$pg_port (databases vigil, vigil_test; role vigil)"
}

postgres_down() {
  if [ -f "$state/postgres.started" ]; then
    # shellcheck disable=SC2046
    pg_ctlcluster $(cat "$state/postgres.started") stop || true
    rm -f "$state/postgres.started"
    log "PostgreSQL stopped"
  else
    log "PostgreSQL was not started by this script; left alone"
  fi
}

postgres_status() {
  if port_open "$pg_port"; then echo "postgres: running on 127.0.0.1:$pg_port"; else echo "postgres: stopped"; fi
}

# ---------------------------------------------------------------- NATS
nats_pidfile=$state/nats/nats.pid
# shellcheck source=nats/mappings.sh
. "$repo/scripts/nats/mappings.sh"

nats_up() {
  command -v nats-server >/dev/null || apt_install nats-server
  mkdir -p "$state/nats/data"
  if port_open "$nats_port"; then
    log "nats-server already listening on 127.0.0.1:$nats_port"
  else
    # A config file, not flags: the partition mapping (scripts/nats/mappings.sh) can only be configured there.
    local mappings
    mappings=$(vigil_nats_mappings) || die "bad VIGIL_PARTITIONS"
    cat >"$state/nats/nats.conf" <<CONF
listen: 127.0.0.1:$nats_port
http: 127.0.0.1:$nats_monitor_port
pid_file: "$nats_pidfile"
log_file: "$state/nats/nats.log"
jetstream {
  store_dir: "$state/nats/data"
}
$mappings
CONF
    setsid nohup nats-server -c "$state/nats/nats.conf" >/dev/null 2>&1 </dev/null &
    local pid=$!
    if ! wait_port nats-server "$nats_port" 30 "$pid"; then
      tail -n 20 "$state/nats/nats.log" >&2 || true
      die "nats-server failed to start"
    fi
  fi
  # JetStream must be on, not just the port: a foreign nats-server without -js would fail every test.
  for ((i = 0; i < 40; i++)); do
    if curl -fsS "http://127.0.0.1:$nats_monitor_port/healthz?js-enabled-only=true" >/dev/null 2>&1; then
      log "nats-server with JetStream on nats://127.0.0.1:$nats_port (monitoring :$nats_monitor_port, store $state/nats/data)"
      return 0
    fi
    sleep 0.25
  done
  die "nats-server on 127.0.0.1:$nats_port does not report JetStream enabled (monitoring :$nats_monitor_port)"
}

nats_down() {
  if [ -f "$nats_pidfile" ] && kill -0 "$(cat "$nats_pidfile")" 2>/dev/null; then
    local pid
    pid=$(cat "$nats_pidfile")
    kill "$pid"
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    rm -f "$nats_pidfile"
    log "nats-server stopped"
  else
    log "nats-server was not started by this script; left alone"
  fi
}

nats_status() {
  if port_open "$nats_port"; then echo "nats: running on 127.0.0.1:$nats_port"; else echo "nats: stopped"; fi
}

# ---------------------------------------------------------------- Neo4j
neo4j_up() { VIGIL_SERVICES_DIR=$state bash "$repo/scripts/neo4j/neo4j.sh" up; }
neo4j_down() { VIGIL_SERVICES_DIR=$state bash "$repo/scripts/neo4j/neo4j.sh" down; }
neo4j_status() { VIGIL_SERVICES_DIR=$state bash "$repo/scripts/neo4j/neo4j.sh" status || true; }

# ---------------------------------------------------------------- Samba AD DC
# The LDAP sync's tests run against a real Samba AD DC in its own network namespace (scripts/samba/).
# About 7 s from nothing (provision + seed + start), 3 s when already provisioned.
samba_up() { VIGIL_SERVICES_DIR=$state bash "$repo/scripts/samba/dc.sh" up; }
samba_down() { VIGIL_SERVICES_DIR=$state bash "$repo/scripts/samba/dc.sh" down; }
samba_status() { VIGIL_SERVICES_DIR=$state bash "$repo/scripts/samba/dc.sh" status || true; }

# ---------------------------------------------------------------- tshark
# The network source dissects packets with Wireshark's engine; its tests run the real tshark.
# Preseeded so the install never asks whether non-root users may capture.
tshark_up() {
  command -v tshark >/dev/null && return 0
  command -v debconf-set-selections >/dev/null &&
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt_install tshark
}

# ---------------------------------------------------------------- radclient
# The RADIUS accounting source is tested with real packets from FreeRADIUS's radclient.
radclient_up() { command -v radclient >/dev/null || apt_install freeradius-utils; }

# ---------------------------------------------------------------- main
cmd=${1:-}
shift || true
# `--nats-cluster N` adds an N-node JetStream cluster on loopback (scripts/nats/cluster.sh) next to the
# single nats-server; cluster-mode tests start their own, so CI does not need it.
services=()
nats_cluster=0
while [ $# -gt 0 ]; do
  case "$1" in
    --nats-cluster) nats_cluster=${2:?--nats-cluster needs a node count}; shift 2 ;;
    --nats-cluster=*) nats_cluster=${1#*=}; shift ;;
    *) services+=("$1"); shift ;;
  esac
done
[ ${#services[@]} -gt 0 ] || services=(postgres nats neo4j samba)
case "$cmd" in
  up | down | status) ;;
  *) die "usage: scripts/services.sh up|down|status [postgres|nats|neo4j|samba]... [--nats-cluster N]" ;;
esac
command -v curl >/dev/null || apt_install curl
[ "$cmd" = up ] && tshark_up
# The SIEM export tests run a private rsyslogd (UDP/TCP/TLS) as their syslog receiver.
[ "$cmd" = up ] && bash "$repo/scripts/rsyslog/install.sh"
# The attack lab's tools (impacket, MIT Kerberos, smbclient, dig…) up front, so e2e/lab runs in minutes.
[ "$cmd" = up ] && bash "$repo/e2e/lab/lab.sh" packages
[ "$cmd" = up ] && radclient_up
for s in "${services[@]}"; do
  case "$s" in
    postgres | nats | neo4j | samba) "${s}_${cmd}" ;;
    *) die "unknown service '$s' (postgres, nats, neo4j, samba)" ;;
  esac
done
if [ "$nats_cluster" != 0 ]; then
  [ "$cmd" = up ] && { command -v nats-server >/dev/null || apt_install nats-server; }
  VIGIL_SERVICES_DIR=$state bash "$repo/scripts/nats/cluster.sh" "$cmd" "$nats_cluster"
fi
