/* value_out.c -- values as JSON, and back from the cel.expr.Value form.
 *
 * Two output forms (raypolicy.h, rp_value_to_json):
 *   plain   the value as ordinary JSON: numbers, strings, arrays, objects;
 *           bytes as base64, timestamps and durations as the strings CEL's
 *           string() gives, types by name, NaN and infinities as strings;
 *   typed   the protobuf JSON of cel.expr.Value, as the conformance vectors
 *           write it: {"int64Value":"1"}, {"listValue":{"values":[...]}},
 *           timestamps and durations as objectValue with an @type.
 * Each form can be produced as a jansson tree (rpi_val_to_jansson) or as
 * text (rpi_val_to_json_text).  The text writer exists because jansson
 * prints doubles with 17 significant digits (0.1 -> 0.10000000000000001);
 * ours prints the shortest digits that read back to the same double.
 *
 * rpi_val_from_typed_json() reads the typed form into arena values, for
 * typed bindings: strings stay views into the jansson tree, which the
 * activation keeps.
 *
 * rpi_val_format_double() is shared with string(double) and the error
 * messages, which print doubles as Go's %g does; rpi_val_strtod() with
 * double(string).  Both work whatever LC_NUMERIC the host program set.
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- Doubles ---------------------------------------------------------------------- */

/* Shortest decimal digits of finite D > 0 that round-trip: *ND digits in
 * DIG (no point), the decimal point after *DP of them (value =
 * 0.DIG * 10^DP).  %.*e rounds correctly, so the first precision whose
 * text reads back as D gives the shortest correctly rounded digits. */
static void shortest_digits(double d, char *dig, int *nd, int *dp)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (prec == 17 || strtod(buf, NULL) == d)
            break;
    }
    /* buf = "D.DDDDe+XX" or "De+XX" */
    int n = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            dig[n++] = *p;
    int e = *p == 'e' ? atoi(p + 1) : 0;
    while (n > 1 && dig[n - 1] == '0')
        n--;
    *nd = n;
    *dp = e + 1;
}

static size_t put_exp(char *o, int e, bool pad2)
{
    size_t n = 0;
    o[n++] = 'e';
    o[n++] = e < 0 ? '-' : '+';
    if (e < 0)
        e = -e;
    char t[8];
    int k = 0;
    do {
        t[k++] = (char)('0' + e % 10);
        e /= 10;
    } while (e);
    if (pad2 && k < 2)
        t[k++] = '0';
    while (k)
        o[n++] = t[--k];
    return n;
}

size_t rpi_val_format_double(double d, int style, char *buf)
{
    bool json = style == RPI_DOUBLE_JSON;
    if (isnan(d))
        return (size_t)sprintf(buf, "NaN");
    if (isinf(d))
        return (size_t)sprintf(buf, "%s", d > 0 ? (json ? "Infinity" : "+Inf")
                                                : (json ? "-Infinity" : "-Inf"));
    size_t n = 0;
    if (signbit(d)) {
        buf[n++] = '-';
        d = -d;
    }
    if (d == 0) {
        n += (size_t)sprintf(buf + n, json ? "0.0" : "0");
        return n;
    }
    char dig[24];
    int nd, dp;
    shortest_digits(d, dig, &nd, &dp);
    int x = dp - 1; /* the exponent in d.ddd x 10^x */
    bool expo = json ? (dp > 21 || dp <= -6) : (x < -4 || x >= 6);
    if (expo) {
        buf[n++] = dig[0];
        if (nd > 1) {
            buf[n++] = '.';
            memcpy(buf + n, dig + 1, (size_t)nd - 1);
            n += (size_t)nd - 1;
        }
        n += put_exp(buf + n, x, !json);
    } else if (dp <= 0) {
        buf[n++] = '0';
        buf[n++] = '.';
        for (int i = 0; i < -dp; i++)
            buf[n++] = '0';
        memcpy(buf + n, dig, (size_t)nd);
        n += (size_t)nd;
    } else {
        for (int i = 0; i < dp; i++)
            buf[n++] = i < nd ? dig[i] : '0';
        if (nd > dp) {
            buf[n++] = '.';
            memcpy(buf + n, dig + dp, (size_t)(nd - dp));
            n += (size_t)(nd - dp);
        } else if (json) {
            buf[n++] = '.';
            buf[n++] = '0';
        }
    }
    buf[n] = '\0';
    return n;
}

bool rpi_val_strtod(const char *s, size_t n, double *out)
{
    /* strtod reads the locale's decimal point, and a host program may have
     * set one other than '.': write that one in its place. */
    char buf[1024 + 8];
    const char *dp = localeconv()->decimal_point;
    size_t dpl = dp ? strlen(dp) : 0;
    bool swap = dpl > 0 && !(dpl == 1 && dp[0] == '.');
    if (n == 0 || n > 1000 || dpl > 4 || s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
        return false;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0')
            return false;
        if (s[i] == '.' && swap) {
            memcpy(buf + o, dp, dpl);
            o += dpl;
        } else {
            buf[o++] = s[i];
        }
    }
    buf[o] = '\0';
    char *end;
    *out = strtod(buf, &end);
    return end == buf + o;
}

/* ---- Base64 (RFC 4648, as protobuf JSON writes bytes) ------------------------------ */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_len(size_t n) { return (n + 2) / 3 * 4; }

static void b64_encode(const unsigned char *s, size_t n, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
        out[o++] = b64[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decode standard or URL-safe base64, padded or not (protobuf JSON parsers
 * accept both).  Returns the decoded length or -1. */
static long b64_decode(const char *s, size_t n, unsigned char *out)
{
    while (n > 0 && s[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value((unsigned char)s[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (long)o;
}

/* ---- Shared pieces of both forms --------------------------------------------------- */

#define TS_TYPE "type.googleapis.com/google.protobuf.Timestamp"
#define DUR_TYPE "type.googleapis.com/google.protobuf.Duration"

/* The text of a timestamp or duration: the string() forms for plain output,
 * the protobuf JSON forms for typed output.  BUF >= 40 bytes. */
static size_t time_text(val v, bool typed, char *buf)
{
    if (v.kind == VK_TIMESTAMP)
        return typed ? rpi_time_format_timestamp(v.u.i, val_nanos(v), buf)
                     : rpi_time_timestamp_string(v.u.i, val_nanos(v), val_timestamp_offset(v), buf);
    return typed ? rpi_time_format_duration(v.u.i, val_nanos(v), buf)
                 : rpi_time_duration_string(v.u.i, val_nanos(v), buf);
}

/* A map key as the name of a JSON member (plain form). */
static size_t key_text(val k, char *buf, size_t cap, const char **p)
{
    switch (k.kind) {
    case VK_STRING:
        *p = k.u.s;
        return k.aux;
    case VK_INT:
        *p = buf;
        return (size_t)snprintf(buf, cap, "%lld", (long long)k.u.i);
    case VK_UINT:
        *p = buf;
        return (size_t)snprintf(buf, cap, "%llu", (unsigned long long)k.u.u);
    case VK_BOOL:
        *p = k.u.b ? "true" : "false";
        return strlen(*p);
    default:
        *p = rpi_val_type_name(k);
        return strlen(*p);
    }
}

/* ---- jansson trees ------------------------------------------------------------------ */

static json_t *tree(val v, bool typed);

/* {"KIND": INNER}.  Takes INNER's reference, also on failure (as jansson's
 * _new functions do), so that a failed allocation anywhere leaks nothing. */
static json_t *wrap(const char *kind, json_t *inner)
{
    if (!inner)
        return NULL;
    json_t *o = json_object();
    if (!o) {
        json_decref(inner);
        return NULL;
    }
    if (json_object_set_new(o, kind, inner) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* {"KIND": {"FIELD": ARR}}, or {"KIND": {}} when ARR is empty (protobuf
 * JSON leaves empty repeated fields out).  Takes ARR's reference. */
static json_t *wrap_repeated(const char *kind, const char *field, json_t *arr)
{
    json_t *inner = json_object();
    if (!inner) {
        json_decref(arr);
        return NULL;
    }
    if (json_array_size(arr) == 0)
        json_decref(arr);
    else if (json_object_set_new(inner, field, arr) != 0) {
        json_decref(inner);
        return NULL;
    }
    return wrap(kind, inner);
}

static json_t *double_tree(double d)
{
    if (isnan(d))
        return json_string("NaN");
    if (isinf(d))
        return json_string(d > 0 ? "Infinity" : "-Infinity");
    return json_real(d);
}

static json_t *list_tree(val v, bool typed)
{
    json_t *a = json_array();
    if (!a)
        return NULL;
    uint32_t n = rpi_list_size(v);
    for (uint32_t i = 0; i < n; i++) {
        if (json_array_append_new(a, tree(rpi_list_at(v, i), typed)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return typed ? wrap_repeated("listValue", "values", a) : a;
}

static json_t *map_entry(val k, val e)
{
    json_t *entry = json_object();
    if (!entry)
        return NULL;
    if (json_object_set_new(entry, "key", tree(k, true)) != 0 ||
        json_object_set_new(entry, "value", tree(e, true)) != 0) {
        json_decref(entry);
        return NULL;
    }
    return entry;
}

static json_t *map_tree(val v, bool typed)
{
    json_t *out = typed ? json_array() : json_object();
    if (!out)
        return NULL;
    rpi_map_iter it = {NULL, 0};
    val k, e;
    while (rpi_map_next(v, &it, &k, &e)) {
        int rc;
        if (typed) {
            rc = json_array_append_new(out, map_entry(k, e));
        } else {
            char buf[32];
            const char *p;
            size_t len = key_text(k, buf, sizeof buf, &p);
            rc = json_object_setn_new(out, p, len, tree(e, false));
        }
        if (rc != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return typed ? wrap_repeated("mapValue", "entries", out) : out;
}

static json_t *tree(val v, bool typed)
{
    char buf[64];
    switch ((val_kind)v.kind) {
    case VK_NULL:
        return typed ? wrap("nullValue", json_null()) : json_null();
    case VK_BOOL:
        return typed ? wrap("boolValue", json_boolean(v.u.b)) : json_boolean(v.u.b);
    case VK_INT:
        if (typed) {
            snprintf(buf, sizeof buf, "%lld", (long long)v.u.i);
            return wrap("int64Value", json_string(buf));
        }
        return json_integer((json_int_t)v.u.i);
    case VK_UINT:
        if (typed) {
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)v.u.u);
            return wrap("uint64Value", json_string(buf));
        }
        /* Beyond int64 a JSON integer cannot hold it in jansson. */
        return v.u.u <= INT64_MAX ? json_integer((json_int_t)v.u.u) : json_real((double)v.u.u);
    case VK_DOUBLE:
        return typed ? wrap("doubleValue", double_tree(v.u.d)) : double_tree(v.u.d);
    case VK_STRING: {
        json_t *s = json_stringn(v.u.s, v.aux);
        return typed ? wrap("stringValue", s) : s;
    }
    case VK_BYTES: {
        size_t n = b64_len(v.aux);
        char *tmp = malloc(n + 1);
        if (!tmp)
            return NULL;
        b64_encode((const unsigned char *)v.u.s, v.aux, tmp);
        json_t *s = json_stringn(tmp, n);
        free(tmp);
        return typed ? wrap("bytesValue", s) : s;
    }
    case VK_LIST:
        return list_tree(v, typed);
    case VK_MAP:
        return map_tree(v, typed);
    case VK_TYPE: {
        json_t *s = json_string(v.u.type->name);
        return typed ? wrap("typeValue", s) : s;
    }
    case VK_TIMESTAMP:
    case VK_DURATION: {
        size_t n = time_text(v, typed, buf);
        json_t *s = json_stringn(buf, n);
        if (!typed || !s)
            return s;
        json_t *o = json_object();
        if (!o) {
            json_decref(s);
            return NULL;
        }
        /* Both calls always run: each takes its value's reference. */
        int rc = json_object_set_new(o, "@type",
                                     json_string(v.kind == VK_TIMESTAMP ? TS_TYPE : DUR_TYPE));
        rc |= json_object_set_new(o, "value", s);
        if (rc != 0) {
            json_decref(o);
            return NULL;
        }
        return wrap("objectValue", o);
    }
    case VK_OPTIONAL:
        if (!v.u.opt)
            return typed ? wrap("nullValue", json_null()) : json_null();
        return tree(*v.u.opt, typed);
    case VK_OPAQUE: {
        json_t *s = json_string(rpi_val_type_name(v));
        return typed ? wrap("stringValue", s) : s;
    }
    case VK_ERROR:
    case VK__COUNT:
        break;
    }
    return NULL;
}

json_t *rpi_val_to_jansson(val v, bool typed) { return tree(v, typed); }

/* ---- Text ----------------------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool failed;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (n > SIZE_MAX - b->n - 1) {
        b->failed = true;
        return;
    }
    size_t need = b->n + n + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->failed = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_lit(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* A JSON string: quotes, escapes for '"', '\\' and control characters;
 * other UTF-8 goes through unchanged (as jansson writes it by default). */
static void sb_string(sbuf *b, const char *s, size_t n)
{
    sb_put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        sb_put(b, s + run, i - run);
        run = i + 1;
        char esc[8];
        switch (c) {
        case '"': sb_put(b, "\\\"", 2); break;
        case '\\': sb_put(b, "\\\\", 2); break;
        case '\b': sb_put(b, "\\b", 2); break;
        case '\f': sb_put(b, "\\f", 2); break;
        case '\n': sb_put(b, "\\n", 2); break;
        case '\r': sb_put(b, "\\r", 2); break;
        case '\t': sb_put(b, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sb_put(b, esc, 6);
        }
    }
    sb_put(b, s + run, n - run);
    sb_put(b, "\"", 1);
}

static void sb_double(sbuf *b, double d)
{
    char buf[RPI_DOUBLE_BUF];
    size_t n = rpi_val_format_double(d, RPI_DOUBLE_JSON, buf);
    if (isfinite(d))
        sb_put(b, buf, n);
    else
        sb_string(b, buf, n);
}

static void text(sbuf *b, val v, bool typed);

static void text_list(sbuf *b, val v, bool typed)
{
    uint32_t n = rpi_list_size(v);
    if (typed)
        sb_lit(b, n ? "{\"listValue\":{\"values\":[" : "{\"listValue\":{}}");
    else
        sb_put(b, "[", 1);
    for (uint32_t i = 0; i < n && !b->failed; i++) {
        if (i)
            sb_put(b, ",", 1);
        text(b, rpi_list_at(v, i), typed);
    }
    if (typed)
        sb_lit(b, n ? "]}}" : "");
    else
        sb_put(b, "]", 1);
}

static void text_map(sbuf *b, val v, bool typed)
{
    uint32_t n = rpi_map_size(v);
    if (typed)
        sb_lit(b, n ? "{\"mapValue\":{\"entries\":[" : "{\"mapValue\":{}}");
    else
        sb_put(b, "{", 1);
    rpi_map_iter it = {NULL, 0};
    val k, e;
    for (bool first = true; !b->failed && rpi_map_next(v, &it, &k, &e); first = false) {
        if (!first)
            sb_put(b, ",", 1);
        if (typed) {
            sb_lit(b, "{\"key\":");
            text(b, k, true);
            sb_lit(b, ",\"value\":");
            text(b, e, true);
            sb_put(b, "}", 1);
        } else {
            char buf[32];
            const char *p;
            size_t len = key_text(k, buf, sizeof buf, &p);
            sb_string(b, p, len);
            sb_put(b, ":", 1);
            text(b, e, false);
        }
    }
    if (typed)
        sb_lit(b, n ? "]}}" : "");
    else
        sb_put(b, "}", 1);
}

static void text(sbuf *b, val v, bool typed)
{
    char buf[64];
    size_t n;
    switch ((val_kind)v.kind) {
    case VK_NULL:
        sb_lit(b, typed ? "{\"nullValue\":null}" : "null");
        return;
    case VK_BOOL:
        if (typed)
            sb_lit(b, v.u.b ? "{\"boolValue\":true}" : "{\"boolValue\":false}");
        else
            sb_lit(b, v.u.b ? "true" : "false");
        return;
    case VK_INT:
        n = (size_t)snprintf(buf, sizeof buf, typed ? "{\"int64Value\":\"%lld\"}" : "%lld",
                             (long long)v.u.i);
        sb_put(b, buf, n);
        return;
    case VK_UINT:
        n = (size_t)snprintf(buf, sizeof buf, typed ? "{\"uint64Value\":\"%llu\"}" : "%llu",
                             (unsigned long long)v.u.u);
        sb_put(b, buf, n);
        return;
    case VK_DOUBLE:
        if (typed)
            sb_lit(b, "{\"doubleValue\":");
        sb_double(b, v.u.d);
        if (typed)
            sb_put(b, "}", 1);
        return;
    case VK_STRING:
        if (typed)
            sb_lit(b, "{\"stringValue\":");
        sb_string(b, v.u.s, v.aux);
        if (typed)
            sb_put(b, "}", 1);
        return;
    case VK_BYTES: {
        size_t len = b64_len(v.aux);
        char *tmp = malloc(len + 1);
        if (!tmp) {
            b->failed = true;
            return;
        }
        b64_encode((const unsigned char *)v.u.s, v.aux, tmp);
        if (typed)
            sb_lit(b, "{\"bytesValue\":");
        sb_string(b, tmp, len);
        if (typed)
            sb_put(b, "}", 1);
        free(tmp);
        return;
    }
    case VK_LIST:
        text_list(b, v, typed);
        return;
    case VK_MAP:
        text_map(b, v, typed);
        return;
    case VK_TYPE:
        if (typed)
            sb_lit(b, "{\"typeValue\":");
        sb_string(b, v.u.type->name, strlen(v.u.type->name));
        if (typed)
            sb_put(b, "}", 1);
        return;
    case VK_TIMESTAMP:
    case VK_DURATION:
        n = time_text(v, typed, buf);
        if (typed) {
            sb_lit(b, "{\"objectValue\":{\"@type\":\"");
            sb_lit(b, v.kind == VK_TIMESTAMP ? TS_TYPE : DUR_TYPE);
            sb_lit(b, "\",\"value\":");
        }
        sb_string(b, buf, n);
        if (typed)
            sb_lit(b, "}}");
        return;
    case VK_OPTIONAL:
        if (!v.u.opt)
            sb_lit(b, typed ? "{\"nullValue\":null}" : "null");
        else
            text(b, *v.u.opt, typed);
        return;
    case VK_OPAQUE:
        if (typed)
            sb_lit(b, "{\"stringValue\":");
        sb_lit(b, "\"");
        sb_lit(b, rpi_val_type_name(v));
        sb_lit(b, "\"");
        if (typed)
            sb_put(b, "}", 1);
        return;
    case VK_ERROR:
    case VK__COUNT:
        break;
    }
    sb_lit(b, "null");
}

char *rpi_val_to_json_text(val v, bool typed, size_t *len)
{
    sbuf b = {NULL, 0, 0, false};
    text(&b, v, typed);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    if (len)
        *len = b.n;
    return b.p;
}

/* ---- Reading the typed form ------------------------------------------------------------ */

static const rpi_type *const named_types[] = {
    &rpi_type_int, &rpi_type_uint, &rpi_type_double, &rpi_type_bool, &rpi_type_string,
    &rpi_type_bytes, &rpi_type_list, &rpi_type_map, &rpi_type_null, &rpi_type_type,
    &rpi_type_timestamp, &rpi_type_duration, &rpi_type_optional,
};

/* Digits only, no sign, no overflow. */
static bool decimal_u64(const char *s, size_t n, uint64_t *out)
{
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* A decimal int64 or uint64 in a JSON string or number (protobuf JSON
 * writes 64-bit integers as strings, and accepts numbers). */
static bool read_i64(const json_t *j, int64_t *out)
{
    if (json_is_integer(j)) {
        *out = (int64_t)json_integer_value(j);
        return true;
    }
    if (json_is_real(j)) {
        double d = json_real_value(j);
        if (d != trunc(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
            return false;
        *out = (int64_t)d;
        return true;
    }
    if (!json_is_string(j))
        return false;
    const char *s = json_string_value(j);
    size_t n = json_string_length(j);
    bool neg = n > 0 && s[0] == '-';
    uint64_t mag;
    if (!decimal_u64(s + neg, n - neg, &mag) || mag > (uint64_t)INT64_MAX + neg)
        return false;
    *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return true;
}

static bool read_u64(const json_t *j, uint64_t *out)
{
    if (json_is_integer(j)) {
        if (json_integer_value(j) < 0)
            return false;
        *out = (uint64_t)json_integer_value(j);
        return true;
    }
    if (json_is_real(j)) {
        double d = json_real_value(j);
        if (d != trunc(d) || d < 0 || d >= 18446744073709551616.0)
            return false;
        *out = (uint64_t)d;
        return true;
    }
    if (!json_is_string(j))
        return false;
    return decimal_u64(json_string_value(j), json_string_length(j), out);
}

static bool read_double(const json_t *j, double *out)
{
    if (json_is_number(j)) {
        *out = json_number_value(j);
        return true;
    }
    if (!json_is_string(j))
        return false;
    const char *s = json_string_value(j);
    if (strcmp(s, "NaN") == 0) {
        *out = NAN;
        return true;
    }
    if (strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0) {
        *out = s[0] == '-' ? -INFINITY : INFINITY;
        return true;
    }
    if (!*s || (s[0] != '-' && (s[0] < '0' || s[0] > '9')))
        return false;
    return rpi_val_strtod(s, json_string_length(j), out);
}

static val from_typed(rpi_ctx *cx, const json_t *j, unsigned depth);

static val typed_list(rpi_ctx *cx, const json_t *lv, unsigned depth)
{
    if (!json_is_object(lv))
        return VAL_ERROR_LIT("listValue must be an object");
    const json_t *values = json_object_get(lv, "values");
    if (values && !json_is_array(values))
        return VAL_ERROR_LIT("listValue.values must be an array");
    size_t n = values ? json_array_size(values) : 0;
    if (n > UINT32_MAX)
        return VAL_ERROR_LIT("listValue too long");
    rpi_list *l = rpi_list_new(cx, (uint32_t)n);
    if (!l)
        return rpi_err_oom(cx);
    for (size_t i = 0; i < n; i++) {
        val e = from_typed(cx, json_array_get(values, i), depth + 1);
        if (e.kind == VK_ERROR)
            return e;
        l->items[i] = e;
    }
    return val_list(l);
}

static val typed_map(rpi_ctx *cx, const json_t *mv, unsigned depth)
{
    if (!json_is_object(mv))
        return VAL_ERROR_LIT("mapValue must be an object");
    const json_t *entries = json_object_get(mv, "entries");
    if (entries && !json_is_array(entries))
        return VAL_ERROR_LIT("mapValue.entries must be an array");
    size_t n = entries ? json_array_size(entries) : 0;
    if (n > UINT32_MAX)
        return VAL_ERROR_LIT("mapValue too long");
    val *keys = rpi_alloc(cx, n * sizeof(val));
    val *vals = rpi_alloc(cx, n * sizeof(val));
    if (!keys || !vals)
        return rpi_err_oom(cx);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(entries, i);
        const json_t *k = json_object_get(e, "key"), *v = json_object_get(e, "value");
        if (!json_is_object(e) || !k || !v)
            return VAL_ERROR_LIT("mapValue entry needs a key and a value");
        keys[i] = from_typed(cx, k, depth + 1);
        if (keys[i].kind == VK_ERROR)
            return keys[i];
        vals[i] = from_typed(cx, v, depth + 1);
        if (vals[i].kind == VK_ERROR)
            return vals[i];
    }
    return rpi_map_build(cx, keys, vals, (uint32_t)n);
}

static val typed_object(rpi_ctx *cx, const json_t *o)
{
    const json_t *type = json_object_get(o, "@type");
    const json_t *value = json_object_get(o, "value");
    if (!json_is_string(type))
        return VAL_ERROR_LIT("objectValue needs an @type");
    const char *t = json_string_value(type);
    const char *slash = strrchr(t, '/');
    const char *name = slash ? slash + 1 : t;
    if (!json_is_string(value))
        return rpi_err(cx, "objectValue of %s needs a string value", name);
    const char *s = json_string_value(value);
    size_t n = json_string_length(value);
    if (strcmp(name, "google.protobuf.Timestamp") == 0) {
        int64_t sec;
        int32_t nanos, off;
        if (rpi_time_parse_timestamp_at(s, n, &sec, &nanos, &off) != 0)
            return rpi_err(cx, "invalid google.protobuf.Timestamp: %s", s);
        return val_timestamp_at(sec, nanos, off);
    }
    if (strcmp(name, "google.protobuf.Duration") == 0) {
        int64_t sec;
        int32_t nanos;
        if (rpi_time_parse_duration(s, n, &sec, &nanos) != 0)
            return rpi_err(cx, "invalid google.protobuf.Duration: %s", s);
        return val_duration(sec, nanos);
    }
    return rpi_err(cx, "unsupported objectValue type: %s", t);
}

/* The one member of a cel.expr.Value object decides its kind. */
static val from_typed(rpi_ctx *cx, const json_t *j, unsigned depth)
{
    /* jansson's parser stops at depth 2048; this guards trees built in C. */
    if (depth > 4096)
        return VAL_ERROR_LIT("cel.expr.Value nested too deeply");
    if (!json_is_object(j))
        return VAL_ERROR_LIT("a cel.expr.Value must be a JSON object");
    if (json_object_size(j) != 1)
        return rpi_err(cx, "a cel.expr.Value must have exactly one field, not %zu",
                       json_object_size(j));
    void *it = json_object_iter((json_t *)j);
    const char *kind = json_object_iter_key(it);
    const json_t *x = json_object_iter_value(it);

    if (strcmp(kind, "nullValue") == 0) {
        if (json_is_null(x) || (json_is_string(x) && strcmp(json_string_value(x), "NULL_VALUE") == 0))
            return val_null();
        return VAL_ERROR_LIT("nullValue must be null");
    }
    if (strcmp(kind, "boolValue") == 0) {
        if (!json_is_boolean(x))
            return VAL_ERROR_LIT("boolValue must be true or false");
        return val_bool(json_is_true(x));
    }
    if (strcmp(kind, "int64Value") == 0) {
        int64_t i;
        if (!read_i64(x, &i))
            return VAL_ERROR_LIT("int64Value must be a decimal int64");
        return val_int(i);
    }
    if (strcmp(kind, "uint64Value") == 0) {
        uint64_t u;
        if (!read_u64(x, &u))
            return VAL_ERROR_LIT("uint64Value must be a decimal uint64");
        return val_uint(u);
    }
    if (strcmp(kind, "doubleValue") == 0) {
        double d;
        if (!read_double(x, &d))
            return VAL_ERROR_LIT("doubleValue must be a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
        return val_double(d);
    }
    if (strcmp(kind, "stringValue") == 0) {
        if (!json_is_string(x))
            return VAL_ERROR_LIT("stringValue must be a string");
        return rpi_val_from_json(x);
    }
    if (strcmp(kind, "bytesValue") == 0) {
        if (!json_is_string(x))
            return VAL_ERROR_LIT("bytesValue must be a base64 string");
        size_t n = json_string_length(x);
        if (n / 4 * 3 + 3 > UINT32_MAX)
            return VAL_ERROR_LIT("bytesValue too long");
        char *buf = rpi_strbuf(cx, n / 4 * 3 + 3);
        if (!buf)
            return rpi_err_oom(cx);
        long m = b64_decode(json_string_value(x), n, (unsigned char *)buf);
        if (m < 0)
            return VAL_ERROR_LIT("bytesValue is not valid base64");
        return val_bytes(buf, (uint32_t)m);
    }
    if (strcmp(kind, "listValue") == 0)
        return typed_list(cx, x, depth);
    if (strcmp(kind, "mapValue") == 0)
        return typed_map(cx, x, depth);
    if (strcmp(kind, "typeValue") == 0) {
        if (!json_is_string(x))
            return VAL_ERROR_LIT("typeValue must be a type name");
        for (size_t i = 0; i < sizeof named_types / sizeof named_types[0]; i++)
            if (strcmp(named_types[i]->name, json_string_value(x)) == 0)
                return val_type(named_types[i]);
        return rpi_err(cx, "unknown type in typeValue: %s", json_string_value(x));
    }
    if (strcmp(kind, "enumValue") == 0) {
        /* cel-go evaluates enums as their int values. */
        const json_t *v = json_is_object(x) ? json_object_get(x, "value") : NULL;
        if (!json_is_object(x) || (v && !json_is_integer(v)))
            return VAL_ERROR_LIT("enumValue must be {\"type\": ..., \"value\": <int>}");
        return val_int(v ? (int64_t)json_integer_value(v) : 0);
    }
    if (strcmp(kind, "objectValue") == 0) {
        if (!json_is_object(x))
            return VAL_ERROR_LIT("objectValue must be an object");
        return typed_object(cx, x);
    }
    return rpi_err(cx, "unknown cel.expr.Value field '%s'", kind);
}

val rpi_val_from_typed_json(rpi_ctx *cx, const json_t *j)
{
    if (!j)
        return VAL_ERROR_LIT("missing cel.expr.Value");
    return from_typed(cx, j, 0);
}
