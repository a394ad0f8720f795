/* report_junit.c -- a report as JUnit XML, for CI systems that show test
 * results (Jenkins, GitLab, GitHub actions that read JUnit).
 *
 *   <testsuites name="rpeval" tests failures errors skipped>
 *     <testsuite name="RAY-NET-001" tests failures errors skipped>   one per rule
 *       <properties> title, severity, action, pack </properties>
 *       <testcase classname="RAY-NET-001" name="ray.yaml#0 RayCluster ml/a">
 *         <failure message="..." type="high">...</failure>      outcome fail
 *         <skipped message="break-glass: reason">...</skipped>  outcome bypassed
 *         <error message="..." type="eval">...</error>          outcome error
 *       </testcase>                                             (pass: empty)
 *     </testsuite>
 *     <testsuite name="input">                 errors not tied to a result:
 *       <testcase classname="input" name="bad.yaml:3:7">     one suite per
 *         <error message="..." type="input">...</error>      error kind
 *     ...
 *
 * A result is one (object, rule) pair, so one test case; its findings (one
 * per failing validation) and its evaluation errors are found through
 * index arrays sorted by (object, rule).  Every count is the number of
 * elements actually written, so the totals always agree.
 *
 * XML 1.0 cannot carry most C0 control characters at all, not even as
 * character references, nor U+FFFE and U+FFFF: they become U+FFFD.  Tabs,
 * newlines and carriage returns in attributes are written as character
 * references, which attribute-value normalisation leaves alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy/report.h"

#define REPLACEMENT "\xEF\xBF\xBD"

static const char *const error_kind_names[] = {"input", "params", "eval", "pack"};
#define N_ERROR_KINDS (sizeof error_kind_names / sizeof error_kind_names[0])

/* ---- Escaping ------------------------------------------------------------------------ */

/* Length of the UTF-8 sequence starting with byte C (1 for a bad one). */
static size_t seq_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Append S as XML character data, or as an attribute value when ATTR. */
static void xml_put(rpi_report_buf *b, const char *s, bool attr)
{
    if (!s)
        return;
    size_t len = strlen(s), i = 0, run = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        size_t n = 1;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = attr ? "&quot;" : NULL; break;
        case '\'': rep = attr ? "&apos;" : NULL; break;
        case '\t': rep = attr ? "&#9;" : NULL; break;
        case '\n': rep = attr ? "&#10;" : NULL; break;
        case '\r': rep = "&#13;"; break;
        default:
            if (c < 0x20) {
                rep = REPLACEMENT;
            } else if (c >= 0x80) {
                n = seq_len(c);
                uint32_t cp = 0;
                if (n > len - i || !rpi_utf8_valid(s + i, n)) {
                    n = 1;
                    rep = REPLACEMENT;
                } else {
                    rpi_utf8_decode(s + i, n, &cp);
                    if (cp == 0xFFFE || cp == 0xFFFF)
                        rep = REPLACEMENT;
                }
            }
        }
        if (rep) {
            rpi_report_buf_put(b, s + run, i - run);
            rpi_report_buf_puts(b, rep);
            run = i + n;
        }
        i += n;
    }
    rpi_report_buf_put(b, s + run, len - run);
}

/* ` NAME="VALUE"` */
static void attr(rpi_report_buf *b, const char *name, const char *value)
{
    rpi_report_buf_printf(b, " %s=\"", name);
    xml_put(b, value, true);
    rpi_report_buf_puts(b, "\"");
}

static void attr_counts(rpi_report_buf *b, size_t tests, size_t failures, size_t errors,
                        size_t skipped)
{
    rpi_report_buf_printf(b, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"",
                          tests, failures, errors, skipped);
}

/* ---- Looking things up by (object, rule) ------------------------------------------- */

typedef struct pair_key {
    size_t object, rule, index;
} pair_key;

static int pair_cmp(const void *a, const void *b)
{
    const pair_key *x = a, *y = b;
    if (x->object != y->object)
        return x->object < y->object ? -1 : 1;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* First key at or after (OBJECT, RULE). */
static size_t pair_lower(const pair_key *k, size_t n, size_t object, size_t rule)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k[mid].object < object || (k[mid].object == object && k[mid].rule < rule))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool pair_at(const pair_key *k, size_t n, size_t i, size_t object, size_t rule)
{
    return i < n && k[i].object == object && k[i].rule == rule;
}

/* ---- Test cases ----------------------------------------------------------------------- */

/* "ray.yaml#2 RayCluster ml/raycluster-a" (#2.1 for item 1 of a List). */
static void object_name(rpi_report_buf *b, const rpi_report_object *o)
{
    rpi_report_buf_puts(b, o->file ? o->file : "(unknown file)");
    rpi_report_buf_printf(b, "#%u", o->document);
    if (o->in_list)
        rpi_report_buf_printf(b, ".%u", o->item);
    rpi_report_buf_printf(b, " %s ", o->kind ? o->kind : "(no kind)");
    if (o->namespace_)
        rpi_report_buf_printf(b, "%s/", o->namespace_);
    rpi_report_buf_puts(b, o->name ? o->name : "(unnamed)");
}

/* One line per finding: "message\n  at path (line L, column C)". */
static void finding_lines(rpi_report_buf *b, const rp_report *r, const pair_key *fk,
                          size_t nf, size_t first, const rpi_report_result *res)
{
    for (size_t i = first; pair_at(fk, nf, i, res->object, res->rule); i++) {
        const rpi_report_finding *f = &r->findings[fk[i].index];
        const rpi_report_rule *ru = &r->rules[f->rule];
        xml_put(b, f->message ? f->message : ru->title ? ru->title : ru->id, false);
        if (f->path) {
            rpi_report_buf_puts(b, "\n  at ");
            xml_put(b, f->path, false);
        }
        if (f->line) {
            rpi_report_buf_printf(b, "\n  line %u", f->line);
            if (f->column)
                rpi_report_buf_printf(b, ", column %u", f->column);
        }
        rpi_report_buf_puts(b, "\n");
    }
}

/* The <testcase> of result RES. */
static void result_case(rpi_report_buf *b, const rp_report *r, const rpi_report_result *res,
                        const pair_key *fk, size_t nf, const pair_key *ek, size_t ne)
{
    const rpi_report_rule *ru = &r->rules[res->rule];
    const rpi_report_object *o = &r->objects[res->object];
    rpi_report_buf name = {0};
    object_name(&name, o);
    char *nm = rpi_report_buf_finish(&name);
    if (!nm) {
        b->oom = true;
        return;
    }
    rpi_report_buf_puts(b, "    <testcase");
    attr(b, "classname", ru->id);
    attr(b, "name", nm);
    free(nm);

    size_t fi = pair_lower(fk, nf, res->object, res->rule);
    const rpi_report_finding *first =
        pair_at(fk, nf, fi, res->object, res->rule) ? &r->findings[fk[fi].index] : NULL;
    const char *first_msg = first && first->message ? first->message
                            : ru->title            ? ru->title
                                                   : ru->id;
    switch (res->outcome) {
    case RPI_OUT_PASS:
        rpi_report_buf_puts(b, "/>\n");
        return;
    case RPI_OUT_FAIL:
        rpi_report_buf_puts(b, ">\n      <failure");
        attr(b, "message", first_msg);
        attr(b, "type", rpi_severity_name(ru->severity));
        rpi_report_buf_puts(b, ">");
        finding_lines(b, r, fk, nf, fi, res);
        rpi_report_buf_puts(b, "</failure>\n");
        break;
    case RPI_OUT_BYPASSED: {
        rpi_report_buf m = {0};
        rpi_report_buf_puts(&m, "break-glass: ");
        rpi_report_buf_puts(&m, o->break_glass ? o->break_glass : "no reason given");
        char *msg = rpi_report_buf_finish(&m);
        if (!msg) {
            b->oom = true;
            return;
        }
        rpi_report_buf_puts(b, ">\n      <skipped");
        attr(b, "message", msg);
        free(msg);
        rpi_report_buf_puts(b, ">");
        finding_lines(b, r, fk, nf, fi, res);
        rpi_report_buf_puts(b, "</skipped>\n");
        break;
    }
    case RPI_OUT_ERROR: {
        size_t ei = pair_lower(ek, ne, res->object, res->rule);
        const rpi_report_error *e =
            pair_at(ek, ne, ei, res->object, res->rule) ? &r->errors[ek[ei].index] : NULL;
        rpi_report_buf_puts(b, ">\n      <error");
        attr(b, "message", e ? (e->message ? e->message : rp_strerror(e->code))
                             : rp_strerror(RP_EEVAL));
        attr(b, "type", e ? error_kind_names[e->kind] : "eval");
        rpi_report_buf_puts(b, ">");
        for (; pair_at(ek, ne, ei, res->object, res->rule); ei++) {
            const rpi_report_error *x = &r->errors[ek[ei].index];
            xml_put(b, x->message ? x->message : rp_strerror(x->code), false);
            if (x->file) {
                rpi_report_buf_puts(b, "\n  at ");
                xml_put(b, x->file, false);
                if (x->line)
                    rpi_report_buf_printf(b, ":%u", x->line);
                if (x->line && x->column)
                    rpi_report_buf_printf(b, ":%u", x->column);
            }
            rpi_report_buf_puts(b, "\n");
        }
        rpi_report_buf_puts(b, "</error>\n");
        break;
    }
    }
    rpi_report_buf_puts(b, "    </testcase>\n");
}

/* The <testcase> of an error tied to no result: named by where it is
 * ("bad.yaml:3:7", "pack.yaml:88:14"), the object it is about
 * ("ray.yaml#1 RayCluster ml/a") and the rule. */
static void error_case(rpi_report_buf *b, const rp_report *r, const rpi_report_error *e,
                       size_t number)
{
    const rpi_report_object *o = e->has_object ? &r->objects[e->object] : NULL;
    rpi_report_buf name = {0};
    if (e->file) {
        rpi_report_buf_puts(&name, e->file);
        if (e->line)
            rpi_report_buf_printf(&name, ":%u", e->line);
        if (e->line && e->column)
            rpi_report_buf_printf(&name, ":%u", e->column);
        if (!e->line && e->has_document)
            rpi_report_buf_printf(&name, "#%u", e->document);
        if (o)
            rpi_report_buf_puts(&name, " ");
    }
    if (o)
        object_name(&name, o);
    if (!e->file && !o)
        rpi_report_buf_printf(&name, "%s error %zu", error_kind_names[e->kind], number);
    if (e->has_rule) {
        rpi_report_buf_puts(&name, " ");
        rpi_report_buf_puts(&name, r->rules[e->rule].id);
    }
    char *nm = rpi_report_buf_finish(&name);
    if (!nm) {
        b->oom = true;
        return;
    }
    const char *msg = e->message ? e->message : rp_strerror(e->code);
    rpi_report_buf_puts(b, "    <testcase");
    attr(b, "classname", error_kind_names[e->kind]);
    attr(b, "name", nm);
    free(nm);
    rpi_report_buf_puts(b, ">\n      <error");
    attr(b, "message", msg);
    attr(b, "type", error_kind_names[e->kind]);
    rpi_report_buf_puts(b, ">");
    xml_put(b, msg, false);
    rpi_report_buf_puts(b, "</error>\n    </testcase>\n");
}

/* ---- The document ----------------------------------------------------------------------- */

typedef struct suite_counts {
    size_t tests, failures, errors, skipped;
} suite_counts;

static void property(rpi_report_buf *b, const char *name, const char *value)
{
    if (!value)
        return;
    rpi_report_buf_puts(b, "      <property");
    attr(b, "name", name);
    attr(b, "value", value);
    rpi_report_buf_puts(b, "/>\n");
}

char *rpi_report_to_junit(const rp_report *r)
{
    if (!r)
        return NULL;
    size_t nf = r->n_findings, ne = 0, nr = r->n_rules;
    pair_key *fk = malloc((nf ? nf : 1) * sizeof *fk);
    pair_key *ek = malloc((r->n_errors ? r->n_errors : 1) * sizeof *ek);
    bool *attached = calloc(r->n_errors ? r->n_errors : 1, sizeof *attached);
    suite_counts *per_rule = calloc(nr ? nr : 1, sizeof *per_rule);
    size_t *rstart = calloc(nr + 1, sizeof *rstart);
    size_t *rorder = malloc((r->n_results ? r->n_results : 1) * sizeof *rorder);
    rpi_report_buf b = {0};
    if (!fk || !ek || !attached || !per_rule || !rstart || !rorder) {
        b.oom = true;
        goto done;
    }
    for (size_t i = 0; i < nf; i++)
        fk[i] = (pair_key){r->findings[i].object, r->findings[i].rule, i};
    qsort(fk, nf, sizeof *fk, pair_cmp);
    for (size_t i = 0; i < r->n_errors; i++)
        if (r->errors[i].has_object && r->errors[i].has_rule)
            ek[ne++] = (pair_key){r->errors[i].object, r->errors[i].rule, i};
    qsort(ek, ne, sizeof *ek, pair_cmp);

    /* Results grouped by rule, in the order they were added (counting
     * sort), and each rule's counts. */
    for (size_t i = 0; i < r->n_results; i++) {
        const rpi_report_result *res = &r->results[i];
        suite_counts *c = &per_rule[res->rule];
        c->tests++;
        c->failures += res->outcome == RPI_OUT_FAIL;
        c->skipped += res->outcome == RPI_OUT_BYPASSED;
        c->errors += res->outcome == RPI_OUT_ERROR;
        rstart[res->rule + 1]++;
    }
    for (size_t i = 0; i < nr; i++)
        rstart[i + 1] += rstart[i];
    for (size_t i = 0; i < r->n_results; i++)
        rorder[rstart[r->results[i].rule]++] = i;
    for (size_t i = nr; i > 0; i--)
        rstart[i] = rstart[i - 1];
    rstart[0] = 0;

    /* Which errors no result with outcome error will carry: those go to
     * per-kind suites. */
    for (size_t i = 0; i < r->n_results; i++) {
        const rpi_report_result *res = &r->results[i];
        if (res->outcome != RPI_OUT_ERROR)
            continue;
        for (size_t k = pair_lower(ek, ne, res->object, res->rule);
             pair_at(ek, ne, k, res->object, res->rule); k++)
            attached[ek[k].index] = true;
    }
    size_t loose[N_ERROR_KINDS] = {0};
    suite_counts total = {0};
    for (size_t i = 0; i < r->n_errors; i++)
        if (!attached[i])
            loose[r->errors[i].kind]++;
    for (size_t i = 0; i < nr; i++) {
        total.tests += per_rule[i].tests;
        total.failures += per_rule[i].failures;
        total.errors += per_rule[i].errors;
        total.skipped += per_rule[i].skipped;
    }
    for (size_t k = 0; k < N_ERROR_KINDS; k++) {
        total.tests += loose[k];
        total.errors += loose[k];
    }

    rpi_report_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    attr(&b, "name", "rpeval");
    attr_counts(&b, total.tests, total.failures, total.errors, total.skipped);
    rpi_report_buf_puts(&b, ">\n");
    for (size_t i = 0; i < nr; i++) {
        const rpi_report_rule *ru = &r->rules[i];
        const suite_counts *c = &per_rule[i];
        rpi_report_buf_puts(&b, "  <testsuite");
        attr(&b, "name", ru->id);
        attr_counts(&b, c->tests, c->failures, c->errors, c->skipped);
        rpi_report_buf_puts(&b, ">\n    <properties>\n");
        property(&b, "title", ru->title);
        property(&b, "severity", rpi_severity_name(ru->severity));
        property(&b, "action", rpi_action_name(ru->action));
        property(&b, "pack", ru->pack);
        rpi_report_buf_puts(&b, "    </properties>\n");
        for (size_t k = rstart[i]; k < rstart[i + 1]; k++)
            result_case(&b, r, &r->results[rorder[k]], fk, nf, ek, ne);
        rpi_report_buf_puts(&b, "  </testsuite>\n");
    }
    for (size_t k = 0; k < N_ERROR_KINDS; k++) {
        if (!loose[k])
            continue;
        rpi_report_buf_puts(&b, "  <testsuite");
        attr(&b, "name", error_kind_names[k]);
        attr_counts(&b, loose[k], 0, loose[k], 0);
        rpi_report_buf_puts(&b, ">\n");
        size_t number = 0;
        for (size_t i = 0; i < r->n_errors; i++)
            if (!attached[i] && r->errors[i].kind == (rpi_error_kind)k)
                error_case(&b, r, &r->errors[i], ++number);
        rpi_report_buf_puts(&b, "  </testsuite>\n");
    }
    rpi_report_buf_puts(&b, "</testsuites>\n");

done:
    free(fk);
    free(ek);
    free(attached);
    free(per_rule);
    free(rstart);
    free(rorder);
    return rpi_report_buf_finish(&b);
}
