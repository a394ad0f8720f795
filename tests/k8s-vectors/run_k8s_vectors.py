#!/usr/bin/env python3
"""run_k8s_vectors.py -- check that expressions give here what they give in
a Kubernetes cluster, with vectors taken from Kubernetes' own tests.

Each *.jsonl file beside this script holds one vector a line:

  {"expr": "...",
   "bindings": {"self": {"value": <cel.expr.Value JSON>}},     (optional)
   "value": <cel.expr.Value JSON>   the result Kubernetes' test expects, or
   "evalError": true                 evaluation fails in Kubernetes, or
   "compileError": true              a cluster rejects the expression,
   "errorContains": "..."            (optional) text the error must contain,
   "source": "<Kubernetes file> <Test>/<case>"}

All vectors go through one `rpeval eval --batch - --typed --profile
kubernetes` run (rpeval found as $top_builddir/rpeval/rpeval unless --rpeval
says otherwise, run under $RP_WRAPPER / --wrapper when given).  Values are
compared as cel.expr.Value JSON (doubles as numbers, map entries in any
order); an expected error must be of the expected kind (compile or eval) and
contain errorContains.

known_failures.txt lists, one a line, `<file>:<line><TAB><reason>` for
vectors known to differ.  The run fails (exit 1) when a vector fails that is
not listed, when a listed one passes (a stale entry), or when fewer than 95%
of the vectors pass.  The last line printed is "N passed, N failed, N known
failures".

Python 3 standard library only.
"""

import argparse
import glob
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MIN_PASS_RATE = 0.95


# The comparison of cel.expr.Value JSON is the conformance runner's.
sys.path.insert(0, os.path.join(HERE, "..", "conformance"))
from run_conformance import canonical, show  # noqa: E402


class Vector:
    def __init__(self, key, raw):
        self.key = key
        self.raw = raw
        if "value" in raw:
            self.expect = "value"
        elif raw.get("compileError"):
            self.expect = "compile"
        elif raw.get("evalError"):
            self.expect = "eval"
        else:
            raise ValueError("%s: no expectation" % key)

    def batch_line(self):
        line = {"expr": self.raw["expr"], "bindings": self.raw.get("bindings") or {}}
        return json.dumps(line, ensure_ascii=False)

    def judge(self, got):
        """None when GOT (a parsed output line) meets the expectation, else why not."""
        if not isinstance(got, dict):
            return "no result"
        err = got.get("error")
        if self.expect == "value":
            if "value" not in got:
                return "expected a value, got a %s error" % (err or {}).get("kind", "?")
            if canonical(got["value"]) != canonical(self.raw["value"]):
                return "different value"
            return None
        if not isinstance(err, dict):
            return "expected a %s error, got a value" % self.expect
        if err.get("kind") != self.expect:
            return "expected a %s error, got a %s error" % (self.expect, err.get("kind"))
        want = self.raw.get("errorContains")
        if want and want not in (err.get("message") or ""):
            return "error message lacks %r" % want
        return None


def load(paths):
    vectors = []
    for path in paths:
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                vectors.append(Vector("%s:%d" % (name, n), json.loads(line)))
    return vectors


def read_known(path):
    known = {}
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            key, _, reason = line.partition("\t")
            if not reason.strip():
                raise ValueError("known failure without a reason: %s" % key)
            known[key.strip()] = reason.strip()
    return known


def run(cmd, vectors, timeout):
    text = "".join(v.batch_line() + "\n" for v in vectors)
    note = None
    try:
        p = subprocess.run(cmd, input=text.encode("utf-8"), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
        out = p.stdout.decode("utf-8", "replace").splitlines()
        if p.returncode != 0:
            note = "rpeval exited with status %d: %s" % (
                p.returncode, p.stderr.decode("utf-8", "replace").strip()[-2000:])
    except subprocess.TimeoutExpired:
        out, note = [], "rpeval timed out after %d s" % timeout
    except OSError as e:
        out, note = [], "cannot run %s: %s" % (cmd[0], e)
    results = []
    for i in range(len(vectors)):
        try:
            results.append(json.loads(out[i]) if i < len(out) else None)
        except ValueError:
            results.append(None)
    if len(out) != len(vectors) and note is None:
        note = "rpeval printed %d lines for %d inputs" % (len(out), len(vectors))
    return results, note


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="vector files (default: every *.jsonl here)")
    ap.add_argument("--rpeval", help="the rpeval program (default: $top_builddir/rpeval/rpeval)")
    ap.add_argument("--wrapper", default=os.environ.get("RP_WRAPPER", ""),
                    help="command to run rpeval under (default: $RP_WRAPPER)")
    ap.add_argument("--known-failures", default=os.path.join(HERE, "known_failures.txt"))
    ap.add_argument("--timeout", type=int, default=1800, help="seconds for the whole run")
    ap.add_argument("-v", "--verbose", action="store_true", help="also list the known failures")
    a = ap.parse_args()

    files = a.files or sorted(glob.glob(os.path.join(HERE, "*.jsonl")))
    rpeval = a.rpeval or os.path.join(os.environ.get("top_builddir", "."), "rpeval", "rpeval")
    cmd = shlex.split(a.wrapper) + [rpeval, "eval", "--batch", "-", "--typed",
                                     "--profile", "kubernetes"]
    try:
        vectors = load(files)
        known = read_known(a.known_failures)
    except (OSError, ValueError, KeyError) as e:
        print("k8s-vectors: cannot read the vectors: %s" % e)
        print("0 passed, 1 failed, 0 known failures")
        return 1

    results, note = run(cmd, vectors, a.timeout)
    passed, failed, known_failed = 0, [], []
    for v, got in zip(vectors, results):
        reason = v.judge(got)
        if reason is None:
            passed += 1
        elif v.key in known:
            known_failed.append((v, reason, got))
        else:
            failed.append((v, reason, got))
    failing = {v.key for v, _, _ in failed + known_failed}
    stale = sorted(k for k in known if k not in failing)

    by_file = {}
    for v, got in zip(vectors, results):
        by_file.setdefault(v.key.split(":")[0], 0)
        by_file[v.key.split(":")[0]] += 1
    print("k8s-vectors: %d vectors (%s), profile kubernetes" % (
        len(vectors), ", ".join("%s %d" % kv for kv in sorted(by_file.items()))))
    if note:
        print("note: " + note)
    for v, reason, got in failed:
        print("FAIL %s: %s" % (v.key, reason))
        print("  source:   %s" % v.raw.get("source", "?"))
        print("  expr:     %s" % v.raw["expr"])
        if v.expect == "value":
            want = show(v.raw["value"])
        else:
            want = "a %s error" % v.expect
            if v.raw.get("errorContains"):
                want += " containing %r" % v.raw["errorContains"]
        print("  expected: %s" % want)
        print("  got:      %s" % ("nothing" if got is None else show(got)))
    for key in stale:
        print("STALE %s: listed in %s but passes" % (key, os.path.basename(a.known_failures)))
    if a.verbose:
        for v, reason, _ in known_failed:
            print("known %s: %s (%s)" % (v.key, known[v.key], reason))

    total = len(vectors)
    rate = passed / total if total else 0.0
    print("pass rate %.1f%% (minimum %.0f%%)" % (100 * rate, 100 * MIN_PASS_RATE))
    nfailed = len(failed) + len(stale) + (1 if note else 0)
    print("%d passed, %d failed, %d known failures" % (passed, nfailed, len(known_failed)))
    return 1 if nfailed or rate < MIN_PASS_RATE else 0


if __name__ == "__main__":
    sys.exit(main())
