/* report_json.c -- a report as JSON (`rpeval check --format json`), the
 * shape DESIGN.md fixes:
 *
 *   {"findings": [...], "errors": [...], "results": [...], "summary": {...}}
 *
 * finding: rule, title, pack, severity, action, message, file, document,
 *          item, line, column, apiVersion, kind, namespace, name, path,
 *          validation, bypassed, and breakGlassReason when bypassed
 * error:   kind ("input" | "params" | "eval" | "pack"), code (the RP_E*
 *          number), file, document, line, column, rule, object (null, or
 *          {file, document, item, line, apiVersion, kind, namespace, name}
 *          -- nested, because "kind" already names the error's kind, and
 *          because an evaluation error's own place may be in the pack),
 *          message; an error without a file of its own is placed at its
 *          object (its own line and column, if any, are about no file)
 * result:  rule, outcome ("pass" | "fail" | "bypassed" | "error"), file,
 *          document, item, line, apiVersion, kind, namespace, name
 * summary: files, documents, objects, rules, results, passed, failed,
 *          bypassed, errored (results by outcome), findings (by severity,
 *          bypassed ones excluded), bypassedFindings, errors
 *
 * Every key is always present, so consumers need no existence checks: what
 * is unknown is null (a line or column of 0, a document an error is not
 * about, item outside a List, absent identity fields, a field path that
 * did not resolve).  A finding without a message carries its rule's title.
 * Keys keep this order (JSON_PRESERVE_ORDER), and the whole text is built
 * from the report alone, so the output is deterministic.
 */
#include <stdlib.h>

#include <jansson.h>

#include "internal.h"
#include "policy/report.h"

static const char *const error_kind_names[] = {"input", "params", "eval", "pack"};

/* The setters below steal their value even on failure (jansson's _new
 * rule) and accept a NULL value or object, returning false: a tree is
 * built without checks at every step and judged once, through *OK. */
static void set(json_t *o, const char *key, json_t *v, bool *ok)
{
    if (json_object_set_new(o, key, v) != 0)
        *ok = false;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *uint_or_null(unsigned n)
{
    return n ? json_integer(n) : json_null();
}

static json_t *size_json(size_t n)
{
    return json_integer((json_int_t)n);
}

static void push(json_t *a, json_t *v, bool *ok)
{
    if (json_array_append_new(a, v) != 0)
        *ok = false;
}

/* file, document, item of object O, then LINE (the caller's: a finding's
 * own line is more precise than its object's). */
static void set_place(json_t *j, const rpi_report_object *o, unsigned line, bool *ok)
{
    set(j, "file", str_or_null(o->file), ok);
    set(j, "document", json_integer(o->document), ok);
    set(j, "item", o->in_list ? json_integer(o->item) : json_null(), ok);
    set(j, "line", uint_or_null(line), ok);
}

static void set_identity(json_t *j, const rpi_report_object *o, bool *ok)
{
    set(j, "apiVersion", str_or_null(o->api_version), ok);
    set(j, "kind", str_or_null(o->kind), ok);
    set(j, "namespace", str_or_null(o->namespace_), ok);
    set(j, "name", str_or_null(o->name), ok);
}

static json_t *finding_json(const rp_report *r, const rpi_report_finding *f, bool *ok)
{
    const rpi_report_rule *ru = &r->rules[f->rule];
    const rpi_report_object *o = &r->objects[f->object];
    json_t *j = json_object();
    set(j, "rule", json_string(ru->id), ok);
    set(j, "title", str_or_null(ru->title), ok);
    set(j, "pack", str_or_null(ru->pack), ok);
    set(j, "severity", json_string(rpi_severity_name(ru->severity)), ok);
    set(j, "action", json_string(rpi_action_name(ru->action)), ok);
    set(j, "message", json_string(f->message ? f->message : ru->title ? ru->title : ""),
        ok);
    set_place(j, o, f->line, ok);
    set(j, "column", uint_or_null(f->column), ok);
    set_identity(j, o, ok);
    set(j, "path", str_or_null(f->path), ok);
    set(j, "validation", json_integer(f->validation), ok);
    set(j, "bypassed", json_boolean(f->bypassed), ok);
    if (f->bypassed)
        set(j, "breakGlassReason", json_string(o->break_glass ? o->break_glass : ""), ok);
    return j;
}

static json_t *error_json(const rp_report *r, const rpi_report_error *e, bool *ok)
{
    const rpi_report_object *o = e->has_object ? &r->objects[e->object] : NULL;
    json_t *j = json_object();
    set(j, "kind", json_string(error_kind_names[e->kind]), ok);
    set(j, "code", json_integer(e->code), ok);
    bool own = e->file || !o;
    set(j, "file", str_or_null(own ? e->file : o->file), ok);
    set(j, "document", own ? (e->has_document ? json_integer(e->document) : json_null())
                           : json_integer(o->document), ok);
    set(j, "line", uint_or_null(own ? e->line : o->line), ok);
    set(j, "column", uint_or_null(own && e->line ? e->column : 0), ok);
    set(j, "rule", e->has_rule ? json_string(r->rules[e->rule].id) : json_null(), ok);
    json_t *oj = json_null();
    if (o) {
        oj = json_object();
        set_place(oj, o, o->line, ok);
        set_identity(oj, o, ok);
    }
    set(j, "object", oj, ok);
    set(j, "message", json_string(e->message ? e->message : rp_strerror(e->code)), ok);
    return j;
}

static json_t *result_json(const rp_report *r, const rpi_report_result *res, bool *ok)
{
    const rpi_report_object *o = &r->objects[res->object];
    json_t *j = json_object();
    set(j, "rule", json_string(r->rules[res->rule].id), ok);
    set(j, "outcome", json_string(rpi_outcome_name(res->outcome)), ok);
    set_place(j, o, o->line, ok);
    set_identity(j, o, ok);
    return j;
}

static json_t *summary_json(const rp_report *r, bool *ok)
{
    const rpi_report_summary *s = &r->summary;
    json_t *j = json_object();
    set(j, "files", size_json(s->files), ok);
    set(j, "documents", size_json(s->documents), ok);
    set(j, "objects", size_json(s->objects), ok);
    set(j, "rules", size_json(s->rules), ok);
    set(j, "results", size_json(s->results), ok);
    set(j, "passed", size_json(s->passed), ok);
    set(j, "failed", size_json(s->failed), ok);
    set(j, "bypassed", size_json(s->bypassed), ok);
    set(j, "errored", size_json(s->errored), ok);
    json_t *by = json_object();
    for (int sev = 0; sev < RPI_SEV__COUNT; sev++)
        set(by, rpi_severity_name((rpi_severity)sev), size_json(s->findings_by_severity[sev]),
            ok);
    set(j, "findings", by, ok);
    size_t bypassed = 0;
    for (size_t i = 0; i < r->n_findings; i++)
        bypassed += r->findings[i].bypassed;
    set(j, "bypassedFindings", size_json(bypassed), ok);
    set(j, "errors", size_json(s->errors), ok);
    return j;
}

char *rpi_report_to_json(const rp_report *r)
{
    if (!r)
        return NULL;
    bool ok = true;
    json_t *root = json_object();
    json_t *findings = json_array(), *errors = json_array(), *results = json_array();
    for (size_t i = 0; i < r->n_findings; i++)
        push(findings, finding_json(r, &r->findings[i], &ok), &ok);
    for (size_t i = 0; i < r->n_errors; i++)
        push(errors, error_json(r, &r->errors[i], &ok), &ok);
    for (size_t i = 0; i < r->n_results; i++)
        push(results, result_json(r, &r->results[i], &ok), &ok);
    set(root, "findings", findings, &ok);
    set(root, "errors", errors, &ok);
    set(root, "results", results, &ok);
    set(root, "summary", summary_json(r, &ok), &ok);

    char *text = ok ? rpi_report_json_text(root) : NULL;
    json_decref(root);
    return text;
}
