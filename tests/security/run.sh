#!/bin/sh
# Build and run the security tests (needs root): tests/security/run.sh [-v] [--valgrind]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${SECTEST_OUT:-/tmp/hako-sectest-build}
mkdir -p "$out"
srcs="$top/src/lib/security/cap_names.c $top/src/lib/security/caps.c
  $top/src/lib/security/nnp.c $top/src/lib/security/seccomp_compile.c
  $top/src/lib/security/seccomp_bpf.c $top/src/lib/security/seccomp_resolve.c
  $top/src/lib/security/seccomp_load.c $top/src/lib/security/seccomp_notify.c
  $top/src/lib/util/fdpass.c $out/seccomp_syscalls.c"
cflags="-std=gnu17 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Wno-missing-field-initializers
  -fno-strict-aliasing -I$top/src/lib -I$top/src/lib/spec -I$top/src/lib/util"
# the test programs themselves use libseccomp (hako does not)
libs="-Wl,-Bstatic -lseccomp -ljansson -Wl,-Bdynamic"
python3 "$top/tools/gen_seccomp_syscalls.py" "$out/seccomp_syscalls.c" gcc
# error.c is not this module's: build it without -Werror (format-truncation at -O1)
# shellcheck disable=SC2086
gcc $cflags -Wno-format-truncation -c -o "$out/error.o" "$top/src/lib/error.c"
# shellcheck disable=SC2086
gcc $cflags -o "$out/sectest" "$here/sectest.c" $srcs "$out/error.o" $libs
# shellcheck disable=SC2086
gcc $cflags -o "$out/seccomp_agent" "$here/seccomp_agent.c" $libs
verbose=
vg=
for a in "$@"; do
  case $a in
    -v) verbose=-v ;;
    --valgrind) vg="valgrind --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all
      --error-exitcode=99 --child-silent-after-fork=yes -q"
      verbose="$verbose --parent-only" ;;
  esac
done
# shellcheck disable=SC2086
SECTEST_AGENT="$out/seccomp_agent" exec $vg "$out/sectest" $verbose
