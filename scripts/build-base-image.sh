#!/usr/bin/env bash
# Build a local Ubuntu base image from Ubuntu's archive with debootstrap and
# print its tag. The image looks like a cloud image: systemd as PID 1, python3,
# python3-apt, sudo and an SSH server. The tag carries a hash of this recipe, so
# a changed recipe builds a new image and an unchanged one is reused.
#
# Usage: scripts/build-base-image.sh noble|jammy
set -euo pipefail

release=${1:?usage: $0 noble|jammy}
mirror=${UBUNTU_MIRROR:-http://archive.ubuntu.com/ubuntu}
keyring_deb=ubuntu-keyring_2023.11.28.1_all.deb
keyring_sha256=36de43b15853ccae0028e9a767613770c704833f82586f28eb262f0311adb8a8
packages=systemd,systemd-sysv,dbus,python3,python3-apt,sudo,openssh-server,ca-certificates,curl,gpg,iproute2,kmod,udev,locales
components=main,restricted,universe,multiverse

case $release in
  noble | jammy) ;;
  *) echo "error: release '$release' is not supported: use noble (24.04) or jammy (22.04)" >&2; exit 2 ;;
esac
for cmd in debootstrap podman curl dpkg-deb gpgv sha256sum; do
  command -v "$cmd" >/dev/null || {
    echo "error: '$cmd' is missing: run 'make setup' (or apt-get install podman runc debootstrap curl gpgv)" >&2
    exit 2
  }
done

recipe_hash=$( (cat "$0"; echo "$release $mirror") | sha256sum | cut -c1-12)
tag=localhost/ml-power-nowcast-base:$release-$recipe_hash
# The release's plain tag (what Molecule and the demo host use) follows the
# newest recipe.
alias=localhost/ml-power-nowcast-base:$release
if podman image exists "$tag"; then
  podman tag "$tag" "$alias"
  echo "$tag"
  exit 0
fi

work=$(mktemp -d /var/tmp/ml-power-nowcast-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "building $tag from $mirror (about a minute)" >&2

curl -fsS --retry 5 --retry-all-errors -o "$work/$keyring_deb" \
  "$mirror/pool/main/u/ubuntu-keyring/$keyring_deb"
echo "$keyring_sha256  $work/$keyring_deb" | sha256sum --check --quiet - || {
  echo "error: $keyring_deb does not match its pinned SHA-256: check the mirror $mirror" >&2
  exit 1
}
dpkg-deb -x "$work/$keyring_deb" "$work/keyring"
keyring=$work/keyring/usr/share/keyrings/ubuntu-archive-keyring.gpg

# Debian 12's debootstrap has no script for noble; gutsy's serves every release since.
script=/usr/share/debootstrap/scripts/$release
[ -e "$script" ] || script=/usr/share/debootstrap/scripts/gutsy

rootfs=$work/rootfs
for attempt in 1 2 3; do
  if debootstrap --variant=minbase --components="$components" --include="$packages" \
    --keyring="$keyring" "$release" "$rootfs" "$mirror" "$script" >"$work/debootstrap.log" 2>&1; then
    break
  fi
  tail -n 20 "$work/debootstrap.log" >&2
  [ "$attempt" = 3 ] && { echo "error: debootstrap of $release failed 3 times (log above)" >&2; exit 1; }
  echo "debootstrap failed, retrying ($attempt/3)" >&2
  rm -rf "$rootfs"
done

# Apt sources as on a cloud image: release, updates and security pockets.
rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/ubuntu.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $release $release-updates $release-security
Components: ${components//,/ }
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg
SOURCES
# A container has no console to log in on; systemd generates the machine id at boot.
chroot "$rootfs" systemctl mask getty@tty1.service console-getty.service systemd-logind.service >/dev/null 2>&1 || true
: >"$rootfs/etc/machine-id"
# No package index, as on a cloud image. Ansible's apt module judges the
# index's age by the lists folder's time, so that is made old too.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
touch -d @0 "$rootfs/var/lib/apt/lists"
echo "ubuntu-$release" >"$rootfs/etc/hostname"

tar -C "$rootfs" -c . | podman import --quiet \
  --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
  --message "ml-power-nowcast base $release ($recipe_hash)" - "$tag" >/dev/null
podman tag "$tag" "$alias"
echo "$tag"
