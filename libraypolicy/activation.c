/* activation.c -- rp_activation: the variables of an evaluation, and the
 * memory an evaluation works in.
 *
 * A binding keeps its parsed jansson tree and, next to it, the tree's
 * objects and arrays frozen into arena maps and lists (json_freeze.c) whose
 * strings still point into the tree: binding a 10 KB object costs one
 * json_loadb and one walk over the result, and every field access after
 * that is a compare of precomputed hashes.  The activation also owns the
 * evaluation arena and the VM frame; both are reused, which is why
 * evaluating many times with one activation allocates nothing in steady
 * state (and rebinding a name reuses that binding's frozen memory).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

rp_activation *rp_activation_new(const rp_env *env, rp_error *err)
{
    if (!env) {
        rpi_error_set(err, RP_EINVAL, "<activation>", 0, 0, "environment is NULL");
        return NULL;
    }
    rp_activation *act = calloc(1, sizeof *act);
    if (act) {
        act->env = env;
        act->arena = rpi_arena_new(env->max_eval_memory);
        act->bind_arena = rpi_arena_new(0);
        act->var_binding = calloc(env->nvariables ? env->nvariables : 1, sizeof *act->var_binding);
    }
    if (!act || !act->arena || !act->bind_arena || !act->var_binding) {
        rp_activation_free(act);
        rpi_error_set(err, RP_ENOMEM, "<activation>", 0, 0, "out of memory");
        return NULL;
    }
    return act;
}

void rp_activation_clear(rp_activation *act)
{
    if (!act)
        return;
    rpi_list_index_drop(act, SIZE_MAX);
    for (size_t i = 0; i < act->nbindings; i++) {
        free(act->bindings[i].name);
        json_decref(act->bindings[i].doc);
        rpi_arena_free(act->bindings[i].frozen);
    }
    act->nbindings = 0;
    if (act->var_binding)
        memset(act->var_binding, 0, (act->env->nvariables ? act->env->nvariables : 1) * sizeof *act->var_binding);
    rpi_arena_reset(act->bind_arena);
}

void rp_activation_free(rp_activation *act)
{
    if (!act)
        return;
    rp_activation_clear(act);
    free(act->bindings);
    free(act->var_binding);
    rpi_arena_free(act->arena);
    rpi_arena_free(act->bind_arena);
    free(act->frame);
    free(act->iters);
    free(act);
}

/* The binding slot for NAME, new or existing; NULL on OOM. */
static rpi_binding *slot_for(rp_activation *act, const char *name)
{
    for (size_t i = 0; i < act->nbindings; i++)
        if (strcmp(act->bindings[i].name, name) == 0) {
            json_decref(act->bindings[i].doc);
            act->bindings[i].doc = NULL;
            act->bindings[i].v = val_null();
            rpi_list_index_drop(act, i);
            rpi_arena_reset(act->bindings[i].frozen);
            return &act->bindings[i];
        }
    if (act->nbindings == act->cap) {
        size_t cap = act->cap ? act->cap * 2 : 8;
        rpi_binding *nb = realloc(act->bindings, cap * sizeof *nb);
        if (!nb)
            return NULL;
        act->bindings = nb;
        act->cap = cap;
    }
    rpi_binding *b = &act->bindings[act->nbindings];
    b->name = strdup(name);
    if (!b->name)
        return NULL;
    b->doc = NULL;
    b->v = val_null();
    b->frozen = NULL;
    act->nbindings++;
    int32_t var = rpi_env_variable_index(act->env, name, strlen(name));
    if (var >= 0)
        act->var_binding[var] = (uint32_t)act->nbindings;
    return b;
}

/* V (a view into B's document) frozen into B's memory; V itself when it is
 * no jansson object or array, or when there is no memory for the frozen
 * copy (the view means the same, only slower). */
static val freeze_into(rpi_binding *b, val v)
{
    if ((v.kind != VK_MAP && v.kind != VK_LIST) || v.rep != REP_JSON)
        return v;
    if (!b->frozen && !(b->frozen = rpi_arena_new(0)))
        return v;
    return rpi_json_freeze(b->frozen, v.u.json);
}

/* Whether the integer literal [P, P+N) (optional '-', digits) fits int64. */
static bool fits_int64(const char *p, size_t n)
{
    bool neg = n > 0 && p[0] == '-';
    const char *d = p + neg;
    size_t nd = n - neg;
    while (nd > 1 && *d == '0') {
        d++;
        nd--;
    }
    const char *limit = neg ? "9223372036854775808" : "9223372036854775807";
    if (nd != 19)
        return nd < 19;
    return memcmp(d, limit, 19) <= 0;
}

/* A copy of JSON in which every integer literal that does not fit int64 has
 * ".0" appended, so that jansson reads it as a double: what Kubernetes does
 * with such numbers (json.Number falls back to float64), where jansson
 * would refuse the document ("too big integer").  NULL on OOM. */
static char *widen_big_integers(const char *json, size_t len, size_t *out_len)
{
    char *out = malloc(len + len / 2 + 16);
    if (!out)
        return NULL;
    size_t o = 0;
    bool in_string = false;
    for (size_t i = 0; i < len;) {
        char ch = json[i];
        if (in_string) {
            out[o++] = ch;
            i++;
            if (ch == '\\' && i < len)
                out[o++] = json[i++];
            else if (ch == '"')
                in_string = false;
            continue;
        }
        if (ch == '"') {
            in_string = true;
            out[o++] = json[i++];
            continue;
        }
        if (ch == '-' || (ch >= '0' && ch <= '9')) {
            size_t start = i++;
            while (i < len && json[i] >= '0' && json[i] <= '9')
                i++;
            memcpy(out + o, json + start, i - start);
            o += i - start;
            bool fractional = i < len && (json[i] == '.' || json[i] == 'e' || json[i] == 'E');
            if (!fractional && i - start > 1 && !fits_int64(json + start, i - start)) {
                out[o++] = '.';
                out[o++] = '0';
            }
            /* copy the rest of the number (fraction, exponent) as is */
            while (i < len && (json[i] == '.' || json[i] == 'e' || json[i] == 'E' || json[i] == '+' ||
                               json[i] == '-' || (json[i] >= '0' && json[i] <= '9')))
                out[o++] = json[i++];
            continue;
        }
        out[o++] = json[i++];
    }
    *out_len = o;
    return out;
}

/* ---- Telling a failed allocation inside jansson from invalid JSON ---------------- */

/* jansson 2.14 has no out-of-memory error for json_loadb: a failed
 * allocation gives no message at all, or, inside its lexer, a syntax error
 * ("invalid token", "string or '}' expected") about a text that is valid.
 * This reader of RFC 8259 (with jansson's extras: any value at the top,
 * \u0000 allowed; its nesting limit) allocates nothing, so it can say
 * "the text was valid": jansson then failed for want of memory. */
typedef struct jscan {
    const char *p, *end;
    unsigned depth;
} jscan;

static void scan_ws(jscan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool scan_hex4(jscan *s, unsigned *out)
{
    if (s->end - s->p < 4)
        return false;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *s->p++;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return false;
    }
    *out = v;
    return true;
}

static bool scan_string(jscan *s)
{
    const char *start = ++s->p;
    while (s->p < s->end && *s->p != '"') {
        unsigned char c = (unsigned char)*s->p;
        if (c < 0x20)
            return false;
        s->p++;
        if (c != '\\')
            continue;
        if (s->p == s->end)
            return false;
        c = (unsigned char)*s->p++;
        if (c == 'u') {
            unsigned u, lo;
            if (!scan_hex4(s, &u) || (u >= 0xDC00 && u <= 0xDFFF))
                return false;
            if (u >= 0xD800 && u <= 0xDBFF &&
                (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u' ||
                 (s->p += 2, !scan_hex4(s, &lo)) || lo < 0xDC00 || lo > 0xDFFF))
                return false;
        } else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
            return false;
        }
    }
    if (s->p == s->end || !rpi_utf8_valid(start, (size_t)(s->p - start)))
        return false;
    s->p++;
    return true;
}

static bool scan_digits(jscan *s)
{
    const char *d = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > d;
}

static bool scan_number(jscan *s)
{
    if (*s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (!scan_digits(s))
        return false;
    if (s->p < s->end && *s->p == '.' && (s->p++, !scan_digits(s)))
        return false;
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!scan_digits(s))
            return false;
    }
    return true;
}

static bool scan_word(jscan *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
        return false;
    s->p += n;
    return true;
}

/* jansson's JSON_PARSER_MAX_DEPTH. */
#define JSCAN_MAX_DEPTH 2048

static bool scan_value(jscan *s)
{
    scan_ws(s);
    if (s->p == s->end)
        return false;
    char c = *s->p;
    if (c == '"')
        return scan_string(s);
    if (c == '-' || (c >= '0' && c <= '9'))
        return scan_number(s);
    if (c == 't')
        return scan_word(s, "true");
    if (c == 'f')
        return scan_word(s, "false");
    if (c == 'n')
        return scan_word(s, "null");
    if (c != '[' && c != '{')
        return false;
    if (++s->depth > JSCAN_MAX_DEPTH)
        return false;
    char close = c == '[' ? ']' : '}';
    s->p++;
    scan_ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return true;
    }
    for (;;) {
        if (close == '}') {
            scan_ws(s);
            if (s->p == s->end || *s->p != '"' || !scan_string(s))
                return false;
            scan_ws(s);
            if (s->p == s->end || *s->p++ != ':')
                return false;
        }
        if (!scan_value(s))
            return false;
        scan_ws(s);
        if (s->p == s->end)
            return false;
        c = *s->p++;
        if (c == close)
            break;
        if (c != ',')
            return false;
    }
    s->depth--;
    return true;
}

/* Whether jansson's failure JERR on TEXT can only be a failed allocation. */
static bool json_failed_for_memory(const char *text, size_t len, const json_error_t *jerr)
{
    if (jerr->text[0] == '\0')
        return true;
    switch (json_error_code(jerr)) {
    case json_error_invalid_syntax:
    case json_error_premature_end_of_input:
    case json_error_end_of_input_expected:
        break;
    default:
        return false;
    }
    jscan s = {text, text + len, 0};
    if (!scan_value(&s))
        return false;
    scan_ws(&s);
    return s.p == s.end;
}

/* Parse JSON into *OUT: RP_OK, RP_EJSON or RP_ENOMEM with ERR filled. */
static int parse_json(const char *json, size_t len, const char *name, json_t **out, rp_error *err)
{
    json_error_t jerr;
    memset(&jerr, 0, sizeof jerr);
    const size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
    bool oom = false;
    json_t *doc = json_loadb(json, len, flags, &jerr);
    if (!doc && strncmp(jerr.text, "too big integer", 15) == 0) {
        size_t wlen = 0;
        char *wide = widen_big_integers(json, len, &wlen);
        json_error_t jerr2;
        memset(&jerr2, 0, sizeof jerr2);
        doc = wide ? json_loadb(wide, wlen, flags, &jerr2) : NULL;
        oom = !wide || (!doc && json_failed_for_memory(wide, wlen, &jerr2));
        free(wide);
    } else if (!doc) {
        oom = json_failed_for_memory(json, len, &jerr);
    }
    *out = doc;
    if (doc)
        return RP_OK;
    if (oom) {
        rpi_error_set(err, RP_ENOMEM, name, 0, 0, "out of memory");
        return RP_ENOMEM;
    }
    rpi_error_set(err, RP_EJSON, name, jerr.line > 0 ? (unsigned)jerr.line : 0,
                  jerr.column > 0 ? (unsigned)jerr.column : 0, "invalid JSON for variable '%s': %s",
                  name, jerr.text);
    return RP_EJSON;
}

/* The arguments, then the input limits of the environment (size, then
 * nesting, before anything is parsed: limits.c). */
static int check_args(rp_activation *act, const char *name, const char *json, size_t len,
                      rp_error *err)
{
    if (!act || !name || !json) {
        rpi_error_set(err, RP_EINVAL, "<activation>", 0, 0, "activation, name and JSON must not be NULL");
        return RP_EINVAL;
    }
    const rp_env *env = act->env;
    if (len > env->max_input_bytes) {
        rpi_error_set(err, RP_ELIMIT, name, 0, 0,
                      "JSON for variable '%s' exceeds limit max_input_bytes (%zu bytes): %zu bytes",
                      name, env->max_input_bytes, len);
        return RP_ELIMIT;
    }
    unsigned line = 0, column = 0;
    if (rpi_json_too_deep(json, len, env->max_input_depth, &line, &column)) {
        rpi_error_set(err, RP_ELIMIT, name, line, column,
                      "JSON for variable '%s' exceeds limit max_input_depth (%u) at %u:%u", name,
                      env->max_input_depth, line, column);
        return RP_ELIMIT;
    }
    return RP_OK;
}

int rp_activation_bind_json(rp_activation *act, const char *name, const char *json, size_t len,
                            rp_error *err)
{
    int rc = check_args(act, name, json, len, err);
    if (rc)
        return rc;
    json_t *doc = NULL;
    rc = parse_json(json, len, name, &doc, err);
    if (rc)
        return rc;
    rpi_binding *b = slot_for(act, name);
    if (!b) {
        json_decref(doc);
        rpi_error_set(err, RP_ENOMEM, "<activation>", 0, 0, "out of memory");
        return RP_ENOMEM;
    }
    b->doc = doc;
    b->v = freeze_into(b, rpi_val_from_json(doc));
    return RP_OK;
}

int rp_activation_bind_typed_json(rp_activation *act, const char *name, const char *json,
                                  size_t len, rp_error *err)
{
    int rc = check_args(act, name, json, len, err);
    if (rc)
        return rc;
    json_t *doc = NULL;
    rc = parse_json(json, len, name, &doc, err);
    if (rc)
        return rc;
    rpi_ctx cx = {0};
    cx.arena = act->bind_arena;
    /* no cx.env: the limits on what evaluation builds (max_string_size,
     * max_list_size) are not for input, which max_input_bytes bounds */
    val v = rpi_val_from_typed_json(&cx, doc);
    if (v.kind == VK_ERROR) {
        rpi_error_set(err, cx.limit_hit ? RP_ENOMEM : RP_EJSON, name, 0, 0,
                      "invalid cel.expr.Value for variable '%s': %.*s", name, (int)v.aux, v.u.s);
        json_decref(doc);
        return cx.limit_hit ? RP_ENOMEM : RP_EJSON;
    }
    rpi_binding *b = slot_for(act, name);
    if (!b) {
        json_decref(doc);
        rpi_error_set(err, RP_ENOMEM, "<activation>", 0, 0, "out of memory");
        return RP_ENOMEM;
    }
    b->doc = doc; /* strings of V may point into it */
    b->v = v;
    return RP_OK;
}

int rpi_activation_bind_val(rp_activation *act, const char *name, json_t *doc, val v)
{
    rpi_binding *b = slot_for(act, name);
    if (!b)
        return RP_ENOMEM;
    b->doc = json_incref(doc);
    b->v = freeze_into(b, v);
    return RP_OK;
}

bool rpi_activation_lookup(const rp_activation *act, const char *name, val *out)
{
    for (size_t i = 0; i < act->nbindings; i++)
        if (strcmp(act->bindings[i].name, name) == 0) {
            *out = act->bindings[i].v;
            return true;
        }
    return false;
}
