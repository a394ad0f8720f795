#!/bin/sh
# check-report-formats.sh -- the report writers' output against the
# formats' own rules: SARIF against the official SARIF 2.1.0 schema, JUnit
# XML for well-formedness and consistent counts, JSON against DESIGN.md's
# contract (validate_report.py does the checking).  report_sample builds a
# representative report and an empty one; the text output is checked for
# ANSI codes only when colour was asked for.
#
# The integrator can validate real output the same way:
#   rpeval check --format sarif ... > out.sarif
#   python3 tests/policy/validate_report.py sarif out.sarif
#
# Exit status: 0 valid, 1 invalid, 77 (skipped) without python3, or when
# everything else passed but python3-jsonschema is missing.
set -u
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
py=${PYTHON3:-python3}
sample="$builddir/tests/policy/report_sample"
validate="$srcdir/tests/policy/validate_report.py"

if [ "$py" = ":" ] || ! command -v "$py" >/dev/null 2>&1; then
    echo "check-report-formats: python3 not found: skipped"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rp-report.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

status=0
skipped=0
for variant in sample empty; do
    extra=
    [ "$variant" = empty ] && extra=empty
    for fmt in json sarif junit; do
        out="$tmp/$variant.$fmt"
        # RP_WRAPPER: valgrind or the sanitizer runner, when configured.
        if ! ${RP_WRAPPER:-} "$sample" "$fmt" $extra > "$out"; then
            echo "check-report-formats: report_sample $fmt $extra failed"
            status=1
            continue
        fi
        "$py" "$validate" "$fmt" "$out"
        rc=$?
        case $rc in
            0) ;;
            77) skipped=1 ;;
            *) status=1 ;;
        esac
    done
    for fmt in text text-color; do
        out="$tmp/$variant.$fmt"
        if ! ${RP_WRAPPER:-} "$sample" "$fmt" $extra > "$out"; then
            echo "check-report-formats: report_sample $fmt $extra failed"
            status=1
            continue
        fi
        esc=$(printf '\033')
        if [ "$fmt" = text ] && grep -q "$esc" "$out"; then
            echo "check-report-formats: $variant text output has ANSI codes without colour"
            status=1
        fi
        if [ "$fmt" = text-color ] && [ "$variant" = sample ] &&
                ! grep -q "$esc" "$out"; then
            echo "check-report-formats: $variant text-color output has no ANSI codes"
            status=1
        fi
        if ! tail -n 1 "$out" | sed "s/$esc\[[0-9;]*m//g" |
                grep -q 'findings; [0-9]* bypassed; [0-9]* errors*$'; then
            echo "check-report-formats: $variant $fmt output does not end with the summary line"
            status=1
        fi
    done
done
if [ "$status" -eq 0 ] && [ "$skipped" -eq 1 ]; then
    echo "check-report-formats: SARIF schema not checked (install python3-jsonschema): skipped"
    exit 77
fi
exit "$status"
