/* lib/k8s_url.c -- Kubernetes' URL library
 * (k8s.io/apiserver/pkg/cel/library/urls.go): url(), isURL(), getScheme,
 * getHost, getHostname, getPort, getEscapedPath and getQuery.
 *
 * Kubernetes checks the text with Go's net/url.ParseRequestURI (an absolute
 * URI or an absolute path) and then keeps what url.Parse makes of it (the
 * fragment cut off first).  Both are one function here, `parse`, with Go's
 * `viaRequest` switch, and Go's error texts.
 */
#include <string.h>

#include "../internal.h"

typedef struct span {
    const char *p;
    size_t n;
} span;

typedef struct k8s_url {
    rpi_opaque base;
    span scheme;        /* lower-cased */
    span opaque;
    span userinfo;      /* as written */
    span host;          /* unescaped */
    span path;          /* escaped, as EscapedPath() returns it */
    span query;         /* RawQuery */
    span fragment;      /* as written */
    bool force_query;
} k8s_url;

static bool url_equal(const rpi_opaque *a, const rpi_opaque *b);

const rpi_type rpi_type_k8s_url = {"kubernetes.URL", VK_OPAQUE};
static const rpi_opaque_vtable url_vt = {&rpi_type_k8s_url, url_equal, NULL};

static bool span_eq(span a, span b) { return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0); }

/* Go compares URL.String() of both; equal components give equal text. */
static bool url_equal(const rpi_opaque *a, const rpi_opaque *b)
{
    const k8s_url *x = (const k8s_url *)a, *y = (const k8s_url *)b;
    return span_eq(x->scheme, y->scheme) && span_eq(x->opaque, y->opaque) &&
           span_eq(x->userinfo, y->userinfo) && span_eq(x->host, y->host) &&
           span_eq(x->path, y->path) && span_eq(x->query, y->query) &&
           span_eq(x->fragment, y->fragment) && x->force_query == y->force_query;
}

/* ---- net/url helpers ----------------------------------------------------------- */

enum { ENC_PATH, ENC_USER, ENC_QUERY, ENC_FRAGMENT, ENC_HOST, ENC_ZONE };

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool should_escape(unsigned char c, int mode)
{
    if (is_alnum(c))
        return false;
    if ((mode == ENC_HOST || mode == ENC_ZONE) && c && strchr("!$&'()*+,;=:[]<>\"", c))
        return false;
    switch (c) {
    case '-': case '_': case '.': case '~':
        return false;
    case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=': case '?': case '@':
        switch (mode) {
        case ENC_PATH: return c == '?';
        case ENC_USER: return c == '@' || c == '/' || c == '?' || c == ':';
        case ENC_QUERY: return true;
        case ENC_FRAGMENT: return false;
        default: break;
        }
        break;
    default:
        break;
    }
    if (mode == ENC_FRAGMENT && (c == '!' || c == '(' || c == ')' || c == '*'))
        return false;
    return true;
}

static int unhex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Go's strconv.Quote of short ASCII-ish text into OUT (room 4n+3). */
static void quote(const char *s, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* An error message in the arena: PREFIX + quoted(S[0..N)) + SUFFIX. */
static const char *msg_q(rpi_ctx *cx, const char *prefix, const char *s, size_t n, const char *suffix)
{
    size_t len = strlen(prefix) + 4 * n + 3 + strlen(suffix);
    char *out = rpi_strbuf(cx, len);
    if (!out)
        return NULL;
    strcpy(out, prefix);
    quote(s, n, out + strlen(out));
    strcat(out, suffix);
    return out;
}

/* Go's unescape(S, MODE) into the arena; NULL with *ERR (arena text) on a
 * bad escape or host character. */
static const char *unescape(rpi_ctx *cx, span s, int mode, size_t *out_len, const char **err)
{
    for (size_t i = 0; i < s.n;) {
        unsigned char c = (unsigned char)s.p[i];
        if (c == '%') {
            if (i + 2 >= s.n || unhex(s.p[i + 1]) < 0 || unhex(s.p[i + 2]) < 0) {
                size_t m = s.n - i > 3 ? 3 : s.n - i;
                *err = msg_q(cx, "invalid URL escape ", s.p + i, m, "");
                return NULL;
            }
            bool pct25 = s.p[i + 1] == '2' && s.p[i + 2] == '5';
            if (mode == ENC_HOST && unhex(s.p[i + 1]) < 8 && !pct25) {
                *err = msg_q(cx, "invalid URL escape ", s.p + i, 3, "");
                return NULL;
            }
            if (mode == ENC_ZONE) {
                unsigned v = (unsigned)(unhex(s.p[i + 1]) << 4 | unhex(s.p[i + 2]));
                if (!pct25 && v != ' ' && should_escape((unsigned char)v, ENC_HOST)) {
                    *err = msg_q(cx, "invalid URL escape ", s.p + i, 3, "");
                    return NULL;
                }
            }
            i += 3;
        } else {
            if ((mode == ENC_HOST || mode == ENC_ZONE) && c < 0x80 && should_escape(c, mode)) {
                *err = msg_q(cx, "invalid character ", s.p + i, 1, " in host name");
                return NULL;
            }
            i++;
        }
    }
    char *out = rpi_strbuf(cx, s.n);
    if (!out) {
        *err = NULL;
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < s.n;) {
        if (s.p[i] == '%') {
            out[o++] = (char)(unhex(s.p[i + 1]) << 4 | unhex(s.p[i + 2]));
            i += 3;
        } else {
            out[o++] = (mode == ENC_QUERY && s.p[i] == '+') ? ' ' : s.p[i];
            i++;
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

/* Go's escape(S, ENC_PATH). */
static span escape_path(rpi_ctx *cx, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = rpi_strbuf(cx, 3 * n);
    if (!out)
        return (span){NULL, 0};
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (should_escape(c, ENC_PATH)) {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return (span){out, o};
}

static bool valid_encoded(span s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c && strchr("!$&'()*+,;=:@[]%", c))
            continue;
        if (should_escape(c, ENC_PATH))
            return false;
    }
    return true;
}

static bool valid_optional_port(span p)
{
    if (p.n == 0)
        return true;
    if (p.p[0] != ':')
        return false;
    for (size_t i = 1; i < p.n; i++)
        if (p.p[i] < '0' || p.p[i] > '9')
            return false;
    return true;
}

static const char *last_of(span s, char c)
{
    for (size_t i = s.n; i > 0; i--)
        if (s.p[i - 1] == c)
            return s.p + i - 1;
    return NULL;
}

/* parseHost: the unescaped host into U->host. */
static bool parse_host(rpi_ctx *cx, span host, k8s_url *u, const char **err)
{
    size_t n;
    if (host.n && host.p[0] == '[') {
        const char *rb = last_of(host, ']');
        if (!rb) {
            *err = "missing ']' in host";
            return false;
        }
        span port = {rb + 1, (size_t)(host.p + host.n - rb - 1)};
        if (!valid_optional_port(port)) {
            *err = msg_q(cx, "invalid port ", port.p, port.n, " after host");
            return false;
        }
        span inner = {host.p, (size_t)(rb - host.p)};
        const char *z = NULL;
        for (size_t i = 0; i + 3 <= inner.n && !z; i++)
            if (memcmp(inner.p + i, "%25", 3) == 0)
                z = inner.p + i;
        if (z) {
            size_t n1, n2, n3;
            const char *h1 = unescape(cx, (span){host.p, (size_t)(z - host.p)}, ENC_HOST, &n1, err);
            const char *h2 = h1 ? unescape(cx, (span){z, (size_t)(rb - z)}, ENC_ZONE, &n2, err) : NULL;
            const char *h3 = h2 ? unescape(cx, (span){rb, port.n + 1}, ENC_HOST, &n3, err)
                                : NULL;
            if (!h3)
                return false;
            char *all = rpi_strbuf(cx, n1 + n2 + n3);
            if (!all) {
                *err = NULL;
                return false;
            }
            memcpy(all, h1, n1);
            memcpy(all + n1, h2, n2);
            memcpy(all + n1 + n2, h3, n3);
            u->host = (span){all, n1 + n2 + n3};
            return true;
        }
    } else {
        const char *c = last_of(host, ':');
        if (c) {
            span port = {c, (size_t)(host.p + host.n - c)};
            if (!valid_optional_port(port)) {
                *err = msg_q(cx, "invalid port ", port.p, port.n, " after host");
                return false;
            }
        }
    }
    const char *h = unescape(cx, host, ENC_HOST, &n, err);
    if (!h)
        return false;
    u->host = (span){h, n};
    return true;
}

static bool valid_userinfo(span s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (is_alnum(c))
            continue;
        if (!c || !strchr("-._:~!$&'()*+,;=%@", c))
            return false;
    }
    return true;
}

/* Go's url.parse(RAW, viaRequest) into *U; false with *ERR (NULL = out of
 * memory). */
static bool parse(rpi_ctx *cx, span raw, bool via_request, k8s_url *u, const char **err)
{
    memset(u, 0, sizeof *u);
    u->base.vt = &url_vt;
    for (size_t i = 0; i < raw.n; i++)
        if ((unsigned char)raw.p[i] < 0x20 || raw.p[i] == 0x7f) {
            *err = "net/url: invalid control character in URL";
            return false;
        }
    if (raw.n == 0 && via_request) {
        *err = "empty url";
        return false;
    }
    if (raw.n == 1 && raw.p[0] == '*') {
        u->path = raw;
        return true;
    }
    span rest = raw;
    for (size_t i = 0; i < raw.n; i++) {
        char c = raw.p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0)
                break;
            continue;
        }
        if (c == ':') {
            if (i == 0) {
                *err = "missing protocol scheme";
                return false;
            }
            char *sch = rpi_strbuf(cx, i);
            if (!sch) {
                *err = NULL;
                return false;
            }
            for (size_t k = 0; k < i; k++)
                sch[k] = (raw.p[k] >= 'A' && raw.p[k] <= 'Z') ? (char)(raw.p[k] + 32) : raw.p[k];
            u->scheme = (span){sch, i};
            rest = (span){raw.p + i + 1, raw.n - i - 1};
        }
        break;
    }
    size_t nq = 0;
    for (size_t i = 0; i < rest.n; i++)
        nq += rest.p[i] == '?';
    if (nq == 1 && rest.p[rest.n - 1] == '?') {
        u->force_query = true;
        rest.n--;
    } else {
        const char *q = memchr(rest.p, '?', rest.n);
        if (q) {
            u->query = (span){q + 1, (size_t)(rest.p + rest.n - q - 1)};
            rest.n = (size_t)(q - rest.p);
        }
    }
    if (!(rest.n && rest.p[0] == '/')) {
        if (u->scheme.n) {
            u->opaque = rest;
            return true;
        }
        if (via_request) {
            *err = "invalid URI for request";
            return false;
        }
        const char *sl = memchr(rest.p, '/', rest.n);
        size_t seg = sl ? (size_t)(sl - rest.p) : rest.n;
        if (memchr(rest.p, ':', seg)) {
            *err = "first path segment in URL cannot contain colon";
            return false;
        }
    }
    bool slash2 = rest.n >= 2 && rest.p[0] == '/' && rest.p[1] == '/';
    bool slash3 = slash2 && rest.n >= 3 && rest.p[2] == '/';
    if ((u->scheme.n || (!via_request && !slash3)) && slash2) {
        span auth = {rest.p + 2, rest.n - 2};
        const char *sl = memchr(auth.p, '/', auth.n);
        rest = (span){NULL, 0};
        if (sl) {
            rest = (span){sl, (size_t)(auth.p + auth.n - sl)};
            auth.n = (size_t)(sl - auth.p);
        }
        const char *at = last_of(auth, '@');
        span host = at ? (span){at + 1, (size_t)(auth.p + auth.n - at - 1)} : auth;
        if (!parse_host(cx, host, u, err))
            return false;
        if (at) {
            span ui = {auth.p, (size_t)(at - auth.p)};
            if (!valid_userinfo(ui)) {
                *err = "net/url: invalid userinfo";
                return false;
            }
            /* user and password must unescape */
            const char *colon = memchr(ui.p, ':', ui.n);
            size_t n;
            span user = colon ? (span){ui.p, (size_t)(colon - ui.p)} : ui;
            if (!unescape(cx, user, ENC_USER, &n, err))
                return false;
            if (colon && !unescape(cx, (span){colon + 1, (size_t)(ui.p + ui.n - colon - 1)},
                                   ENC_USER, &n, err))
                return false;
            u->userinfo = ui;
        }
    }
    size_t n;
    const char *path = unescape(cx, rest, ENC_PATH, &n, err);
    if (!path)
        return false;
    u->path = valid_encoded(rest) ? rest : escape_path(cx, path, n);
    if (!u->path.p && n) {
        *err = NULL;
        return false;
    }
    return true;
}

/* `parse "RAW": ERR` as url.Error prints, behind Kubernetes' prefix. */
static val url_error(rpi_ctx *cx, span raw, const char *err)
{
    if (!err)
        return rpi_err_oom(cx);
    const char *m = msg_q(cx, "URL parse error during conversion from string: parse ", raw.p, raw.n, ": ");
    if (!m)
        return rpi_err_oom(cx);
    return rpi_err(cx, "%s%s", m, err);
}

/* stringToUrl: ParseRequestURI to check, then Parse to keep. */
static bool k8s_parse_url(rpi_ctx *cx, val s, k8s_url *u, val *errv)
{
    span raw = {s.u.s, s.aux};
    const char *err;
    if (!parse(cx, raw, true, u, &err)) {
        *errv = url_error(cx, raw, err);
        return false;
    }
    const char *hash = memchr(raw.p, '#', raw.n);
    span head = hash ? (span){raw.p, (size_t)(hash - raw.p)} : raw;
    if (!parse(cx, head, false, u, &err)) {
        *errv = url_error(cx, head, err);
        return false;
    }
    if (hash) {
        span frag = {hash + 1, (size_t)(raw.p + raw.n - hash - 1)};
        size_t n;
        if (frag.n && !unescape(cx, frag, ENC_FRAGMENT, &n, &err)) {
            *errv = url_error(cx, raw, err);
            return false;
        }
        u->fragment = frag;
    }
    return true;
}

/* format.uri()'s check (lib/k8s_format.c): url.ParseRequestURI alone, its
 * error printed as url.Error does, without url()'s prefix. */
val rpi_k8s_url_request_uri_error(rpi_ctx *cx, val s)
{
    if (s.kind != VK_STRING)
        return VAL_ERROR_LIT("no such overload");
    k8s_url u;
    const char *err = NULL;
    span raw = {s.u.s, s.aux};
    if (parse(cx, raw, true, &u, &err))
        return val_null();
    if (!err)
        return rpi_err_oom(cx);
    const char *m = msg_q(cx, "parse ", raw.p, raw.n, ": ");
    if (!m)
        return rpi_err_oom(cx);
    size_t ml = strlen(m), el = strlen(err);
    char *out = rpi_strbuf(cx, ml + el);
    if (!out)
        return rpi_err_oom(cx);
    memcpy(out, m, ml);
    memcpy(out + ml, err, el + 1);
    return val_string(out, (uint32_t)(ml + el));
}

/* ---- the library ------------------------------------------------------------- */

static const k8s_url *as_url(val v)
{
    return v.kind == VK_OPAQUE && v.u.opaque && v.u.opaque->vt == &url_vt
               ? (const k8s_url *)v.u.opaque
               : NULL;
}

static val fn_url(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_STRING)
        return rpi_err_no_overload(cx, "url", args, argc);
    if (!rpi_charge(cx, 1 + args[0].aux / 16))
        return rpi_err_oom(cx);
    k8s_url *u = rpi_alloc(cx, sizeof *u);
    if (!u)
        return rpi_err_oom(cx);
    val err;
    if (!k8s_parse_url(cx, args[0], u, &err))
        return err;
    val v = {VK_OPAQUE, 0, 0, 0, {0}};
    v.u.opaque = &u->base;
    return v;
}

static val fn_is_url(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_STRING)
        return rpi_err_no_overload(cx, "isURL", args, argc);
    if (!rpi_charge(cx, 1 + args[0].aux / 16))
        return rpi_err_oom(cx);
    k8s_url u;
    const char *err = "";
    if (parse(cx, (span){args[0].u.s, args[0].aux}, true, &u, &err))
        return val_bool(true);
    return err ? val_bool(false) : rpi_err_oom(cx);
}

static val str(span s) { return val_string(s.n ? s.p : "", (uint32_t)s.n); }

/* splitHostPort of url.go: the host and the port of HOST. */
static void split_host_port(span hp, span *host, span *port)
{
    *host = hp;
    *port = (span){"", 0};
    const char *c = last_of(hp, ':');
    if (c) {
        span p = {c, (size_t)(hp.p + hp.n - c)};
        if (valid_optional_port(p)) {
            *host = (span){hp.p, (size_t)(c - hp.p)};
            *port = (span){c + 1, p.n - 1};
        }
    }
    if (host->n >= 2 && host->p[0] == '[' && host->p[host->n - 1] == ']')
        *host = (span){host->p + 1, host->n - 2};
}

#define URL_GETTER(fn, name, expr)                                   \
    static val fn(rpi_ctx *cx, const val *args, unsigned argc)       \
    {                                                                \
        const k8s_url *u = as_url(args[0]);                          \
        if (!u)                                                      \
            return rpi_err_no_overload(cx, name, args, argc);        \
        span h, p;                                                   \
        split_host_port(u->host, &h, &p);                            \
        RPI_UNUSED(h);                                               \
        RPI_UNUSED(p);                                               \
        return str(expr);                                            \
    }
URL_GETTER(fn_get_scheme, "getScheme", u->scheme)
URL_GETTER(fn_get_host, "getHost", u->host)
URL_GETTER(fn_get_hostname, "getHostname", h)
URL_GETTER(fn_get_port, "getPort", p)
URL_GETTER(fn_get_escaped_path, "getEscapedPath", u->path)

/* url.Values of RawQuery (ParseQuery, errors ignored): key -> values. */
static val fn_get_query(rpi_ctx *cx, const val *args, unsigned argc)
{
    const k8s_url *u = as_url(args[0]);
    if (!u)
        return rpi_err_no_overload(cx, "getQuery", args, argc);
    span q = u->query;
    uint32_t max = 1;
    for (size_t i = 0; i < q.n; i++)
        max += q.p[i] == '&';
    val *keys = rpi_alloc(cx, sizeof(val) * max);
    val *vals = rpi_alloc(cx, sizeof(val) * max);
    val *first = rpi_alloc(cx, sizeof(val) * max);
    uint32_t *count = rpi_alloc(cx, sizeof(uint32_t) * max);
    uint32_t *owner = rpi_alloc(cx, sizeof(uint32_t) * max);
    if (!keys || !vals || !first || !count || !owner)
        return rpi_err_oom(cx);
    uint32_t nk = 0, nv = 0;
    while (q.n) {
        const char *amp = memchr(q.p, '&', q.n);
        span kv = amp ? (span){q.p, (size_t)(amp - q.p)} : q;
        q = amp ? (span){amp + 1, (size_t)(q.p + q.n - amp - 1)} : (span){NULL, 0};
        if (memchr(kv.p, ';', kv.n) || kv.n == 0)
            continue;
        const char *eq = memchr(kv.p, '=', kv.n);
        span k = eq ? (span){kv.p, (size_t)(eq - kv.p)} : kv;
        span v = eq ? (span){eq + 1, (size_t)(kv.p + kv.n - eq - 1)} : (span){"", 0};
        size_t kn, vn;
        const char *err;
        const char *ks = unescape(cx, k, ENC_QUERY, &kn, &err);
        if (!ks) {
            if (!err)
                return rpi_err_oom(cx);
            continue;
        }
        const char *vs = unescape(cx, v, ENC_QUERY, &vn, &err);
        if (!vs) {
            if (!err)
                return rpi_err_oom(cx);
            continue;
        }
        val key = val_string(ks, (uint32_t)kn);
        uint32_t j = 0;
        while (j < nk && !rpi_val_equal(keys[j], key))
            j++;
        if (j == nk) {
            keys[nk] = key;
            count[nk++] = 0;
        }
        count[j]++;
        owner[nv] = j;
        first[nv++] = val_string(vs, (uint32_t)vn);
    }
    for (uint32_t j = 0; j < nk; j++) {
        rpi_list *l = rpi_list_new(cx, count[j]);
        if (!l)
            return rpi_err_oom(cx);
        uint32_t o = 0;
        for (uint32_t i = 0; i < nv; i++)
            if (owner[i] == j)
                l->items[o++] = first[i];
        vals[j] = val_list(l);
    }
    return rpi_map_build(cx, keys, vals, nk);
}

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}
#define U "kubernetes.URL"

static const rpi_func funcs[] = {
    {"url", RPI_GLOBAL, 1, 0, fn_url, SIGS("string_to_url: string -> " U), 1, NULL},
    {"isURL", RPI_GLOBAL, 1, 0, fn_is_url, SIGS("is_url_string: string -> bool"), 1, NULL},
    {"getScheme", RPI_RECEIVER, 1, 0, fn_get_scheme, SIGS("url_get_scheme: " U " -> string"), 1,
     &rpi_type_k8s_url},
    {"getHost", RPI_RECEIVER, 1, 0, fn_get_host, SIGS("url_get_host: " U " -> string"), 1,
     &rpi_type_k8s_url},
    {"getHostname", RPI_RECEIVER, 1, 0, fn_get_hostname, SIGS("url_get_hostname: " U " -> string"),
     1, &rpi_type_k8s_url},
    {"getPort", RPI_RECEIVER, 1, 0, fn_get_port, SIGS("url_get_port: " U " -> string"), 1,
     &rpi_type_k8s_url},
    {"getEscapedPath", RPI_RECEIVER, 1, 0, fn_get_escaped_path,
     SIGS("url_get_escaped_path: " U " -> string"), 1, &rpi_type_k8s_url},
    {"getQuery", RPI_RECEIVER, 1, 0, fn_get_query,
     SIGS("url_get_query: " U " -> map(string,list(string))"), 1, &rpi_type_k8s_url},
};

const rpi_library rpi_lib_k8s_url = {
    "kubernetes.urls", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
