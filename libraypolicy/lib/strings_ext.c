/* lib/strings_ext.c -- cel-go's strings extension (ext/strings.go): charAt,
 * indexOf, lastIndexOf, lowerAscii, upperAscii, replace, split, substring,
 * trim, join, strings.quote, reverse and format.
 *
 * Kubernetes enables version 2 of the library, so everything is in both the
 * Kubernetes and the extended profiles except `reverse` (version 3), which
 * is extended only.  `format` follows cel-go's second formatter
 * (ext/formatting_v2.go), the one the conformance vectors describe: %d
 * takes doubles, %f and %e take integers, lists and maps print their
 * elements bare ("[abc, 3.14]", "{k: v}" with the keys sorted as text).
 *
 * Every index counts code points, as cel-go's []rune conversions do.
 * Strings are valid UTF-8, so a byte search for a valid UTF-8 needle only
 * ever matches on code-point boundaries: the searches work on bytes and
 * convert offsets at the edges.  Each call charges cel-go's string
 * traversal cost (0.1 per byte) for what it reads and builds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

/* cel-go's default precision of %f and %e (ext/formatting.go). */
#define FORMAT_DEFAULT_PRECISION 6
/* The largest precision accepted: cel-go's StringsMaxPrecision default
 * (version 5), which bounds the output of "%.1000000000f". */
#define FORMAT_MAX_PRECISION 100

static uint64_t traversal_cost(uint64_t bytes) { return (bytes + 9) / 10; }

static val cost_exceeded(void) { return VAL_ERROR_LIT("cost limit exceeded"); }

static val index_error(rpi_ctx *cx, int64_t i)
{
    return rpi_err(cx, "index out of range: %lld", (long long)i);
}

/* First byte offset >= FROM where NEEDLE occurs in HAY, or -1. */
static long long find_from(const char *hay, size_t hn, size_t from, const char *needle, size_t nn)
{
    if (nn == 0)
        return from <= hn ? (long long)from : -1;
    if (nn > hn)
        return -1;
    const char *p = hay + from, *last = hay + (hn - nn);
    while (p <= last) {
        p = memchr(p, (unsigned char)needle[0], (size_t)(last - p) + 1);
        if (!p)
            return -1;
        if (memcmp(p, needle, nn) == 0)
            return p - hay;
        p++;
    }
    return -1;
}

/* ---- charAt, indexOf, lastIndexOf, substring ------------------------------------ */

static val fn_char_at(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0], i = args[1];
    if (s.kind != VK_STRING || i.kind != VK_INT)
        return rpi_err_no_overload(cx, "charAt", args, argc);
    if (!rpi_charge(cx, traversal_cost(s.aux)))
        return cost_exceeded();
    size_t n = rpi_utf8_count(s.u.s, s.aux);
    if (i.u.i < 0 || (uint64_t)i.u.i > n)
        return index_error(cx, i.u.i);
    if ((uint64_t)i.u.i == n)
        return val_string("", 0);
    size_t off = rpi_utf8_offset(s.u.s, s.aux, (size_t)i.u.i);
    uint32_t cp;
    int len = rpi_utf8_decode(s.u.s + off, s.aux - off, &cp);
    return val_string(s.u.s + off, (uint32_t)len);
}

/* indexOf(sub [, from]): the code-point index of the first SUB at or after
 * FROM.  FROM outside [0, size] is an error (the conformance vectors'
 * 'tacocat'.indexOf('a', 30)); the empty string is found at FROM. */
static val fn_index_of(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0], sub = args[1];
    if (s.kind != VK_STRING || sub.kind != VK_STRING || (argc == 3 && args[2].kind != VK_INT))
        return rpi_err_no_overload(cx, "indexOf", args, argc);
    if (!rpi_charge(cx, traversal_cost(s.aux) * (traversal_cost(sub.aux) + 1)))
        return cost_exceeded();
    size_t n = rpi_utf8_count(s.u.s, s.aux);
    int64_t from = argc == 3 ? args[2].u.i : 0;
    if (from < 0 || (uint64_t)from > n)
        return index_error(cx, from);
    size_t boff = rpi_utf8_offset(s.u.s, s.aux, (size_t)from);
    long long at = find_from(s.u.s, s.aux, boff, sub.u.s, sub.aux);
    if (at < 0)
        return val_int(-1);
    return val_int((int64_t)(from + (int64_t)rpi_utf8_count(s.u.s + boff, (size_t)at - boff)));
}

/* lastIndexOf(sub [, from]): the code-point index of the last SUB starting
 * at or before FROM (default: the end). */
static val fn_last_index_of(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0], sub = args[1];
    if (s.kind != VK_STRING || sub.kind != VK_STRING || (argc == 3 && args[2].kind != VK_INT))
        return rpi_err_no_overload(cx, "lastIndexOf", args, argc);
    if (!rpi_charge(cx, traversal_cost(s.aux) * (traversal_cost(sub.aux) + 1)))
        return cost_exceeded();
    size_t n = rpi_utf8_count(s.u.s, s.aux);
    int64_t from = (int64_t)n;
    if (argc == 3) {
        from = args[2].u.i;
        if (from < 0 || (uint64_t)from > n)
            return index_error(cx, from);
    }
    if (sub.aux == 0)
        return val_int(from);
    size_t subn = rpi_utf8_count(sub.u.s, sub.aux);
    if (subn > n)
        return val_int(-1);
    if ((size_t)from > n - subn)
        from = (int64_t)(n - subn);
    /* walk back code point by code point from FROM */
    size_t boff = rpi_utf8_offset(s.u.s, s.aux, (size_t)from);
    for (int64_t i = from;; i--) {
        if (boff + sub.aux <= s.aux && memcmp(s.u.s + boff, sub.u.s, sub.aux) == 0)
            return val_int(i);
        if (i == 0)
            break;
        do
            boff--;
        while (boff > 0 && ((unsigned char)s.u.s[boff] & 0xC0) == 0x80);
    }
    return val_int(-1);
}

static val fn_substring(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0];
    if (s.kind != VK_STRING || args[1].kind != VK_INT || (argc == 3 && args[2].kind != VK_INT))
        return rpi_err_no_overload(cx, "substring", args, argc);
    if (!rpi_charge(cx, traversal_cost(s.aux)))
        return cost_exceeded();
    size_t n = rpi_utf8_count(s.u.s, s.aux);
    int64_t start = args[1].u.i, end = argc == 3 ? args[2].u.i : (int64_t)n;
    if (argc == 3 && start > end)
        return rpi_err(cx, "invalid substring range. start: %lld, end: %lld", (long long)start,
                       (long long)end);
    if (start < 0 || (uint64_t)start > n)
        return index_error(cx, start);
    if (end < 0 || (uint64_t)end > n)
        return index_error(cx, end);
    size_t b0 = rpi_utf8_offset(s.u.s, s.aux, (size_t)start);
    size_t b1 = b0 + rpi_utf8_offset(s.u.s + b0, s.aux - b0, (size_t)(end - start));
    return val_string(s.u.s + b0, (uint32_t)(b1 - b0));
}

/* ---- lowerAscii, upperAscii, reverse, trim, quote ---------------------------------- */

static val ascii_case(rpi_ctx *cx, const val *args, unsigned argc, bool upper)
{
    val s = args[0];
    if (s.kind != VK_STRING)
        return rpi_err_no_overload(cx, upper ? "upperAscii" : "lowerAscii", args, argc);
    if (!rpi_charge(cx, traversal_cost(s.aux)))
        return cost_exceeded();
    char *out = rpi_strbuf(cx, s.aux);
    if (!out)
        return rpi_err_oom(cx);
    for (uint32_t i = 0; i < s.aux; i++) {
        char c = s.u.s[i];
        if (upper && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[i] = c;
    }
    out[s.aux] = '\0';
    return val_string(out, s.aux);
}

static val fn_lower_ascii(rpi_ctx *cx, const val *args, unsigned argc)
{
    return ascii_case(cx, args, argc, false);
}

static val fn_upper_ascii(rpi_ctx *cx, const val *args, unsigned argc)
{
    return ascii_case(cx, args, argc, true);
}

static val fn_reverse(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0];
    if (s.kind != VK_STRING)
        return rpi_err_no_overload(cx, "reverse", args, argc);
    if (!rpi_charge(cx, traversal_cost(s.aux)))
        return cost_exceeded();
    char *out = rpi_strbuf(cx, s.aux);
    if (!out)
        return rpi_err_oom(cx);
    size_t i = 0, o = s.aux;
    while (i < s.aux) {
        uint32_t cp;
        int len = rpi_utf8_decode(s.u.s + i, s.aux - i, &cp);
        o -= (size_t)len;
        memcpy(out + o, s.u.s + i, (size_t)len);
        i += (size_t)len;
    }
    out[s.aux] = '\0';
    return val_string(out, s.aux);
}

/* Go's unicode.IsSpace, what strings.TrimSpace trims. */
static bool is_space(uint32_t c)
{
    switch (c) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

static val fn_trim(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0];
    if (s.kind != VK_STRING)
        return rpi_err_no_overload(cx, "trim", args, argc);
    if (!rpi_charge(cx, traversal_cost(s.aux)))
        return cost_exceeded();
    size_t b = 0, e = s.aux;
    while (b < e) {
        uint32_t cp;
        int len = rpi_utf8_decode(s.u.s + b, e - b, &cp);
        if (!is_space(cp))
            break;
        b += (size_t)len;
    }
    while (e > b) {
        size_t p = e - 1;
        while (p > b && ((unsigned char)s.u.s[p] & 0xC0) == 0x80)
            p--;
        uint32_t cp;
        rpi_utf8_decode(s.u.s + p, e - p, &cp);
        if (!is_space(cp))
            break;
        e = p;
    }
    return val_string(s.u.s + b, (uint32_t)(e - b));
}

/* strings.quote: S in double quotes with CEL's escapes for the control
 * characters, the backslash and the double quote. */
static val fn_quote(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0];
    if (s.kind != VK_STRING)
        return rpi_err_no_overload(cx, "strings.quote", args, argc);
    if (!rpi_charge(cx, traversal_cost(s.aux)))
        return cost_exceeded();
    char *out = rpi_strbuf(cx, (size_t)s.aux * 2 + 2);
    if (!out)
        return rpi_err_oom(cx);
    size_t o = 0;
    out[o++] = '"';
    for (uint32_t i = 0; i < s.aux; i++) {
        char c = s.u.s[i], esc = 0;
        switch (c) {
        case '\a': esc = 'a'; break;
        case '\b': esc = 'b'; break;
        case '\f': esc = 'f'; break;
        case '\n': esc = 'n'; break;
        case '\r': esc = 'r'; break;
        case '\t': esc = 't'; break;
        case '\v': esc = 'v'; break;
        case '\\': esc = '\\'; break;
        case '"': esc = '"'; break;
        default: break;
        }
        if (esc) {
            out[o++] = '\\';
            out[o++] = esc;
        } else {
            out[o++] = c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    if (o > UINT32_MAX)
        return VAL_ERROR_LIT("string too long");
    return val_string(out, (uint32_t)o);
}

/* ---- replace, split, join ------------------------------------------------------------ */

/* replace(old, new [, n]) as Go's strings.Replace: at most N replacements
 * (all when N < 0); an empty OLD matches before every code point and at
 * the end. */
static val fn_replace(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0], old = args[1], rep = args[2];
    if (s.kind != VK_STRING || old.kind != VK_STRING || rep.kind != VK_STRING ||
        (argc == 4 && args[3].kind != VK_INT))
        return rpi_err_no_overload(cx, "replace", args, argc);
    int64_t limit = argc == 4 ? args[3].u.i : -1;
    if (!rpi_charge(cx, traversal_cost(s.aux) * (traversal_cost(old.aux) + 1)))
        return cost_exceeded();
    /* count the matches first, so the output is allocated once */
    uint64_t m = 0;
    if (old.aux == 0) {
        m = (uint64_t)rpi_utf8_count(s.u.s, s.aux) + 1;
    } else {
        for (long long at = find_from(s.u.s, s.aux, 0, old.u.s, old.aux); at >= 0;
             at = find_from(s.u.s, s.aux, (size_t)at + old.aux, old.u.s, old.aux))
            m++;
    }
    if (limit >= 0 && (uint64_t)limit < m)
        m = (uint64_t)limit;
    if (m == 0)
        return s;
    uint64_t outlen = (uint64_t)s.aux - m * old.aux + m * rep.aux;
    if (outlen > UINT32_MAX)
        return VAL_ERROR_LIT("string too long");
    if (!rpi_charge(cx, traversal_cost(outlen)))
        return cost_exceeded();
    char *out = rpi_strbuf(cx, (size_t)outlen);
    if (!out)
        return rpi_err_oom(cx);
    size_t i = 0, o = 0;
    for (uint64_t k = 0; k < m; k++) {
        size_t at;
        if (old.aux == 0) {
            at = i;
        } else {
            at = (size_t)find_from(s.u.s, s.aux, i, old.u.s, old.aux);
        }
        memcpy(out + o, s.u.s + i, at - i);
        o += at - i;
        memcpy(out + o, rep.u.s, rep.aux);
        o += rep.aux;
        i = at + old.aux;
        if (old.aux == 0 && i < s.aux) {   /* step over one code point */
            uint32_t cp;
            int len = rpi_utf8_decode(s.u.s + i, s.aux - i, &cp);
            memcpy(out + o, s.u.s + i, (size_t)len);
            o += (size_t)len;
            i += (size_t)len;
        }
    }
    memcpy(out + o, s.u.s + i, s.aux - i);
    o += s.aux - i;
    out[o] = '\0';
    return val_string(out, (uint32_t)o);
}

/* split(sep [, n]) as Go's strings.SplitN: N == 0 gives [], N < 0 every
 * piece, N > 0 at most N pieces, the last holding the rest.  An empty SEP
 * splits into code points. */
static val fn_split(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0], sep = args[1];
    if (s.kind != VK_STRING || sep.kind != VK_STRING || (argc == 3 && args[2].kind != VK_INT))
        return rpi_err_no_overload(cx, "split", args, argc);
    int64_t limit = argc == 3 ? args[2].u.i : -1;
    if (!rpi_charge(cx, traversal_cost(s.aux) + 1))
        return cost_exceeded();
    if (limit == 0) {
        rpi_list *empty = rpi_list_new(cx, 0);
        return empty ? val_list(empty) : rpi_err_oom(cx);
    }
    uint64_t pieces;
    if (sep.aux == 0) {
        pieces = rpi_utf8_count(s.u.s, s.aux);
    } else {
        pieces = 1;
        for (long long at = find_from(s.u.s, s.aux, 0, sep.u.s, sep.aux); at >= 0;
             at = find_from(s.u.s, s.aux, (size_t)at + sep.aux, sep.u.s, sep.aux))
            pieces++;
    }
    if (limit > 0 && (uint64_t)limit < pieces)
        pieces = (uint64_t)limit;
    if (!rpi_charge(cx, pieces))
        return cost_exceeded();
    rpi_list *out = rpi_list_new(cx, (uint32_t)pieces);
    if (!out)
        return rpi_err_oom(cx);
    size_t i = 0;
    for (uint64_t k = 0; k < pieces; k++) {
        size_t end;
        if (k + 1 == pieces) {
            end = s.aux;
        } else if (sep.aux == 0) {
            uint32_t cp;
            end = i + (size_t)rpi_utf8_decode(s.u.s + i, s.aux - i, &cp);
        } else {
            end = (size_t)find_from(s.u.s, s.aux, i, sep.u.s, sep.aux);
        }
        out->items[k] = val_string(s.u.s + i, (uint32_t)(end - i));
        i = end + sep.aux;
    }
    return val_list(out);
}

static val fn_join(rpi_ctx *cx, const val *args, unsigned argc)
{
    val l = args[0];
    val sep = argc == 2 ? args[1] : val_string("", 0);
    if (l.kind != VK_LIST || sep.kind != VK_STRING)
        return rpi_err_no_overload(cx, "join", args, argc);
    uint32_t n = rpi_list_size(l);
    uint64_t total = n ? (uint64_t)(n - 1) * sep.aux : 0;
    for (uint32_t i = 0; i < n; i++) {
        val e = rpi_list_at(l, i);
        if (e.kind != VK_STRING)
            return rpi_err(cx, "join: invalid input: %s", rpi_val_type_name(e));
        total += e.aux;
    }
    if (total > UINT32_MAX)
        return VAL_ERROR_LIT("string too long");
    if (!rpi_charge(cx, traversal_cost(total) + n))
        return cost_exceeded();
    char *out = rpi_strbuf(cx, (size_t)total);
    if (!out)
        return rpi_err_oom(cx);
    size_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        val e = rpi_list_at(l, i);
        if (i) {
            memcpy(out + o, sep.u.s, sep.aux);
            o += sep.aux;
        }
        memcpy(out + o, e.u.s, e.aux);
        o += e.aux;
    }
    out[o] = '\0';
    return val_string(out, (uint32_t)o);
}

/* ---- format --------------------------------------------------------------------------- */

/* A growing text in the evaluation arena: the arena cannot grow a block, so
 * a full buffer is copied into one twice its size (the waste is bounded by
 * the final size).  OOM sticks and is checked once at the end. */
typedef struct textbuf {
    rpi_ctx *cx;
    char *p;
    size_t n, cap;
    bool oom;
} textbuf;

static bool tb_reserve(textbuf *b, size_t more)
{
    if (b->oom)
        return false;
    if (b->n + more <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap * 2 : 64;
    while (cap < b->n + more)
        cap *= 2;
    if (cap > UINT32_MAX) {
        b->oom = true;
        return false;
    }
    char *p = rpi_strbuf(b->cx, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    if (b->n)
        memcpy(p, b->p, b->n);
    b->p = p;
    b->cap = cap;
    return true;
}

static void tb_add(textbuf *b, const char *s, size_t n)
{
    if (n && tb_reserve(b, n)) {
        memcpy(b->p + b->n, s, n);
        b->n += n;
    }
}

static void tb_str(textbuf *b, const char *s) { tb_add(b, s, strlen(s)); }

/* Bytes as text: valid UTF-8 as is, each bad byte as U+FFFD (as Go's
 * string conversion of invalid UTF-8 prints), so the result stays valid. */
static void tb_bytes(textbuf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n) {
            unsigned char c = (unsigned char)s[j];
            size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            if (j + len > n || !rpi_utf8_valid(s + j, len))
                break;
            j += len;
        }
        tb_add(b, s + i, j - i);
        if (j < n) {
            tb_str(b, "\xEF\xBF\xBD");
            j++;
        }
        i = j;
    }
}

/* Go's strconv.FormatFloat(d, 'f', -1, 64): the shortest digits that read
 * back to D, laid out without an exponent.  D is finite. */
static void tb_double_shortest(textbuf *b, double d)
{
    char e[40];
    int prec = 0;
    for (prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, d);
        if (strtod(e, NULL) == d)
            break;
    }
    /* e is [-]D[.DDD]e[+-]XX */
    const char *p = e;
    if (*p == '-') {
        tb_add(b, "-", 1);
        p++;
    }
    char digits[24];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    int exp = atoi(p + 1);
    /* value = 0.digits * 10^(exp+1); the point goes after exp+1 digits */
    int point = exp + 1;
    if (point <= 0) {
        tb_add(b, "0.", 2);
        for (int i = 0; i < -point; i++)
            tb_add(b, "0", 1);
        tb_add(b, digits, nd);
    } else if ((size_t)point >= nd) {
        tb_add(b, digits, nd);
        for (size_t i = nd; i < (size_t)point; i++)
            tb_add(b, "0", 1);
    } else {
        tb_add(b, digits, (size_t)point);
        tb_add(b, ".", 1);
        tb_add(b, digits + point, nd - (size_t)point);
    }
}

/* NaN and the infinities as cel-go's formatter writes them; false for a
 * finite D. */
static bool tb_special(textbuf *b, double d)
{
    if (isnan(d))
        tb_str(b, "NaN");
    else if (isinf(d))
        tb_str(b, d < 0 ? "-Infinity" : "Infinity");
    else
        return false;
    return true;
}

static bool format_value(textbuf *b, val v, const char **bad_type);

typedef struct fmt_entry {
    const char *key, *val;
    size_t keyn, valn;
    uint32_t order;
} fmt_entry;

static int entry_cmp(const void *pa, const void *pb)
{
    const fmt_entry *a = pa, *b = pb;
    size_t n = a->keyn < b->keyn ? a->keyn : b->keyn;
    int c = memcmp(a->key, b->key, n);
    if (c)
        return c;
    if (a->keyn != b->keyn)
        return a->keyn < b->keyn ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* V formatted on its own (a map key or value), in the arena. */
static bool format_alone(rpi_ctx *cx, val v, const char **out, size_t *outn, const char **bad_type)
{
    textbuf t = {cx, NULL, 0, 0, false};
    if (!format_value(&t, v, bad_type))
        return false;
    *out = t.p ? t.p : "";
    *outn = t.n;
    return !t.oom;
}

/* The %s text of V (cel-go's appendingFormatterV2.format).  False with
 * *BAD_TYPE set for a value that has no text form; OOM sets b->oom. */
static bool format_value(textbuf *b, val v, const char **bad_type)
{
    char buf[64];
    switch (v.kind) {
    case VK_BOOL: tb_str(b, v.u.b ? "true" : "false"); return true;
    case VK_INT: snprintf(buf, sizeof buf, "%lld", (long long)v.u.i); tb_str(b, buf); return true;
    case VK_UINT: snprintf(buf, sizeof buf, "%llu", (unsigned long long)v.u.u); tb_str(b, buf); return true;
    case VK_DOUBLE:
        if (!tb_special(b, v.u.d))
            tb_double_shortest(b, v.u.d);
        return true;
    case VK_STRING: tb_add(b, v.u.s, v.aux); return true;
    case VK_BYTES: tb_bytes(b, v.u.s, v.aux); return true;
    case VK_NULL: tb_str(b, "null"); return true;
    case VK_TYPE: tb_str(b, v.u.type->name); return true;
    case VK_TIMESTAMP:
        tb_add(b, buf, rpi_time_timestamp_string(v.u.i, val_nanos(v), 0, buf));
        return true;
    case VK_DURATION:
        tb_add(b, buf, rpi_time_duration_string(v.u.i, val_nanos(v), buf));
        return true;
    case VK_LIST: {
        uint32_t n = rpi_list_size(v);
        tb_add(b, "[", 1);
        for (uint32_t i = 0; i < n; i++) {
            if (i)
                tb_add(b, ", ", 2);
            if (!format_value(b, rpi_list_at(v, i), bad_type))
                return false;
        }
        tb_add(b, "]", 1);
        return true;
    }
    case VK_MAP: {
        uint32_t n = rpi_map_size(v);
        fmt_entry *ents = n ? rpi_alloc(b->cx, (size_t)n * sizeof *ents) : NULL;
        if (n && !ents) {
            b->oom = true;
            return true;
        }
        rpi_map_iter it = {NULL, 0};
        val k, x;
        uint32_t m = 0;
        while (m < n && rpi_map_next(v, &it, &k, &x)) {
            fmt_entry *e = &ents[m];
            e->order = m++;
            if (!format_alone(b->cx, k, &e->key, &e->keyn, bad_type) ||
                !format_alone(b->cx, x, &e->val, &e->valn, bad_type)) {
                if (!*bad_type)
                    b->oom = true;
                return *bad_type == NULL;
            }
        }
        if (m) /* qsort's array may not be NULL, even for no element */
            qsort(ents, m, sizeof *ents, entry_cmp);
        tb_add(b, "{", 1);
        for (uint32_t i = 0; i < m; i++) {
            if (i)
                tb_add(b, ", ", 2);
            tb_add(b, ents[i].key, ents[i].keyn);
            tb_add(b, ": ", 2);
            tb_add(b, ents[i].val, ents[i].valn);
        }
        tb_add(b, "}", 1);
        return true;
    }
    default:
        *bad_type = rpi_val_type_name(v);
        return false;
    }
}

/* Integers in base BASE (2, 8, 16) with a '-' for negative ints, as Go's
 * strconv.FormatInt and %x print them. */
static void tb_radix(textbuf *b, val v, unsigned base, bool upper)
{
    const char *digs = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[70];
    size_t i = sizeof tmp;
    bool neg = v.kind == VK_INT && v.u.i < 0;
    uint64_t u = v.kind == VK_INT ? (neg ? (uint64_t)0 - v.u.u : v.u.u) : v.u.u;
    do {
        tmp[--i] = digs[u % base];
        u /= base;
    } while (u);
    if (neg)
        tmp[--i] = '-';
    tb_add(b, tmp + i, sizeof tmp - i);
}

static void tb_hex_bytes(textbuf *b, const char *s, size_t n, bool upper)
{
    const char *digs = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    if (!tb_reserve(b, n * 2))
        return;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        b->p[b->n++] = digs[c >> 4];
        b->p[b->n++] = digs[c & 15];
    }
}

/* %f and %e of a number with PREC digits (C's printf rounds the exact
 * binary value as Go's does). */
static void tb_float(textbuf *b, double d, char verb, int prec)
{
    if (tb_special(b, d))
        return;
    char fmt[8] = {'%', '.', '*', verb, 0};
    int n = snprintf(NULL, 0, fmt, prec, d);
    if (n < 0 || !tb_reserve(b, (size_t)n + 1))
        return;
    snprintf(b->p + b->n, (size_t)n + 1, fmt, prec, d);
    b->n += (size_t)n;
}

static double as_double(val v)
{
    return v.kind == VK_INT ? (double)v.u.i : v.kind == VK_UINT ? (double)v.u.u : v.u.d;
}

/* Write ARG formatted by VERB.  NULL on success, else the message of the
 * clause's type error (cel-go's *FormatErrorV2 wording), which the caller
 * ends with ", was given <type>". */
static const char *format_clause(textbuf *b, val arg, char verb, int prec, const char **bad_type)
{
    bool num = arg.kind == VK_INT || arg.kind == VK_UINT || arg.kind == VK_DOUBLE;
    bool integer = arg.kind == VK_INT || arg.kind == VK_UINT;
    switch (verb) {
    case 's':
        if (!format_value(b, arg, bad_type))
            return "string clause can only be used on strings, bools, bytes, ints, doubles, maps, "
                   "lists, types, durations, and timestamps";
        return NULL;
    case 'd':
        if (!num)
            return "decimal clause can only be used on ints, uints, and doubles";
        if (arg.kind == VK_DOUBLE) {
            format_value(b, arg, bad_type);
            return NULL;
        }
        tb_radix(b, arg, 10, false);
        return NULL;
    case 'f':
    case 'e':
        if (!num)
            return verb == 'f'
                ? "fixed-point clause can only be used on ints, uints, and doubles"
                : "scientific clause can only be used on ints, uints, and doubles";
        tb_float(b, as_double(arg), verb, prec);
        return NULL;
    case 'b':
        if (arg.kind == VK_BOOL) {
            tb_str(b, arg.u.b ? "1" : "0");
            return NULL;
        }
        if (!integer)
            return "only ints, uints, and bools can be formatted as binary";
        tb_radix(b, arg, 2, false);
        return NULL;
    case 'o':
        if (!integer)
            return "octal clause can only be used on ints and uints";
        tb_radix(b, arg, 8, false);
        return NULL;
    default: /* 'x', 'X' */
        if (arg.kind == VK_STRING || arg.kind == VK_BYTES) {
            tb_hex_bytes(b, arg.u.s, arg.aux, verb == 'X');
            return NULL;
        }
        if (!integer)
            return "only ints, uints, bytes, and strings can be formatted as hex";
        tb_radix(b, arg, 16, verb == 'X');
        return NULL;
    }
}

/* string.format(list): cel-go's parseFormatStringV2.  "%%" is a percent
 * sign; every other '%' takes the next argument through a clause
 * "%[.P]V" with V one of s d f e b o x X. */
static val fn_format(rpi_ctx *cx, const val *args, unsigned argc)
{
    val f = args[0], list = args[1];
    if (f.kind != VK_STRING || list.kind != VK_LIST)
        return rpi_err_no_overload(cx, "format", args, argc);
    uint32_t nargs = rpi_list_size(list), argi = 0;
    textbuf b = {cx, NULL, 0, 0, false};
    const char *s = f.u.s;
    size_t n = f.aux, i = 0;
    while (i < n) {
        const char *pct = memchr(s + i, '%', n - i);
        size_t lit = pct ? (size_t)(pct - (s + i)) : n - i;
        tb_add(&b, s + i, lit);
        i += lit;
        if (i >= n)
            break;
        if (i + 1 < n && s[i + 1] == '%') {
            tb_add(&b, "%", 1);
            i += 2;
            continue;
        }
        if (argi >= nargs)
            return rpi_err(cx, "index %u out of range", argi);
        if (i + 1 >= n)
            return VAL_ERROR_LIT("unexpected end of string");
        size_t j = i + 1;
        int prec = FORMAT_DEFAULT_PRECISION;
        if (s[j] == '.') {
            size_t d0 = ++j;
            while (j < n && s[j] >= '0' && s[j] <= '9')
                j++;
            if (j >= n)
                return VAL_ERROR_LIT("could not parse formatting clause: error while parsing "
                                     "precision: could not find end of precision specifier");
            if (j == d0)
                return VAL_ERROR_LIT("could not parse formatting clause: error while parsing "
                                     "precision: error while converting precision to integer: "
                                     "strconv.Atoi: parsing \"\": invalid syntax");
            long long p = 0;
            for (size_t k = d0; k < j && p <= FORMAT_MAX_PRECISION; k++)
                p = p * 10 + (s[k] - '0');
            if (p > FORMAT_MAX_PRECISION)
                return rpi_err(cx, "could not parse formatting clause: error while parsing "
                                   "precision: precision %.*s exceeds maximum allowed precision %d",
                               (int)(j - d0), s + d0, FORMAT_MAX_PRECISION);
            prec = (int)p;
        }
        char verb = s[j];
        if (!strchr("sdfebxXo", verb) || verb == '\0') {
            uint32_t cp = (unsigned char)verb;
            int len = 1;
            if (cp >= 0x80)
                len = rpi_utf8_decode(s + j, n - j, &cp);
            return rpi_err(cx, "could not parse formatting clause: unrecognized formatting "
                               "clause \"%.*s\"", len, s + j);
        }
        const char *bad_type = NULL;
        val arg = rpi_list_at(list, argi++);
        const char *msg = format_clause(&b, arg, verb, prec, &bad_type);
        if (msg)
            return rpi_err(cx, "error during formatting: %s, was given %s", msg,
                           bad_type ? bad_type : rpi_val_type_name(arg));
        i = j + 1;
        if (b.oom)
            break;
    }
    if (b.oom)
        return cx->limit_hit ? rpi_err_oom(cx) : VAL_ERROR_LIT("string too long");
    if (!rpi_charge(cx, traversal_cost(f.aux) + traversal_cost(b.n)))
        return cost_exceeded();
    return b.p ? val_string(b.p, (uint32_t)b.n) : val_string("", 0);
}

static const rpi_func funcs[] = {
    {"charAt", RPI_RECEIVER, 2, 0, fn_char_at, SIGS("string_char_at_int: string, int -> string"),
     1, &rpi_type_string},
    {"indexOf", RPI_RECEIVER, 2, 0, fn_index_of,
     SIGS("string_index_of_string: string, string -> int"), 1, &rpi_type_string},
    {"indexOf", RPI_RECEIVER, 3, 0, fn_index_of,
     SIGS("string_index_of_string_int: string, string, int -> int"), 1, &rpi_type_string},
    {"lastIndexOf", RPI_RECEIVER, 2, 0, fn_last_index_of,
     SIGS("string_last_index_of_string: string, string -> int"), 1, &rpi_type_string},
    {"lastIndexOf", RPI_RECEIVER, 3, 0, fn_last_index_of,
     SIGS("string_last_index_of_string_int: string, string, int -> int"), 1, &rpi_type_string},
    {"lowerAscii", RPI_RECEIVER, 1, 0, fn_lower_ascii,
     SIGS("string_lower_ascii: string -> string"), 1, &rpi_type_string},
    {"upperAscii", RPI_RECEIVER, 1, 0, fn_upper_ascii,
     SIGS("string_upper_ascii: string -> string"), 1, &rpi_type_string},
    {"replace", RPI_RECEIVER, 3, 0, fn_replace,
     SIGS("string_replace_string_string: string, string, string -> string"), 1, &rpi_type_string},
    {"replace", RPI_RECEIVER, 4, 0, fn_replace,
     SIGS("string_replace_string_string_int: string, string, string, int -> string"), 1,
     &rpi_type_string},
    {"split", RPI_RECEIVER, 2, 0, fn_split,
     SIGS("string_split_string: string, string -> list(string)"), 1, &rpi_type_string},
    {"split", RPI_RECEIVER, 3, 0, fn_split,
     SIGS("string_split_string_int: string, string, int -> list(string)"), 1, &rpi_type_string},
    {"substring", RPI_RECEIVER, 2, 0, fn_substring,
     SIGS("string_substring_int: string, int -> string"), 1, &rpi_type_string},
    {"substring", RPI_RECEIVER, 3, 0, fn_substring,
     SIGS("string_substring_int_int: string, int, int -> string"), 1, &rpi_type_string},
    {"trim", RPI_RECEIVER, 1, 0, fn_trim, SIGS("string_trim: string -> string"), 1,
     &rpi_type_string},
    {"join", RPI_RECEIVER, 1, 0, fn_join, SIGS("list_join: list(string) -> string"), 1,
     &rpi_type_list},
    {"join", RPI_RECEIVER, 2, 0, fn_join,
     SIGS("list_join_string: list(string), string -> string"), 1, &rpi_type_list},
    {"strings.quote", RPI_GLOBAL, 1, 0, fn_quote, SIGS("strings_quote: string -> string"), 1,
     NULL},
    {"reverse", RPI_RECEIVER, 1, RPI_PROF_EXT, fn_reverse,
     SIGS("string_reverse: string -> string"), 1, &rpi_type_string},
    {"format", RPI_RECEIVER, 2, 0, fn_format,
     SIGS("string_format: string, list(dyn) -> string"), 1, &rpi_type_string},
};

const rpi_library rpi_lib_strings_ext = {
    "strings", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
