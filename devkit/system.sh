#!/usr/bin/env bash
# Install the Debian packages devkit starts real servers from. Idempotent and silent
# when everything is already there.
#
#   devkit/system.sh                                  # postgresql pgbackrest redis nginx dnsmasq chromium prometheus haproxy
#   devkit/system.sh prometheus-blackbox-exporter     # ... plus extra packages
#
# Services that the packages would normally start system-wide (nginx on *:80, redis,
# postgresql) are kept from starting and disabled: devkit runs its own copies on free
# 127.0.0.1 ports instead.
set -euo pipefail

# The file (or glob) a package provides; when it exists the package counts as present.
binary_for() {
  case "$1" in
    postgresql) echo '/usr/lib/postgresql/*/bin/postgres' ;;
    pgbackrest) echo /usr/bin/pgbackrest ;;
    redis-server) echo /usr/bin/redis-server ;;
    nginx-light) echo /usr/sbin/nginx ;;
    dnsmasq-base) echo /usr/sbin/dnsmasq ;;
    prometheus-blackbox-exporter) echo /usr/bin/prometheus-blackbox-exporter ;;
    prometheus) echo /usr/bin/prometheus ;;
    chromium) echo /usr/bin/chromium ;;
    haproxy) echo /usr/sbin/haproxy ;;
    *) echo "" ;;
  esac
}

# systemd units a package enables on install; devkit never wants them running.
services_for() {
  case "$1" in
    postgresql) echo postgresql ;;
    redis-server) echo redis-server ;;
    nginx-light) echo nginx ;;
    prometheus-blackbox-exporter) echo prometheus-blackbox-exporter ;;
    prometheus) echo prometheus ;;
    haproxy) echo haproxy ;;
    *) echo "" ;;
  esac
}

present() {
  local pkg=$1 bin
  bin=$(binary_for "$pkg")
  if [[ -n $bin ]]; then
    compgen -G "$bin" >/dev/null
  else
    command -v "$pkg" >/dev/null 2>&1 ||
      [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == "install ok installed" ]]
  fi
}

missing=()
for pkg in postgresql pgbackrest redis-server nginx-light dnsmasq-base chromium prometheus haproxy "$@"; do
  present "$pkg" || missing+=("$pkg")
done
((${#missing[@]})) || exit 0

if ((EUID == 0)); then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "devkit/system.sh: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi

# policy-rc.d exit 101 = "do not start services" for invoke-rc.d and deb-systemd-invoke.
created_policy=""
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() {
  if [[ -n $created_policy ]]; then
    "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d
  fi
}
trap cleanup EXIT

echo "devkit/system.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}"

if [[ -d /run/systemd/system ]]; then
  for pkg in "${missing[@]}"; do
    for unit in $(services_for "$pkg"); do
      "${SUDO[@]}" systemctl disable --now "$unit" >/dev/null 2>&1 || true
    done
  done
fi

for pkg in "${missing[@]}"; do
  if ! present "$pkg"; then
    echo "devkit/system.sh: $pkg installed but $(binary_for "$pkg") is still missing" >&2
    exit 1
  fi
done
