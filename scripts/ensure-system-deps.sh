#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the test suite starts for real: influxd (InfluxDB 1.x),
# socat (pseudo-terminal pairs for serial tests), chromium (browser tests), mosquitto (2.x, with
# its dynamic security plugin: the external-broker tests), redis-server (the Socket.IO adapter of
# several hubs), postgresql (the store tests run on SQLite and on a temp PostgreSQL cluster) and a
# Chinese font (so the console's zh-CN screenshots are readable). Only what
# is missing is installed; needs root or sudo.
set -euo pipefail

# mosquitto_ctrl (in Debian's mosquitto package, /usr/bin) stands for the broker in /usr/sbin,
# which is not on a normal user's PATH.
declare -A wanted=([influxd]=influxdb [socat]=socat [chromium]=chromium [mosquitto_ctrl]=mosquitto
  [redis-server]=redis-server)
missing=()
for bin in "${!wanted[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${wanted[$bin]}")
done
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
# Debian keeps initdb/postgres off PATH, in /usr/lib/postgresql/<version>/bin (the tests look there).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "==> installing system packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "Please install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts influxdb as a service on install; the tests run their own influxd instances.
if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now influxdb >/dev/null 2>&1 || true; fi
# The same for mosquitto, redis and postgresql: the tests start their own, on free loopback ports.
if command -v systemctl >/dev/null 2>&1; then
  $sudo systemctl disable --now mosquitto redis-server postgresql >/dev/null 2>&1 || true
fi
