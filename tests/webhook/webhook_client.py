#!/usr/bin/env python3
"""webhook_client.py -- post AdmissionReview requests to a running
raypolicy-webhook and check its answers (check-webhook.sh starts the server
and runs this; standard library only).

usage: webhook_client.py SUITE URL SRCDIR MAX_BODY [CAFILE]

SUITE context: the server runs with --context examples/ray-team-a-hardened.yaml
               (plain HTTP): allowed, denied, warn-only, audit, break-glass,
               DELETE, core Pods and Services, bad requests, body limits,
               wrong paths and methods, concurrent requests
SUITE skip:    the server runs without context and with --skip-rule for the
               two rules that need it (TLS, CAFILE is the server's
               self-signed certificate)

Expected findings are those of the ray-hardening pack as docs/ray-hardening.md
describes its rules (and `rpeval check` reports them for the same objects).
Prints "ok N - ..." / "not ok N - ..." lines; exit status 1 when any check
failed.
"""
import copy
import http.client
import json
import os
import socket
import ssl
import sys
import threading
import urllib.parse

SUITE, URL, SRCDIR, MAX_BODY = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
CAFILE = sys.argv[5] if len(sys.argv) > 5 else None
u = urllib.parse.urlsplit(URL)
HOST, PORT, TLS = u.hostname, u.port, u.scheme == "https"
CTX = ssl.create_default_context(cafile=CAFILE) if TLS else None

n = 0
failed = 0


def check(cond, what, detail=""):
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, what))
    else:
        failed += 1
        print("not ok %d - %s" % (n, what))
        if detail:
            for line in str(detail).splitlines()[:40]:
                print("    " + line)


def conn():
    if TLS:
        return http.client.HTTPSConnection(HOST, PORT, timeout=120, context=CTX)
    return http.client.HTTPConnection(HOST, PORT, timeout=120)


def request(method, path, body=None, headers=None, c=None):
    """(status, headers dict, body bytes)"""
    own = c is None
    c = c or conn()
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        if own:
            c.close()


def raw(data, read_until_close=True):
    """Send DATA on a fresh connection and return everything read back."""
    s = socket.create_connection((HOST, PORT), timeout=120)
    if TLS:
        s = CTX.wrap_socket(s, server_hostname=HOST)
    try:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
            if not read_until_close and b"\r\n\r\n" in out:
                break
        return out
    finally:
        s.close()


def load(rel):
    with open(os.path.join(SRCDIR, rel)) as f:
        return json.load(f)


HARDENED = load("tests/webhook/ray-team-a-raycluster.json")
PROD = load("examples/raycluster.json")
uid_counter = [0]


def review(obj, op="CREATE", old=None, kind=None, namespace=None, drop=()):
    uid_counter[0] += 1
    meta = (obj or old or {}).get("metadata", {})
    k = kind or {"group": "ray.io", "version": "v1", "kind": "RayCluster"}
    req = {
        "uid": "705ab4f5-6393-11e8-b7cc-%012d" % uid_counter[0],
        "kind": k,
        "resource": {"group": k["group"], "version": k["version"],
                     "resource": k["kind"].lower() + "s"},
        "requestKind": k,
        "name": meta.get("name", ""),
        "namespace": namespace if namespace is not None else meta.get("namespace", ""),
        "operation": op,
        "userInfo": {"username": "alice", "uid": "1", "groups": ["system:authenticated"]},
        "object": obj,
        "oldObject": old,
        "dryRun": False,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": op.capitalize() + "Options"},
    }
    for key in drop:
        req.pop(key, None)
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}


def post(doc, c=None):
    """(status, parsed JSON or text, sent uid)"""
    body = json.dumps(doc).encode()
    # the API server adds ?timeout=: the path is what counts
    st, hd, data = request("POST", "/validate?timeout=10s", body,
                           {"Content-Type": "application/json"}, c)
    uid = doc.get("request", {}).get("uid") if isinstance(doc, dict) else None
    if st == 200:
        try:
            return st, json.loads(data), uid
        except ValueError:
            return st, data, uid
    return st, data.decode("utf-8", "replace"), uid


def answer_ok(st, ans, uid, what):
    """The envelope every 200 answer must have."""
    good = (st == 200 and isinstance(ans, dict)
            and ans.get("apiVersion") == "admission.k8s.io/v1"
            and ans.get("kind") == "AdmissionReview"
            and isinstance(ans.get("response"), dict)
            and ans["response"].get("uid") == uid
            and isinstance(ans["response"].get("allowed"), bool))
    check(good, what + ": 200, an AdmissionReview answering uid %r" % uid, (st, ans))
    return ans["response"] if good else {}


def expect_allowed(doc, what, warnings=(), audit=()):
    st, ans, uid = post(doc)
    r = answer_ok(st, ans, uid, what)
    check(r.get("allowed") is True and "status" not in r, what + ": allowed", r)
    got_w = r.get("warnings", [])
    check(len(got_w) == len(warnings) and all(any(w.startswith(p) for w in got_w) for p in warnings),
          what + ": warnings %s" % (list(warnings) or "none"), got_w)
    got_a = r.get("auditAnnotations", {})
    check(sorted(got_a) == sorted(audit), what + ": audit annotations %s" % (list(audit) or "none"),
          got_a)
    return r


def expect_denied(doc, what, rules, not_rules=(), fragments=(), warnings=()):
    st, ans, uid = post(doc)
    r = answer_ok(st, ans, uid, what)
    status = r.get("status", {})
    msg = status.get("message", "")
    check(r.get("allowed") is False and status.get("code") == 403, what + ": denied with 403", r)
    for rule in rules:
        check(rule + ": " in msg, what + ": the message names " + rule, msg)
    for rule in not_rules:
        check(rule not in msg, what + ": the message does not name " + rule, msg)
    for frag in fragments:
        check(frag in msg, what + ": the message says '%s'" % frag, msg)
    got_w = r.get("warnings", [])
    for p in warnings:
        check(any(w.startswith(p + ": ") for w in got_w), what + ": warning " + p, got_w)
    return r


def expect_status(method, path, body, want, what, fragment=None, headers=None):
    st, hd, data = request(method, path, body, headers)
    text = data.decode("utf-8", "replace")
    check(st == want, "%s: HTTP %d" % (what, want), (st, text))
    if fragment is not None:
        check(fragment in text, "%s: the message says '%s'" % (what, fragment), text)
    return st, hd, text


def status_of(reply):
    line = reply.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


# ---------------------------------------------------------------- both suites

expect_status("GET", "/healthz", None, 200, "GET /healthz", "ok")
expect_status("POST", "/validate", b"{", 400, "malformed JSON", "malformed JSON")

if SUITE == "skip":
    # no context: the rules that look for a NetworkPolicy and a ResourceQuota
    # in the bundle are skipped; RAY-RBAC-002 (audit) cannot see the service
    # account's automountServiceAccountToken: false, so it audits.
    expect_allowed(review(HARDENED), "hardened RayCluster without context",
                   audit=["RAY-RBAC-002"])
    # --params requireDigest: true makes tags a RAY-IMG-002 warning
    expect_denied(review(PROD), "examples/raycluster.json without context",
                  rules=["RAY-POD-002", "RAY-HOST-002"], not_rules=["RAY-NET-004", "RAY-RES-003"],
                  warnings=["RAY-POD-005", "RAY-POD-007", "RAY-IMG-002"])
    # the second pack (test-pack.yaml): a rule that cannot be evaluated denies
    cm_kind = {"group": "", "version": "v1", "kind": "ConfigMap"}

    def cm(data, labels=None):
        meta = {"name": "settings", "namespace": "team-a-ray"}
        if labels:
            meta["labels"] = labels
        obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}
        if data is not None:
            obj["data"] = data
        return review(obj, kind=cm_kind)

    expect_allowed(cm({"mode": "strict"}, {"owner": "team-a"}), "ConfigMap that follows test-pack.yaml")
    expect_denied(cm({"mode": "lax"}), "ConfigMap in lax mode", rules=["WHT-CM-001"],
                  fragments=["WHT-CM-001: mode is not strict"], warnings=["WHT-CM-002"])
    expect_denied(cm(None, {"owner": "team-a"}), "ConfigMap without data (evaluation error)",
                  rules=["WHT-CM-001"], fragments=["WHT-CM-001: rule could not be evaluated: ",
                                                   "no such key"])
    # plain HTTP to the TLS port gets no HTTP answer
    try:
        s = socket.create_connection((HOST, PORT), timeout=30)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
        s.close()
    except OSError:
        reply = b""
    check(not reply.startswith(b"HTTP/1.1 200"), "plain HTTP on the TLS port is not served", reply[:200])
    print("%d passed, %d failed" % (n - failed, failed))
    sys.exit(1 if failed else 0)

# ---------------------------------------------------------------- context suite

# allowed: the hardened bundle's RayCluster, with the rest of the bundle
# (Namespace, ResourceQuota, NetworkPolicy, ServiceAccount) as context
expect_allowed(review(HARDENED), "hardened RayCluster")

# the object may arrive without metadata.namespace: request.namespace counts
no_ns = copy.deepcopy(HARDENED)
del no_ns["metadata"]["namespace"]
expect_allowed(review(no_ns, namespace="team-a-ray"), "hardened RayCluster, namespace from the request")

# denied: examples/raycluster.json (what `rpeval check examples/raycluster.json` reports)
PROD_DENY = ["RAY-NET-004", "RAY-POD-002", "RAY-HOST-002", "RAY-RES-003"]
r = expect_denied(review(PROD), "examples/raycluster.json", rules=PROD_DENY,
                  not_rules=["RAY-POD-005", "RAY-POD-007"],
                  fragments=["allowPrivilegeEscalation is not false on container(s) autoscaler",
                             "hostPath volume(s) not allowed or mounted writable",
                             "no ResourceQuota in namespace ml-team-a"],
                  warnings=["RAY-POD-005", "RAY-POD-007"])
check(len(r.get("warnings", [])) == 2, "examples/raycluster.json: exactly two warnings", r.get("warnings"))
print("# examples/raycluster.json: " + json.dumps(r, indent=1).replace("\n", "\n# "))

# UPDATE: the new object is what is checked
expect_denied(review(PROD, op="UPDATE", old=HARDENED), "UPDATE to examples/raycluster.json",
              rules=PROD_DENY)
expect_allowed(review(HARDENED, op="UPDATE", old=PROD), "UPDATE to the hardened RayCluster")

# warn only: moving image tags (RAY-IMG-002, action warn)
latest = copy.deepcopy(HARDENED)
spec = latest["spec"]
for c in spec["headGroupSpec"]["template"]["spec"]["containers"] + \
        spec["workerGroupSpecs"][0]["template"]["spec"]["containers"]:
    c["image"] = "registry.example.com/rayproject/ray:latest"
expect_allowed(review(latest), "warn-only RayCluster (latest tags)", warnings=["RAY-IMG-002: "])

# audit only: packages installed at start-up (RAY-IMG-003, action audit)
pip = copy.deepcopy(HARDENED)
pip["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["command"] = \
    ["sh", "-c", "pip install foo && ray start --head"]
r = expect_allowed(review(pip), "audit-only RayCluster (pip install)", audit=["RAY-IMG-003"])
check("pip" in r.get("auditAnnotations", {}).get("RAY-IMG-003", "") or
      "fetched" in r.get("auditAnnotations", {}).get("RAY-IMG-003", ""),
      "audit annotation carries the finding's message", r.get("auditAnnotations"))

# break-glass: every finding bypassed, allowed, each one a warning with the reason
bg = copy.deepcopy(PROD)
bg["metadata"].setdefault("annotations", {})["raypolicy/break-glass"] = "INC-7 load test"
r = expect_allowed(review(bg), "break-glass RayCluster",
                   warnings=["RAY-NET-004 (deny, bypassed by break-glass: INC-7 load test): ",
                             "RAY-POD-002 (deny, bypassed", "RAY-HOST-002 (deny, bypassed",
                             "RAY-RES-003 (deny, bypassed", "RAY-POD-005 (warn, bypassed",
                             "RAY-POD-007 (warn, bypassed"])

# core resources: a privileged Ray pod, a LoadBalancer exposing the dashboard
pod = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "ray-debug", "namespace": "team-a-ray"},
       "spec": {"containers": [{"name": "ray", "image": "rayproject/ray:2.53.0",
                                "securityContext": {"privileged": True}}]}}
expect_denied(review(pod, kind={"group": "", "version": "v1", "kind": "Pod"}), "privileged Ray Pod",
              rules=["RAY-POD-001", "RAY-POD-002", "RAY-POD-003"], warnings=["RAY-POD-005"])
svc = {"apiVersion": "v1", "kind": "Service",
       "metadata": {"name": "ray-head-lb", "namespace": "team-a-ray"},
       "spec": {"type": "LoadBalancer", "selector": {"ray.io/node-type": "head"},
                "ports": [{"name": "dashboard", "port": 8265}]}}
expect_denied(review(svc, kind={"group": "", "version": "v1", "kind": "Service"}),
              "LoadBalancer Service exposing the dashboard", rules=["RAY-NET-002"])

# a uid with a line break is answered as sent (and logged on one line)
evil = review(HARDENED)
evil["request"]["uid"] = "evil\nFAKE LOG LINE"
expect_allowed(evil, "a uid with a line break")

# DELETE carries no object: allowed
expect_allowed(review(None, op="DELETE", old=PROD), "DELETE (object null)")
expect_allowed(review(None, op="DELETE", old=PROD, drop=("object",)), "DELETE (no object key)")

# bad requests: 400 with a message
good = review(HARDENED)
bad_cases = [
    (b"", "empty body", "malformed JSON"),
    (b"[1, 2]", "a JSON array", "not a JSON object"),
    (b'{"apiVersion": "admission.k8s.io/v1", "apiVersion": "x"}', "duplicate keys", "malformed JSON"),
    (b'{"apiVersion": "\xff"}', "invalid UTF-8", "malformed JSON"),
]
for body, what, frag in bad_cases:
    expect_status("POST", "/validate", body, 400, what, frag)


def mutated(f):
    d = copy.deepcopy(good)
    f(d)
    return json.dumps(d).encode()


bad_docs = [
    (lambda d: d.update(apiVersion="admission.k8s.io/v1beta1"), "apiVersion v1beta1", "apiVersion must be"),
    (lambda d: d.pop("apiVersion"), "no apiVersion", "apiVersion must be"),
    (lambda d: d.update(kind="ConfigMap"), "wrong kind", "kind must be AdmissionReview"),
    (lambda d: d.pop("request"), "no request", "request is missing"),
    (lambda d: d["request"].pop("uid"), "no uid", "request.uid"),
    (lambda d: d["request"].update(uid=""), "empty uid", "request.uid"),
    (lambda d: d["request"].update(uid=7), "numeric uid", "request.uid"),
    (lambda d: d["request"].update(operation="PATCH"), "unknown operation", "request.operation"),
    (lambda d: d["request"].update(object=None), "CREATE without object", "request.object"),
    (lambda d: d["request"].update(object="x"), "object not an object", "request.object"),
]
for f, what, frag in bad_docs:
    expect_status("POST", "/validate", mutated(f), 400, what, frag)

# paths and methods
expect_status("POST", "/mutate", json.dumps(good).encode(), 404, "POST /mutate")
expect_status("GET", "/", None, 404, "GET /")
_, hd, _ = expect_status("GET", "/validate", None, 405, "GET /validate")
check(hd.get("allow") == "POST", "405 names the allowed method", hd)
expect_status("HEAD", "/readyz", None, 200, "HEAD /readyz")

# body size: at the limit is read; over it, 413 -- before the body when the
# length is announced, after reading (and dropping) it when it is chunked
body = json.dumps(good).encode()
padded = body + b" " * (MAX_BODY - len(body))
st, hd, data = request("POST", "/validate", padded, {"Content-Type": "application/json"})
check(st == 200 and json.loads(data)["response"]["allowed"] is True,
      "a body of exactly --max-body bytes is accepted", (st, data[:200]))
head = ("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Content-Length: %d\r\n" % (MAX_BODY + 1)).encode()
reply = raw(head + b"\r\n", read_until_close=False)
check(status_of(reply) == 413, "Content-Length over --max-body: 413 before the body is sent", reply[:200])
reply = raw(head + b"Expect: 100-continue\r\n\r\n", read_until_close=False)
check(status_of(reply) == 413, "Expect: 100-continue over --max-body: 413, no 100", reply[:200])
reply = raw(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999999999999999\r\n"
             "\r\n").encode(), read_until_close=False)
check(status_of(reply) in (400, 413), "absurd Content-Length: refused", reply[:200])
chunk = b" " * 65536
chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(MAX_BODY // len(chunk) + 2))
reply = raw(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
            b"Connection: close\r\n\r\n" + chunked + b"0\r\n\r\n")
check(status_of(reply) == 413, "chunked body over --max-body: 413", reply[:200])
expect_status("GET", "/healthz", None, 200, "still healthy after the oversized requests")

# keep-alive: two reviews on one connection
c = conn()
try:
    st1, a1, u1 = post(review(HARDENED), c)
    st2, a2, u2 = post(review(PROD), c)
    check(st1 == 200 and a1["response"]["allowed"] and st2 == 200 and not a2["response"]["allowed"],
          "two reviews on one kept-alive connection", (st1, st2))
finally:
    c.close()

# concurrent requests: every answer is right and names its own uid
results = []
lock = threading.Lock()


docs = [review(HARDENED if i % 2 else PROD) for i in range(16)]


def worker(i):
    doc = docs[i]
    try:
        st, ans, uid = post(doc)
        ok = (st == 200 and ans["response"]["uid"] == uid and
              ans["response"]["allowed"] == bool(i % 2))
    except Exception as e:  # noqa: BLE001 -- any failure is a failed check
        ok = repr(e)
    with lock:
        results.append(ok)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check(results.count(True) == 16, "16 concurrent reviews answered correctly", results)

print("%d passed, %d failed" % (n - failed, failed))
sys.exit(1 if failed else 0)
