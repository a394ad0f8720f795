/* test_sets.c -- cel-go's sets extension (lib/sets.c) through the public
 * API.  The cases are those of cel-go ext/sets_test.go: duplicates and
 * order do not matter, numbers compare across int, uint and double, and
 * lists and maps compare deeply. */
#include <criterion/criterion.h>

#include "eval_helpers.h"

#define EXPECT_TRUE_IN(profile, expr)                                                      \
    do {                                                                                   \
        eval_result r_ = eval_in(profile, expr, NULL);                                     \
        cr_assert_eq(r_.rc, 0, "%s: rc %d: %s", expr, r_.rc, r_.err.message);              \
        cr_assert_str_eq(r_.json, "true", "%s", expr);                                     \
    } while (0)
#define EXPECT_TRUE(expr) EXPECT_TRUE_IN(RP_PROFILE_EXTENDED, expr)

Test(sets, contains)
{
    EXPECT_TRUE("sets.contains([], [])");
    EXPECT_TRUE("sets.contains([1], [])");
    EXPECT_TRUE("sets.contains([1], [1])");
    EXPECT_TRUE("sets.contains([1], [1, 1])");
    EXPECT_TRUE("sets.contains([1, 1], [1])");
    EXPECT_TRUE("sets.contains([2, 1], [1])");
    EXPECT_TRUE("sets.contains([1, 2, 3, 4], [2, 3])");
    EXPECT_TRUE("sets.contains([1], [1.0, 1])");
    EXPECT_TRUE("sets.contains([1, 2], [2u, 2.0])");
    EXPECT_TRUE("sets.contains([1, 2u], [2, 2.0])");
    EXPECT_TRUE("sets.contains([1, 2.0, 3u], [1.0, 2u, 3])");
    EXPECT_TRUE("sets.contains([[1], [2, 3]], [[2, 3.0]])");
    EXPECT_TRUE("sets.contains([{'a': 1}], [{'a': 1.0}])");
    EXPECT_TRUE("!sets.contains([1], [2])");
    EXPECT_TRUE("!sets.contains([1], [1, 2])");
    EXPECT_TRUE("!sets.contains([1], [\"1\", 1])");
    EXPECT_TRUE("!sets.contains([1], [1.1, 1u])");
}

Test(sets, equivalent)
{
    EXPECT_TRUE("sets.equivalent([], [])");
    EXPECT_TRUE("sets.equivalent([1], [1, 1])");
    EXPECT_TRUE("sets.equivalent([1], [1u, 1.0])");
    EXPECT_TRUE("sets.equivalent([1, 2, 3], [3u, 2.0, 1])");
    EXPECT_TRUE("sets.equivalent([[1.0], [2, 3]], [[1], [2, 3.0]])");
    EXPECT_TRUE("!sets.equivalent([2, 1], [1])");
    EXPECT_TRUE("!sets.equivalent([1], [1, 2])");
    EXPECT_TRUE("!sets.equivalent([1, 2], [2u, 2, 2.0])");
    EXPECT_TRUE("!sets.equivalent([1, 2], [1u, 2, 2.3])");
}

Test(sets, intersects)
{
    EXPECT_TRUE("sets.intersects([1], [1])");
    EXPECT_TRUE("sets.intersects([1], [1, 1])");
    EXPECT_TRUE("sets.intersects([1, 1], [1])");
    EXPECT_TRUE("sets.intersects([2, 1], [1])");
    EXPECT_TRUE("sets.intersects([1], [1, 2])");
    EXPECT_TRUE("sets.intersects([1], [1.0, 2])");
    EXPECT_TRUE("sets.intersects([1, 2], [2u, 2, 2.0])");
    EXPECT_TRUE("sets.intersects([1, 2], [1u, 2, 2.3])");
    EXPECT_TRUE("sets.intersects([[1], [2, 3]], [[1, 2], [2, 3.0]])");
    EXPECT_TRUE("!sets.intersects([], [])");
    EXPECT_TRUE("!sets.intersects([1], [])");
    EXPECT_TRUE("!sets.intersects([1], [2])");
    EXPECT_TRUE("!sets.intersects([1], [\"1\", 2])");
    EXPECT_TRUE("!sets.intersects([1], [1.1, 2u])");
}

Test(sets, profiles)
{
    EXPECT_TRUE_IN(RP_PROFILE_KUBERNETES, "sets.intersects([1], [1])");
    eval_result r = eval_in(RP_PROFILE_CEL, "sets.intersects([1], [1])", NULL);
    cr_assert_neq(r.rc, 0, "sets are not in the cel profile");
}
