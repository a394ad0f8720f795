/* test_strings_ext.c -- the strings extension through the public API.
 * Expected values come from cel-go's ext/strings_test.go and
 * ext/formatting_v2_test.go (cited per test), and from the conformance
 * vectors (tests/conformance/vectors/string_ext.json) where cel-go's newer
 * behaviour differs from what the vectors pin down. */
#include <criterion/criterion.h>
#include <string.h>

#include "eval_helpers.h"

static eval_result ext(const char *expr) { return eval_in(RP_PROFILE_EXTENDED, expr, NULL); }

/* EXPR evaluates to the JSON text WANT in the extended profile. */
static void expect(const char *expr, const char *want)
{
    eval_result r = ext(expr);
    cr_assert_eq(r.rc, 0, "%s: rc %d (%s)", expr, r.rc, r.err.message);
    cr_assert_str_eq(r.json, want, "%s", expr);
}

/* EXPR fails with a message containing WANT. */
static void expect_error(const char *expr, const char *want)
{
    eval_result r = ext(expr);
    cr_assert_neq(r.rc, 0, "%s: expected an error, got %s", expr, r.json);
    cr_assert(strstr(r.err.message, want) != NULL, "%s: message '%s' lacks '%s'", expr,
              r.err.message, want);
}

/* strings_test.go: charAt */
Test(strings_ext, char_at)
{
    expect("'tacocat'.charAt(3)", "\"o\"");
    expect("'tacocat'.charAt(7)", "\"\"");
    expect("'\u00a9\u03b1T'.charAt(1)", "\"\u03b1\"");
    expect_error("'tacocat'.charAt(30)", "index out of range: 30");
}

/* strings_test.go: indexOf / lastIndexOf, code-point indexes */
Test(strings_ext, index_of)
{
    expect("'tacocat'.indexOf('')", "0");
    expect("'tacocat'.indexOf('ac')", "1");
    expect("'tacocat'.indexOf('none')", "-1");
    expect("'tacocat'.indexOf('', 3)", "3");
    expect("'tacocat'.indexOf('at', 3)", "5");
    expect("'ta\u00a9o\u00a9\u03b1T'.indexOf('\u00a9', 3)", "4");
    expect("'ta\u00a9o\u00a9\u03b1T'.indexOf('\u00a9\u03b1', 5)", "-1");
    expect("'hello wello'.indexOf('ello', 6)", "7");
    expect_error("'tacocat'.indexOf('', -1)", "index out of range: -1");
    /* string_ext.json value_errors/indexof_out_of_range */
    expect_error("'tacocat'.indexOf('a', 30)", "index out of range: 30");
}

Test(strings_ext, last_index_of)
{
    expect("''.lastIndexOf('@@')", "-1");
    expect("'tacocat'.lastIndexOf('')", "7");
    expect("'tacocat'.lastIndexOf('at')", "5");
    expect("'tacocat'.lastIndexOf('', 3)", "3");
    expect("'tacocat'.lastIndexOf('a', 3)", "1");
    expect("'ta\u00a9o\u00a9\u03b1T'.lastIndexOf('\u00a9')", "4");
    expect("'ta\u00a9o\u00a9\u03b1T'.lastIndexOf('\u00a9\u03b1', 4)", "4");
    expect("'hello wello'.lastIndexOf('ello', 6)", "1");
    expect("'hello wello'.lastIndexOf('hello wello')", "0");
    expect("'bananananana'.lastIndexOf('nana', 7)", "6");
    expect_error("'tacocat'.lastIndexOf('a', -1)", "index out of range: -1");
}

/* strings_test.go: lowerAscii / upperAscii leave non-ASCII alone */
Test(strings_ext, ascii_case)
{
    expect("'TacoC\u00c6t Xii'.lowerAscii()", "\"tacoc\u00c6t xii\"");
    expect("'tacoC\u03b1t'.upperAscii()", "\"TACOC\u03b1T\"");
}

/* strings_test.go: replace */
Test(strings_ext, replace)
{
    expect("'{0} days {0} hours'.replace('{0}', '2')", "\"2 days 2 hours\"");
    expect("'{0} days {0} hours'.replace('{0}', '2', 1)", "\"2 days {0} hours\"");
    expect("'1 \u00a9\u03b1T taco'.replace('\u03b1T', 'o\u00a9\u03b1')",
           "\"1 \u00a9o\u00a9\u03b1 taco\"");
    expect("'hello hello'.replace('', '_')", "\"_h_e_l_l_o_ _h_e_l_l_o_\"");
    expect("'hello hello'.replace('h', '')", "\"ello ello\"");
    expect("'abc'.replace('b', 'x', 0)", "\"abc\"");
}

/* strings_test.go: split (Go's strings.SplitN) */
Test(strings_ext, split)
{
    expect("'hello world'.split(' ')", "[\"hello\",\"world\"]");
    expect("'hello world events!'.split(' ', 0)", "[]");
    expect("'hello world events!'.split(' ', 1)", "[\"hello world events!\"]");
    expect("'o\u00a9o\u00a9o\u00a9o'.split('\u00a9', -1)", "[\"o\",\"o\",\"o\",\"o\"]");
    expect("'a\u00a9b'.split('')", "[\"a\",\"\u00a9\",\"b\"]");
}

/* strings_test.go: substring */
Test(strings_ext, substring)
{
    expect("'tacocat'.substring(4)", "\"cat\"");
    expect("'tacocat'.substring(7)", "\"\"");
    expect("'tacocat'.substring(0, 4)", "\"taco\"");
    expect("'ta\u00a9o\u00a9\u03b1T'.substring(2, 6)", "\"\u00a9o\u00a9\u03b1\"");
    expect_error("'tacocat'.substring(40)", "index out of range: 40");
    expect_error("'tacocat'.substring(1, 50)", "index out of range: 50");
    expect_error("'tacocat'.substring(4, 3)", "invalid substring range. start: 4, end: 3");
}

/* strings_test.go: trim is Go's strings.TrimSpace */
Test(strings_ext, trim)
{
    expect("' \\f\\n\\r\\t\\vtext  '.trim()", "\"text\"");
    expect("'\\u0085\\u00a0\\u1680text'.trim()", "\"text\"");
    expect("'\\u200atext\\u2028\\u2029\\u202F\\u205F\\u3000'.trim()", "\"text\"");
    expect("'\\u180etext\\u200b'.trim() == '\\u180etext\\u200b'", "true");
}

/* strings_test.go: reverse, join, quote */
Test(strings_ext, reverse_join_quote)
{
    expect("'palindromes'.reverse()", "\"semordnilap\"");
    expect("'\\u180e\\u200b\\u200c'.reverse() == '\\u200c\\u200b\\u180e'", "true");
    expect("['x', 'y'].join()", "\"xy\"");
    expect("['x', 'y'].join('-')", "\"x-y\"");
    expect("[].join('-')", "\"\"");
    expect("strings.quote('first\\nsecond') == '\"first\\\\nsecond\"'", "true");
    expect("strings.quote('mid string \" quote') == '\"mid string \\\\\" quote\"'", "true");
    expect("strings.quote('')", "\"\\\"\\\"\"");
}

/* Kubernetes has strings version 2: no reverse there. */
Test(strings_ext, reverse_only_extended)
{
    eval_result r = eval_in(RP_PROFILE_KUBERNETES, "'abc'.reverse()", NULL);
    cr_assert_neq(r.rc, 0);
    r = eval_in(RP_PROFILE_KUBERNETES, "'abc'.charAt(1)", NULL);
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.json, "\"b\"");
}

/* Errors for the wrong receiver or argument types. */
Test(strings_ext, type_errors)
{
    expect_error("dyn(42).charAt(2)", "no such overload");
    expect_error("'hello'.charAt(dyn(true))", "no such overload");
    expect_error("'42'.replace('2', dyn(1))", "no such overload");
}

/* formatting_v2_test.go */
Test(strings_ext, format_verbs)
{
    expect("'%% and also %%'.format([])", "\"% and also %\"");
    expect("'%%%s%%'.format(['text'])", "\"%text%\"");
    expect("'%.3f'.format([1.2345])", "\"1.234\"");
    expect("'%.3f + %.2f'.format([1, 1u])", "\"1.000 + 1.00\"");
    expect("'this is -5 in binary: %b'.format([-5])", "\"this is -5 in binary: -101\"");
    expect("'%b'.format([true])", "\"1\"");
    expect("'%o'.format([-11])", "\"-13\"");
    expect("'%x is -30 in hexadecimal'.format([-30])", "\"-1e is -30 in hexadecimal\"");
    expect("'%X'.format([uint(6000)])", "\"1770\"");
    expect("'%x'.format(['Hello world!'])", "\"48656c6c6f20776f726c6421\"");
    expect("'%x'.format([b'\\x00\\x00byte string\\x00'])", "\"00006279746520737472696e6700\"");
    expect("'%.6e'.format([1052.032911275])", "\"1.052033e+03\"");
    expect("'%.4e'.format([1052u])", "\"1.0520e+03\"");
    expect("'%f'.format([2.71828])", "\"2.718280\"");
    expect("'%e'.format([2.71828])", "\"2.718280e+00\"");
    expect("'%d'.format([uint(64)])", "\"64\"");
}

/* formatting_v2_test.go: %s of every kind */
Test(strings_ext, format_string_clause)
{
    expect("'%s'.format([2.71])", "\"2.71\"");
    expect("'%s'.format([0.000000002])", "\"0.000000002\"");
    expect("'%s'.format([[double('NaN'), double('+Infinity'), double('-Infinity')]])",
           "\"[NaN, Infinity, -Infinity]\"");
    expect("'null: %s'.format([null])", "\"null: null\"");
    expect("'some bytes: %s'.format([b'xyz'])", "\"some bytes: xyz\"");
    expect("'type is %s'.format([type('test string')])", "\"type is string\"");
    expect("'%s'.format([timestamp('2023-02-03T23:31:20+00:00')])", "\"2023-02-03T23:31:20Z\"");
    expect("'%s'.format([duration('1h45m47s')])", "\"6347s\"");
    expect("'%s'.format([duration('2ns')])", "\"0.000000002s\"");
    expect("'%s'.format([['abc', 3.14, null, [9, 8, 7, 6], timestamp('2023-02-03T23:31:20Z')]])",
           "\"[abc, 3.14, null, [9, 8, 7, 6], 2023-02-03T23:31:20Z]\"");
    expect("'%s'.format([{'strKey': 'x', 6: duration('422s'), true: 42}])",
           "\"{6: 422s, strKey: x, true: 42}\"");
    /* an empty map (fuzz_eval found the sort of no entry) */
    expect("'%s'.format([{}])", "\"{}\"");
    expect("'%s'.format([[{}, {'a': {}}]])", "\"[{}, {a: {}}]\"");
}

/* string_ext.json format_errors, with formatting_v2.go's wording */
Test(strings_ext, format_errors)
{
    expect_error("'%a'.format([1])",
                 "could not parse formatting clause: unrecognized formatting clause \"a\"");
    expect_error("'%d %d %d'.format([0, 1])", "index 2 out of range");
    expect_error("'%b'.format(['abc'])",
                 "error during formatting: only ints, uints, and bools can be formatted as "
                 "binary, was given string");
    expect_error("'%d'.format([duration('30m2s')])",
                 "decimal clause can only be used on ints, uints, and doubles, was given "
                 "google.protobuf.Duration");
    expect_error("'%o'.format([null])", "was given null_type");
    expect_error("'%E'.format([0.5])", "unrecognized formatting clause \"E\"");
    expect_error("'%.101f'.format([1.0])", "precision 101 exceeds maximum allowed precision 100");
}
