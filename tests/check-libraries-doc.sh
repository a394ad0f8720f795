#!/bin/sh
# check-libraries-doc.sh -- docs/libraries.md must be what the registry says
# today: regenerate it and compare.  `make update-libraries-doc` fixes it.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
gen="$builddir/tools/gen_libraries_md"
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT
"$gen" > "$out" || { echo "check-libraries-doc: $gen failed"; exit 1; }
if ! diff -u "$srcdir/docs/libraries.md" "$out"; then
    echo "check-libraries-doc: docs/libraries.md is stale: run 'make update-libraries-doc'"
    exit 1
fi
echo "check-libraries-doc: docs/libraries.md matches the registry"
