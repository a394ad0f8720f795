#!/bin/sh
# check-pack-doc.sh -- docs/ray-hardening.md must be what the built-in pack
# says today: regenerate it and compare.  `make update-pack-doc` fixes it.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
gen="$builddir/tools/gen_pack_md"
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT
"$gen" ray-hardening > "$out" || { echo "check-pack-doc: $gen failed"; exit 1; }
if ! diff -u "$srcdir/docs/ray-hardening.md" "$out"; then
    echo "check-pack-doc: docs/ray-hardening.md is stale: run 'make update-pack-doc'"
    exit 1
fi
echo "check-pack-doc: docs/ray-hardening.md matches the built-in pack"
