#!/bin/sh
# check-guide.sh -- docs/writing-packs.md cannot rot: its example packs and
# test suites (tests/data/guide/) must lint and pass, the extended-profile
# example must be rejected by `lint --profile kubernetes`, and every block of
# the guide marked
#   <!-- guide: excerpt FILE -->   must be FILE's text (lines in the same
#                                  order; a line "..." skips any lines)
#   <!-- guide: run, exit N -->    starts with "$ rpeval ...": run in
#                                  tests/data/guide, it must exit N and
#                                  print the lines that follow ("..." too)
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
py=${PYTHON3:-python3}
guide_dir=$(cd "$srcdir/tests/data/guide" && pwd) || exit 99
guide_doc=$(cd "$srcdir/docs" && pwd)/writing-packs.md
rpeval_bin=$(cd "$builddir/rpeval" && pwd)/rpeval
rpeval="${RP_WRAPPER:+$RP_WRAPPER }$rpeval_bin"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; sed 's/^/    /' "$tmp/out" | head -30; }

# -- the packs lint: acme-ray and its rewrite as a cluster would compile them
cd "$guide_dir" || exit 99
if $rpeval lint --profile kubernetes acme-ray.yaml acme-rewritten.yaml >"$tmp/out" 2>&1 &&
    ! grep -q warning "$tmp/out"; then
    ok "the guide's packs lint in the kubernetes profile"
else
    bad "the guide's packs do not lint cleanly"
fi
if $rpeval lint acme-extended.yaml >"$tmp/out" 2>&1; then
    ok "the extended example lints in its own profile"
else
    bad "the extended example does not lint in its own profile"
fi
$rpeval lint --profile kubernetes acme-extended.yaml >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "undeclared reference to 'cel'" "$tmp/out"; then
    ok "lint --profile kubernetes rejects cel.bind"
else
    bad "lint --profile kubernetes on the extended example: exit $rc"
fi

# -- the test suites pass
if $rpeval test . >"$tmp/out" 2>&1; then
    ok "the guide's test suites pass: $(tail -1 "$tmp/out")"
else
    bad "rpeval test tests/data/guide failed"
fi

# -- the guide's excerpts and command outputs
if ! command -v "$py" >/dev/null 2>&1; then
    echo "# skip: no $py, the guide's excerpts are not compared"
else
    RPEVAL="$rpeval" "$py" - "$guide_doc" "$guide_dir" >"$tmp/out" 2>&1 <<'PY'
import os, re, shlex, subprocess, sys

doc, gdir = sys.argv[1], sys.argv[2]
rpeval = shlex.split(os.environ["RPEVAL"])
lines = open(doc, encoding="utf-8").read().split("\n")
marker = re.compile(r"<!-- guide: (excerpt (\S+)|run, exit (\d+)) -->$")
failures = checked = 0

def contains_in_order(want, have):
    """WANT (with "..." lines skipping anything) appears in HAVE."""
    chunks, cur = [], []
    for w in want:
        if w.strip() == "...":
            chunks.append(cur); cur = []
        else:
            cur.append(w)
    chunks.append(cur)
    pos = 0
    for c in chunks:
        if not c:
            continue
        found = -1
        for j in range(pos, len(have) - len(c) + 1):
            if have[j:j + len(c)] == c:
                found = j
                break
        if found < 0:
            return False, c
        pos = found + len(c)
    return True, None

i = 0
while i < len(lines):
    m = marker.match(lines[i].strip())
    i += 1
    if not m:
        continue
    if i >= len(lines) or not lines[i].startswith("```"):
        print("%s:%d: a guide marker must precede a code block" % (doc, i)); failures += 1
        continue
    start = i + 1
    end = start
    while end < len(lines) and lines[end] != "```":
        end += 1
    block = lines[start:end]
    i = end + 1
    checked += 1
    if m.group(2):
        path = os.path.join(gdir, m.group(2))
        try:
            have = open(path, encoding="utf-8").read().split("\n")
        except OSError as e:
            print("%s:%d: %s" % (doc, start, e)); failures += 1
            continue
        good, chunk = contains_in_order(block, have)
        if not good:
            print("%s:%d: excerpt not found in %s:\n  %s" % (doc, start, m.group(2), "\n  ".join(chunk)))
            failures += 1
    else:
        if not block or not block[0].startswith("$ rpeval "):
            print("%s:%d: a run block starts with '$ rpeval'" % (doc, start)); failures += 1
            continue
        args = rpeval + shlex.split(block[0][len("$ rpeval "):])
        p = subprocess.run(args, cwd=gdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = p.stdout.decode("utf-8", "replace").split("\n")
        want_rc = int(m.group(3))
        good, chunk = contains_in_order(block[1:], out)
        if p.returncode != want_rc or not good:
            print("%s:%d: %s: exit %d (want %d); output:\n  %s" % (
                doc, start, block[0], p.returncode, want_rc, "\n  ".join(out)))
            failures += 1
print("%d guide blocks checked, %d failed" % (checked, failures))
sys.exit(1 if failures or checked == 0 else 0)
PY
    if [ $? -eq 0 ]; then ok "docs/writing-packs.md: $(tail -1 "$tmp/out")"; else
        bad "docs/writing-packs.md does not match tests/data/guide"; fi
fi

echo "1..$n"
[ $fails -eq 0 ]
