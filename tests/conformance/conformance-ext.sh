#!/bin/sh
# conformance-ext.sh -- make check's run of the conformance suite's
# extension sections (strings, math, encoders, optionals, bindings, two-
# variable macros, blocks) in the extended profile.
# The sections and the profile are run_conformance.py's suite "ext";
# known failures are in known_failures.txt.  Skipped (77) without python3.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
py=${PYTHON3:-python3}
if [ "$py" = ":" ] || ! command -v "$py" >/dev/null 2>&1; then
    echo "conformance-ext: python3 not found: skipped"
    exit 77
fi
exec "$py" "$srcdir/tests/conformance/run_conformance.py" --suite ext \
    --rpeval "$builddir/rpeval/rpeval" ${RP_WRAPPER:+--wrapper "$RP_WRAPPER"}
