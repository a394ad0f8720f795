#!/bin/sh
# check-examples.sh -- run the C embedding examples (examples/c/eval.c and
# check.c, built by make check against include/raypolicy.h alone) and
# compare what they print with what they must print.  The findings are the
# built-in ray-hardening pack's on the example manifests (the README's quick
# start); their messages are the pack's business and not compared (CUT=1),
# everything else is.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
bin=$(cd "$builddir/examples/c" && pwd)
wrap=${RP_WRAPPER:+$RP_WRAPPER }
cd "$srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
CUT=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

# Finding lines up to "Kind/name:" (the message cut off), other lines whole.
cut_messages() { sed 's|^\([^ ]*: [a-z]* [A-Z0-9-]* [^ ]*/[^ :]*\): .*|\1|'; }

# expect WANT_STATUS DESCRIPTION PROGRAM ARGS... ; expected stdout on stdin
expect() {
    want=$1; what=$2; shift 2
    cat >"$tmp/want"
    $wrap "$bin/$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "${CUT:-0}" = 1 ]; then
        cut_messages <"$tmp/want" >"$tmp/want.cut" && mv "$tmp/want.cut" "$tmp/want"
        cut_messages <"$tmp/out" >"$tmp/out.cut" && mv "$tmp/out.cut" "$tmp/out"
    fi
    if [ "$got" -ne "$want" ]; then
        bad "$what: exit $got, want $want"; sed 's/^/    /' "$tmp/err" | head -20
    elif ! cmp -s "$tmp/want" "$tmp/out"; then
        bad "$what: output differs"; diff "$tmp/want" "$tmp/out" | sed 's/^/    /' | head -30
    else
        ok "$what"
    fi
}

expect 0 "eval: a list" eval 'object.spec.workerGroupSpecs.map(g, g.groupName)' examples/raycluster.json <<'OUT'
["cpu-group","gpu-group"]
OUT
expect 0 "eval: a map" eval 'object.spec.headGroupSpec.rayStartParams' examples/raycluster.json <<'OUT'
{"dashboard-host":"0.0.0.0","num-cpus":"0","block":"true","metrics-export-port":"8080"}
OUT
expect 1 "eval: an evaluation error" eval 'object.metadata.nmae' examples/raycluster.json </dev/null
if grep -q '^no such key: nmae$' "$tmp/err"; then ok "eval: the error's message"; else bad "eval: the error's message"; fi
expect 1 "eval: a compile error" eval 'objet.x' examples/raycluster.json </dev/null
if [ "$(sed -n 2,3p "$tmp/err")" = "$(printf ' | objet.x\n | ^')" ]; then ok "eval: the caret"; else
    bad "eval: the caret"; cat "$tmp/err"; fi
expect 2 "eval: usage" eval </dev/null

# check: finding messages cut after "Kind/name"
CUT=1
expect 1 "check: the RayCluster's six findings" check examples/ <<'OUT'
examples/raycluster.json:16: high RAY-NET-004 RayCluster/raycluster-prod: RayCluster raycluster-prod: ingress to the Ray head pod is not restricted: no spec.networkPolicy mode DenyAll/DenyAllIngress and no NetworkPolicy in namespace ml-team-a of this bundle selects the head pod for Ingress
examples/raycluster.json:54: high RAY-POD-002 RayCluster/raycluster-prod: RayCluster raycluster-prod: allowPrivilegeEscalation is not false on container(s) autoscaler
examples/raycluster.json:29: medium RAY-POD-005 RayCluster/raycluster-prod: RayCluster raycluster-prod: no RuntimeDefault or Localhost seccomp profile for ray-worker, ray-worker, model-sync
examples/raycluster.json:57: medium RAY-POD-007 RayCluster/raycluster-prod: RayCluster raycluster-prod: capabilities not dropped (drop: [ALL], at most NET_BIND_SERVICE added) on autoscaler
examples/raycluster.json:104: high RAY-HOST-002 RayCluster/raycluster-prod: RayCluster raycluster-prod: hostPath volume(s) not allowed or mounted writable: node-logs (/var/log/ray), datasets (/mnt/datasets/shared); allowed prefixes: []
examples/raycluster.json:6: high RAY-RES-003 RayCluster/raycluster-prod: RayCluster raycluster-prod: no ResourceQuota in namespace ml-team-a of this bundle bounds cpu, memory, nvidia.com/gpu
6 findings, 0 errors
OUT
CUT=0
expect 0 "check: the hardened bundle" check examples/ray-team-a-hardened.yaml <<'OUT'
0 findings, 0 errors
OUT
expect 1 "check: unreadable documents and files" check tests/data/manifests/broken.yaml missing.yaml <<'OUT'
tests/data/manifests/broken.yaml:9: input error: duplicate key "metadata"
tests/data/manifests/broken.yaml:11: input error: the document is not a Kubernetes object (a mapping)
tests/data/manifests/broken.yaml:20: input error: did not find expected ',' or ']' while parsing a flow sequence; the rest of the stream is not read
missing.yaml: input error: missing.yaml: No such file or directory
0 findings, 4 errors
OUT
expect 2 "check: usage" check </dev/null

echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
