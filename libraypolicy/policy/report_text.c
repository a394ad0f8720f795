/* report_text.c -- a report as text for a person at a terminal (`rpeval
 * check`'s default format).
 *
 *   ray/cluster.yaml (document 0, line 1) RayCluster ml/raycluster-a
 *     critical  RAY-NET-001  head service is a LoadBalancer (at spec.x, line 20)
 *     high      RAY-SEC-004  runs as root (line 31)  bypassed (break-glass: INC-42)
 *
 *   errors:
 *     ray/bad.yaml:3:7: input error: could not find expected ':'
 *
 *   1 object, 45 rules: 1 critical, 0 high, 0 medium, 0 low findings; 1 bypassed; 1 error
 *
 * Findings are grouped by object, and objects come in report order (inputs
 * in the order given, documents in stream order), which groups them by
 * file.  Document numbers are the 0-based indexes that the JSON output and
 * policy tests use.  A rule whose action is not deny is marked [warn] or
 * [audit]: its findings do not fail the check.
 *
 * Everything a manifest or a pack can put into the text (messages come from
 * messageExpression, names from the objects) goes through put_safe(), which
 * writes control characters, C1 controls and bidirectional overrides as
 * visible escapes: a finding is always one line, and a manifest cannot
 * move the cursor, recolour the terminal or reorder what is shown.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy/report.h"

#define SGR_RESET    "\033[0m"
#define SGR_BOLD     "\033[1m"
#define SGR_DIM      "\033[2m"
#define SGR_RED_BOLD "\033[1;31m"
#define SGR_RED      "\033[31m"
#define SGR_GREEN    "\033[32m"
#define SGR_YELLOW   "\033[33m"
#define SGR_MAGENTA  "\033[35m"
#define SGR_CYAN     "\033[36m"

static const char *const severity_sgr[RPI_SEV__COUNT] = {
    SGR_RED_BOLD, SGR_RED, SGR_YELLOW, SGR_CYAN, SGR_DIM,
};

typedef struct text_out {
    rpi_report_buf b;
    bool color;
} text_out;

static void sgr(text_out *t, const char *code)
{
    if (t->color)
        rpi_report_buf_puts(&t->b, code);
}

/* Code points a terminal acts on instead of showing: C1 controls, and the
 * Unicode bidirectional embeddings, overrides and isolates plus the line
 * and paragraph separators (the "Trojan Source" characters). */
static bool invisible_cp(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F ||
           cp == 0x061C || cp == 0x2028 || cp == 0x2029;
}

/* Append S (valid UTF-8, see report.c) with what a terminal would act on
 * written as escapes: \n \r \t, \xNN for other C0 controls and DEL, \uNNNN
 * for invisible_cp().  NULL appends FALLBACK. */
static void put_safe(text_out *t, const char *s, const char *fallback)
{
    if (!s) {
        rpi_report_buf_puts(&t->b, fallback);
        return;
    }
    size_t len = strlen(s), i = 0, run = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp = c;
        int n = 1;
        if (c >= 0x80)
            n = rpi_utf8_decode(s + i, len - i, &cp);
        bool bad = c < 0x20 || c == 0x7F || (c >= 0x80 && invisible_cp(cp));
        if (!bad) {
            i += (size_t)n;
            continue;
        }
        rpi_report_buf_put(&t->b, s + run, i - run);
        if (c == '\n')
            rpi_report_buf_puts(&t->b, "\\n");
        else if (c == '\r')
            rpi_report_buf_puts(&t->b, "\\r");
        else if (c == '\t')
            rpi_report_buf_puts(&t->b, "\\t");
        else if (c < 0x80)
            rpi_report_buf_printf(&t->b, "\\x%02x", c);
        else
            rpi_report_buf_printf(&t->b, "\\u%04x", (unsigned)cp);
        i += (size_t)n;
        run = i;
    }
    rpi_report_buf_put(&t->b, s + run, len - run);
}

/* "RayCluster ml/raycluster-a", "Namespace ml", "(no kind) (unnamed)". */
static void put_object_label(text_out *t, const rpi_report_object *o)
{
    put_safe(t, o->kind, "(no kind)");
    rpi_report_buf_puts(&t->b, " ");
    if (o->namespace_) {
        put_safe(t, o->namespace_, "");
        rpi_report_buf_puts(&t->b, "/");
    }
    put_safe(t, o->name, "(unnamed)");
}

/* "path/file.yaml (document 2, item 1, line 14) RayCluster ml/raycluster-a" */
static void put_object_header(text_out *t, const rpi_report_object *o)
{
    sgr(t, SGR_BOLD);
    put_safe(t, o->file, "(unknown file)");
    rpi_report_buf_printf(&t->b, " (document %u", o->document);
    if (o->in_list)
        rpi_report_buf_printf(&t->b, ", item %u", o->item);
    if (o->line)
        rpi_report_buf_printf(&t->b, ", line %u", o->line);
    rpi_report_buf_puts(&t->b, ") ");
    put_object_label(t, o);
    sgr(t, SGR_RESET);
    rpi_report_buf_puts(&t->b, "\n");
}

/* "  high      RAY-NET-001" and, for a rule that does not deny, " [warn]". */
static void put_rule_head(text_out *t, const char *word, const char *color,
                          const rpi_report_rule *ru)
{
    rpi_report_buf_puts(&t->b, "  ");
    sgr(t, color);
    rpi_report_buf_printf(&t->b, "%-8s", word);
    sgr(t, SGR_RESET);
    rpi_report_buf_puts(&t->b, "  ");
    put_safe(t, ru->id, "");
    if (ru->action != RPI_ACT_DENY)
        rpi_report_buf_printf(&t->b, " [%s]", rpi_action_name(ru->action));
    rpi_report_buf_puts(&t->b, "  ");
}

static void put_finding(text_out *t, const rp_report *r, const rpi_report_finding *f)
{
    const rpi_report_rule *ru = &r->rules[f->rule];
    const rpi_report_object *o = &r->objects[f->object];
    put_rule_head(t, rpi_severity_name(ru->severity),
                  f->bypassed ? SGR_DIM : severity_sgr[ru->severity], ru);
    put_safe(t, f->message ? f->message : ru->title, "(no message)");
    if (f->path || f->line) {
        rpi_report_buf_puts(&t->b, " (");
        if (f->path) {
            rpi_report_buf_puts(&t->b, "at ");
            put_safe(t, f->path, "");
        }
        if (f->path && f->line)
            rpi_report_buf_puts(&t->b, ", ");
        if (f->line)
            rpi_report_buf_printf(&t->b, "line %u", f->line);
        rpi_report_buf_puts(&t->b, ")");
    }
    if (f->bypassed) {
        rpi_report_buf_puts(&t->b, "  ");
        sgr(t, SGR_MAGENTA);
        rpi_report_buf_puts(&t->b, "bypassed (break-glass: ");
        put_safe(t, o->break_glass, "no reason given");
        rpi_report_buf_puts(&t->b, ")");
        sgr(t, SGR_RESET);
    }
    rpi_report_buf_puts(&t->b, "\n");
}

/* "file:line:column: eval error: RAY-NET-001 on RayCluster ml/a: message".
 * An error without a file of its own is placed where its object is (its
 * line and column, if any, are about no file); one with a file other than
 * its object's (an expression's place in a pack) says where the object is
 * after naming it. */
static void put_error(text_out *t, const rp_report *r, const rpi_report_error *e)
{
    static const char *const kind_names[] = {"input", "params", "eval", "pack"};
    const rpi_report_object *o = e->has_object ? &r->objects[e->object] : NULL;
    bool own = e->file || !o;
    const char *file = own ? e->file : o->file;
    unsigned line = own ? e->line : o->line, column = own ? e->column : 0;
    bool has_doc = own ? e->has_document : true;
    unsigned doc = own ? e->document : o->document;

    rpi_report_buf_puts(&t->b, "  ");
    if (file || line) {
        put_safe(t, file, "(unknown file)");
        if (line) {
            rpi_report_buf_printf(&t->b, ":%u", line);
            if (column)
                rpi_report_buf_printf(&t->b, ":%u", column);
        } else if (has_doc) {
            rpi_report_buf_printf(&t->b, " (document %u)", doc);
        }
        rpi_report_buf_puts(&t->b, ": ");
    }
    sgr(t, SGR_RED_BOLD);
    rpi_report_buf_printf(&t->b, "%s error", kind_names[e->kind]);
    sgr(t, SGR_RESET);
    rpi_report_buf_puts(&t->b, ": ");
    if (e->has_rule) {
        put_safe(t, r->rules[e->rule].id, "");
        rpi_report_buf_puts(&t->b, o ? " on " : ": ");
    }
    if (o) {
        put_object_label(t, o);
        if (own && (!o->file || strcmp(e->file, o->file) != 0)) {
            rpi_report_buf_puts(&t->b, " (");
            put_safe(t, o->file, "(unknown file)");
            rpi_report_buf_printf(&t->b, ", document %u", o->document);
            if (o->line)
                rpi_report_buf_printf(&t->b, ", line %u", o->line);
            rpi_report_buf_puts(&t->b, ")");
        }
        rpi_report_buf_puts(&t->b, ": ");
    }
    put_safe(t, e->message, rp_strerror(e->code));
    rpi_report_buf_puts(&t->b, "\n");
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* "3 objects, 45 rules: 2 critical, 1 high, 0 medium, 0 low findings;
 * 1 bypassed; 0 errors" -- info only when there are info findings. */
static void put_summary(text_out *t, const rp_report *r)
{
    const rpi_report_summary *s = &r->summary;
    size_t bypassed = 0;
    for (size_t i = 0; i < r->n_findings; i++)
        bypassed += r->findings[i].bypassed;
    rpi_report_buf_printf(&t->b, "%zu %s, %zu %s: ", s->objects,
                          plural(s->objects, "object", "objects"), s->rules,
                          plural(s->rules, "rule", "rules"));
    for (int sev = 0; sev < RPI_SEV__COUNT; sev++) {
        size_t n = s->findings_by_severity[sev];
        if (sev == RPI_SEV_INFO && n == 0)
            continue;
        if (sev)
            rpi_report_buf_puts(&t->b, ", ");
        if (n)
            sgr(t, severity_sgr[sev]);
        rpi_report_buf_printf(&t->b, "%zu %s", n, rpi_severity_name((rpi_severity)sev));
        if (n)
            sgr(t, SGR_RESET);
    }
    rpi_report_buf_printf(&t->b, " findings; %zu bypassed; ", bypassed);
    if (s->errors)
        sgr(t, SGR_RED_BOLD);
    rpi_report_buf_printf(&t->b, "%zu %s", s->errors, plural(s->errors, "error", "errors"));
    if (s->errors)
        sgr(t, SGR_RESET);
    rpi_report_buf_puts(&t->b, "\n");
}

/* Findings (and, with show_passed, passed results) listed per object.  The
 * engine adds an object's findings together, but nothing requires it: a
 * counting sort by object keeps each object's entries in the order they
 * were added whatever the interleaving, in O(n). */
char *rpi_report_to_text(const rp_report *r, const rpi_text_options *opts)
{
    if (!r)
        return NULL;
    text_out t = {.color = opts && opts->color};
    bool show_passed = opts && opts->show_passed;

    size_t nobj = r->n_objects;
    size_t *fstart = calloc(nobj + 1, sizeof *fstart);
    size_t *rstart = calloc(nobj + 1, sizeof *rstart);
    size_t *forder = malloc((r->n_findings ? r->n_findings : 1) * sizeof *forder);
    size_t *rorder = malloc((r->n_results ? r->n_results : 1) * sizeof *rorder);
    if (!fstart || !rstart || !forder || !rorder) {
        free(fstart);
        free(rstart);
        free(forder);
        free(rorder);
        return NULL;
    }
    for (size_t i = 0; i < r->n_findings; i++)
        fstart[r->findings[i].object + 1]++;
    for (size_t i = 0; i < r->n_results; i++)
        if (r->results[i].outcome == RPI_OUT_PASS)
            rstart[r->results[i].object + 1]++;
    for (size_t i = 0; i < nobj; i++) {
        fstart[i + 1] += fstart[i];
        rstart[i + 1] += rstart[i];
    }
    /* Fill using the start offsets as cursors, then shift them back. */
    for (size_t i = 0; i < r->n_findings; i++)
        forder[fstart[r->findings[i].object]++] = i;
    for (size_t i = 0; i < r->n_results; i++)
        if (r->results[i].outcome == RPI_OUT_PASS)
            rorder[rstart[r->results[i].object]++] = i;
    for (size_t i = nobj; i > 0; i--) {
        fstart[i] = fstart[i - 1];
        rstart[i] = rstart[i - 1];
    }
    fstart[0] = rstart[0] = 0;

    bool any = false;
    for (size_t o = 0; o < nobj; o++) {
        size_t nf = fstart[o + 1] - fstart[o];
        size_t np = show_passed ? rstart[o + 1] - rstart[o] : 0;
        if (!nf && !np)
            continue;
        if (any)
            rpi_report_buf_puts(&t.b, "\n");
        any = true;
        put_object_header(&t, &r->objects[o]);
        for (size_t k = fstart[o]; k < fstart[o + 1]; k++)
            put_finding(&t, r, &r->findings[forder[k]]);
        for (size_t k = rstart[o]; show_passed && k < rstart[o + 1]; k++) {
            const rpi_report_rule *ru = &r->rules[r->results[rorder[k]].rule];
            put_rule_head(&t, "pass", SGR_GREEN, ru);
            put_safe(&t, ru->title, "");
            rpi_report_buf_puts(&t.b, "\n");
        }
    }
    free(fstart);
    free(rstart);
    free(forder);
    free(rorder);

    if (r->n_errors) {
        if (any)
            rpi_report_buf_puts(&t.b, "\n");
        any = true;
        sgr(&t, SGR_BOLD);
        rpi_report_buf_puts(&t.b, "errors:");
        sgr(&t, SGR_RESET);
        rpi_report_buf_puts(&t.b, "\n");
        for (size_t i = 0; i < r->n_errors; i++)
            put_error(&t, r, &r->errors[i]);
    }
    if (any)
        rpi_report_buf_puts(&t.b, "\n");
    put_summary(&t, r);
    return rpi_report_buf_finish(&t.b);
}
