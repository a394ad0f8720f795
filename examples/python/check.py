#!/usr/bin/env python3
"""check.py -- the Python twin of examples/c/check.c: check Kubernetes
manifests (files or directories named on the command line) with the built-in
ray-hardening pack and print the findings, the errors and a count.

    usage: check.py PATH...   (exit 0 no failing finding and no error, 1 a finding
    fails the check or an input could not be checked, 2 usage)
"""
import sys

import raypolicy

if len(sys.argv) < 2:
    print("usage: check.py PATH...", file=sys.stderr)
    sys.exit(2)

with raypolicy.load_pack("ray-hardening") as pack:
    report = pack.check(paths=sys.argv[1:])
for f in report.findings:
    bypassed = " [bypassed]" if f.bypassed else ""
    print(f"{f.file}:{f.line}: {f.severity} {f.rule} {f.kind}/{f.name}: {f.message}{bypassed}")
for e in report.errors:
    where = f"{e.file or '-'}:{e.line}" if e.line else (e.file or "-")
    print(f"{where}: {e.kind} error: {e.message}")
print(f"{len(report.findings)} findings, {len(report.errors)} errors")
sys.exit(1 if report.fails() or report.errors else 0)
