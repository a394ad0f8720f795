#!/bin/sh
# check-limits.sh -- the limits (docs/limits.md) end to end through rpeval:
# `--limit NAME=VALUE` on eval, check, lint and test, and hostile input --
# a JSON file nested a million deep, an expression nested 10^5 deep, a
# YAML alias bomb, a 100 MB manifest -- each ending in an error that names
# the limit, with the documented exit status, never a crash or a hang.
set -u
. "${top_srcdir:-.}/tests/policy/tap.sh"
pack="$data/packs/demo.yaml"

# -- --limit itself
expect_status 1 "eval: a string past max_string_size" \
    $rpeval eval -e "'ab' + 'cd'" --limit max_string_size=3
expect_grep "exceeds limit max_string_size (3 bytes)" "$tmp/err" "the error names the limit"
expect_status 0 "eval: K, M and G suffixes" $rpeval eval -e "'ab' + 'cd'" --limit max_string_size=1K
expect_status 2 "eval: an unknown limit is a usage error" $rpeval eval -e 1 --limit max_strings=3
expect_grep "unknown limit 'max_strings'" "$tmp/err" "the unknown name is quoted"
expect_status 2 "eval: 0 is no limit value" $rpeval eval -e 1 --limit max_string_size=0
expect_status 2 "eval: a limit past its ceiling" $rpeval eval -e 1 --limit max_nesting_depth=5000
expect_grep "max_nesting_depth is 5000: at most 1000" "$tmp/err" "the ceiling is named"
expect_status 0 "help lists the limits" $rpeval help check
expect_grep "max_yaml_alias_nodes" "$tmp/out" "check's help lists max_yaml_alias_nodes"

# -- expressions and bound JSON
# (a batch line: 200 KB is more than one argument may hold)
"$py" -c "import json; print(json.dumps({'expr': '(' * 100000 + '1' + ')' * 100000}))" >"$tmp/deep.jsonl"
expect_status 0 "eval: 10^5 parentheses" $rpeval eval --batch "$tmp/deep.jsonl"
expect_grep '"kind":"compile".*max_expression_length' "$tmp/out" "past the length limit"
expect_status 0 "eval: 10^5 parentheses, length allowed" \
    $rpeval eval --limit max_expression_length=1M --batch "$tmp/deep.jsonl"
expect_grep "exceeds limit max_nesting_depth (250)" "$tmp/out" "past the nesting limit"
"$py" -c "print('[' * 1000000 + ']' * 1000000)" >"$tmp/deep.json"
expect_status 2 "eval: JSON nested 10^6 deep" $rpeval eval -e "size(x)" --var "x=$tmp/deep.json"
expect_grep "exceeds limit max_input_depth (1000) at 1:1001" "$tmp/err" "bound JSON names its depth limit"
expect_status 1 "eval: a cost bomb" \
    $rpeval eval -e "lists.range(1000).map(i, lists.range(1000).map(j, lists.range(1000)))"
expect_grep "cost_budget (1000000)" "$tmp/err" "the cost budget is named"

# -- check: hostile manifests
cat >"$tmp/lol.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: lol}
a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
EOF
expect_status 2 "check: a billion laughs" $rpeval check --pack "$pack" --color never "$tmp/lol.yaml"
expect_grep "lol.yaml:10:.*exceed limit max_yaml_alias_nodes (1000000)" "$tmp/out" \
    "the alias limit is named at its line"
if "$py" -c "import os; f = open('$tmp/big.yaml', 'wb'); f.truncate(100 << 20)"; then
    expect_status 2 "check: a 100 MB manifest" $rpeval check --pack "$pack" --format json "$tmp/big.yaml"
    expect_grep "exceeds limit max_input_bytes (16777216 bytes)" "$tmp/out" "the size limit is named"
    rm -f "$tmp/big.yaml"
fi
# standard input: a file (read from where it stands) or a pipe (no size:
# read in steps, never holding more than the limit + 1 byte)
"$py" -c "import sys; sys.stdout.buffer.write(b'#' * (17 << 20))" >"$tmp/big-stdin.yaml"
expect_status 2 "check: 17 MB on standard input, from a file" \
    sh -c '$1 check --pack "$2" --format json - <"$3"' sh "$rpeval" "$pack" "$tmp/big-stdin.yaml"
expect_grep "-: input exceeds limit max_input_bytes (16777216 bytes)" "$tmp/out" \
    "the size limit is named for standard input"
expect_status 2 "check: 17 MB on standard input, through a pipe" \
    sh -c 'cat "$3" | $1 check --pack "$2" --format json -' sh "$rpeval" "$pack" "$tmp/big-stdin.yaml"
expect_grep "-: input exceeds limit max_input_bytes (16777216 bytes)" "$tmp/out" \
    "the size limit is named for a pipe"
expect_status 0 "check: the same, the limit raised" \
    sh -c 'cat "$3" | $1 check --pack "$2" --limit max_input_bytes=32M -' sh "$rpeval" "$pack" \
    "$tmp/big-stdin.yaml"
rm -f "$tmp/big-stdin.yaml"
{ echo 'not: [yaml'; cat "$data/manifests/mixed.yaml"; } >"$tmp/after-first-line.yaml"
expect_status 1 "check: standard input read from where the caller left it" \
    sh -c '{ read -r first; $1 check --pack "$2" --format json -; } <"$3"' sh "$rpeval" "$pack" \
    "$tmp/after-first-line.yaml"
expect_grep '"file": "<stdin>"' "$tmp/out" "the rest of standard input was checked"
expect_status 2 "check: a directory given as a pack" $rpeval check --pack "$tmp" "$data/manifests/mixed.yaml"
printf -- '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: c}\n' >"$tmp/three.yaml"
expect_status 0 "check: three documents" $rpeval check --pack "$pack" "$tmp/three.yaml"
expect_status 2 "check: --limit max_input_documents=2" \
    $rpeval check --pack "$pack" --limit max_input_documents=2 "$tmp/three.yaml"
expect_grep "exceed limit max_input_documents (2)" "$tmp/out" "the document limit is named"
expect_status 1 "check: --limit cost_budget=10 makes the pack's rules fail to evaluate" \
    $rpeval check --pack "$pack" --limit cost_budget=10 --format json "$data/manifests/mixed.yaml"
expect_grep "limit cost_budget (10)" "$tmp/out" "the packs run within the cost budget given"

# -- lint and test
expect_status 1 "lint: --limit max_pack_bytes=100" $rpeval lint --limit max_pack_bytes=100 "$pack"
cat "$tmp/err" >>"$tmp/out"
expect_grep "exceeds limit max_pack_bytes (100 bytes)" "$tmp/out" "the pack size limit is named"
expect_status 2 "test: an unknown limit is a usage error" $rpeval test --limit nope=1 "$tmp"

tap_done
