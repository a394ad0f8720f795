/* lib/k8s_quantity.c -- Kubernetes' quantity library
 * (k8s.io/apiserver/pkg/cel/library/quantity.go): quantity(), isQuantity(),
 * sign, isGreaterThan, isLessThan, compareTo, asApproximateFloat, asInteger,
 * isInteger, add, sub and mul, over values that behave as
 * k8s.io/apimachinery's resource.Quantity does.
 *
 * A resource.Quantity is either an int64Amount (value * 10^scale, the fast
 * form) or an arbitrary-precision inf.Dec (unscaled * 10^-scale).  Which form
 * a quantity is in is observable from CEL: isInteger() is false for every
 * inf.Dec and for every int64Amount of negative scale (quantity("1.0") is not
 * an integer, quantity("1") is), and asApproximateFloat() computes
 * float(unscaled) * 10^exponent of the form at hand.  So this file keeps the
 * same two forms and moves between them exactly where Quantity does.  Values
 * of the inf.Dec form are kept as a decimal digit string with an exponent
 * (`dnum`), so comparisons never need to build huge integers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"

/* The widest digit string an operation may build (a sum of 1e1000000 and 1
 * has a million digits); beyond it the operation fails instead of using
 * unbounded memory. */
#define QTY_MAX_DIGITS (1u << 20)

/* An exact decimal: (-1)^neg * d * 10^e, where d ('0'..'9', N bytes) has no
 * leading or trailing zeros; N == 0 is zero. */
typedef struct dnum {
    bool neg;
    const char *d;
    uint32_t n;
    int64_t e;
} dnum;

typedef struct qty {
    rpi_opaque base;
    bool is_dec;        /* inf.Dec form */
    int64_t iv;         /* int64Amount: iv * 10^is */
    int32_t is;
    dnum dv;            /* inf.Dec form: its exact value ... */
    int64_t dscale;     /* ... and the inf.Dec scale (unscaled = dv * 10^dscale) */
} qty;

static bool qty_equal(const rpi_opaque *a, const rpi_opaque *b);

const rpi_type rpi_type_k8s_quantity = {"kubernetes.Quantity", VK_OPAQUE};
static const rpi_opaque_vtable qty_vt = {&rpi_type_k8s_quantity, qty_equal, NULL};

static const char err_format[] =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/* ---- exact decimals ------------------------------------------------------ */

/* Trim leading and trailing zeros of BUF[0..N) into a dnum. */
static dnum dnum_make(bool neg, const char *buf, size_t n, int64_t e)
{
    size_t lo = 0;
    while (lo < n && buf[lo] == '0')
        lo++;
    while (n > lo && buf[n - 1] == '0') {
        n--;
        e++;
    }
    dnum r = {neg, buf + lo, (uint32_t)(n - lo), e};
    if (r.n == 0) {
        r.neg = false;
        r.e = 0;
    }
    return r;
}

/* The value of int64Amount V * 10^SCALE; BUF holds at least 24 bytes. */
static dnum dnum_from_i64(int64_t v, int64_t scale, char *buf)
{
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = snprintf(buf, 24, "%llu", (unsigned long long)m);
    return dnum_make(v < 0, buf, (size_t)n, scale);
}

static dnum qty_value(const qty *q, char *buf)
{
    return q->is_dec ? q->dv : dnum_from_i64(q->iv, q->is, buf);
}

/* The digit of |A| at 10^P. */
static int dnum_digit(const dnum *a, int64_t p)
{
    if (p < a->e || p >= a->e + (int64_t)a->n)
        return 0;
    return a->d[a->n - 1 - (uint32_t)(p - a->e)] - '0';
}

static int dnum_cmp_mag(const dnum *a, const dnum *b)
{
    if (a->n == 0 || b->n == 0)
        return (a->n != 0) - (b->n != 0);
    int64_t ta = a->e + a->n, tb = b->e + b->n;
    if (ta != tb)
        return ta < tb ? -1 : 1;
    uint32_t n = a->n > b->n ? a->n : b->n;
    for (uint32_t i = 0; i < n; i++) {
        char da = i < a->n ? a->d[i] : '0', db = i < b->n ? b->d[i] : '0';
        if (da != db)
            return da < db ? -1 : 1;
    }
    return 0;
}

static int dnum_sign(const dnum *a) { return a->n == 0 ? 0 : a->neg ? -1 : 1; }

static int dnum_cmp(const dnum *a, const dnum *b)
{
    int sa = dnum_sign(a), sb = dnum_sign(b);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    int c = dnum_cmp_mag(a, b);
    return sa < 0 ? -c : c;
}

/* *OUT = A + B (NEG_B: A - B), exactly, digits in the arena.  False with
 * *ERR set when it is too wide or memory runs out. */
static bool dnum_add(rpi_ctx *cx, const dnum *a, const dnum *b, bool neg_b, dnum *out, val *err)
{
    dnum bb = *b;
    if (neg_b && bb.n)
        bb.neg = !bb.neg;
    if (bb.n == 0) {
        *out = *a;
        return true;
    }
    if (a->n == 0) {
        *out = bb;
        return true;
    }
    int64_t lo = a->e < bb.e ? a->e : bb.e;
    int64_t hi = a->e + a->n > bb.e + bb.n ? a->e + a->n : bb.e + bb.n;
    uint64_t width = (uint64_t)(hi - lo) + 1;
    if (width > QTY_MAX_DIGITS) {
        *err = VAL_ERROR_LIT("quantity too large");
        return false;
    }
    if (!rpi_charge(cx, width / 16)) {
        *err = rpi_err_oom(cx);
        return false;
    }
    char *buf = rpi_alloc(cx, width);
    if (!buf) {
        *err = rpi_err_oom(cx);
        return false;
    }
    bool same = a->neg == bb.neg;
    const dnum *big = a, *small = &bb;
    bool neg = a->neg;
    if (!same && dnum_cmp_mag(a, &bb) < 0) {
        big = &bb;
        small = a;
        neg = bb.neg;
    }
    int carry = 0;
    for (uint64_t i = 0; i < width; i++) {
        int64_t p = lo + (int64_t)i;
        int x = dnum_digit(big, p), y = dnum_digit(small, p);
        int r = same ? x + y + carry : x - y - carry;
        carry = 0;
        if (r >= 10) {
            r -= 10;
            carry = 1;
        } else if (r < 0) {
            r += 10;
            carry = 1;
        }
        buf[width - 1 - i] = (char)('0' + r);
    }
    *out = dnum_make(neg, buf, width, lo);
    return true;
}

/* *OUT = A * M exactly (M != 0 magnitude, NEG its sign). */
static bool dnum_mul_u64(rpi_ctx *cx, const dnum *a, uint64_t m, bool neg, dnum *out, val *err)
{
    size_t width = (size_t)a->n + 20;
    if (width > QTY_MAX_DIGITS) {
        *err = VAL_ERROR_LIT("quantity too large");
        return false;
    }
    char *buf = rpi_alloc(cx, width);
    if (!buf) {
        *err = rpi_err_oom(cx);
        return false;
    }
    unsigned __int128 carry = 0;
    for (size_t i = 0; i < width; i++) {
        unsigned __int128 cur = carry;
        if (i < a->n)
            cur += (unsigned __int128)(unsigned)(a->d[a->n - 1 - i] - '0') * m;
        buf[width - 1 - i] = (char)('0' + (int)(cur % 10));
        carry = cur / 10;
    }
    *out = dnum_make(a->neg != neg, buf, width, a->e);
    return true;
}

/* ---- Go's arithmetic helpers (resource/amount.go, math.go) ---------------- */

static bool int64_multiply(int64_t a, int64_t b, int64_t *out)
{
    if (a == 0 || b == 0 || a == 1 || b == 1) {
        *out = (int64_t)((uint64_t)a * (uint64_t)b);
        return true;
    }
    if (a == INT64_MIN || b == INT64_MIN)
        return false;
    int64_t c;
    if (__builtin_mul_overflow(a, b, &c))
        return false;
    *out = c;
    return true;
}

/* base * 10^scale, scale > 0 */
static bool positive_scale(int64_t base, int64_t scale, int64_t *out)
{
    int64_t v = base;
    if (v == 0) {
        *out = 0;
        return true;
    }
    for (int64_t i = 0; i < scale; i++)
        if (!int64_multiply(v, 10, &v))
            return false;
    *out = v;
    return true;
}

/* int64Amount.Add: false (A unchanged) when the sum does not fit. */
static bool amount_add(int64_t *av, int32_t *as, int64_t bv, int32_t bs)
{
    if (bv == 0)
        return true;
    if (*av == 0) {
        *av = bv;
        *as = bs;
        return true;
    }
    int64_t c;
    if (*as == bs) {
        if (__builtin_add_overflow(*av, bv, &c))
            return false;
        *av = c;
    } else if (*as > bs) {
        if (!positive_scale(*av, (int64_t)*as - bs, &c) || __builtin_add_overflow(c, bv, &c))
            return false;
        *as = bs;
        *av = c;
    } else {
        if (!positive_scale(bv, (int64_t)bs - *as, &c) || __builtin_add_overflow(*av, c, &c))
            return false;
        *av = c;
    }
    return true;
}

/* Go's math.Pow10. */
static double go_pow10(int64_t n)
{
    static const double tab[32] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29,
        1e30, 1e31};
    static const double pos32[10] = {1e0, 1e32, 1e64, 1e96, 1e128, 1e160, 1e192, 1e224, 1e256, 1e288};
    static const double neg32[11] = {1e-0, 1e-32, 1e-64, 1e-96, 1e-128, 1e-160, 1e-192,
                                      1e-224, 1e-256, 1e-288, 1e-320};
    if (n >= 0 && n <= 308)
        return pos32[n / 32] * tab[n % 32];
    if (n < 0 && n >= -323)
        return neg32[-n / 32] / tab[-n % 32];
    return n > 0 ? __builtin_inf() : 0;
}

/* ---- parsing (resource.ParseQuantity) ------------------------------------ */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The suffix: base 10 or 2 and the exponent; false when unknown. */
static bool interpret_suffix(const char *s, size_t n, int *base, int32_t *exp, bool *binary)
{
    static const struct { const char *s; int32_t e; } dec[] = {
        {"n", -9}, {"u", -6}, {"m", -3}, {"", 0}, {"k", 3}, {"M", 6},
        {"G", 9}, {"T", 12}, {"P", 15}, {"E", 18}};
    static const char *const bin[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    *binary = false;
    *base = 10;
    for (size_t i = 0; i < sizeof dec / sizeof dec[0]; i++)
        if (strlen(dec[i].s) == n && memcmp(dec[i].s, s, n) == 0) {
            *exp = dec[i].e;
            return true;
        }
    for (size_t i = 0; i < 6; i++)
        if (n == 2 && memcmp(bin[i], s, 2) == 0) {
            *base = 2;
            *binary = true;
            *exp = (int32_t)(10 * (i + 1));
            return true;
        }
    if (n > 1 && (s[0] == 'e' || s[0] == 'E')) {
        /* strconv.ParseInt(s[1:], 10, 64), then int32() */
        size_t i = 1;
        bool neg = false;
        if (s[i] == '+' || s[i] == '-')
            neg = s[i++] == '-';
        if (i == n)
            return false;
        uint64_t v = 0;
        for (; i < n; i++) {
            if (!is_digit(s[i]))
                return false;
            if (v > (UINT64_MAX - 9) / 10)
                return false;
            v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (v > (uint64_t)INT64_MAX + (neg ? 1 : 0))
            return false;
        uint64_t bits = neg ? (uint64_t)0 - v : v;
        *exp = (int32_t)(uint32_t)bits;
        return true;
    }
    return false;
}

/* Round |A| up to a multiple of 10^-9 (inf.RoundUp at Nano). */
static bool round_nano(rpi_ctx *cx, dnum *a, val *err)
{
    if (a->n == 0 || a->e >= -9)
        return true;
    int64_t cut = -9 - a->e;
    bool neg = a->neg;
    if (cut >= a->n) {
        *a = (dnum){neg, "1", 1, -9};
        return true;
    }
    uint32_t keep = a->n - (uint32_t)cut;
    /* the cut digits are not all zero: a->d has no trailing zeros */
    char *buf = rpi_alloc(cx, (size_t)keep + 1);
    if (!buf) {
        *err = rpi_err_oom(cx);
        return false;
    }
    buf[0] = '0';
    memcpy(buf + 1, a->d, keep);
    for (uint32_t i = keep; i > 0; i--) {
        if (buf[i] != '9') {
            buf[i]++;
            break;
        }
        buf[i] = '0';
        if (i == 1)
            buf[0] = '1';
    }
    *a = dnum_make(neg, buf, (size_t)keep + 1, -9);
    return true;
}

/* Parse S as ParseQuantity does into *Q; false with *ERR as its error. */
static bool qty_parse(rpi_ctx *cx, const char *s, size_t len, qty *q, val *err)
{
    memset(q, 0, sizeof *q);
    q->base.vt = &qty_vt;
    if (len == 0) {
        *err = VAL_ERROR_LIT(err_format);
        return false;
    }
    size_t pos = 0, end = len;
    bool positive = true;
    if (s[0] == '-' || s[0] == '+') {
        positive = s[0] == '+';
        pos++;
    }
    while (pos < end && s[pos] == '0')
        pos++;
    if (pos >= end)
        return true; /* all zeros (or a bare sign): zero */
    size_t num_at = pos;
    while (pos < end && is_digit(s[pos]))
        pos++;
    size_t num_len = pos - num_at;
    size_t den_at = pos, den_len = 0;
    if (pos < end && s[pos] == '.') {
        pos++;
        den_at = pos;
        while (pos < end && is_digit(s[pos]))
            pos++;
        den_len = pos - den_at;
    }
    size_t value_end = pos;
    size_t suf_at = pos;
    while (pos < end && memchr("eEinumkKMGTP", s[pos], 12))
        pos++;
    if (pos < end && (s[pos] == '-' || s[pos] == '+'))
        pos++;
    while (pos < end && is_digit(s[pos]))
        pos++;
    if (pos < end) {
        *err = VAL_ERROR_LIT(err_format);
        return false;
    }
    int base;
    int32_t exponent;
    bool binary;
    if (!interpret_suffix(s + suf_at, end - suf_at, &base, &exponent, &binary)) {
        *err = VAL_ERROR_LIT("unable to parse quantity's suffix");
        return false;
    }
    /* num is "0" when all its digits were leading zeros */
    size_t num_eff = num_len ? num_len : 1;

    /* the int64Amount fast path */
    int32_t precision;
    int32_t scale = 0;
    int64_t mantissa = 1;
    if (!binary) {
        scale = exponent;
        precision = 18 - (int32_t)(num_eff + den_len);
    } else if (den_len == 0) {
        mantissa = (int64_t)1 << exponent;
        precision = 15 - (int32_t)num_eff - (int32_t)((float)exponent * 3 / 10) - 1;
    } else {
        precision = -1;
    }
    if (precision >= 0) {
        scale = (int32_t)((uint32_t)scale - (uint32_t)den_len);
        if (scale >= -9) {
            int64_t v = 0;
            for (size_t i = 0; i < num_len; i++)
                v = v * 10 + (s[num_at + i] - '0');
            for (size_t i = 0; i < den_len; i++)
                v = v * 10 + (s[den_at + i] - '0');
            int64_t r;
            if (int64_multiply(v, mantissa, &r)) {
                q->iv = positive ? r : -r;
                q->is = scale;
                return true;
            }
        }
    }

    /* the inf.Dec path: the text up to the suffix must hold a digit */
    bool digit = false;
    for (size_t i = 0; i < value_end; i++)
        digit |= is_digit(s[i]);
    if (!digit) {
        *err = VAL_ERROR_LIT("unable to parse numeric part of quantity");
        return false;
    }
    size_t nd = num_len + den_len;
    char *buf = rpi_alloc(cx, nd + 1);
    if (!buf) {
        *err = rpi_err_oom(cx);
        return false;
    }
    memcpy(buf, s + num_at, num_len);
    memcpy(buf + num_len, s + den_at, den_len);
    dnum a = dnum_make(!positive, buf, nd, -(int64_t)den_len);
    int64_t dscale = (int64_t)den_len;
    if (base == 10) {
        if (a.n)
            a.e += exponent;
        dscale -= exponent;
    } else if (a.n && !dnum_mul_u64(cx, &a, (uint64_t)1 << exponent, false, &a, err)) {
        return false;
    }
    if (a.n) {
        if (!round_nano(cx, &a, err))
            return false;
        dscale = 9;
        static const dnum max_int64 = {false, "9223372036854775807", 19, 0};
        if (binary && dnum_cmp_mag(&a, &max_int64) > 0) {
            a = (dnum){a.neg, max_int64.d, max_int64.n, 0};
            dscale = 0;
        }
    }
    q->is_dec = true;
    q->dv = a;
    q->dscale = dscale;
    return true;
}

/* ---- the library ----------------------------------------------------------- */

static bool qty_equal(const rpi_opaque *a, const rpi_opaque *b)
{
    char ba[24], bb[24];
    dnum x = qty_value((const qty *)a, ba), y = qty_value((const qty *)b, bb);
    return dnum_cmp(&x, &y) == 0;
}

static const qty *as_qty(val v)
{
    return v.kind == VK_OPAQUE && v.u.opaque && v.u.opaque->vt == &qty_vt
               ? (const qty *)v.u.opaque
               : NULL;
}

static val qty_val(const qty *q)
{
    val v = {VK_OPAQUE, 0, 0, 0, {0}};
    v.u.opaque = &q->base;
    return v;
}

static qty *qty_new(rpi_ctx *cx)
{
    qty *q = rpi_alloc(cx, sizeof *q);
    if (q) {
        memset(q, 0, sizeof *q);
        q->base.vt = &qty_vt;
    }
    return q;
}

static val fn_quantity(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_STRING)
        return rpi_err_no_overload(cx, "quantity", args, argc);
    if (!rpi_charge(cx, 1 + args[0].aux / 8))
        return rpi_err_oom(cx);
    qty *q = qty_new(cx);
    if (!q)
        return rpi_err_oom(cx);
    val err;
    if (!qty_parse(cx, args[0].u.s, args[0].aux, q, &err))
        return err;
    return qty_val(q);
}

static val fn_is_quantity(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_STRING)
        return rpi_err_no_overload(cx, "isQuantity", args, argc);
    if (!rpi_charge(cx, 1 + args[0].aux / 8))
        return rpi_err_oom(cx);
    qty q;
    val err;
    if (qty_parse(cx, args[0].u.s, args[0].aux, &q, &err))
        return val_bool(true);
    return cx->limit_hit ? err : val_bool(false);
}

static val fn_sign(rpi_ctx *cx, const val *args, unsigned argc)
{
    const qty *q = as_qty(args[0]);
    if (!q)
        return rpi_err_no_overload(cx, "sign", args, argc);
    if (!q->is_dec)
        return val_int(q->iv > 0 ? 1 : q->iv < 0 ? -1 : 0);
    return val_int(dnum_sign(&q->dv));
}

/* Compare the receiver with the quantity argument; false when the
 * arguments are not two quantities. */
static bool compare(const val *args, int *cmp)
{
    const qty *a = as_qty(args[0]), *b = as_qty(args[1]);
    if (!a || !b)
        return false;
    char ba[24], bb[24];
    dnum x = qty_value(a, ba), y = qty_value(b, bb);
    *cmp = dnum_cmp(&x, &y);
    return true;
}

static val fn_is_greater_than(rpi_ctx *cx, const val *args, unsigned argc)
{
    int c;
    if (!compare(args, &c))
        return rpi_err_no_overload(cx, "isGreaterThan", args, argc);
    return val_bool(c > 0);
}

static val fn_is_less_than(rpi_ctx *cx, const val *args, unsigned argc)
{
    int c;
    if (!compare(args, &c))
        return rpi_err_no_overload(cx, "isLessThan", args, argc);
    return val_bool(c < 0);
}

static val fn_compare_to(rpi_ctx *cx, const val *args, unsigned argc)
{
    int c;
    if (!compare(args, &c))
        return rpi_err_no_overload(cx, "compareTo", args, argc);
    return val_int(c);
}

/* AsApproximateFloat64: float(unscaled) * Pow10(exponent) of the form at hand. */
static val fn_as_approximate_float(rpi_ctx *cx, const val *args, unsigned argc)
{
    const qty *q = as_qty(args[0]);
    if (!q)
        return rpi_err_no_overload(cx, "asApproximateFloat", args, argc);
    double base;
    int64_t exponent;
    if (!q->is_dec) {
        base = (double)q->iv;
        exponent = q->is;
    } else {
        exponent = -q->dscale;
        int64_t tz = q->dv.e + q->dscale; /* unscaled = dv.d * 10^tz */
        if (q->dv.n == 0) {
            base = 0;
        } else if ((int64_t)q->dv.n + tz > 400) {
            base = __builtin_inf();
        } else {
            char *buf = rpi_strbuf(cx, (size_t)q->dv.n + 32);
            if (!buf)
                return rpi_err_oom(cx);
            memcpy(buf, q->dv.d, q->dv.n);
            snprintf(buf + q->dv.n, 32, "e%lld", (long long)tz);
            base = strtod(buf, NULL);
        }
        if (q->dv.neg)
            base = -base;
    }
    if (exponent == 0)
        return val_double(base);
    return val_double(base * go_pow10(exponent));
}

/* Quantity.AsInt64: only an int64Amount of scale >= 0 that fits. */
static bool as_int64(const qty *q, int64_t *out)
{
    if (q->is_dec || q->is < 0)
        return false;
    if (q->is == 0) {
        *out = q->iv;
        return true;
    }
    return positive_scale(q->iv, q->is, out);
}

static val fn_as_integer(rpi_ctx *cx, const val *args, unsigned argc)
{
    const qty *q = as_qty(args[0]);
    if (!q)
        return rpi_err_no_overload(cx, "asInteger", args, argc);
    int64_t v;
    if (!as_int64(q, &v))
        return VAL_ERROR_LIT("cannot convert value to integer");
    return val_int(v);
}

static val fn_is_integer(rpi_ctx *cx, const val *args, unsigned argc)
{
    const qty *q = as_qty(args[0]);
    if (!q)
        return rpi_err_no_overload(cx, "isInteger", args, argc);
    int64_t v;
    return val_bool(as_int64(q, &v));
}

/* The inf.Dec form of Q (Quantity.AsDec). */
static void to_dec(const qty *q, qty *out, char *buf)
{
    *out = *q;
    if (!q->is_dec) {
        out->is_dec = true;
        out->dv = dnum_from_i64(q->iv, q->is, buf);
        out->dscale = -(int64_t)q->is;
    }
}

/* Quantity.Add / Quantity.Sub of A and B into a new quantity. */
static val add_sub(rpi_ctx *cx, const qty *a, const qty *b, bool sub)
{
    qty *r = qty_new(cx);
    if (!r)
        return rpi_err_oom(cx);
    *r = *a;
    if (!a->is_dec && !b->is_dec) {
        int64_t bv = sub ? (int64_t)((uint64_t)0 - (uint64_t)b->iv) : b->iv;
        if (amount_add(&r->iv, &r->is, bv, b->is))
            return qty_val(r);
    }
    char ba[24], bb[24];
    qty x, y;
    to_dec(a, &x, ba);
    to_dec(b, &y, bb);
    val err;
    if (!dnum_add(cx, &x.dv, &y.dv, sub, &r->dv, &err))
        return err;
    if ((r->dv.d >= ba && r->dv.d < ba + sizeof ba) || (r->dv.d >= bb && r->dv.d < bb + sizeof bb)) {
        /* a view of a stack buffer: copy it into the arena */
        char *d = rpi_alloc(cx, r->dv.n ? r->dv.n : 1);
        if (!d)
            return rpi_err_oom(cx);
        memcpy(d, r->dv.d, r->dv.n);
        r->dv.d = d;
    }
    r->is_dec = true;
    r->dscale = x.dscale > y.dscale ? x.dscale : y.dscale;
    return qty_val(r);
}

static val add_sub_fn(rpi_ctx *cx, const val *args, unsigned argc, bool sub)
{
    const qty *a = as_qty(args[0]);
    const char *name = sub ? "sub" : "add";
    if (!a)
        return rpi_err_no_overload(cx, name, args, argc);
    const qty *b = as_qty(args[1]);
    qty n;
    if (!b) {
        if (args[1].kind != VK_INT)
            return rpi_err_no_overload(cx, name, args, argc);
        memset(&n, 0, sizeof n);
        n.base.vt = &qty_vt;
        n.iv = args[1].u.i;
        b = &n;
    }
    return add_sub(cx, a, b, sub);
}

static val fn_add(rpi_ctx *cx, const val *args, unsigned argc) { return add_sub_fn(cx, args, argc, false); }
static val fn_sub(rpi_ctx *cx, const val *args, unsigned argc) { return add_sub_fn(cx, args, argc, true); }

/* int64Amount.Mul: false (unchanged) when the product leaves the fast form. */
static bool amount_mul(int64_t *av, int32_t *as, int64_t b)
{
    int64_t c;
    if (*av == 0)
        return true;
    if (b == 0) {
        *av = 0;
        *as = 0;
        return true;
    }
    if (!int64_multiply(*av, b, &c))
        return false;
    if (*as > 0) {
        int64_t t;
        if (!positive_scale(c, *as, &t))
            return false;
    } else if (*as < 0) {
        /* negativeScaleInt64: the product must divide exactly by 10^-scale */
        int64_t t = c;
        for (int32_t i = 0; i < -*as && t != 0; i++) {
            if (t % 10 != 0)
                return false;
            t /= 10;
        }
    }
    *av = c;
    return true;
}

static val fn_mul(rpi_ctx *cx, const val *args, unsigned argc)
{
    const qty *a = as_qty(args[0]);
    if (!a || args[1].kind != VK_INT)
        return rpi_err_no_overload(cx, "mul", args, argc);
    qty *r = qty_new(cx);
    if (!r)
        return rpi_err_oom(cx);
    *r = *a;
    int64_t m = args[1].u.i;
    if (!a->is_dec && amount_mul(&r->iv, &r->is, m))
        return qty_val(r);
    char buf[24];
    qty x;
    to_dec(a, &x, buf);
    val err;
    uint64_t mag = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;
    if (m == 0 || x.dv.n == 0) {
        r->dv = (dnum){false, "", 0, 0};
    } else if (!dnum_mul_u64(cx, &x.dv, mag, m < 0, &r->dv, &err)) {
        return err;
    }
    r->is_dec = true;
    r->dscale = x.dscale;
    return qty_val(r);
}

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}
#define Q "kubernetes.Quantity"

static const rpi_func funcs[] = {
    {"quantity", RPI_GLOBAL, 1, 0, fn_quantity, SIGS("string_to_quantity: string -> " Q), 1, NULL},
    {"isQuantity", RPI_GLOBAL, 1, 0, fn_is_quantity, SIGS("is_quantity_string: string -> bool"), 1,
     NULL},
    {"sign", RPI_GLOBAL | RPI_RECEIVER, 1, 0, fn_sign, SIGS("quantity_sign: " Q " -> int"), 1,
     &rpi_type_k8s_quantity},
    {"isGreaterThan", RPI_RECEIVER, 2, 0, fn_is_greater_than,
     SIGS("quantity_is_greater_than: " Q ", " Q " -> bool"), 1, &rpi_type_k8s_quantity},
    {"isLessThan", RPI_RECEIVER, 2, 0, fn_is_less_than,
     SIGS("quantity_is_less_than: " Q ", " Q " -> bool"), 1, &rpi_type_k8s_quantity},
    {"compareTo", RPI_RECEIVER, 2, 0, fn_compare_to, SIGS("quantity_compare_to: " Q ", " Q " -> int"),
     1, &rpi_type_k8s_quantity},
    {"asApproximateFloat", RPI_RECEIVER, 1, 0, fn_as_approximate_float,
     SIGS("quantity_get_float: " Q " -> double"), 1, &rpi_type_k8s_quantity},
    {"asInteger", RPI_RECEIVER, 1, 0, fn_as_integer, SIGS("quantity_get_int: " Q " -> int"), 1,
     &rpi_type_k8s_quantity},
    {"isInteger", RPI_RECEIVER, 1, 0, fn_is_integer, SIGS("quantity_is_integer: " Q " -> bool"), 1,
     &rpi_type_k8s_quantity},
    {"add", RPI_RECEIVER, 2, 0, fn_add,
     SIGS("quantity_add: " Q ", " Q " -> " Q, "quantity_add_int: " Q ", int -> " Q), 1,
     &rpi_type_k8s_quantity},
    {"sub", RPI_RECEIVER, 2, 0, fn_sub,
     SIGS("quantity_sub: " Q ", " Q " -> " Q, "quantity_sub_int: " Q ", int -> " Q), 1,
     &rpi_type_k8s_quantity},
    {"mul", RPI_RECEIVER, 2, 0, fn_mul, SIGS("quantity_multiply_int: " Q ", int -> " Q), 1,
     &rpi_type_k8s_quantity},
};

const rpi_library rpi_lib_k8s_quantity = {
    "kubernetes.quantity", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
