#!/usr/bin/env bash
# deps.sh: install the build and test dependencies of hako on Debian 12 (bookworm).
# Idempotent: apt-get runs only when a package is missing, and `apt-get update` only
# when apt cannot find one of them in its current lists.
#   scripts/deps.sh            build + test dependencies
#   scripts/deps.sh --no-vm    skip qemu-system-x86 (only the VM tests need it)
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

PKGS=(
	# build
	gcc libc6-dev musl-tools pkg-config meson ninja-build
	libjansson-dev libseccomp-dev libcmocka-dev
	# tests
	bats bats-assert bats-support busybox-static jq python3 iproute2 util-linux valgrind
	uidmap runc crun podman conmon containerd clang catatonit
	# checkpoint/restore (run by hako, tested in the VM: tests/integration/vm/criu.sh)
	criu
	# VM tests (cgroup v2 suite through ../shared/vm/run-in-vm; apparmor_parser for the
	# AppArmor suite: the guest kernel runs AppArmor, this host's does not)
	qemu-system-x86 apparmor
)

for a in "$@"; do
	case $a in
	--no-vm) PKGS=("${PKGS[@]/qemu-system-x86/}") PKGS=("${PKGS[@]/apparmor/}") ;;
	-h | --help) sed -n '2,6p' "$0"; exit 0 ;;
	*) echo "deps.sh: unknown option $a" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${PKGS[@]}"; do
	[ -n "$p" ] || continue
	if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Quiet: apt's output is shown only when it fails.
quiet() { "$@" >"$log" 2>&1 || { cat "$log" >&2; return 1; }; }
apt_install() {
	quiet apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}"
}
# Refresh the lists only when one of the packages is unknown to them (or a first try fails).
need_update=0
for p in "${missing[@]}"; do
	apt-cache show "$p" >/dev/null 2>&1 || { need_update=1; break; }
done
if [ $need_update = 1 ] || ! apt_install; then
	quiet apt-get update -qq
	apt_install
fi
