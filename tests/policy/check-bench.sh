#!/bin/sh
# check-bench.sh -- `rpeval bench` works and every benchmark expression gives
# its expected result (bench/expressions.json), in libraypolicy and in the
# hand-written C baseline (bench/baseline); the callgrind mode runs; --copies
# gives N times the objects and findings of one copy.  Timing is not
# asserted: that is measured (`make bench`), not tested.
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

# The hand-written C baseline computes every expected result.
baseline="${RP_WRAPPER:+$RP_WRAPPER }$builddir/bench/baseline"
$baseline --expressions "$srcdir/bench/expressions.json" --check >"$out" ||
    { cat "$out"; echo "FAIL: bench/baseline --check"; exit 1; }
cat "$out"
[ "$(grep -c ' yes ' "$out")" -eq 15 ] || { echo "FAIL: baseline did not check 15 expressions"; exit 1; }

# The callgrind mode: one expression, K evaluations, no timing.
for prog in "$rpeval bench" "$baseline"; do
    $prog --expressions "$srcdir/bench/expressions.json" --only gpu-total \
        --callgrind-iterations 3 --format json >"$out" ||
        { echo "FAIL: $prog --callgrind-iterations"; exit 1; }
    grep -q '"iterations": 3' "$out" && grep -q '"ok": true' "$out" ||
        { cat "$out"; echo "FAIL: $prog --callgrind-iterations output"; exit 1; }
done
$rpeval bench --expressions "$srcdir/bench/expressions.json" --only no-such-id >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: --only with an unknown id is not a usage error"; exit 1; }

# --copies: N copies of the inputs, each in namespaces of its own, give N
# times the objects and the findings of one (YAML with several documents
# and nested namespace fields, and JSON).
inputs="$srcdir/examples/raycluster.json $srcdir/tests/corpus/ray/ray-project__kuberay__apiserver__deploy__base__insecure__apiserver.yaml"
for n in 1 3; do
    # shellcheck disable=SC2086
    $rpeval bench --pack ray-hardening --copies $n --format json $inputs \
        >"$out.$n" 2>/dev/null || { echo "FAIL: bench --copies $n"; exit 1; }
    cat "$out.$n"
done
if command -v "$py" >/dev/null 2>&1; then
    "$py" - "$out.1" "$out.3" <<'PY' || exit 1
import json, sys
one, three = (json.load(open(f)) for f in sys.argv[1:3])
assert one["copies"] == 1 and three["copies"] == 3, (one, three)
assert one["objects"] == 9 and three["objects"] == 27, (one, three)
assert one["findings"] > 0 and three["findings"] == 3 * one["findings"], (one, three)
assert one["errors"] == 0 and three["errors"] == 0, (one, three)
for k in ("ns_per_object", "objects_per_second", "runs", "check_ms", "first_run_ms"):
    assert k in three, k
assert three["runs"] >= 3, three
assert three["check_ms_min"] <= three["check_ms"] <= three["check_ms_max"], three
PY
fi
rm -f "$out.1" "$out.3"
$rpeval bench --pack ray-hardening --copies 2 "$srcdir/examples/ray-team-a-hardened.yaml" >/dev/null 2>"$out"
[ $? -eq 2 ] && grep -q "kind: List" "$out" ||
    { cat "$out"; echo "FAIL: --copies of a kind: List YAML is not refused"; exit 1; }
$rpeval bench --pack ray-hardening --copies 0 "$srcdir/examples/raycluster.json" >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: --copies 0 is not a usage error"; exit 1; }
$rpeval bench --expressions "$srcdir/bench/expressions.json" --copies 2 >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: --copies without --pack is not a usage error"; exit 1; }
exit 0
