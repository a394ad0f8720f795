/* test_lists_ext.c -- cel-go's list extension (lib/lists_ext.c) through the
 * public API.  Expected values are the examples and error texts of cel-go
 * ext/lists.go (its doc comment and its slice/flatten/genRange/
 * sortListByAssociatedKeys functions) and ext/lists_test.go. */
#include <criterion/criterion.h>

#include "eval_helpers.h"

#define EXPECT(expr, want) EXPECT_IN(RP_PROFILE_EXTENDED, expr, want)

/* An evaluation error whose message contains MSG. */
#define EXPECT_EVAL_ERROR(expr, msg) EXPECT_ERROR_IN(RP_PROFILE_EXTENDED, RP_EEVAL, expr, msg)

Test(lists_ext, range)
{
    EXPECT("lists.range(5)", "[0,1,2,3,4]");
    EXPECT("lists.range(0)", "[]");
    EXPECT_EVAL_ERROR("lists.range(-1)", "lists.range: size must be non-negative, got -1");
}

Test(lists_ext, slice)
{
    EXPECT("[1,2,3,4].slice(1, 3)", "[2,3]");
    EXPECT("[1,2,3,4].slice(2, 4)", "[3,4]");
    EXPECT("[1,2,3,4].slice(0, 0)", "[]");
    EXPECT_EVAL_ERROR("[1,2,3,4].slice(3, 0)",
                      "cannot slice(3, 0), start index must be less than or equal to end index");
    EXPECT_EVAL_ERROR("[1,2,3,4].slice(0, 10)", "cannot slice(0, 10), list is length 4");
    EXPECT_EVAL_ERROR("[1,2,3,4].slice(-5, 10)",
                      "cannot slice(-5, 10), negative indexes not supported");
}

Test(lists_ext, flatten)
{
    EXPECT("[1,[2,3],[4]].flatten()", "[1,2,3,4]");
    EXPECT("[1,[2,[3,4]]].flatten()", "[1,2,[3,4]]");
    EXPECT("[1,2,[],[],[3,4]].flatten()", "[1,2,3,4]");
    EXPECT("[1,[2,[3,[4]]]].flatten(2)", "[1,2,3,[4]]");
    EXPECT("[1,[2,[3,[4]]]].flatten(0)", "[1,[2,[3,[4]]]]");
    EXPECT_EVAL_ERROR("[1,[2,[3,[4]]]].flatten(-1)", "level must be non-negative");
}

Test(lists_ext, distinct)
{
    EXPECT("[1, 2, 2, 3, 3, 3].distinct()", "[1,2,3]");
    EXPECT("[\"b\", \"b\", \"c\", \"a\", \"c\"].distinct()", "[\"b\",\"c\",\"a\"]");
    EXPECT("[1, \"b\", 2, \"b\"].distinct()", "[1,\"b\",2]");
    /* heterogeneous equality: 1 == 1.0 == 1u */
    EXPECT("[1, 1.0, 1u, 2].distinct()", "[1,2]");
    EXPECT("[].distinct()", "[]");
}

Test(lists_ext, reverse)
{
    EXPECT("[5, 3, 1, 2].reverse()", "[2,1,3,5]");
    EXPECT("[].reverse()", "[]");
}

Test(lists_ext, sort)
{
    EXPECT("[3, 2, 1].sort()", "[1,2,3]");
    EXPECT("[\"b\", \"c\", \"a\"].sort()", "[\"a\",\"b\",\"c\"]");
    EXPECT("[2.5, -1.0].sort()", "[-1.0,2.5]");
    EXPECT("[true, false].sort()", "[false,true]");
    EXPECT("[].sort()", "[]");
    EXPECT_EVAL_ERROR("[1, \"b\"].sort()", "list elements must have the same type");
    EXPECT_EVAL_ERROR("[[1, 2, 3]].sort()", "list elements must be comparable");
}

/* The doc comment's Player example with maps; the key list is made by the
 * sortBy macro and passed to @sortByAssociatedKeys. */
Test(lists_ext, sort_by)
{
    EXPECT("[{'name': 'foo', 'score': 0}, {'name': 'bar', 'score': -10},"
           " {'name': 'baz', 'score': 1000}].sortBy(e, e.score).map(e, e.name)",
           "[\"bar\",\"foo\",\"baz\"]");
    EXPECT("[3, 1, 2].sortBy(x, -x)", "[3,2,1]");
    EXPECT("[].sortBy(x, x)", "[]");
    EXPECT_EVAL_ERROR("[1, 2].sortBy(x, x == 1 ? 'a' : 1)",
                      "list elements must have the same type");
    EXPECT_EVAL_ERROR("[1].sortBy(x, [x])", "list elements must be comparable");
}

Test(lists_ext, profiles)
{
    EXPECT_IN(RP_PROFILE_KUBERNETES, "[2, 1].sort()", "[1,2]");
    eval_result r = eval_in(RP_PROFILE_CEL, "[2, 1].sort()", NULL);
    cr_assert_neq(r.rc, 0, "sort() is not in the cel profile");
}
