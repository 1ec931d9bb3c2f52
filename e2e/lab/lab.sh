#!/usr/bin/env bash
# The attack lab: a real Samba 4.17 AD DC (CORP.LAB) under real attacks, for e2e/lab/lab.test.ts.
#
#   e2e/lab/lab.sh packages  only install the missing Debian packages (scripts/services.sh up does, for CI)
#   e2e/lab/lab.sh up     install missing packages, build the namespaces, provision + seed, start the DC
#   e2e/lab/lab.sh run    capture at the DC, benign phase from the workstation, attacks from the attacker
#   e2e/lab/lab.sh down   stop the DC and the capture (by pid file), delete the namespaces
#
# Three network namespaces: vlab-dc (DC1 10.232.0.10, on the bridge vlbr0 that lives inside vlab-dc),
# vlab-ws (WS01 10.232.0.20) and vlab-atk (ATK01 10.232.0.66), joined by veth pairs to that bridge.
# None has a link to the host namespace or a default route, so nothing reaches out, and the subnet
# differs from scripts/samba's 10.231.77.0/24. Each command runs with its own hostname and bind mounts
# over /etc/hosts, /etc/resolv.conf, /etc/samba (inside `ip netns exec`'s private mount namespace), so
# the host's files are never touched. Everything lands in $VIGIL_LAB_DIR (default <repo>/.vigil/lab):
# out/lab.pcapng, out/lab.keytab (to decrypt it), out/samba/*.json.log (audit), out/manifest.tsv,
# out/timings.tsv, out/steps/<step>.out (each tool's own output).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
lab=${VIGIL_LAB_DIR:-$repo/.vigil/lab}
dc=$lab/dc
out=$lab/out
conf=$dc/smb.conf
realm=CORP.LAB
workgroup=CORP
net=10.232.0
dc_ip=$net.10
admin_pass='Adm1n!Lab-2024'
# Debian's samba-tool and impacket run on the system python; a pyenv shim on PATH lacks their modules.
py=/usr/bin/python3
examples=/usr/share/doc/python3-impacket/examples

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
ms() { date +%s%3N; }

# Per-phase wall time, printed and kept in out/timings.tsv.
phase_t0=0
phase_start() { phase_t0=$(ms); log "$1 ..."; }
phase_end() {
  local s
  s=$(awk -v a="$phase_t0" -v b="$(ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
  printf '%s\t%s\n' "$1" "$s" >>"$lab/timings.tsv"
  log "$1: $s s"
}

ensure_packages() {
  local missing=() pkg
  for pkg in samba samba-ad-dc python3-impacket krb5-user smbclient ldap-utils dnsutils tshark \
    libsasl2-modules-gssapi-mit iproute2; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]}; install them by hand"
  log "installing ${missing[*]} (about 2 min the first time)"
  # krb5-config asks for a default realm; preseed it so the install never waits on a prompt.
  printf 'krb5-config krb5-config/default_realm string %s\nkrb5-config krb5-config/read_conf boolean true\n' "$realm" |
    debconf-set-selections
  (
    flock 9
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }
  ) 9>/tmp/vigil-apt.lock || die "apt-get install ${missing[*]} failed"
}

# Files one namespace's commands see instead of the host's: hosts, resolver (the DC), krb5, smb.conf.
write_ns_files() { # ns hostname ip
  local d=$lab/ns/$1
  mkdir -p "$d/samba" "$d/var"
  printf '127.0.0.1 localhost\n%s %s.corp.lab %s\n%s dc1.corp.lab dc1\n' "$3" "$2" "$2" "$dc_ip" >"$d/hosts"
  printf 'nameserver %s\nsearch corp.lab\n' "$dc_ip" >"$d/resolv.conf"
  cat >"$d/krb5.conf" <<EOF
[libdefaults]
	default_realm = $realm
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
[realms]
	$realm = {
		kdc = $dc_ip
		admin_server = $dc_ip
	}
[domain_realm]
	.corp.lab = $realm
	corp.lab = $realm
EOF
  # What Kerberoasting tools do: offer only RC4 (for the TGT too, as impacket does), so the service
  # ticket comes back RC4-encrypted and fast to crack.
  sed 's/^\[libdefaults\]$/[libdefaults]\n\tdefault_tkt_enctypes = arcfour-hmac\n\tdefault_tgs_enctypes = arcfour-hmac\n\tallow_weak_crypto = true/' \
    "$d/krb5.conf" >"$d/krb5-rc4.conf"
  local upper=${2^^}
  cat >"$d/samba/smb.conf" <<EOF
[global]
	netbios name = $upper
	workgroup = $workgroup
	realm = $realm
	lock directory = $d/var
	state directory = $d/var
	cache directory = $d/var
	private dir = $d/var
	pid directory = $d/var
	ncalrpc dir = $d/var/ncalrpc
EOF
}

# Runs a shell snippet inside a lab namespace, as that host (its hostname, hosts, resolver, krb5).
nsrun() { # ns script
  local d=$lab/ns/$1 host
  case $1 in dc) host=dc1 ;; ws) host=ws01 ;; *) host=atk01 ;; esac
  ip netns exec "vlab-$1" unshare -u env KRB5_CONFIG="$d/krb5.conf" KRB5CCNAME="FILE:$d/ccache" \
    LAB="$lab" OUT="$out" PY="$py" EX="$examples" ADMIN_PASS="$admin_pass" NS_DIR="$d" \
    sh -c 'hostname "$0" && mount --bind "$1/hosts" /etc/hosts && mount --bind "$1/resolv.conf" /etc/resolv.conf &&
      mount --bind "$1/samba" /etc/samba && if [ -e /etc/krb5.conf ]; then mount --bind "$1/krb5.conf" /etc/krb5.conf; fi &&
      eval "$2"' "$host" "$d" "$2"
}

net_up() {
  net_down
  local ns
  for ns in dc ws atk; do ip netns add "vlab-$ns" && ip -n "vlab-$ns" link set lo up; done
  ip -n vlab-dc link add vlbr0 type bridge
  ip -n vlab-dc addr add "$dc_ip/24" dev vlbr0
  ip -n vlab-dc link set vlbr0 up
  for ns in ws atk; do
    ip -n vlab-dc link add "vl-$ns" type veth peer name eth0 netns "vlab-$ns"
    ip -n vlab-dc link set "vl-$ns" master vlbr0 up
    ip -n "vlab-$ns" addr add "$net.$([ $ns = ws ] && echo 20 || echo 66)/24" dev eth0
    ip -n "vlab-$ns" link set eth0 up
  done
  write_ns_files dc dc1 "$dc_ip"
  write_ns_files ws ws01 "$net.20"
  write_ns_files atk atk01 "$net.66"
}

net_down() {
  local ns
  # A here-string, not a pipe: under pipefail, `grep -q` closing the pipe early fails the producer.
  for ns in dc ws atk; do if grep -qw "vlab-$ns" <<<"$(ip netns list)"; then ip netns del "vlab-$ns"; fi; done
}

write_dc_conf() {
  local a=$out/samba
  mkdir -p "$a" "$dc/run/ncalrpc"
  cat >"$conf" <<EOF
[global]
	netbios name = DC1
	realm = $realm
	workgroup = $workgroup
	server role = active directory domain controller
	interfaces = $dc_ip
	bind interfaces only = yes
	dns forwarder =
	private dir = $dc/private
	binddns dir = $dc/bind-dns
	lock dir = $dc/state
	state directory = $dc/state
	cache directory = $dc/cache
	pid directory = $dc/run
	ncalrpc dir = $dc/run/ncalrpc
	log file = $dc/log.samba
	log level = 1 auth_audit:3 auth_json_audit:5@$a/auth.json.log dsdb_json_audit:5@$a/dsdb.json.log dsdb_password_json_audit:5@$a/dsdb_password.json.log dsdb_group_json_audit:5@$a/dsdb_group.json.log dsdb_transaction_json_audit:5@$a/dsdb_transaction.json.log
	ldap server require strong auth = no
[sysvol]
	path = $dc/state/sysvol
	read only = no
[netlogon]
	path = $dc/state/sysvol/corp.lab/scripts
	read only = no
EOF
  # The KDC (Heimdal, inside samba) reads KRB5_CONFIG: pre-auth is left to each account's flag.
  sed 's/^\[libdefaults\]$/[kdc]\n\trequire-preauth = false\n[libdefaults]/' "$lab/ns/dc/krb5.conf" >"$dc/krb5.conf"
}

write_passwords() {
  printf '%s\n' "Administrator	$admin_pass" "alice	Alice#Pass2024" "bob	Bob#Pass2024" "carol	Carol#Pass2024" \
    "dave	Dave#Pass2024" "eve	Eve#Pass2024" "frank	Winter2024!" "grace	Grace#Pass2024" "heidi	Heidi#Pass2024" \
    "ivan	Ivan#Pass2024" "judy	Judy#Pass2024" "svc_sql	Summer2024!" "svc_web	Web#Svc2024x" \
    "svc_backup	Backup#Svc2024" "svc_app	App#Svc2024x" "svc_sccm	Sccm#Svc2024" "svc_crm	Crm#Svc2024x" >"$lab/passwords.tsv"
}

provision() {
  rm -rf "$dc" "$out"
  mkdir -p "$dc" "$out/steps"
  write_passwords
  samba-tool domain provision --realm="$realm" --domain="$workgroup" --server-role=dc \
    --dns-backend=SAMBA_INTERNAL --host-name=DC1 --host-ip="$dc_ip" --adminpass="$admin_pass" \
    --targetdir="$dc" --option="ldap server require strong auth = no" >"$dc/provision.log" 2>&1 ||
    { tail -n 30 "$dc/provision.log" >&2; die "provision failed ($dc/provision.log)"; }
  write_dc_conf
  "$py" "$here/seed.py" "$dc/private/sam.ldb" "$conf" "$lab/passwords.tsv" >"$dc/seed.log" 2>&1 ||
    { tail -n 30 "$dc/seed.log" >&2; die "seeding failed ($dc/seed.log)"; }
  # impacket 0.10's ticketer hard-codes kvno 2 for krbtgt; one reset moves it from 1 to 2.
  samba-tool user setpassword krbtgt --random-password -H "$dc/private/sam.ldb" -s "$conf" >>"$dc/seed.log" 2>&1 ||
    die "krbtgt reset failed ($dc/seed.log)"
}

dc_pid() {
  local pid
  pid=$(cat "$lab/samba.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && grep -q '^samba' <<<"$(tr '\0' ' ' <"/proc/$pid/cmdline")" &&
    echo "$pid"
}

start_dc() {
  rm -f "$lab/samba.pid"
  # The shell writes its own pid and then becomes samba, so the pid file names samba's root process.
  nsrun dc "echo \$\$ >'$lab/samba.pid'; KRB5_CONFIG='$dc/krb5.conf' exec samba -s '$conf' --foreground --no-process-group" \
    >"$dc/samba.out" 2>&1 </dev/null &
  local i
  for ((i = 0; i < 240; i++)); do
    # KDC and LDAP both answer once the anonymous rootDSE read and a kinit of a real user work.
    if nsrun ws "echo 'Alice#Pass2024' | kinit alice@$realm >/dev/null 2>&1 && kdestroy" 2>/dev/null &&
      nsrun ws "ldapsearch -LLL -x -H ldap://dc1.corp.lab -b '' -s base dnsHostName >/dev/null 2>&1"; then
      return 0
    fi
    kill -0 "$(cat "$lab/samba.pid" 2>/dev/null || echo $!)" 2>/dev/null || { tail -n 20 "$dc/samba.out" "$dc/log.samba" >&2; die "samba exited"; }
    sleep 0.25
  done
  die "DC did not answer within 60 s ($dc/log.samba)"
}

stop_pidfile() { # file name
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && grep -q "^$2" <<<"$(tr '\0' ' ' <"/proc/$pid/cmdline")"; then
    kill -INT "$pid"
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  fi
  rm -f "$1"
}

capture_start() {
  rm -f "$out/lab.pcapng"
  ip netns exec vlab-dc dumpcap -q -i vlbr0 -w "$out/lab.pcapng" >"$lab/dumpcap.out" 2>&1 </dev/null &
  echo $! >"$lab/dumpcap.pid"
  for ((i = 0; i < 80; i++)); do [ -s "$out/lab.pcapng" ] && return 0; sleep 0.1; done
  die "dumpcap did not start ($lab/dumpcap.out)"
}

# One manifest row per step; 1 s idle gap after each so the steps' time windows never overlap.
step() { # name phase ns account tool script
  local name=$1 phase=$2 ns=$3 account=$4 tool=$5 script=$6 start end t0 rc src
  start=$(now)
  t0=$(ms)
  set +e
  # Tools drop files in their working directory (secretsdump leaves sessionresume_* files): keep them in the lab.
  (cd "$out/steps" && nsrun "$ns" "$script") >"$out/steps/$name.out" 2>&1
  rc=$?
  set -e
  end=$(now)
  case $ns in ws) src=$net.20 ;; atk) src=$net.66 ;; *) src=$dc_ip ;; esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$phase" "$start" "$end" \
    "$(awk -v a="$t0" -v b="$(ms)" 'BEGIN { printf "%.2f", (b - a) / 1000 }')" "$rc" "$src" "$account" "$tool" \
    "$(printf '%s' "$script" | tr '\t\n' '  ')" >>"$out/manifest.tsv"
  log "  $name rc=$rc"
  sleep 1
}

cmd_up() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, samba)"
  mkdir -p "$lab"
  cmd_down
  : >"$lab/timings.tsv"
  phase_start "packages"
  ensure_packages
  phase_end packages
  phase_start "network"
  net_up
  phase_end network
  phase_start "provision + seed"
  provision
  phase_end provision
  phase_start "start DC"
  start_dc
  phase_end start_dc
}

cmd_run() {
  dc_pid >/dev/null || die "the lab DC is not running: e2e/lab/lab.sh up first"
  mkdir -p "$out/steps"
  rm -f "$out/steps/"*
  printf 'step\tphase\tstart_utc\tend_utc\tseconds\trc\tsrc_ip\taccount\ttool\tcommand\n' >"$out/manifest.tsv"
  phase_start "capture start"
  capture_start
  phase_end capture_start
  phase_start "benign phase"
  . "$here/steps-benign.sh"
  phase_end benign
  phase_start "attack phase"
  . "$here/steps-attack.sh"
  phase_end attacks
  phase_start "collect"
  sleep 1
  stop_pidfile "$lab/dumpcap.pid" dumpcap
  # Every account's keys, for the analyst's decryption of the capture only (tickets, SMB3, sealed RPC).
  rm -f "$out/lab.keytab"
  samba-tool domain exportkeytab "$out/lab.keytab" -s "$conf" >"$lab/exportkeytab.log" 2>&1 ||
    die "keytab export failed ($lab/exportkeytab.log)"
  phase_end collect
  log "manifest: $out/manifest.tsv, capture: $out/lab.pcapng, audit: $out/samba/"
}

cmd_down() {
  stop_pidfile "$lab/dumpcap.pid" dumpcap
  if pid=$(dc_pid); then
    kill "$pid"
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  fi
  rm -f "$lab/samba.pid"
  net_down
}

case "${1:-}" in
  packages) ensure_packages ;;
  up) cmd_up ;;
  run) cmd_run ;;
  down) cmd_down ;;
  *) die "usage: e2e/lab/lab.sh packages|up|run|down" ;;
esac
