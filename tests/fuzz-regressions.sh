#!/bin/sh
# fuzz-regressions.sh -- replay fuzz/regressions/<target>/* through the fuzz
# targets (make check).
#
# Every file there is an input a fuzz target once crashed, hung or leaked
# on.  The targets are check programs: with fuzz/fuzz_main.c as main() in a
# normal build, with libFuzzer's main() under --enable-fuzzing (which, given
# files, runs each once).  RP_WRAPPER adds valgrind or the sanitizer runner
# when the build has them, so a replay fails when the bug comes back.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
wrap=${RP_WRAPPER:+$RP_WRAPPER }
n=0
fails=0
for t in fuzz_parse fuzz_eval fuzz_yaml fuzz_pack; do
    dir=$srcdir/fuzz/regressions/$t
    [ -d "$dir" ] || continue
    for f in "$dir"/*; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        if $wrap "$builddir/fuzz/$t" "$f" >/dev/null 2>"${TMPDIR:-/tmp}/rp-fuzz-reg.$$"; then
            echo "ok $n - $t $(basename "$f")"
        else
            fails=$((fails + 1))
            echo "not ok $n - $t $(basename "$f")"
            sed 's/^/    /' "${TMPDIR:-/tmp}/rp-fuzz-reg.$$" | head -40
        fi
        rm -f "${TMPDIR:-/tmp}/rp-fuzz-reg.$$"
    done
done
echo "1..$n"
[ "$fails" -eq 0 ]
