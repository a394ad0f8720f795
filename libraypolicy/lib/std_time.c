/* lib/std_time.c -- the cel-spec standard functions on timestamps and
 * durations: the timestamp() and duration() conversions, the getters
 * (getFullYear ... getMilliseconds, with an optional time zone for
 * timestamps), and the time arithmetic that rpi_op_add / rpi_op_sub hand
 * over (ops.h).
 *
 * Behaviour and error texts are cel-go's (common/types/timestamp.go,
 * duration.go, overflow.go, common/stdlib/standard.go):
 *   - getters without a zone read the instant in UTC; with one, in that zone
 *     (tz.c): getMonth, getDayOfMonth, getDayOfYear are 0-based, getDate
 *     1-based, getDayOfWeek 0 = Sunday;
 *   - on durations the getters are totals, computed from Go's float64
 *     Hours()/Minutes()/Seconds() and truncated, exactly as cel-go does it;
 *   - a timestamp leaving 0001-01-01..9999-12-31 is "timestamp overflow",
 *     a duration leaving int64 nanoseconds is "integer overflow".
 * A timestamp keeps the offset it was written with (value.h,
 * val_timestamp_at) through the arithmetic, as Go's time.Time keeps its zone.
 */
#include <string.h>

#include "../internal.h"
#include "../ops.h"

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

#define NANOS_PER_SECOND 1000000000LL

/* The nanoseconds of duration V; false for a duration outside int64
 * nanoseconds, which only a caller outside this library can have made. */
static bool dur_nanos(val v, int64_t *ns)
{
    return rpi_time_duration_nanos(v.u.i, val_nanos(v), ns);
}

static val make_duration(int64_t ns)
{
    int64_t sec;
    int32_t nanos;
    rpi_time_duration_split(ns, &sec, &nanos);
    return val_duration(sec, nanos);
}

/* ---- Conversions ------------------------------------------------------------ */

static val fn_timestamp(rpi_ctx *cx, const val *args, unsigned argc)
{
    val a = args[0];
    switch (a.kind) {
    case VK_TIMESTAMP:
        return a;
    case VK_INT:
        if (a.u.i < RPI_TS_MIN_SECONDS || a.u.i > RPI_TS_MAX_SECONDS)
            return VAL_ERROR_LIT("timestamp overflow");
        return val_timestamp(a.u.i, 0);
    case VK_STRING: {
        int64_t sec;
        int32_t nanos, off;
        int rc = rpi_time_parse_timestamp_at(a.u.s, a.aux, &sec, &nanos, &off);
        if (rc == RPI_TIME_ERANGE)
            return VAL_ERROR_LIT("timestamp overflow");
        if (rc != 0)
            return VAL_ERROR_LIT(
                "type conversion error from 'string' to 'google.protobuf.Timestamp'");
        return val_timestamp_at(sec, nanos, off);
    }
    default:
        return rpi_err_no_overload(cx, "timestamp", args, argc);
    }
}

static val fn_duration(rpi_ctx *cx, const val *args, unsigned argc)
{
    val a = args[0];
    if (a.kind == VK_DURATION)
        return a;
    if (a.kind != VK_STRING)
        return rpi_err_no_overload(cx, "duration", args, argc);
    int64_t ns;
    if (rpi_time_parse_duration_nanos(a.u.s, a.aux, &ns) != 0)
        return VAL_ERROR_LIT("type conversion error from 'string' to 'google.protobuf.Duration'");
    return make_duration(ns);
}

/* ---- Getters ---------------------------------------------------------------- */

typedef enum field {
    F_YEAR, F_MONTH, F_DAY_OF_YEAR, F_DATE, F_DAY_OF_MONTH, F_DAY_OF_WEEK,
    F_HOURS, F_MINUTES, F_SECONDS, F_MILLISECONDS,
} field;

/* A duration's total in a unit, as cel-go computes it: Go's Hours(),
 * Minutes() and Seconds() are float64 (whole units plus the remainder as a
 * fraction), then converted back to int, which truncates; Milliseconds()
 * is integer division.  The float step matters for large durations, where
 * the fraction can round up to the next whole unit. */
static val duration_field(rpi_ctx *cx, val d, field f)
{
    int64_t ns, unit;
    if (!dur_nanos(d, &ns))
        return VAL_ERROR_LIT("integer overflow");
    switch (f) {
    case F_HOURS: unit = 3600 * NANOS_PER_SECOND; break;
    case F_MINUTES: unit = 60 * NANOS_PER_SECOND; break;
    case F_SECONDS: unit = NANOS_PER_SECOND; break;
    case F_MILLISECONDS: return val_int(ns / 1000000);
    default: return rpi_err_no_overload(cx, "getHours", &d, 1);
    }
    double total = (double)(ns / unit) + (double)(ns % unit) / (double)unit;
    return val_int((int64_t)total);
}

/* A timestamp's field in UTC, or in the zone ARGS[1] when ARGC is 2. */
static val timestamp_field(rpi_ctx *cx, const val *args, unsigned argc, field f,
                           const char *name)
{
    val t = args[0];
    if (t.kind != VK_TIMESTAMP || (argc == 2 && args[1].kind != VK_STRING))
        return rpi_err_no_overload(cx, name, args, argc);
    int64_t off = 0;
    if (argc == 2) {
        char err[300];
        if (rpi_tz_offset(args[1].u.s, args[1].aux, t.u.i, &off, err, sizeof err) != 0)
            return rpi_err(cx, "%s", err);
    }
    rpi_civil c;
    rpi_time_civil(t.u.i + off, &c);
    switch (f) {
    case F_YEAR: return val_int(c.year);
    case F_MONTH: return val_int(c.month - 1);
    case F_DAY_OF_YEAR: return val_int(c.yday);
    case F_DATE: return val_int(c.day);
    case F_DAY_OF_MONTH: return val_int(c.day - 1);
    case F_DAY_OF_WEEK: return val_int(c.wday);
    case F_HOURS: return val_int(c.hour);
    case F_MINUTES: return val_int(c.minute);
    case F_SECONDS: return val_int(c.second);
    case F_MILLISECONDS: return val_int(val_nanos(t) / 1000000);
    }
    return rpi_err_no_overload(cx, name, args, argc);
}

/* Getters that durations have too (one argument: the receiver). */
static val time_field(rpi_ctx *cx, const val *args, unsigned argc, field f, const char *name)
{
    if (argc == 1 && args[0].kind == VK_DURATION)
        return duration_field(cx, args[0], f);
    return timestamp_field(cx, args, argc, f, name);
}

#define GETTER(fn, impl, f, name)                                                  \
    static val fn(rpi_ctx *cx, const val *args, unsigned argc)                     \
    {                                                                              \
        return impl(cx, args, argc, f, name);                                      \
    }
GETTER(fn_get_full_year, timestamp_field, F_YEAR, "getFullYear")
GETTER(fn_get_month, timestamp_field, F_MONTH, "getMonth")
GETTER(fn_get_day_of_year, timestamp_field, F_DAY_OF_YEAR, "getDayOfYear")
GETTER(fn_get_date, timestamp_field, F_DATE, "getDate")
GETTER(fn_get_day_of_month, timestamp_field, F_DAY_OF_MONTH, "getDayOfMonth")
GETTER(fn_get_day_of_week, timestamp_field, F_DAY_OF_WEEK, "getDayOfWeek")
GETTER(fn_get_hours, time_field, F_HOURS, "getHours")
GETTER(fn_get_minutes, time_field, F_MINUTES, "getMinutes")
GETTER(fn_get_seconds, time_field, F_SECONDS, "getSeconds")
GETTER(fn_get_milliseconds, time_field, F_MILLISECONDS, "getMilliseconds")
#undef GETTER

/* ---- Arithmetic (ops.h) ------------------------------------------------------ */

/* cel-go's addTimeDurationChecked: whole seconds and nanoseconds added
 * separately, the nanoseconds carried into [0, 1e9), then the range test.
 * The result keeps T's offset. */
static val timestamp_plus(val t, int64_t d)
{
    int64_t sec;
    int64_t ns = (int64_t)val_nanos(t) + d % NANOS_PER_SECOND;
    if (__builtin_add_overflow(t.u.i, d / NANOS_PER_SECOND, &sec))
        return VAL_ERROR_LIT("timestamp overflow");
    if (ns < 0) {
        sec--;
        ns += NANOS_PER_SECOND;
    } else if (ns >= NANOS_PER_SECOND) {
        sec++;
        ns -= NANOS_PER_SECOND;
    }
    if (sec < RPI_TS_MIN_SECONDS || sec > RPI_TS_MAX_SECONDS)
        return VAL_ERROR_LIT("timestamp overflow");
    return val_timestamp_at(sec, (int32_t)ns, val_timestamp_offset(t));
}

static val no_overload(rpi_ctx *cx, const char *op, val a, val b)
{
    val args[2] = {a, b};
    return rpi_err_no_overload(cx, op, args, 2);
}

val rpi_time_add(rpi_ctx *cx, val a, val b)
{
    int64_t x, y, r;
    if (a.kind == VK_TIMESTAMP && b.kind == VK_DURATION)
        return dur_nanos(b, &y) ? timestamp_plus(a, y) : VAL_ERROR_LIT("integer overflow");
    if (a.kind == VK_DURATION && b.kind == VK_TIMESTAMP)
        return dur_nanos(a, &x) ? timestamp_plus(b, x) : VAL_ERROR_LIT("integer overflow");
    if (a.kind == VK_DURATION && b.kind == VK_DURATION) {
        if (!dur_nanos(a, &x) || !dur_nanos(b, &y) || __builtin_add_overflow(x, y, &r))
            return VAL_ERROR_LIT("integer overflow");
        return make_duration(r);
    }
    return no_overload(cx, "_+_", a, b);
}

val rpi_time_sub(rpi_ctx *cx, val a, val b)
{
    int64_t x, y, r;
    if (a.kind == VK_TIMESTAMP && b.kind == VK_TIMESTAMP) {
        /* cel-go's subtractTimeChecked: (s1 - s2) * 1e9 + (n1 - n2), checked */
        int64_t secs;
        if (__builtin_sub_overflow(a.u.i, b.u.i, &secs) ||
            __builtin_mul_overflow(secs, NANOS_PER_SECOND, &r) ||
            __builtin_add_overflow(r, (int64_t)val_nanos(a) - val_nanos(b), &r))
            return VAL_ERROR_LIT("integer overflow");
        return make_duration(r);
    }
    if (a.kind == VK_TIMESTAMP && b.kind == VK_DURATION) {
        if (!dur_nanos(b, &y) || y == INT64_MIN)
            return VAL_ERROR_LIT("integer overflow");
        return timestamp_plus(a, -y);
    }
    if (a.kind == VK_DURATION && b.kind == VK_DURATION) {
        if (!dur_nanos(a, &x) || !dur_nanos(b, &y) || __builtin_sub_overflow(x, y, &r))
            return VAL_ERROR_LIT("integer overflow");
        return make_duration(r);
    }
    return no_overload(cx, "_-_", a, b);
}

/* ---- The table ----------------------------------------------------------------- */

static const rpi_func funcs[] = {
    {"timestamp", RPI_GLOBAL, 1, 0, fn_timestamp,
     SIGS("timestamp_to_timestamp: timestamp -> timestamp",
          "string_to_timestamp: string -> timestamp",
          "int64_to_timestamp: int -> timestamp"), 1, NULL},
    {"duration", RPI_GLOBAL, 1, 0, fn_duration,
     SIGS("duration_to_duration: duration -> duration",
          "string_to_duration: string -> duration"), 1, NULL},
    {"getFullYear", RPI_RECEIVER, 1, 0, fn_get_full_year,
     SIGS("timestamp_to_year: timestamp -> int"), 1, NULL},
    {"getFullYear", RPI_RECEIVER, 2, 0, fn_get_full_year,
     SIGS("timestamp_to_year_with_tz: timestamp, string -> int"), 1, NULL},
    {"getMonth", RPI_RECEIVER, 1, 0, fn_get_month,
     SIGS("timestamp_to_month: timestamp -> int"), 1, NULL},
    {"getMonth", RPI_RECEIVER, 2, 0, fn_get_month,
     SIGS("timestamp_to_month_with_tz: timestamp, string -> int"), 1, NULL},
    {"getDayOfYear", RPI_RECEIVER, 1, 0, fn_get_day_of_year,
     SIGS("timestamp_to_day_of_year: timestamp -> int"), 1, NULL},
    {"getDayOfYear", RPI_RECEIVER, 2, 0, fn_get_day_of_year,
     SIGS("timestamp_to_day_of_year_with_tz: timestamp, string -> int"), 1, NULL},
    {"getDate", RPI_RECEIVER, 1, 0, fn_get_date,
     SIGS("timestamp_to_day_of_month_1_based: timestamp -> int"), 1, NULL},
    {"getDate", RPI_RECEIVER, 2, 0, fn_get_date,
     SIGS("timestamp_to_day_of_month_1_based_with_tz: timestamp, string -> int"), 1, NULL},
    {"getDayOfMonth", RPI_RECEIVER, 1, 0, fn_get_day_of_month,
     SIGS("timestamp_to_day_of_month: timestamp -> int"), 1, NULL},
    {"getDayOfMonth", RPI_RECEIVER, 2, 0, fn_get_day_of_month,
     SIGS("timestamp_to_day_of_month_with_tz: timestamp, string -> int"), 1, NULL},
    {"getDayOfWeek", RPI_RECEIVER, 1, 0, fn_get_day_of_week,
     SIGS("timestamp_to_day_of_week: timestamp -> int"), 1, NULL},
    {"getDayOfWeek", RPI_RECEIVER, 2, 0, fn_get_day_of_week,
     SIGS("timestamp_to_day_of_week_with_tz: timestamp, string -> int"), 1, NULL},
    {"getHours", RPI_RECEIVER, 1, 0, fn_get_hours,
     SIGS("timestamp_to_hours: timestamp -> int", "duration_to_hours: duration -> int"), 1, NULL},
    {"getHours", RPI_RECEIVER, 2, 0, fn_get_hours,
     SIGS("timestamp_to_hours_with_tz: timestamp, string -> int"), 1, NULL},
    {"getMinutes", RPI_RECEIVER, 1, 0, fn_get_minutes,
     SIGS("timestamp_to_minutes: timestamp -> int", "duration_to_minutes: duration -> int"), 1, NULL},
    {"getMinutes", RPI_RECEIVER, 2, 0, fn_get_minutes,
     SIGS("timestamp_to_minutes_with_tz: timestamp, string -> int"), 1, NULL},
    {"getSeconds", RPI_RECEIVER, 1, 0, fn_get_seconds,
     SIGS("timestamp_to_seconds: timestamp -> int", "duration_to_seconds: duration -> int"), 1, NULL},
    {"getSeconds", RPI_RECEIVER, 2, 0, fn_get_seconds,
     SIGS("timestamp_to_seconds_tz: timestamp, string -> int"), 1, NULL},
    {"getMilliseconds", RPI_RECEIVER, 1, 0, fn_get_milliseconds,
     SIGS("timestamp_to_milliseconds: timestamp -> int",
          "duration_to_milliseconds: duration -> int"), 1, NULL},
    {"getMilliseconds", RPI_RECEIVER, 2, 0, fn_get_milliseconds,
     SIGS("timestamp_to_milliseconds_with_tz: timestamp, string -> int"), 1, NULL},
};

const rpi_library rpi_lib_std_time = {
    "std_time", RPI_PROF_ALL, funcs, sizeof funcs / sizeof funcs[0],
};
