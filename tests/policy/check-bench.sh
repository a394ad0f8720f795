#!/bin/sh
# check-bench.sh -- `rpeval bench` works and every benchmark expression gives
# its expected result (bench/expressions.json); timing is not asserted: that
# is measured, not tested.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
py=${PYTHON3:-python3}
rpeval="${RP_WRAPPER:+$RP_WRAPPER }$builddir/rpeval/rpeval"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
$rpeval bench --expressions "$srcdir/bench/expressions.json" --format json --min-time 2 >"$out"
rc=$?
cat "$out"
[ $rc -eq 0 ] || { echo "FAIL: rpeval bench exited $rc"; exit 1; }
if command -v "$py" >/dev/null 2>&1; then
    "$py" - "$out" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert len(r) == 15, len(r)
bad = [x["id"] for x in r if not x["ok"]]
assert not bad, bad
for x in r:
    for k in ("compile_ns", "eval_ns", "eval_ns_min", "eval_ns_max", "allocs_per_eval"):
        assert k in x, (x["id"], k)
    assert x["eval_ns_min"] <= x["eval_ns"] <= x["eval_ns_max"], x
PY
fi
$rpeval bench --pack ray-hardening --format json "$srcdir/examples/raycluster.json" \
    "$srcdir/examples/ray-team-a-hardened.yaml" >"$out" || { echo "FAIL: bench --pack"; exit 1; }
cat "$out"
grep -q '"objects": 8' "$out" || { echo "FAIL: bench --pack did not check the 8 example objects"; exit 1; }
