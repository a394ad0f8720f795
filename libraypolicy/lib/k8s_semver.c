/* lib/k8s_semver.c -- Kubernetes' semver library
 * (k8s.io/apiserver/pkg/cel/library/semverlib.go): semver(s),
 * semver(s, normalize), isSemver (one and two arguments), major, minor,
 * patch, isGreaterThan, isLessThan and compareTo, with the parsing,
 * ordering and error texts of github.com/blang/semver/v4.
 */
#include <stdio.h>
#include <string.h>

#include "../internal.h"

typedef struct k8s_semver {
    rpi_opaque base;
    uint64_t major, minor, patch;
    const char *pre;        /* the prerelease identifiers as written, '.'-separated */
    size_t npre;            /* 0: none */
} k8s_semver;

static bool semver_equal(const rpi_opaque *a, const rpi_opaque *b);

const rpi_type rpi_type_k8s_semver = {"kubernetes.Semver", VK_OPAQUE};
static const rpi_opaque_vtable semver_vt = {&rpi_type_k8s_semver, semver_equal, NULL};

static bool only(const char *s, size_t n, bool alnum)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= '0' && c <= '9') ||
                  (alnum && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'));
        if (!ok)
            return false;
    }
    return true;
}

/* strconv.ParseUint(s, 10, 64) of digits; false with *ERR on "" or overflow. */
static bool parse_uint(rpi_ctx *cx, const char *s, size_t n, uint64_t *out, val *err)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            *err = rpi_err(cx, "strconv.ParseUint: parsing \"%.*s\": value out of range", (int)n, s);
            return false;
        }
        v = v * 10 + d;
    }
    if (n == 0) {
        *err = VAL_ERROR_LIT("strconv.ParseUint: parsing \"\": invalid syntax");
        return false;
    }
    *out = v;
    return true;
}

/* One numeric field of semver.Parse. */
static bool parse_field(rpi_ctx *cx, const char *s, size_t n, const char *what, const char *cap,
                        uint64_t *out, val *err)
{
    if (!only(s, n, false)) {
        *err = rpi_err(cx, "Invalid character(s) found in %s number \"%.*s\"", what, (int)n, s);
        return false;
    }
    if (n > 1 && s[0] == '0') {
        *err = rpi_err(cx, "%s number must not contain leading zeroes \"%.*s\"", cap, (int)n, s);
        return false;
    }
    return parse_uint(cx, s, n, out, err);
}

/* semver.Parse. */
static bool parse(rpi_ctx *cx, const char *s, size_t n, k8s_semver *v, val *err)
{
    memset(v, 0, sizeof *v);
    v->base.vt = &semver_vt;
    if (n == 0) {
        *err = VAL_ERROR_LIT("Version string empty");
        return false;
    }
    const char *d1 = memchr(s, '.', n);
    const char *d2 = d1 ? memchr(d1 + 1, '.', (size_t)(s + n - d1 - 1)) : NULL;
    if (!d2) {
        *err = VAL_ERROR_LIT("No Major.Minor.Patch elements found");
        return false;
    }
    if (!parse_field(cx, s, (size_t)(d1 - s), "major", "Major", &v->major, err) ||
        !parse_field(cx, d1 + 1, (size_t)(d2 - d1 - 1), "minor", "Minor", &v->minor, err))
        return false;
    const char *p = d2 + 1;
    size_t pn = (size_t)(s + n - p);
    const char *plus = memchr(p, '+', pn);
    const char *build = NULL;
    size_t nbuild = 0;
    if (plus) {
        build = plus + 1;
        nbuild = (size_t)(s + n - build);
        pn = (size_t)(plus - p);
    }
    const char *dash = memchr(p, '-', pn);
    if (dash) {
        v->pre = dash + 1;
        v->npre = (size_t)(p + pn - v->pre);
        pn = (size_t)(dash - p);
    }
    if (!parse_field(cx, p, pn, "patch", "Patch", &v->patch, err))
        return false;
    if (dash) {
        const char *q = v->pre, *end = v->pre + v->npre;
        for (;;) {
            const char *dot = memchr(q, '.', (size_t)(end - q));
            size_t len = (size_t)((dot ? dot : end) - q);
            uint64_t num;
            if (len == 0) {
                *err = VAL_ERROR_LIT("Prerelease is empty");
                return false;
            }
            if (only(q, len, false)) {
                if (len > 1 && q[0] == '0') {
                    *err = rpi_err(cx, "Numeric PreRelease version must not contain leading zeroes \"%.*s\"",
                                   (int)len, q);
                    return false;
                }
                if (!parse_uint(cx, q, len, &num, err))
                    return false;
            } else if (!only(q, len, true)) {
                *err = rpi_err(cx, "Invalid character(s) found in prerelease \"%.*s\"", (int)len, q);
                return false;
            }
            if (!dot)
                break;
            q = dot + 1;
        }
    }
    if (plus) {
        const char *q = build, *end = build + nbuild;
        for (;;) {
            const char *dot = memchr(q, '.', (size_t)(end - q));
            size_t len = (size_t)((dot ? dot : end) - q);
            if (len == 0) {
                *err = VAL_ERROR_LIT("Build meta data is empty");
                return false;
            }
            if (!only(q, len, true)) {
                *err = rpi_err(cx, "Invalid character(s) found in build meta data \"%.*s\"", (int)len, q);
                return false;
            }
            if (!dot)
                break;
            q = dot + 1;
        }
    }
    return true;
}

/* normalizeAndParse of semverlib.go: no "v" prefix, leading zeros
 * dropped, missing minor and patch filled with 0. */
static bool normalize_parse(rpi_ctx *cx, const char *s, size_t n, k8s_semver *v, val *err)
{
    if (n && s[0] == 'v') {
        s++;
        n--;
    }
    const char *part[3];
    size_t len[3];
    int np = 0;
    const char *q = s, *end = s + n;
    while (np < 2) {
        const char *dot = memchr(q, '.', (size_t)(end - q));
        if (!dot)
            break;
        part[np] = q;
        len[np++] = (size_t)(dot - q);
        q = dot + 1;
    }
    part[np] = q;
    len[np++] = (size_t)(end - q);
    char *buf = rpi_strbuf(cx, n + 8);
    if (!buf) {
        *err = rpi_err_oom(cx);
        return false;
    }
    size_t o = 0;
    for (int i = 0; i < np; i++) {
        const char *p = part[i];
        size_t l = len[i];
        if (i)
            buf[o++] = '.';
        if (l > 1) {
            while (l && p[0] == '0') {
                p++;
                l--;
            }
            if (l == 0 || !(p[0] >= '0' && p[0] <= '9'))
                buf[o++] = '0';
        }
        memcpy(buf + o, p, l);
        o += l;
    }
    if (np < 3) {
        if (memchr(part[np - 1], '+', len[np - 1]) || memchr(part[np - 1], '-', len[np - 1])) {
            *err = VAL_ERROR_LIT("short version cannot contain PreRelease/Build meta data");
            return false;
        }
        for (; np < 3; np++) {
            buf[o++] = '.';
            buf[o++] = '0';
        }
    }
    buf[o] = '\0';
    return parse(cx, buf, o, v, err);
}

/* PRVersion.Compare of identifiers A and B. */
static int pr_compare(const char *a, size_t an, const char *b, size_t bn)
{
    bool na = only(a, an, false), nb = only(b, bn, false);
    if (na && nb) {
        if (an != bn)
            return an < bn ? -1 : 1;
        int c = memcmp(a, b, an);
        return c < 0 ? -1 : c > 0;
    }
    if (na)
        return -1;
    if (nb)
        return 1;
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c < 0 ? -1 : 1;
    return an == bn ? 0 : an < bn ? -1 : 1;
}

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

/* Version.Compare (build metadata ignored). */
static int compare(const k8s_semver *x, const k8s_semver *y)
{
    int c = cmp_u64(x->major, y->major);
    if (!c)
        c = cmp_u64(x->minor, y->minor);
    if (!c)
        c = cmp_u64(x->patch, y->patch);
    if (c)
        return c;
    if (!x->pre && !y->pre)
        return 0;
    if (!x->pre)
        return 1;
    if (!y->pre)
        return -1;
    const char *a = x->pre, *ae = x->pre + x->npre, *b = y->pre, *be = y->pre + y->npre;
    for (;;) {
        const char *da = memchr(a, '.', (size_t)(ae - a)), *db = memchr(b, '.', (size_t)(be - b));
        size_t al = (size_t)((da ? da : ae) - a), bl = (size_t)((db ? db : be) - b);
        c = pr_compare(a, al, b, bl);
        if (c)
            return c;
        if (!da && !db)
            return 0;
        if (!da)
            return -1;
        if (!db)
            return 1;
        a = da + 1;
        b = db + 1;
    }
}

static bool semver_equal(const rpi_opaque *a, const rpi_opaque *b)
{
    return compare((const k8s_semver *)a, (const k8s_semver *)b) == 0;
}

static const k8s_semver *as_semver(val v)
{
    return v.kind == VK_OPAQUE && v.u.opaque && v.u.opaque->vt == &semver_vt
               ? (const k8s_semver *)v.u.opaque
               : NULL;
}

/* semver(s) and semver(s, normalize); TO_BOOL: isSemver. */
static val make(rpi_ctx *cx, const val *args, unsigned argc, bool to_bool)
{
    const char *name = to_bool ? "isSemver" : "semver";
    if (args[0].kind != VK_STRING || (argc == 2 && args[1].kind != VK_BOOL))
        return rpi_err_no_overload(cx, name, args, argc);
    if (!rpi_charge(cx, 1 + args[0].aux / 16))
        return rpi_err_oom(cx);
    k8s_semver tmp, *v = to_bool ? &tmp : rpi_alloc(cx, sizeof *v);
    if (!v)
        return rpi_err_oom(cx);
    val err;
    bool ok = argc == 2 && args[1].u.b ? normalize_parse(cx, args[0].u.s, args[0].aux, v, &err)
                                       : parse(cx, args[0].u.s, args[0].aux, v, &err);
    if (to_bool)
        return cx->limit_hit ? rpi_err_oom(cx) : val_bool(ok);
    if (!ok)
        return err;
    val r = {VK_OPAQUE, 0, 0, 0, {0}};
    r.u.opaque = &v->base;
    return r;
}

static val fn_semver(rpi_ctx *cx, const val *args, unsigned argc) { return make(cx, args, argc, false); }
static val fn_is_semver(rpi_ctx *cx, const val *args, unsigned argc) { return make(cx, args, argc, true); }

#define PART(fn, name, field)                                          \
    static val fn(rpi_ctx *cx, const val *args, unsigned argc)         \
    {                                                                  \
        const k8s_semver *v = as_semver(args[0]);                      \
        if (!v)                                                        \
            return rpi_err_no_overload(cx, name, args, argc);          \
        return val_int((int64_t)v->field);                             \
    }
PART(fn_major, "major", major)
PART(fn_minor, "minor", minor)
PART(fn_patch, "patch", patch)

#define COMPARE(fn, name, result)                                      \
    static val fn(rpi_ctx *cx, const val *args, unsigned argc)         \
    {                                                                  \
        const k8s_semver *a = as_semver(args[0]), *b = as_semver(args[1]); \
        if (!a || !b)                                                  \
            return rpi_err_no_overload(cx, name, args, argc);          \
        int c = compare(a, b);                                         \
        return result;                                                 \
    }
COMPARE(fn_is_greater_than, "isGreaterThan", val_bool(c == 1))
COMPARE(fn_is_less_than, "isLessThan", val_bool(c == -1))
COMPARE(fn_compare_to, "compareTo", val_int(c))

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}
#define S "kubernetes.Semver"

static const rpi_func funcs[] = {
    {"semver", RPI_GLOBAL, 1, 0, fn_semver, SIGS("string_to_semver: string -> " S), 1, NULL},
    {"semver", RPI_GLOBAL, 2, 0, fn_semver, SIGS("string_bool_to_semver: string, bool -> " S), 1, NULL},
    {"isSemver", RPI_GLOBAL, 1, 0, fn_is_semver, SIGS("is_semver_string: string -> bool"), 1, NULL},
    {"isSemver", RPI_GLOBAL, 2, 0, fn_is_semver, SIGS("is_semver_string_bool: string, bool -> bool"),
     1, NULL},
    {"major", RPI_RECEIVER, 1, 0, fn_major, SIGS("semver_major: " S " -> int"), 1, &rpi_type_k8s_semver},
    {"minor", RPI_RECEIVER, 1, 0, fn_minor, SIGS("semver_minor: " S " -> int"), 1, &rpi_type_k8s_semver},
    {"patch", RPI_RECEIVER, 1, 0, fn_patch, SIGS("semver_patch: " S " -> int"), 1, &rpi_type_k8s_semver},
    {"isGreaterThan", RPI_RECEIVER, 2, 0, fn_is_greater_than,
     SIGS("semver_is_greater_than: " S ", " S " -> bool"), 1, &rpi_type_k8s_semver},
    {"isLessThan", RPI_RECEIVER, 2, 0, fn_is_less_than, SIGS("semver_is_less_than: " S ", " S " -> bool"),
     1, &rpi_type_k8s_semver},
    {"compareTo", RPI_RECEIVER, 2, 0, fn_compare_to, SIGS("semver_compare_to: " S ", " S " -> int"), 1,
     &rpi_type_k8s_semver},
};

const rpi_library rpi_lib_k8s_semver = {
    "kubernetes.Semver", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
