#!/usr/bin/env bash
# Installs what the SIEM export tests need: Debian's rsyslog with its GnuTLS driver (the tests run a
# private rsyslogd on loopback ports as the syslog receiver, over UDP, TCP and TLS) and the openssl
# CLI (the tests make a throwaway CA and server certificate). Idempotent; called by scripts/services.sh up.
# The system rsyslog service is not started or configured here: tests start their own instance.
set -euo pipefail

missing=()
command -v rsyslogd >/dev/null || missing+=(rsyslog)
ls /usr/lib/*/rsyslog/lmnsd_gtls.so >/dev/null 2>&1 || missing+=(rsyslog-gnutls)
command -v openssl >/dev/null || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0

command -v apt-get >/dev/null || { echo "[rsyslog] ERROR: install ${missing[*]} by hand (no apt-get)" >&2; exit 1; }
echo "[rsyslog] installing ${missing[*]} from Debian packages" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
