/* test_math_ext.c -- the math extension through the public API; cases from
 * cel-go's ext/math_test.go and the conformance vectors (math_ext.json). */
#include <criterion/criterion.h>
#include <string.h>

#include "eval_helpers.h"

static void expect(const char *expr, const char *want)
{
    eval_result r = eval_in(RP_PROFILE_EXTENDED, expr, NULL);
    cr_assert_eq(r.rc, 0, "%s: rc %d (%s)", expr, r.rc, r.err.message);
    cr_assert_str_eq(r.json, want, "%s", expr);
}

static void expect_error(const char *expr, const char *want)
{
    eval_result r = eval_in(RP_PROFILE_EXTENDED, expr, NULL);
    cr_assert_neq(r.rc, 0, "%s: expected an error, got %s", expr, r.json);
    cr_assert(strstr(r.err.message, want) != NULL, "%s: message '%s' lacks '%s'", expr,
              r.err.message, want);
}

Test(math_ext, greatest_least)
{
    expect("math.greatest(-5)", "-5");
    expect("math.greatest(1, 1)", "1");
    expect("math.greatest(-2, 3u) == 3u", "true");
    expect("math.greatest(1, 2.5)", "2.5");
    expect("math.greatest([1, 2u, 3.5, -1])", "3.5");
    expect("math.least(1, -2.0)", "-2.0");
    expect("math.least([5u, 4, 3.0]) == 3.0", "true");
    expect("math.least(dyn([1, 2, 3]))", "1");
    /* ties keep the first argument (cel-go's maxPair / minPair) */
    expect("type(math.greatest(1, 1.0)) == int", "true");
}

Test(math_ext, greatest_least_errors)
{
    expect_error("math.greatest(dyn([]))", "math.@max(list) argument must not be empty");
    expect_error("math.least(dyn([]))", "math.@min(list) argument must not be empty");
    expect_error("math.least(dyn(['a', 'b']))", "no such overload: math.@min");
    expect_error("math.greatest([1, 0.0/0.0])", "NaN values cannot be ordered");
}

Test(math_ext, rounding)
{
    expect("math.ceil(1.2)", "2.0");
    expect("math.floor(-1.2)", "-2.0");
    expect("math.round(-1.5)", "-2.0");
    expect("math.round(1.5)", "2.0");
    expect("math.trunc(-1.7)", "-1.0");
    expect("math.isNaN(math.round(0.0/0.0))", "true");
    expect_error("math.ceil(dyn(1))", "no such overload");
}

Test(math_ext, abs_sign_sqrt)
{
    expect("math.abs(-1)", "1");
    expect("math.abs(-234.5)", "234.5");
    expect("math.abs(3u) == 3u", "true");
    expect_error("math.abs(-9223372036854775808)", "integer overflow");
    expect("math.sign(-42)", "-1");
    expect("math.sign(0.0)", "0.0");
    expect("math.sign(42u) == 1u", "true");
    expect("math.sqrt(49.0)", "7.0");
    expect("math.sqrt(25u)", "5.0");
    expect("math.sqrt(82) == 9.055385138137417", "true");
    expect("math.isNaN(math.sqrt(-15.34))", "true");
}

Test(math_ext, classify)
{
    expect("math.isInf(1.0/0.0)", "true");
    expect("math.isNaN(0.0/0.0)", "true");
    expect("math.isFinite(1.0)", "true");
    expect("math.isFinite(-1.0/0.0)", "false");
    expect_error("math.isNaN(dyn(true))", "no such overload");
}

Test(math_ext, bits)
{
    expect("math.bitAnd(3, 5)", "1");
    expect("math.bitAnd(3u, 5u) == 1u", "true");
    expect("math.bitOr(1, -2)", "-1");
    expect("math.bitXor(3, 5)", "6");
    expect("math.bitNot(0)", "-1");
    expect("math.bitNot(0u) == 18446744073709551615u", "true");
    expect("math.bitShiftLeft(1, 2)", "4");
    expect("math.bitShiftLeft(1, 200)", "0");
    expect("math.bitShiftLeft(-1, 200)", "0");
    expect("math.bitShiftRight(1024, 2)", "256");
    expect("math.bitShiftRight(-1024, 3)", "2305843009213693824");
    expect("math.bitShiftRight(-1024, 64)", "0");
    expect("math.bitShiftRight(1024u, 64) == 0u", "true");
    expect_error("math.bitShiftLeft(1u, -1)", "math.bitShiftLeft() negative offset: -1");
    expect_error("math.bitShiftRight(1, -2)", "math.bitShiftRight() negative offset: -2");
    expect_error("math.bitAnd(2u, dyn(''))", "no such overload");
}
