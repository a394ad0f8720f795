/* test_std_conversions.c -- int(), uint(), double(), string(), bytes(),
 * bool(), dyn() and type() as cel-spec defines them and cel-go implements
 * them: range checks ("integer overflow", "unsigned integer overflow"),
 * Go's strconv rules for text (ParseInt, ParseUint, ParseFloat,
 * ParseBool), Go's %g for string(double).  Cases come from the
 * conformance vectors (conversions.json) and the Go documentation. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "internal.h"

extern const rpi_library rpi_lib_std_conversions;

static rpi_ctx cx;

static void setup(void)
{
    memset(&cx, 0, sizeof cx);
    cx.arena = rpi_arena_new(0);
}

static void teardown(void) { rpi_arena_free(cx.arena); }

TestSuite(conv, .init = setup, .fini = teardown);

#define STR(lit) val_string((lit), (uint32_t)(sizeof(lit) - 1))

static val call(const char *name, val arg)
{
    for (size_t i = 0; i < rpi_lib_std_conversions.nfuncs; i++) {
        const rpi_func *f = &rpi_lib_std_conversions.funcs[i];
        if (strcmp(f->name, name) == 0) {
            cr_assert_eq(f->argc, 1);
            return f->impl(&cx, &arg, 1);
        }
    }
    cr_assert_fail("no function %s", name);
    return val_null();
}

static void expect_err(val v, const char *want)
{
    cr_assert_eq(v.kind, VK_ERROR, "expected the error '%s', got kind %d", want, v.kind);
    cr_expect(v.aux == strlen(want) && memcmp(v.u.s, want, v.aux) == 0,
              "error '%.*s', want '%s'", (int)v.aux, v.u.s, want);
}

static void expect_no_overload(val v)
{
    cr_assert_eq(v.kind, VK_ERROR);
    cr_expect(memcmp(v.u.s, "no such overload", 16) == 0, "%.*s", (int)v.aux, v.u.s);
}

static void expect_int(val v, int64_t want)
{
    cr_assert_eq(v.kind, VK_INT, "kind %d (%.*s)", v.kind, v.kind == VK_ERROR ? (int)v.aux : 0,
                 v.kind == VK_ERROR ? v.u.s : "");
    cr_expect_eq(v.u.i, want);
}

static void expect_uint(val v, uint64_t want)
{
    cr_assert_eq(v.kind, VK_UINT, "kind %d (%.*s)", v.kind, v.kind == VK_ERROR ? (int)v.aux : 0,
                 v.kind == VK_ERROR ? v.u.s : "");
    cr_expect_eq(v.u.u, want);
}

static void expect_double(val v, double want)
{
    cr_assert_eq(v.kind, VK_DOUBLE, "kind %d (%.*s)", v.kind, v.kind == VK_ERROR ? (int)v.aux : 0,
                 v.kind == VK_ERROR ? v.u.s : "");
    if (isnan(want))
        cr_expect(isnan(v.u.d));
    else
        cr_expect(v.u.d == want && signbit(v.u.d) == signbit(want), "%.17g want %.17g", v.u.d,
                  want);
}

static void expect_string(val v, const char *want)
{
    cr_assert_eq(v.kind, VK_STRING, "kind %d (%.*s)", v.kind,
                 v.kind == VK_ERROR ? (int)v.aux : 0, v.kind == VK_ERROR ? v.u.s : "");
    cr_expect(v.aux == strlen(want) && memcmp(v.u.s, want, v.aux) == 0, "'%.*s' want '%s'",
              (int)v.aux, v.u.s, want);
}

/* ---- int() ------------------------------------------------------------------------- */

Test(conv, int_from_numbers)
{
    expect_int(call("int", val_int(1)), 1);
    expect_int(call("int", val_uint(42)), 42);
    expect_int(call("int", val_uint(INT64_MAX)), INT64_MAX);
    expect_err(call("int", val_uint(UINT64_MAX)), "integer overflow");
    expect_int(call("int", val_double(-123.456)), -123);
    expect_int(call("int", val_double(1.9)), 1);
    expect_int(call("int", val_double(-7.9)), -7);
    expect_int(call("int", val_double(11.5)), 11);
    expect_int(call("int", val_double(36028797018963968.0)), 36028797018963968);
    expect_int(call("int", val_double(-9223372036854774784.0)), -9223372036854774784);
    expect_err(call("int", val_double(9223372036854775807.0)), "integer overflow");
    expect_err(call("int", val_double(-9223372036854775808.0)), "integer overflow");
    expect_err(call("int", val_double(1e99)), "integer overflow");
    expect_err(call("int", val_double(NAN)), "integer overflow");
    expect_err(call("int", val_double(-INFINITY)), "integer overflow");
}

Test(conv, int_from_text_is_go_parseint_base_10)
{
    expect_int(call("int", STR("987")), 987);
    expect_int(call("int", STR("-456")), -456);
    expect_int(call("int", STR("+12")), 12);
    expect_int(call("int", STR("007")), 7);
    expect_int(call("int", STR("-9223372036854775808")), INT64_MIN);
    expect_int(call("int", STR("9223372036854775807")), INT64_MAX);
    const char *bad[] = {"", "-", "+", " 1", "1 ", "0x10", "1.0", "1e3", "1_000",
                         "9223372036854775808", "-9223372036854775809", "--1", "one"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_err(call("int", val_string(bad[i], (uint32_t)strlen(bad[i]))),
                   "type conversion error from 'string' to 'int'");
}

Test(conv, int_from_time)
{
    expect_int(call("int", val_timestamp(1095379199, 0)), 1095379199);
    expect_int(call("int", val_timestamp_at(-1, 500000000, 3600)), -1);
    expect_int(call("int", val_duration(1, 500000000)), 1500000000);
    expect_int(call("int", val_duration(-2, -1)), -2000000001);
    expect_no_overload(call("int", val_bool(true)));
    expect_no_overload(call("int", val_null()));
}

/* ---- uint() ------------------------------------------------------------------------- */

Test(conv, uint_conversions)
{
    expect_uint(call("uint", val_uint(1)), 1);
    expect_uint(call("uint", val_int(1729)), 1729);
    expect_uint(call("uint", val_int(INT64_MAX)), INT64_MAX);
    expect_err(call("uint", val_int(-1)), "unsigned integer overflow");
    expect_uint(call("uint", val_double(3.14159265)), 3);
    expect_uint(call("uint", val_double(25.5)), 25);
    expect_uint(call("uint", val_double(36028797018963968.0)), 36028797018963968u);
    expect_err(call("uint", val_double(-0.5)), "unsigned integer overflow"); /* v < 0 */
    expect_uint(call("uint", val_double(-0.0)), 0);
    expect_err(call("uint", val_double(-1.0)), "unsigned integer overflow");
    expect_err(call("uint", val_double(6.022e23)), "unsigned integer overflow");
    expect_err(call("uint", val_double(18446744073709551616.0)), "unsigned integer overflow");
    expect_err(call("uint", val_double(NAN)), "unsigned integer overflow");
    expect_uint(call("uint", STR("300")), 300);
    expect_uint(call("uint", STR("18446744073709551615")), UINT64_MAX);
    const char *bad[] = {"", "+1", "-0", "-1", "18446744073709551616", "1u", "0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_err(call("uint", val_string(bad[i], (uint32_t)strlen(bad[i]))),
                   "type conversion error from 'string' to 'uint'");
    expect_no_overload(call("uint", val_timestamp(0, 0)));
}

/* ---- double() ------------------------------------------------------------------------ */

Test(conv, double_from_numbers)
{
    expect_double(call("double", val_double(5.5)), 5.5);
    expect_double(call("double", val_int(-1000000000000000)), -1e15);
    expect_double(call("double", val_int(9007199254740992)), 9007199254740992.0);
    expect_double(call("double", val_int(INT64_MAX)), 9223372036854775808.0);
    expect_double(call("double", val_uint(UINT64_MAX)), 18446744073709551616.0);
    expect_double(call("double", val_uint(123)), 123.0);
}

Test(conv, double_from_text_is_go_parsefloat)
{
    expect_double(call("double", STR("0")), 0.0);
    expect_double(call("double", STR("-0.0")), -0.0);
    expect_double(call("double", STR("123")), 123.0);
    expect_double(call("double", STR("123.456")), 123.456);
    expect_double(call("double", STR("6.02214e23")), 6.02214e23);
    expect_double(call("double", STR("-84.32e7")), -843200000.0);
    expect_double(call("double", STR("-5.43e-21")), -5.43e-21);
    expect_double(call("double", STR("+1.5")), 1.5);
    expect_double(call("double", STR(".5")), 0.5);
    expect_double(call("double", STR("5.")), 5.0);
    expect_double(call("double", STR("1E3")), 1000.0);
    expect_double(call("double", STR("0x1p-2")), 0.25);
    expect_double(call("double", STR("0X1.8P1")), 3.0);
    expect_double(call("double", STR("1e-400")), 0.0);      /* underflow is not an error */
    expect_double(call("double", STR("NaN")), NAN);
    expect_double(call("double", STR("nan")), NAN);
    expect_double(call("double", STR("Inf")), INFINITY);
    expect_double(call("double", STR("-inf")), -INFINITY);
    expect_double(call("double", STR("+Infinity")), INFINITY);
    expect_double(call("double", STR("-INFINITY")), -INFINITY);
    const char *bad[] = {"", ".", "e5", "1e", "1e+", " 1", "1 ", "0x10", "0x", "1_000",
                         "1e400", "-1e400", "+nan", "infinit", "1.2.3", "1,5", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_err(call("double", val_string(bad[i], (uint32_t)strlen(bad[i]))),
                   "type conversion error from 'string' to 'double'");
    expect_no_overload(call("double", val_bool(false)));
}

/* ---- bool() ----------------------------------------------------------------------------- */

Test(conv, bool_accepts_what_go_parsebool_accepts)
{
    const char *yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    const char *no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < 6; i++) {
        val v = call("bool", val_string(yes[i], (uint32_t)strlen(yes[i])));
        cr_expect(v.kind == VK_BOOL && v.u.b, "%s", yes[i]);
        v = call("bool", val_string(no[i], (uint32_t)strlen(no[i])));
        cr_expect(v.kind == VK_BOOL && !v.u.b, "%s", no[i]);
    }
    const char *bad[] = {"TrUe", "FaLsE", "yes", "", "tRUE", "1 ", "2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_err(call("bool", val_string(bad[i], (uint32_t)strlen(bad[i]))),
                   "type conversion error from 'string' to 'bool'");
    val v = call("bool", val_bool(true));
    cr_expect(v.kind == VK_BOOL && v.u.b);
    expect_no_overload(call("bool", val_int(1)));
}

/* ---- string() ------------------------------------------------------------------------------ */

Test(conv, string_of_numbers_and_bools)
{
    expect_string(call("string", val_int(123)), "123");
    expect_string(call("string", val_int(-456)), "-456");
    expect_string(call("string", val_int(INT64_MIN)), "-9223372036854775808");
    expect_string(call("string", val_uint(9876)), "9876");
    expect_string(call("string", val_uint(UINT64_MAX)), "18446744073709551615");
    expect_string(call("string", val_double(123.456)), "123.456");
    expect_string(call("string", val_double(-4.5e-3)), "-0.0045");
    expect_string(call("string", val_double(-1.23e4)), "-12300");
    expect_string(call("string", val_double(1e6)), "1e+06");
    expect_string(call("string", val_double(100.0)), "100");
    expect_string(call("string", val_double(1.0 / 3)), "0.3333333333333333");
    expect_string(call("string", val_double(INFINITY)), "+Inf");
    expect_string(call("string", val_double(NAN)), "NaN");
    expect_string(call("string", val_bool(true)), "true");
    expect_string(call("string", val_bool(false)), "false");
    expect_string(call("string", STR("hello")), "hello");
}

Test(conv, string_of_bytes_requires_utf8)
{
    expect_string(call("string", val_bytes("abc", 3)), "abc");
    expect_string(call("string", val_bytes("\xc3\xbf", 2)), "\xc3\xbf");
    expect_err(call("string", val_bytes("\0\xff", 2)),
               "invalid UTF-8 in bytes, cannot convert to string");
    expect_err(call("string", val_bytes("\xed\xa0\x80", 3)),
               "invalid UTF-8 in bytes, cannot convert to string");
}

Test(conv, string_of_time)
{
    expect_string(call("string", val_timestamp(0, 0)), "1970-01-01T00:00:00Z");
    expect_string(call("string", val_timestamp_at(1234567890, 0, 3600)),
                  "2009-02-14T00:31:30+01:00");
    expect_string(call("string", val_duration(5400, 0)), "5400s");
    expect_string(call("string", val_duration(1, 500000000)), "1.5s");
    expect_no_overload(call("string", val_null()));
    expect_no_overload(call("string", val_type(&rpi_type_int)));
}

/* ---- bytes(), dyn(), type() ------------------------------------------------------------------- */

Test(conv, bytes_dyn_and_type)
{
    val b = call("bytes", STR("\xc3\xbf"));
    cr_expect_eq(b.kind, VK_BYTES);
    cr_expect_eq(b.aux, 2);
    b = call("bytes", val_bytes("abc", 3));
    cr_expect_eq(b.kind, VK_BYTES);
    expect_no_overload(call("bytes", val_int(1)));

    val d = call("dyn", val_uint(3));
    cr_expect(d.kind == VK_UINT && d.u.u == 3);

    struct {
        val v;
        const char *name;
    } cases[] = {
        {val_int(0), "int"}, {val_uint(64), "uint"}, {val_double(3.14), "double"},
        {val_bool(true), "bool"}, {STR("foo"), "string"}, {val_bytes("\xff", 1), "bytes"},
        {val_null(), "null_type"}, {val_type(&rpi_type_int), "type"},
        {val_timestamp(0, 0), "google.protobuf.Timestamp"},
        {val_duration(0, 0), "google.protobuf.Duration"}, {val_optional(NULL), "optional_type"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        val t = call("type", cases[i].v);
        cr_assert_eq(t.kind, VK_TYPE);
        cr_expect_str_eq(t.u.type->name, cases[i].name);
    }
    rpi_list *l = rpi_list_new(&cx, 0);
    cr_expect_eq(call("type", val_list(l)).u.type, &rpi_type_list);
    cr_expect_eq(call("type", call("type", val_int(7))).u.type, &rpi_type_type);
}

Test(conv, table_signatures)
{
    for (size_t i = 0; i < rpi_lib_std_conversions.nfuncs; i++) {
        const rpi_func *f = &rpi_lib_std_conversions.funcs[i];
        cr_expect_eq(f->style, RPI_GLOBAL, "%s", f->name);
        for (const char *const *s = f->sigs; *s; s++)
            cr_expect(strstr(*s, ": ") && strstr(*s, " -> "), "%s: %s", f->name, *s);
    }
}
