#!/usr/bin/env python3
"""validate_report.py -- check a report written by rpeval (or by
tests/policy/report_sample) against its format.

Usage: validate_report.py sarif|junit|json FILE   (FILE may be - for stdin)

sarif  the official SARIF 2.1.0 JSON schema (schemas/sarif-schema-2.1.0.json,
       beside this script), checked with the validator of the draft the
       schema declares (draft-04) and with a Draft 7 validator (the schema
       uses only keywords whose meaning the two drafts share); then what a
       schema cannot say: ruleIndex points at the rule named by ruleId,
       artifact URIs are URI references, a suppression has a justification,
       executionSuccessful agrees with the error notifications.
junit  well-formed XML 1.0 (the parser rejects what XML forbids, control
       characters included), <testsuites> of <testsuite>s of <testcase>s,
       and every tests/failures/errors/skipped count equal to what the
       elements hold, totals included.
json   the shape DESIGN.md fixes for `rpeval check --format json`, and the
       summary's counts agreeing with the findings and errors listed.

Exit status: 0 valid, 1 invalid, 2 usage or unreadable file, 77 (automake's
"skipped") when the SARIF schema check could not run because
python3-jsonschema is missing and nothing else was wrong.
"""

import json
import os
import re
import sys
import xml.etree.ElementTree as ET

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "schemas", "sarif-schema-2.1.0.json")

SEVERITIES = ["critical", "high", "medium", "low", "info"]
ACTIONS = ["deny", "warn", "audit"]
OUTCOMES = ["pass", "fail", "bypassed", "error"]
ERROR_KINDS = ["input", "params", "eval", "pack"]
SARIF_LEVELS = {"none", "note", "warning", "error"}

# RFC 3986 URI-reference, the characters and percent-encoding only.
URI_REF = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, what):
        self.items.append("%s: %s" % (where, what))


def read_text(path):
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    return data


# ---- SARIF ---------------------------------------------------------------------

def sarif_schema_check(log, problems):
    """Validate against the schema; False when jsonschema is missing."""
    try:
        import jsonschema
        from jsonschema import validators
    except ImportError:
        return False
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    classes = [validators.validator_for(schema, default=jsonschema.Draft7Validator),
               jsonschema.Draft7Validator]
    seen = set()
    for cls in classes:
        if cls in seen:
            continue
        seen.add(cls)
        cls.check_schema(schema)
        validator = cls(schema, format_checker=jsonschema.FormatChecker())
        for err in sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in err.absolute_path) or "(root)"
            problems.add("schema (%s) at %s" % (cls.__name__, where), err.message)
    return True


def sarif_semantic_check(log, problems):
    if log.get("version") != "2.1.0":
        problems.add("version", "not 2.1.0")
    runs = log.get("runs") or []
    if len(runs) != 1:
        problems.add("runs", "expected exactly one run, found %d" % len(runs))
    for r, run in enumerate(runs):
        driver = run.get("tool", {}).get("driver", {})
        if not driver.get("name"):
            problems.add("runs/%d/tool/driver" % r, "no name")
        rules = driver.get("rules", [])
        for i, rule in enumerate(rules):
            if not rule.get("id"):
                problems.add("runs/%d/tool/driver/rules/%d" % (r, i), "no id")
        for i, res in enumerate(run.get("results") or []):
            where = "runs/%d/results/%d" % (r, i)
            idx = res.get("ruleIndex")
            if idx is not None:
                if not 0 <= idx < len(rules):
                    problems.add(where, "ruleIndex %d out of range" % idx)
                elif rules[idx].get("id") != res.get("ruleId"):
                    problems.add(where, "ruleIndex %d names %r, ruleId is %r"
                                 % (idx, rules[idx].get("id"), res.get("ruleId")))
            if res.get("level", "warning") not in SARIF_LEVELS:
                problems.add(where, "bad level %r" % res.get("level"))
            if not res.get("message", {}).get("text"):
                problems.add(where, "empty message")
            for s, sup in enumerate(res.get("suppressions") or []):
                if "justification" not in sup:
                    problems.add("%s/suppressions/%d" % (where, s), "no justification")
            check_locations(res.get("locations") or [], where, problems)
        invocations = run.get("invocations") or []
        for v, inv in enumerate(invocations):
            where = "runs/%d/invocations/%d" % (r, v)
            notes = inv.get("toolExecutionNotifications") or []
            has_error = any(n.get("level", "warning") == "error" for n in notes)
            if inv.get("executionSuccessful") == has_error:
                problems.add(where, "executionSuccessful is %s with%s error notifications"
                             % (inv.get("executionSuccessful"), "" if has_error else " no"))
            for n, note in enumerate(notes):
                check_locations(note.get("locations") or [],
                                "%s/toolExecutionNotifications/%d" % (where, n), problems)
                rule = note.get("associatedRule")
                if rule and "index" in rule:
                    if not 0 <= rule["index"] < len(rules) or \
                            rules[rule["index"]].get("id") != rule.get("id"):
                        problems.add("%s/toolExecutionNotifications/%d" % (where, n),
                                     "associatedRule does not match driver.rules")


def check_locations(locations, where, problems):
    for l, loc in enumerate(locations):
        phys = loc.get("physicalLocation")
        if not phys:
            continue
        uri = phys.get("artifactLocation", {}).get("uri")
        if uri is not None and not URI_REF.match(uri):
            problems.add("%s/locations/%d" % (where, l), "not a URI reference: %r" % uri)
        region = phys.get("region")
        if region is not None and region.get("startLine", 1) < 1:
            problems.add("%s/locations/%d" % (where, l), "startLine below 1")


def check_sarif(data, problems):
    try:
        log = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        problems.add("sarif", "not JSON: %s" % e)
        return True
    ran = sarif_schema_check(log, problems)
    sarif_semantic_check(log, problems)
    return ran


# ---- JUnit ----------------------------------------------------------------------

def check_junit(data, problems):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.add("junit", "not UTF-8: %s" % e)
        return True
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        problems.add("junit", "not well-formed XML: %s" % e)
        return True
    if root.tag == "testsuite":
        suites = [root]
    elif root.tag == "testsuites":
        suites = list(root)
    else:
        problems.add("junit", "root element is <%s>" % root.tag)
        return True
    totals = dict(tests=0, failures=0, errors=0, skipped=0)
    for s, suite in enumerate(suites):
        where = "testsuite %d (%s)" % (s, suite.get("name"))
        if suite.tag != "testsuite":
            problems.add(where, "unexpected element <%s>" % suite.tag)
            continue
        if not suite.get("name"):
            problems.add(where, "no name")
        counts = dict(tests=0, failures=0, errors=0, skipped=0)
        for child in suite:
            if child.tag == "properties":
                for prop in child:
                    if prop.tag != "property" or prop.get("name") is None \
                            or prop.get("value") is None:
                        problems.add(where, "bad property element")
                continue
            if child.tag != "testcase":
                problems.add(where, "unexpected element <%s>" % child.tag)
                continue
            counts["tests"] += 1
            if not child.get("name") or child.get("classname") is None:
                problems.add(where, "testcase without name or classname")
            kinds = [c.tag for c in child if c.tag in ("failure", "error", "skipped")]
            if len(kinds) > 1:
                problems.add(where, "testcase %r is %s at once" % (child.get("name"), kinds))
            for k in kinds:
                counts["failures" if k == "failure" else "errors" if k == "error"
                       else "skipped"] += 1
        for key, n in counts.items():
            declared = suite.get(key)
            if declared is None:
                if key == "tests":
                    problems.add(where, "no tests attribute")
                continue
            if not declared.isdigit() or int(declared) != n:
                problems.add(where, "%s=%r but it holds %d" % (key, declared, n))
            totals[key] += n
    if root.tag == "testsuites":
        for key, n in totals.items():
            declared = root.get(key)
            if declared is not None and (not declared.isdigit() or int(declared) != n):
                problems.add("testsuites", "%s=%r but the suites hold %d" % (key, declared, n))
    return True


# ---- JSON -------------------------------------------------------------------------

FINDING_KEYS = {"rule": str, "severity": str, "action": str, "message": str,
                "file": (str, type(None)), "document": int, "line": (int, type(None)),
                "apiVersion": (str, type(None)), "kind": (str, type(None)),
                "namespace": (str, type(None)), "name": (str, type(None)),
                "path": (str, type(None)), "bypassed": bool}


def check_json(data, problems):
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        problems.add("json", "not JSON: %s" % e)
        return True
    if not isinstance(doc, dict):
        problems.add("json", "not an object")
        return True
    for key, typ in (("findings", list), ("errors", list), ("summary", dict)):
        if not isinstance(doc.get(key), typ):
            problems.add("json", "%r missing or not a %s" % (key, typ.__name__))
    if problems.items:
        return True
    by_sev = dict.fromkeys(SEVERITIES, 0)
    for i, f in enumerate(doc["findings"]):
        where = "findings/%d" % i
        for key, typ in FINDING_KEYS.items():
            if key not in f:
                problems.add(where, "no %r" % key)
            elif not isinstance(f[key], typ) or (typ is int and isinstance(f[key], bool)):
                problems.add(where, "%r has type %s" % (key, type(f[key]).__name__))
        if f.get("severity") not in SEVERITIES:
            problems.add(where, "bad severity %r" % f.get("severity"))
        if f.get("action") not in ACTIONS:
            problems.add(where, "bad action %r" % f.get("action"))
        if isinstance(f.get("document"), int) and f["document"] < 0:
            problems.add(where, "negative document")
        if f.get("bypassed") is True and not isinstance(f.get("breakGlassReason"), str):
            problems.add(where, "bypassed without breakGlassReason")
        if f.get("bypassed") is False and f.get("severity") in by_sev:
            by_sev[f["severity"]] += 1
    for i, e in enumerate(doc["errors"]):
        where = "errors/%d" % i
        if e.get("kind") not in ERROR_KINDS:
            problems.add(where, "bad kind %r" % e.get("kind"))
        if not isinstance(e.get("message"), str):
            problems.add(where, "no message")
    for i, r in enumerate(doc.get("results", [])):
        if r.get("outcome") not in OUTCOMES:
            problems.add("results/%d" % i, "bad outcome %r" % r.get("outcome"))
    summary = doc["summary"]
    if isinstance(summary.get("findings"), dict):
        for sev, n in by_sev.items():
            if summary["findings"].get(sev) != n:
                problems.add("summary/findings/" + sev, "%r, but %d listed"
                             % (summary["findings"].get(sev), n))
    if "errors" in summary and summary["errors"] != len(doc["errors"]):
        problems.add("summary/errors", "%r, but %d listed"
                     % (summary["errors"], len(doc["errors"])))
    if "results" in summary and "results" in doc and summary["results"] != len(doc["results"]):
        problems.add("summary/results", "%r, but %d listed"
                     % (summary["results"], len(doc["results"])))
    return True


CHECKS = {"sarif": check_sarif, "junit": check_junit, "json": check_json}


def main(argv):
    if len(argv) != 3 or argv[1] not in CHECKS:
        sys.stderr.write("usage: validate_report.py sarif|junit|json FILE\n")
        return 2
    fmt, path = argv[1], argv[2]
    try:
        data = read_text(path)
    except OSError as e:
        sys.stderr.write("validate_report.py: %s\n" % e)
        return 2
    problems = Problems()
    complete = CHECKS[fmt](data, problems)
    for p in problems.items:
        print("%s: %s: %s" % (path, fmt, p))
    if problems.items:
        print("%s: %s: INVALID (%d problems)" % (path, fmt, len(problems.items)))
        return 1
    if not complete:
        print("%s: %s: schema check skipped: python3-jsonschema is not installed" % (path, fmt))
        return SKIP
    print("%s: %s: valid" % (path, fmt))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
