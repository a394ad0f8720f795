#!/bin/sh
# make-seeds.sh -- build the fuzz targets' seed corpora from the tests.
#
# Usage: make-seeds.sh SRCDIR OUTDIR
# Writes OUTDIR/fuzz_parse (one conformance-vector expression a file),
# OUTDIR/fuzz_eval (the same expressions followed by a NUL and a small
# Kubernetes object), OUTDIR/fuzz_yaml (tests/data/yaml and tests/corpus/ray
# manifests) and OUTDIR/fuzz_pack (every pack in the tests, the built-in
# packs, and the YAML blocks of the docs that hold a pack), plus
# the hand-picked seeds of SRCDIR/fuzz/seeds/<target>/.  Seeds are generated
# here rather than committed: they follow the tests as those grow.  The
# expression seeds need python3 (to read the vectors' JSON); without it only
# the hand-picked expression seeds are used.
set -eu

srcdir=$1
out=$2
python=${PYTHON3:-python3}

for t in fuzz_parse fuzz_eval fuzz_yaml fuzz_pack; do
    mkdir -p "$out/$t"
    if [ -d "$srcdir/fuzz/seeds/$t" ]; then
        cp "$srcdir/fuzz/seeds/$t"/* "$out/$t/" 2>/dev/null || :
    fi
done

if command -v "$python" >/dev/null 2>&1; then
    "$python" - "$srcdir/tests/conformance/vectors" "$srcdir/tests/k8s-vectors" "$out" <<'PY'
import json, os, sys, hashlib
vectors, k8s, out = sys.argv[1], sys.argv[2], sys.argv[3]
obj = b'{"apiVersion":"ray.io/v1","kind":"RayCluster","metadata":{"name":"a","labels":{"x":"y"}},"spec":{"replicas":3,"items":[1,2.5,"s",null,true]}}'
seen = set()

def seed(expr):
    """One expression: alone for fuzz_parse, with the object for fuzz_eval."""
    if not isinstance(expr, str) or expr in seen:
        return
    seen.add(expr)
    data = expr.encode("utf-8")
    h = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(out, "fuzz_parse", h), "wb") as g:
        g.write(data)
    with open(os.path.join(out, "fuzz_eval", h), "wb") as g:
        g.write(data + b"\0" + obj)

for name in sorted(os.listdir(vectors)):
    if name.endswith(".json"):
        with open(os.path.join(vectors, name), encoding="utf-8") as f:
            for case in json.load(f):
                seed(case.get("expr"))
# The Kubernetes library vectors: one JSON object a line, with "expr".
for name in sorted(os.listdir(k8s)):
    if name.endswith(".jsonl"):
        with open(os.path.join(k8s, name), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    seed(json.loads(line).get("expr"))
# Packs written in the docs' YAML blocks.
docs = os.path.join(os.path.dirname(os.path.dirname(vectors)), "..", "docs")
for name in sorted(os.listdir(docs)) if os.path.isdir(docs) else []:
    if not name.endswith(".md"):
        continue
    text = open(os.path.join(docs, name), encoding="utf-8").read()
    for i, block in enumerate(text.split("```yaml\n")[1:]):
        block = block.split("```", 1)[0]
        if "kind: PolicyPack" in block or "policies:" in block:
            with open(os.path.join(out, "fuzz_pack", "%s-%d.yaml" % (name[:-3], i)), "w") as g:
                g.write(block)
PY
fi

for f in "$srcdir"/tests/data/yaml/*.yaml "$srcdir"/tests/corpus/ray/*.yaml "$srcdir"/tests/data/manifests/*.yaml; do
    [ -f "$f" ] && cp "$f" "$out/fuzz_yaml/"
done
for f in "$srcdir"/tests/data/packs/*.yaml "$srcdir"/packs/*.yaml \
         "$srcdir"/tests/data/guide/*.yaml "$srcdir"/tests/webhook/*.yaml; do
    [ -f "$f" ] && cp "$f" "$out/fuzz_pack/"
done
for t in fuzz_parse fuzz_eval fuzz_yaml fuzz_pack; do
    echo "make-seeds.sh: $t: $(ls "$out/$t" | wc -l) seeds"
done
