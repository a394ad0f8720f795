/* test_std_time.c -- the time library (lib/std_time.c): conversions,
 * getters and time arithmetic, called through the library's table as the
 * VM calls them.  Expected values are cel-spec's conformance vectors
 * (tests/simple/testdata/timestamps.textproto, conversions.textproto) and,
 * beyond them, cel-go's behaviour and error texts (common/types/
 * timestamp.go, duration.go, overflow.go, string.go, int.go,
 * common/stdlib/standard.go), checked with Go's time package. */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"
#include "ops.h"

extern const rpi_library rpi_lib_std_time;

static rpi_ctx cx;

static void setup(void)
{
    memset(&cx, 0, sizeof cx);
    cx.arena = rpi_arena_new(1 << 20);
    cr_assert_not_null(cx.arena);
}

static void teardown(void)
{
    rpi_arena_free(cx.arena);
}

TestSuite(std_time, .init = setup, .fini = teardown);

static val call(const char *name, unsigned argc, val a, val b)
{
    val args[2] = {a, b};
    for (size_t i = 0; i < rpi_lib_std_time.nfuncs; i++) {
        const rpi_func *f = &rpi_lib_std_time.funcs[i];
        if (f->argc == argc && strcmp(f->name, name) == 0)
            return f->impl(&cx, args, argc);
    }
    cr_assert_fail("no function %s/%u", name, argc);
    return val_null();
}

static val str(const char *s)
{
    return val_string(s, (uint32_t)strlen(s));
}

static val ts(const char *s)
{
    val v = call("timestamp", 1, str(s), val_null());
    cr_assert_eq(v.kind, VK_TIMESTAMP, "timestamp('%s') failed", s);
    return v;
}

static val dur(const char *s)
{
    val v = call("duration", 1, str(s), val_null());
    cr_assert_eq(v.kind, VK_DURATION, "duration('%s') failed", s);
    return v;
}

static void expect_int(val v, int64_t want, const char *what)
{
    cr_expect_eq(v.kind, VK_INT, "%s: kind %d (%.*s)", what, v.kind,
                 v.kind == VK_ERROR ? (int)v.aux : 0, v.kind == VK_ERROR ? v.u.s : "");
    if (v.kind == VK_INT)
        cr_expect_eq(v.u.i, want, "%s: %lld, want %lld", what, (long long)v.u.i, (long long)want);
}

static void expect_error(val v, const char *msg, const char *what)
{
    cr_assert_eq(v.kind, VK_ERROR, "%s: not an error", what);
    cr_expect(v.aux == strlen(msg) && memcmp(v.u.s, msg, v.aux) == 0, "%s: \"%.*s\", want \"%s\"",
              what, (int)v.aux, v.u.s, msg);
}

static void expect_ts(val v, const char *want)
{
    cr_assert_eq(v.kind, VK_TIMESTAMP, "want %s, kind %d (%.*s)", want, v.kind,
                 v.kind == VK_ERROR ? (int)v.aux : 0, v.kind == VK_ERROR ? v.u.s : "");
    char buf[64];
    rpi_time_timestamp_string(v.u.i, val_nanos(v), val_timestamp_offset(v), buf);
    cr_expect_str_eq(buf, want);
}

static void expect_dur(val v, const char *want)
{
    cr_assert_eq(v.kind, VK_DURATION, "want %s, kind %d (%.*s)", want, v.kind,
                 v.kind == VK_ERROR ? (int)v.aux : 0, v.kind == VK_ERROR ? v.u.s : "");
    char buf[64];
    rpi_time_duration_string(v.u.i, val_nanos(v), buf);
    cr_expect_str_eq(buf, want);
}

#define TS_CONV_ERR "type conversion error from 'string' to 'google.protobuf.Timestamp'"
#define DUR_CONV_ERR "type conversion error from 'string' to 'google.protobuf.Duration'"

Test(std_time, conversions)
{
    val t = ts("2009-02-13T23:31:30Z");
    cr_expect(t.u.i == 1234567890 && val_nanos(t) == 0);
    expect_ts(call("timestamp", 1, val_int(1000000000), val_null()), "2001-09-09T01:46:40Z");
    expect_ts(call("timestamp", 1, val_int(-62135596800LL), val_null()), "0001-01-01T00:00:00Z");
    expect_ts(call("timestamp", 1, t, val_null()), "2009-02-13T23:31:30Z");
    /* the offset written is kept, and printed back by string() */
    val o = ts("2009-02-13T23:31:30+01:00");
    cr_expect_eq(o.u.i, 1234564290);
    expect_ts(o, "2009-02-13T23:31:30+01:00");
    expect_ts(call("timestamp", 1, o, val_null()), "2009-02-13T23:31:30+01:00");
    /* timestamp_range */
    expect_error(call("timestamp", 1, str("0000-01-01T00:00:00Z"), val_null()),
                 "timestamp overflow", "from_string_under");
    expect_error(call("timestamp", 1, val_int(-62135596801LL), val_null()), "timestamp overflow",
                 "from_int_under");
    expect_error(call("timestamp", 1, val_int(253402300800LL), val_null()), "timestamp overflow",
                 "from_int_over");
    expect_error(call("timestamp", 1, str("10000-01-01T00:00:00Z"), val_null()), TS_CONV_ERR,
                 "from_string_over");
    expect_error(call("timestamp", 1, str("2009-02-13"), val_null()), TS_CONV_ERR, "date only");
    cr_expect_eq(call("timestamp", 1, val_bool(true), val_null()).kind, VK_ERROR);

    expect_dur(dur("1000000s"), "1000000s");
    expect_dur(dur("1h45m47s"), "6347s");
    expect_dur(call("duration", 1, dur("100s"), val_null()), "100s");
    /* duration_range: beyond int64 nanoseconds, as cel-go's time.Duration */
    expect_error(call("duration", 1, str("320000000000s"), val_null()), DUR_CONV_ERR,
                 "from_string_over");
    expect_error(call("duration", 1, str("-320000000000s"), val_null()), DUR_CONV_ERR,
                 "from_string_under");
    expect_error(call("duration", 1, str("1"), val_null()), DUR_CONV_ERR, "no unit");
    cr_expect_eq(call("duration", 1, val_int(1), val_null()).kind, VK_ERROR);
}

Test(std_time, timestamp_selectors)
{
    val t = ts("2009-02-13T23:31:30Z");
    expect_int(call("getDate", 1, t, val_null()), 13, "getDate");
    expect_int(call("getDayOfMonth", 1, t, val_null()), 12, "getDayOfMonth");
    expect_int(call("getDayOfWeek", 1, t, val_null()), 5, "getDayOfWeek");
    expect_int(call("getDayOfYear", 1, t, val_null()), 43, "getDayOfYear");
    expect_int(call("getFullYear", 1, t, val_null()), 2009, "getFullYear");
    expect_int(call("getHours", 1, t, val_null()), 23, "getHours");
    expect_int(call("getMinutes", 1, t, val_null()), 31, "getMinutes");
    expect_int(call("getMonth", 1, t, val_null()), 1, "getMonth");
    expect_int(call("getSeconds", 1, t, val_null()), 30, "getSeconds");
    expect_int(call("getMilliseconds", 1, ts("2009-02-13T23:31:20.123456789Z"), val_null()), 123,
               "getMilliseconds");
    /* without a zone the getters read UTC, whatever offset was written
     * (cel-go's standard library passes "UTC") */
    val o = ts("2009-02-13T23:31:30+01:00");
    expect_int(call("getHours", 1, o, val_null()), 22, "getHours of +01:00");
}

Test(std_time, timestamp_selectors_tz)
{
    val t = ts("2009-02-13T23:31:30Z");
    val t2 = ts("2009-02-13T02:00:00Z");
    expect_int(call("getDate", 2, t, str("Australia/Sydney")), 14, "getDate");
    expect_int(call("getDayOfMonth", 2, t, str("US/Central")), 12, "getDayOfMonth_name_pos");
    expect_int(call("getDayOfMonth", 2, t, str("+11:00")), 13, "getDayOfMonth_numerical_pos");
    expect_int(call("getDayOfMonth", 2, t2, str("-02:30")), 11, "getDayOfMonth_numerical_neg");
    expect_int(call("getDayOfMonth", 2, t2, str("America/St_Johns")), 11, "getDayOfMonth_name_neg");
    expect_int(call("getDayOfWeek", 2, t, str("UTC")), 5, "getDayOfWeek");
    expect_int(call("getDayOfYear", 2, t, str("US/Central")), 43, "getDayOfYear");
    expect_int(call("getFullYear", 2, t, str("-09:30")), 2009, "getFullYear");
    expect_int(call("getHours", 2, t, str("02:00")), 1, "getHours");
    expect_int(call("getMinutes", 2, t, str("Asia/Kathmandu")), 16, "getMinutes");
    expect_int(call("getMonth", 2, t, str("UTC")), 1, "getMonth");
    expect_int(call("getSeconds", 2, t, str("-00:00")), 30, "getSeconds");
    expect_int(call("getMilliseconds", 2, ts("2009-02-13T23:31:20.123Z"), str("Asia/Tokyo")), 123,
               "getMilliseconds");
    /* cel-go's examples (common/stdlib/standard.go) */
    expect_int(call("getMonth", 2, ts("2023-01-01T05:30:00Z"), str("America/Los_Angeles")), 11,
               "getMonth LA");
    expect_int(call("getDayOfYear", 2, ts("2023-01-01T05:00:00Z"), str("America/Los_Angeles")),
               364, "getDayOfYear LA");
    expect_int(call("getDate", 2, ts("2023-07-01T05:00:00Z"), str("America/Los_Angeles")), 30,
               "getDate LA");
    expect_int(call("getDayOfWeek", 2, ts("2023-07-16T05:00:00Z"), str("America/Los_Angeles")),
               6, "getDayOfWeek LA");
    expect_int(call("getHours", 2, ts("2023-07-14T10:30:45.123Z"), str("America/Los_Angeles")), 3,
               "getHours LA");
    /* errors */
    expect_error(call("getHours", 2, t, str("Mars/Base")), "unknown time zone Mars/Base",
                 "unknown zone");
    expect_error(call("getHours", 2, t, str("x:00")),
                 "strconv.Atoi: parsing \"x\": invalid syntax", "bad offset");
    cr_expect_eq(call("getHours", 2, t, val_int(1)).kind, VK_ERROR);
    cr_expect_eq(call("getFullYear", 1, dur("1s"), val_null()).kind, VK_ERROR);
    cr_expect_eq(call("getHours", 2, dur("1s"), str("UTC")).kind, VK_ERROR);
}

Test(std_time, duration_converters)
{
    expect_int(call("getHours", 1, dur("10000s"), val_null()), 2, "get_hours");
    expect_int(call("getMinutes", 1, dur("3730s"), val_null()), 62, "get_minutes");
    expect_int(call("getSeconds", 1, dur("3730s"), val_null()), 3730, "get_seconds");
    expect_int(call("getMilliseconds", 1, dur("1.5s"), val_null()), 1500, "get_milliseconds");
    expect_int(call("getSeconds", 1, dur("3723.456s"), val_null()), 3723, "cel-go example");
    expect_int(call("getHours", 1, dur("-1.5h"), val_null()), -1, "negative hours");
    expect_int(call("getMinutes", 1, dur("-1.5h"), val_null()), -90, "negative minutes");
    expect_int(call("getMilliseconds", 1, dur("-1.0019s"), val_null()), -1001, "negative ms");
    /* Go's float64 Seconds(): the fraction rounds up at this magnitude */
    expect_int(call("getSeconds", 1, dur("9000000000.999999999s"), val_null()), 9000000001,
               "float seconds");
}

Test(std_time, arithmetic)
{
    val r = rpi_time_add(&cx, ts("2009-02-13T23:00:00Z"), dur("240s"));
    expect_ts(r, "2009-02-13T23:04:00Z");
    expect_ts(rpi_time_add(&cx, dur("120s"), ts("2009-02-13T23:01:00Z")), "2009-02-13T23:03:00Z");
    expect_dur(rpi_time_add(&cx, dur("600s"), dur("50s")), "650s");
    expect_ts(rpi_time_add(&cx, ts("0001-01-01T00:00:01.000000001Z"), dur("-999999999ns")),
              "0001-01-01T00:00:00.000000002Z");
    expect_ts(rpi_time_add(&cx, ts("0001-01-01T00:00:01.999999999Z"), dur("999999999ns")),
              "0001-01-01T00:00:02.999999998Z");
    expect_ts(rpi_time_sub(&cx, ts("2009-02-13T23:10:00Z"), dur("600s")), "2009-02-13T23:00:00Z");
    expect_dur(rpi_time_sub(&cx, ts("2009-02-13T23:31:00Z"), ts("2009-02-13T23:29:00Z")), "120s");
    expect_dur(rpi_time_sub(&cx, dur("900s"), dur("42s")), "858s");
    expect_dur(rpi_time_sub(&cx, ts("2009-02-13T23:29:00.5Z"), ts("2009-02-13T23:31:00Z")),
               "-119.5s");
    /* the written offset survives arithmetic, as the Go zone does */
    expect_ts(rpi_time_add(&cx, ts("2009-02-13T23:31:30+01:00"), dur("1h")),
              "2009-02-14T00:31:30+01:00");
    expect_ts(rpi_time_sub(&cx, ts("2009-02-13T23:31:30-08:00"), dur("24h")),
              "2009-02-12T23:31:30-08:00");
}

Test(std_time, ranges)
{
    expect_error(rpi_time_add(&cx, ts("0001-01-01T00:00:00Z"), dur("-1s")), "timestamp overflow",
                 "add_duration_under");
    expect_error(rpi_time_add(&cx, ts("9999-12-31T23:59:59Z"), dur("1s")), "timestamp overflow",
                 "add_duration_over");
    expect_error(rpi_time_add(&cx, ts("9999-12-31T23:59:59.999999999Z"), dur("1ns")),
                 "timestamp overflow", "add_duration_nanos_over");
    expect_error(rpi_time_add(&cx, ts("0001-01-01T00:00:00Z"), dur("-1ns")), "timestamp overflow",
                 "add_duration_nanos_under");
    expect_error(rpi_time_sub(&cx, ts("9999-12-31T23:59:59Z"), ts("0001-01-01T00:00:00Z")),
                 "integer overflow", "sub_time_duration_over");
    expect_error(rpi_time_sub(&cx, ts("0001-01-01T00:00:00Z"), ts("9999-12-31T23:59:59Z")),
                 "integer overflow", "sub_time_duration_under");
    expect_error(rpi_time_add(&cx, dur("9223372036s"), dur("1s")), "integer overflow", "add_over");
    expect_error(rpi_time_sub(&cx, dur("-9223372036s"), dur("1s")), "integer overflow",
                 "sub_under");
    expect_error(rpi_time_sub(&cx, ts("2009-02-13T23:31:30Z"), dur("-9223372036854775808ns")),
                 "integer overflow", "negating the smallest duration");
    /* the largest difference that fits */
    expect_dur(rpi_time_sub(&cx, ts("2262-04-11T23:47:16.854775807Z"), ts("1970-01-01T00:00:00Z")),
               "9223372036.854776s");
    cr_expect_eq(rpi_time_add(&cx, ts("2009-02-13T23:31:30Z"), ts("2009-02-13T23:31:30Z")).kind,
                 VK_ERROR);
    cr_expect_eq(rpi_time_sub(&cx, dur("1s"), ts("2009-02-13T23:31:30Z")).kind, VK_ERROR);
    cr_expect_eq(rpi_time_add(&cx, ts("2009-02-13T23:31:30Z"), val_int(1)).kind, VK_ERROR);
}

Test(std_time, table)
{
    /* one entry per (name, call style, arity), each with typed signatures */
    for (size_t i = 0; i < rpi_lib_std_time.nfuncs; i++) {
        const rpi_func *f = &rpi_lib_std_time.funcs[i];
        cr_expect_not_null(f->sigs[0], "%s", f->name);
        for (size_t j = i + 1; j < rpi_lib_std_time.nfuncs; j++) {
            const rpi_func *g = &rpi_lib_std_time.funcs[j];
            cr_expect(!(strcmp(f->name, g->name) == 0 && f->argc == g->argc && (f->style & g->style)),
                      "%s/%u twice", f->name, f->argc);
        }
    }
    cr_expect_eq(rpi_lib_std_time.profiles, RPI_PROF_ALL);
}
