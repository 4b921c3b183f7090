#!/bin/sh
# Build tests/cgroup/cgtest.c against src/lib/cgroup and run it on this host and
# under pure cgroup v2 in the VM (shared/vm/run-in-vm).  Needs root.
# Prints each run's checks and a final "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
vm=${RUN_IN_VM:-/work/shared/vm/run-in-vm}
work=$(mktemp -d /var/tmp/hako-test-cgroup.XXXXXX) || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

logsrc="$root/src/lib/log.c"
if [ ! -f "$logsrc" ]; then
  # a minimal sink until log.c exists
  logsrc="$work/log_stub.c"
  cat >"$logsrc" <<'STUB'
#include <stdarg.h>
#include <stdio.h>
#include "log.h"
void hk_log(enum hk_log_level level, const char *fmt, ...) {
  if (level == HK_LOG_DEBUG)
    return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}
STUB
fi
# error.c is not ours: -Wno-format-truncation keeps its snprintf warning from stopping the build
gcc -std=gnu17 -O2 -Wall -Wextra -Werror -Wno-missing-field-initializers -Wno-format-truncation \
  -D_GNU_SOURCE -I"$root/src/lib" -I"$root/src/lib/spec" -I"$root/src/lib/util" \
  "$root"/src/lib/cgroup/*.c "$root/src/lib/error.c" "$logsrc" "$root/src/lib/util/utc.c" \
  "$root/tests/cgroup/cgtest.c" \
  -o "$work/cgtest" || { echo "0 passed, 1 failed (build)"; exit 1; }

total_p=0
total_f=0

# The module's only libhako dependencies are error.h, log.h and spec.h (the link
# above already used nothing but error.c, log.c and the UTC formatter log.c
# needs), and cgroup.h stands alone.
echo "### dependencies"
bad=$(grep -h '^#include "' "$root"/src/lib/cgroup/*.[ch] |
  grep -v -E '"(cgroup|internal|error|log|spec)\.h"' || true)
if [ -z "$bad" ]; then echo "ok - includes: only error.h, log.h, spec.h"; total_p=$((total_p + 1))
else echo "FAIL - other libhako includes: $bad"; total_f=$((total_f + 1)); fi
if echo '#include "cgroup/cgroup.h"' | gcc -std=gnu17 -Wall -Wextra -Werror -fsyntax-only \
    -I"$root/src/lib" -I"$root/src/lib/spec" -x c -; then
  echo "ok - cgroup.h is self-contained"; total_p=$((total_p + 1))
else echo "FAIL - cgroup.h is not self-contained"; total_f=$((total_f + 1)); fi
tally() { # $1: output file, $2: exit status
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
  if [ -z "$line" ]; then
    total_f=$((total_f + 1))
    echo "# no summary (exit $2)"
    return
  fi
  total_p=$((total_p + ${line%% passed*}))
  f=${line#*, }
  total_f=$((total_f + ${f%% failed}))
}

echo "### host"
(cd "$work" && timeout 120 ./cgtest) >"$work/host.out" 2>&1
st=$?
cat "$work/host.out"
tally "$work/host.out" $st

if [ -x "$vm" ] && [ "${SKIP_VM:-0}" != 1 ]; then
  for layout in v2 v1 hybrid; do
    echo "### vm (cgroup $layout)"
    "$vm" -q --cgroup $layout --timeout 180 -- "$work" ./cgtest >"$work/vm.out" 2>&1
    st=$?
    cat "$work/vm.out"
    tally "$work/vm.out" $st
  done
fi
# nothing of ours may be left on the host
# (only this run's own id: other suites may have hako-test-* cgroups of their own right now)
id=$(sed -n 's/^ok - create \(hako-test-[0-9]*\):.*/\1/p' "$work/host.out" | head -n 1)
left=
[ -n "$id" ] && left=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "$id*" 2>/dev/null)
if [ -n "$left" ]; then
  echo "FAIL - left behind: $left"
  total_f=$((total_f + 1))
fi
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
