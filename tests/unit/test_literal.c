/* test_literal.c -- literal values (literal.c): every escape of cel-spec's
 * ESCAPE production, raw strings, bytes, newline normalization, the errors
 * with cel-go's wording (parser/unescape.go), and int, uint and double
 * numbers with their ranges, independent of the host's locale.
 *
 * Expected values follow cel-go's unescape_test.go and the conformance
 * vectors (parse.json string_literals / bytes_literals).
 */
#include <criterion/criterion.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

static rpi_pool *pool;

static void setup(void)
{
    pool = rpi_pool_new();
    cr_assert_not_null(pool);
}

static void teardown(void)
{
    rpi_pool_free(pool);
}

TestSuite(literal, .init = setup, .fini = teardown);

/* BODY (LEN bytes) decodes to WANT (WANT_LEN bytes). */
static void decodes_n(const char *body, size_t len, bool raw, bool bytes, const char *want,
                      size_t want_len)
{
    size_t out_len = 0, bad = 0;
    const char *msg = NULL;
    char *got = rpi_literal_string(pool, body, len, raw, bytes, &out_len, &bad, &msg);
    cr_assert_not_null(got, "'%s': %s at %zu", body, msg ? msg : "(oom)", bad);
    cr_expect_eq(out_len, want_len, "'%s': %zu bytes, want %zu", body, out_len, want_len);
    cr_expect(memcmp(got, want, want_len) == 0, "'%s' decoded to '%.*s'", body, (int)out_len,
              got);
    cr_expect_eq(got[out_len], '\0');
}

static void decodes(const char *body, bool raw, bool bytes, const char *want)
{
    decodes_n(body, strlen(body), raw, bytes, want, strlen(want));
}

static void rejects(const char *body, bool bytes, size_t at, const char *want_msg)
{
    size_t out_len = 0, bad = 99;
    const char *msg = NULL;
    char *got = rpi_literal_string(pool, body, strlen(body), false, bytes, &out_len, &bad, &msg);
    cr_expect_null(got, "'%s' decoded", body);
    cr_assert_not_null(msg, "'%s': no message", body);
    cr_expect_str_eq(msg, want_msg, "'%s'", body);
    cr_expect_eq(bad, at, "'%s': error at %zu, want %zu", body, bad, at);
}

Test(literal, simple_escapes)
{
    decodes("\\a\\b\\f\\n\\r\\t\\v", false, false, "\a\b\f\n\r\t\v");
    decodes("\\\\ \\' \\\" \\` \\?", false, false, "\\ ' \" ` ?");
    decodes("plain text", false, false, "plain text");
    decodes("", false, false, "");
}

Test(literal, numeric_escapes_in_strings)
{
    /* In strings, \x and octal escapes are code points written as UTF-8. */
    decodes("\\x41\\X42", false, false, "AB");
    decodes("\\xFF", false, false, "\xc3\xbf");
    decodes("\\xC3\\XBF", false, false, "\xc3\x83\xc2\xbf");
    decodes("\\303\\277", false, false, "\xc3\x83\xc2\xbf");
    decodes_n("\\101\\000", 8, false, false, "A\0", 2);
    decodes_n("a\\000b", 6, false, false, "a\0b", 3);
    decodes("\\u263A", false, false, "\xe2\x98\xba");
    decodes("\\u00e9\\u00E9", false, false, "\xc3\xa9\xc3\xa9");
    decodes("\\U0001F600", false, false, "\xf0\x9f\x98\x80");
    decodes("\\U0010FFFF", false, false, "\xf4\x8f\xbf\xbf");
    decodes("\\U00088888", false, false, "\xf2\x88\xa2\x88");  /* unassigned is fine */
    decodes_n("\\u0000", 6, false, false, "\0", 1);
}

Test(literal, numeric_escapes_in_bytes)
{
    /* In bytes, \x and octal escapes are single bytes. */
    decodes_n("\\xff\\x00\\377\\000", 16, false, true, "\xff\0\xff\0", 4);
    decodes("\\x4a\\x4B\\X4c\\X4D", false, true, "JKLM");
    decodes("\xc3\xa9", false, true, "\xc3\xa9");         /* text stays UTF-8 */
    rejects("\\u00ff", true, 0, "unable to unescape string");
    rejects("ab\\U000000ff", true, 2, "unable to unescape string");
}

Test(literal, raw)
{
    decodes("\\d+\\n\\x41", true, false, "\\d+\\n\\x41");
    decodes("\\", true, false, "\\");
    decodes("\\u0000", true, true, "\\u0000");
}

Test(literal, newlines_are_normalized)
{
    decodes("a\r\nb\rc\nd", false, false, "a\nb\nc\nd");
    decodes("a\r\nb", true, false, "a\nb");
    decodes("\\r\\n", false, false, "\r\n");              /* escapes stay */
}

Test(literal, errors)
{
    rejects("\\udead", false, 0, "invalid unicode code point");
    rejects("ab\\uD800", false, 2, "invalid unicode code point");
    rejects("\\U00110000", false, 0, "invalid unicode code point");
    rejects("\\UFFFFFFFF", false, 0, "invalid unicode code point");
    rejects("\\xFh", false, 0, "unable to unescape string");
    rejects("\\x4", false, 0, "unable to unescape string");
    rejects("\\u12", false, 0, "unable to unescape string");
    rejects("x\\>", false, 1, "unable to unescape string");
    rejects("\\400", false, 0, "unable to unescape string");
    rejects("\\8", false, 0, "unable to unescape string");
    rejects("\\09", false, 0, "unable to unescape octal sequence in string");
    rejects("\\1", false, 0, "unable to unescape octal sequence in string");
    rejects("abc\\", false, 3, "unable to unescape string, found '\\' as last character");
}

Test(literal, ints)
{
    int64_t i = 0;
    cr_expect_eq(rpi_literal_int("0", 1, false, &i), 0);
    cr_expect_eq(i, 0);
    cr_expect_eq(rpi_literal_int("42", 2, false, &i), 0);
    cr_expect_eq(i, 42);
    cr_expect_eq(rpi_literal_int("007", 3, false, &i), 0);
    cr_expect_eq(i, 7);
    cr_expect_eq(rpi_literal_int("0x1F", 4, false, &i), 0);
    cr_expect_eq(i, 31);
    cr_expect_eq(rpi_literal_int("0xabcDEF", 8, false, &i), 0);
    cr_expect_eq(i, 0xabcdef);
    cr_expect_eq(rpi_literal_int("9223372036854775807", 19, false, &i), 0);
    cr_expect_eq(i, INT64_MAX);
    cr_expect_eq(rpi_literal_int("9223372036854775808", 19, false, &i), -1);
    cr_expect_eq(rpi_literal_int("9223372036854775808", 19, true, &i), 0);
    cr_expect_eq(i, INT64_MIN);
    cr_expect_eq(rpi_literal_int("-9223372036854775808", 20, false, &i), 0);
    cr_expect_eq(i, INT64_MIN);
    cr_expect_eq(rpi_literal_int("9223372036854775809", 19, true, &i), -1);
    cr_expect_eq(rpi_literal_int("0x8000000000000000", 18, true, &i), 0);
    cr_expect_eq(i, INT64_MIN);
    cr_expect_eq(rpi_literal_int("0x8000000000000000", 18, false, &i), -1);
    cr_expect_eq(rpi_literal_int("5", 1, true, &i), 0);
    cr_expect_eq(i, -5);
    cr_expect_eq(rpi_literal_int("99999999999999999999999", 23, false, &i), -1);
    cr_expect_eq(rpi_literal_int("", 0, false, &i), -1);
    cr_expect_eq(rpi_literal_int("0x", 2, false, &i), -1);
    cr_expect_eq(rpi_literal_int("12a", 3, false, &i), -1);
    cr_expect_eq(rpi_literal_int("123", 2, false, &i), 0);   /* LEN bounds the text */
    cr_expect_eq(i, 12);
}

Test(literal, uints)
{
    uint64_t u = 0;
    cr_expect_eq(rpi_literal_uint("0", 1, &u), 0);
    cr_expect_eq(u, 0);
    cr_expect_eq(rpi_literal_uint("18446744073709551615", 20, &u), 0);
    cr_expect_eq(u, UINT64_MAX);
    cr_expect_eq(rpi_literal_uint("18446744073709551616", 20, &u), -1);
    cr_expect_eq(rpi_literal_uint("0xFFFFFFFFFFFFFFFF", 18, &u), 0);
    cr_expect_eq(u, UINT64_MAX);
    cr_expect_eq(rpi_literal_uint("0xFFFFFFFFFFFFFFFFF", 19, &u), -1);
    cr_expect_eq(rpi_literal_uint("0x1F", 4, &u), 0);
    cr_expect_eq(u, 31);
    cr_expect_eq(rpi_literal_uint("-1", 2, &u), -1);
}

Test(literal, doubles)
{
    double d = 0;
    cr_expect_eq(rpi_literal_double("1.5", 3, &d), 0);
    cr_expect_eq(d, 1.5);
    cr_expect_eq(rpi_literal_double(".5", 2, &d), 0);
    cr_expect_eq(d, 0.5);
    cr_expect_eq(rpi_literal_double("1e3", 3, &d), 0);
    cr_expect_eq(d, 1000.0);
    cr_expect_eq(rpi_literal_double("1.5E-3", 6, &d), 0);
    cr_expect_eq(d, 0.0015);
    cr_expect_eq(rpi_literal_double("-2.5", 4, &d), 0);
    cr_expect_eq(d, -2.5);
    cr_expect_eq(rpi_literal_double("0.1", 3, &d), 0);
    cr_expect_eq(d, 0.1);
    cr_expect_eq(rpi_literal_double("1.7976931348623157e308", 22, &d), 0);
    cr_expect_eq(d, 1.7976931348623157e308);
    /* Overflow is an error (cel-go: "invalid double literal"); underflow is 0. */
    cr_expect_eq(rpi_literal_double("1.99e90000009", 13, &d), -1);
    cr_expect_eq(rpi_literal_double("1e-400", 6, &d), 0);
    cr_expect_eq(d, 0.0);
    /* Only CEL's FLOAT_LIT: no hex floats, inf, nan, or stray text. */
    cr_expect_eq(rpi_literal_double("0x1p3", 5, &d), -1);
    cr_expect_eq(rpi_literal_double("inf", 3, &d), -1);
    cr_expect_eq(rpi_literal_double("nan", 3, &d), -1);
    cr_expect_eq(rpi_literal_double("1.", 2, &d), -1);
    cr_expect_eq(rpi_literal_double("1e", 2, &d), -1);
    cr_expect_eq(rpi_literal_double("", 0, &d), -1);
    cr_expect_eq(rpi_literal_double("1.5x", 4, &d), -1);
    cr_expect_eq(rpi_literal_double("2.25", 3, &d), 0);       /* LEN bounds the text */
    cr_expect_eq(d, 2.2);
}

Test(literal, long_double_text)
{
    char text[400];
    memset(text, '0', sizeof text);
    text[0] = '1';
    text[1] = '.';
    double d = 0;
    cr_expect_eq(rpi_literal_double(text, sizeof text, &d), 0);
    cr_expect_eq(d, 1.0);
}

/* A host program's LC_NUMERIC must not change how "1.5" reads.  The test
 * switches to a comma-decimal locale when one is installed. */
Test(literal, doubles_ignore_the_locale)
{
    static const char *locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "C.UTF-8"};
    const char *set = NULL;
    for (size_t i = 0; i < sizeof locales / sizeof locales[0] && !set; i++)
        set = setlocale(LC_NUMERIC, locales[i]);
    double d = 0;
    cr_expect_eq(rpi_literal_double("1.5", 3, &d), 0);
    cr_expect_eq(d, 1.5);
    cr_expect_eq(rpi_literal_double("1,5", 3, &d), -1);
    setlocale(LC_NUMERIC, "C");
}
