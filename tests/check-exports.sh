#!/bin/sh
# check-exports.sh -- the shared library exports exactly the public API.
#
# Three lists must agree: the RP_API functions of include/raypolicy.h, the
# symbols named in libraypolicy/raypolicy.map, and the dynamic symbols
# `nm -D --defined-only` finds in the built libraypolicy.so, each of which
# must carry the map's version node (RAYPOLICY_0.1).  Anything else that
# leaks out (an rpi_* helper, a lexer table) fails the test.
#
# Skipped (exit 77) without GNU ld (no version script) or without a shared
# library (--disable-shared).
set -eu

srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
nm_cmd=${NM:-nm}
version_node=RAYPOLICY_0.1

if [ "${RP_GNU_LD:-yes}" != yes ]; then
    echo "check-exports: not GNU ld, no version script: skipped"
    exit 77
fi
so=$(ls "$builddir"/libraypolicy/.libs/libraypolicy.so.* 2>/dev/null | head -n 1 || true)
if [ -z "$so" ]; then
    echo "check-exports: no shared library built: skipped"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rp-exports.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# RP_API declarations: the name before the '(' on each RP_API line.
sed -n 's/^RP_API .*[ *]\([A-Za-z_][A-Za-z0-9_]*\)(.*/\1/p' \
    "$srcdir/include/raypolicy.h" | sort >"$tmp/header"
# Names in the map's global: sections (comments and `local: *;` aside).
sed -e 's:/\*.*\*/::g' "$srcdir/libraypolicy/raypolicy.map" |
    sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);[[:space:]]*$/\1/p' |
    sort >"$tmp/map"
# Defined dynamic symbols: "ADDR TYPE NAME@@VERSION"; the version node
# itself appears as an absolute (A) symbol.
$nm_cmd -D --defined-only "$so" | awk '$2 != "A" { print $3 }' | sort >"$tmp/nm"

status=0
if ! diff -u "$tmp/header" "$tmp/map" >"$tmp/diff"; then
    echo "check-exports: include/raypolicy.h (-) and raypolicy.map (+) differ:"
    cat "$tmp/diff"
    status=1
fi
sed 's/@.*//' "$tmp/nm" | sort >"$tmp/nm-names"
if ! diff -u "$tmp/map" "$tmp/nm-names" >"$tmp/diff"; then
    echo "check-exports: raypolicy.map (-) and nm -D $so (+) differ:"
    cat "$tmp/diff"
    status=1
fi
if grep -v '^rp_' "$tmp/nm-names" >"$tmp/foreign"; then
    echo "check-exports: exported symbols outside the rp_ namespace:"
    cat "$tmp/foreign"
    status=1
fi
if grep -v "@@$version_node\$" "$tmp/nm" >"$tmp/unversioned"; then
    echo "check-exports: symbols without the $version_node version node:"
    cat "$tmp/unversioned"
    status=1
fi
if [ "$status" -eq 0 ]; then
    echo "check-exports: $(wc -l <"$tmp/map") symbols, all rp_*, all $version_node"
fi
exit "$status"
