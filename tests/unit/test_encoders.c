/* test_encoders.c -- base64.encode / base64.decode through the public API;
 * cases from cel-go's ext/encoders_test.go and RFC 4648 section 10. */
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

Test(encoders, encode)
{
    expect("base64.encode(b'hello') == 'aGVsbG8='", "true");
    /* RFC 4648 test vectors */
    expect("base64.encode(b'')", "\"\"");
    expect("base64.encode(b'f')", "\"Zg==\"");
    expect("base64.encode(b'fo')", "\"Zm8=\"");
    expect("base64.encode(b'foo')", "\"Zm9v\"");
    expect("base64.encode(b'foobar')", "\"Zm9vYmFy\"");
    expect("base64.encode(b'\\xff\\xfe')", "\"//4=\"");
}

Test(encoders, decode)
{
    expect("base64.decode('aGVsbG8=') == b'hello'", "true");
    expect("base64.decode('aGVsbG8') == b'hello'", "true");
    expect("base64.decode('Zm9vYg==') == b'foob'", "true");
    expect("base64.decode('Zm9vYmE') == b'fooba'", "true");
    expect("base64.decode('') == b''", "true");
    expect("base64.decode(base64.encode(b'\\x00\\x01\\xfe')) == b'\\x00\\x01\\xfe'", "true");
}

Test(encoders, errors)
{
    expect_error("base64.decode('aGV$bG8=')", "illegal base64 data at input byte 3");
    expect_error("base64.decode('aGVsbG8=x')", "illegal base64 data");
    expect_error("base64.decode(dyn(b'aGVsbG8='))", "no such overload");
    expect_error("base64.encode(dyn('hello'))", "no such overload");
}

Test(encoders, only_extended)
{
    eval_result r = eval_in(RP_PROFILE_KUBERNETES, "base64.encode(b'hello')", NULL);
    cr_assert_neq(r.rc, 0);
}
