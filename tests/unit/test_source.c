/* test_source.c -- positions and the rendering of diagnostics (source.c):
 * 1-based lines and code-point columns, and cel-go's snippet-and-caret
 * layout (common/error.go ToDisplayString): one '.' per code point before
 * the error, U+FF0E / U+FF3E under multi-byte characters, tabs as spaces.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"

static void locate(const char *text, uint32_t off, unsigned line, unsigned col)
{
    unsigned l = 0, c = 0;
    rpi_source_locate(text, strlen(text), off, &l, &c);
    cr_expect_eq(l, line, "'%s' @%u: line %u, want %u", text, off, l, line);
    cr_expect_eq(c, col, "'%s' @%u: column %u, want %u", text, off, c, col);
}

Test(source, locate)
{
    locate("abc", 0, 1, 1);
    locate("abc", 2, 1, 3);
    locate("abc", 3, 1, 4);                 /* the end of the text */
    locate("abc", 99, 1, 4);                /* clamped */
    locate("a\nbc", 2, 2, 1);
    locate("a\nbc", 3, 2, 2);
    locate("a\n\nb", 3, 3, 1);
    locate("\xc3\xa9x", 2, 1, 2);           /* é is one code point */
    locate("\xf0\x9f\x98\x80 + x", 7, 1, 5);
    locate("\tx", 1, 1, 2);                 /* a tab is one column */
    locate("", 0, 1, 1);
}

static void report(const char *text, uint32_t start, const char *msg, const char *want)
{
    rpi_diag d = {RP_ESYNTAX, {start, start + 1}, true, ""};
    snprintf(d.message, sizeof d.message, "%s", msg);
    rp_error err = {0};
    rpi_source_report(&err, "<expression>", text, strlen(text), &d);
    cr_expect_eq(err.code, RP_ESYNTAX);
    cr_expect_str_eq(err.message, want, "\n--- got:\n%s\n--- want:\n%s", err.message, want);
}

Test(source, cel_go_layout)
{
    report("size(x) + \"a\"", 8, "found no matching overload for '_+_' applied to '(int, string)'",
           "<expression>:1:9: found no matching overload for '_+_' applied to '(int, string)'\n"
           " | size(x) + \"a\"\n"
           " | ........^");
    report("x", 0, "boom", "<expression>:1:1: boom\n | x\n | ^");
    report("ab", 2, "end", "<expression>:1:3: end\n | ab\n | ..^");
}

Test(source, second_line)
{
    report("1 + 2\n3 +", 6, "m", "<expression>:2:1: m\n | 3 +\n | ^");
    report("a &&\r\n  b c", 10, "m", "<expression>:2:5: m\n |   b c\n | ....^");
}

/* cel-go: a wide dot for each multi-byte character before the error, a
 * wide caret under a multi-byte character. */
Test(source, wide_characters)
{
    report("'\xc3\xa9' + $", 7, "m",
           "<expression>:1:7: m\n | '\xc3\xa9' + $\n | .\xef\xbc\x8e....^");
    report("'a' + \xe2\x82\xac", 6, "m",
           "<expression>:1:7: m\n | 'a' + \xe2\x82\xac\n | ......\xef\xbc\xbe");
}

Test(source, tabs_and_controls)
{
    report("\tx + @", 5, "m", "<expression>:1:6: m\n |  x + @\n | .....^");
    rpi_diag d = {RP_ESYNTAX, {3, 4}, true, "m"};
    rp_error err = {0};
    rpi_source_report(&err, "<expression>", "1 +\0 2", 6, &d);
    cr_expect_str_eq(err.message, "<expression>:1:4: m\n | 1 +\xef\xbf\xbd 2\n | ...^");
    d.span = (rpi_span){2, 3};
    rp_error e2 = {0};
    rpi_source_report(&e2, "<expression>", "'a\xff'", 4, &d);
    cr_expect_str_eq(e2.message, "<expression>:1:3: m\n | 'a\xef\xbf\xbd'\n | ..^");
}

Test(source, fields_and_source_name)
{
    rpi_diag d = {RP_ELIMIT, {4, 5}, true, "limit"};
    rp_error err = {0};
    rpi_source_report(&err, "policy.yaml", "a +\n bc", 7, &d);
    cr_expect_eq(err.code, RP_ELIMIT);
    cr_expect_eq(err.line, 2);
    cr_expect_eq(err.column, 1);
    cr_expect_str_eq(err.source, "policy.yaml");
    cr_expect_str_eq(err.message, "policy.yaml:2:1: limit\n |  bc\n | ^");

    rp_error e2 = {0};
    rpi_source_report(&e2, NULL, "x", 1, &d);
    cr_expect_str_eq(e2.source, "<expression>");
}

Test(source, without_a_span)
{
    rpi_diag d = {RP_ENOMEM, {0, 0}, false, "out of memory"};
    rp_error err = {0};
    rpi_source_report(&err, "<expression>", "x", 1, &d);
    cr_expect_eq(err.code, RP_ENOMEM);
    cr_expect_eq(err.line, 0);
    cr_expect_eq(err.column, 0);
    cr_expect_str_eq(err.message, "out of memory");
}

Test(source, first_error_wins)
{
    rpi_diag d1 = {RP_ESYNTAX, {0, 1}, true, "first"};
    rpi_diag d2 = {RP_ECHECK, {0, 1}, true, "second"};
    rp_error err = {0};
    rpi_source_report(&err, "<expression>", "x", 1, &d1);
    rpi_source_report(&err, "<expression>", "x", 1, &d2);
    cr_expect_eq(err.code, RP_ESYNTAX);
    cr_expect(strstr(err.message, "first") != NULL);
    rpi_source_report(NULL, "<expression>", "x", 1, &d1);   /* no ERR: nothing happens */
}

/* A line too long for rp_error's message is shown as a window around the
 * error, cut with "...", the caret still under the error. */
Test(source, long_lines)
{
    char text[3000];
    memset(text, 'a', sizeof text);
    memcpy(text + 1500, "$", 1);
    rpi_diag d = {RP_ESYNTAX, {1500, 1501}, true, "unexpected character '$'"};
    rp_error err = {0};
    rpi_source_report(&err, "<expression>", text, sizeof text, &d);
    cr_expect_eq(err.column, 1501);
    const char *snip = strstr(err.message, "\n | ...");
    cr_assert_not_null(snip, "%s", err.message);
    const char *dots = strstr(snip + 1, "\n | ...");
    cr_assert_not_null(dots, "%s", err.message);
    size_t caret = strlen(dots + 4) - 1;                /* columns before the '^' */
    cr_expect_eq(dots[4 + caret], '^');
    cr_expect_eq(snip[4 + caret], '$', "caret is not under the error:\n%s", err.message);
    cr_expect(strstr(snip + 4, "...\n") != NULL, "the right side is not cut:\n%s", err.message);
    cr_expect_lt(strlen(err.message), sizeof err.message);

    /* Near the start: no left cut. */
    rpi_diag d0 = {RP_ESYNTAX, {3, 4}, true, "m"};
    rp_error e0 = {0};
    rpi_source_report(&e0, "<expression>", text, sizeof text, &d0);
    cr_expect(strstr(e0.message, "\n | aaa") != NULL, "%s", e0.message);
    cr_expect(strstr(e0.message, "\n | ...^") != NULL, "%s", e0.message);
}

Test(source, long_lines_of_wide_characters)
{
    char text[3 * 600 + 1];
    for (int i = 0; i < 600; i++)
        memcpy(text + 3 * i, "\xe2\x82\xac", 3);
    text[sizeof text - 1] = '\0';
    rpi_diag d = {RP_ESYNTAX, {900, 903}, true, "m"};
    rp_error err = {0};
    rpi_source_report(&err, "<expression>", text, strlen(text), &d);
    cr_expect_eq(err.column, 301);
    cr_expect(strstr(err.message, "\xef\xbc\xbe") != NULL, "%s", err.message);
    cr_expect_lt(strlen(err.message), sizeof err.message);
}
