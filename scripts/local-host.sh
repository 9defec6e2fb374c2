#!/usr/bin/env bash
# Start a local Ubuntu host: a Podman container from the base image, booted
# with systemd, the controller's uv cache mounted (see
# inventories/local/group_vars/all/local.yml). Prints nothing but errors.
#
# Usage: scripts/local-host.sh NAME noble|jammy|IMAGE
set -euo pipefail
cd "$(dirname "$0")/.."

name=${1:?usage: $0 NAME noble|jammy|IMAGE}
image=${2:?usage: $0 NAME noble|jammy|IMAGE}

cannot_start() {  # cannot_start WHAT ERROR
  echo "error: Podman could not start a container$1: $2" >&2
  echo "  check CONTAINERS_CONF=${CONTAINERS_CONF:-unset} (runtime = \"runc\", default_ulimits) and that runc is installed" >&2
  exit 2
}
# A Podman with a broken configuration fails every command: say so first.
error=$(podman info 2>&1 >/dev/null) || cannot_start "" "$error"

case $image in
  noble | jammy) image=$(scripts/build-base-image.sh "$image") ;;
esac

mkdir -p .cache/uv
podman rm --force --ignore "$name" >/dev/null
error=$(podman run --detach --name "$name" --hostname "$name" --systemd=always \
  --volume "$PWD/.cache/uv:/var/cache/ml-power-nowcast/uv" "$image" /sbin/init 2>&1 >/dev/null) ||
  cannot_start " from $image" "$error"
# systemd is up when it answers running or degraded (systemd-resolved has no
# place in a container).
for _ in $(seq 60); do
  state=$(podman exec "$name" systemctl is-system-running 2>/dev/null || true)
  case $state in
    running | degraded) exit 0 ;;
  esac
  sleep 1
done
echo "error: systemd in $name did not come up (state: '${state:-none}'); its journal:" >&2
podman exec "$name" journalctl --no-pager -n 40 >&2 || true
exit 1
