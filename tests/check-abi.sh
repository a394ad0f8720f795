#!/bin/sh
# check-abi.sh -- the built library's ABI against the committed baseline.
#
# abi/libraypolicy.abi is what libabigail's abidw saw in libraypolicy.so when
# the ABI was last fixed (`make update-abi` rewrites it, on purpose only).
# abidiff compares it with the library just built, public types only (those
# of include/), and this test fails on any change that is not an addition:
# a function or variable removed or moved to another version node, a
# parameter or return type changed, the layout of a public struct changed.
# abi/libraypolicy.abignore lists the changes that are compatible by design
# (fields appended to rp_env_options).  Additions -- new functions, which
# go into a new version node of raypolicy.map once a version is released --
# keep every existing program working: they pass, and are listed.
#
# Skipped (exit 77) without abidiff (Debian package: abigail-tools) or
# without a shared library (--disable-shared).
set -u

srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
abidiff=${ABIDIFF:-abidiff}
baseline=$srcdir/abi/libraypolicy.abi

if ! command -v "$abidiff" >/dev/null 2>&1; then
    echo "check-abi: abidiff not found (Debian package: abigail-tools): skipped"
    exit 77
fi
so=$builddir/libraypolicy/.libs/libraypolicy.so
if [ ! -e "$so" ]; then
    echo "check-abi: no shared library built: skipped"
    exit 77
fi

out=$(mktemp "${TMPDIR:-/tmp}/rp-abi.XXXXXX") || exit 99
trap 'rm -f "$out"' EXIT
set -- --headers-dir2 "$srcdir/include" --drop-private-types \
    --suppressions "$srcdir/abi/libraypolicy.abignore" "$baseline" "$so"

# abidiff's status is a bit set: 1 error, 2 usage error, 4 the ABI changed,
# 8 it changed incompatibly.  Without the additions, any change fails.
"$abidiff" --no-added-syms "$@" >"$out" 2>&1
status=$?
if [ $((status & 3)) -ne 0 ]; then
    echo "check-abi: abidiff failed (status $status):"
    cat "$out"
    exit 99
fi
if [ "$status" -ne 0 ]; then
    echo "check-abi: the ABI of $so is not compatible with abi/libraypolicy.abi:"
    cat "$out"
    echo "check-abi: if this change is meant, it breaks every program built against the"
    echo "check-abi: library: bump -version-info's current and reset age to 0 in"
    echo "check-abi: Makefile.am (a new soname), then run 'make update-abi'"
    exit 1
fi

"$abidiff" "$@" >"$out" 2>&1
added=$(grep -c '^  \[A\]' "$out")
echo "check-abi: compatible with abi/libraypolicy.abi; $added function(s) or variable(s) added"
if [ "$added" -gt 0 ]; then
    echo "check-abi: additions are compatible; they belong in a new version node of"
    echo "check-abi: raypolicy.map once the version they were added to is released:"
    grep '^  \[A\]' "$out"
fi
exit 0
