/* lib/k8s_ip.c -- Kubernetes' IP and CIDR libraries
 * (k8s.io/apiserver/pkg/cel/library/ip.go and cidr.go): ip(), isIP(),
 * ip.isCanonical(), family, isUnspecified, isLoopback, isLinkLocalMulticast,
 * isLinkLocalUnicast, isGlobalUnicast; cidr(), isCIDR(), containsIP,
 * containsCIDR, ip, prefixLength, masked; and the text of both for string().
 *
 * Addresses are parsed as Go's net/netip.ParseAddr and ParsePrefix parse
 * them, with their error texts, and with Kubernetes' extra rules: no zones,
 * no IPv4-mapped IPv6 addresses.  Both files share one parser, hence one
 * source file.
 */
#include <stdio.h>
#include <string.h>

#include "../internal.h"

typedef struct ipaddr {
    bool is6;
    uint8_t b[16];      /* IPv4 in b[0..3] */
} ipaddr;

typedef struct k8s_ip {
    rpi_opaque base;
    ipaddr a;
} k8s_ip;

typedef struct k8s_cidr {
    rpi_opaque base;
    ipaddr a;
    int bits;
} k8s_cidr;

static bool ip_equal(const rpi_opaque *a, const rpi_opaque *b);
static bool cidr_equal(const rpi_opaque *a, const rpi_opaque *b);

const rpi_type rpi_type_k8s_ip = {"net.IP", VK_OPAQUE};
const rpi_type rpi_type_k8s_cidr = {"net.CIDR", VK_OPAQUE};
static val ip_to_string(rpi_ctx *cx, const rpi_opaque *o);
static const rpi_opaque_vtable ip_vt = {&rpi_type_k8s_ip, ip_equal, ip_to_string};
static const rpi_opaque_vtable cidr_vt = {&rpi_type_k8s_cidr, cidr_equal, ip_to_string};

static bool addr_eq(const ipaddr *x, const ipaddr *y)
{
    return x->is6 == y->is6 && memcmp(x->b, y->b, x->is6 ? 16 : 4) == 0;
}

static bool ip_equal(const rpi_opaque *a, const rpi_opaque *b)
{
    return addr_eq(&((const k8s_ip *)a)->a, &((const k8s_ip *)b)->a);
}

static bool cidr_equal(const rpi_opaque *a, const rpi_opaque *b)
{
    const k8s_cidr *x = (const k8s_cidr *)a, *y = (const k8s_cidr *)b;
    return x->bits == y->bits && addr_eq(&x->a, &y->a);
}

/* ---- Go's strconv.Quote, for error messages ------------------------------- */

/* S quoted as Go's %q does, NUL-terminated in the arena; NULL on OOM. */
static const char *go_quote(rpi_ctx *cx, const char *s, size_t n)
{
    char *out = rpi_strbuf(cx, n * 4 + 2);
    if (!out)
        return NULL;
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\t': esc = "\\t"; break;
        case '\r': esc = "\\r"; break;
        case '\a': esc = "\\a"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\v': esc = "\\v"; break;
        default: break;
        }
        if (esc) {
            memcpy(out + o, esc, 2);
            o += 2;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

/* ---- parsing (net/netip) ------------------------------------------------------ */

/* A parse failure: netip's message and the rest of the input it points at
 * (AT, or NULL). */
typedef struct perr {
    const char *msg;
    const char *at;
    size_t at_len;
} perr;

static bool fail(perr *e, const char *msg, const char *at, size_t at_len)
{
    e->msg = msg;
    e->at = at;
    e->at_len = at_len;
    return false;
}

/* The dotted quad S[0..N) into OUT (parseIPv4Fields). */
static bool parse_v4(const char *s, size_t n, uint8_t *out, perr *e)
{
    int v = 0, pos = 0, dig = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (dig == 1 && v == 0)
                return fail(e, "IPv4 field has octet with leading zero", NULL, 0);
            v = v * 10 + (c - '0');
            dig++;
            if (v > 255)
                return fail(e, "IPv4 field has value >255", NULL, 0);
        } else if (c == '.') {
            if (i == 0 || i == n - 1 || s[i - 1] == '.')
                return fail(e, "IPv4 field must have at least one digit", s + i, n - i);
            if (pos == 3)
                return fail(e, "IPv4 address too long", NULL, 0);
            out[pos++] = (uint8_t)v;
            v = 0;
            dig = 0;
        } else {
            return fail(e, "unexpected character", s + i, n - i);
        }
    }
    if (pos < 3)
        return fail(e, "IPv4 address too short", NULL, 0);
    out[3] = (uint8_t)v;
    return true;
}

/* parseIPv6; *HAS_ZONE is set when a "%zone" followed the address. */
static bool parse_v6(const char *in, size_t in_len, uint8_t *ip, bool *has_zone, perr *e)
{
    const char *s = in;
    size_t n = in_len;
    const char *pct = memchr(in, '%', in_len);
    *has_zone = false;
    if (pct) {
        n = (size_t)(pct - in);
        if (n + 1 == in_len)
            return fail(e, "zone must be a non-empty string", NULL, 0);
        *has_zone = true;
    }
    memset(ip, 0, 16);
    int ellipsis = -1;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        ellipsis = 0;
        s += 2;
        n -= 2;
        if (n == 0)
            return true;
    }
    int i = 0;
    while (i < 16) {
        size_t off = 0;
        uint32_t acc = 0;
        for (; off < n; off++) {
            char c = s[off];
            if (c >= '0' && c <= '9')
                acc = (acc << 4) + (uint32_t)(c - '0');
            else if (c >= 'a' && c <= 'f')
                acc = (acc << 4) + (uint32_t)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                acc = (acc << 4) + (uint32_t)(c - 'A' + 10);
            else
                break;
            if (off > 3)
                return fail(e, "each colon-separated field must have at most 4 hex digits", s, n);
            if (acc > 0xffff)
                return fail(e, "IPv6 field has value >=2^16", s, n);
        }
        if (off == 0)
            return fail(e, "each colon-separated field must have at least one digit", s, n);
        if (off < n && s[off] == '.') {
            if (ellipsis < 0 && i != 12)
                return fail(e, "embedded IPv4 address must replace the final 2 fields of the address",
                            s, n);
            if (i + 4 > 16)
                return fail(e, "too many hex fields to fit an embedded IPv4 at the end of the address",
                            s, n);
            if (!parse_v4(s, n, ip + i, e))
                return false;
            n = 0;
            i += 4;
            break;
        }
        ip[i] = (uint8_t)(acc >> 8);
        ip[i + 1] = (uint8_t)acc;
        i += 2;
        s += off;
        n -= off;
        if (n == 0)
            break;
        if (s[0] != ':')
            return fail(e, "unexpected character, want colon", s, n);
        if (n == 1)
            return fail(e, "colon must be followed by more characters", s, n);
        s++;
        n--;
        if (s[0] == ':') {
            if (ellipsis >= 0)
                return fail(e, "multiple :: in address", s, n);
            ellipsis = i;
            s++;
            n--;
            if (n == 0)
                break;
        }
    }
    if (n != 0)
        return fail(e, "trailing garbage after address", s, n);
    if (i < 16) {
        if (ellipsis < 0)
            return fail(e, "address string too short", NULL, 0);
        int k = 16 - i;
        for (int j = i - 1; j >= ellipsis; j--)
            ip[j + k] = ip[j];
        memset(ip + ellipsis, 0, (size_t)k);
    } else if (ellipsis >= 0) {
        return fail(e, "the :: must expand to at least one field of zeros", NULL, 0);
    }
    return true;
}

/* netip.ParseAddr. */
static bool parse_addr(const char *s, size_t n, ipaddr *a, bool *has_zone, perr *e)
{
    memset(a, 0, sizeof *a);
    *has_zone = false;
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '.':
            return parse_v4(s, n, a->b, e);
        case ':':
            a->is6 = true;
            return parse_v6(s, n, a->b, has_zone, e);
        case '%':
            return fail(e, "missing IPv6 address", NULL, 0);
        default:
            break;
        }
    }
    return fail(e, "unable to parse IP", NULL, 0);
}

static bool is4in6(const ipaddr *a)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return a->is6 && memcmp(a->b, prefix, 12) == 0;
}

/* "ParseAddr(\"s\"): msg (at \"rest\")" */
static const char *addr_error_text(rpi_ctx *cx, const char *s, size_t n, const perr *e)
{
    const char *qs = go_quote(cx, s, n);
    const char *qa = e->at ? go_quote(cx, e->at, e->at_len) : "";
    if (!qs || !qa)
        return NULL;
    size_t len = strlen(qs) + strlen(qa) + strlen(e->msg) + 32;
    char *out = rpi_strbuf(cx, len);
    if (!out)
        return NULL;
    if (e->at)
        snprintf(out, len + 1, "ParseAddr(%s): %s (at %s)", qs, e->msg, qa);
    else
        snprintf(out, len + 1, "ParseAddr(%s): %s", qs, e->msg);
    return out;
}

/* parseIPAddr of ip.go: false with *ERR set to Kubernetes' error. */
static bool k8s_parse_ip(rpi_ctx *cx, val s, ipaddr *a, val *err)
{
    bool zone;
    perr e;
    if (!parse_addr(s.u.s, s.aux, a, &zone, &e)) {
        const char *msg = addr_error_text(cx, s.u.s, s.aux, &e);
        const char *q = go_quote(cx, s.u.s, s.aux);
        *err = msg && q ? rpi_err(cx, "IP Address %s parse error during conversion from string: %s",
                                  q, msg)
                        : rpi_err_oom(cx);
        return false;
    }
    if (zone || is4in6(a)) {
        const char *q = go_quote(cx, s.u.s, s.aux);
        if (!q)
            *err = rpi_err_oom(cx);
        else if (zone)
            *err = rpi_err(cx, "IP address %s with zone value is not allowed", q);
        else
            *err = rpi_err(cx, "IPv4-mapped IPv6 address %s is not allowed", q);
        return false;
    }
    return true;
}

/* netip.ParsePrefix plus parseCIDR's rule; *ERR is parseCIDR's error. */
static bool k8s_parse_cidr(rpi_ctx *cx, val sv, ipaddr *a, int *bits, val *err)
{
    const char *s = sv.u.s;
    size_t n = sv.aux;
    const char *q = go_quote(cx, s, n);
    if (!q) {
        *err = rpi_err_oom(cx);
        return false;
    }
    static const char pre[] =
        "network address parse error during conversion from string: netip.ParsePrefix(";
    size_t slash = n;
    while (slash > 0 && s[slash - 1] != '/')
        slash--;
    if (slash == 0) {
        *err = rpi_err(cx, "%s%s): no '/'", pre, q);
        return false;
    }
    slash--;
    bool zone;
    perr e;
    if (!parse_addr(s, slash, a, &zone, &e)) {
        const char *msg = addr_error_text(cx, s, slash, &e);
        *err = msg ? rpi_err(cx, "%s%s): %s", pre, q, msg) : rpi_err_oom(cx);
        return false;
    }
    if (a->is6 && zone) {
        *err = rpi_err(cx, "%s%s): IPv6 zones cannot be present in a prefix", pre, q);
        return false;
    }
    const char *bs = s + slash + 1;
    size_t bn = n - slash - 1;
    bool ok = bn > 0 && bn <= 18 && !(bn > 1 && (bs[0] < '1' || bs[0] > '9'));
    long long v = 0;
    for (size_t i = 0; ok && i < bn; i++) {
        if (bs[i] < '0' || bs[i] > '9')
            ok = false;
        else
            v = v * 10 + (bs[i] - '0');
    }
    if (!ok) {
        const char *qb = go_quote(cx, bs, bn);
        *err = qb ? rpi_err(cx, "%s%s): bad bits after slash: %s", pre, q, qb) : rpi_err_oom(cx);
        return false;
    }
    if (v > (a->is6 ? 128 : 32)) {
        *err = rpi_err(cx, "%s%s): prefix length out of range", pre, q);
        return false;
    }
    if (is4in6(a)) {
        *err = rpi_err(cx, "IPv4-mapped IPv6 address %s is not allowed", q);
        return false;
    }
    *bits = (int)v;
    return true;
}

/* ---- text (netip.Addr.String, Prefix.String) ------------------------------ */

/* BUF >= 48 bytes; returns the length. */
static size_t addr_string(const ipaddr *a, char *buf)
{
    if (!a->is6)
        return (size_t)snprintf(buf, 48, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2], a->b[3]);
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)a->b[2 * i] << 8 | a->b[2 * i + 1];
    int zs = 255, ze = 255;
    for (int i = 0; i < 8; i++) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        int l = j - i;
        if (l >= 2 && l > ze - zs) {
            zs = i;
            ze = j;
        }
    }
    size_t o = 0;
    for (int i = 0; i < 8; i++) {
        if (i == zs) {
            buf[o++] = ':';
            buf[o++] = ':';
            i = ze;
            if (i >= 8)
                break;
        } else if (i > 0) {
            buf[o++] = ':';
        }
        o += (size_t)snprintf(buf + o, 8, "%x", g[i]);
    }
    buf[o] = '\0';
    return o;
}

size_t rpi_k8s_ip_string(val v, char *buf)
{
    if (v.kind != VK_OPAQUE || !v.u.opaque)
        return 0;
    if (v.u.opaque->vt == &ip_vt)
        return addr_string(&((const k8s_ip *)v.u.opaque)->a, buf);
    if (v.u.opaque->vt == &cidr_vt) {
        const k8s_cidr *c = (const k8s_cidr *)v.u.opaque;
        size_t n = addr_string(&c->a, buf);
        return n + (size_t)snprintf(buf + n, 8, "/%d", c->bits);
    }
    return 0;
}

/* string(ip), string(cidr): Kubernetes' conversions to their text form. */
static val ip_to_string(rpi_ctx *cx, const rpi_opaque *o)
{
    char buf[96];
    val v = {VK_OPAQUE, 0, 0, 0, {0}};
    v.u.opaque = o;
    size_t n = rpi_k8s_ip_string(v, buf);
    char *s = rpi_strbuf(cx, n);
    if (!s)
        return rpi_err_oom(cx);
    memcpy(s, buf, n);
    s[n] = '\0';
    return val_string(s, (uint32_t)n);
}

/* ---- address classes (netip.Addr.Is*) ------------------------------------ */

static bool is_zero(const ipaddr *a)
{
    for (int i = 0; i < (a->is6 ? 16 : 4); i++)
        if (a->b[i])
            return false;
    return true;
}

static bool is_loopback(const ipaddr *a)
{
    if (!a->is6)
        return a->b[0] == 127;
    for (int i = 0; i < 15; i++)
        if (a->b[i])
            return false;
    return a->b[15] == 1;
}

static bool is_multicast(const ipaddr *a)
{
    return a->is6 ? a->b[0] == 0xff : (a->b[0] & 0xf0) == 0xe0;
}

static bool is_ll_multicast(const ipaddr *a)
{
    if (!a->is6)
        return a->b[0] == 224 && a->b[1] == 0 && a->b[2] == 0;
    return a->b[0] == 0xff && (a->b[1] & 0x0f) == 0x02;
}

static bool is_ll_unicast(const ipaddr *a)
{
    if (!a->is6)
        return a->b[0] == 169 && a->b[1] == 254;
    return a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}

static bool is_global_unicast(const ipaddr *a)
{
    if (!a->is6 && (is_zero(a) || memcmp(a->b, "\xff\xff\xff\xff", 4) == 0))
        return false;
    return !(a->is6 && is_zero(a)) && !is_loopback(a) && !is_multicast(a) && !is_ll_unicast(a);
}

/* ---- the library ------------------------------------------------------------- */

static val make_ip(rpi_ctx *cx, const ipaddr *a)
{
    k8s_ip *p = rpi_alloc(cx, sizeof *p);
    if (!p)
        return rpi_err_oom(cx);
    p->base.vt = &ip_vt;
    p->a = *a;
    val v = {VK_OPAQUE, 0, 0, 0, {0}};
    v.u.opaque = &p->base;
    return v;
}

static val make_cidr(rpi_ctx *cx, const ipaddr *a, int bits)
{
    k8s_cidr *p = rpi_alloc(cx, sizeof *p);
    if (!p)
        return rpi_err_oom(cx);
    p->base.vt = &cidr_vt;
    p->a = *a;
    p->bits = bits;
    val v = {VK_OPAQUE, 0, 0, 0, {0}};
    v.u.opaque = &p->base;
    return v;
}

static const ipaddr *as_ip(val v)
{
    return v.kind == VK_OPAQUE && v.u.opaque && v.u.opaque->vt == &ip_vt
               ? &((const k8s_ip *)v.u.opaque)->a
               : NULL;
}

static const k8s_cidr *as_cidr(val v)
{
    return v.kind == VK_OPAQUE && v.u.opaque && v.u.opaque->vt == &cidr_vt
               ? (const k8s_cidr *)v.u.opaque
               : NULL;
}

static bool charge_text(rpi_ctx *cx, val s) { return rpi_charge(cx, 1 + s.aux / 16); }

static val fn_ip(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_STRING)
        return rpi_err_no_overload(cx, "ip", args, argc);
    if (!charge_text(cx, args[0]))
        return rpi_err_oom(cx);
    ipaddr a;
    val err;
    if (!k8s_parse_ip(cx, args[0], &a, &err))
        return err;
    return make_ip(cx, &a);
}

static val fn_is_ip(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_STRING)
        return rpi_err_no_overload(cx, "isIP", args, argc);
    if (!charge_text(cx, args[0]))
        return rpi_err_oom(cx);
    ipaddr a;
    bool zone;
    perr e;
    return val_bool(parse_addr(args[0].u.s, args[0].aux, &a, &zone, &e) && !zone && !is4in6(&a));
}

static val fn_is_canonical(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_STRING)
        return rpi_err_no_overload(cx, "ip.isCanonical", args, argc);
    if (!charge_text(cx, args[0]))
        return rpi_err_oom(cx);
    ipaddr a;
    val err;
    if (!k8s_parse_ip(cx, args[0], &a, &err))
        return err;
    char buf[48];
    size_t n = addr_string(&a, buf);
    return val_bool(n == args[0].aux && memcmp(buf, args[0].u.s, n) == 0);
}

static val fn_family(rpi_ctx *cx, const val *args, unsigned argc)
{
    const ipaddr *a = as_ip(args[0]);
    if (!a)
        return rpi_err_no_overload(cx, "family", args, argc);
    return val_int(a->is6 ? 6 : 4);
}

/* The one-argument predicates on an IP. */
#define IP_PREDICATE(fn, name, test)                                  \
    static val fn(rpi_ctx *cx, const val *args, unsigned argc)        \
    {                                                                 \
        const ipaddr *a = as_ip(args[0]);                             \
        if (!a)                                                       \
            return rpi_err_no_overload(cx, name, args, argc);         \
        return val_bool(test(a));                                     \
    }
IP_PREDICATE(fn_is_unspecified, "isUnspecified", is_zero)
IP_PREDICATE(fn_is_loopback, "isLoopback", is_loopback)
IP_PREDICATE(fn_is_ll_multicast, "isLinkLocalMulticast", is_ll_multicast)
IP_PREDICATE(fn_is_ll_unicast, "isLinkLocalUnicast", is_ll_unicast)
IP_PREDICATE(fn_is_global_unicast, "isGlobalUnicast", is_global_unicast)

static val fn_cidr(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_STRING)
        return rpi_err_no_overload(cx, "cidr", args, argc);
    if (!charge_text(cx, args[0]))
        return rpi_err_oom(cx);
    ipaddr a;
    int bits;
    val err;
    if (!k8s_parse_cidr(cx, args[0], &a, &bits, &err)) {
        if (err.kind != VK_ERROR || cx->limit_hit)
            return err;
        /* stringToCIDR adds its context once more */
        return rpi_err(cx, "network address parse error during conversion from string: %.*s",
                       (int)err.aux, err.u.s);
    }
    return make_cidr(cx, &a, bits);
}

static val fn_is_cidr(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_STRING)
        return rpi_err_no_overload(cx, "isCIDR", args, argc);
    if (!charge_text(cx, args[0]))
        return rpi_err_oom(cx);
    ipaddr a;
    int bits;
    val err;
    if (k8s_parse_cidr(cx, args[0], &a, &bits, &err))
        return val_bool(true);
    return cx->limit_hit ? err : val_bool(false);
}

/* A with the bits after the first BITS cleared (Prefix.Masked). */
static ipaddr mask(const ipaddr *a, int bits)
{
    ipaddr m = *a;
    int total = a->is6 ? 128 : 32;
    for (int i = bits; i < total; i++)
        m.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
    return m;
}

static val fn_contains_ip(rpi_ctx *cx, const val *args, unsigned argc)
{
    const k8s_cidr *c = as_cidr(args[0]);
    if (!c)
        return rpi_err_no_overload(cx, "containsIP", args, argc);
    ipaddr a;
    if (args[1].kind == VK_STRING) {
        val err;
        if (!k8s_parse_ip(cx, args[1], &a, &err))
            return err;
    } else if (as_ip(args[1])) {
        a = *as_ip(args[1]);
    } else {
        return rpi_err_no_overload(cx, "containsIP", args, argc);
    }
    if (a.is6 != c->a.is6)
        return val_bool(false);
    ipaddr x = mask(&a, c->bits), y = mask(&c->a, c->bits);
    return val_bool(addr_eq(&x, &y));
}

static val fn_contains_cidr(rpi_ctx *cx, const val *args, unsigned argc)
{
    const k8s_cidr *c = as_cidr(args[0]);
    if (!c)
        return rpi_err_no_overload(cx, "containsCIDR", args, argc);
    k8s_cidr o;
    if (args[1].kind == VK_STRING) {
        val r = fn_cidr(cx, args + 1, 1);
        if (r.kind == VK_ERROR)
            return r;
        o = *as_cidr(r);
    } else if (as_cidr(args[1])) {
        o = *as_cidr(args[1]);
    } else {
        return rpi_err_no_overload(cx, "containsCIDR", args, argc);
    }
    /* cidrContainsCIDR (Kubernetes 1.33): cidr.Overlaps(other) && bits <=
     * other's bits, i.e. the same family and the same first `bits` bits */
    if (c->a.is6 != o.a.is6 || c->bits > o.bits)
        return val_bool(false);
    ipaddr x = mask(&c->a, c->bits), y = mask(&o.a, c->bits);
    return val_bool(addr_eq(&x, &y));
}

static val fn_cidr_ip(rpi_ctx *cx, const val *args, unsigned argc)
{
    const k8s_cidr *c = as_cidr(args[0]);
    if (!c)
        return rpi_err_no_overload(cx, "ip", args, argc);
    return make_ip(cx, &c->a);
}

static val fn_prefix_length(rpi_ctx *cx, const val *args, unsigned argc)
{
    const k8s_cidr *c = as_cidr(args[0]);
    if (!c)
        return rpi_err_no_overload(cx, "prefixLength", args, argc);
    return val_int(c->bits);
}

static val fn_masked(rpi_ctx *cx, const val *args, unsigned argc)
{
    const k8s_cidr *c = as_cidr(args[0]);
    if (!c)
        return rpi_err_no_overload(cx, "masked", args, argc);
    ipaddr m = mask(&c->a, c->bits);
    return make_cidr(cx, &m, c->bits);
}

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

static const rpi_func funcs[] = {
    {"ip", RPI_GLOBAL, 1, 0, fn_ip, SIGS("string_to_ip: string -> net.IP"), 1, NULL},
    {"isIP", RPI_GLOBAL, 1, 0, fn_is_ip, SIGS("is_ip: string -> bool"), 1, NULL},
    {"ip.isCanonical", RPI_GLOBAL, 1, 0, fn_is_canonical, SIGS("ip_is_canonical: string -> bool"), 1,
     NULL},
    {"family", RPI_RECEIVER, 1, 0, fn_family, SIGS("ip_family: net.IP -> int"), 1, &rpi_type_k8s_ip},
    {"isUnspecified", RPI_RECEIVER, 1, 0, fn_is_unspecified,
     SIGS("ip_is_unspecified: net.IP -> bool"), 1, &rpi_type_k8s_ip},
    {"isLoopback", RPI_RECEIVER, 1, 0, fn_is_loopback, SIGS("ip_is_loopback: net.IP -> bool"), 1,
     &rpi_type_k8s_ip},
    {"isLinkLocalMulticast", RPI_RECEIVER, 1, 0, fn_is_ll_multicast,
     SIGS("ip_is_link_local_multicast: net.IP -> bool"), 1, &rpi_type_k8s_ip},
    {"isLinkLocalUnicast", RPI_RECEIVER, 1, 0, fn_is_ll_unicast,
     SIGS("ip_is_link_local_unicast: net.IP -> bool"), 1, &rpi_type_k8s_ip},
    {"isGlobalUnicast", RPI_RECEIVER, 1, 0, fn_is_global_unicast,
     SIGS("ip_is_global_unicast: net.IP -> bool"), 1, &rpi_type_k8s_ip},
    {"cidr", RPI_GLOBAL, 1, 0, fn_cidr, SIGS("string_to_cidr: string -> net.CIDR"), 1, NULL},
    {"isCIDR", RPI_GLOBAL, 1, 0, fn_is_cidr, SIGS("is_cidr: string -> bool"), 1, NULL},
    {"containsIP", RPI_RECEIVER, 2, 0, fn_contains_ip,
     SIGS("cidr_contains_ip_string: net.CIDR, string -> bool",
          "cidr_contains_ip_ip: net.CIDR, net.IP -> bool"),
     1, &rpi_type_k8s_cidr},
    {"containsCIDR", RPI_RECEIVER, 2, 0, fn_contains_cidr,
     SIGS("cidr_contains_cidr_string: net.CIDR, string -> bool",
          "cidr_contains_cidr: net.CIDR, net.CIDR -> bool"),
     1, &rpi_type_k8s_cidr},
    {"ip", RPI_RECEIVER, 1, 0, fn_cidr_ip, SIGS("cidr_ip: net.CIDR -> net.IP"), 1,
     &rpi_type_k8s_cidr},
    {"prefixLength", RPI_RECEIVER, 1, 0, fn_prefix_length, SIGS("cidr_prefix_length: net.CIDR -> int"),
     1, &rpi_type_k8s_cidr},
    {"masked", RPI_RECEIVER, 1, 0, fn_masked, SIGS("cidr_masked: net.CIDR -> net.CIDR"), 1,
     &rpi_type_k8s_cidr},
};

const rpi_library rpi_lib_k8s_ip = {
    "kubernetes.net.ip", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
