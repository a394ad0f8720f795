#!/bin/sh
# check-python.sh -- the Python binding's tests (bindings/python/tests, run
# by pytest) and the Python examples, against the library just built: the
# build's libraypolicy.so.0 through RAYPOLICY_LIBRARY and the source tree's
# package through PYTHONPATH, never an installed copy.
#
# Skips (exit 77) without a python3 that has pytest (Debian package
# python3-pytest), without a shared library, and under valgrind (memcheck
# of a whole Python interpreter says nothing about the library).  Under
# AddressSanitizer the interpreter is not instrumented, so libasan is
# preloaded (found among the library's own dependencies); any sanitizer
# error aborts the process and fails the test.  Python itself leaves
# memory unreachable at exit, so a leak fails the test only when its
# allocation stack passes through the library (rp_*, rpi_*): memory the
# binding forgot to give back.
#
# Ends with "N passed, N failed, N skipped" for tests/summary.sh.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
abs_srcdir=$(cd "$srcdir" && pwd)
abs_builddir=$(cd "$builddir" && pwd)
lib="$abs_builddir/libraypolicy/.libs/libraypolicy.so.0"

case "${RP_WRAPPER:-}" in
*valgrind*) echo "SKIP: the Python tests do not run under valgrind"; exit 77 ;;
esac
if [ ! -f "$lib" ]; then
    echo "SKIP: no shared library $lib (configured with --disable-shared?)"
    exit 77
fi

py=
for cand in "${PYTHON:-}" "${PYTHON3:-}" python3 /usr/bin/python3; do
    case "$cand" in "" | :) continue ;; esac
    if "$cand" -c 'import pytest' >/dev/null 2>&1; then
        py=$cand
        break
    fi
done
if [ -z "$py" ]; then
    echo "SKIP: no python3 with pytest (Debian packages: python3 python3-pytest)"
    exit 77
fi

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

asan=$(ldd "$lib" 2>/dev/null | sed -n 's/^[[:space:]]*libasan[^ ]* => \([^ ]*\) .*/\1/p' | head -n 1)
if [ -n "$asan" ]; then
    mkdir "$tmp/asan" || exit 99
    LD_PRELOAD="$asan${LD_PRELOAD:+ $LD_PRELOAD}"
    ASAN_OPTIONS="detect_leaks=1:log_path=$tmp/asan/log${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    LSAN_OPTIONS="exitcode=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}" # judged below
    export LD_PRELOAD ASAN_OPTIONS LSAN_OPTIONS
    echo "# AddressSanitizer build: $asan preloaded"
fi

RAYPOLICY_LIBRARY=$lib
PYTHONPATH="$abs_srcdir/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
PYTHONDONTWRITEBYTECODE=1 # the source tree may be read-only (make distcheck)
RP_EXAMPLES_DIR="$abs_builddir/examples/c"
export RAYPOLICY_LIBRARY PYTHONPATH PYTHONDONTWRITEBYTECODE RP_EXAMPLES_DIR
[ -x "$RP_EXAMPLES_DIR/eval" ] && [ -x "$RP_EXAMPLES_DIR/check" ] || unset RP_EXAMPLES_DIR

echo "# $py, $lib"
"$py" -m pytest -p no:cacheprovider -q -rs --junitxml="$tmp/junit.xml" \
    "$abs_srcdir/bindings/python/tests"
status=$?

# the counts, from pytest's JUnit XML
"$py" - "$tmp/junit.xml" <<'PY' || status=1
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
n = sum(int(s.get("tests", 0)) for s in suites)
failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print("%d passed, %d failed, %d skipped" % (n - failed - skipped, failed, skipped))
PY

# sanitizer reports: errors always count; leaks when the library allocated them
if [ -n "$asan" ]; then
    for log in "$tmp"/asan/log*; do
        [ -f "$log" ] || continue
        if grep -q 'ERROR: AddressSanitizer' "$log" ||
            awk '/^(Direct|Indirect) leak/ { leak = 1 } /^$/ { leak = 0 }
                 leak && (/ in rpi?_[A-Za-z0-9_]+ / || /libraypolicy\.so/) { found = 1 } END { exit !found }' "$log"; then
            echo "check-python.sh: AddressSanitizer reported:"
            cat "$log"
            status=1
        fi
    done
fi
exit $status
