/* test_value_out.c -- values as JSON: double formatting (Go's %g for
 * string(double), shortest round-trip digits for JSON), the plain and the
 * typed (cel.expr.Value, as the conformance vectors write it) forms as text
 * and as jansson trees, and reading the typed form back. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static rpi_ctx cx;
static json_t *docs[64];
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

TestSuite(value_out, .init = setup, .fini = teardown);

#define STR(lit) val_string((lit), (uint32_t)(sizeof(lit) - 1))

static json_t *keep(json_t *j)
{
    cr_assert_not_null(j);
    cr_assert_lt(ndocs, 64, "too many test documents");
    docs[ndocs++] = j;
    return j;
}

static json_t *parse(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, JSON_DECODE_ANY, &e);
    cr_assert_not_null(j, "bad test JSON %s: %s", s, e.text);
    return keep(j);
}

static void expect_text(val v, bool typed, const char *want)
{
    char *got = rpi_val_to_json_text(v, typed, NULL);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, want);
    free(got);
}

static void expect_go(double d, const char *want)
{
    char buf[RPI_DOUBLE_BUF];
    size_t n = rpi_val_format_double(d, RPI_DOUBLE_GO, buf);
    cr_expect_str_eq(buf, want, "%.17g", d);
    cr_expect_eq(n, strlen(want));
}

static void expect_json(double d, const char *want)
{
    char buf[RPI_DOUBLE_BUF];
    rpi_val_format_double(d, RPI_DOUBLE_JSON, buf);
    cr_expect_str_eq(buf, want, "%.17g", d);
}

/* ---- Doubles ------------------------------------------------------------------------ */

/* fmt.Sprintf("%g", x) in Go, which cel-go's string(double) uses. */
Test(value_out, doubles_as_go_prints_them)
{
    expect_go(123.456, "123.456");
    expect_go(-4.5e-3, "-0.0045");
    expect_go(-1.23e4, "-12300");
    expect_go(1e6, "1e+06");
    expect_go(123456, "123456");
    expect_go(1234567, "1.234567e+06");
    expect_go(0.0001, "0.0001");
    expect_go(0.00001, "1e-05");
    expect_go(0.1, "0.1");
    expect_go(0.1 + 0.2, "0.30000000000000004");
    expect_go(1e21, "1e+21");
    expect_go(1e100, "1e+100");
    expect_go(5e-324, "5e-324");
    expect_go(1.7976931348623157e308, "1.7976931348623157e+308");
    expect_go(0, "0");
    expect_go(-0.0, "-0");
    expect_go(NAN, "NaN");
    expect_go(INFINITY, "+Inf");
    expect_go(-INFINITY, "-Inf");
}

Test(value_out, doubles_as_json_numbers)
{
    expect_json(1, "1.0");
    expect_json(-2.5, "-2.5");
    expect_json(0.1, "0.1");
    expect_json(0.1 + 0.2, "0.30000000000000004");
    expect_json(1e20, "100000000000000000000.0");
    expect_json(1e21, "1e+21");
    expect_json(1e-6, "0.000001");
    expect_json(1e-7, "1e-7");
    expect_json(1.5e300, "1.5e+300");
    expect_json(0, "0.0");
    expect_json(-0.0, "-0.0");
    expect_json(NAN, "NaN");
    expect_json(INFINITY, "Infinity");
    expect_json(-INFINITY, "-Infinity");
}

Test(value_out, shortest_digits_read_back_exactly)
{
    const double xs[] = {0.1, 1.0 / 3, 2.0 / 3, 1e-300, 123456789.123456789, 9007199254740993.0,
                         4.9406564584124654e-324, 2.2250738585072014e-308, 6.02214e23};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        char buf[RPI_DOUBLE_BUF];
        rpi_val_format_double(xs[i], RPI_DOUBLE_JSON, buf);
        cr_expect_eq(strtod(buf, NULL), xs[i], "%s", buf);
        rpi_val_format_double(xs[i], RPI_DOUBLE_GO, buf);
        cr_expect_eq(strtod(buf, NULL), xs[i], "%s", buf);
    }
}

/* ---- Typed text (cel.expr.Value) -------------------------------------------------------- */

Test(value_out, typed_scalars)
{
    expect_text(val_null(), true, "{\"nullValue\":null}");
    expect_text(val_bool(true), true, "{\"boolValue\":true}");
    expect_text(val_int(INT64_MIN), true, "{\"int64Value\":\"-9223372036854775808\"}");
    expect_text(val_uint(UINT64_MAX), true, "{\"uint64Value\":\"18446744073709551615\"}");
    expect_text(val_double(2.5), true, "{\"doubleValue\":2.5}");
    expect_text(val_double(INFINITY), true, "{\"doubleValue\":\"Infinity\"}");
    expect_text(val_double(NAN), true, "{\"doubleValue\":\"NaN\"}");
    expect_text(STR("a\"b\\c\n\x01\xc3\xbf"), true,
                "{\"stringValue\":\"a\\\"b\\\\c\\n\\u0001\xc3\xbf\"}");
    expect_text(val_bytes("", 0), true, "{\"bytesValue\":\"\"}");
    expect_text(val_bytes("\xc3\xbf", 2), true, "{\"bytesValue\":\"w78=\"}");
    expect_text(val_bytes("\xffoo", 3), true, "{\"bytesValue\":\"/29v\"}");
    expect_text(val_bytes("\0\xff", 2), true, "{\"bytesValue\":\"AP8=\"}");
    expect_text(val_type(&rpi_type_null), true, "{\"typeValue\":\"null_type\"}");
}

Test(value_out, typed_time)
{
    expect_text(val_timestamp(1234567890, 0), true,
                "{\"objectValue\":{\"@type\":\"type.googleapis.com/google.protobuf.Timestamp\","
                "\"value\":\"2009-02-13T23:31:30Z\"}}");
    expect_text(val_duration(1, 500000000), true,
                "{\"objectValue\":{\"@type\":\"type.googleapis.com/google.protobuf.Duration\","
                "\"value\":\"1.500s\"}}");
}

Test(value_out, typed_containers)
{
    rpi_list *empty = rpi_list_new(&cx, 0);
    expect_text(val_list(empty), true, "{\"listValue\":{}}");
    rpi_list *l = rpi_list_new(&cx, 2);
    l->items[0] = val_int(2);
    l->items[1] = val_int(2);
    expect_text(val_list(l), true,
                "{\"listValue\":{\"values\":[{\"int64Value\":\"2\"},{\"int64Value\":\"2\"}]}}");
    expect_text(rpi_map_build(&cx, NULL, NULL, 0), true, "{\"mapValue\":{}}");
    val k = STR("k"), v = STR("v");
    expect_text(rpi_map_build(&cx, &k, &v, 1), true,
                "{\"mapValue\":{\"entries\":[{\"key\":{\"stringValue\":\"k\"},"
                "\"value\":{\"stringValue\":\"v\"}}]}}");
    val j = rpi_val_from_json(parse("{\"a\": [1, 1.5, null]}"));
    expect_text(j, true,
                "{\"mapValue\":{\"entries\":[{\"key\":{\"stringValue\":\"a\"},\"value\":"
                "{\"listValue\":{\"values\":[{\"int64Value\":\"1\"},{\"doubleValue\":1.5},"
                "{\"nullValue\":null}]}}}]}}");
}

/* ---- Plain text -------------------------------------------------------------------------- */

Test(value_out, plain_form)
{
    expect_text(val_null(), false, "null");
    expect_text(val_int(-3), false, "-3");
    expect_text(val_uint(UINT64_MAX), false, "18446744073709551615");
    expect_text(val_double(3), false, "3.0");
    expect_text(val_double(-INFINITY), false, "\"-Infinity\"");
    expect_text(val_bytes("abc", 3), false, "\"YWJj\"");
    expect_text(val_type(&rpi_type_timestamp), false, "\"google.protobuf.Timestamp\"");
    expect_text(val_timestamp_at(1234567890, 500000000, 3600), false,
                "\"2009-02-14T00:31:30.5+01:00\"");
    expect_text(val_duration(-1, -500000000), false, "\"-1.5s\"");
    val one = val_int(1);
    expect_text(val_optional(&one), false, "1");
    expect_text(val_optional(NULL), false, "null");
    val keys[3] = {val_int(1), val_bool(true), STR("s")};
    val vals[3] = {STR("a"), val_double(0.5), val_null()};
    expect_text(rpi_map_build(&cx, keys, vals, 3), false, "{\"1\":\"a\",\"true\":0.5,\"s\":null}");
    val j = rpi_val_from_json(parse("{\"z\": [1, \"x\", {}], \"a\": false}"));
    expect_text(j, false, "{\"z\":[1,\"x\",{}],\"a\":false}");
}

/* ---- jansson trees ------------------------------------------------------------------------- */

static void expect_tree(val v, bool typed, const char *want)
{
    json_t *got = rpi_val_to_jansson(v, typed);
    cr_assert_not_null(got);
    json_t *w = parse(want);
    char *s = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
    cr_expect(json_equal(got, w), "got %s want %s", s, want);
    free(s);
    json_decref(got);
}

Test(value_out, jansson_trees)
{
    expect_tree(val_int(5), true, "{\"int64Value\": \"5\"}");
    expect_tree(val_int(5), false, "5");
    expect_tree(val_uint(7), true, "{\"uint64Value\": \"7\"}");
    expect_tree(val_double(NAN), false, "\"NaN\"");
    expect_tree(val_bytes("\xff", 1), true, "{\"bytesValue\": \"/w==\"}");
    rpi_list *empty = rpi_list_new(&cx, 0);
    expect_tree(val_list(empty), true, "{\"listValue\": {}}");
    expect_tree(rpi_map_build(&cx, NULL, NULL, 0), true, "{\"mapValue\": {}}");
    val keys[2] = {val_int(1), STR("k")};
    val vals[2] = {val_bool(true), val_list(empty)};
    val m = rpi_map_build(&cx, keys, vals, 2);
    expect_tree(m, false, "{\"1\": true, \"k\": []}");
    expect_tree(m, true,
                "{\"mapValue\": {\"entries\": ["
                "{\"key\": {\"int64Value\": \"1\"}, \"value\": {\"boolValue\": true}},"
                "{\"key\": {\"stringValue\": \"k\"}, \"value\": {\"listValue\": {}}}]}}");
    expect_tree(val_timestamp(0, 0), true,
                "{\"objectValue\": {\"@type\": \"type.googleapis.com/google.protobuf.Timestamp\","
                " \"value\": \"1970-01-01T00:00:00Z\"}}");
    expect_tree(val_type(&rpi_type_int), true, "{\"typeValue\": \"int\"}");
}

/* ---- Reading the typed form ------------------------------------------------------------------ */

static val read_typed(const char *s) { return rpi_val_from_typed_json(&cx, parse(s)); }

Test(value_out, reads_typed_scalars)
{
    val v = read_typed("{\"int64Value\": \"-9223372036854775808\"}");
    cr_expect_eq(v.kind, VK_INT);
    cr_expect_eq(v.u.i, INT64_MIN);
    cr_expect_eq(read_typed("{\"int64Value\": 124}").u.i, 124);
    v = read_typed("{\"uint64Value\": \"18446744073709551615\"}");
    cr_expect_eq(v.kind, VK_UINT);
    cr_expect_eq(v.u.u, UINT64_MAX);
    cr_expect_eq(read_typed("{\"doubleValue\": 9.8}").u.d, 9.8);
    cr_expect_eq(read_typed("{\"doubleValue\": 3}").u.d, 3.0);
    cr_expect(isnan(read_typed("{\"doubleValue\": \"NaN\"}").u.d));
    cr_expect_eq(read_typed("{\"doubleValue\": \"-Infinity\"}").u.d, -INFINITY);
    cr_expect_eq(read_typed("{\"boolValue\": true}").u.b, true);
    cr_expect_eq(read_typed("{\"nullValue\": null}").kind, VK_NULL);
    cr_expect_eq(read_typed("{\"nullValue\": \"NULL_VALUE\"}").kind, VK_NULL);
    v = read_typed("{\"typeValue\": \"google.protobuf.Duration\"}");
    cr_expect_eq(v.kind, VK_TYPE);
    cr_expect_eq(v.u.type, &rpi_type_duration);
    v = read_typed("{\"enumValue\": {\"type\": \"x.GlobalEnum\", \"value\": 444}}");
    cr_expect_eq(v.kind, VK_INT);
    cr_expect_eq(v.u.i, 444);
}

Test(value_out, typed_strings_are_views_and_bytes_are_decoded)
{
    json_t *j = parse("{\"stringValue\": \"h\\u00e9\"}");
    val v = rpi_val_from_typed_json(&cx, j);
    cr_expect_eq(v.kind, VK_STRING);
    cr_expect_eq(v.aux, 3);
    cr_expect_eq(v.u.s, json_string_value(json_object_get(j, "stringValue")));
    v = read_typed("{\"bytesValue\": \"AA==\"}");
    cr_expect_eq(v.kind, VK_BYTES);
    cr_expect_eq(v.aux, 1);
    cr_expect_eq(v.u.s[0], 0);
    v = read_typed("{\"bytesValue\": \"aGVsbG8\"}");     /* unpadded */
    cr_expect_eq(v.aux, 5);
    cr_expect(memcmp(v.u.s, "hello", 5) == 0);
    v = read_typed("{\"bytesValue\": \"_-8=\"}");        /* URL-safe alphabet */
    cr_expect_eq(v.aux, 2);
    cr_expect_eq((unsigned char)v.u.s[0], 0xff);
    cr_expect_eq((unsigned char)v.u.s[1], 0xef);
    cr_expect_eq(read_typed("{\"bytesValue\": \"a\"}").kind, VK_ERROR);
    cr_expect_eq(read_typed("{\"bytesValue\": \"a*==\"}").kind, VK_ERROR);
}

Test(value_out, reads_typed_containers_and_time)
{
    val v = read_typed("{\"listValue\": {\"values\": [{\"int64Value\": \"2\"}, {\"int64Value\": \"1\"}]}}");
    cr_assert_eq(v.kind, VK_LIST);
    cr_expect_eq(rpi_list_size(v), 2);
    cr_expect_eq(rpi_list_at(v, 0).u.i, 2);
    cr_expect_eq(rpi_list_size(read_typed("{\"listValue\": {}}")), 0);
    v = read_typed("{\"mapValue\": {\"entries\": [{\"key\": {\"stringValue\": \"c\"}, \"value\": "
                   "{\"stringValue\": \"d\"}}, {\"key\": {\"int64Value\": \"1\"}, \"value\": "
                   "{\"nullValue\": null}}]}}");
    cr_assert_eq(v.kind, VK_MAP);
    val out;
    cr_expect(rpi_map_get(v, val_uint(1), &out));
    cr_expect_eq(out.kind, VK_NULL);
    cr_expect_eq(rpi_map_size(read_typed("{\"mapValue\": {}}")), 0);
    v = read_typed("{\"objectValue\": {\"@type\": \"type.googleapis.com/google.protobuf.Timestamp\","
                   " \"value\": \"2009-02-13T23:31:30Z\"}}");
    cr_expect_eq(v.kind, VK_TIMESTAMP);
    cr_expect_eq(v.u.i, 1234567890);
    v = read_typed("{\"objectValue\": {\"@type\": \"type.googleapis.com/google.protobuf.Duration\","
                   " \"value\": \"1.5s\"}}");
    cr_expect_eq(v.kind, VK_DURATION);
    cr_expect_eq(v.u.i, 1);
    cr_expect_eq(val_nanos(v), 500000000);
}

Test(value_out, malformed_typed_json_gives_errors)
{
    const char *bad[] = {
        "1",
        "{}",
        "{\"int64Value\": \"1\", \"boolValue\": true}",
        "{\"int64Value\": \"9223372036854775808\"}",
        "{\"int64Value\": \"0x10\"}",
        "{\"int64Value\": \"\"}",
        "{\"uint64Value\": \"-1\"}",
        "{\"uint64Value\": \"18446744073709551616\"}",
        "{\"doubleValue\": \"fast\"}",
        "{\"boolValue\": 1}",
        "{\"nullValue\": 0}",
        "{\"stringValue\": 5}",
        "{\"listValue\": []}",
        "{\"listValue\": {\"values\": [{\"bogus\": 1}]}}",
        "{\"mapValue\": {\"entries\": [{\"key\": {\"doubleValue\": 1}, \"value\": {\"nullValue\": null}}]}}",
        "{\"mapValue\": {\"entries\": [{\"key\": {\"int64Value\": \"1\"}}]}}",
        "{\"typeValue\": \"no.such.Type\"}",
        "{\"objectValue\": {\"@type\": \"type.googleapis.com/google.protobuf.Any\", \"value\": \"x\"}}",
        "{\"objectValue\": {\"@type\": \"type.googleapis.com/google.protobuf.Timestamp\", \"value\": \"yesterday\"}}",
        "{\"someValue\": 1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        val v = read_typed(bad[i]);
        cr_expect_eq(v.kind, VK_ERROR, "%s", bad[i]);
        cr_expect_gt(v.aux, 0, "%s", bad[i]);
    }
    val v = read_typed("{\"mapValue\": {\"entries\": [{\"key\": {\"int64Value\": \"1\"}, \"value\": "
                       "{\"nullValue\": null}}, {\"key\": {\"uint64Value\": \"1\"}, \"value\": "
                       "{\"nullValue\": null}}]}}");
    cr_expect_eq(v.kind, VK_ERROR);
    cr_expect_eq(rpi_val_from_typed_json(&cx, NULL).kind, VK_ERROR);
}

Test(value_out, typed_round_trip)
{
    const char *texts[] = {
        "{\"int64Value\":\"-7\"}",
        "{\"uint64Value\":\"18446744073709551615\"}",
        "{\"doubleValue\":0.30000000000000004}",
        "{\"doubleValue\":\"-Infinity\"}",
        "{\"stringValue\":\"\xcf\x80\"}",
        "{\"bytesValue\":\"AP8=\"}",
        "{\"listValue\":{\"values\":[{\"boolValue\":false},{\"listValue\":{}}]}}",
        "{\"mapValue\":{\"entries\":[{\"key\":{\"boolValue\":true},\"value\":{\"mapValue\":{}}}]}}",
        "{\"typeValue\":\"optional_type\"}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        val v = read_typed(texts[i]);
        cr_assert_neq(v.kind, VK_ERROR, "%s: %.*s", texts[i], (int)v.aux, v.u.s);
        expect_text(v, true, texts[i]);
    }
}

/* Every arena limit either lets the read succeed or makes it fail cleanly
 * with the limit recorded (jansson's test_chaos idea, with the arena's
 * limit as the failing allocator). */
Test(value_out, typed_read_under_every_memory_limit)
{
    json_t *j = parse("{\"mapValue\": {\"entries\": ["
                      "{\"key\": {\"stringValue\": \"a\"}, \"value\": {\"listValue\": {\"values\": ["
                      "{\"bytesValue\": \"aGVsbG8gd29ybGQ=\"}, {\"int64Value\": \"1\"}]}}},"
                      "{\"key\": {\"int64Value\": \"2\"}, \"value\": {\"mapValue\": {}}}]}}");
    bool succeeded = false;
    for (size_t limit = 16; limit <= 4096 && !succeeded; limit += 16) {
        rpi_ctx c = {0};
        c.arena = rpi_arena_new(limit);
        val v = rpi_val_from_typed_json(&c, j);
        if (v.kind == VK_ERROR) {
            cr_expect_eq(c.limit_hit, 1, "limit %zu: %.*s", limit, (int)v.aux, v.u.s);
        } else {
            succeeded = true;
            cr_expect_eq(v.kind, VK_MAP);
            cr_expect_eq(rpi_map_size(v), 2);
        }
        rpi_arena_free(c.arena);
    }
    cr_expect(succeeded);
}

Test(value_out, strtod_reads_the_whole_text)
{
    double d;
    cr_expect(rpi_val_strtod("1.5", 3, &d));
    cr_expect_eq(d, 1.5);
    cr_expect(rpi_val_strtod("-2e-3xyz", 5, &d));    /* only the first 5 bytes count */
    cr_expect_eq(d, -2e-3);
    cr_expect_not(rpi_val_strtod("1.5x", 4, &d));
    cr_expect_not(rpi_val_strtod(" 1", 2, &d));
    cr_expect_not(rpi_val_strtod("", 0, &d));
    cr_expect_not(rpi_val_strtod("1\0" "2", 3, &d));
}
