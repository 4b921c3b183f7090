#!/usr/bin/env bash
# fuzz.sh: build the libFuzzer targets (clang, ASan+UBSan) and run each for a bounded
# time on its corpus in tests/fuzz/corpus/<name>/. Prints "N passed, N failed" (a target
# passes when it ran its time without a crash, leak or timeout).
#   sudo scripts/fuzz.sh [SECONDS]        (default 30 per target)
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
secs=${1:-30}
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
spec_srcs=(src/lib/spec/*.c src/lib/error.c)
pass=0 fail=0
for target in config process; do
	bin="$out/fuzz_$target"
	if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc/lib -Isrc/lib/spec \
		-o "$bin" "tests/fuzz/fuzz_$target.c" "${spec_srcs[@]}" -ljansson 2>"$out/build.log"; then
		echo "not ok fuzz_$target: build failed"
		sed 's/^/# /' "$out/build.log" | head -20
		fail=$((fail + 1))
		continue
	fi
	corpus="$out/corpus-$target"
	mkdir -p "$corpus"
	cp tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 "$corpus" >"$out/$target.log" 2>&1; then
		echo "ok fuzz_$target: $(grep -Eo '#[0-9]+ +DONE.*' "$out/$target.log" | tail -1)"
		pass=$((pass + 1))
	else
		echo "not ok fuzz_$target"
		tail -30 "$out/$target.log" | sed 's/^/# /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
