#!/bin/sh
# valgrind-run.sh -- run one test program under valgrind memcheck
# (configure --enable-valgrind makes this make check's LOG_COMPILER).
#
# Why not plain `valgrind --error-exitcode=1`: Criterion runs every test in
# a worker process that re-executes the test binary, and a worker's exit
# status never reaches the runner (Criterion issue #137), so leaks and
# invalid reads inside tests would pass unseen.  Instead every process
# (--trace-children=yes) writes its own log, and this script fails when
# any log reports an error.  libtool --mode=execute lets valgrind see the
# real program behind a libtool wrapper script (rpeval in the build tree).
# valgrind.supp, beside this script, holds the few suppressions needed.
# somalloc=nouserintercepts: memcheck replaces the allocator of libc only,
# not malloc & co. that a test program defines itself (test_oom counts and
# fails allocations that way, and forwards them to libc's, which memcheck
# then sees).
#
# Usage: valgrind-run.sh PROGRAM [ARGS...]; exit status: the program's, or 1
# when valgrind found an error in any process.
set -u

logdir=$(mktemp -d "${TMPDIR:-/tmp}/rp-valgrind.XXXXXX") || exit 99
${LIBTOOL:+$LIBTOOL --mode=execute} "${VALGRIND:-valgrind}" \
    --trace-children=yes \
    --leak-check=full \
    --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible \
    --error-exitcode=1 \
    --num-callers=30 \
    --soname-synonyms=somalloc=nouserintercepts \
    --suppressions="$(dirname "$0")/valgrind.supp" \
    --log-file="$logdir/%p.log" \
    "$@"
status=$?

for log in "$logdir"/*.log; do
    [ -f "$log" ] || continue
    if ! grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
        echo "valgrind-run.sh: memcheck found errors in $1:" >&2
        cat "$log" >&2
        [ "$status" -eq 0 ] && status=1
    fi
done
rm -rf "$logdir"
exit "$status"
