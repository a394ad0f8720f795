#!/bin/sh
# sanitizer-run.sh -- run one test program built with --enable-asan,
# --enable-ubsan or --enable-tsan, and fail when any of its processes made a report
# (configure makes this make check's LOG_COMPILER for such builds).
#
# Why a wrapper: Criterion runs each test in a worker process, and a
# worker's exit status never reaches the runner (Criterion issue #137), so
# a leak LeakSanitizer reports when a worker exits would pass unseen.  The
# sanitizers write their reports into files here instead (log_path), and
# any report fails the test.
#
# Usage: sanitizer-run.sh PROGRAM [ARGS...]; exit status: the program's, or
# 1 when a sanitizer reported anything in any process.
set -u

logdir=$(mktemp -d "${TMPDIR:-/tmp}/rp-sanitizer.XXXXXX") || exit 99
ASAN_OPTIONS="log_path=$logdir/asan:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="log_path=$logdir/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
TSAN_OPTIONS="log_path=$logdir/tsan:second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS

"$@"
status=$?

for log in "$logdir"/*; do
    [ -f "$log" ] || continue
    echo "sanitizer-run.sh: a sanitizer reported in $1:" >&2
    cat "$log" >&2
    [ "$status" -eq 0 ] && status=1
done
rm -rf "$logdir"
exit "$status"
