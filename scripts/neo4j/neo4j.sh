#!/usr/bin/env bash
# A real Neo4j 5.26 Community server for Vigil's local tests and CI, run from Maven Central jars
# (no tarball, no Docker): pom.xml resolves them into lib/, src/VigilNeo4j.java is the launcher.
#
#   scripts/neo4j/neo4j.sh up       start (idempotent); prints where Bolt listens
#   scripts/neo4j/neo4j.sh down     stop the server that `up` started (pid file); nothing else
#   scripts/neo4j/neo4j.sh status   exit 0 when something answers on the Bolt port, 3 when not
#
# Environment:
#   NEO4J_BOLT_PORT        Bolt port on 127.0.0.1 (default 7687)
#   NEO4J_PASSWORD         password of user neo4j, >= 8 chars (default vigil-neo4j); applied on
#                          every start, so changing it needs only down + up
#   VIGIL_SERVICES_DIR     state root (default <repo>/.vigil/services); this script uses
#                          its neo4j/ folder: neo4j.pid, neo4j.log, data/, logs/ (Neo4j's own logs)
#   VIGIL_NEO4J_HEAP       JVM max heap (default 512m)
#   VIGIL_NEO4J_PAGECACHE  Neo4j page cache (default 256m)
#   VIGIL_NEO4J_START_TIMEOUT  seconds to wait for Bolt (default 120)
#   VIGIL_NEO4J_JAVA_OPTS  extra JVM flags, word-split (e.g. -XX:TieredStopAtLevel=1 starts
#                          faster on a busy 2-core box; queries then run C1-compiled only)
#   JAVA_HOME              used when set; otherwise java/javac from PATH (Java 17 or 21)
#
# First `up` on a fresh clone needs Maven Central (about 106 MB of jars into lib/) and installs
# openjdk-17-jdk-headless and maven with apt-get when java, javac or mvn is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${VIGIL_SERVICES_DIR:-$repo/.vigil/services}/neo4j
port=${NEO4J_BOLT_PORT:-7687}
heap=${VIGIL_NEO4J_HEAP:-512m}
start_timeout=${VIGIL_NEO4J_START_TIMEOUT:-120}
pidfile=$state/neo4j.pid
portfile=$state/neo4j.port
logfile=$state/neo4j.log
lib=$here/lib
classes=$here/classes

log() { printf '[neo4j] %s\n' "$*" >&2; }
die() { printf '[neo4j] ERROR: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The pid in the pid file, if that process is alive and is our launcher (guards against pid reuse).
our_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  grep -q 'VigilNeo4j' <<<"$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  echo "$pid"
}

java_bin() { if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/$1" ]; then echo "$JAVA_HOME/bin/$1"; else command -v "$1" || true; fi; }

ensure_tools() { # tools that this run needs: java, plus javac/mvn when compiling/resolving
  local missing=()
  for t in "$@"; do [ -n "$(java_bin "$t")" ] || command -v "$t" >/dev/null || missing+=("$t"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]}; install a JDK 17+ and Maven by hand"
  log "missing ${missing[*]}: installing openjdk-17-jdk-headless and maven with apt-get (one-time)"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ] ||
    ! apt-cache show openjdk-17-jdk-headless >/dev/null 2>&1; then
    apt-get update -qq >/dev/null || die "apt-get update failed"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null ||
    die "apt-get install openjdk-17-jdk-headless maven failed"
}

check_java_version() {
  local v major
  v=$("$(java_bin java)" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2; exit}')
  major=${v%%.*}
  if ! [[ "$major" =~ ^[0-9]+$ ]] || [ "$major" -lt 17 ]; then
    die "Neo4j 5 needs Java 17 or 21, found '${v:-unknown}' ($(java_bin java)); set JAVA_HOME"
  fi
}

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

resolve_jars() { # only when lib/ is missing or pom.xml changed since the last complete resolve
  local want
  want=$(hash_of "$here/pom.xml")
  if [ -f "$lib/.stamp" ] && [ "$(cat "$lib/.stamp")" = "$want" ]; then return 0; fi
  ensure_tools java mvn
  log "resolving Neo4j jars from Maven Central into scripts/neo4j/lib (~106 MB; lib/ missing or pom.xml changed)"
  rm -rf "$lib"
  local out t0=$SECONDS
  out=$(mktemp)
  if ! mvn -B -q -Dstyle.color=never -f "$here/pom.xml" -Dvigil.neo4j.lib="$lib" package >"$out" 2>&1; then
    tail -n 40 "$out" >&2
    rm -f "$out"
    die "Maven could not resolve the Neo4j jars (see above)"
  fi
  rm -f "$out"
  echo "$want" >"$lib/.stamp"
  log "resolved $(find "$lib" -name '*.jar' | wc -l) jars ($(du -sh "$lib" | cut -f1)) in $((SECONDS - t0))s"
}

compile_launcher() { # only when the source or the jars changed
  local want
  want=$(hash_of "$here/src/VigilNeo4j.java" "$lib/.stamp")
  if [ -f "$classes/.stamp" ] && [ -f "$classes/VigilNeo4j.class" ] && [ "$(cat "$classes/.stamp")" = "$want" ]; then
    return 0
  fi
  ensure_tools javac
  log "compiling the launcher"
  rm -rf "$classes"
  mkdir -p "$classes"
  "$(java_bin javac)" -nowarn -encoding UTF-8 -cp "$lib/*" -d "$classes" "$here/src/VigilNeo4j.java" ||
    die "javac failed on scripts/neo4j/src/VigilNeo4j.java"
  echo "$want" >"$classes/.stamp"
}

debug_mark=0 # lines of Neo4j's debug.log before this start, so failures show only this run's

show_logs() {
  log "last lines of $logfile:"
  tail -n 30 "$logfile" >&2 2>/dev/null || true
  if [ -f "$state/logs/debug.log" ]; then
    log "ERROR/WARN lines of this start in $state/logs/debug.log:"
    tail -n "+$((debug_mark + 1))" "$state/logs/debug.log" | grep -E ' (ERROR|WARN) ' | tail -n 10 >&2 || true
  fi
}

cmd_up() {
  mkdir -p "$state"
  local pid
  if pid=$(our_pid); then
    local running_port
    running_port=$(cat "$portfile" 2>/dev/null || echo "$port")
    [ "$running_port" = "$port" ] ||
      die "already running on port $running_port (pid $pid), not $port; run 'down' first"
    if port_open "$port"; then
      log "already running: bolt://127.0.0.1:$port (pid $pid)"
      return 0
    fi
    log "pid $pid is alive but Bolt does not answer yet; waiting"
  else
    rm -f "$pidfile" "$portfile"
    if port_open "$port"; then
      log "WARNING: 127.0.0.1:$port already answers, but not a server this script started; leaving it alone"
      log "(set NEO4J_BOLT_PORT to run Vigil's own server on another port)"
      return 0
    fi
    ensure_tools java
    check_java_version
    resolve_jars
    compile_launcher
    [ -f "$logfile" ] && mv -f "$logfile" "$logfile.1"
    [ -f "$state/logs/debug.log" ] && debug_mark=$(wc -l <"$state/logs/debug.log")
    log "starting Neo4j (heap ${heap}, page cache ${VIGIL_NEO4J_PAGECACHE:-256m}, data $state/data)"
    local extra_opts=()
    read -r -a extra_opts <<<"${VIGIL_NEO4J_JAVA_OPTS:-}"
    # JVM flags after the ones Neo4j's own launcher passes (G1, add-opens for its direct-memory
    # and file-channel access, netty reflection, no log4j JMX).
    NEO4J_PASSWORD=${NEO4J_PASSWORD:-vigil-neo4j} NEO4J_BOLT_PORT=$port \
      setsid nohup "$(java_bin java)" \
      -Xms128m "-Xmx$heap" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow \
      -XX:+UnlockExperimentalVMOptions -XX:+TrustFinalNonStaticFields -XX:+DisableExplicitGC \
      -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true \
      -Dlog4j2.disable.jmx=true -Dfile.encoding=UTF-8 \
      --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
      --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
      "${extra_opts[@]}" -cp "$classes:$lib/*" VigilNeo4j "$state" "$port" >"$logfile" 2>&1 </dev/null 9>&- &
    pid=$!
    echo "$pid" >"$pidfile"
    echo "$port" >"$portfile"
  fi

  local t0=$SECONDS
  while :; do
    if grep -q '^neo4j ready ' "$logfile" 2>/dev/null && port_open "$port"; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile" "$portfile"
      show_logs
      die "Neo4j exited during startup"
    fi
    if ((SECONDS - t0 >= start_timeout)); then
      show_logs
      die "Bolt did not answer on 127.0.0.1:$port within ${start_timeout}s (pid $pid left running; 'down' stops it)"
    fi
    sleep 0.5
  done
  log "Neo4j ready on bolt://127.0.0.1:$port in $((SECONDS - t0))s (user neo4j, pid $pid, logs $state)"
}

cmd_down() {
  local pid
  if ! pid=$(our_pid); then
    rm -f "$pidfile" "$portfile"
    log "not running (nothing started by this script)"
    return 0
  fi
  kill -TERM "$pid"
  for ((i = 0; i < 240; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "WARNING: pid $pid still alive 60s after SIGTERM; sending SIGKILL (next start recovers the store)"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile" "$portfile"
  log "stopped (pid $pid)"
}

cmd_status() {
  local pid
  if pid=$(our_pid); then
    local p
    p=$(cat "$portfile" 2>/dev/null || echo "$port")
    if port_open "$p"; then
      echo "neo4j: running on bolt://127.0.0.1:$p (pid $pid, data $state/data)"
      return 0
    fi
    echo "neo4j: starting (pid $pid, Bolt on 127.0.0.1:$p not answering yet)"
    return 3
  fi
  if port_open "$port"; then
    echo "neo4j: 127.0.0.1:$port answers, but not a server started by this script"
    return 0
  fi
  echo "neo4j: stopped"
  return 3
}

case "${1:-}" in
  up | down)
    mkdir -p "$state"
    # One up/down at a time per state dir; the server itself never holds the lock (9>&- above).
    exec 9>"$state/.lock"
    flock -w 300 9 || die "another neo4j.sh up/down holds $state/.lock"
    "cmd_$1"
    ;;
  status) cmd_status ;;
  *)
    echo "usage: scripts/neo4j/neo4j.sh up|down|status" >&2
    exit 2
    ;;
esac
