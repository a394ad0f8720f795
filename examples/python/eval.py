#!/usr/bin/env python3
"""eval.py -- the Python twin of examples/c/eval.c: compile one CEL expression
and evaluate it with a JSON file bound to `object`; print the result as JSON.

    usage: eval.py EXPRESSION FILE.json   (exit 0 result printed, 1 error, 2 usage)
"""
import json
import sys

import raypolicy

if len(sys.argv) != 3:
    print("usage: eval.py EXPRESSION FILE.json", file=sys.stderr)
    sys.exit(2)
expr, path = sys.argv[1:]
with open(path, "rb") as fp:
    document = raypolicy.Json(fp.read())  # bound as it is, parsed once by the library

with raypolicy.Env() as env:  # the Kubernetes profile and limits
    try:
        result = env.compile(expr).eval(object=document)
    except raypolicy.RaypolicyError as e:
        print(e, file=sys.stderr)
        sys.exit(1)
print(json.dumps(result, separators=(",", ":"), ensure_ascii=False, default=str))
