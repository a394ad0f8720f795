#!/bin/sh
# conformance-core.sh -- make check's run of the cel-spec conformance
# suite's core sections in the cel profile.
# The sections and the profile are run_conformance.py's suite "core";
# known failures are in known_failures.txt.  Skipped (77) without python3.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
py=${PYTHON3:-python3}
if [ "$py" = ":" ] || ! command -v "$py" >/dev/null 2>&1; then
    echo "conformance-core: python3 not found: skipped"
    exit 77
fi
exec "$py" "$srcdir/tests/conformance/run_conformance.py" --suite core \
    --rpeval "$builddir/rpeval/rpeval" ${RP_WRAPPER:+--wrapper "$RP_WRAPPER"}
