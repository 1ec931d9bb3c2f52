#!/usr/bin/env bash
# A nats-server in operator (JWT) mode for Vigil, next to (not instead of) the no-auth one that
# scripts/services.sh runs: sensors then get per-tenant NATS permissions (docs/nats-auth.md).
#
#   scripts/nats/operator.sh init [DIR] [PORT]   keys + config via `vigil nats-init` (never overwrites)
#   scripts/nats/operator.sh up [DIR]            start nats-server -c DIR/nats.conf (idempotent)
#   scripts/nats/operator.sh down [DIR]          stop the server `up` started
#   scripts/nats/operator.sh status [DIR]
#
# DIR defaults to .vigil/nats-operator, PORT to 4223.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cmd=${1:-}
dir=$(realpath -m "${2:-$repo/.vigil/nats-operator}")
pidfile=$dir/nats.pid

log() { printf '[nats-operator] %s\n' "$*" >&2; }
die() { printf '[nats-operator] ERROR: %s\n' "$*" >&2; exit 1; }
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
  init)
    port=${3:-4223}
    node "$repo/cli/bin/vigil.js" nats-init "$dir" --port "$port"
    ;;
  up)
    [ -f "$dir/nats.conf" ] || die "no $dir/nats.conf: run '$0 init $dir' first"
    if ! command -v nats-server >/dev/null; then
      log "installing nats-server from Debian packages"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null || die "apt-get install nats-server failed"
    fi
    if running; then
      log "already running (pid $(cat "$pidfile"))"
      exit 0
    fi
    setsid nohup nats-server -c "$dir/nats.conf" -P "$pidfile" -l "$dir/nats.log" >/dev/null 2>&1 </dev/null &
    for ((i = 0; i < 60; i++)); do
      grep -q "Server is ready" "$dir/nats.log" 2>/dev/null && { log "nats-server (operator mode) up; log $dir/nats.log"; exit 0; }
      sleep 0.25
    done
    tail -n 20 "$dir/nats.log" >&2 || true
    die "nats-server did not start"
    ;;
  down)
    if running; then
      kill "$(cat "$pidfile")"
      rm -f "$pidfile"
      log "stopped"
    else
      log "not running"
    fi
    ;;
  status)
    if running; then echo "nats-operator: running (pid $(cat "$pidfile"))"; else echo "nats-operator: stopped"; fi
    ;;
  *)
    sed -n '2,9p' "$0" >&2
    exit 2
    ;;
esac
