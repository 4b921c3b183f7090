#!/usr/bin/env bash
# demo.sh: build hako and run one real container with it.
#   sudo scripts/demo.sh
# Installs the dependencies (scripts/deps.sh), builds build/hako, makes a busybox
# bundle in a temporary directory (config.json from `hako spec`), and runs
#   hako --root <tmp>/state run -b <tmp>/bundle demo-<pid>
# The container prints its hostname (own UTS namespace), its uid and /proc/1/cmdline
# (own PID namespace: pid 1 is the container's shell). Everything is removed on exit.
# HAKO=/path/to/runtime runs another runtime binary instead of build/hako (for testing).
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root (sudo scripts/demo.sh)" >&2
	exit 1
fi

scripts/deps.sh --no-vm

if [ -z "${HAKO:-}" ]; then
	[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
	ninja -C build >/dev/null
	HAKO=$PWD/build/hako
fi

tmp=$(mktemp -d /tmp/hako-demo.XXXXXX)
id=demo-$$
cleanup() {
	"$HAKO" --root "$tmp/state" delete -f "$id" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# rootfs: busybox-static and a symlink per applet
rootfs=$tmp/bundle/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"

# config.json: hako's default spec, with the demo's command
(cd "$tmp/bundle" && "$HAKO" spec)
# shellcheck disable=SC2016 # expanded by the container's shell
script='echo hostname=$(hostname); echo uid=$(id -u); echo cmdline=$(tr "\0" " " </proc/1/cmdline)'
jq --arg s "$script" '.process.args = ["sh", "-c", $s] | .process.terminal = false
	| .hostname = "hako-demo"' "$tmp/bundle/config.json" >"$tmp/config.json"
mv "$tmp/config.json" "$tmp/bundle/config.json"

echo "+ $(basename "$HAKO") --root $tmp/state run -b $tmp/bundle $id" >&2
"$HAKO" --root "$tmp/state" run -b "$tmp/bundle" "$id"
