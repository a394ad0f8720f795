/* test_k8s_lists.c -- Kubernetes' list library (lib/k8s_lists.c) through
 * the public API.  Expected values are the examples of Kubernetes'
 * apiserver/pkg/cel/library/lists.go doc comment and the cases of its
 * lists_test.go ("min called on empty list", sums of ints, doubles and
 * durations), and cel-go's checked arithmetic ("integer overflow"). */
#include <criterion/criterion.h>

#include "eval_helpers.h"

#define EXPECT(expr, want) EXPECT_IN(RP_PROFILE_KUBERNETES, expr, want)

#define EXPECT_EVAL_ERROR(expr, msg) EXPECT_ERROR_IN(RP_PROFILE_KUBERNETES, RP_EEVAL, expr, msg)

/* A list literal whose element type no overload takes is rejected when the
 * expression compiles, as Kubernetes' type checker does (apiextensions-apiserver
 * pkg/apiserver/schema/cel/validation_test.go TestValidationExpressions, "stdlib
 * list functions": "found no matching overload for 'sum' applied to
 * 'list(string).()'"). */
#define EXPECT_COMPILE_ERROR(expr, msg) EXPECT_ERROR_IN(RP_PROFILE_KUBERNETES, RP_ECHECK, expr, msg)

Test(k8s_lists, is_sorted)
{
    EXPECT("[1, 2, 3].isSorted()", "true");
    EXPECT("['a', 'b', 'b', 'c'].isSorted()", "true");
    EXPECT("[2.0, 1.0].isSorted()", "false");
    EXPECT("[1].isSorted()", "true");
    EXPECT("[].isSorted()", "true");
    EXPECT("[duration('1s'), duration('1m')].isSorted()", "true");
    EXPECT("[timestamp('2000-01-02T00:00:00Z'), timestamp('2000-01-01T00:00:00Z')].isSorted()",
           "false");
    EXPECT_COMPILE_ERROR("[[1], [2]].isSorted()", "found no matching overload for 'isSorted'");
}

Test(k8s_lists, sum)
{
    EXPECT("[1, 3].sum()", "4");
    EXPECT("[1.0, 3.0].sum()", "4.0");
    EXPECT("[1u, 3u].sum()", "4");
    EXPECT("[duration('1m'), duration('1s')].sum() == duration('1m1s')", "true");
    EXPECT("[].sum()", "0");
    EXPECT("[].sum() == 0", "true");
    EXPECT_EVAL_ERROR("[9223372036854775807, 1].sum()", "integer overflow");
    EXPECT_EVAL_ERROR("[18446744073709551615u, 1u].sum()", "unsigned integer overflow");
    EXPECT_COMPILE_ERROR("['a', 'b'].sum()", "found no matching overload for 'sum' applied to 'list(string).()'");
}

Test(k8s_lists, min_max)
{
    EXPECT("[1, 3].min()", "1");
    EXPECT("[1, 3].max()", "3");
    EXPECT("[1].min()", "1");
    EXPECT("([0] + []).min()", "0");
    EXPECT("['b', 'a', 'c'].min()", "\"a\"");
    EXPECT("['b', 'a', 'c'].max()", "\"c\"");
    EXPECT("[false, true].max()", "true");
    EXPECT("[duration('1m'), duration('1s')].min() == duration('1s')", "true");
    EXPECT_EVAL_ERROR("[].min()", "min called on empty list");
    EXPECT_EVAL_ERROR("[].max()", "max called on empty list");
    EXPECT_COMPILE_ERROR("[{}].max()", "found no matching overload for 'max'");
}

Test(k8s_lists, index_of)
{
    EXPECT("[1, 2, 2, 3].indexOf(2)", "1");
    EXPECT("['a', 'b', 'b', 'c'].lastIndexOf('b')", "2");
    EXPECT("[1.0].indexOf(1.1)", "-1");
    EXPECT("[].indexOf('string')", "-1");
    EXPECT("[].lastIndexOf(1)", "-1");
    /* CEL equality is heterogeneous over numbers */
    EXPECT("[1u, 2u].indexOf(2)", "1");
    EXPECT("[[1], [2]].lastIndexOf([2])", "1");
}

Test(k8s_lists, profiles)
{
    EXPECT_IN(RP_PROFILE_EXTENDED, "[3, 1].max()", "3");
    eval_result r = eval_in(RP_PROFILE_CEL, "[3, 1].max()", NULL);
    cr_assert_neq(r.rc, 0, "max() is not in the cel profile");
}
