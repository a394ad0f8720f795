#!/bin/sh
# k8s-vectors.sh -- make check's run of the Kubernetes-derived vectors
# (tests/k8s-vectors/*.jsonl) in the kubernetes profile: the same expression
# text must give the same answer here as in a cluster.  Known differences
# are in known_failures.txt.  Skipped (77) without python3.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
py=${PYTHON3:-python3}
if [ "$py" = ":" ] || ! command -v "$py" >/dev/null 2>&1; then
    echo "k8s-vectors: python3 not found: skipped"
    exit 77
fi
exec "$py" "$srcdir/tests/k8s-vectors/run_k8s_vectors.py" \
    --rpeval "$builddir/rpeval/rpeval" ${RP_WRAPPER:+--wrapper "$RP_WRAPPER"}
