#!/usr/bin/env bash
# Build the swe-srl base image without a registry: a minimal Debian rootfs made by
# debootstrap from Debian's package mirror, imported as a Docker image.
# Usage: build_base_offline.sh IMAGE_TAG [SUITE]
set -euo pipefail
tag=${1:-swe-srl/base:latest}
suite=${2:-bookworm}
command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
root=$(mktemp -d /tmp/swe-srl-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=git,python3,python3-pytest,patch,procps "$suite" "$root" >"$root.log" 2>&1 \
  || { tail -n 30 "$root.log" >&2; exit 1; }
rm -f "$root.log"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
mkdir -p "$root/testbed"
tar -C "$root" -c . | docker import \
  -c 'WORKDIR /testbed' -c 'CMD ["sleep", "infinity"]' -c 'ENV LANG=C.UTF-8' \
  - "$tag" >/dev/null
echo "$tag"
