#!/usr/bin/env bash
# Vigil's account subject mappings for nats-server (docs/scaling.md): sourced by scripts/services.sh and
# scripts/nats/cluster.sh, and runnable to print the block for a hand-written config:
#
#   scripts/nats/mappings.sh [P]        (P defaults to VIGIL_PARTITIONS, else 64)
#
# Sensors publish vigil.events.<tenant>.<kind> (kinds may have two tokens, e.g. kerberos.tgs, hence
# the `>`); the server inserts the partition token, so events are stored as
# vigil.events.<tenant>.<p>.<kind> with p = FNV-1a(tenant) mod P. The second rule does the
# same under a bus namespace (VIGIL_BUS_NAMESPACE, test runs); the probe rule lets each processor check
# at start that the server maps, and with which P. Every node of a cluster needs the same block: the
# mapping is applied by the server the sensor is connected to. Needs nats-server >= 2.8.

vigil_nats_mappings() {
  local p=${1:-${VIGIL_PARTITIONS:-64}}
  if ! [[ "$p" =~ ^[1-9][0-9]{0,3}$ ]] || ((p > 1024)); then
    printf '[nats] ERROR: partition count must be 1-1024, got %s\n' "$p" >&2
    return 1
  fi
  cat <<CONF
mappings = {
  "vigil.events.*.>": "vigil.events.{{wildcard(1)}}.{{partition($p,1)}}.>"
  "*.vigil.events.*.>": "{{wildcard(1)}}.vigil.events.{{wildcard(2)}}.{{partition($p,2)}}.>"
  "vigil.partitions.probe.*": "vigil.partitions.probe.{{wildcard(1)}}.$p.{{partition($p,1)}}"
}
CONF
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  vigil_nats_mappings "${1:-}"
fi
