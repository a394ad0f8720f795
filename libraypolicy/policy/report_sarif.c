/* report_sarif.c -- a report as SARIF 2.1.0 (OASIS Static Analysis Results
 * Interchange Format), the log code-scanning services read.
 *
 * One run.  tool.driver is rpeval: its rules are the report's rules (one
 * reportingDescriptor each: id, a readable name made from the title,
 * shortDescription, fullDescription, help with remediation and references,
 * defaultConfiguration.level, and properties severity / action / pack /
 * tags / security-severity, the last being the number GitHub code scanning
 * ranks security results by); its notifications describe the four kinds of
 * errors.  Each finding is a result:
 *   level        critical, high -> error; medium -> warning; low, info -> note
 *   locations    physicalLocation (the file as given, as a relative URI
 *                reference; an absolute path becomes a file: URI) with the
 *                finding's line and column, and a logicalLocation naming
 *                the Kubernetes object ("Kind/namespace/name")
 *   suppressions a bypassed finding is suppressed "inSource": the
 *                raypolicy/break-glass annotation lives in the manifest
 *                itself, as a SuppressMessage attribute lives in code
 *                (SARIF 3.35.2); the annotation's text is the justification
 *   partialFingerprints  a hash of rule, file, object identity, field path
 *                and validation -- never a line number, so a result keeps
 *                its identity when lines move (SARIF 3.27.17)
 * Errors become invocations[0].toolExecutionNotifications (level "error"),
 * and executionSuccessful is false when there are any: the results of such
 * a run are not complete (SARIF 3.20.21).
 *
 * The schema keeps a few arrays unique (toolComponent.rules, tags): two
 * rules with identical descriptors (a pack given twice) share one
 * descriptor and one ruleIndex.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"
#include "policy/report.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define FINGERPRINT_KEY "raypolicyFinding/v1"

static const char *const error_kind_names[] = {"input", "params", "eval", "pack"};
static const char *const error_kind_text[] = {
    "a file or document could not be read",
    "the parameters could not be used",
    "a rule could not be evaluated on an object",
    "a policy pack problem found while checking",
};

static const char *const sarif_level[RPI_SEV__COUNT] = {
    "error", "error", "warning", "note", "note",
};
/* GitHub code scanning: > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
 * 0.1-3.9 low; info gets none. */
static const char *const security_severity[RPI_SEV__COUNT] = {
    "9.5", "8.0", "5.5", "2.0", NULL,
};

/* As in report_json.c: setters that steal V, accept NULLs, and record a
 * failure in *OK, so that trees are built straight and judged once. */
static void set(json_t *o, const char *key, json_t *v, bool *ok)
{
    if (json_object_set_new(o, key, v) != 0)
        *ok = false;
}

static void push(json_t *a, json_t *v, bool *ok)
{
    if (json_array_append_new(a, v) != 0)
        *ok = false;
}

/* {"text": S} */
static json_t *message(const char *s, bool *ok)
{
    json_t *m = json_object();
    set(m, "text", json_string(s), ok);
    return m;
}

/* ---- URIs -------------------------------------------------------------------------- */

static bool uri_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

/* FILE as a URI reference: percent-encoded but for unreserved characters
 * and '/' (so "a:b.yaml" cannot read as a scheme, and spaces, '%', '#'
 * and '?' stay part of the path); "./" prefixes dropped; an absolute path
 * as a file: URI.  NULL for what names no file ("-", "<stdin>", "") or
 * when out of memory (*OK then false). */
static json_t *file_uri(const char *file, bool *ok)
{
    if (!file || !*file || strcmp(file, "-") == 0 || strcmp(file, "<stdin>") == 0)
        return NULL;
    while (file[0] == '.' && file[1] == '/')
        for (file += 2; *file == '/'; file++)
            ;
    rpi_report_buf b = {0};
    if (file[0] == '/')
        rpi_report_buf_puts(&b, "file://");
    for (const unsigned char *p = (const unsigned char *)file; *p; p++) {
        if (uri_unreserved(*p) || *p == '/')
            rpi_report_buf_put(&b, (const char *)p, 1);
        else
            rpi_report_buf_printf(&b, "%%%02X", *p);
    }
    char *s = rpi_report_buf_finish(&b);
    if (!s) {
        *ok = false;
        return NULL;
    }
    json_t *j = json_string(s);
    free(s);
    if (!j)
        *ok = false;
    return j;
}

/* True when S can stand as a helpUri: an http(s) URL made only of
 * characters a URI may hold. */
static bool is_web_uri(const char *s)
{
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (!uri_unreserved(*p) && !strchr(":/?#[]@!$&'()*+,;=%", *p))
            return false;
    return true;
}

/* ---- Rules ------------------------------------------------------------------------- */

/* A readable identifier from TITLE, as SARIF's rule names are
 * ("SpecifyMarshalingForPInvokeStringArguments"): words joined, each
 * capitalised.  NULL when the title has no letters or digits. */
static json_t *rule_name(const char *title, bool *ok)
{
    if (!title)
        return NULL;
    rpi_report_buf b = {0};
    bool word_start = true;
    for (const unsigned char *p = (const unsigned char *)title; *p; p++) {
        bool alnum = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= '0' && *p <= '9') || *p >= 0x80;
        if (!alnum) {
            word_start = true;
            continue;
        }
        char c = (char)*p;
        if (word_start && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        rpi_report_buf_put(&b, &c, 1);
        word_start = false;
    }
    char *s = rpi_report_buf_finish(&b);
    if (!s) {
        *ok = false;
        return NULL;
    }
    json_t *j = *s ? json_string(s) : NULL;
    if (*s && !j)
        *ok = false;
    free(s);
    return j;
}

/* Append S to B as Markdown text.  Pack authors may write light Markdown
 * (`code`, *emphasis*), so only what would turn text into HTML is
 * escaped: '<', '>' and '&' ("<sha256>" would otherwise vanish as a tag). */
static void put_markdown(rpi_report_buf *b, const char *s)
{
    size_t run = 0, i = 0;
    for (; s[i]; i++) {
        if (s[i] != '<' && s[i] != '>' && s[i] != '&')
            continue;
        rpi_report_buf_put(b, s + run, i - run);
        rpi_report_buf_put(b, "\\", 1);
        run = i;
    }
    rpi_report_buf_put(b, s + run, i - run);
}

/* help: the remediation, then the references, as text and as Markdown. */
static json_t *rule_help(const rpi_report_rule *ru, bool *ok)
{
    rpi_report_buf text = {0}, md = {0};
    const char *body = ru->remediation ? ru->remediation : ru->title ? ru->title : ru->id;
    rpi_report_buf_puts(&text, body);
    put_markdown(&md, body);
    if (ru->n_references) {
        rpi_report_buf_puts(&text, "\n\nReferences:");
        rpi_report_buf_puts(&md, "\n\n**References**\n");
        for (size_t i = 0; i < ru->n_references; i++) {
            const char *ref = ru->references[i];
            rpi_report_buf_printf(&text, "\n- %s", ref);
            if (is_web_uri(ref)) {
                rpi_report_buf_printf(&md, "\n- <%s>", ref);
            } else {
                rpi_report_buf_puts(&md, "\n- ");
                put_markdown(&md, ref);
            }
        }
    }
    char *t = rpi_report_buf_finish(&text), *m = rpi_report_buf_finish(&md);
    json_t *h = json_object();
    if (t && m) {
        set(h, "text", json_string(t), ok);
        set(h, "markdown", json_string(m), ok);
    } else {
        *ok = false;
    }
    free(t);
    free(m);
    return h;
}

static json_t *rule_descriptor(const rpi_report_rule *ru, bool *ok)
{
    json_t *d = json_object();
    set(d, "id", json_string(ru->id), ok);
    json_t *name = rule_name(ru->title, ok);
    if (name)
        set(d, "name", name, ok);
    const char *title = ru->title ? ru->title : ru->id;
    set(d, "shortDescription", message(title, ok), ok);
    set(d, "fullDescription", message(ru->remediation ? ru->remediation : title, ok), ok);
    set(d, "help", rule_help(ru, ok), ok);
    for (size_t i = 0; i < ru->n_references; i++) {
        if (is_web_uri(ru->references[i])) {
            set(d, "helpUri", json_string(ru->references[i]), ok);
            break;
        }
    }
    json_t *conf = json_object();
    set(conf, "level", json_string(sarif_level[ru->severity]), ok);
    set(d, "defaultConfiguration", conf, ok);

    json_t *props = json_object();
    set(props, "severity", json_string(rpi_severity_name(ru->severity)), ok);
    set(props, "action", json_string(rpi_action_name(ru->action)), ok);
    if (ru->pack)
        set(props, "pack", json_string(ru->pack), ok);
    json_t *tags = json_array();
    push(tags, json_string("security"), ok);
    if (ru->pack && strcmp(ru->pack, "security") != 0)
        push(tags, json_string(ru->pack), ok);
    set(props, "tags", tags, ok);
    if (security_severity[ru->severity])
        set(props, "security-severity", json_string(security_severity[ru->severity]), ok);
    set(d, "properties", props, ok);
    return d;
}

/* driver.rules, and in INDEX[i] the position of report rule i in it. */
static json_t *rules_json(const rp_report *r, size_t *index, bool *ok)
{
    json_t *rules = json_array();
    for (size_t i = 0; i < r->n_rules; i++) {
        json_t *d = rule_descriptor(&r->rules[i], ok);
        size_t n = json_array_size(rules), k = 0;
        while (k < n && !json_equal(json_array_get(rules, k), d))
            k++;
        index[i] = k;
        if (k < n)
            json_decref(d);
        else
            push(rules, d, ok);
    }
    return rules;
}

/* ---- Locations ---------------------------------------------------------------------- */

/* "Kind/namespace/name", leaving out what is absent. */
static json_t *logical_location(const rpi_report_object *o, bool *ok)
{
    if (!o->kind && !o->name)
        return NULL;
    rpi_report_buf b = {0};
    const char *parts[] = {o->kind, o->namespace_, o->name};
    bool first = true;
    for (size_t i = 0; i < 3; i++) {
        if (!parts[i])
            continue;
        if (!first)
            rpi_report_buf_puts(&b, "/");
        rpi_report_buf_puts(&b, parts[i]);
        first = false;
    }
    char *fq = rpi_report_buf_finish(&b);
    if (!fq) {
        *ok = false;
        return NULL;
    }
    json_t *l = json_object();
    if (o->name)
        set(l, "name", json_string(o->name), ok);
    set(l, "fullyQualifiedName", json_string(fq), ok);
    set(l, "kind", json_string("resource"), ok);
    free(fq);
    json_t *props = json_object();
    if (o->api_version)
        set(props, "apiVersion", json_string(o->api_version), ok);
    if (o->kind)
        set(props, "kind", json_string(o->kind), ok);
    if (o->namespace_)
        set(props, "namespace", json_string(o->namespace_), ok);
    set(l, "properties", props, ok);
    return l;
}

/* A location for FILE at LINE:COLUMN (0: unknown) and object O (may be
 * NULL); NULL when there is nothing to say. */
static json_t *location(const char *file, unsigned line, unsigned column,
                        const rpi_report_object *o, bool *ok)
{
    json_t *uri = file_uri(file, ok);
    json_t *logical = o ? logical_location(o, ok) : NULL;
    if (!uri && !logical)
        return NULL;
    json_t *loc = json_object();
    if (uri) {
        json_t *phys = json_object();
        json_t *art = json_object();
        set(art, "uri", uri, ok);
        set(phys, "artifactLocation", art, ok);
        if (line) {
            json_t *region = json_object();
            set(region, "startLine", json_integer(line), ok);
            if (column)
                set(region, "startColumn", json_integer(column), ok);
            set(phys, "region", region, ok);
        }
        set(loc, "physicalLocation", phys, ok);
    }
    if (logical) {
        json_t *ls = json_array();
        push(ls, logical, ok);
        set(loc, "logicalLocations", ls, ok);
    }
    return loc;
}

/* ---- Results ------------------------------------------------------------------------ */

/* FNV-1a, 64 bits: stable across runs and machines, which is all a
 * partial fingerprint needs (it is not a security boundary). */
static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    h ^= 0xFF;      /* a separator no UTF-8 text holds */
    h *= 0x100000001b3ULL;
    return h;
}

static json_t *fingerprint(const rp_report *r, const rpi_report_finding *f, bool *ok)
{
    const rpi_report_object *o = &r->objects[f->object];
    const char *parts[] = {r->rules[f->rule].id, o->file, o->api_version, o->kind,
                           o->namespace_, o->name, f->path};
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        h = fnv1a(h, parts[i]);
    char text[40];
    snprintf(text, sizeof text, "%016llx:%u", (unsigned long long)h, f->validation);
    json_t *fp = json_object();
    set(fp, FINGERPRINT_KEY, json_string(text), ok);
    return fp;
}

static json_t *result_json(const rp_report *r, const rpi_report_finding *f,
                           const size_t *rule_index, bool *ok)
{
    const rpi_report_rule *ru = &r->rules[f->rule];
    const rpi_report_object *o = &r->objects[f->object];
    json_t *res = json_object();
    set(res, "ruleId", json_string(ru->id), ok);
    set(res, "ruleIndex", json_integer((json_int_t)rule_index[f->rule]), ok);
    set(res, "level", json_string(sarif_level[ru->severity]), ok);
    set(res, "message", message(f->message ? f->message : ru->title ? ru->title : ru->id, ok),
        ok);

    unsigned line = f->line ? f->line : o->line;
    json_t *loc = location(o->file, line, f->line ? f->column : 0, o, ok);
    if (loc) {
        json_t *locs = json_array();
        push(locs, loc, ok);
        set(res, "locations", locs, ok);
    }
    set(res, "partialFingerprints", fingerprint(r, f, ok), ok);
    if (f->bypassed) {
        json_t *sup = json_object();
        set(sup, "kind", json_string("inSource"), ok);
        set(sup, "status", json_string("accepted"), ok);
        set(sup, "justification", json_string(o->break_glass ? o->break_glass : ""), ok);
        json_t *sups = json_array();
        push(sups, sup, ok);
        set(res, "suppressions", sups, ok);
    }
    json_t *props = json_object();
    if (f->path)
        set(props, "path", json_string(f->path), ok);
    set(props, "document", json_integer(o->document), ok);
    if (o->in_list)
        set(props, "item", json_integer(o->item), ok);
    set(props, "validation", json_integer(f->validation), ok);
    set(props, "severity", json_string(rpi_severity_name(ru->severity)), ok);
    set(props, "action", json_string(rpi_action_name(ru->action)), ok);
    set(res, "properties", props, ok);
    return res;
}

/* ---- Errors ------------------------------------------------------------------------- */

static json_t *notification(const rp_report *r, const rpi_report_error *e,
                            const size_t *rule_index, bool *ok)
{
    const rpi_report_object *o = e->has_object ? &r->objects[e->object] : NULL;
    json_t *n = json_object();
    set(n, "level", json_string("error"), ok);
    set(n, "message", message(e->message ? e->message : rp_strerror(e->code), ok), ok);
    json_t *desc = json_object();
    set(desc, "id", json_string(error_kind_names[e->kind]), ok);
    set(desc, "index", json_integer(e->kind), ok);
    set(n, "descriptor", desc, ok);
    if (e->has_rule) {
        json_t *rule = json_object();
        set(rule, "id", json_string(r->rules[e->rule].id), ok);
        set(rule, "index", json_integer((json_int_t)rule_index[e->rule]), ok);
        set(n, "associatedRule", rule, ok);
    }
    /* Without a file of its own, an error is placed at its object. */
    bool own = e->file || !o;
    json_t *loc = location(own ? e->file : o->file, own ? e->line : o->line,
                           own && e->line ? e->column : 0, o, ok);
    if (loc) {
        json_t *locs = json_array();
        push(locs, loc, ok);
        set(n, "locations", locs, ok);
    }
    json_t *props = json_object();
    set(props, "kind", json_string(error_kind_names[e->kind]), ok);
    set(props, "code", json_integer(e->code), ok);
    if (own ? e->has_document : true)
        set(props, "document", json_integer(own ? e->document : o->document), ok);
    set(n, "properties", props, ok);
    return n;
}

static json_t *driver_notifications(bool *ok)
{
    json_t *a = json_array();
    for (size_t k = 0; k < sizeof error_kind_names / sizeof error_kind_names[0]; k++) {
        json_t *d = json_object();
        set(d, "id", json_string(error_kind_names[k]), ok);
        set(d, "shortDescription", message(error_kind_text[k], ok), ok);
        set(d, "defaultConfiguration", json_pack("{s:s}", "level", "error"), ok);
        push(a, d, ok);
    }
    return a;
}

/* ---- The log ------------------------------------------------------------------------ */

char *rpi_report_to_sarif(const rp_report *r)
{
    if (!r)
        return NULL;
    bool ok = true;
    size_t *rule_index = calloc(r->n_rules ? r->n_rules : 1, sizeof *rule_index);
    if (!rule_index)
        return NULL;

    json_t *driver = json_object();
    set(driver, "name", json_string("rpeval"), &ok);
#ifdef PACKAGE_URL
    if (PACKAGE_URL[0])
        set(driver, "informationUri", json_string(PACKAGE_URL), &ok);
#endif
    set(driver, "version", json_string(r->tool_version ? r->tool_version : rp_version()), &ok);
    set(driver, "rules", rules_json(r, rule_index, &ok), &ok);
    set(driver, "notifications", driver_notifications(&ok), &ok);
    json_t *tool = json_object();
    set(tool, "driver", driver, &ok);

    json_t *notes = json_array();
    for (size_t i = 0; i < r->n_errors; i++)
        push(notes, notification(r, &r->errors[i], rule_index, &ok), &ok);
    json_t *inv = json_object();
    set(inv, "executionSuccessful", json_boolean(r->n_errors == 0), &ok);
    set(inv, "toolExecutionNotifications", notes, &ok);
    json_t *invocations = json_array();
    push(invocations, inv, &ok);

    json_t *results = json_array();
    for (size_t i = 0; i < r->n_findings; i++)
        push(results, result_json(r, &r->findings[i], rule_index, &ok), &ok);
    free(rule_index);

    json_t *run = json_object();
    set(run, "tool", tool, &ok);
    set(run, "invocations", invocations, &ok);
    set(run, "columnKind", json_string("unicodeCodePoints"), &ok);
    set(run, "results", results, &ok);
    json_t *runs = json_array();
    push(runs, run, &ok);

    json_t *root = json_object();
    set(root, "$schema", json_string(SARIF_SCHEMA), &ok);
    set(root, "version", json_string("2.1.0"), &ok);
    set(root, "runs", runs, &ok);

    char *text = ok ? rpi_report_json_text(root) : NULL;
    json_decref(root);
    return text;
}
