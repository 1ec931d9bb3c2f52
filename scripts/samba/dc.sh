#!/usr/bin/env bash
# A real Samba 4.17 Active Directory domain controller for the LDAP sync's integration tests.
#
#   scripts/samba/dc.sh up       install (when missing), provision + seed once, start (idempotent)
#   scripts/samba/dc.sh down     stop the DC that `up` started (pid file) and remove its namespace
#   scripts/samba/dc.sh status   exit 0 when the DC answers LDAP, 3 when not
#   scripts/samba/dc.sh reset    down, wipe the provisioned domain, up (a fresh directory)
#
# The DC runs in its own network namespace (`vigil-samba`) joined to the host by one veth pair:
# the host side is 10.231.77.1/24, the DC 10.231.77.10. Samba wants ports 53/88/389/445/636…, which
# must not collide with anything on the host, and nothing in the namespace can reach beyond that link
# (no default route). Everything else (sam.ldb, TLS keys, logs, pid) lives under
# $VIGIL_SERVICES_DIR/samba (default <repo>/.vigil/services/samba); the host's /etc/samba and
# /var/lib/samba are never used.
#
# Domain VIGIL.LAB (NetBIOS VIGIL), base DN DC=vigil,DC=lab, Administrator password below. Only the
# LDAP server runs (server services = ldap): the tests need nothing else and it halves start-up time.
# Plain simple binds are allowed (`ldap server require strong auth = no`) as in a lab; LDAPS on 636
# uses the self-signed certificate Samba generates (CA at private/tls/ca.pem).
#
# Environment: VIGIL_SERVICES_DIR, VIGIL_SAMBA_START_TIMEOUT (seconds, default 60).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${VIGIL_SERVICES_DIR:-$repo/.vigil/services}/samba
dc=$state/dc
conf=$state/smb.conf
pidfile=$state/samba.pid
logfile=$state/samba.out
netns=vigil-samba
host_if=vsmb-host
dc_if=vsmb-dc
host_ip=10.231.77.1
dc_ip=10.231.77.10
realm=VIGIL.LAB
workgroup=VIGIL
admin_pass='Vigil-Adm1n!2026'
start_timeout=${VIGIL_SAMBA_START_TIMEOUT:-60}
# Debian's samba-tool runs on the system python; a pyenv shim on PATH would not find its modules.
py=/usr/bin/python3

log() { printf '[samba] %s\n' "$*" >&2; }
die() { printf '[samba] ERROR: %s\n' "$*" >&2; exit 1; }

ensure_packages() {
  local missing=()
  command -v samba >/dev/null || missing+=(samba)
  [ -x /usr/sbin/samba ] && dpkg -s samba-ad-dc >/dev/null 2>&1 || missing+=(samba-ad-dc)
  command -v ldbsearch >/dev/null || missing+=(ldb-tools)
  command -v ldapsearch >/dev/null || missing+=(ldap-utils)
  command -v ip >/dev/null || missing+=(iproute2)
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]}; install them by hand"
  log "installing ${missing[*]} from Debian packages (about 2 min the first time)"
  apt-get update -qq >/dev/null || die "apt-get update failed"
  # No init system runs here, so the packages' own smbd/nmbd/samba services never start.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

our_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  grep -q "^samba" <<<"$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  echo "$pid"
}

ldap_answers() {
  timeout 5 ldapsearch -LLL -x -H "ldap://$dc_ip" -b "" -s base defaultNamingContext >/dev/null 2>&1
}

network_up() {
  # Here-strings, not pipes: under pipefail, `grep -q` closing the pipe early fails the producer.
  grep -qw "$netns" <<<"$(ip netns list)" || ip netns add "$netns"
  ip netns exec "$netns" ip link set lo up
  if ! ip link show "$host_if" >/dev/null 2>&1; then
    ip link add "$host_if" type veth peer name "$dc_if"
    ip link set "$dc_if" netns "$netns"
  fi
  grep -q "$host_ip/" <<<"$(ip addr show dev "$host_if")" || ip addr add "$host_ip/24" dev "$host_if"
  ip link set "$host_if" up
  ip netns exec "$netns" sh -c "ip addr show dev $dc_if | grep -q '$dc_ip/' || ip addr add $dc_ip/24 dev $dc_if; ip link set $dc_if up"
}

network_down() {
  if ip link show "$host_if" >/dev/null 2>&1; then ip link del "$host_if"; fi
  if grep -qw "$netns" <<<"$(ip netns list)"; then ip netns del "$netns"; fi
}

provision() {
  [ -f "$state/provisioned" ] && return 0
  rm -rf "$dc" "$conf"
  mkdir -p "$dc"
  log "provisioning $realm in $dc"
  local t0=$SECONDS
  # DNS backend NONE: no DNS zone to build, and nothing here resolves names through the DC.
  samba-tool domain provision --realm="$realm" --domain="$workgroup" --server-role=dc --dns-backend=NONE \
    --host-name=DC1 --host-ip="$dc_ip" --adminpass="$admin_pass" --targetdir="$dc" \
    --option="ldap server require strong auth = no" >"$state/provision.log" 2>&1 ||
    { tail -n 30 "$state/provision.log" >&2; die "provision failed (log: $state/provision.log)"; }
  write_conf
  log "seeding users, groups, computers, OU, GPO link, subnet"
  "$py" "$here/seed.py" "$dc/private/sam.ldb" "$conf" >"$state/seed.log" 2>&1 ||
    { tail -n 30 "$state/seed.log" >&2; die "seeding failed (log: $state/seed.log)"; }
  touch "$state/provisioned"
  log "provisioned and seeded in $((SECONDS - t0)) s"
}

# Replaces provision's smb.conf (Debian defaults would log to /var/log/samba) with a minimal one.
write_conf() {
  mkdir -p "$dc/run/ncalrpc"
  cat >"$conf" <<EOF
[global]
	netbios name = DC1
	realm = $realm
	workgroup = $workgroup
	server role = active directory domain controller
	server services = ldap
	interfaces = $dc_ip
	bind interfaces only = yes
	private dir = $dc/private
	binddns dir = $dc/bind-dns
	lock dir = $dc/state
	state directory = $dc/state
	cache directory = $dc/cache
	pid directory = $dc/run
	ncalrpc dir = $dc/run/ncalrpc
	log file = $state/log.samba
	log level = 1
	ldap server require strong auth = no
	tls enabled = yes
EOF
}

wait_ldap() { # pid t0
  for ((i = 0; i < start_timeout * 4; i++)); do
    ldap_answers && { log "DC up at ldap://$dc_ip (ldaps://$dc_ip) in $((SECONDS - $2)) s"; return 0; }
    # Not our_pid: until `ip netns exec` has exec'd samba, the command line is still ip's.
    kill -0 "$1" 2>/dev/null || { tail -n 30 "$logfile" "$state/log.samba" >&2 || true; die "samba exited during start"; }
    sleep 0.25
  done
  tail -n 30 "$state/log.samba" >&2 || true
  die "DC did not answer LDAP on $dc_ip:389 within ${start_timeout}s"
}

start() {
  local pid t0=$SECONDS
  if pid=$(our_pid); then
    # Already running (perhaps still starting, from a concurrent `up`): never start a second one.
    ldap_answers && { log "DC already running (pid $pid) at ldap://$dc_ip"; return 0; }
    wait_ldap "$pid" "$t0"
    return 0
  fi
  # single process model: one process instead of a prefork pool per service, on a shared 2-core box.
  ip netns exec "$netns" setsid nohup samba -s "$conf" --foreground --no-process-group -M single \
    >"$logfile" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pidfile"
  wait_ldap "$pid" "$t0"
}

stop() {
  local pid
  if pid=$(our_pid); then
    kill "$pid"
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
    log "DC stopped"
  else
    log "DC was not started by this script; left alone"
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  up)
    [ "$(id -u)" = 0 ] || die "needs root (network namespace, samba)"
    ensure_packages
    mkdir -p "$state"
    network_up
    provision
    start
    ;;
  down)
    stop
    network_down
    ;;
  reset)
    "$0" down
    rm -rf "$dc" "$conf" "$state/provisioned"
    "$0" up
    ;;
  status)
    if ldap_answers; then
      echo "samba: DC answering at ldap://$dc_ip (pid $(our_pid || echo '?'))"
    else
      echo "samba: stopped"
      exit 3
    fi
    ;;
  *) die "usage: scripts/samba/dc.sh up|down|status|reset" ;;
esac
