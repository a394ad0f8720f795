/* test_error.c -- error codes and messages: rp_strerror for every code,
 * rp_error's "first error wins" and truncation, compile diagnostics, the
 * version functions, and the CEL error values in cel-go's wording
 * (common/types/err.go, decls.MaybeNoSuchOverload). */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"

Test(error, every_code_has_a_message)
{
    for (int code = 0; code > -RP__ECOUNT; code--) {
        const char *s = rp_strerror(code);
        cr_assert_not_null(s);
        cr_expect_gt(strlen(s), 0, "code %d", code);
        cr_expect_str_neq(s, "unknown error", "code %d", code);
    }
    cr_expect_str_eq(rp_strerror(RP_OK), "success");
    cr_expect_str_eq(rp_strerror(RP_ESYNTAX), "syntax error");
    cr_expect_str_eq(rp_strerror(-RP__ECOUNT), "unknown error");
    cr_expect_str_eq(rp_strerror(1), "unknown error");
    cr_expect_str_eq(rp_strerror(-1000), "unknown error");
}

Test(error, first_error_wins)
{
    rp_error err;
    rpi_error_clear(&err);
    cr_expect_eq(err.code, 0);
    rpi_error_set(&err, RP_ESYNTAX, "<expression>", 1, 9, "unexpected %s", "')'");
    rpi_error_set(&err, RP_ENOMEM, "other", 2, 2, "out of memory");
    cr_expect_eq(err.code, RP_ESYNTAX);
    cr_expect_eq(err.line, 1);
    cr_expect_eq(err.column, 9);
    cr_expect_str_eq(err.source, "<expression>");
    cr_expect_str_eq(err.message, "unexpected ')'");
    rpi_error_clear(&err);
    rpi_error_set(&err, RP_EIO, NULL, 0, 0, "x");
    cr_expect_str_eq(err.source, "");
    rpi_error_set(NULL, RP_EIO, "f", 0, 0, "ignored");
}

Test(error, long_messages_are_truncated)
{
    rp_error err;
    rpi_error_clear(&err);
    char big[2000];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rpi_error_set(&err, RP_EEVAL, big, 0, 0, "%s", big);
    cr_expect_eq(strlen(err.message), sizeof err.message - 1);
    cr_expect_eq(strlen(err.source), sizeof err.source - 1);
}

Test(error, diagnostics)
{
    rpi_diag d;
    memset(&d, 0, sizeof d);
    rpi_span span = {3, 7};
    rpi_diag_set(&d, RP_ECHECK, &span, "undeclared reference to '%s'", "x");
    cr_expect_eq(d.code, RP_ECHECK);
    cr_expect(d.has_span);
    cr_expect_eq(d.span.start, 3);
    cr_expect_eq(d.span.end, 7);
    cr_expect_str_eq(d.message, "undeclared reference to 'x'");
    rpi_diag_set(&d, RP_ENOMEM, NULL, "out of memory");
    cr_expect_not(d.has_span);
    cr_expect_eq(d.code, RP_ENOMEM);
    rpi_diag_set(NULL, RP_ENOMEM, NULL, "ignored");
}

Test(error, versions)
{
    cr_expect_str_eq(rp_version(), RP_VERSION_STRING);
    cr_expect_eq(rp_version_number(), RP_VERSION_NUMBER);
    rp_free(NULL);
}

static rpi_ctx cx;

static void setup(void)
{
    memset(&cx, 0, sizeof cx);
    cx.arena = rpi_arena_new(0);
}

static void teardown(void) { rpi_arena_free(cx.arena); }

static void expect_msg(val v, const char *want)
{
    cr_assert_eq(v.kind, VK_ERROR);
    cr_expect(v.aux == strlen(want) && memcmp(v.u.s, want, v.aux) == 0, "'%.*s' want '%s'",
              (int)v.aux, v.u.s, want);
    cr_expect_eq(v.flags, 0);   /* the VM stamps the position there */
}

Test(error, cel_error_values, .init = setup, .fini = teardown)
{
    expect_msg(rpi_err(&cx, "index %d", 3), "index 3");
    val args[2] = {val_int(1), val_string("a", 1)};
    expect_msg(rpi_err_no_overload(&cx, "_+_", args, 2), "no such overload: _+_(int, string)");
    expect_msg(rpi_err_no_overload(&cx, "size", args, 1), "no such overload: size(int)");
    expect_msg(rpi_err_no_such_key(&cx, val_string("name", 4)), "no such key: name");
    expect_msg(rpi_err_no_such_key(&cx, val_int(-3)), "no such key: -3");
    expect_msg(rpi_err_no_such_key(&cx, val_uint(3)), "no such key: 3");
    expect_msg(rpi_err_no_such_key(&cx, val_double(0.5)), "no such key: 0.5");
    expect_msg(rpi_err_no_such_key(&cx, val_bool(true)), "no such key: true");
    expect_msg(rpi_err_no_such_key(&cx, val_bytes("ab", 2)), "no such key: [97 98]");
    expect_msg(rpi_err_no_such_field(&cx, "spec", 4), "no such field: spec");
    cr_expect_eq(cx.limit_hit, 0);
    expect_msg(rpi_err_oom(&cx), "out of memory");
    cr_expect_eq(cx.limit_hit, 1);
}
