/* test_comprehensions.c -- cel.@mapInsert (lib/comprehensions.c), the
 * helper of the transformMap and transformMapEntry macros, through the
 * public API.  Expected values are cel-spec's macros2 conformance vectors
 * (tests/simple/testdata/macros2.textproto) and cel-go ext/
 * comprehensions_test.go; the repeated-key error is cel-go's
 * types.InsertMapKeyValue ("insert failed: key %v already exists"). */
#include <criterion/criterion.h>

#include "eval_helpers.h"

#define EXPECT(expr, want) EXPECT_IN(RP_PROFILE_EXTENDED, expr, want)

#define EXPECT_EVAL_ERROR(expr, msg) EXPECT_ERROR_IN(RP_PROFILE_EXTENDED, RP_EEVAL, expr, msg)

Test(comprehensions, transform_map)
{
    EXPECT("{}.transformMap(k, v, k + v)", "{}");
    EXPECT("{'foo': 'bar'}.transformMap(k, v, k + v)", "{\"foo\":\"foobar\"}");
    EXPECT("{'foo': 'bar', 'baz': 'bux', 'hello': 'world'}.transformMap(k, v, k + v)",
           "{\"foo\":\"foobar\",\"baz\":\"bazbux\",\"hello\":\"helloworld\"}");
    EXPECT("{'foo': 'bar', 'baz': 'bux', 'hello': 'world'}"
           ".transformMap(k, v, k != 'baz' && v != 'bux', k + v)",
           "{\"foo\":\"foobar\",\"hello\":\"helloworld\"}");
    EXPECT("[1, 2, 3].transformMap(i, v, v * 2)", "{\"0\":2,\"1\":4,\"2\":6}");
    EXPECT_EVAL_ERROR("{'foo': 2, 'bar': 1, 'baz': 0}.transformMap(k, v, 4 / v)",
                      "division by zero");
}

Test(comprehensions, transform_map_entry)
{
    EXPECT("{'greeting': 'hello'}.transformMapEntry(k, v, {v: k})", "{\"hello\":\"greeting\"}");
    EXPECT("[1, 2].transformMapEntry(i, v, {string(v): i})", "{\"1\":0,\"2\":1}");
    EXPECT("{'a': 1, 'b': 2}.transformMapEntry(k, v, v > 1, {k + k: v})", "{\"bb\":2}");
    EXPECT("{'a': 1}.transformMapEntry(k, v, {})", "{}");
    EXPECT_EVAL_ERROR("{'a': 1, 'b': 2}.transformMapEntry(k, v, {'x': v})",
                      "insert failed: key x already exists");
    EXPECT_EVAL_ERROR("[1, 1].transformMapEntry(i, v, {v: i})",
                      "insert failed: key 1 already exists");
}

/* Past the first allocation of the accumulator (8 entries): values and
 * the repeated-key check survive growth; 1 and 1u are the same key. */
Test(comprehensions, large_maps)
{
    EXPECT("size(lists.range(1000).transformMap(i, v, v * v))", "1000");
    EXPECT("lists.range(1000).transformMap(i, v, v * v)[999]", "998001");
    EXPECT("lists.range(100).transformMapEntry(i, v, {string(v): v})['42']", "42");
    EXPECT_EVAL_ERROR("lists.range(100).transformMapEntry(i, v, {v % 50: v})",
                      "insert failed: key 0 already exists");
    EXPECT_EVAL_ERROR("[1, 1u].transformMapEntry(i, v, {v: i})",
                      "insert failed: key 1 already exists");
    EXPECT("{'a': 1, 'b': 2}.transformMapEntry(k, v, {k: v, k + k: v * 2})",
           "{\"a\":1,\"aa\":2,\"b\":2,\"bb\":4}");
}

Test(comprehensions, profiles)
{
    EXPECT_IN(RP_PROFILE_KUBERNETES, "{'a': 1}.transformMap(k, v, v + 1)", "{\"a\":2}");
}
