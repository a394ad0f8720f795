/* test_k8s_regex.c -- the Kubernetes regex library (lib/k8s_regex.c), run
 * end to end through the public API in the Kubernetes profile.  Expected
 * values are the examples of the doc comment of Kubernetes'
 * staging/src/k8s.io/apiserver/pkg/cel/library/regex.go. */
#include <criterion/criterion.h>
#include <string.h>

#include "eval_helpers.h"

static void expect(const char *expr, const char *json)
{
    eval_result r = eval_in(RP_PROFILE_KUBERNETES, expr, NULL);
    cr_assert_eq(r.rc, 0, "%s: rc %d (%s)", expr, r.rc, r.err.message);
    cr_assert_str_eq(r.json, json, "%s", expr);
}

/* regex.go doc comment: find */
Test(k8s_regex, find)
{
    expect("'abc 123'.find('[0-9]+')", "\"123\"");
    expect("'abc 123'.find('xyz')", "\"\"");
}

/* regex.go doc comment: findAll */
Test(k8s_regex, find_all)
{
    expect("'123 abc 456'.findAll('[0-9]+')", "[\"123\",\"456\"]");
    expect("'123 abc 456'.findAll('[0-9]+', 1)", "[\"123\"]");
    expect("'123 abc 456'.findAll('xyz')", "[]");
}
