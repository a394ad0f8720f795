#!/bin/sh
# check-ray-pack.sh -- the built-in Ray hardening pack on real manifests:
#   1. it lints cleanly, as a Kubernetes API server would compile it;
#   2. its test suites pass (packs/tests: a positive and a negative case per
#      rule, parameter and break-glass cases, and the hand-labelled corpus:
#      one exhaustive suite per manifest of tests/corpus/ray);
#   3. `rpeval check` reads every document of the corpus without an error.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
py=${PYTHON3:-python3}
rpeval="${RP_WRAPPER:+$RP_WRAPPER }$builddir/rpeval/rpeval"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

if ! $rpeval lint --profile kubernetes ray-hardening >"$tmp/lint" 2>&1; then
    echo "FAIL: ray-hardening does not lint in the kubernetes profile:"; cat "$tmp/lint"; status=1
fi
if grep -q warning "$tmp/lint"; then
    echo "FAIL: lint warnings:"; cat "$tmp/lint"; status=1
fi

$rpeval test "$srcdir/packs/tests" >"$tmp/test" 2>&1
rc=$?
tail -1 "$tmp/test"
if [ $rc -ne 0 ]; then
    echo "FAIL: rpeval test packs/tests exited $rc:"; grep -v '^PASS' "$tmp/test" | head -50; status=1
fi

$rpeval check --format json "$srcdir/tests/corpus/ray" >"$tmp/corpus.json" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ]; then
    echo "FAIL: the corpus has unreadable input:"; cat "$tmp/err"; status=1
fi
if command -v "$py" >/dev/null 2>&1; then
    "$py" - "$tmp/corpus.json" <<'PY' || status=1
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
print("corpus: %d files, %d documents, %d objects, %d findings, %d errors"
      % (s["files"], s["documents"], s["objects"], len(d["findings"]), len(d["errors"])))
assert not d["errors"], d["errors"][:5]
assert s["files"] >= 70 and s["objects"] > 100, s
PY
fi
exit $status
