#!/usr/bin/env bash
# Installs the Debian packages Focal builds against, when they are missing.
set -euo pipefail
need=()
for pkg in libopenblas-dev liblapacke-dev libpng-dev libtiff-dev libgif-dev libjpeg62-turbo-dev pkg-config \
    libopenmpi-dev openmpi-bin iproute2 time; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "Installing ${need[*]} ..."
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
