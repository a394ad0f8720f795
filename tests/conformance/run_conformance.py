#!/usr/bin/env python3
"""run_conformance.py -- run the cel-spec conformance vectors through rpeval.

Each vector file (vectors/<section>.json: a list of {section, name, expr,
value | evalError | typedResult, bindings, typeEnv, disableCheck,
disableMacros, checkOnly}) becomes one `rpeval eval --batch - --typed
--profile P` run: one input line per vector, one result line back.  The
result is compared with the expectation:

  value              the typed result equals it (cel.expr.Value JSON; doubles
                     compared as numbers, NaN equal to NaN; map entries in any
                     order; an empty list or map may omit its members)
  evalError          any error, of kind "eval" or "compile" (the message is
                     not compared: cel-go and cel-cpp word them differently)
  typedResult.result as value; without a result (types only) it is skipped
  none of these      the value true, as the conformance suite's own rule says

checkOnly vectors (type checking only) are skipped.  Vectors are named
<section>/<name> ("basic/self_eval_zeroish/self_eval_int_zero"); a name that
repeats within its section gets "#2", "#3", ... in order.

known_failures.txt lists, one a line, `<section>/<name><TAB><reason>`.  The run
fails (exit 1) when a vector fails that is not listed, or when a listed one
passes (a stale entry).  --update-known-failures rewrites the entries of the
sections run to the current failures (keeping reasons already written, "not
yet triaged" for new ones) and leaves the other sections' entries alone.

The last line printed is exactly "N passed, N failed, N skipped": failed counts
unexpected failures, stale entries and rpeval runs that failed as a whole
(a crash, a missing output line), skipped counts skipped vectors and the
known failures (the line before it says how many of each).

Python 3 standard library only.
"""

import argparse
import base64
import json
import math
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# The suites make check runs: the profile and the vector files.
SUITES = {
    "core": ("cel", [
        "basic", "comparisons", "conversions", "enums", "fields", "fp_math",
        "integer_math", "lists", "logic", "macros", "namespace", "parse",
        "plumbing", "string", "timestamps", "type_deductions",
    ]),
    "ext": ("extended", [
        "string_ext", "math_ext", "encoders_ext", "optionals", "bindings_ext",
        "macros2", "block_ext",
    ]),
}

UNTRIAGED = "not yet triaged"
SHOW_MAX = 400  # characters of a value shown in a failure report


# ---- Values ------------------------------------------------------------------

def canonical(v):
    """A hashable, comparable form of a cel.expr.Value JSON object."""
    if not isinstance(v, dict) or len(v) != 1:
        return ("raw", json.dumps(v, sort_keys=True))
    kind, x = next(iter(v.items()))
    try:
        if kind in ("int64Value", "uint64Value"):
            return (kind, int(x))
        if kind == "doubleValue":
            d = float(x)
            return (kind, "NaN" if math.isnan(d) else d)
        if kind in ("stringValue", "typeValue"):
            return (kind, x)
        if kind == "boolValue":
            return (kind, bool(x))
        if kind == "nullValue":
            return (kind,)
        if kind == "bytesValue":
            padded = x + "=" * (-len(x) % 4)
            return (kind, base64.b64decode(padded.replace("-", "+").replace("_", "/")))
        if kind == "listValue":
            return (kind, tuple(canonical(e) for e in (x or {}).get("values", [])))
        if kind == "mapValue":
            entries = [(canonical(e.get("key")), canonical(e.get("value")))
                       for e in (x or {}).get("entries", [])]
            return (kind, tuple(sorted(entries, key=repr)))
        if kind == "enumValue":
            return (kind, x.get("type", ""), int(x.get("value", 0)))
        if kind == "objectValue":
            return (kind, json.dumps(x, sort_keys=True))
    except (TypeError, ValueError, AttributeError):
        pass
    return ("raw", kind, json.dumps(x, sort_keys=True))


def show(v):
    s = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return s if len(s) <= SHOW_MAX else s[:SHOW_MAX] + "..."


# ---- Vectors -------------------------------------------------------------------

class Vector:
    def __init__(self, key, raw):
        self.key = key
        self.raw = raw
        self.skip = None        # why it is skipped, or None
        self.expect = None      # ("value", V) or ("error",)
        if raw.get("checkOnly"):
            self.skip = "checkOnly"
        elif "value" in raw:
            self.expect = ("value", raw["value"])
        elif "evalError" in raw:
            self.expect = ("error",)
        elif "typedResult" in raw:
            if "result" in raw["typedResult"]:
                self.expect = ("value", raw["typedResult"]["result"])
            else:
                self.skip = "typedResult without a result"
        else:
            self.expect = ("value", {"boolValue": True})

    def batch_line(self):
        r = self.raw
        line = {"expr": r["expr"], "bindings": r.get("bindings") or {}}
        declared = [d["name"] for d in r.get("typeEnv") or [] if "ident" in d]
        if declared:
            line["variables"] = declared
        for flag in ("disableCheck", "disableMacros"):
            if r.get(flag):
                line[flag] = True
        if r.get("container"):
            line["container"] = r["container"]
        return json.dumps(line, ensure_ascii=False)

    def judge(self, got):
        """None when GOT (an output line, parsed) meets the expectation,
        else a short reason."""
        if not isinstance(got, dict):
            return "no result"
        if self.expect[0] == "error":
            err = got.get("error")
            if isinstance(err, dict) and err.get("kind") in ("eval", "compile"):
                return None
            return "expected an error"
        if "value" not in got:
            return "expected a value"
        if canonical(got["value"]) != canonical(self.expect[1]):
            return "different value"
        return None


def load_vectors(path):
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    seen = {}
    out = []
    for r in raw:
        key = "%s/%s" % (r["section"], r["name"])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = "%s#%d" % (key, seen[key])
        out.append(Vector(key, r))
    return out


# ---- Known failures -------------------------------------------------------------

def read_known(path):
    """(ordered list of lines, {key: reason}); comments and blanks kept."""
    lines, known = [], {}
    if not os.path.exists(path):
        return lines, known
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            lines.append(line)
            if not line.strip() or line.startswith("#"):
                continue
            key, _, reason = line.partition("\t")
            known[key] = reason.strip() or UNTRIAGED
    return lines, known


def write_known(path, old_lines, known, sections, failures):
    """Rewrite PATH: entries of SECTIONS become FAILURES (reasons kept),
    every other line stays where it was."""
    def in_run(key):
        return key.split("/", 1)[0] in sections
    out = [l for l in old_lines
           if not l.strip() or l.startswith("#") or not in_run(l.partition("\t")[0])]
    for key in failures:
        out.append("%s\t%s" % (key, known.get(key, UNTRIAGED)))
    header = [l for l in out if l.startswith("#")]
    body = sorted(l for l in out if l.strip() and not l.startswith("#"))
    with open(path, "w", encoding="utf-8") as f:
        for l in header:
            f.write(l + "\n")
        for l in body:
            f.write(l + "\n")


# ---- Running ---------------------------------------------------------------------

def run_file(cmd, vectors, timeout):
    """Run the vectors of one file through one rpeval process: a list of
    parsed output lines (None where missing or malformed) and a note when
    rpeval itself failed."""
    todo = [v for v in vectors if v.skip is None]
    text = "".join(v.batch_line() + "\n" for v in todo)
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
    results = {}
    for i, v in enumerate(todo):
        got = None
        if i < len(out):
            try:
                got = json.loads(out[i])
            except ValueError:
                got = None
        results[v.key] = got
    if len(out) != len(todo) and note is None:
        note = "rpeval printed %d lines for %d inputs" % (len(out), len(todo))
    return results, note


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suite", choices=sorted(SUITES), help="a named suite (profile and sections)")
    ap.add_argument("--sections", help="comma-separated vector files (without .json)")
    ap.add_argument("--profile", help="cel, kubernetes or extended (default: the suite's)")
    ap.add_argument("--rpeval", help="the rpeval program (default: $top_builddir/rpeval/rpeval)")
    ap.add_argument("--wrapper", default="", help="command to run rpeval under (e.g. valgrind)")
    ap.add_argument("--vectors", default=os.path.join(HERE, "vectors"), help="vector directory")
    ap.add_argument("--known-failures", default=os.path.join(HERE, "known_failures.txt"))
    ap.add_argument("--update-known-failures", action="store_true",
                    help="rewrite the run sections' known failures to the current ones")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per vector file")
    ap.add_argument("-v", "--verbose", action="store_true", help="also list known failures")
    a = ap.parse_args()

    if a.suite:
        profile, sections = SUITES[a.suite]
    else:
        profile, sections = "cel", []
    if a.sections:
        sections = [s for s in a.sections.split(",") if s]
    if a.profile:
        profile = a.profile
    if not sections:
        ap.error("no sections: give --suite or --sections")
    rpeval = a.rpeval or os.path.join(os.environ.get("top_builddir", "."), "rpeval", "rpeval")
    cmd = shlex.split(a.wrapper) + [rpeval, "eval", "--batch", "-", "--typed",
                                     "--profile", profile]

    known_lines, known = read_known(a.known_failures)
    counts = []         # (section, passed, failed, known, skipped)
    failures = []       # keys of every failing vector, in order
    unexpected = []     # (vector, reason, got)
    notes = []
    for section in sections:
        path = os.path.join(a.vectors, section + ".json")
        try:
            vectors = load_vectors(path)
        except (OSError, ValueError, KeyError) as e:
            print("cannot read %s: %s" % (path, e))
            notes.append("%s: unreadable" % section)
            counts.append((section, 0, 1, 0, 0))
            continue
        results, note = run_file(cmd, vectors, a.timeout)
        p = f = k = s = 0
        if note:
            # rpeval itself failed: that fails the run even when every
            # vector it left unanswered is a known failure.
            notes.append("%s: %s" % (section, note))
            f += 1
        for v in vectors:
            if v.skip:
                s += 1
                continue
            got = results.get(v.key)
            reason = v.judge(got)
            if reason is None:
                p += 1
                continue
            failures.append(v.key)
            if v.key in known or a.update_known_failures:
                k += 1
            else:
                f += 1
                unexpected.append((v, reason, got))
        counts.append((section, p, f, k, s))

    print("conformance: profile %s, %s" % (profile, " ".join(sections)))
    print("%-16s %7s %7s %7s %7s" % ("section", "passed", "failed", "known", "skipped"))
    for c in counts:
        print("%-16s %7d %7d %7d %7d" % c)
    for n in notes:
        print("note: " + n)

    if a.update_known_failures:
        write_known(a.known_failures, known_lines, known, set(sections), failures)
        print("wrote %d known failures of %s to %s" % (
            len(failures), ",".join(sections), a.known_failures))
        unexpected = []

    if unexpected:
        print("\nfailures (not in %s):" % os.path.basename(a.known_failures))
        for v, reason, got in unexpected:
            print("  %s: %s" % (v.key, reason))
            print("    expr:     %s" % v.raw["expr"])
            want = show(v.expect[1]) if v.expect[0] == "value" else "an error"
            print("    expected: %s" % want)
            print("    got:      %s" % ("nothing" if got is None else show(got)))

    failing = set(failures)
    stale = [] if a.update_known_failures else sorted(
        key for key in known
        if key.split("/", 1)[0] in sections and key not in failing)
    if stale:
        print("\nknown failures that now pass (remove them from %s):"
              % os.path.basename(a.known_failures))
        for key in stale:
            print("  " + key)
    if a.verbose:
        print("\nknown failures:")
        for key in failures:
            if key in known:
                print("  %s\t%s" % (key, known[key]))

    passed = sum(c[1] for c in counts)
    failed = sum(c[2] for c in counts) + len(stale)
    nknown = sum(c[3] for c in counts)
    nskipped = sum(c[4] for c in counts)
    print("\n%d known failures and %d skipped vectors are counted as skipped"
          % (nknown, nskipped))
    print("%d passed, %d failed, %d skipped" % (passed, failed, nknown + nskipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
