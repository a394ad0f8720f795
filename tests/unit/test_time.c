/* test_time.c -- timestamps and durations (time.c) read and written as
 * cel-go does.  Expected values are Go's: time.Parse(time.RFC3339, s),
 * time.ParseDuration(s), Time.Format(time.RFC3339Nano) and
 * strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s" (cel-go's
 * string(duration), common/types/duration.go), checked against Go's time
 * package; where Go 1.19 and current Go differ (offset ranges, a missing
 * seconds field) the expectation is current Go's src/time/format.go. */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"

typedef struct ts_case {
    const char *in;
    int rc;
    int64_t sec;
    int32_t nanos;
    int32_t offset;
    const char *out; /* string(timestamp(in)) */
} ts_case;

static const ts_case ts_cases[] = {
    {"2009-02-13T23:31:30Z", 0, 1234567890, 0, 0, "2009-02-13T23:31:30Z"},
    {"2009-02-13T23:31:30.5Z", 0, 1234567890, 500000000, 0, "2009-02-13T23:31:30.5Z"},
    {"2009-02-13T23:31:30.123456789Z", 0, 1234567890, 123456789, 0,
     "2009-02-13T23:31:30.123456789Z"},
    /* more than nine digits: the first nine count, truncated */
    {"2009-02-13T23:31:30.1234567891234Z", 0, 1234567890, 123456789, 0,
     "2009-02-13T23:31:30.123456789Z"},
    {"2009-02-13T23:31:30.000Z", 0, 1234567890, 0, 0, "2009-02-13T23:31:30Z"},
    /* Go accepts a comma before the fraction and a one-digit hour */
    {"2009-02-13T23:31:30,5Z", 0, 1234567890, 500000000, 0, "2009-02-13T23:31:30.5Z"},
    {"2009-02-13T3:31:30Z", 0, 1234495890, 0, 0, "2009-02-13T03:31:30Z"},
    /* offsets are kept and printed back */
    {"2009-02-13T23:31:30+01:00", 0, 1234564290, 0, 3600, "2009-02-13T23:31:30+01:00"},
    {"2009-02-13T23:31:30-09:30", 0, 1234602090, 0, -34200, "2009-02-13T23:31:30-09:30"},
    {"2009-02-13T23:31:30+24:00", 0, 1234481490, 0, 86400, "2009-02-13T23:31:30+24:00"},
    {"2009-02-13T23:31:30-00:00", 0, 1234567890, 0, 0, "2009-02-13T23:31:30Z"},
    {"2023-02-03T23:31:20+00:00", 0, 1675467080, 0, 0, "2023-02-03T23:31:20Z"},
    {"1969-12-31T23:59:59.999999999Z", 0, -1, 999999999, 0, "1969-12-31T23:59:59.999999999Z"},
    {"2000-02-29T00:00:00Z", 0, 951782400, 0, 0, "2000-02-29T00:00:00Z"},
    /* the range: 0001-01-01 .. 9999-12-31, tested on the UTC instant */
    {"0001-01-01T00:00:00Z", 0, -62135596800, 0, 0, "0001-01-01T00:00:00Z"},
    {"9999-12-31T23:59:59.999999999Z", 0, 253402300799, 999999999, 0,
     "9999-12-31T23:59:59.999999999Z"},
    {"9999-12-31T23:59:59-00:30", RPI_TIME_ERANGE, 0, 0, 0, NULL},
    {"0001-01-01T00:00:00+01:00", RPI_TIME_ERANGE, 0, 0, 0, NULL},
    {"0000-01-01T00:00:00Z", RPI_TIME_ERANGE, 0, 0, 0, NULL},
    {"10000-01-01T00:00:00Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    /* what Go rejects */
    {"2009-02-13t23:31:30Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-02-13T23:31:30z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-02-13 23:31:30Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-02-13T23:31:30", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-02-13T23:31:30.Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-02-13T23:31:.5Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-02-13T23:31:30+0100", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-02-13T23:31:30+1:00", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-02-13T23:31:30+25:00", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-02-13T23:31:30+23:61", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-02-13T23:31:30Zx", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-1-13T23:31:30Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-02-29T00:00:00Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"1900-02-29T00:00:00Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-13-01T00:00:00Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-01-32T00:00:00Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-01-01T24:00:00Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-01-01T23:60:00Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"2009-01-01T23:59:60Z", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
    {"", RPI_TIME_ESYNTAX, 0, 0, 0, NULL},
};

Test(time, parse_and_print_timestamps)
{
    for (size_t i = 0; i < sizeof ts_cases / sizeof ts_cases[0]; i++) {
        const ts_case *c = &ts_cases[i];
        int64_t sec = 0;
        int32_t nanos = 0, off = 0;
        int rc = rpi_time_parse_timestamp_at(c->in, strlen(c->in), &sec, &nanos, &off);
        cr_assert_eq(rc, c->rc, "%s: rc %d, want %d", c->in, rc, c->rc);
        if (rc != 0)
            continue;
        cr_expect_eq(sec, c->sec, "%s: sec %lld", c->in, (long long)sec);
        cr_expect_eq(nanos, c->nanos, "%s: nanos %d", c->in, nanos);
        cr_expect_eq(off, c->offset, "%s: offset %d", c->in, off);
        char buf[64];
        size_t n = rpi_time_timestamp_string(sec, nanos, off, buf);
        cr_expect_str_eq(buf, c->out);
        cr_expect_eq(n, strlen(c->out));
        /* the contract's entry point gives the same instant */
        int64_t s2;
        int32_t n2;
        cr_expect_eq(rpi_time_parse_timestamp(c->in, strlen(c->in), &s2, &n2), 0);
        cr_expect(s2 == sec && n2 == nanos);
    }
}

Test(time, parse_does_not_read_past_len)
{
    const char *s = "2009-02-13T23:31:30Zgarbage";
    int64_t sec;
    int32_t nanos;
    cr_assert_eq(rpi_time_parse_timestamp(s, 20, &sec, &nanos), 0);
    cr_assert_eq(sec, 1234567890);
    cr_assert_eq(rpi_time_parse_timestamp(s, 19, &sec, &nanos), RPI_TIME_ESYNTAX);
}

Test(time, protobuf_json_forms)
{
    char buf[64];
    rpi_time_format_timestamp(1234567890, 0, buf);
    cr_expect_str_eq(buf, "2009-02-13T23:31:30Z");
    rpi_time_format_timestamp(1234567890, 500000000, buf);
    cr_expect_str_eq(buf, "2009-02-13T23:31:30.500Z");
    rpi_time_format_timestamp(1234567890, 123456000, buf);
    cr_expect_str_eq(buf, "2009-02-13T23:31:30.123456Z");
    rpi_time_format_timestamp(-62135596800, 1, buf);
    cr_expect_str_eq(buf, "0001-01-01T00:00:00.000000001Z");
    rpi_time_format_duration(1, 500000000, buf);
    cr_expect_str_eq(buf, "1.500s");
    rpi_time_format_duration(-3, 0, buf);
    cr_expect_str_eq(buf, "-3s");
    rpi_time_format_duration(0, -500000000, buf);
    cr_expect_str_eq(buf, "-0.500s");
    rpi_time_format_duration(1, 10000, buf);
    cr_expect_str_eq(buf, "1.000010s");
    rpi_time_format_duration(0, 0, buf);
    cr_expect_str_eq(buf, "0s");
}

typedef struct dur_case {
    const char *in;
    int ok;
    int64_t ns;
    const char *out; /* string(duration(in)) in cel-go */
} dur_case;

static const dur_case dur_cases[] = {
    {"1000000s", 1, 1000000000000000LL, "1000000s"},
    {"1.5s", 1, 1500000000LL, "1.5s"},
    {"-1.5s", 1, -1500000000LL, "-1.5s"},
    {"+1.5s", 1, 1500000000LL, "1.5s"},
    {"1h2m3.5s", 1, 3723500000000LL, "3723.5s"},
    {"1h45m47s", 1, 6347000000000LL, "6347s"},   /* string_ext format vector */
    {"2h", 1, 7200000000000LL, "7200s"},
    {"300ms", 1, 300000000LL, "0.3s"},
    {"1.1ms", 1, 1100000LL, "0.0011s"},
    {"1ns", 1, 1, "0.000000001s"},
    {"1us", 1, 1000, "0.000001s"},
    {"1\xc2\xb5s", 1, 1000, "0.000001s"},     /* U+00B5 */
    {"1\xce\xbcs", 1, 1000, "0.000001s"},     /* U+03BC */
    {"0", 1, 0, "0s"},
    {"-0", 1, 0, "0s"},
    {"+0", 1, 0, "0s"},
    {"0s", 1, 0, "0s"},
    {".5s", 1, 500000000LL, "0.5s"},
    {"5.s", 1, 5000000000LL, "5s"},
    {"1h1h", 1, 7200000000000LL, "7200s"},
    {"0.3h", 1, 1080000000000LL, "1080s"},
    /* fraction digits beyond what fits are ignored, as in Go */
    {"1.9999999999999999999h", 1, 7200000000000LL, "7200s"},
    /* float64 seconds: Go prints what the float holds */
    {"100000000.000000001s", 1, 100000000000000001LL, "100000000s"},
    {"9000000000.999999999s", 1, 9000000000999999999LL, "9000000001s"},
    {"9223372036854775807ns", 1, INT64_MAX, "9223372036.854776s"},
    {"-9223372036854775808ns", 1, INT64_MIN, "-9223372036.854776s"},
    {"2562047h", 1, 9223369200000000000LL, "9223369200s"},
    /* errors: syntax */
    {"", 0, 0, NULL},
    {"1", 0, 0, NULL},
    {"1.0", 0, 0, NULL},
    {".s", 0, 0, NULL},
    {"-.s", 0, 0, NULL},
    {"s", 0, 0, NULL},
    {"1e3s", 0, 0, NULL},
    {"1 s", 0, 0, NULL},
    {"1hour", 0, 0, NULL},
    {"1S", 0, 0, NULL},
    {"- 1s", 0, 0, NULL},
    {"--1s", 0, 0, NULL},
    /* errors: beyond int64 nanoseconds (cel-go durations are time.Duration) */
    {"9223372036854775808ns", 0, 0, NULL},
    {"-9223372036854775809ns", 0, 0, NULL},
    {"2562048h", 0, 0, NULL},
    {"320000000000s", 0, 0, NULL},
    {"-320000000000s", 0, 0, NULL},
    {"18446744073709551616ns", 0, 0, NULL},
};

Test(time, parse_and_print_durations)
{
    for (size_t i = 0; i < sizeof dur_cases / sizeof dur_cases[0]; i++) {
        const dur_case *c = &dur_cases[i];
        int64_t ns = 0;
        int rc = rpi_time_parse_duration_nanos(c->in, strlen(c->in), &ns);
        cr_assert_eq(rc == 0, c->ok, "%s: rc %d", c->in, rc);
        if (rc != 0)
            continue;
        cr_expect_eq(ns, c->ns, "%s: %lld ns", c->in, (long long)ns);
        int64_t sec;
        int32_t nanos;
        cr_assert_eq(rpi_time_parse_duration(c->in, strlen(c->in), &sec, &nanos), 0);
        cr_expect_eq(sec, c->ns / 1000000000LL);
        cr_expect_eq(nanos, (int32_t)(c->ns % 1000000000LL));
        char buf[64];
        rpi_time_duration_string(sec, nanos, buf);
        cr_expect_str_eq(buf, c->out, "%s", c->in);
    }
}

Test(time, duration_nanos_and_split)
{
    int64_t ns, sec;
    int32_t nanos;
    cr_assert(rpi_time_duration_nanos(-1, -500000000, &ns));
    cr_assert_eq(ns, -1500000000LL);
    cr_assert(!rpi_time_duration_nanos(315576000000LL, 0, &ns));
    rpi_time_duration_split(-1500000000LL, &sec, &nanos);
    cr_assert(sec == -1 && nanos == -500000000);
    rpi_time_duration_split(INT64_MIN, &sec, &nanos);
    cr_assert(sec == RPI_DUR_MIN_SECONDS && nanos == -854775808);
}

Test(time, civil)
{
    rpi_civil c;
    /* 2009-02-13T23:31:30Z, a Friday, day 43 (0-based) of the year */
    rpi_time_civil(1234567890, &c);
    cr_assert(c.year == 2009 && c.month == 2 && c.day == 13);
    cr_assert(c.hour == 23 && c.minute == 31 && c.second == 30);
    cr_assert_eq(c.wday, 5);
    cr_assert_eq(c.yday, 43);
    /* 0001-01-01 was a Monday; 9999-12-31 a Friday, day 364 */
    rpi_time_civil(RPI_TS_MIN_SECONDS, &c);
    cr_assert(c.year == 1 && c.month == 1 && c.day == 1 && c.wday == 1 && c.yday == 0);
    rpi_time_civil(RPI_TS_MAX_SECONDS, &c);
    cr_assert(c.year == 9999 && c.month == 12 && c.day == 31 && c.wday == 5 && c.yday == 364);
    cr_assert(c.hour == 23 && c.minute == 59 && c.second == 59);
    /* one second before the epoch */
    rpi_time_civil(-1, &c);
    cr_assert(c.year == 1969 && c.month == 12 && c.day == 31 && c.hour == 23 && c.wday == 3);
    /* leap day of a leap century year */
    rpi_time_civil(951782400, &c);
    cr_assert(c.month == 2 && c.day == 29 && c.yday == 59);
    cr_assert_eq(rpi_time_days_from_civil(1970, 1, 1), 0);
    cr_assert_eq(rpi_time_days_from_civil(2000, 3, 1), 11017);
}
