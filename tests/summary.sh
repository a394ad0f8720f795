#!/bin/sh
# summary.sh -- one closing line for a `make check` run: "N passed, N failed,
# N skipped", counting the individual tests inside each test program.
#
# automake's harness counts programs (one Criterion binary holds dozens of
# tests), and keeps their output in .log files.  This reads, for every test
# the harness ran, its .trs result and its .log: a Criterion "Synthesis"
# line or the conformance runner's "N passed, N failed" line gives the
# individual counts; other tests count once.  A program that failed without
# a failing test in its counts (a crash outside a test, a valgrind report,
# a stale known-failure entry) adds one failure, so the line never hides a
# failed `make check`.
#
# Usage: tests/summary.sh [BUILDDIR]  (default: the current directory).
# Prints one line per program, then the total; exit 0 always.
builddir=${1:-.}

find "$builddir" -name '*.trs' -not -path '*/_build/*' | sort | while read -r trs; do
    log=${trs%.trs}.log
    result=$(sed -n 's/^:test-result: *//p' "$trs" | head -n 1)
    name=${trs%.trs}
    printf '%s\t%s\t' "${name#./}" "$result"
    if [ -f "$log" ]; then
        # Criterion: "[====] Synthesis: Tested: 9 | Passing: 8 | Failing: 1 | Crashing: 0"
        # conformance: "1200 passed, 3 failed, 14 skipped"
        sed -e 's/\x1b\[[0-9;]*m//g' "$log" | awk '
            /Synthesis: Tested:/ {
                for (i = 1; i <= NF; i++) {
                    if ($i == "Passing:") p = $(i + 1)
                    if ($i == "Failing:") f += $(i + 1)
                    if ($i == "Crashing:") f += $(i + 1)
                }
                found = 1
            }
            /^[0-9]+ passed, [0-9]+ failed/ {
                p = $1; f = $3; s = ($5 == "" ? 0 : $5); found = 1
            }
            END { if (found) printf "%d\t%d\t%d\n", p, f, s; else print "-\t-\t-" }'
    else
        printf -- '-\t-\t-\n'
    fi
done | awk -F '\t' '
    {
        name = $1; res = $2; p = $3; f = $4; s = $5
        if (p == "-") {
            p = 0; f = 0; s = 0
            if (res == "PASS" || res == "XFAIL") p = 1
            else if (res == "SKIP") s = 1
            else f = 1
        } else if ((res == "FAIL" || res == "ERROR" || res == "XPASS") && f == 0) {
            f = 1
        }
        printf "%-6s %s: %d passed, %d failed, %d skipped\n", res, name, p, f, s
        tp += p; tf += f; ts += s
    }
    END { printf "%d passed, %d failed, %d skipped\n", tp, tf, ts }'
