/* report.c -- building a check's report (struct rp_report): the add
 * functions, the running summary, the fail-on decision, the names of
 * severities, actions and outcomes, and the text buffer the writers share.
 *
 * The writers (report_text.c, report_json.c, report_sarif.c,
 * report_junit.c) trust what the add functions guarantee:
 *   - every index held is in range (a result's or finding's object and
 *     rule; an error's object and rule when has_object / has_rule), and
 *     every enum holds one of its named values;
 *   - every string is valid UTF-8: a copy replaces each byte that is not
 *     part of a well-formed sequence (RFC 3629: no overlongs, no
 *     surrogates, nothing above U+10FFFF) with U+FFFD, so jansson never
 *     refuses a string and the XML writer only has XML's own forbidden
 *     characters left to handle.
 * An add that would break either is refused like an add that runs out of
 * memory: it returns (size_t)-1 and leaves the report as it was.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy/report.h"

#define ADD_FAILED ((size_t)-1)

/* ---- Names ------------------------------------------------------------------------- */

static const char *const severity_names[RPI_SEV__COUNT] = {
    "critical", "high", "medium", "low", "info",
};
static const char *const action_names[RPI_ACT__COUNT] = {
    "deny", "warn", "audit",
};
static const char *const outcome_names[] = {
    "pass", "fail", "bypassed", "error",
};
#define N_OUTCOMES (sizeof outcome_names / sizeof outcome_names[0])

const char *rpi_severity_name(rpi_severity s)
{
    return (unsigned)s < RPI_SEV__COUNT ? severity_names[s] : NULL;
}

const char *rpi_action_name(rpi_action a)
{
    return (unsigned)a < RPI_ACT__COUNT ? action_names[a] : NULL;
}

const char *rpi_outcome_name(rpi_outcome o)
{
    return (unsigned)o < N_OUTCOMES ? outcome_names[o] : NULL;
}

/* Exact, lower-case names only: a pack says `severity: high` and the names
 * are part of the pack format, so "High" is as wrong as "hihg". */
static int parse_name(const char *const *names, int n, const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int rpi_severity_parse(const char *name)
{
    return parse_name(severity_names, RPI_SEV__COUNT, name);
}

int rpi_action_parse(const char *name)
{
    return parse_name(action_names, RPI_ACT__COUNT, name);
}

/* ---- Strings ----------------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at P (N > 0 bytes left), or 0
 * when the byte at P does not start one (RFC 3629 table 4). */
static size_t utf8_seq_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) ||   /* overlong */
        (c == 0xED && p[1] >= 0xA0) ||  /* surrogate */
        (c == 0xF0 && p[1] < 0x90) ||   /* overlong */
        (c == 0xF4 && p[1] >= 0x90))    /* above U+10FFFF */
        return 0;
    return len;
}

/* A malloc'd copy of S with every invalid byte replaced by U+FFFD, in *OUT
 * (NULL for a NULL S).  False only when out of memory. */
static bool copy_str(const char *s, char **out)
{
    *out = NULL;
    if (!s)
        return true;
    size_t len = strlen(s);
    if (rpi_utf8_valid(s, len)) {
        char *c = malloc(len + 1);
        if (!c)
            return false;
        memcpy(c, s, len + 1);
        *out = c;
        return true;
    }
    if (len > (SIZE_MAX - 1) / 3)
        return false;
    char *c = malloc(len * 3 + 1);      /* each bad byte becomes 3 */
    if (!c)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < len) {
        size_t n = utf8_seq_len(p + i, len - i);
        if (n == 0) {
            memcpy(c + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(c + o, p + i, n);
            o += n;
            i += n;
        }
    }
    c[o] = '\0';
    *out = c;
    return true;
}

/* Copy every string in LIST (COUNT pointers to char *, sources in SRC);
 * all or nothing. */
static bool copy_strs(char **const *dst, const char *const *src, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (!copy_str(src[i], dst[i])) {
            for (size_t j = 0; j < i; j++) {
                free(*dst[j]);
                *dst[j] = NULL;
            }
            return false;
        }
    }
    return true;
}

/* ---- Arrays ------------------------------------------------------------------------ */

/* ITEMS with room for N + 1 elements of SIZE bytes: the same pointer, a
 * grown one (the old one then freed by realloc), or NULL when out of
 * memory (ITEMS untouched). */
static void *reserve(void *items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : 8;
    if (ncap <= *cap || ncap > SIZE_MAX / size)
        return NULL;
    void *p = realloc(items, ncap * size);
    if (!p)
        return NULL;
    *cap = ncap;
    return p;
}

/* ---- Handle ------------------------------------------------------------------------ */

rp_report *rpi_report_new(void)
{
    rp_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (!copy_str(rp_version(), &r->tool_version)) {
        free(r);
        return NULL;
    }
    return r;
}

static void free_rule(rpi_report_rule *ru)
{
    free(ru->id);
    free(ru->title);
    free(ru->pack);
    free(ru->remediation);
    for (size_t i = 0; i < ru->n_references; i++)
        free(ru->references[i]);
    free(ru->references);
}

static void free_object(rpi_report_object *o)
{
    free(o->file);
    free(o->api_version);
    free(o->kind);
    free(o->namespace_);
    free(o->name);
    free(o->break_glass);
}

void rpi_report_free(rp_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_rules; i++)
        free_rule(&r->rules[i]);
    for (size_t i = 0; i < r->n_objects; i++)
        free_object(&r->objects[i]);
    for (size_t i = 0; i < r->n_findings; i++) {
        free(r->findings[i].message);
        free(r->findings[i].path);
    }
    for (size_t i = 0; i < r->n_errors; i++) {
        free(r->errors[i].file);
        free(r->errors[i].message);
    }
    free(r->rules);
    free(r->objects);
    free(r->results);
    free(r->findings);
    free(r->errors);
    free(r->tool_version);
    free(r);
}

/* ---- Adding -------------------------------------------------------------------------- */

size_t rpi_report_add_rule(rp_report *r, const rpi_report_rule *rule)
{
    if (!r || !rule || !rule->id ||
        (unsigned)rule->severity >= RPI_SEV__COUNT ||
        (unsigned)rule->action >= RPI_ACT__COUNT ||
        (rule->n_references && !rule->references))
        return ADD_FAILED;
    for (size_t i = 0; i < rule->n_references; i++)
        if (!rule->references[i])
            return ADD_FAILED;
    rpi_report_rule *rules = reserve(r->rules, &r->cap_rules, r->n_rules, sizeof *rules);
    if (!rules)
        return ADD_FAILED;
    r->rules = rules;

    rpi_report_rule c = {
        .n_references = rule->n_references,
        .severity = rule->severity,
        .action = rule->action,
    };
    if (c.n_references) {
        c.references = calloc(c.n_references, sizeof *c.references);
        if (!c.references)
            return ADD_FAILED;
    }
    char **const dst[] = {&c.id, &c.title, &c.pack, &c.remediation};
    const char *const src[] = {rule->id, rule->title, rule->pack, rule->remediation};
    bool ok = copy_strs(dst, src, 4);
    for (size_t i = 0; ok && i < c.n_references; i++)
        ok = copy_str(rule->references[i], &c.references[i]);
    if (!ok) {
        free_rule(&c);
        return ADD_FAILED;
    }
    rules[r->n_rules] = c;
    r->summary.rules++;
    return r->n_rules++;
}

size_t rpi_report_add_object(rp_report *r, const rpi_report_object *obj)
{
    if (!r || !obj)
        return ADD_FAILED;
    rpi_report_object *objects = reserve(r->objects, &r->cap_objects, r->n_objects,
                                         sizeof *objects);
    if (!objects)
        return ADD_FAILED;
    r->objects = objects;

    rpi_report_object c = *obj;
    char **const dst[] = {&c.file, &c.api_version, &c.kind, &c.namespace_, &c.name,
                          &c.break_glass};
    const char *const src[] = {obj->file, obj->api_version, obj->kind, obj->namespace_,
                               obj->name, obj->break_glass};
    if (!copy_strs(dst, src, 6))
        return ADD_FAILED;
    objects[r->n_objects] = c;
    r->summary.objects++;
    return r->n_objects++;
}

size_t rpi_report_add_result(rp_report *r, const rpi_report_result *res)
{
    if (!r || !res || res->object >= r->n_objects || res->rule >= r->n_rules ||
        (unsigned)res->outcome >= N_OUTCOMES)
        return ADD_FAILED;
    rpi_report_result *results = reserve(r->results, &r->cap_results, r->n_results,
                                         sizeof *results);
    if (!results)
        return ADD_FAILED;
    r->results = results;
    results[r->n_results] = *res;

    rpi_report_summary *s = &r->summary;
    s->results++;
    switch (res->outcome) {
    case RPI_OUT_PASS:     s->passed++;   break;
    case RPI_OUT_FAIL:     s->failed++;   break;
    case RPI_OUT_BYPASSED: s->bypassed++; break;
    case RPI_OUT_ERROR:    s->errored++;  break;
    }
    return r->n_results++;
}

size_t rpi_report_add_finding(rp_report *r, const rpi_report_finding *f)
{
    if (!r || !f || f->object >= r->n_objects || f->rule >= r->n_rules)
        return ADD_FAILED;
    rpi_report_finding *findings = reserve(r->findings, &r->cap_findings, r->n_findings,
                                           sizeof *findings);
    if (!findings)
        return ADD_FAILED;
    r->findings = findings;

    rpi_report_finding c = *f;
    char **const dst[] = {&c.message, &c.path};
    const char *const src[] = {f->message, f->path};
    if (!copy_strs(dst, src, 2))
        return ADD_FAILED;
    findings[r->n_findings] = c;
    if (!c.bypassed)
        r->summary.findings_by_severity[r->rules[c.rule].severity]++;
    return r->n_findings++;
}

size_t rpi_report_add_error(rp_report *r, const rpi_report_error *e)
{
    if (!r || !e || (unsigned)e->kind > RPI_ERRK_PACK ||
        (e->has_object && e->object >= r->n_objects) ||
        (e->has_rule && e->rule >= r->n_rules))
        return ADD_FAILED;
    rpi_report_error *errors = reserve(r->errors, &r->cap_errors, r->n_errors,
                                       sizeof *errors);
    if (!errors)
        return ADD_FAILED;
    r->errors = errors;

    rpi_report_error c = *e;
    char **const dst[] = {&c.file, &c.message};
    const char *const src[] = {e->file, e->message};
    if (!copy_strs(dst, src, 2))
        return ADD_FAILED;
    errors[r->n_errors] = c;
    r->summary.errors++;
    return r->n_errors++;
}

void rpi_report_count_file(rp_report *r)
{
    if (r)
        r->summary.files++;
}

void rpi_report_count_document(rp_report *r)
{
    if (r)
        r->summary.documents++;
}

/* An out-of-range FAIL_ON is taken as RPI_SEV_INFO (every severity): a
 * caller's mistake then fails the check rather than hiding findings. */
bool rpi_report_fails(const rp_report *r, rpi_severity fail_on, bool any_action)
{
    if (!r)
        return false;
    if ((unsigned)fail_on >= RPI_SEV__COUNT)
        fail_on = RPI_SEV_INFO;
    for (size_t i = 0; i < r->n_findings; i++) {
        const rpi_report_finding *f = &r->findings[i];
        const rpi_report_rule *ru = &r->rules[f->rule];
        if (f->bypassed || ru->severity > fail_on)
            continue;
        if (any_action || ru->action == RPI_ACT_DENY)
            return true;
    }
    return false;
}

/* ---- The writers' text buffer ------------------------------------------------------ */

/* Room for N more bytes and a NUL; false (and oom set) when there is none. */
static bool buf_room(rpi_report_buf *b, size_t n)
{
    if (b->oom)
        return false;
    if (b->cap - b->len > n)
        return true;
    if (n > SIZE_MAX / 2 - b->len - 1) {
        b->oom = true;
        return false;
    }
    size_t need = b->len + n + 1;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < need)
        ncap *= 2;
    char *p = realloc(b->p, ncap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = ncap;
    return true;
}

void rpi_report_buf_put(rpi_report_buf *b, const char *s, size_t n)
{
    if (!buf_room(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void rpi_report_buf_puts(rpi_report_buf *b, const char *s)
{
    rpi_report_buf_put(b, s, strlen(s));
}

void rpi_report_buf_printf(rpi_report_buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        rpi_report_buf_put(b, small, (size_t)n);
        return;
    }
    if (!buf_room(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *rpi_report_buf_finish(rpi_report_buf *b)
{
    char *p = b->p;
    if (b->oom) {
        free(p);
        p = NULL;
    } else if (!p) {
        p = calloc(1, 1);
    }
    *b = (rpi_report_buf){0};
    return p;
}

/* json_dump_callback's sink: appending to a buffer keeps the text in our
 * own malloc'd memory even when the host gave jansson other allocators. */
static int dump_to_buf(const char *buffer, size_t size, void *data)
{
    rpi_report_buf *b = data;
    rpi_report_buf_put(b, buffer, size);
    return b->oom ? -1 : 0;
}

char *rpi_report_json_dumps(const json_t *j, size_t flags)
{
    rpi_report_buf b = {0};
    if (json_dump_callback(j, dump_to_buf, &b, flags) != 0)
        b.oom = true;
    return rpi_report_buf_finish(&b);
}

char *rpi_report_json_text(const json_t *root)
{
    rpi_report_buf b = {0};
    if (json_dump_callback(root, dump_to_buf, &b, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0)
        rpi_report_buf_puts(&b, "\n");
    else
        b.oom = true;
    return rpi_report_buf_finish(&b);
}
