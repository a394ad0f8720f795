/* test_value.c -- the value model: type names, JSON views, CEL equality and
 * ordering (cel-spec langdef.md "Equality", "Numbers", "Comparison
 * Operators"; cel-go common/types/compare.go for the int/double edge),
 * and lists and maps in both representations (JSON views and arena
 * structures), including map key normalisation and repeated keys. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "internal.h"

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

TestSuite(value, .init = setup, .fini = teardown);

/* A view of the JSON text S (kept alive until teardown). */
static val json_view(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, JSON_DECODE_ANY, &e);
    cr_assert_not_null(j, "bad test JSON %s: %s", s, e.text);
    cr_assert_lt(ndocs, 32, "too many test documents");
    docs[ndocs++] = j;
    return rpi_val_from_json(j);
}

#define STR(lit) val_string((lit), (uint32_t)(sizeof(lit) - 1))

static val list_of(int n, const val *items)
{
    rpi_list *l = rpi_list_new(&cx, (uint32_t)n);
    cr_assert_not_null(l);
    memcpy(l->items, items, (size_t)n * sizeof(val));
    return val_list(l);
}
#define LIST(...) list_of((int)(sizeof((val[]){__VA_ARGS__}) / sizeof(val)), (val[]){__VA_ARGS__})

static val map_of(int n, const val *kv)
{
    val keys[64] = {{0}}, vals[64] = {{0}}; /* an empty map reads neither */
    for (int i = 0; i < n; i++) {
        keys[i] = kv[2 * i];
        vals[i] = kv[2 * i + 1];
    }
    return rpi_map_build(&cx, keys, vals, (uint32_t)n);
}
#define MAP(...) map_of((int)(sizeof((val[]){__VA_ARGS__}) / sizeof(val) / 2), (val[]){__VA_ARGS__})

static int cmp_of(val a, val b)
{
    int c = 99;
    cr_assert(rpi_val_compare(a, b, &c), "values expected to be ordered");
    return c;
}

/* ---- Types ------------------------------------------------------------------------ */

Test(value, type_names_are_cels)
{
    cr_expect_str_eq(rpi_val_type_name(val_int(1)), "int");
    cr_expect_str_eq(rpi_val_type_name(val_uint(1)), "uint");
    cr_expect_str_eq(rpi_val_type_name(val_double(1)), "double");
    cr_expect_str_eq(rpi_val_type_name(val_bool(true)), "bool");
    cr_expect_str_eq(rpi_val_type_name(STR("s")), "string");
    cr_expect_str_eq(rpi_val_type_name(val_bytes("s", 1)), "bytes");
    cr_expect_str_eq(rpi_val_type_name(val_null()), "null_type");
    cr_expect_str_eq(rpi_val_type_name(LIST(val_int(1))), "list");
    cr_expect_str_eq(rpi_val_type_name(json_view("[1]")), "list");
    cr_expect_str_eq(rpi_val_type_name(json_view("{}")), "map");
    cr_expect_str_eq(rpi_val_type_name(val_type(&rpi_type_int)), "type");
    cr_expect_str_eq(rpi_val_type_name(val_timestamp(0, 0)), "google.protobuf.Timestamp");
    cr_expect_str_eq(rpi_val_type_name(val_duration(0, 0)), "google.protobuf.Duration");
    cr_expect_str_eq(rpi_val_type_name(val_optional(NULL)), "optional_type");
    cr_expect_eq(rpi_val_type(val_int(3)), &rpi_type_int);
    cr_expect_eq(rpi_val_type(val_type(&rpi_type_uint)), &rpi_type_type);
}

/* ---- JSON views ----------------------------------------------------------------------- */

Test(value, json_scalars_become_cel_values)
{
    val v = json_view("42");
    cr_expect_eq(v.kind, VK_INT);
    cr_expect_eq(v.u.i, 42);
    v = json_view("-9223372036854775808");
    cr_expect_eq(v.kind, VK_INT);
    cr_expect_eq(v.u.i, INT64_MIN);
    v = json_view("1.5");
    cr_expect_eq(v.kind, VK_DOUBLE);
    cr_expect_eq(v.u.d, 1.5);
    v = json_view("1e3");
    cr_expect_eq(v.kind, VK_DOUBLE);
    cr_expect_eq(json_view("true").kind, VK_BOOL);
    cr_expect_eq(json_view("false").u.b, false);
    cr_expect_eq(json_view("null").kind, VK_NULL);
}

Test(value, json_strings_and_containers_are_views)
{
    json_t *j = json_loads("{\"s\": \"h\\u00e9llo\", \"a\": [1, 2], \"o\": {}}", 0, NULL);
    cr_assert_not_null(j);
    docs[ndocs++] = j;
    val s = rpi_val_from_json(json_object_get(j, "s"));
    cr_expect_eq(s.kind, VK_STRING);
    cr_expect_eq(s.aux, 6);
    cr_expect_eq(s.u.s, json_string_value(json_object_get(j, "s")));
    val a = rpi_val_from_json(json_object_get(j, "a"));
    cr_expect_eq(a.kind, VK_LIST);
    cr_expect_eq(a.rep, REP_JSON);
    cr_expect_eq(a.u.json, json_object_get(j, "a"));
    val o = rpi_val_from_json(j);
    cr_expect_eq(o.kind, VK_MAP);
    cr_expect_eq(o.rep, REP_JSON);
    cr_expect_eq(rpi_val_from_json(NULL).kind, VK_ERROR);
}

/* ---- Equality --------------------------------------------------------------------------- */

Test(value, numbers_are_equal_across_types)
{
    cr_expect(rpi_val_equal(val_int(1), val_uint(1)));
    cr_expect(rpi_val_equal(val_int(1), val_double(1.0)));
    cr_expect(rpi_val_equal(val_uint(1), val_double(1.0)));
    cr_expect(rpi_val_equal(val_double(1.0), val_int(1)));
    cr_expect_not(rpi_val_equal(val_int(-1), val_uint(UINT64_MAX)));
    cr_expect_not(rpi_val_equal(val_int(2), val_double(2.5)));
    cr_expect(rpi_val_equal(val_double(-0.0), val_double(0.0)));
    cr_expect(rpi_val_equal(val_double(-0.0), val_int(0)));
}

Test(value, nan_equals_nothing)
{
    cr_expect_not(rpi_val_equal(val_double(NAN), val_double(NAN)));
    cr_expect_not(rpi_val_equal(val_int(1), val_double(NAN)));
    cr_expect_not(rpi_val_equal(val_double(NAN), val_uint(1)));
}

Test(value, values_of_different_types_are_unequal_not_errors)
{
    cr_expect_not(rpi_val_equal(val_bool(false), val_null()));
    cr_expect_not(rpi_val_equal(STR(""), val_null()));
    cr_expect_not(rpi_val_equal(STR("abc"), val_bytes("abc", 3)));
    cr_expect_not(rpi_val_equal(val_int(1), val_bool(true)));
    cr_expect_not(rpi_val_equal(LIST(), val_null()));
    cr_expect(rpi_val_equal(val_null(), val_null()));
}

Test(value, strings_and_bytes_compare_bytes)
{
    cr_expect(rpi_val_equal(STR("abc"), STR("abc")));
    cr_expect_not(rpi_val_equal(STR("abc"), STR("abcd")));
    cr_expect_not(rpi_val_equal(STR("Am\xc3\xa9lie"), STR("Ame\xcc\x81lie")));
    cr_expect(rpi_val_equal(val_bytes("\0\xff", 2), val_bytes("\0\xff", 2)));
    cr_expect_not(rpi_val_equal(val_bytes("\0\xff", 2), val_bytes("\0\xfe", 2)));
}

Test(value, lists_compare_deeply_in_either_representation)
{
    cr_expect(rpi_val_equal(LIST(), LIST()));
    cr_expect(rpi_val_equal(LIST(val_double(1.0), val_double(2.0), val_int(3)),
                            LIST(val_uint(1), val_int(2), val_uint(3))));
    cr_expect_not(rpi_val_equal(LIST(val_int(1), val_int(2)), LIST(val_int(2), val_int(1))));
    cr_expect_not(rpi_val_equal(LIST(val_int(1)), LIST(val_int(1), val_int(2))));
    cr_expect_not(rpi_val_equal(LIST(val_int(1), STR("dos")), LIST(val_int(1), val_int(2))));
    val j = json_view("[1, \"a\", [true], null]");
    cr_expect(rpi_val_equal(j, LIST(val_double(1.0), STR("a"), LIST(val_bool(true)), val_null())));
    cr_expect(rpi_val_equal(LIST(val_uint(1), STR("a"), json_view("[true]"), val_null()), j));
    cr_expect(rpi_val_equal(json_view("[]"), LIST()));
}

Test(value, maps_are_equal_when_keys_and_values_are)
{
    cr_expect(rpi_val_equal(MAP(), MAP()));
    cr_expect(rpi_val_equal(MAP(STR("k1"), STR("v1"), STR("k2"), STR("v2")),
                            MAP(STR("k2"), STR("v2"), STR("k1"), STR("v1"))));
    /* {1: 1.0, 2u: 3u} == {1u: 1, 2: 3.0} */
    cr_expect(rpi_val_equal(MAP(val_int(1), val_double(1.0), val_uint(2), val_uint(3)),
                            MAP(val_uint(1), val_int(1), val_int(2), val_double(3.0))));
    cr_expect_not(rpi_val_equal(MAP(STR("k"), STR("v"), STR("k1"), STR("v1")),
                                MAP(STR("k"), STR("v"))));
    cr_expect_not(rpi_val_equal(MAP(STR("key"), val_int(1)), MAP(STR("Key"), val_int(1))));
    cr_expect_not(rpi_val_equal(MAP(STR("k"), val_int(1), STR("j"), val_int(2)),
                                MAP(STR("k"), val_int(1), STR("j"), val_null())));
    val j = json_view("{\"a\": 1, \"b\": [2.0]}");
    cr_expect(rpi_val_equal(j, MAP(STR("b"), LIST(val_int(2)), STR("a"), val_uint(1))));
    cr_expect(rpi_val_equal(MAP(STR("b"), LIST(val_int(2)), STR("a"), val_uint(1)), j));
    cr_expect_not(rpi_val_equal(json_view("{\"1\": 1}"), MAP(val_int(1), val_int(1))));
}

Test(value, other_kinds)
{
    cr_expect(rpi_val_equal(val_type(&rpi_type_int), val_type(&rpi_type_int)));
    cr_expect_not(rpi_val_equal(val_type(&rpi_type_int), val_type(&rpi_type_uint)));
    static const rpi_type other_int = {"int", VK_INT};
    cr_expect(rpi_val_equal(val_type(&rpi_type_int), val_type(&other_int)));
    /* timestamps are instants: the offset they were written with is not compared */
    cr_expect(rpi_val_equal(val_timestamp(100, 5), val_timestamp_at(100, 5, 3600)));
    cr_expect_not(rpi_val_equal(val_timestamp(100, 5), val_timestamp(100, 6)));
    cr_expect(rpi_val_equal(val_duration(-1, -500000000), val_duration(-1, -500000000)));
    cr_expect_not(rpi_val_equal(val_duration(1, 0), val_timestamp(1, 0)));
    val one = val_int(1), onef = val_double(1.0);
    cr_expect(rpi_val_equal(val_optional(&one), val_optional(&onef)));
    cr_expect(rpi_val_equal(val_optional(NULL), val_optional(NULL)));
    cr_expect_not(rpi_val_equal(val_optional(&one), val_optional(NULL)));
    cr_expect_not(rpi_val_equal(VAL_ERROR_LIT("x"), VAL_ERROR_LIT("x")));
}

/* ---- Ordering -------------------------------------------------------------------------- */

Test(value, numbers_are_ordered_across_types)
{
    cr_expect_eq(cmp_of(val_int(-1), val_uint(0)), -1);
    cr_expect_eq(cmp_of(val_uint(0), val_int(-1)), 1);
    cr_expect_eq(cmp_of(val_uint(UINT64_MAX), val_int(INT64_MAX)), 1);
    cr_expect_eq(cmp_of(val_int(1), val_uint(1)), 0);
    cr_expect_eq(cmp_of(val_int(1), val_double(1.5)), -1);
    cr_expect_eq(cmp_of(val_double(2.5), val_int(2)), 1);
    cr_expect_eq(cmp_of(val_uint(1), val_double(0.9)), 1);
    cr_expect_eq(cmp_of(val_double(-1.0), val_uint(1)), -1);
    cr_expect_eq(cmp_of(val_double(-0.0), val_double(0.0)), 0);
    cr_expect_eq(cmp_of(val_double(-INFINITY), val_int(INT64_MIN)), -1);
    cr_expect_eq(cmp_of(val_double(INFINITY), val_uint(UINT64_MAX)), 1);
}

/* cel-go rounds the integer to a double inside the int64 range, and the
 * conformance suite expects it ("the conversion of the int to double is
 * lossy and the numbers end up being equal"). */
Test(value, int_against_double_rounds_as_cel_go)
{
    cr_expect_eq(cmp_of(val_int(INT64_MAX), val_double(9223372036854775808.0)), 0);
    cr_expect_eq(cmp_of(val_int(INT64_MAX), val_double(9223372036854777856.0)), -1);
    cr_expect_eq(cmp_of(val_int(INT64_MIN), val_double(-9223372036854775809.0)), 0);
    cr_expect_eq(cmp_of(val_int(INT64_MIN), val_double(-9223372036854777856.0)), 1);
    cr_expect_eq(cmp_of(val_uint(UINT64_MAX), val_double(18446744073709590000.0)), -1);
    cr_expect_eq(cmp_of(val_double(18446744073709553665.0), val_uint(UINT64_MAX)), 1);
    cr_expect_eq(cmp_of(val_double(18446744073709551616.0), val_uint(UINT64_MAX)), 0);
}

Test(value, nan_is_not_ordered)
{
    int c;
    cr_expect_not(rpi_val_compare(val_double(NAN), val_double(1), &c));
    cr_expect_not(rpi_val_compare(val_int(1), val_double(NAN), &c));
    cr_expect_not(rpi_val_compare(val_double(NAN), val_uint(1), &c));
}

Test(value, strings_bytes_bools_and_time_are_ordered)
{
    cr_expect_eq(cmp_of(STR("a"), STR("b")), -1);
    cr_expect_eq(cmp_of(STR(""), STR("a")), -1);
    cr_expect_eq(cmp_of(STR("abc"), STR("abcd")), -1);
    cr_expect_eq(cmp_of(STR("Abc"), STR("aBC")), -1);
    cr_expect_eq(cmp_of(STR("a"), STR("AB")), 1);
    cr_expect_eq(cmp_of(STR("a"), STR("\xc3\xa1")), -1);           /* 'a' < 'á' */
    cr_expect_eq(cmp_of(STR("f"), STR("\xe1\xba\xbf")), -1);
    cr_expect_eq(cmp_of(STR("\xef\xbf\xbd"), STR("\xf0\x9f\x90\xb1")), -1); /* code point order */
    cr_expect_eq(cmp_of(STR("abc"), STR("abc")), 0);
    cr_expect_eq(cmp_of(val_bytes("a", 1), val_bytes("b", 1)), -1);
    cr_expect_eq(cmp_of(val_bytes("\xc3\xa1", 2), val_bytes("b", 1)), 1);
    cr_expect_eq(cmp_of(val_bool(false), val_bool(true)), -1);
    cr_expect_eq(cmp_of(val_bool(true), val_bool(true)), 0);
    cr_expect_eq(cmp_of(val_timestamp(1, 0), val_timestamp(1, 1)), -1);
    cr_expect_eq(cmp_of(val_timestamp(2, 0), val_timestamp_at(1, 999999999, 3600)), 1);
    cr_expect_eq(cmp_of(val_duration(-1, -500000000), val_duration(-1, 0)), -1);
    cr_expect_eq(cmp_of(val_duration(0, -500000000), val_duration(-1, 0)), 1);
}

Test(value, other_pairs_are_not_ordered)
{
    int c;
    cr_expect_not(rpi_val_compare(LIST(val_int(0)), LIST(val_int(1)), &c));
    cr_expect_not(rpi_val_compare(MAP(), MAP(), &c));
    cr_expect_not(rpi_val_compare(val_null(), val_null(), &c));
    cr_expect_not(rpi_val_compare(STR("foo"), val_int(1024), &c));
    cr_expect_not(rpi_val_compare(val_bool(false), val_int(0), &c));
    cr_expect_not(rpi_val_compare(val_timestamp(0, 0), val_duration(0, 0), &c));
    cr_expect_not(rpi_val_compare(val_type(&rpi_type_int), val_type(&rpi_type_int), &c));
}

/* ---- Lists ------------------------------------------------------------------------------ */

Test(value, lists_in_both_representations)
{
    val j = json_view("[10, \"x\", 2.5]");
    cr_expect_eq(rpi_list_size(j), 3);
    cr_expect_eq(rpi_list_at(j, 0).u.i, 10);
    cr_expect_eq(rpi_list_at(j, 1).kind, VK_STRING);
    cr_expect_eq(rpi_list_at(j, 2).u.d, 2.5);
    cr_expect_eq(rpi_list_at(j, 3).kind, VK_ERROR);
    val a = LIST(val_int(7), val_int(8));
    cr_expect_eq(rpi_list_size(a), 2);
    cr_expect_eq(rpi_list_at(a, 1).u.i, 8);
    cr_expect_eq(rpi_list_size(val_int(1)), 0);
}

/* ---- Maps -------------------------------------------------------------------------------- */

Test(value, map_lookup_normalises_numeric_keys)
{
    val m = MAP(val_uint(1), val_double(1.0), val_int(2), val_double(2.0), val_uint(3),
                val_double(3.0));
    cr_assert_eq(m.kind, VK_MAP);
    val out;
    cr_expect(rpi_map_get(m, val_double(3.0), &out));
    cr_expect_eq(out.u.d, 3.0);
    cr_expect(rpi_map_get(m, val_uint(2), &out));
    cr_expect_eq(out.u.d, 2.0);
    cr_expect(rpi_map_get(m, val_int(1), &out));
    cr_expect_eq(out.u.d, 1.0);
    cr_expect_not(rpi_map_get(m, val_double(3.1), &out));
    cr_expect_not(rpi_map_get(m, val_int(-1), &out));
    cr_expect_not(rpi_map_get(m, val_double(NAN), &out));
    cr_expect_not(rpi_map_get(m, val_bytes("", 0), &out));
    cr_expect_not(rpi_map_get(m, STR("1"), &out));
}

Test(value, map_keys_of_each_kind)
{
    val m = MAP(val_bool(true), val_int(1), STR("k"), val_int(2), val_int(-5), val_int(3));
    val out;
    cr_expect(rpi_map_get(m, val_bool(true), &out));
    cr_expect_eq(out.u.i, 1);
    cr_expect_not(rpi_map_get(m, val_bool(false), &out));
    cr_expect(rpi_map_get_str(m, "k", 1, &out));
    cr_expect_eq(out.u.i, 2);
    cr_expect(rpi_map_get(m, val_double(-5.0), &out));
    cr_expect_eq(out.u.i, 3);
    cr_expect_not(rpi_map_get(m, val_int(1), &out));    /* true is not 1 */
}

Test(value, json_objects_have_string_keys)
{
    val j = json_view("{\"a\": 1, \"1\": 2}");
    val out;
    cr_expect(rpi_map_get(j, STR("a"), &out));
    cr_expect_eq(out.u.i, 1);
    cr_expect_not(rpi_map_get(j, val_int(1), &out));
    cr_expect(rpi_map_get_str(j, "1", 1, &out));
    cr_expect_eq(out.u.i, 2);
    cr_expect_not(rpi_map_get_str(j, "b", 1, &out));
    cr_expect_eq(rpi_map_size(j), 2);
}

Test(value, json_objects_iterate_in_document_order)
{
    val j = json_view("{\"z\": 1, \"a\": 2, \"m\": 3, \"b\": 4}");
    const char *want[] = {"z", "a", "m", "b"};
    rpi_map_iter it = {NULL, 0};
    val k, v;
    int n = 0;
    while (rpi_map_next(j, &it, &k, &v)) {
        cr_assert_lt(n, 4);
        cr_expect_eq(k.aux, 1);
        cr_expect_eq(k.u.s[0], want[n][0]);
        cr_expect_eq(v.u.i, n + 1);
        n++;
    }
    cr_expect_eq(n, 4);
    cr_expect_not(rpi_map_next(j, &it, &k, &v));
}

Test(value, arena_maps_iterate_in_insertion_order)
{
    val m = MAP(STR("z"), val_int(1), val_int(7), val_int(2), val_bool(false), val_int(3));
    rpi_map_iter it = {NULL, 0};
    val k, v;
    cr_assert(rpi_map_next(m, &it, &k, &v));
    cr_expect_eq(k.kind, VK_STRING);
    cr_assert(rpi_map_next(m, &it, &k, &v));
    cr_expect_eq(k.kind, VK_INT);
    cr_assert(rpi_map_next(m, &it, &k, &v));
    cr_expect_eq(k.kind, VK_BOOL);
    cr_expect_eq(v.u.i, 3);
    cr_expect_not(rpi_map_next(m, &it, &k, &v));
}

Test(value, map_build_rejects_bad_and_repeated_keys)
{
    val e = MAP(val_double(1.0), val_int(1));
    cr_assert_eq(e.kind, VK_ERROR);
    cr_expect(strstr(e.u.s, "unsupported key type") != NULL);
    cr_expect_eq(MAP(val_null(), val_bool(false)).kind, VK_ERROR);
    cr_expect_eq(MAP(LIST(), val_int(1)).kind, VK_ERROR);
    e = MAP(val_bool(true), val_int(1), val_bool(false), val_int(2), val_bool(true), val_int(3));
    cr_assert_eq(e.kind, VK_ERROR);
    cr_expect_eq(strncmp(e.u.s, "Failed with repeated key", e.aux), 0);
    /* {0: 1, 0u: 2} repeats the key 0 */
    cr_expect_eq(MAP(val_int(0), val_int(1), val_uint(0), val_int(2)).kind, VK_ERROR);
    cr_expect_eq(MAP(STR("a"), val_int(1), STR("a"), val_int(2)).kind, VK_ERROR);
    cr_expect_eq(MAP(val_int(-1), val_int(1), val_uint(UINT64_MAX), val_int(2)).kind, VK_MAP);
}

Test(value, large_maps_use_a_hash_index)
{
    enum { N = 300 };
    static val keys[N], vals[N];
    for (int i = 0; i < N; i++) {
        keys[i] = (i % 3 == 0) ? val_int(i) : (i % 3 == 1) ? val_uint((uint64_t)i) : val_int(-i);
        vals[i] = val_int(i * 10);
    }
    val m = rpi_map_build(&cx, keys, vals, N);
    cr_assert_eq(m.kind, VK_MAP);
    cr_expect_gt(m.u.map->bits, 0);
    cr_expect_eq(rpi_map_size(m), N);
    for (int i = 0; i < N; i++) {
        val out;
        val probe = (i % 3 == 2) ? val_double(-i) : val_double(i);
        cr_assert(rpi_map_get(m, probe, &out), "key %d", i);
        cr_expect_eq(out.u.i, i * 10);
    }
    val out;
    cr_expect_not(rpi_map_get(m, val_int(N + 1), &out));
    cr_expect_not(rpi_map_get(m, val_double(0.5), &out));

    static val skeys[N];
    char names[N][8];
    for (int i = 0; i < N; i++) {
        int n = snprintf(names[i], sizeof names[i], "k%d", i);
        skeys[i] = val_string(names[i], (uint32_t)n);
    }
    m = rpi_map_build(&cx, skeys, vals, N);
    cr_assert_eq(m.kind, VK_MAP);
    cr_expect(rpi_map_get_str(m, "k123", 4, &out));
    cr_expect_eq(out.u.i, 1230);
    cr_expect_not(rpi_map_get_str(m, "k300", 4, &out));

    skeys[N - 1] = skeys[17];     /* a repeat far apart */
    cr_expect_eq(rpi_map_build(&cx, skeys, vals, N).kind, VK_ERROR);
    keys[N - 1] = val_uint(3);    /* equals the int key 3 */
    cr_expect_eq(rpi_map_build(&cx, keys, vals, N).kind, VK_ERROR);
}

/* True when S lies inside one of jansson's string values of J. */
static bool is_janssons(const json_t *j, const char *s)
{
    if (json_is_string(j))
        return s == json_string_value(j);
    size_t i;
    const char *k;
    json_t *v;
    if (json_is_array(j)) {
        json_array_foreach(j, i, v) if (is_janssons(v, s)) return true;
    } else if (json_is_object(j)) {
        json_object_foreach((json_t *)j, k, v) if (is_janssons(v, s)) return true;
    }
    return false;
}

/* A frozen document means what its JSON view means; short strings are
 * copied next to their map or list (terminated, as jansson's are: a check
 * then touches one dense block per object), long ones, and those past what
 * a container copies, keep pointing into the tree. */
Test(value, frozen_documents_copy_short_strings)
{
    char long_s[600];
    memset(long_s, 'x', sizeof long_s - 1);
    long_s[sizeof long_s - 1] = '\0';
    char text[4096];
    snprintf(text, sizeof text,
             "{\"kind\": \"RayCluster\", \"nul\": \"a\\u0000b\", \"empty\": \"\", \"long\": \"%s\", "
             "\"n\": 3, \"list\": [\"p\", \"%s\", \"q\", 1, {\"k\": \"v\"}]}",
             long_s, long_s);
    json_error_t e;
    json_t *doc = json_loads(text, JSON_ALLOW_NUL, &e);
    cr_assert_not_null(doc, "%s", e.text);
    cr_assert_lt(ndocs, 32);
    docs[ndocs++] = doc;
    val view = rpi_val_from_json(doc);
    val f = rpi_json_freeze(cx.arena, view.u.json);
    cr_assert_eq(f.kind, VK_MAP);
    cr_assert_eq(f.rep, REP_ARENA);
    cr_expect(rpi_val_equal(f, view));
    val v;
    cr_assert(rpi_map_get_str(f, "kind", 4, &v));
    cr_expect_eq(v.aux, 10);
    cr_expect_eq(memcmp(v.u.s, "RayCluster", 11), 0, "copied with its NUL");
    cr_expect_not(is_janssons(view.u.json, v.u.s));
    cr_assert(rpi_map_get_str(f, "nul", 3, &v));
    cr_expect_eq(v.aux, 3);
    cr_expect_eq(memcmp(v.u.s, "a\0b", 4), 0);
    cr_assert(rpi_map_get_str(f, "empty", 5, &v));
    cr_expect_eq(v.aux, 0);
    cr_expect_eq(v.u.s[0], '\0');
    cr_assert(rpi_map_get_str(f, "long", 4, &v));
    cr_expect_eq(v.aux, sizeof long_s - 1);
    cr_expect(is_janssons(view.u.json, v.u.s), "a long string stays in the tree");
    cr_assert(rpi_map_get_str(f, "list", 4, &v));
    cr_assert_eq(v.kind, VK_LIST);
    cr_assert_eq(v.rep, REP_ARENA);
    cr_expect_eq(memcmp(v.u.list->items[0].u.s, "p", 2), 0);
    cr_expect_not(is_janssons(view.u.json, v.u.list->items[0].u.s));
    cr_expect(is_janssons(view.u.json, v.u.list->items[1].u.s));
    cr_expect_eq(memcmp(v.u.list->items[2].u.s, "q", 2), 0);

    /* more short strings than one container copies: still the same values */
    json_t *big = json_object(), *arr = json_array();
    for (int i = 0; i < 200; i++) {
        char k[16], s[80];
        snprintf(k, sizeof k, "key%d", i);
        memset(s, 'a' + i % 26, sizeof s - 1);
        s[sizeof s - 1] = '\0';
        json_object_set_new(big, k, json_string(s));
        json_array_append_new(arr, json_string(s));
    }
    json_object_set_new(big, "arr", arr);
    cr_assert_lt(ndocs, 32);
    docs[ndocs++] = big;
    f = rpi_json_freeze(cx.arena, big);
    cr_assert_eq(f.kind, VK_MAP);
    cr_expect(rpi_val_equal(f, rpi_val_from_json(big)));
    cr_assert(rpi_map_get_str(f, "key7", 4, &v));
    cr_expect_eq(v.u.s, json_string_value(json_object_get(big, "key7")));
    /* its keys are still copied next to the map */
    const rpi_map *bm = f.u.map;
    for (uint32_t i = 0; i < bm->n; i++) {
        char k[16] = {0}; /* a copied key has no NUL of its own */
        cr_assert_lt(bm->keys[i].aux, sizeof k);
        memcpy(k, bm->keys[i].u.s, bm->keys[i].aux);
        void *it = json_object_iter_at(big, k);
        cr_assert_not_null(it, "key %s", k);
        cr_expect_neq(bm->keys[i].u.s, json_object_iter_key(it), "key %s points into the tree", k);
    }
}
