/* time.c -- timestamps and durations as cel-go reads and writes them.
 *
 * Kubernetes evaluates CEL with cel-go, so the rules here are Go's:
 *   - timestamp(string) is Go's time.Parse(time.RFC3339, s), which is more
 *     lenient than RFC 3339 (a one-digit hour, a ',' before the fraction,
 *     any number of fraction digits of which the first nine count, offsets
 *     up to "+24:60"), then the range 0001-01-01..9999-12-31 UTC.  The
 *     value remembers the offset it was written with (Go's time.Time keeps
 *     its zone) because string() prints it back.
 *   - duration(string) is Go's time.ParseDuration, and a duration is a Go
 *     time.Duration: int64 nanoseconds, so about +-292 years.
 *   - string(timestamp) is Go's RFC3339Nano (fraction without trailing
 *     zeros), string(duration) is strconv.FormatFloat(seconds, 'f', -1, 64)
 *     followed by "s", both computed the way Go computes them, floating
 *     point included, so that the text is the same to the last digit.
 * The rpi_time_format_* pair writes the protobuf JSON forms instead (0, 3,
 * 6 or 9 fraction digits), for typed output.
 *
 * Civil dates use the proleptic Gregorian calendar, computed with the
 * days-from-civil arithmetic on 400-year eras (146097 days each), valid for
 * any int64 day count the callers can produce.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NANOS_PER_SECOND 1000000000LL
#define SECONDS_PER_DAY 86400LL
/* Days from 0000-03-01 to 1970-01-01 in the era arithmetic below. */
#define DAYS_0000_03_01_TO_EPOCH 719468LL
#define DAYS_PER_ERA 146097LL

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Days since 1970-01-01 of year Y, month M (1-12), day D (1-31).  The year
 * is shifted to start in March so that the leap day is the last day of the
 * shifted year, which makes the day-of-year a linear formula in the month. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    if (m <= 2)
        y--;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                    /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* [0, 146096] */
    return era * DAYS_PER_ERA + doe - DAYS_0000_03_01_TO_EPOCH;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += DAYS_0000_03_01_TO_EPOCH;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t doe = z - era * DAYS_PER_ERA;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int64_t rpi_time_days_from_civil(int64_t y, int m, int d)
{
    return days_from_civil(y, m, d);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int m, int64_t y)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

void rpi_time_civil(int64_t local_seconds, rpi_civil *out)
{
    int64_t days = floor_div(local_seconds, SECONDS_PER_DAY);
    int64_t secs = local_seconds - days * SECONDS_PER_DAY;
    civil_from_days(days, &out->year, &out->month, &out->day);
    out->yday = (int)(days - days_from_civil(out->year, 1, 1));
    out->wday = (int)(days + 4 - floor_div(days + 4, 7) * 7); /* 1970-01-01 was a Thursday */
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs / 60 % 60);
    out->second = (int)(secs % 60);
}

/* ---- Timestamps ------------------------------------------------------------ */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Go's getnum: one digit, or two when FIXED or when a second digit follows. */
static bool get_num(const char *s, size_t len, size_t *i, bool fixed, int *out)
{
    if (*i >= len || !is_digit(s[*i]))
        return false;
    if (*i + 1 >= len || !is_digit(s[*i + 1])) {
        if (fixed)
            return false;
        *out = s[*i] - '0';
        *i += 1;
        return true;
    }
    *out = (s[*i] - '0') * 10 + (s[*i + 1] - '0');
    *i += 2;
    return true;
}

static bool expect(const char *s, size_t len, size_t *i, char c)
{
    if (*i >= len || s[*i] != c)
        return false;
    (*i)++;
    return true;
}

/* Why this shape: it walks the layout "2006-01-02T15:04:05Z07:00" element
 * by element as Go's time.parse does, so that the accepted set is Go's
 * (which is what Kubernetes accepts), not a stricter reading of RFC 3339. */
int rpi_time_parse_timestamp_at(const char *s, size_t len, int64_t *sec, int32_t *nanos,
                                int32_t *offset_seconds)
{
    size_t i = 0;
    int year = 0, month, day, hour, minute, second;
    if (len < 4 || !is_digit(s[0]))
        return RPI_TIME_ESYNTAX;
    for (; i < 4; i++) {
        if (!is_digit(s[i]))
            return RPI_TIME_ESYNTAX;
        year = year * 10 + (s[i] - '0');
    }
    if (!expect(s, len, &i, '-') || !get_num(s, len, &i, true, &month) || month < 1 || month > 12)
        return RPI_TIME_ESYNTAX;
    if (!expect(s, len, &i, '-') || !get_num(s, len, &i, true, &day))
        return RPI_TIME_ESYNTAX;
    if (!expect(s, len, &i, 'T') || !get_num(s, len, &i, false, &hour) || hour > 23)
        return RPI_TIME_ESYNTAX;
    if (!expect(s, len, &i, ':') || !get_num(s, len, &i, true, &minute) || minute > 59)
        return RPI_TIME_ESYNTAX;
    if (!expect(s, len, &i, ':') || !get_num(s, len, &i, true, &second) || second > 59)
        return RPI_TIME_ESYNTAX;

    /* A fraction: Go takes any number of digits after '.' or ',' and keeps
     * the first nine (truncating, not rounding). */
    int32_t ns = 0;
    if (len - i >= 2 && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1])) {
        size_t j = i + 1, ndig = 0;
        for (; j < len && is_digit(s[j]); j++) {
            if (ndig < 9) {
                ns = ns * 10 + (s[j] - '0');
                ndig++;
            }
        }
        for (; ndig < 9; ndig++)
            ns *= 10;
        i = j;
    }

    /* The zone: 'Z', or [+-]hh:mm with Go's lenient "> 24" / "> 60" tests. */
    int32_t off = 0;
    if (i < len && s[i] == 'Z') {
        i++;
    } else {
        if (len - i < 6 || s[i + 3] != ':')
            return RPI_TIME_ESYNTAX;
        size_t h = i + 1, m = i + 4;
        int oh, om;
        if (!get_num(s, i + 3, &h, true, &oh) || !get_num(s, i + 6, &m, true, &om))
            return RPI_TIME_ESYNTAX;
        if (oh > 24 || om > 60 || (s[i] != '+' && s[i] != '-'))
            return RPI_TIME_ESYNTAX;
        off = (oh * 60 + om) * 60;
        if (s[i] == '-')
            off = -off;
        i += 6;
    }
    if (i != len)
        return RPI_TIME_ESYNTAX;
    if (day < 1 || day > days_in_month(month, year))
        return RPI_TIME_ESYNTAX;

    int64_t t = days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 +
                second - off;
    if (t < RPI_TS_MIN_SECONDS || t > RPI_TS_MAX_SECONDS)
        return RPI_TIME_ERANGE;
    *sec = t;
    *nanos = ns;
    if (offset_seconds)
        *offset_seconds = off;
    return 0;
}

int rpi_time_parse_timestamp(const char *s, size_t len, int64_t *sec, int32_t *nanos)
{
    return rpi_time_parse_timestamp_at(s, len, sec, nanos, NULL);
}

/* "YYYY-MM-DDThh:mm:ss" of LOCAL seconds; returns the length. */
static size_t format_civil(int64_t local, char *buf)
{
    rpi_civil c;
    rpi_time_civil(local, &c);
    int n;
    if (c.year < 0)
        n = snprintf(buf, 40, "-%04lld-%02d-%02dT%02d:%02d:%02d", (long long)-c.year, c.month,
                     c.day, c.hour, c.minute, c.second);
    else
        n = snprintf(buf, 40, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)c.year, c.month,
                     c.day, c.hour, c.minute, c.second);
    return n > 0 ? (size_t)n : 0;
}

/* ".123456789" cut to DIGITS digits; returns the length written. */
static size_t format_fraction(int32_t nanos, int digits, char *buf)
{
    char tmp[16];
    snprintf(tmp, sizeof tmp, "%09d", (int)nanos);
    buf[0] = '.';
    memcpy(buf + 1, tmp, (size_t)digits);
    return (size_t)digits + 1;
}

/* Protobuf JSON's choice of 0, 3, 6 or 9 fraction digits. */
static int proto_digits(int32_t nanos)
{
    if (nanos == 0)
        return 0;
    if (nanos % 1000000 == 0)
        return 3;
    if (nanos % 1000 == 0)
        return 6;
    return 9;
}

size_t rpi_time_format_timestamp(int64_t sec, int32_t nanos, char *buf)
{
    size_t n = format_civil(sec, buf);
    int digits = proto_digits(nanos);
    if (digits)
        n += format_fraction(nanos, digits, buf + n);
    buf[n++] = 'Z';
    buf[n] = '\0';
    return n;
}

size_t rpi_time_timestamp_string(int64_t sec, int32_t nanos, int32_t offset_seconds, char *buf)
{
    size_t n = format_civil(sec + offset_seconds, buf);
    if (nanos != 0) {
        int digits = 9;
        for (int32_t x = nanos; x % 10 == 0; x /= 10)
            digits--;
        n += format_fraction(nanos, digits, buf + n);
    }
    if (offset_seconds == 0) {
        buf[n++] = 'Z';
        buf[n] = '\0';
        return n;
    }
    int32_t zone = offset_seconds / 60; /* Go truncates to minutes */
    char sign = '+';
    if (zone < 0) {
        sign = '-';
        zone = -zone;
    }
    int w = snprintf(buf + n, 12, "%c%02d:%02d", sign, (int)(zone / 60), (int)(zone % 60));
    return n + (w > 0 ? (size_t)w : 0);
}

/* ---- Durations ------------------------------------------------------------- */

bool rpi_time_duration_nanos(int64_t sec, int32_t nanos, int64_t *out)
{
    int64_t ns;
    if (__builtin_mul_overflow(sec, NANOS_PER_SECOND, &ns) ||
        __builtin_add_overflow(ns, (int64_t)nanos, &ns))
        return false;
    *out = ns;
    return true;
}

void rpi_time_duration_split(int64_t ns, int64_t *sec, int32_t *nanos)
{
    *sec = ns / NANOS_PER_SECOND;
    *nanos = (int32_t)(ns % NANOS_PER_SECOND);
}

/* The units of Go's time.ParseDuration, in nanoseconds. */
static uint64_t duration_unit(const char *u, size_t n)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {
        {"ns", 1ULL},
        {"us", 1000ULL},
        {"\xc2\xb5s", 1000ULL}, /* U+00B5 MICRO SIGN */
        {"\xce\xbcs", 1000ULL}, /* U+03BC GREEK SMALL LETTER MU */
        {"ms", 1000000ULL},
        {"s", 1000000000ULL},
        {"m", 60000000000ULL},
        {"h", 3600000000000ULL},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
            return units[i].ns;
    return 0;
}

/* Go's ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ or a bare "0".  The
 * overflow tests and the floating-point handling of fractions are Go's own,
 * so that the nanosecond count is the same for every input. */
int rpi_time_parse_duration_nanos(const char *s, size_t len, int64_t *out)
{
    const uint64_t limit = 1ULL << 63;
    size_t i = 0;
    bool neg = false;
    uint64_t d = 0;
    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (len - i == 1 && s[i] == '0') {
        *out = 0;
        return 0;
    }
    if (i == len)
        return RPI_TIME_ESYNTAX;
    while (i < len) {
        uint64_t v = 0, f = 0;
        double scale = 1;
        if (!(s[i] == '.' || is_digit(s[i])))
            return RPI_TIME_ESYNTAX;
        size_t start = i;
        for (; i < len && is_digit(s[i]); i++) {
            if (v > limit / 10)
                return RPI_TIME_ERANGE;
            v = v * 10 + (uint64_t)(s[i] - '0');
            if (v > limit)
                return RPI_TIME_ERANGE;
        }
        bool pre = i != start, post = false;
        if (i < len && s[i] == '.') {
            i++;
            size_t fstart = i;
            bool overflow = false;
            for (; i < len && is_digit(s[i]); i++) {
                if (overflow)
                    continue;
                if (f > (uint64_t)INT64_MAX / 10) {
                    overflow = true;
                    continue;
                }
                uint64_t y = f * 10 + (uint64_t)(s[i] - '0');
                if (y > limit) {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10;
            }
            post = i != fstart;
        }
        if (!pre && !post)
            return RPI_TIME_ESYNTAX;
        size_t ustart = i;
        while (i < len && s[i] != '.' && !is_digit(s[i]))
            i++;
        uint64_t unit = duration_unit(s + ustart, i - ustart);
        if (unit == 0)
            return RPI_TIME_ESYNTAX;
        if (v > limit / unit)
            return RPI_TIME_ERANGE;
        v *= unit;
        if (f > 0) {
            double frac = (double)f * ((double)unit / scale);
            v += (uint64_t)frac;
            if (v > limit)
                return RPI_TIME_ERANGE;
        }
        d += v;
        if (d > limit)
            return RPI_TIME_ERANGE;
    }
    if (neg) {
        *out = d == limit ? INT64_MIN : -(int64_t)d;
        return 0;
    }
    if (d > (uint64_t)INT64_MAX)
        return RPI_TIME_ERANGE;
    *out = (int64_t)d;
    return 0;
}

int rpi_time_parse_duration(const char *s, size_t len, int64_t *sec, int32_t *nanos)
{
    int64_t ns;
    int rc = rpi_time_parse_duration_nanos(s, len, &ns);
    if (rc == 0)
        rpi_time_duration_split(ns, sec, nanos);
    return rc;
}

size_t rpi_time_format_duration(int64_t sec, int32_t nanos, char *buf)
{
    bool neg = sec < 0 || nanos < 0;
    uint64_t s = sec < 0 ? (uint64_t)0 - (uint64_t)sec : (uint64_t)sec;
    int32_t ns = nanos < 0 ? -nanos : nanos;
    int n = snprintf(buf, 32, "%s%llu", neg ? "-" : "", (unsigned long long)s);
    size_t len = n > 0 ? (size_t)n : 0;
    int digits = proto_digits(ns);
    if (digits)
        len += format_fraction(ns, digits, buf + len);
    buf[len++] = 's';
    buf[len] = '\0';
    return len;
}

/* Why a loop: Go prints the shortest decimal that reads back as the same
 * float64 (FormatFloat with precision -1).  For |x| < 2^53 the integer
 * part is exact, so the shortest digits are the fewest decimals whose
 * correctly rounded value round-trips, which is what this searches. */
static size_t format_shortest_fixed(double x, char *buf, size_t cap)
{
    int n = 0;
    for (int prec = 0; prec <= 17; prec++) {
        n = snprintf(buf, cap, "%.*f", prec, x);
        if (n > 0 && strtod(buf, NULL) == x)
            break;
    }
    if (n > 0 && strcmp(buf, "-0") == 0) /* never for a duration, but Go prints "-0" too */
        return 2;
    return n > 0 ? (size_t)n : 0;
}

size_t rpi_time_duration_string(int64_t sec, int32_t nanos, char *buf)
{
    /* time.Duration.Seconds(): float64(d / Second) + float64(d % Second) / 1e9 */
    double secs = (double)sec + (double)nanos / 1e9;
    size_t n = format_shortest_fixed(secs, buf, 40);
    buf[n++] = 's';
    buf[n] = '\0';
    return n;
}
