/* lib/k8s_format.c -- Kubernetes' format library
 * (k8s.io/apiserver/pkg/cel/library/format.go, in the base environment
 * since 1.31): format.named(name) -> optional(Format), one constant per
 * named format (format.dns1123Label(), format.uri(), ...) and
 * <Format>.validate(s) -> optional(list(string)): optional.none() when S
 * is valid, otherwise the messages Kubernetes' own validators give.
 *
 * The validators are those of Kubernetes 1.33 (apimachinery v0.33,
 * kube-openapi's strfmt, Go's net/url): the DNS and label formats of
 * k8s.io/apimachinery/pkg/util/validation with their exact messages (the
 * "...Prefix" formats first mask one trailing dash, as
 * apimachinery/pkg/api/validation's NameIsDNS* do), the URI check of
 * url.ParseRequestURI (shared with lib/k8s_url.c), and strfmt's uuid,
 * byte (govalidator's base64 pattern), date and datetime checks.  Their
 * regular expressions are simple enough to be matched by hand here, which
 * keeps validation allocation-free.
 *
 * A Format is an opaque value of type kubernetes.NamedFormat pointing at
 * one of the static descriptors below; two Formats are equal when their
 * names are (cel.Format.Equal).
 */
#include <string.h>

#include "../internal.h"

typedef enum fmt_kind {
    F_DNS1123_LABEL,
    F_DNS1123_SUBDOMAIN,
    F_DNS1035_LABEL,
    F_QUALIFIED_NAME,
    F_LABEL_VALUE,
    F_URI,
    F_UUID,
    F_BYTE,
    F_DATE,
    F_DATETIME,
} fmt_kind;

typedef struct k8s_format {
    rpi_opaque base;
    const char *key;        /* the name format.named() takes: "dns1123Label" */
    const char *name;       /* cel.Format.Name: "DNS1123Label" (equality) */
    uint8_t kind;           /* fmt_kind */
    bool prefix;            /* mask a trailing dash first (NameIsDNS*(s, true)) */
    uint16_t max_regex;     /* cel.Format.MaxRegexSize, for the cost */
} k8s_format;

static bool format_equal(const rpi_opaque *a, const rpi_opaque *b);

const rpi_type rpi_type_k8s_format = {"kubernetes.NamedFormat", VK_OPAQUE};
static const rpi_opaque_vtable format_vt = {&rpi_type_k8s_format, format_equal, NULL};

/* library.ConstantFormats, with Kubernetes' MaxRegexSize estimates: the
 * length of strfmt.UUIDPattern (70), of strfmt.DateTimePattern (71), and
 * format.go's base64Length (84) and urlLength (1103). */
static const k8s_format formats[] = {
    {{&format_vt}, "dns1123Label", "DNS1123Label", F_DNS1123_LABEL, false, 30},
    {{&format_vt}, "dns1123Subdomain", "DNS1123Subdomain", F_DNS1123_SUBDOMAIN, false, 60},
    {{&format_vt}, "dns1035Label", "DNS1035Label", F_DNS1035_LABEL, false, 30},
    {{&format_vt}, "qualifiedName", "QualifiedName", F_QUALIFIED_NAME, false, 60},
    {{&format_vt}, "dns1123LabelPrefix", "DNS1123LabelPrefix", F_DNS1123_LABEL, true, 30},
    {{&format_vt}, "dns1123SubdomainPrefix", "DNS1123SubdomainPrefix", F_DNS1123_SUBDOMAIN, true, 60},
    {{&format_vt}, "dns1035LabelPrefix", "DNS1035LabelPrefix", F_DNS1035_LABEL, true, 30},
    {{&format_vt}, "labelValue", "LabelValue", F_LABEL_VALUE, false, 40},
    {{&format_vt}, "uri", "URI", F_URI, false, 1103},
    {{&format_vt}, "uuid", "uuid", F_UUID, false, 70},
    {{&format_vt}, "byte", "byte", F_BYTE, false, 84},
    {{&format_vt}, "date", "date", F_DATE, false, 71},
    {{&format_vt}, "datetime", "datetime", F_DATETIME, false, 71},
};
#define NFORMATS (sizeof formats / sizeof formats[0])

static bool format_equal(const rpi_opaque *a, const rpi_opaque *b)
{
    return strcmp(((const k8s_format *)a)->name, ((const k8s_format *)b)->name) == 0;
}

static const k8s_format *as_format(val v)
{
    return v.kind == VK_OPAQUE && v.u.opaque && v.u.opaque->vt == &format_vt
               ? (const k8s_format *)v.u.opaque
               : NULL;
}

static val format_val(const k8s_format *f)
{
    val v = {VK_OPAQUE, 0, 0, 0, {0}};
    v.u.opaque = &f->base;
    return v;
}

/* ---- apimachinery's messages (pkg/util/validation, v0.33) ---------------------- */

#define QNAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define QNAME_ERR "must consist of alphanumeric characters, '-', '_' or '.', and must start " \
                  "and end with an alphanumeric character"
#define QNAME_REGEX_ERR QNAME_ERR " (e.g. 'MyName',  or 'my.name',  or '123-abc', " \
                        "regex used for validation is '" QNAME_FMT "')"
#define SUBDOMAIN_ERR "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric " \
                      "characters, '-' or '.', and must start and end with an alphanumeric "    \
                      "character (e.g. 'example.com', regex used for validation is "            \
                      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define MAXLEN_ERR(n) "must be no more than " #n " characters"

static const char msg_label[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
static const char msg_dots[] = "must not contain dots";
static const char msg_subdomain[] = SUBDOMAIN_ERR;
static const char msg_1035[] =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
static const char msg_max63[] = MAXLEN_ERR(63);
static const char msg_max253[] = MAXLEN_ERR(253);
static const char msg_qname_slashes[] =
    "a qualified name " QNAME_REGEX_ERR
    " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
static const char msg_prefix_empty[] = "prefix part must be non-empty";
static const char msg_prefix_max253[] = "prefix part " MAXLEN_ERR(253);
static const char msg_prefix_subdomain[] = "prefix part " SUBDOMAIN_ERR;
static const char msg_name_empty[] = "name part must be non-empty";
static const char msg_name_max63[] = "name part " MAXLEN_ERR(63);
static const char msg_name_regex[] = "name part " QNAME_REGEX_ERR;
static const char msg_label_value[] =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is '(" QNAME_FMT ")?')";
/* format.go's own texts for the strfmt formats */
static const char msg_uuid[] = "does not match the UUID format";
static const char msg_base64[] = "invalid base64";
static const char msg_date[] = "invalid date";
static const char msg_datetime[] = "invalid datetime";

/* Up to four messages, in the order Kubernetes appends them. */
typedef struct msgs {
    val m[4];
    unsigned n;
} msgs;

static void add(msgs *out, const char *s, size_t len)
{
    if (out->n < 4)
        out->m[out->n++] = val_string(s, (uint32_t)len);
}
#define ADD(out, lit) add((out), (lit), sizeof(lit) - 1)

/* ---- the patterns, matched by hand ------------------------------------------ */

static bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$, or with FIRST_ALPHA ^[a-z](...)?$ (DNS-1035). */
static bool match_label(const char *s, size_t n, bool first_alpha)
{
    if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
        return false;
    if (first_alpha && !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_lower_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

/* The subdomain pattern: labels joined by single dots. */
static bool match_subdomain(const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++)
        if (i == n || s[i] == '.') {
            if (!match_label(s + start, i - start, false))
                return false;
            start = i + 1;
        }
    return true;
}

/* ^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$ */
static bool match_qname(const char *s, size_t n)
{
    if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

static void dns1123_subdomain(const char *s, size_t n, msgs *out)
{
    if (n > 253)
        ADD(out, msg_max253);
    if (!match_subdomain(s, n))
        ADD(out, msg_subdomain);
}

/* IsQualifiedName: [prefix '/'] name, the prefix a DNS subdomain. */
static void qualified_name(const char *s, size_t n, msgs *out)
{
    const char *slash = memchr(s, '/', n);
    const char *name = s;
    size_t nn = n;
    if (slash) {
        if (memchr(slash + 1, '/', (size_t)(s + n - slash - 1))) {
            ADD(out, msg_qname_slashes);
            return;
        }
        size_t pn = (size_t)(slash - s);
        name = slash + 1;
        nn = n - pn - 1;
        if (pn == 0) {
            ADD(out, msg_prefix_empty);
        } else {
            if (pn > 253)
                ADD(out, msg_prefix_max253);
            if (!match_subdomain(s, pn))
                ADD(out, msg_prefix_subdomain);
        }
    }
    if (nn == 0)
        ADD(out, msg_name_empty);
    else if (nn > 63)
        ADD(out, msg_name_max63);
    if (!match_qname(name, nn))
        ADD(out, msg_name_regex);
}

static bool is_b64(char c) { return is_alnum(c) || c == '+' || c == '/'; }

/* govalidator's Base64 pattern: whole groups of four, the last one
 * possibly "xx==" or "xxx=", and at least one group. */
static bool match_base64(const char *s, size_t n)
{
    if (n == 0 || n % 4 != 0)
        return false;
    size_t pad = s[n - 1] == '=' ? (s[n - 2] == '=' ? 2 : 1) : 0;
    for (size_t i = 0; i < n - pad; i++)
        if (!is_b64(s[i]))
            return false;
    return true;
}

/* (?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$ */
static bool match_uuid(const char *s, size_t n)
{
    static const int groups[] = {8, 4, 4, 4, 12};
    size_t i = 0;
    for (int g = 0; g < 5; g++) {
        if (g > 0 && i < n && s[i] == '-')
            i++;
        for (int k = 0; k < groups[g]; k++, i++) {
            char c = i < n ? s[i] : 0;
            if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
                return false;
        }
    }
    return i == n;
}

static int two(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

/* strfmt.IsDate: Go's time.Parse("2006-01-02", S): four-digit year, two-digit
 * month 1-12, two-digit day within the month (leap years counted). */
static bool is_date(const char *s, size_t n)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (i != 4 && i != 7 && !is_digit(s[i]))
            return false;
    int year = two(s) * 100 + two(s + 2), month = two(s + 5), day = two(s + 8);
    if (month < 1 || month > 12)
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int dim = mdays[month - 1] + (month == 2 && leap);
    return day >= 1 && day <= dim;
}

/* The length of the UTF-8 sequence starting with byte C (strings are
 * valid UTF-8 here). */
static size_t rune_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

static bool is_zone(const char *s, size_t n)
{
    if (n == 1)
        return s[0] == 'z' || s[0] == 'Z';
    return n == 6 && (s[0] == '+' || s[0] == '-') && is_digit(s[1]) && is_digit(s[2]) &&
           s[3] == ':' && is_digit(s[4]) && is_digit(s[5]);
}

/* strfmt.IsDateTime, literally: at least 4 bytes; the lower-cased text
 * split at 't' must have a date before the first 't', and the part up to
 * the next 't' must match
 *   ^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$
 * with hours <= 23 and minutes, seconds <= 59.  Whatever follows a second
 * 't' is not looked at, and the fraction's first character may be any
 * character but a newline: both as Kubernetes does. */
static bool is_datetime(const char *s, size_t n)
{
    if (n < 4)
        return false;
    size_t t = 0;
    while (t < n && s[t] != 't' && s[t] != 'T')
        t++;
    if (t == n || !is_date(s, t))
        return false;
    const char *p = s + t + 1;
    size_t m = 0;
    while (t + 1 + m < n && p[m] != 't' && p[m] != 'T')
        m++;
    if (m < 9 || !is_digit(p[0]) || !is_digit(p[1]) || p[2] != ':' || !is_digit(p[3]) ||
        !is_digit(p[4]) || p[5] != ':' || !is_digit(p[6]) || !is_digit(p[7]))
        return false;
    if (two(p) > 23 || two(p + 3) > 59 || two(p + 6) > 59)
        return false;
    const char *r = p + 8;
    size_t rn = m - 8;
    if (is_zone(r, rn))
        return true;
    /* (.[0-9]+): one character, then digits up to the zone */
    size_t c = rune_len((unsigned char)r[0]);
    if (r[0] == '\n' || c >= rn)
        return false;
    size_t d = c;
    while (d < rn && is_digit(r[d]))
        d++;
    return d > c && is_zone(r + d, rn - d);
}

/* ---- the library ------------------------------------------------------------- */

/* Run F's validator on S into OUT.  A non-error, non-null value from the
 * URI check is its one message; an error value is returned as is. */
static val validate(rpi_ctx *cx, const k8s_format *f, val s, msgs *out)
{
    const char *p = s.u.s;
    size_t n = s.aux;
    char masked[64];
    /* maskTrailingDash: "abc-" is checked as "aba" (len > 1 only) */
    if (f->prefix && n > 1 && p[n - 1] == '-') {
        size_t keep = n - 2;
        if (keep + 1 <= sizeof masked) {
            memcpy(masked, p, keep);
            masked[keep] = 'a';
            p = masked;
        } else {
            char *buf = rpi_strbuf(cx, keep + 1);
            if (!buf)
                return rpi_err_oom(cx);
            memcpy(buf, p, keep);
            buf[keep] = 'a';
            p = buf;
        }
        n = keep + 1;
    }
    switch ((fmt_kind)f->kind) {
    case F_DNS1123_LABEL:
        if (n > 63)
            ADD(out, msg_max63);
        if (!match_label(p, n, false)) {
            if (match_subdomain(p, n))
                ADD(out, msg_dots);
            else
                ADD(out, msg_label);
        }
        break;
    case F_DNS1123_SUBDOMAIN:
        dns1123_subdomain(p, n, out);
        break;
    case F_DNS1035_LABEL:
        if (n > 63)
            ADD(out, msg_max63);
        if (!match_label(p, n, true))
            ADD(out, msg_1035);
        break;
    case F_QUALIFIED_NAME:
        qualified_name(p, n, out);
        break;
    case F_LABEL_VALUE:
        if (n > 63)
            ADD(out, msg_max63);
        if (n > 0 && !match_qname(p, n))
            ADD(out, msg_label_value);
        break;
    case F_URI: {
        val m = rpi_k8s_url_request_uri_error(cx, s);
        if (m.kind == VK_STRING)
            out->m[out->n++] = m;
        else if (m.kind == VK_ERROR)
            return m;
        break;
    }
    case F_UUID:
        if (!match_uuid(p, n))
            ADD(out, msg_uuid);
        break;
    case F_BYTE:
        if (!match_base64(p, n))
            ADD(out, msg_base64);
        break;
    case F_DATE:
        if (!is_date(p, n))
            ADD(out, msg_date);
        break;
    case F_DATETIME:
        if (!is_datetime(p, n))
            ADD(out, msg_datetime);
        break;
    }
    return val_null();
}

/* <Format>.validate(string): Kubernetes charges it as a regex match of the
 * format's estimated pattern size over the string (library/cost.go:
 * ceil((1 + len) * 0.1) * ceil(MaxRegexSize * 0.25)). */
static val fn_validate(rpi_ctx *cx, const val *args, unsigned argc)
{
    const k8s_format *f = as_format(args[0]);
    if (!f || args[1].kind != VK_STRING)
        return rpi_err_no_overload(cx, "validate", args, argc);
    uint64_t str_cost = ((uint64_t)args[1].aux + 1 + 9) / 10;
    uint64_t re_cost = ((uint64_t)f->max_regex + 3) / 4;
    if (!rpi_charge(cx, str_cost * re_cost))
        return rpi_err_oom(cx);
    msgs out = {.n = 0};
    val r = validate(cx, f, args[1], &out);
    if (r.kind == VK_ERROR)
        return r;
    if (out.n == 0)
        return val_optional(NULL);
    rpi_list *l = rpi_list_new(cx, out.n);
    if (!l)
        return rpi_err_oom(cx);
    memcpy(l->items, out.m, sizeof(val) * out.n);
    const val *box = rpi_box(cx, val_list(l));
    return box ? val_optional(box) : rpi_err_oom(cx);
}

/* format.named(name): the Format, or optional.none() for an unknown name. */
static val fn_named(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_STRING)
        return rpi_err_no_overload(cx, "format.named", args, argc);
    for (size_t i = 0; i < NFORMATS; i++)
        if (strlen(formats[i].key) == args[0].aux &&
            memcmp(formats[i].key, args[0].u.s, args[0].aux) == 0) {
            const val *box = rpi_box(cx, format_val(&formats[i]));
            return box ? val_optional(box) : rpi_err_oom(cx);
        }
    return val_optional(NULL);
}

#define CONSTANT(fn, i)                                                \
    static val fn(rpi_ctx *cx, const val *args, unsigned argc)         \
    {                                                                  \
        RPI_UNUSED(cx);                                                \
        RPI_UNUSED(args);                                              \
        RPI_UNUSED(argc);                                              \
        return format_val(&formats[i]);                                \
    }
CONSTANT(fn_dns1123_label, 0)
CONSTANT(fn_dns1123_subdomain, 1)
CONSTANT(fn_dns1035_label, 2)
CONSTANT(fn_qualified_name, 3)
CONSTANT(fn_dns1123_label_prefix, 4)
CONSTANT(fn_dns1123_subdomain_prefix, 5)
CONSTANT(fn_dns1035_label_prefix, 6)
CONSTANT(fn_label_value, 7)
CONSTANT(fn_uri, 8)
CONSTANT(fn_uuid, 9)
CONSTANT(fn_byte, 10)
CONSTANT(fn_date, 11)
CONSTANT(fn_datetime, 12)

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}
#define F "kubernetes.NamedFormat"
#define CONST_ROW(name, fn) \
    {"format." name, RPI_GLOBAL, 0, 0, fn, SIGS("format." name ": -> " F), 1, NULL}

static const rpi_func funcs[] = {
    {"format.named", RPI_GLOBAL, 1, 0, fn_named, SIGS("format-named: string -> optional(" F ")"), 1,
     NULL},
    {"validate", RPI_RECEIVER, 2, 0, fn_validate,
     SIGS("format-validate: " F ", string -> optional(list(string))"), 0, &rpi_type_k8s_format},
    CONST_ROW("dns1123Label", fn_dns1123_label),
    CONST_ROW("dns1123Subdomain", fn_dns1123_subdomain),
    CONST_ROW("dns1035Label", fn_dns1035_label),
    CONST_ROW("qualifiedName", fn_qualified_name),
    CONST_ROW("dns1123LabelPrefix", fn_dns1123_label_prefix),
    CONST_ROW("dns1123SubdomainPrefix", fn_dns1123_subdomain_prefix),
    CONST_ROW("dns1035LabelPrefix", fn_dns1035_label_prefix),
    CONST_ROW("labelValue", fn_label_value),
    CONST_ROW("uri", fn_uri),
    CONST_ROW("uuid", fn_uuid),
    CONST_ROW("byte", fn_byte),
    CONST_ROW("date", fn_date),
    CONST_ROW("datetime", fn_datetime),
};

const rpi_library rpi_lib_k8s_format = {
    "kubernetes.format", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
