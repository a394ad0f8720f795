/* test_check.c -- static rejections of literal operand types, as cel-go's
 * checker gives them ("found no matching overload for '_+_' applied to
 * '(int, string)'"), and their absence when checking is disabled. */
#include <criterion/criterion.h>

#include "eval_helpers.h"

Test(check, literal_type_errors)
{
    const char *bad[] = {"1 + 'a'", "'a' - 'b'", "1 % 2.0", "!1", "-'a'", "'a' < 1", "1 in 2",
                         "true && 1", NULL};
    for (size_t i = 0; bad[i]; i++) {
        eval_result r = eval_cel(bad[i]);
        cr_assert_eq(r.rc, RP_ECHECK, "%s: rc %d %s", bad[i], r.rc, r.err.message);
        cr_assert(strstr(r.err.message, "found no matching overload") != NULL, "%s", r.err.message);
    }
}

Test(check, accepted_mixes)
{
    const char *ok[] = {"1 < 2.0", "1u <= 2", "'a' + 'b'", "[1] + [2]", "1 in [1]", "'a' in {'a': 1}",
                        NULL};
    for (size_t i = 0; ok[i]; i++) {
        eval_result r = eval_cel(ok[i]);
        cr_assert_eq(r.rc, 0, "%s: rc %d %s", ok[i], r.rc, r.err.message);
    }
}

Test(check, position_of_the_operator)
{
    eval_result r = eval_cel("size('x') + (1 + 'a')");
    cr_assert_eq(r.rc, RP_ECHECK);
    cr_assert_eq(r.err.line, 1);
    cr_assert(r.err.column >= 13 && r.err.column <= 17, "column %u", r.err.column);
}

/* Kubernetes compiles with cel-go's HomogeneousAggregateLiterals; core CEL
 * and the extended profile make mixed literals lists of dyn. */
Test(check, homogeneous_aggregate_literals_in_kubernetes)
{
    const char *bad[] = {"[1, 'a']", "[1, 2.0]", "[[1], ['a']]", "{'a': 1, 'b': 'x'}",
                         "{'a': 1, 2: 1}", "[1, null]", NULL};
    for (size_t i = 0; bad[i]; i++) {
        eval_result r = eval_in(RP_PROFILE_KUBERNETES, bad[i], NULL);
        cr_assert_eq(r.rc, RP_ECHECK, "%s: rc %d %s", bad[i], r.rc, r.err.message);
        cr_assert(strstr(r.err.message, "expected type") != NULL, "%s", r.err.message);
        r = eval_in(RP_PROFILE_EXTENDED, bad[i], NULL);
        cr_assert_eq(r.rc, 0, "%s in extended: rc %d %s", bad[i], r.rc, r.err.message);
        r = eval_in(RP_PROFILE_CEL, bad[i], NULL);
        cr_assert_eq(r.rc, 0, "%s in cel: rc %d %s", bad[i], r.rc, r.err.message);
    }
    const char *ok[] = {"[1, 2, 3]", "[[1], [2, 3]]", "{'a': [1], 'b': []}", "[dyn(1), 'a']",
                        "[object.a, 1]", NULL};
    const char *vars[] = {"object", "{\"a\": 2}", NULL};
    for (size_t i = 0; ok[i]; i++) {
        eval_result r = eval_in(RP_PROFILE_KUBERNETES, ok[i], vars);
        cr_assert_eq(r.rc, 0, "%s: rc %d %s", ok[i], r.rc, r.err.message);
    }
}

Test(check, authorizer_is_not_available_offline)
{
    eval_result r = eval_in(RP_PROFILE_KUBERNETES, "authorizer.group('').resource('pods').check('get').allowed()", NULL);
    cr_assert_eq(r.rc, RP_ECHECK);
    cr_assert(strstr(r.err.message, "authorizer") && strstr(r.err.message, "offline"), "%s", r.err.message);
}

/* Literal arguments Kubernetes rejects when it compiles (cel-go's AST
 * validators and its type checker), from apiextensions-apiserver
 * pkg/apiserver/schema/cel/validation_test.go TestValidationExpressions
 * ("duration format", "date-time format", "stdlib regex functions",
 * "stdlib list functions") and apiserver pkg/cel/library quantity_test.go
 * ("isQuantity_noOverload"); other profiles leave them to evaluation. */
Test(check, kubernetes_literal_arguments)
{
    const char *bad[] = {"duration('1')", "duration('1d')", "duration('1us') < duration('1nns')",
                         "timestamp('1000-00-00T00:00:00Z')", "timestamp('1000-01-01T00:00:00ZZ')",
                         "timestamp(-62135596801)", "'x'.find(')') == ''", "'x'.findAll(')', 1) == []",
                         "isQuantity([1, 2, 3])", "['a', 'b'].sum() == 'c'", "[[1], [2]].min() == [1]",
                         NULL};
    for (size_t i = 0; bad[i]; i++) {
        eval_result r = eval_in(RP_PROFILE_KUBERNETES, bad[i], NULL);
        cr_assert_eq(r.rc, RP_ECHECK, "%s: rc %d %s", bad[i], r.rc, r.err.message);
        r = eval_in(RP_PROFILE_EXTENDED, bad[i], NULL);
        cr_assert_neq(r.rc, RP_ECHECK, "%s: %s", bad[i], r.err.message);
    }
    eval_result r = eval_in(RP_PROFILE_KUBERNETES, "['a'].sum()", NULL);
    cr_assert_str_eq(r.err.message, "<expression>:1:10: found no matching overload for 'sum' applied to "
                                    "'list(string).()'\n | ['a'].sum()\n | .........^");
    const char *ok[] = {"duration('1h2m3s4ms') > duration('1s')", "timestamp('2011-08-18T19:03:37.010+01:00') > "
                        "timestamp(0)", "'a1'.find('[0-9]') == '1'", "[1, 2].sum() == 3",
                        "sets.contains([1], [1])", "'%d'.format([1]) == '1'", NULL};
    for (size_t i = 0; ok[i]; i++) {
        r = eval_in(RP_PROFILE_KUBERNETES, ok[i], NULL);
        cr_assert_eq(r.rc, 0, "%s: rc %d %s", ok[i], r.rc, r.err.message);
        cr_assert_str_eq(r.json, "true", "%s", ok[i]);
    }
}
