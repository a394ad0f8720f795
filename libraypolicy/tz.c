/* tz.c -- the time zone argument of the timestamp getters
 * (timestamp.getHours('America/Los_Angeles'), .getDate('+05:30')).
 *
 * cel-go reads that argument in two ways: text with a ':' is a numeric
 * offset, each side parsed by Go's strconv.Atoi; anything else goes to Go's
 * time.LoadLocation, i.e. an IANA zone read from a TZif file.  Both are
 * reproduced here, error messages included.
 *
 * TZif files (RFC 8536) are read from the zoneinfo directory (Debian's
 * tzdata package): the 64-bit section of version 2+ files, the 32-bit one
 * of version 1 files, and the POSIX TZ rule of the footer, which Go applies
 * to instants after the last transition.  The local time before the first
 * transition is chosen as Go's lookupFirstZone chooses it.  Names are
 * checked before the file system is touched: no "..", no leading '/', and
 * only the bytes IANA names use ([A-Za-z0-9_+-/.]).
 *
 * Parsed zones are immutable and kept in a small process-wide cache: a
 * fixed array published with release stores and read with acquire loads,
 * so lookups never lock; only inserting takes the mutex.  The cache is
 * bounded (TZ_CACHE_SLOTS zones, about 600 exist); past that, zones are
 * parsed for the call and freed.  Cached zones live until the process ends.
 */
#define _GNU_SOURCE /* secure_getenv */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define TZ_NAME_MAX 255          /* longer than any IANA name (the longest is ~30) */
#define TZ_FILE_MAX (256 * 1024) /* TZif files are a few KiB */
#define TZ_CACHE_SLOTS 128
#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define SECONDS_PER_DAY 86400

enum { RULE_JULIAN, RULE_DOY, RULE_MWD };

/* One POSIX TZ date rule: Jn, n or Mm.w.d, and the local time of day. */
typedef struct tz_rule {
    int kind;
    int day, week, mon;
    int32_t time;
} tz_rule;

typedef struct tz_zone {
    char name[TZ_NAME_MAX + 1];
    uint32_t ntrans, ntypes;
    int64_t *trans;         /* transition instants, ascending */
    uint8_t *idx;           /* the type index in effect from each transition */
    int32_t *utoff;         /* per type */
    uint8_t *isdst;         /* per type */
    uint32_t first_type;    /* before the first transition */
    bool has_rule;          /* a usable footer */
    bool rule_dst;          /* the footer has daylight saving time */
    int32_t std_off, dst_off;
    tz_rule start, end;
} tz_zone;

static _Atomic(tz_zone *) cache[TZ_CACHE_SLOTS];
static atomic_uint cache_count;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- POSIX TZ strings (the TZif footer), as Go's tzset reads them ------------- */

static bool tzset_name(const char **s, const char *end)
{
    const char *p = *s;
    if (p == end)
        return false;
    if (*p == '<') {
        for (const char *q = p + 1; q < end; q++)
            if (*q == '>') {
                *s = q + 1;
                return true;
            }
        return false;
    }
    const char *q = p;
    while (q < end && !(*q >= '0' && *q <= '9') && *q != ',' && *q != '-' && *q != '+')
        q++;
    if (q - p < 3)
        return false;
    *s = q;
    return true;
}

static bool tzset_num(const char **s, const char *end, int max, int *out)
{
    const char *p = *s;
    int v = 0;
    if (p == end || *p < '0' || *p > '9')
        return false;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (*p - '0');
        if (v > max)
            return false;
    }
    *s = p;
    *out = v;
    return true;
}

/* [+-]hh[:mm[:ss]], hours up to 24*7 (RFC 8536 extends POSIX's 24). */
static bool tzset_offset(const char **s, const char *end, int32_t *out)
{
    bool neg = false;
    int h, m = 0, sec = 0;
    if (*s < end && (**s == '+' || **s == '-')) {
        neg = **s == '-';
        (*s)++;
    }
    if (!tzset_num(s, end, 24 * 7, &h))
        return false;
    if (*s < end && **s == ':') {
        (*s)++;
        if (!tzset_num(s, end, 59, &m))
            return false;
        if (*s < end && **s == ':') {
            (*s)++;
            if (!tzset_num(s, end, 59, &sec))
                return false;
        }
    }
    int32_t off = h * 3600 + m * 60 + sec;
    *out = neg ? -off : off;
    return true;
}

static bool tzset_rule(const char **s, const char *end, tz_rule *r)
{
    if (*s == end)
        return false;
    if (**s == 'J') {
        (*s)++;
        r->kind = RULE_JULIAN;
        if (!tzset_num(s, end, 365, &r->day) || r->day == 0)
            return false;
    } else if (**s == 'M') {
        (*s)++;
        r->kind = RULE_MWD;
        if (!tzset_num(s, end, 12, &r->mon) || r->mon == 0 || *s == end || **s != '.')
            return false;
        (*s)++;
        if (!tzset_num(s, end, 5, &r->week) || r->week == 0 || *s == end || **s != '.')
            return false;
        (*s)++;
        if (!tzset_num(s, end, 6, &r->day))
            return false;
    } else {
        r->kind = RULE_DOY;
        if (!tzset_num(s, end, 365, &r->day))
            return false;
    }
    r->time = 2 * 3600;
    if (*s < end && **s == '/') {
        (*s)++;
        if (!tzset_offset(s, end, &r->time))
            return false;
    }
    return true;
}

/* Parse the footer into Z's rule fields; false leaves has_rule unset, and
 * then (as in Go) the last transition's type stays in force. */
static bool parse_footer(tz_zone *z, const char *s, size_t len)
{
    const char *end = s + len;
    int32_t off;
    if (!tzset_name(&s, end) || !tzset_offset(&s, end, &off))
        return false;
    z->std_off = -off; /* POSIX offsets are west of UTC */
    if (s == end || *s == ',') {
        z->rule_dst = false;
        z->has_rule = true;
        return true;
    }
    if (!tzset_name(&s, end))
        return false;
    if (s == end || *s == ',') {
        z->dst_off = z->std_off + 3600;
    } else {
        if (!tzset_offset(&s, end, &off))
            return false;
        z->dst_off = -off;
    }
    if (s == end) {
        /* tzcode's default rule, as Go applies it */
        static const char dflt[] = "M3.2.0,M11.1.0";
        const char *d = dflt, *dend = dflt + sizeof dflt - 1;
        if (!tzset_rule(&d, dend, &z->start) || d == dend || *d != ',')
            return false;
        d++;
        if (!tzset_rule(&d, dend, &z->end))
            return false;
    } else {
        if (*s != ',' && *s != ';')
            return false;
        s++;
        if (!tzset_rule(&s, end, &z->start) || s == end || *s != ',')
            return false;
        s++;
        if (!tzset_rule(&s, end, &z->end) || s != end)
            return false;
    }
    z->rule_dst = true;
    z->has_rule = true;
    return true;
}

static bool leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Seconds from the start of YEAR (UTC) to the instant rule R fires, when
 * the offset in force before it is OFF. */
static int64_t rule_time(int64_t year, const tz_rule *r, int32_t off)
{
    int64_t day = 0;
    switch (r->kind) {
    case RULE_JULIAN:
        day = r->day - 1 + (leap_year(year) && r->day >= 60);
        break;
    case RULE_DOY:
        day = r->day;
        break;
    default: {
        static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int dim = mdays[r->mon - 1] + (r->mon == 2 && leap_year(year));
        int64_t first = rpi_time_days_from_civil(year, r->mon, 1);
        int64_t m7 = (first + 4) % 7;
        int dow = (int)(m7 < 0 ? m7 + 7 : m7); /* weekday of the 1st */
        int d = r->day - dow;
        if (d < 0)
            d += 7;
        for (int i = 1; i < r->week; i++) {
            if (d + 7 >= dim)
                break;
            d += 7;
        }
        day = first - rpi_time_days_from_civil(year, 1, 1) + d;
    }
    }
    return day * SECONDS_PER_DAY + r->time - off;
}

/* The footer rule at SEC (Go's tzset, offsets only). */
static int32_t rule_offset(const tz_zone *z, int64_t sec)
{
    if (!z->rule_dst)
        return z->std_off;
    rpi_civil c;
    rpi_time_civil(sec, &c);
    int64_t ysec = (int64_t)c.yday * SECONDS_PER_DAY + sec % SECONDS_PER_DAY;
    int32_t std_off = z->std_off, dst_off = z->dst_off;
    int64_t start = rule_time(c.year, &z->start, std_off);
    int64_t end = rule_time(c.year, &z->end, dst_off);
    if (end < start) { /* southern hemisphere: DST spans the new year */
        int64_t t = start;
        start = end;
        end = t;
        int32_t o = std_off;
        std_off = dst_off;
        dst_off = o;
    }
    if (ysec < start || ysec >= end)
        return std_off;
    return dst_off;
}

/* ---- TZif ------------------------------------------------------------------ */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Go's lookupFirstZone: the type of instants before the first transition. */
static uint32_t first_type(const tz_zone *z)
{
    bool used = false;
    for (uint32_t i = 0; i < z->ntrans; i++)
        if (z->idx[i] == 0)
            used = true;
    if (!used)
        return 0;
    if (z->ntrans > 0 && z->isdst[z->idx[0]]) {
        for (int zi = (int)z->idx[0] - 1; zi >= 0; zi--)
            if (!z->isdst[zi])
                return (uint32_t)zi;
    }
    for (uint32_t zi = 0; zi < z->ntypes; zi++)
        if (!z->isdst[zi])
            return zi;
    return 0;
}

/* Parse a TZif image into a new zone; NULL when malformed or on OOM. */
static tz_zone *parse_tzif(const unsigned char *p, size_t len)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return NULL;
    int version = p[4] == 0 ? 1 : p[4] - '0';
    if (version < 1 || version > 4)
        return NULL;
    const unsigned char *h = p;
    size_t tsize = 4;
    uint32_t isutcnt = be32(h + 20), isstdcnt = be32(h + 24), leapcnt = be32(h + 28),
             timecnt = be32(h + 32), typecnt = be32(h + 36), charcnt = be32(h + 40);
    size_t pos = 44;
    if (version >= 2) {
        /* Skip the 32-bit block; the second header and 64-bit data follow. */
        uint64_t skip = (uint64_t)timecnt * 5 + (uint64_t)typecnt * 6 + charcnt +
                        (uint64_t)leapcnt * 8 + isstdcnt + isutcnt;
        if (skip > len - pos || len - pos - skip < 44)
            return NULL;
        h = p + pos + skip;
        if (memcmp(h, "TZif", 4) != 0)
            return NULL;
        tsize = 8;
        isutcnt = be32(h + 20), isstdcnt = be32(h + 24), leapcnt = be32(h + 28);
        timecnt = be32(h + 32), typecnt = be32(h + 36), charcnt = be32(h + 40);
        pos = (size_t)(h - p) + 44;
    }
    if (typecnt == 0 || typecnt > 256 || timecnt > 1000000)
        return NULL;
    uint64_t need = (uint64_t)timecnt * (tsize + 1) + (uint64_t)typecnt * 6 + charcnt +
                    (uint64_t)leapcnt * (tsize + 4) + isstdcnt + isutcnt;
    if (need > len - pos)
        return NULL;
    uint32_t ntrans = timecnt ? timecnt : 1; /* Go's fake transition at the dawn of time */
    size_t size = sizeof(tz_zone) + ntrans * sizeof(int64_t) + typecnt * sizeof(int32_t) +
                  ntrans + typecnt;
    tz_zone *z = calloc(1, size);
    if (!z)
        return NULL;
    z->trans = (int64_t *)(z + 1);
    z->utoff = (int32_t *)(z->trans + ntrans);
    z->idx = (uint8_t *)(z->utoff + typecnt);
    z->isdst = z->idx + ntrans;
    z->ntrans = ntrans;
    z->ntypes = typecnt;
    const unsigned char *t = p + pos;
    const unsigned char *ix = t + (size_t)timecnt * tsize;
    const unsigned char *ty = ix + timecnt;
    for (uint32_t i = 0; i < timecnt; i++) {
        z->trans[i] = tsize == 8 ? be64(t + i * 8) : (int64_t)(int32_t)be32(t + i * 4);
        z->idx[i] = ix[i];
        if (ix[i] >= typecnt || (i > 0 && z->trans[i] < z->trans[i - 1])) {
            free(z);
            return NULL;
        }
    }
    if (timecnt == 0) {
        z->trans[0] = INT64_MIN;
        z->idx[0] = 0;
    }
    for (uint32_t i = 0; i < typecnt; i++) {
        z->utoff[i] = (int32_t)be32(ty + i * 6);
        z->isdst[i] = ty[i * 6 + 4] != 0;
    }
    z->first_type = first_type(z);
    size_t footer = pos + (size_t)need;
    if (version >= 2 && len - footer > 2 && p[footer] == '\n' && p[len - 1] == '\n')
        parse_footer(z, (const char *)p + footer + 1, len - footer - 2);
    return z;
}

/* Go's Location.lookup, offset only. */
static int64_t zone_offset(const tz_zone *z, int64_t sec)
{
    if (sec < z->trans[0])
        return z->utoff[z->first_type];
    uint32_t lo = 0, hi = z->ntrans;
    while (hi - lo > 1) {
        uint32_t m = lo + (hi - lo) / 2;
        if (sec < z->trans[m])
            hi = m;
        else
            lo = m;
    }
    if (lo == z->ntrans - 1 && z->has_rule)
        return rule_offset(z, sec);
    return z->utoff[z->idx[lo]];
}

static const char *zoneinfo_dir(void)
{
    const char *d = secure_getenv("RAYPOLICY_ZONEINFO");
    if (d && *d)
        return d;
    d = secure_getenv("TZDIR");
    if (d && *d)
        return d;
    return TZ_DEFAULT_DIR;
}

/* Read NAME's TZif file into *OUT.  NULL on success, else the text Go's
 * LoadLocation gives for the failure ("" for a missing file, which the
 * caller words as "unknown time zone NAME"). */
static const char *load_zone(const char *name, tz_zone **out)
{
    char path[4096];
    *out = NULL;
    int n = snprintf(path, sizeof path, "%s/%s", zoneinfo_dir(), name);
    if (n < 0 || (size_t)n >= sizeof path)
        return "";
    /* O_NONBLOCK: a FIFO planted in the directory must not hang us. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOTDIR)
            return "not a directory";
        if (errno == EACCES)
            return "permission denied";
        return "";
    }
    struct stat st;
    const char *why = "malformed time zone information";
    unsigned char *buf = NULL;
    if (fstat(fd, &st) != 0) {
        why = "";
    } else if (S_ISDIR(st.st_mode)) {
        why = "is a directory";
    } else if (S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= TZ_FILE_MAX &&
               (buf = malloc((size_t)st.st_size)) != NULL) {
        size_t got = 0, want = (size_t)st.st_size;
        while (got < want) {
            ssize_t r = read(fd, buf + got, want - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        if (got == want && (*out = parse_tzif(buf, got)) != NULL) {
            memcpy((*out)->name, name, strlen(name) + 1);
            why = NULL;
        }
    }
    free(buf);
    close(fd);
    return why;
}

static const tz_zone *cache_find(const char *name)
{
    unsigned n = atomic_load_explicit(&cache_count, memory_order_acquire);
    for (unsigned i = 0; i < n; i++) {
        const tz_zone *z = atomic_load_explicit(&cache[i], memory_order_acquire);
        if (z && strcmp(z->name, name) == 0)
            return z;
    }
    return NULL;
}

/* Publish Z; returns the cached zone to use (Z, or one another thread put
 * there first, in which case Z is freed), or NULL when the cache is full
 * and the caller keeps (and frees) Z. */
static const tz_zone *cache_insert(tz_zone *z)
{
    const tz_zone *found = NULL;
    pthread_mutex_lock(&cache_lock);
    found = cache_find(z->name);
    if (!found) {
        unsigned n = atomic_load_explicit(&cache_count, memory_order_relaxed);
        if (n < TZ_CACHE_SLOTS) {
            atomic_store_explicit(&cache[n], z, memory_order_release);
            atomic_store_explicit(&cache_count, n + 1, memory_order_release);
            found = z;
            z = NULL;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    if (found && z)
        free(z);
    return found;
}

/* ---- The getters' argument ------------------------------------------------ */

/* Go's strconv.Quote, enough for messages: escapes quotes, backslashes and
 * control bytes. */
static void quote(char *out, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    if (cap < 3)
        return;
    out[o++] = '"';
    for (size_t i = 0; i < len && o + 6 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* Go's strconv.Atoi (ParseInt base 10): 0, or -1 with ERRBUF set.  As in
 * Go, a uint64 overflow is reported as soon as it happens and a bad byte
 * when it is reached, whichever comes first. */
static int go_atoi(const char *s, size_t len, int64_t *out, char *errbuf, size_t errlen)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0;
    const char *why = NULL;
    if (len > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == len)
        why = "invalid syntax";
    for (; !why && i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            why = "invalid syntax";
        else if (v > UINT64_MAX / 10 || v * 10 > UINT64_MAX - (uint64_t)(s[i] - '0'))
            why = "value out of range";
        else
            v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (!why && (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX))
        why = "value out of range";
    if (why) {
        char q[160];
        quote(q, sizeof q, s, len);
        snprintf(errbuf, errlen, "strconv.Atoi: parsing %s: %s", q, why);
        return -1;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* cel-go's numeric zone: hours and minutes around the first ':', combined
 * with Go's int arithmetic (wrapping) and FixedZone's seconds. */
static int numeric_offset(const char *tz, size_t len, size_t colon, int64_t *offset,
                          char *errbuf, size_t errlen)
{
    int64_t hr, min;
    if (go_atoi(tz, colon, &hr, errbuf, errlen) ||
        go_atoi(tz + colon + 1, len - colon - 1, &min, errbuf, errlen))
        return -1;
    uint64_t off = (uint64_t)hr * 60u;
    off = tz[0] == '-' ? off - (uint64_t)min : off + (uint64_t)min;
    /* time.Duration(offset) * time.Minute, then .Seconds() truncated to int */
    int64_t d = (int64_t)(off * 60000000000u);
    double secs = (double)(d / 1000000000) + (double)(d % 1000000000) / 1e9;
    *offset = (int64_t)secs;
    return 0;
}

static bool valid_name_chars(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '-' || c == '/' || c == '.'))
            return false;
    }
    return true;
}

static bool has_dotdot(const char *s, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '.' && s[i + 1] == '.')
            return true;
    return false;
}

int rpi_tz_offset(const char *tz, size_t len, int64_t utc_seconds, int64_t *offset_seconds,
                  char *errbuf, size_t errlen)
{
    const char *colon = memchr(tz, ':', len);
    if (colon)
        return numeric_offset(tz, len, (size_t)(colon - tz), offset_seconds, errbuf, errlen);

    if (len == 0 || (len == 3 && memcmp(tz, "UTC", 3) == 0) ||
        (len == 5 && memcmp(tz, "Local", 5) == 0)) {
        *offset_seconds = 0;
        return 0;
    }
    if (has_dotdot(tz, len) || tz[0] == '/' || tz[0] == '\\') {
        snprintf(errbuf, errlen, "time: invalid location name");
        return -1;
    }
    char name[TZ_NAME_MAX + 1];
    const tz_zone *z = NULL;
    tz_zone *own = NULL;
    const char *why = "";
    if (len <= TZ_NAME_MAX && valid_name_chars(tz, len)) {
        memcpy(name, tz, len);
        name[len] = '\0';
        z = cache_find(name);
        if (!z && (why = load_zone(name, &own)) == NULL) {
            z = cache_insert(own);
            if (z)
                own = NULL;
            else
                z = own;
        }
    }
    if (!z) {
        if (why && *why)
            snprintf(errbuf, errlen, "%s", why);
        else
            snprintf(errbuf, errlen, "unknown time zone %.*s", (int)(len > 200 ? 200 : len), tz);
        return -1;
    }
    *offset_seconds = zone_offset(z, utc_seconds);
    free(own);
    return 0;
}
