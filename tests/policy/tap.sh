# tap.sh -- what the end-to-end scripts of tests/policy share (sourced, not
# run): where the build is, a scratch directory removed on exit, and TAP-style
# checks that count failures.  The script ends with `tap_done`.
#
#   expect_status WANT DESCRIPTION CMD...   run CMD (output in $tmp/out and
#                                           $tmp/err), check its exit status
#   expect_grep PATTERN FILE DESCRIPTION    FILE holds a line matching PATTERN
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
py=${PYTHON3:-python3}
rpeval="${RP_WRAPPER:+$RP_WRAPPER }$builddir/rpeval/rpeval"
data="$srcdir/tests/data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

expect_status() {
    want=$1; what=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else
        bad "$what: exit $got, want $want"; sed 's/^/    /' "$tmp/err" | head -20; fi
}
expect_grep() {
    if grep -q -- "$1" "$2"; then ok "$3"; else bad "$3: no '$1' in:"; sed 's/^/    /' "$2" | head -30; fi
}

tap_done() {
    echo "1..$n"
    [ "$fails" -eq 0 ]
}
