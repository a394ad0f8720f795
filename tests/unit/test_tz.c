/* test_tz.c -- the time zone argument of the timestamp getters (tz.c).
 * Expected offsets and messages are Go's: cel-go's inTimeZone
 * (common/stdlib/standard.go) on top of time.LoadLocation and
 * time.FixedZone, checked with Go against the same /usr/share/zoneinfo
 * (Debian's tzdata), including Go's wrapping int arithmetic for absurd
 * numeric offsets. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct tz_case {
    int64_t utc;
    const char *tz;
    int64_t offset;     /* when err is NULL */
    const char *err;
} tz_case;

static const tz_case cases[] = {
    /* DST starts 2023-03-12 at 10:00 UTC in Los Angeles */
    {1678615199, "America/Los_Angeles", -28800, NULL},
    {1678615200, "America/Los_Angeles", -25200, NULL},
    /* after the last transition of the file: the POSIX rule of its footer */
    {4118083200, "America/Los_Angeles", -25200, NULL},
    {4102444800, "America/Los_Angeles", -28800, NULL},
    /* southern hemisphere, half and quarter hours, negative half hours */
    {1234567890, "Australia/Sydney", 39600, NULL},
    {253402300799, "Australia/Sydney", 39600, NULL},
    {1234567890, "Asia/Kathmandu", 20700, NULL},
    {1234490400, "America/St_Johns", -12600, NULL},
    /* before the first transition: local mean time, as Go picks it */
    {-5364662400, "America/New_York", -17762, NULL},
    {-62135596800, "Europe/Berlin", 3208, NULL},
    {253402300799, "Europe/Berlin", 3600, NULL},
    {1246406400, "Europe/London", 3600, NULL},
    {1234567890, "Asia/Tokyo", 32400, NULL},
    {1234567890, "Etc/GMT+5", -18000, NULL},
    {1234567890, "US/Central", -21600, NULL},
    {1234567890, "UTC", 0, NULL},
    {1234567890, "", 0, NULL},
    {1234567890, "Local", 0, NULL},
    /* numeric offsets: strconv.Atoi on each side of the first ':' */
    {1234567890, "+05:30", 19800, NULL},
    {1234567890, "-08:00", -28800, NULL},
    {1234567890, "02:00", 7200, NULL},
    {1234567890, "-00:30", -1800, NULL},
    {1234567890, "-00:00", 0, NULL},
    {1234567890, "+11:00", 39600, NULL},
    {1234567890, "-09:30", -34200, NULL},
    {1234567890, "+5:75", 22500, NULL},
    {1234567890, "-05:-30", -16200, NULL},
    {1234567890, "1000000000:00", 2884905626, NULL},
    {1234567890, "9223372036854775807:00", -3600, NULL},
    /* errors, worded as Go words them */
    {1234567890, "Mars/Base", 0, "unknown time zone Mars/Base"},
    {1234567890, "utc", 0, "unknown time zone utc"},
    {1234567890, "UTC ", 0, "unknown time zone UTC "},
    {1234567890, "../etc/passwd", 0, "time: invalid location name"},
    {1234567890, "Asia/../UTC", 0, "time: invalid location name"},
    {1234567890, "/etc/passwd", 0, "time: invalid location name"},
    {1234567890, "\\x", 0, "time: invalid location name"},
    {1234567890, "America", 0, "is a directory"},
    {1234567890, "America/New_York/", 0, "not a directory"},
    {1234567890, "zone.tab", 0, "malformed time zone information"},
    {1234567890, "x:00", 0, "strconv.Atoi: parsing \"x\": invalid syntax"},
    {1234567890, "05:", 0, "strconv.Atoi: parsing \"\": invalid syntax"},
    {1234567890, "05:00:00", 0, "strconv.Atoi: parsing \"00:00\": invalid syntax"},
    {1234567890, "99999999999999999999:00", 0,
     "strconv.Atoi: parsing \"99999999999999999999\": value out of range"},
};

Test(tz, offsets_and_errors)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const tz_case *c = &cases[i];
        int64_t off = 12345;
        char err[256] = "";
        int rc = rpi_tz_offset(c->tz, strlen(c->tz), c->utc, &off, err, sizeof err);
        if (c->err) {
            cr_expect_eq(rc, -1, "%s: accepted", c->tz);
            cr_expect_str_eq(err, c->err, "%s", c->tz);
        } else {
            cr_expect_eq(rc, 0, "%s: %s", c->tz, err);
            cr_expect_eq(off, c->offset, "%s at %lld: %lld", c->tz, (long long)c->utc,
                         (long long)off);
        }
    }
}

/* The conformance vectors of timestamps/timestamp_selectors_tz, at the
 * level of offsets and civil fields. */
Test(tz, conformance_selectors)
{
    int64_t off;
    char err[128];
    rpi_civil c;
    cr_assert_eq(rpi_tz_offset("Australia/Sydney", 16, 1234567890, &off, err, sizeof err), 0);
    rpi_time_civil(1234567890 + off, &c);
    cr_expect_eq(c.day, 14);                          /* getDate -> 14 */
    cr_assert_eq(rpi_tz_offset("US/Central", 10, 1234567890, &off, err, sizeof err), 0);
    rpi_time_civil(1234567890 + off, &c);
    cr_expect_eq(c.day - 1, 12);                      /* getDayOfMonth -> 12 */
    cr_expect_eq(c.yday, 43);                         /* getDayOfYear -> 43 */
    cr_assert_eq(rpi_tz_offset("-02:30", 6, 1234490400, &off, err, sizeof err), 0);
    rpi_time_civil(1234490400 + off, &c);
    cr_expect_eq(c.day - 1, 11);
    cr_assert_eq(rpi_tz_offset("America/St_Johns", 16, 1234490400, &off, err, sizeof err), 0);
    rpi_time_civil(1234490400 + off, &c);
    cr_expect_eq(c.day - 1, 11);
    cr_assert_eq(rpi_tz_offset("02:00", 5, 1234567890, &off, err, sizeof err), 0);
    rpi_time_civil(1234567890 + off, &c);
    cr_expect_eq(c.hour, 1);                          /* getHours('02:00') -> 1 */
    cr_assert_eq(rpi_tz_offset("Asia/Kathmandu", 14, 1234567890, &off, err, sizeof err), 0);
    rpi_time_civil(1234567890 + off, &c);
    cr_expect_eq(c.minute, 16);                       /* getMinutes -> 16 */
    cr_assert_eq(rpi_tz_offset("-09:30", 6, 1234567890, &off, err, sizeof err), 0);
    rpi_time_civil(1234567890 + off, &c);
    cr_expect_eq(c.year, 2009);
}

/* The name is (PTR, LEN): bytes after LEN are not part of it. */
Test(tz, name_is_not_nul_terminated)
{
    int64_t off;
    char err[128];
    cr_assert_eq(rpi_tz_offset("Asia/Tokyo/extra", 10, 0, &off, err, sizeof err), 0);
    cr_assert_eq(off, 32400);
}

Test(tz, zoneinfo_directory_override)
{
    int64_t off;
    char err[128];
    setenv("RAYPOLICY_ZONEINFO", "/nonexistent-zoneinfo", 1);
    cr_assert_eq(rpi_tz_offset("Asia/Tokyo", 10, 0, &off, err, sizeof err), -1);
    cr_assert_str_eq(err, "unknown time zone Asia/Tokyo");
    /* fixed names need no file */
    cr_assert_eq(rpi_tz_offset("UTC", 3, 0, &off, err, sizeof err), 0);
    unsetenv("RAYPOLICY_ZONEINFO");
    setenv("TZDIR", "/usr/share/zoneinfo", 1);
    cr_assert_eq(rpi_tz_offset("Asia/Tokyo", 10, 0, &off, err, sizeof err), 0);
    cr_assert_eq(off, 32400);
}

static void *lookup_many(void *arg)
{
    static const char *const names[] = {"America/Los_Angeles", "Europe/Paris", "Asia/Tokyo",
                                        "Australia/Sydney", "Africa/Cairo", "America/Sao_Paulo"};
    int64_t bad = 0;
    for (int i = 0; i < 2000; i++) {
        const char *n = names[(i + (int)(intptr_t)arg) % 6];
        int64_t off;
        char err[128];
        if (rpi_tz_offset(n, strlen(n), 1234567890 + i * 3600, &off, err, sizeof err) != 0)
            bad++;
    }
    return (void *)(intptr_t)bad;
}

/* Zones load and cache concurrently without losing a lookup. */
Test(tz, threads)
{
    pthread_t t[8];
    for (intptr_t i = 0; i < 8; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, lookup_many, (void *)i), 0);
    for (int i = 0; i < 8; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        cr_expect_eq((intptr_t)bad, 0);
    }
}
