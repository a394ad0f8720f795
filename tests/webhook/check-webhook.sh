#!/bin/sh
# check-webhook.sh -- the example admission webhook (examples/webhook/) end
# to end: its manifests (deploy.yaml, checked with deploy-checks.yaml),
# start-up errors, then two servers on free ports of 127.0.0.1 that
# webhook_client.py sends real AdmissionReview requests to:
#
#   context  plain HTTP (--insecure-http), the rest of
#            examples/ray-team-a-hardened.yaml as --context: allowed,
#            denied, warn-only, audit, break-glass, DELETE, Pods, Services,
#            bad requests (400), body limits (413), 404, 405, /healthz,
#            concurrent requests
#   skip     TLS with a throwaway self-signed certificate (when openssl is
#            there), no context, --skip-rule, --params, and a second pack
#            (test-pack.yaml) whose rule cannot be evaluated on some objects
#
# Each server is stopped with SIGTERM and must exit 0 after a graceful
# shutdown; under RP_WRAPPER (valgrind or the sanitizers, from configure)
# the server runs inside the wrapper, which fails on any leak or error.
# The request log (one line per request on stderr) is checked too.
#
# Skipped (77) when configure found no libmicrohttpd (the webhook is not
# built) or there is no python3.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
py=${PYTHON3:-python3}
webhook=$builddir/examples/webhook/raypolicy-webhook
client=$srcdir/tests/webhook/webhook_client.py
bundle=$srcdir/examples/ray-team-a-hardened.yaml

if [ ! -x "$webhook" ]; then
    echo "SKIP: $webhook is not built (configure found no libmicrohttpd)"
    exit 77
fi
if [ "$py" = : ] || ! "$py" -c 'import ssl, http.client' 2>/dev/null; then
    echo "SKIP: no python3 with ssl"
    exit 77
fi

tmp=$(mktemp -d)
spid=
serverpid=
cleanup() {
    [ -n "$serverpid" ] && kill -KILL "$serverpid" 2>/dev/null
    [ -n "$spid" ] && kill -KILL "$spid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

# expect_exit WANT DESCRIPTION PATTERN ARGS...: the webhook with ARGS exits
# with WANT and says PATTERN on stderr (or stdout)
expect_exit() {
    want=$1; what=$2; pattern=$3; shift 3
    ${RP_WRAPPER:+$RP_WRAPPER} "$webhook" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ] && grep -q -- "$pattern" "$tmp/out" "$tmp/err"; then
        ok "$what (exit $got)"
    else
        bad "$what: exit $got, want $want and '$pattern'"
        sed 's/^/    /' "$tmp/out" "$tmp/err" | head -30
    fi
}

# start_server NAME ARGS...: the webhook on a free port of 127.0.0.1, its
# log in $tmp/NAME.log; sets port and serverpid (the webhook's own pid,
# from its "listening" line, which under RP_WRAPPER is not $!)
start_server() {
    name=$1; shift
    log=$tmp/$name.log
    ${RP_WRAPPER:+$RP_WRAPPER} "$webhook" --bind 127.0.0.1 --port 0 "$@" 2>"$log" &
    spid=$!
    i=0
    while ! grep -q 'listening on' "$log" && kill -0 "$spid" 2>/dev/null && [ $i -lt 1200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    port=$(sed -n 's/.* port \([0-9][0-9]*\) (.*/\1/p' "$log" | head -n 1)
    serverpid=$(sed -n 's/.*, pid \([0-9][0-9]*\),.*/\1/p' "$log" | head -n 1)
    if [ -n "$port" ] && [ -n "$serverpid" ]; then
        ok "$name: listening on port $port"
        return 0
    fi
    bad "$name: the webhook did not start"
    sed 's/^/    /' "$log" | head -30
    return 1
}

# stop_server NAME: SIGTERM, then the webhook (and the wrapper) must exit 0
stop_server() {
    name=$1
    log=$tmp/$name.log
    kill -TERM "$serverpid"
    i=0
    while kill -0 "$spid" 2>/dev/null && [ $i -lt 1200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$spid" 2>/dev/null; then
        bad "$name: still running 120 s after SIGTERM"
        kill -KILL "$serverpid" "$spid" 2>/dev/null
    fi
    wait "$spid"
    status=$?
    spid=
    serverpid=
    if [ "$status" -eq 0 ]; then
        ok "$name: SIGTERM: exit 0${RP_WRAPPER:+ (no leak or error under the wrapper)}"
    else
        bad "$name: exit $status after SIGTERM"
        sed 's/^/    /' "$log" | tail -60
    fi
    if grep -q 'SIGTERM: shutting down' "$log" && grep -q 'stopped$' "$log"; then
        ok "$name: graceful shutdown logged"
    else
        bad "$name: no graceful shutdown in the log"
        sed 's/^/    /' "$log" | tail -20
    fi
}

# expect_log NAME PATTERN DESCRIPTION
expect_log() {
    if grep -q -- "$2" "$tmp/$1.log"; then ok "$3"; else
        bad "$3: no '$2' in the log"; sed 's/^/    /' "$tmp/$1.log" | head -40; fi
}

# run_client SUITE URL [CAFILE]
run_client() {
    "$py" "$client" "$1" "$2" "$srcdir" "$max_body" ${3:+"$3"} >"$tmp/client.out" 2>&1
    st=$?
    sed 's/^/    /' "$tmp/client.out"
    if [ "$st" -eq 0 ]; then ok "$1: $(tail -n 1 "$tmp/client.out")"; else
        bad "$1: $(tail -n 1 "$tmp/client.out")"; fi
}

# ---- the fixture is the bundle's RayCluster (when PyYAML can tell)
if "$py" -c 'import yaml' 2>/dev/null; then
    if "$py" - "$bundle" "$srcdir/tests/webhook/ray-team-a-raycluster.json" <<'PY'
import json, sys, yaml
items = yaml.safe_load(open(sys.argv[1]))["items"]
rc = [x for x in items if x["kind"] == "RayCluster"]
sys.exit(0 if rc == [json.load(open(sys.argv[2]))] else 1)
PY
    then ok "ray-team-a-raycluster.json is the RayCluster of ray-team-a-hardened.yaml"
    else bad "ray-team-a-raycluster.json differs from the RayCluster of ray-team-a-hardened.yaml"; fi
fi

# ---- deploy.yaml: read as Kubernetes reads YAML, nothing for the hardening
# pack, and what deploy-checks.yaml asks of the webhook's manifests
rpeval="${RP_WRAPPER:+$RP_WRAPPER }$builddir/rpeval/rpeval"
checks=$srcdir/tests/webhook/deploy-checks.yaml
deploy=$srcdir/examples/webhook/deploy.yaml
if $rpeval check --pack "$checks" --pack ray-hardening "$deploy" >"$tmp/out" 2>&1 &&
   grep -q '^7 objects, 51 rules: .* 0 errors$' "$tmp/out"; then
    ok "deploy.yaml: 7 objects, no finding, no error"
else
    bad "deploy.yaml does not pass deploy-checks.yaml and ray-hardening"
    sed 's/^/    /' "$tmp/out" | head -30
fi
sed 's/sideEffects: None/sideEffects: Some/' "$deploy" >"$tmp/deploy.yaml"
$rpeval check --pack "$checks" "$tmp/deploy.yaml" >"$tmp/out" 2>&1
if [ $? -eq 1 ] && grep -q 'WHD-VWC-001' "$tmp/out"; then
    ok "deploy-checks.yaml catches a wrong sideEffects"
else
    bad "deploy-checks.yaml misses a wrong sideEffects"
    sed 's/^/    /' "$tmp/out" | head -30
fi

# ---- start-up errors
printf 'noSuchParameter: 1\n' >"$tmp/bad-params.yaml"
printf 'requireDigest: true\n' >"$tmp/params.yaml"
printf 'apiVersion: v1\nkind: [unclosed\n' >"$tmp/bad-context.yaml"
printf 'not a certificate\n' >"$tmp/bad.pem"
expect_exit 0 "--help" "usage: raypolicy-webhook" --help
expect_exit 2 "TLS is the default: no --cert/--key" "TLS needs --cert FILE and --key FILE"
expect_exit 2 "--cert without --key" "TLS needs" --cert "$tmp/bad.pem"
expect_exit 2 "--insecure-http with --cert" "exclude each other" --insecure-http --cert "$tmp/bad.pem"
expect_exit 2 "--port out of range" "not a number from 0 to 65535" --insecure-http --port 70000
expect_exit 2 "--max-body 0" "--max-body" --insecure-http --max-body 0
expect_exit 2 "an unknown built-in pack" "no-such-pack" --insecure-http --pack no-such-pack
expect_exit 2 "a parameter no pack declares" "noSuchParameter" --insecure-http --params "$tmp/bad-params.yaml"
expect_exit 2 "a missing parameter file" "no-such-file" --insecure-http --params "$tmp/no-such-file"
expect_exit 2 "a context file that cannot be read" "bad-context.yaml" --insecure-http --context "$tmp/bad-context.yaml"
expect_exit 2 "--skip-rule of no pack's rule" "NOPE-001" --insecure-http --skip-rule NOPE-001
expect_exit 1 "a certificate that is not one" "cannot start" --cert "$tmp/bad.pem" --key "$tmp/bad.pem" --bind 127.0.0.1 --port 0

# ---- plain HTTP, with the hardened bundle as context
max_body=262144
if start_server context --insecure-http --context "$bundle" --max-body "$max_body" --max-concurrency 4; then
    run_client context "http://127.0.0.1:$port"
    stop_server context
    expect_log context 'denied RAY-NET-004,RAY-POD-002,RAY-HOST-002,RAY-RES-003 warnings=2' \
        "the log names the denied rules of examples/raycluster.json"
    expect_log context 'op=DELETE ray.io/v1/RayCluster ml-team-a/raycluster-prod allowed' \
        "the log has the DELETE"
    expect_log context 'POST /validate 400 [0-9.]*ms kind must be AdmissionReview' "the log has a 400 and why"
    expect_log context 'POST /validate 413 ' "the log has a 413"
    expect_log context 'GET / 404 ' "the log has a 404"
    expect_log context 'uid=evil_FAKE_LOG_LINE ' "a line break in a uid stays on its line"
    if grep -q '^FAKE' "$tmp/context.log"; then bad "a uid forged a log line"; else
        ok "no forged log line"; fi
    requests=$(grep -c ' POST /validate \| GET /\| HEAD /' "$tmp/context.log")
    if [ "$requests" -ge 40 ]; then ok "one log line per request ($requests)"; else
        bad "only $requests request lines in the log"; fi
fi

# ---- TLS with a throwaway certificate, no context
if command -v openssl >/dev/null 2>&1 &&
   openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
       -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
       -keyout "$tmp/tls.key" -out "$tmp/tls.crt" >/dev/null 2>&1; then
    if start_server skip --cert "$tmp/tls.crt" --key "$tmp/tls.key" --params "$tmp/params.yaml" \
           --pack ray-hardening --pack "$srcdir/tests/webhook/test-pack.yaml" \
           --skip-rule RAY-NET-004 --skip-rule RAY-RES-003 --max-concurrency 1; then
        run_client skip "https://127.0.0.1:$port" "$tmp/tls.crt"
        stop_server skip
        expect_log skip '(TLS, pid' "the log says TLS"
    fi
else
    echo "# openssl not found: the TLS server is not tested"
fi

echo "# $n checks, $fails failed"
[ "$fails" -eq 0 ]
