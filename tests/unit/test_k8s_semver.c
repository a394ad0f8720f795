/* test_k8s_semver.c -- the Kubernetes semver library (lib/k8s_semver.c),
 * run end to end through the public API in the Kubernetes profile.
 * Expected values follow the doc comment of Kubernetes'
 * staging/src/k8s.io/apiserver/pkg/cel/library/semverlib.go and
 * blang/semver v4's documented rules (semver.org precedence: a prerelease
 * sorts before its release, numeric identifiers before alphanumeric ones,
 * build metadata ignored); error texts are blang/semver's. */
#include <criterion/criterion.h>
#include <string.h>

#include "eval_helpers.h"

static void expect(const char *expr, const char *json)
{
    eval_result r = eval_in(RP_PROFILE_KUBERNETES, expr, NULL);
    cr_assert_eq(r.rc, 0, "%s: rc %d (%s)", expr, r.rc, r.err.message);
    cr_assert_str_eq(r.json, json, "%s", expr);
}

static void expect_error(const char *expr, const char *msg)
{
    eval_result r = eval_in(RP_PROFILE_KUBERNETES, expr, NULL);
    cr_assert_neq(r.rc, 0, "%s: no error, got %s", expr, r.json);
    cr_assert_not_null(strstr(r.err.message, msg), "%s: %s", expr, r.err.message);
}

/* semverlib.go doc comment: semver, isSemver, normalize */
Test(k8s_semver, parse)
{
    expect("isSemver('1.0.0')", "true");
    expect("isSemver('v1.0')", "false");
    expect("isSemver('v1.0', true)", "true");
    expect("semver('v01.01', true) == semver('1.1.0')", "true");
    expect_error("semver('1.0')", "No Major.Minor.Patch elements found");
    expect_error("semver('01.0.0')", "Major number must not contain leading zeroes \"01\"");
    expect("semver('1.0', true) == semver('1.0.0')", "true");
    expect("isSemver('1.0-alpha', true)", "false");
}

/* semverlib.go doc comment: major, minor, patch */
Test(k8s_semver, parts)
{
    expect("semver('1.2.3').major()", "1");
    expect("semver('1.2.3').minor()", "2");
    expect("semver('1.2.3').patch()", "3");
}

/* semverlib.go doc comment and semver.org precedence */
Test(k8s_semver, ordering)
{
    expect("semver('1.0.0').isGreaterThan(semver('0.1.0'))", "true");
    expect("semver('1.0.0').isLessThan(semver('0.1.0'))", "false");
    expect("semver('1.0.0').compareTo(semver('1.0.0'))", "0");
    expect("semver('1.0.0').compareTo(semver('2.0.0'))", "-1");
    expect("semver('1.0.0-alpha').isLessThan(semver('1.0.0'))", "true");
    expect("semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))", "true");
    expect("semver('1.0.0-beta.2').isLessThan(semver('1.0.0-beta.11'))", "true");
    expect("semver('1.0.0+build1') == semver('1.0.0+build2')", "true");
}
