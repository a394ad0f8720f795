#!/bin/sh
# check-cli.sh -- `rpeval check`, `rpeval lint` and `rpeval test` end to end:
# exit statuses, the four report formats (SARIF validated against the
# SARIF 2.1.0 schema, JUnit XML parsed), standard input, directories, bad
# packs, bad parameter files and bad documents that must not hide the
# findings of good ones.  Expected findings are those of
# tests/unit/test_engine.c's reading of tests/data/manifests/mixed.yaml.
set -u
. "${top_srcdir:-.}/tests/policy/tap.sh"
pack="$data/packs/demo.yaml"

# -- text, the default format: findings, bypassed, summary; exit 1 (deny finding)
expect_status 1 "check text" $rpeval check --pack "$pack" --color never "$data/manifests/mixed.yaml"
expect_grep "DEMO-IMG-001" "$tmp/out" "text names the failing rule"
expect_grep "container sidecar uses image docker.io/evil:latest" "$tmp/out" "text has the message"
expect_grep "INC-42 temporary demo" "$tmp/out" "text shows the break-glass reason"
if grep -q "$(printf '\033')" "$tmp/out"; then bad "no colour with --color never"; else ok "no colour with --color never"; fi

# -- --fail-on: critical only (the one critical finding is bypassed) -> 0
expect_status 1 "an evaluation error still fails with --fail-on critical" \
    $rpeval check --pack "$pack" --fail-on critical "$data/manifests/mixed.yaml"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: q}\nspec:\n  containers: [{name: a, image: docker.io/x}]\n' >"$tmp/pod.yaml"
expect_status 1 "deny finding fails by default" $rpeval check --pack "$pack" "$tmp/pod.yaml"
expect_status 0 "--fail-on critical passes a high finding" \
    $rpeval check --pack "$pack" --fail-on critical "$tmp/pod.yaml"

# -- standard input
expect_status 1 "check reads standard input" sh -c "$rpeval check --pack '$pack' --format json - < '$tmp/pod.yaml'"
expect_grep '"file": "<stdin>"' "$tmp/out" "stdin is named <stdin>"

# -- JSON: the DESIGN.md shape
expect_status 1 "check json" $rpeval check --pack "$pack" --format json "$data/manifests/mixed.yaml"
if "$py" - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = {(x["rule"], x["name"]): x for x in d["findings"]}
assert set(f) == {("DEMO-IMG-001", "bad"), ("DEMO-SVC-001", "head"), ("DEMO-DEP-001", "big")}, f.keys()
x = f[("DEMO-IMG-001", "bad")]
for k in ("rule", "severity", "action", "message", "file", "document", "line", "apiVersion",
          "kind", "namespace", "name", "path"):
    assert k in x, k
assert x["line"] == 19 and x["document"] == 1 and x["path"] == "spec.containers", x
assert f[("DEMO-SVC-001", "head")]["bypassed"] is True
assert len(d["errors"]) == 1 and "no such key" in d["errors"][0]["message"], d["errors"]
assert "summary" in d
PY
then ok "json findings and errors as expected"; else bad "json findings and errors"; fi

# -- SARIF 2.1.0 and JUnit, validated
for fmt in sarif junit; do
    expect_status 1 "check $fmt" $rpeval check --pack "$pack" --format "$fmt" "$data/manifests/mixed.yaml"
    cp "$tmp/out" "$tmp/report.$fmt"
    if "$py" "$srcdir/tests/policy/validate_report.py" "$fmt" "$tmp/report.$fmt" >"$tmp/v" 2>&1; then
        ok "$fmt output validates"
    elif [ $? -eq 77 ]; then ok "# SKIP $fmt validation: $(cat "$tmp/v")"
    else bad "$fmt output validates"; sed 's/^/    /' "$tmp/v" | head -20; fi
done

# -- directories, and bad input that hides nothing: exit 2, good findings kept
mkdir -p "$tmp/dir/sub"
cp "$data/manifests/broken.yaml" "$tmp/dir/a.yaml"
cp "$tmp/pod.yaml" "$tmp/dir/sub/b.yml"
echo "not a manifest" >"$tmp/dir/notes.txt"
expect_status 2 "unreadable documents give exit 2" $rpeval check --pack "$pack" --format json "$tmp/dir"
if "$py" - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((x["name"], x["rule"]) for x in d["findings"])
# p (sub/b.yml): registry and, with no ResourceQuota in namespace q, quota
assert got == [("after", "DEMO-SVC-001"), ("lb", "DEMO-SVC-001"), ("p", "DEMO-IMG-001"),
               ("p", "DEMO-NS-001")], got
files = [x["file"] for x in d["findings"]]
assert files == sorted(files), files
assert any("duplicate key" in e["message"] for e in d["errors"]), d["errors"]
PY
then ok "good documents of a directory are still checked, in path order"; else bad "directory check"; fi

# -- a bad parameter file: exit 2, the defaults are used, findings kept
echo "maxReplicas: [unterminated" >"$tmp/params.yaml"
expect_status 2 "bad parameter file gives exit 2" $rpeval check --pack "$pack" --params "$tmp/params.yaml" "$tmp/pod.yaml"
expect_grep "params.yaml:[0-9]*:[0-9]*:" "$tmp/err" "bad parameter file error names file:line:column"
expect_grep "DEMO-IMG-001" "$tmp/out" "findings survive a bad parameter file"

# -- a bad pack next to a good one: exit 2, the good pack still runs
printf 'apiVersion: raypolicy/v1\nkind: PolicyPack\nmetadata: {name: x}\nspec:\n  policies:\n  - id: X\n    title: x\n    severity: low\n    validations: [{expression: "1 +"}]\n' >"$tmp/badpack.yaml"
expect_status 2 "a bad pack gives exit 2" $rpeval check --pack "$tmp/badpack.yaml" --pack "$pack" "$tmp/pod.yaml"
expect_grep "badpack.yaml:9:" "$tmp/err" "bad pack error names file:line"
expect_grep "DEMO-IMG-001" "$tmp/out" "findings survive a bad pack"

# -- usage errors
expect_status 2 "no inputs" $rpeval check --pack "$pack"
expect_status 2 "bad format" $rpeval check --pack "$pack" --format xml "$tmp/pod.yaml"
expect_status 2 "unknown built-in pack" $rpeval check --pack no-such-pack "$tmp/pod.yaml"

# -- lint
expect_status 0 "lint a good pack" $rpeval lint "$pack"
expect_status 1 "lint a bad pack" $rpeval lint "$tmp/badpack.yaml"
expect_grep "badpack.yaml:9:" "$tmp/out" "lint error names file:line"
printf 'apiVersion: raypolicy/v1\nkind: PolicyPack\nmetadata: {name: e}\nspec:\n  profile: extended\n  policies:\n  - id: E\n    title: e\n    severity: low\n    validations: [{expression: "math.greatest(1, 2) == 2"}]\n' >"$tmp/ext.yaml"
expect_status 0 "an extended pack lints in its own profile" $rpeval lint "$tmp/ext.yaml"
expect_status 1 "and not as Kubernetes would compile it" $rpeval lint --profile kubernetes "$tmp/ext.yaml"
expect_grep "ext.yaml:10:" "$tmp/out" "kubernetes lint error names file:line"

# -- test suites
expect_status 0 "rpeval test on the demo suites" $rpeval test "$data/suites"
expect_grep "passed, 0 failed" "$tmp/out" "suite summary line"
expect_status 1 "a failing suite fails" $rpeval test "$data/suites-failing/wrong.yaml"
expect_grep "FAIL .*wrong.yaml:" "$tmp/out" "a failing case names suite:line"

tap_done
