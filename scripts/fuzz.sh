#!/usr/bin/env bash
# fuzz.sh: build the libFuzzer targets (clang, ASan+UBSan) and run each for a bounded
# time on its corpus in tests/fuzz/corpus/<name>/. Prints "N passed, N failed" (a target
# passes when it ran its time without a crash, leak or timeout).
#   sudo scripts/fuzz.sh [SECONDS] [TARGET...]   (default 30 s per target, every target)
# Targets: config, process (the spec parser), cli (create/run/exec flags), ids (signal,
# --user, id maps), seccomp (linux.seccomp -> hako's BPF program, not loaded).
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config process cli ids seccomp)
if ! command -v clang >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang >/dev/null 2>&1 || true
fi
if ! command -v clang >/dev/null; then
	echo "fuzz.sh: clang is not installed"
	echo "0 passed, 1 failed"
	exit 1
fi
out=$(mktemp -d /tmp/hako-fuzz.XXXXXX)
trap 'rm -rf "$out"' EXIT
CFLAGS=(-g -O1 -D_GNU_SOURCE -DHAKO_VERSION='"fuzz"' -fno-strict-aliasing -Isrc -Isrc/lib
	-Isrc/lib/include -Isrc/lib/spec -Isrc/lib/util -Isrc/lib/process -Isrc/lib/rootfs
	-Isrc/lib/cgroup -Isrc/lib/container -Isrc/lib/criu)
LIBS=(-ljansson)
# libhako (and the CLI without its main) once, instrumented, shared by the targets
# (not the musl-only fortify shims: glibc has those entry points)
mkdir -p "$out/obj"
python3 tools/gen_seccomp_syscalls.py "$out/seccomp_syscalls.c" clang
if ! printf '%s\n' src/lib/*.c src/lib/*/*.c src/cmd/*.c src/hako.c "$out/seccomp_syscalls.c" |
	grep -v fortify_shim |
	xargs -P "$(nproc)" -I{} sh -c 'd=$1 src=$2; shift 2
		clang "$@" -c "$src" -o "$d/obj/$(echo "$src" | tr / _).o" 2>>"$d/build.log"' _ "$out" {} \
		"${CFLAGS[@]}" -Dmain=hako_cli_main -fsanitize=fuzzer-no-link,address,undefined ||
	! ar rcs "$out/libhako-fuzz.a" "$out"/obj/*.o 2>>"$out/build.log"; then
	echo "not ok fuzz: building libhako failed"
	sed 's/^/# /' "$out/build.log" | head -20
	echo "0 passed, 1 failed"
	exit 1
fi
pass=0 fail=0
for target in "${targets[@]}"; do
	bin="$out/fuzz_$target"
	if ! clang "${CFLAGS[@]}" -fsanitize=fuzzer,address,undefined -o "$bin" \
		"tests/fuzz/fuzz_$target.c" "$out/libhako-fuzz.a" "${LIBS[@]}" 2>"$out/build.log"; then
		echo "not ok fuzz_$target: build failed"
		sed 's/^/# /' "$out/build.log" | head -20
		fail=$((fail + 1))
		continue
	fi
	corpus="$out/corpus-$target"
	mkdir -p "$corpus"
	cp tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/" "$corpus" >"$out/$target.log" 2>&1; then
		echo "ok fuzz_$target: $(grep -Eo 'Done [0-9]+ runs.*' "$out/$target.log" | tail -1)"
		pass=$((pass + 1))
	else
		echo "not ok fuzz_$target"
		tail -30 "$out/$target.log" | sed 's/^/# /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
