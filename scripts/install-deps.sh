#!/usr/bin/env bash
# Installs the system libraries Gradwire links against (Debian/Ubuntu): libzmq, OpenBLAS, zlib.
# Idempotent: does nothing when they are already installed. Uses sudo when not run as root.
set -euo pipefail
packages=(libzmq3-dev libopenblas-dev zlib1g-dev pkg-config)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present: ${packages[*]}"
  exit 0
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
