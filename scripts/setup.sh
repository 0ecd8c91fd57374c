#!/usr/bin/env bash
# Set up everything swe-srl and its tests need on a Debian machine, as root:
# system packages, a Docker engine (Debian's docker.io, started if none answers),
# a virtualenv at .venv with the CPU build of torch and the package with all its
# CPU extras, and the offline base sandbox image. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
need_apt=()
command -v git >/dev/null || need_apt+=(git)
command -v debootstrap >/dev/null || need_apt+=(debootstrap)
command -v dockerd >/dev/null || need_apt+=(docker.io)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  (nohup dockerd >/var/log/swe-srl-dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -n 30 /var/log/swe-srl-dockerd.log; echo "dockerd did not start" >&2; exit 1; }
fi

if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  # System site-packages are visible, so what a machine already has is not installed twice.
  python3 -m venv --system-site-packages .venv
fi
PY=.venv/bin/python
if ! $PY -c 'import torch' 2>/dev/null; then
  log "installing the CPU build of torch"
  # Pinned: this version's CPU wheel is on the machine; an unpinned torch pulls CUDA.
  $PY -m pip install -q torch==2.13.0
fi
log "installing swe-srl with its CPU extras"
$PY -m pip install -q -e '.[collect,train,eval,dev]'

if ! docker image inspect swe-srl/base:latest >/dev/null 2>&1; then
  log "building the base sandbox image"
  .venv/bin/swe-srl sandbox build-base
fi
log "ready"
