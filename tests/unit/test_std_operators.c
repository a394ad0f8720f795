/* test_std_operators.c -- cel-spec's operators (ops.h) and size(): checked
 * int and uint arithmetic, IEEE doubles, concatenation, heterogeneous
 * equality and ordering, `in`, indexing, with cel-go's error texts
 * (common/types/err.go, list.go; interpreter/attributes.go).  Expected
 * values come from cel-spec langdef.md and the conformance vectors
 * (integer_math, fp_math, lists, comparisons, fields, string). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "internal.h"
#include "ops.h"

static rpi_ctx cx;
static json_t *docs[32];
static int ndocs;

static void setup(void)
{
    memset(&cx, 0, sizeof cx);
    cx.arena = rpi_arena_new(0);
    ndocs = 0;
}

static void teardown(void)
{
    rpi_arena_free(cx.arena);
    for (int i = 0; i < ndocs; i++)
        json_decref(docs[i]);
}

TestSuite(ops, .init = setup, .fini = teardown);

#define STR(lit) val_string((lit), (uint32_t)(sizeof(lit) - 1))

static val json_view(const char *s)
{
    json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
    cr_assert_not_null(j, "bad test JSON %s", s);
    cr_assert_lt(ndocs, 32);
    docs[ndocs++] = j;
    return rpi_val_from_json(j);
}

static val list_of(int n, const val *items)
{
    rpi_list *l = rpi_list_new(&cx, (uint32_t)n);
    cr_assert_not_null(l);
    memcpy(l->items, items, (size_t)n * sizeof(val));
    return val_list(l);
}
#define LIST(...) list_of((int)(sizeof((val[]){__VA_ARGS__}) / sizeof(val)), (val[]){__VA_ARGS__})

static void expect_err(val v, const char *want)
{
    cr_assert_eq(v.kind, VK_ERROR, "expected the error '%s', got kind %d", want, v.kind);
    cr_expect(v.aux == strlen(want) && memcmp(v.u.s, want, v.aux) == 0,
              "error '%.*s', want '%s'", (int)v.aux, v.u.s, want);
}

static void expect_no_overload(val v)
{
    cr_assert_eq(v.kind, VK_ERROR, "expected no such overload, got kind %d", v.kind);
    cr_expect(v.aux >= 16 && memcmp(v.u.s, "no such overload", 16) == 0, "error '%.*s'",
              (int)v.aux, v.u.s);
}

static void expect_int(val v, int64_t want)
{
    cr_assert_eq(v.kind, VK_INT, "kind %d (%.*s)", v.kind, v.kind == VK_ERROR ? (int)v.aux : 0,
                 v.kind == VK_ERROR ? v.u.s : "");
    cr_expect_eq(v.u.i, want);
}

static void expect_uint(val v, uint64_t want)
{
    cr_assert_eq(v.kind, VK_UINT, "kind %d", v.kind);
    cr_expect_eq(v.u.u, want);
}

static void expect_bool(val v, bool want)
{
    cr_assert_eq(v.kind, VK_BOOL, "kind %d (%.*s)", v.kind, v.kind == VK_ERROR ? (int)v.aux : 0,
                 v.kind == VK_ERROR ? v.u.s : "");
    cr_expect_eq(v.u.b, want);
}

static void expect_str(val v, const char *want)
{
    cr_assert(v.kind == VK_STRING || v.kind == VK_BYTES, "kind %d", v.kind);
    cr_expect(v.aux == strlen(want) && memcmp(v.u.s, want, v.aux) == 0, "'%.*s' want '%s'",
              (int)v.aux, v.u.s, want);
}

/* ---- Integers ------------------------------------------------------------------------ */

Test(ops, int_arithmetic)
{
    expect_int(rpi_op_add(&cx, val_int(40), val_int(2)), 42);
    expect_int(rpi_op_sub(&cx, val_int(42), val_int(-22)), 64);
    expect_int(rpi_op_mul(&cx, val_int(40), val_int(-2)), -80);
    expect_int(rpi_op_div(&cx, val_int(-80), val_int(-2)), 40);
    expect_int(rpi_op_div(&cx, val_int(7), val_int(-2)), -3);   /* truncated */
    expect_int(rpi_op_mod(&cx, val_int(47), val_int(5)), 2);
    expect_int(rpi_op_mod(&cx, val_int(43), val_int(-5)), 3);
    expect_int(rpi_op_mod(&cx, val_int(-42), val_int(-5)), -2);
    expect_int(rpi_op_mod(&cx, val_int(-3), val_int(5)), -3);
    expect_int(rpi_op_neg(&cx, val_int(-42)), 42);
    expect_int(rpi_op_neg(&cx, val_int(0)), 0);
}

Test(ops, int_overflow_and_division_errors)
{
    expect_err(rpi_op_add(&cx, val_int(INT64_MAX), val_int(1)), "integer overflow");
    expect_err(rpi_op_add(&cx, val_int(INT64_MIN), val_int(-1)), "integer overflow");
    expect_err(rpi_op_sub(&cx, val_int(INT64_MIN), val_int(1)), "integer overflow");
    expect_err(rpi_op_sub(&cx, val_int(1), val_int(-INT64_MAX)), "integer overflow");
    expect_err(rpi_op_mul(&cx, val_int(5000000000), val_int(5000000000)), "integer overflow");
    expect_err(rpi_op_mul(&cx, val_int(INT64_MIN), val_int(-1)), "integer overflow");
    expect_err(rpi_op_div(&cx, val_int(INT64_MIN), val_int(-1)), "integer overflow");
    expect_err(rpi_op_mod(&cx, val_int(INT64_MIN), val_int(-1)), "integer overflow");
    expect_err(rpi_op_neg(&cx, val_int(INT64_MIN)), "integer overflow");
    expect_err(rpi_op_div(&cx, val_int(15), val_int(0)), "division by zero");
    expect_err(rpi_op_mod(&cx, val_int(34), val_int(0)), "modulus by zero");
}

Test(ops, uint_arithmetic)
{
    expect_uint(rpi_op_add(&cx, val_uint(42), val_uint(2)), 44);
    expect_uint(rpi_op_sub(&cx, val_uint(42), val_uint(12)), 30);
    expect_uint(rpi_op_mul(&cx, val_uint(40), val_uint(2)), 80);
    expect_uint(rpi_op_div(&cx, val_uint(60), val_uint(2)), 30);
    expect_uint(rpi_op_mod(&cx, val_uint(42), val_uint(5)), 2);
    expect_err(rpi_op_add(&cx, val_uint(UINT64_MAX), val_uint(1)), "unsigned integer overflow");
    expect_err(rpi_op_sub(&cx, val_uint(0), val_uint(1)), "unsigned integer overflow");
    expect_err(rpi_op_mul(&cx, val_uint(5000000000u), val_uint(5000000000u)),
               "unsigned integer overflow");
    expect_err(rpi_op_div(&cx, val_uint(15), val_uint(0)), "division by zero");
    expect_err(rpi_op_mod(&cx, val_uint(34), val_uint(0)), "modulus by zero");
    expect_no_overload(rpi_op_neg(&cx, val_uint(5)));
}

Test(ops, no_implicit_numeric_conversion_in_arithmetic)
{
    expect_no_overload(rpi_op_add(&cx, val_int(1), val_uint(1)));
    expect_no_overload(rpi_op_add(&cx, val_int(1), val_double(1)));
    expect_no_overload(rpi_op_sub(&cx, val_double(1), val_uint(1)));
    expect_no_overload(rpi_op_mul(&cx, STR("a"), val_int(3)));
    expect_no_overload(rpi_op_add(&cx, val_int(1), STR("a")));
    expect_no_overload(rpi_op_neg(&cx, val_bool(false)));
    expect_no_overload(rpi_op_not(&cx, val_int(0)));
    val e = rpi_op_add(&cx, val_int(1), STR("a"));
    cr_expect(e.aux > 0 && strstr(e.u.s, "_+_(int, string)") != NULL, "%.*s", (int)e.aux, e.u.s);
}

/* ---- Doubles --------------------------------------------------------------------------- */

Test(ops, doubles_follow_ieee)
{
    cr_expect_eq(rpi_op_add(&cx, val_double(4.25), val_double(15.25)).u.d, 19.5);
    cr_expect_eq(rpi_op_div(&cx, val_double(0.0625), val_double(0.002)).u.d, 31.25);
    cr_expect_eq(rpi_op_div(&cx, val_double(15.75), val_double(0.0)).u.d, INFINITY);
    cr_expect_eq(rpi_op_mul(&cx, val_double(2.0), val_double(-8.988466e+307)).u.d, -INFINITY);
    cr_expect_eq(rpi_op_div(&cx, val_double(4.9406564584124654e-324), val_double(2.0)).u.d, 0.0);
    cr_expect(isnan(rpi_op_div(&cx, val_double(0.0), val_double(0.0)).u.d));
    cr_expect_eq(rpi_op_neg(&cx, val_double(-1.25)).u.d, 1.25);
    cr_expect(signbit(rpi_op_neg(&cx, val_double(0.0)).u.d));
    expect_no_overload(rpi_op_mod(&cx, val_double(47.5), val_double(5.5)));
}

/* ---- Strings, bytes, lists -------------------------------------------------------------- */

Test(ops, concatenation)
{
    expect_str(rpi_op_add(&cx, STR("he"), STR("llo")), "hello");
    expect_str(rpi_op_add(&cx, STR(""), STR("abc")), "abc");
    expect_str(rpi_op_add(&cx, STR("abc"), STR("")), "abc");
    expect_str(rpi_op_add(&cx, STR(""), STR("")), "");
    expect_str(rpi_op_add(&cx, STR("r"), STR("\xc3\xb4le")), "r\xc3\xb4le");
    val b = rpi_op_add(&cx, val_bytes("abc", 3), val_bytes("def", 3));
    cr_expect_eq(b.kind, VK_BYTES);
    expect_str(b, "abcdef");
    expect_no_overload(rpi_op_add(&cx, STR("a"), val_bytes("b", 1)));

    val l = rpi_op_add(&cx, LIST(val_int(0), val_int(1)), json_view("[2, \"x\"]"));
    cr_assert_eq(l.kind, VK_LIST);
    cr_expect_eq(rpi_list_size(l), 4);
    cr_expect(rpi_val_equal(l, LIST(val_int(0), val_int(1), val_int(2), STR("x"))));
    l = rpi_op_add(&cx, json_view("[1]"), json_view("[2]"));
    cr_expect(rpi_val_equal(l, LIST(val_int(1), val_int(2))));
    val right = LIST(val_int(3), val_int(4));
    l = rpi_op_add(&cx, LIST(), right);
    cr_expect(rpi_val_equal(l, right));
    cr_expect_eq(rpi_list_size(rpi_op_add(&cx, LIST(), LIST())), 0);
}

Test(ops, concatenation_charges_cost)
{
    char a[50], b[50];
    memset(a, 'a', sizeof a);
    memset(b, 'b', sizeof b);
    cx.cost = 0;
    val r = rpi_op_add(&cx, val_string(a, 50), val_string(b, 50));
    cr_expect_eq(r.aux, 100);
    cr_expect_eq(cx.cost, 10);      /* 100 bytes x 0.1 (cel-go's traversal factor) */
    cx.cost_budget = 15;
    r = rpi_op_add(&cx, val_string(a, 50), val_string(b, 50));
    cr_expect_eq(r.kind, VK_ERROR);
    cr_expect_eq(cx.limit_hit, 1);
}

Test(ops, time_arithmetic_goes_to_std_time)
{
    val t = rpi_op_add(&cx, val_timestamp(0, 0), val_duration(1, 500000000));
    cr_assert_eq(t.kind, VK_TIMESTAMP);
    cr_expect_eq(t.u.i, 1);
    cr_expect_eq(val_nanos(t), 500000000);
    val d = rpi_op_sub(&cx, val_timestamp(10, 0), val_timestamp(4, 0));
    cr_assert_eq(d.kind, VK_DURATION);
    cr_expect_eq(d.u.i, 6);
    cr_expect_eq(rpi_op_add(&cx, val_timestamp(0, 0), val_timestamp(0, 0)).kind, VK_ERROR);
    expect_no_overload(rpi_op_add(&cx, val_timestamp(0, 0), val_int(1)));
}

/* ---- Equality and ordering ----------------------------------------------------------------- */

Test(ops, equality_is_heterogeneous_and_never_an_error)
{
    expect_bool(rpi_op_eq(&cx, val_int(1), val_uint(1)), true);
    expect_bool(rpi_op_eq(&cx, val_uint(2), val_double(1.0)), false);
    expect_bool(rpi_op_eq(&cx, val_double(NAN), val_double(NAN)), false);
    expect_bool(rpi_op_ne(&cx, val_double(NAN), val_double(NAN)), true);
    expect_bool(rpi_op_eq(&cx, val_bool(false), val_null()), false);
    expect_bool(rpi_op_eq(&cx, LIST(val_int(1)), LIST(val_double(1.0))), true);
    expect_bool(rpi_op_ne(&cx, val_uint(2), val_int(2)), false);
    expect_bool(rpi_op_eq(&cx, STR("a"), val_int(1)), false);
}

Test(ops, ordering)
{
    expect_bool(rpi_op_lt(&cx, val_int(-1), val_int(0)), true);
    expect_bool(rpi_op_lt(&cx, val_int(0), val_int(0)), false);
    expect_bool(rpi_op_le(&cx, val_int(0), val_int(0)), true);
    expect_bool(rpi_op_gt(&cx, val_uint(2), val_int(-1)), true);
    expect_bool(rpi_op_ge(&cx, val_double(1.0), val_uint(1)), true);
    expect_bool(rpi_op_lt(&cx, val_int(1), val_double(1.0000001)), true);
    expect_bool(rpi_op_lt(&cx, val_double(-0.0), val_double(0.0)), false);
    expect_bool(rpi_op_lt(&cx, STR("Abc"), STR("aBC")), true);
    expect_bool(rpi_op_gt(&cx, STR("abcd"), STR("abc")), true);
    expect_bool(rpi_op_lt(&cx, val_bytes("\xc3\xa1", 2), val_bytes("b", 1)), false);
    expect_bool(rpi_op_lt(&cx, val_bool(false), val_bool(true)), true);
    expect_bool(rpi_op_ge(&cx, val_bool(true), val_bool(true)), true);
    expect_bool(rpi_op_lt(&cx, val_timestamp(1, 0), val_timestamp(2, 0)), true);
    expect_bool(rpi_op_le(&cx, val_duration(60, 0), val_duration(59, 999999999)), false);
}

Test(ops, nan_compares_false_for_every_operator)
{
    val nan = val_double(NAN);
    const val others[] = {val_double(1), val_int(1), val_uint(1), nan};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        expect_bool(rpi_op_lt(&cx, nan, others[i]), false);
        expect_bool(rpi_op_le(&cx, nan, others[i]), false);
        expect_bool(rpi_op_gt(&cx, others[i], nan), false);
        expect_bool(rpi_op_ge(&cx, others[i], nan), false);
    }
}

Test(ops, unordered_kinds_have_no_overload)
{
    expect_no_overload(rpi_op_lt(&cx, LIST(val_int(0)), LIST(val_int(1))));
    expect_no_overload(rpi_op_lt(&cx, json_view("{}"), json_view("{}")));
    expect_no_overload(rpi_op_lt(&cx, val_null(), val_null()));
    expect_no_overload(rpi_op_le(&cx, STR("foo"), val_int(1024)));
    expect_no_overload(rpi_op_gt(&cx, val_bool(true), val_int(0)));
    expect_no_overload(rpi_op_ge(&cx, val_timestamp(0, 0), val_duration(0, 0)));
}

/* ---- in and [] -------------------------------------------------------------------------------- */

Test(ops, in_lists_uses_heterogeneous_equality)
{
    expect_bool(rpi_op_in(&cx, val_int(7), LIST()), false);
    expect_bool(rpi_op_in(&cx, val_double(3.0), LIST(val_int(5), val_int(3))), true);
    expect_bool(rpi_op_in(&cx, val_uint(3), LIST(val_double(5.0), val_double(3.0))), true);
    expect_bool(rpi_op_in(&cx, STR("elem"), LIST(val_int(1), STR("elem"))), true);
    expect_bool(rpi_op_in(&cx, STR("elem"), LIST(val_uint(1), val_bytes("elem", 4))), false);
    expect_bool(rpi_op_in(&cx, STR("b"), json_view("[\"a\", \"b\"]")), true);
    expect_bool(rpi_op_in(&cx, val_uint(2), json_view("[1, 2.0]")), true);
    expect_bool(rpi_op_in(&cx, val_int(3), json_view("[1, 2]")), false);
    expect_no_overload(rpi_op_in(&cx, val_int(1), val_int(1)));
}

Test(ops, in_maps_tests_keys)
{
    val keys[3] = {val_int(1), val_int(2), val_uint(3)};
    val vals[3] = {val_int(1), val_int(2), val_int(3)};
    val m = rpi_map_build(&cx, keys, vals, 3);
    expect_bool(rpi_op_in(&cx, val_double(3.0), m), true);
    expect_bool(rpi_op_in(&cx, val_uint(2), m), true);
    expect_bool(rpi_op_in(&cx, val_double(3.1), m), false);
    expect_bool(rpi_op_in(&cx, STR("key"), m), false);
    val j = json_view("{\"key\": 1}");
    expect_bool(rpi_op_in(&cx, STR("key"), j), true);
    expect_bool(rpi_op_in(&cx, STR("lock"), j), false);
    expect_bool(rpi_op_in(&cx, val_int(1), j), false);
}

Test(ops, list_indexing)
{
    val l = LIST(val_int(7), val_int(8), val_int(9));
    expect_int(rpi_op_index(&cx, l, val_int(0)), 7);
    expect_int(rpi_op_index(&cx, l, val_uint(2)), 9);
    expect_int(rpi_op_index(&cx, l, val_double(1.0)), 8);
    expect_int(rpi_op_index(&cx, json_view("[1, 2, 3]"), val_double(2.0)), 3);
    expect_err(rpi_op_index(&cx, l, val_int(3)), "index out of bounds: 3");
    expect_err(rpi_op_index(&cx, l, val_int(-1)), "index out of bounds: -1");
    expect_err(rpi_op_index(&cx, json_view("[]"), val_int(0)), "index out of bounds: 0");
    expect_err(rpi_op_index(&cx, l, val_double(0.1)), "unsupported index value 0.1 in list");
    expect_err(rpi_op_index(&cx, l, val_uint(UINT64_MAX)),
               "unsupported index value 18446744073709551615 in list");
    expect_err(rpi_op_index(&cx, l, STR("")), "unsupported index type 'string' in list");
}

Test(ops, map_indexing)
{
    val keys[2] = {val_int(0), STR("a")};
    val vals[2] = {val_int(1), val_int(2)};
    val m = rpi_map_build(&cx, keys, vals, 2);
    expect_int(rpi_op_index(&cx, m, val_uint(0)), 1);
    expect_int(rpi_op_index(&cx, m, val_double(0.0)), 1);
    expect_int(rpi_op_index(&cx, m, STR("a")), 2);
    expect_err(rpi_op_index(&cx, m, val_int(1)), "no such key: 1");
    expect_err(rpi_op_index(&cx, m, STR("b")), "no such key: b");
    expect_err(rpi_op_index(&cx, m, val_double(0.5)), "no such key: 0.5");
    val e = rpi_op_index(&cx, m, val_bytes("", 0));
    cr_expect(e.kind == VK_ERROR && strncmp(e.u.s, "no such key", 11) == 0);
    expect_int(rpi_op_index(&cx, json_view("{\"n\": 5}"), STR("n")), 5);
    expect_err(rpi_op_index(&cx, json_view("{\"n\": 5}"), STR("m")), "no such key: m");
    expect_no_overload(rpi_op_index(&cx, val_int(1), val_int(0)));
}

/* ---- The library table ------------------------------------------------------------------------- */

extern const rpi_library rpi_lib_std_operators;

static const rpi_func *func(const char *name)
{
    for (size_t i = 0; i < rpi_lib_std_operators.nfuncs; i++)
        if (strcmp(rpi_lib_std_operators.funcs[i].name, name) == 0)
            return &rpi_lib_std_operators.funcs[i];
    cr_assert_fail("no function %s", name);
    return NULL;
}

Test(ops, size_counts_code_points_bytes_and_elements)
{
    const rpi_func *size = func("size");
    cr_expect(size->style & RPI_GLOBAL);
    cr_expect(size->style & RPI_RECEIVER);
    val a = STR("\xcf\x80\xce\xad\xce\xbd\xcf\x84\xce\xb5"); /* πέντε */
    expect_int(size->impl(&cx, &a, 1), 5);
    a = val_bytes("abc", 3);
    expect_int(size->impl(&cx, &a, 1), 3);
    a = json_view("[1, 2, 3]");
    expect_int(size->impl(&cx, &a, 1), 3);
    a = json_view("{\"a\": 1}");
    expect_int(size->impl(&cx, &a, 1), 1);
    a = val_int(1);
    expect_no_overload(size->impl(&cx, &a, 1));
}

Test(ops, table_lists_every_operator_with_signatures)
{
    const char *names[] = {"_+_", "_-_", "_*_", "_/_", "_%_", "-_", "!_", "_==_", "_!=_",
                           "_<_", "_<=_", "_>_", "_>=_", "@in", "_[_]", "size"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const rpi_func *f = func(names[i]);
        cr_expect_not_null(f->impl);
        for (const char *const *s = f->sigs; *s; s++)
            cr_expect(strstr(*s, ": ") && strstr(*s, " -> "), "%s: bad signature %s",
                      names[i], *s);
    }
    val args[2] = {val_int(2), val_int(3)};
    expect_int(func("_*_")->impl(&cx, args, 2), 6);
    expect_bool(func("_<_")->impl(&cx, args, 2), true);
}

Test(ops, allocation_failure_is_reported_not_fatal)
{
    rpi_ctx small = {0};
    small.arena = rpi_arena_new(64);
    char big[100];
    memset(big, 'q', sizeof big);
    val r = rpi_op_add(&small, val_string(big, 100), val_string(big, 100));
    cr_expect_eq(r.kind, VK_ERROR);
    cr_expect_eq(small.limit_hit, 1);
    cr_expect_str_eq(small.limit_msg, "evaluation memory exceeds limit max_eval_memory (64 bytes)");
    rpi_arena_free(small.arena);

    small = (rpi_ctx){0};
    small.arena = rpi_arena_new(64);
    val l = rpi_op_add(&small, json_view("[1, 2, 3]"), json_view("[4, 5, 6]"));
    cr_expect_eq(l.kind, VK_ERROR);
    cr_expect_eq(small.limit_hit, 1);
    rpi_arena_free(small.arena);
}
