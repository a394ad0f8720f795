/* testsuite.c -- policy test suites (docs/policy-tests.md): a suite names
 * packs, parameters and objects, runs one check, and compares the outcome
 * of each (object, rule) with what its `results` entries expect.
 *
 * A suite is one check, so `inventory` holds every object of the suite and
 * cross-object rules can be tested.  Each results entry is one case; an
 * exhaustive suite adds the case "no unexpected findings".  A failed case
 * says where its entry is (suite:line), which objects it selected and what
 * happened instead.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/engine.h"

typedef struct test_case {
    char *name;
    bool passed;
    char *detail;           /* why it failed; NULL when it passed */
} test_case;

struct rp_test_run {
    char *suite;            /* metadata.name */
    test_case *cases;
    size_t n, cap;
};

void rp_test_run_free(rp_test_run *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->cases[i].name);
        free(t->cases[i].detail);
    }
    free(t->cases);
    free(t->suite);
    free(t);
}

size_t rp_test_run_case_count(const rp_test_run *t) { return t ? t->n : 0; }

const char *rp_test_run_case_name(const rp_test_run *t, size_t i)
{
    return t && i < t->n ? t->cases[i].name : NULL;
}

int rp_test_run_case_passed(const rp_test_run *t, size_t i)
{
    return t && i < t->n ? t->cases[i].passed : 0;
}

const char *rp_test_run_case_detail(const rp_test_run *t, size_t i)
{
    return t && i < t->n ? t->cases[i].detail : NULL;
}

const char *rp_test_run_suite_name(const rp_test_run *t) { return t ? t->suite : NULL; }

static int add_case(rp_test_run *t, const char *name, bool passed, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int add_case(rp_test_run *t, const char *name, bool passed, const char *fmt, ...)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        test_case *nc = realloc(t->cases, cap * sizeof *nc);
        if (!nc)
            return RP_ENOMEM;
        t->cases = nc;
        t->cap = cap;
    }
    test_case *c = &t->cases[t->n];
    c->name = strdup(name);
    c->passed = passed;
    c->detail = NULL;
    if (!passed && fmt) {
        char buf[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        c->detail = strdup(buf);
        if (!c->detail) {
            free(c->name);
            return RP_ENOMEM;
        }
    }
    if (!c->name) {
        free(c->detail);
        return RP_ENOMEM;
    }
    t->n++;
    return RP_OK;
}

/* The whole of file PATH, malloc'd and NUL-terminated; NULL when it cannot
 * be read (*CODE RP_EIO) or memory runs out (*CODE RP_ENOMEM). */
static char *read_file(const char *path, size_t *len, int *code)
{
    char *buf = rpi_read_file(path, SIZE_MAX, len);
    if (!buf)
        *code = errno == ENOMEM ? RP_ENOMEM : RP_EIO;
    return buf;
}

/* DIR of PATH joined with REL (REL absolute stays as it is). */
static char *join_path(const char *path, const char *rel)
{
    if (rel[0] == '/' || !strchr(path, '/'))
        return strdup(rel);
    size_t dl = (size_t)(strrchr(path, '/') - path) + 1;
    char *out = malloc(dl + strlen(rel) + 1);
    if (out) {
        memcpy(out, path, dl);
        strcpy(out + dl, rel);
    }
    return out;
}

static bool is_pack_file(const char *spec)
{
    size_t n = strlen(spec);
    return strchr(spec, '/') || (n > 5 && strcmp(spec + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(spec + n - 4, ".yml") == 0) ||
           (n > 5 && strcmp(spec + n - 5, ".json") == 0);
}

static const char *str_or(const char *s, const char *dflt) { return s ? s : dflt; }

/* Does report object O satisfy selector SEL (a JSON mapping)? */
static bool selected(const rpi_report_object *o, const json_t *sel, char *const *input_files,
                     char *const *input_written, size_t n_inputs)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)sel, key, v) {
        if (strcmp(key, "document") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) != (json_int_t)o->document)
                return false;
            continue;
        }
        const char *want = json_string_value(v);
        if (!want)
            return false;
        const char *have = NULL;
        if (strcmp(key, "kind") == 0)
            have = o->kind;
        else if (strcmp(key, "name") == 0)
            have = o->name;
        else if (strcmp(key, "namespace") == 0)
            have = o->namespace_;
        else if (strcmp(key, "apiVersion") == 0)
            have = o->api_version;
        else if (strcmp(key, "file") == 0) {
            bool ok = false;
            for (size_t i = 0; i < n_inputs && !ok; i++)
                ok = strcmp(input_written[i], want) == 0 && o->file &&
                     strncmp(o->file, input_files[i], strlen(input_files[i])) == 0;
            if (!ok)
                return false;
            continue;
        }
        if (!have || strcmp(have, want) != 0)
            return false;
    }
    return true;
}

static const char *outcome_word(int o)
{
    return o < 0 ? "skip" : rpi_outcome_name((rpi_outcome)o);
}

/* Outcome of RULE on object OBJ: an rpi_outcome, or -1 (not selected). */
static int outcome_of(const rp_report *r, size_t obj, size_t rule)
{
    for (size_t i = 0; i < r->n_results; i++)
        if (r->results[i].object == obj && r->results[i].rule == rule)
            return (int)r->results[i].outcome;
    return -1;
}

typedef struct suite_ctx {
    const char *path;
    rpi_docset ds;
    const json_t *spec;
    rp_test_run *t;
    rp_error *err;
} suite_ctx;

static unsigned entry_line(suite_ctx *S, const json_t *arr, size_t i)
{
    const rpi_pos *p = rpi_posmap_get(S->ds.pos, arr, NULL, i);
    return p ? p->line : 0;
}

static int suite_error(suite_ctx *S, int code, const json_t *parent, const char *key,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int suite_error(suite_ctx *S, int code, const json_t *parent, const char *key,
                       const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const rpi_pos *p = parent ? rpi_posmap_get(S->ds.pos, parent, key, 0) : NULL;
    unsigned line = p ? p->line : 0, col = p ? p->column : 0;
    rpi_error_set(S->err, code, S->path, line, col, "%s:%u:%u: %s", S->path, line, col, msg);
    return code;
}

/* Compare the report with the suite's expectations. */
static int judge(suite_ctx *S, const rp_report *rep, char **files, char **written, size_t n_in)
{
    const json_t *results = json_object_get(S->spec, "results");
    size_t n_res = json_array_size(results);
    /* covered[o * n_rules + r]: a fail/bypassed entry names it */
    size_t cells = rep->n_objects * (rep->n_rules ? rep->n_rules : 1);
    bool *covered = calloc(cells ? cells : 1, sizeof *covered);
    if (!covered)
        return RP_ENOMEM;
    int rc = RP_OK;
    for (size_t i = 0; i < n_res && rc == RP_OK; i++) {
        const json_t *e = json_array_get(results, i);
        unsigned line = entry_line(S, results, i);
        const char *rule_id = json_string_value(json_object_get(e, "rule"));
        const char *want = json_string_value(json_object_get(e, "result"));
        const json_t *sel = json_object_get(e, "resource");
        const char *contains = json_string_value(json_object_get(e, "messageContains"));
        char name[512];
        char selbuf[256] = "";
        if (sel) {
            char *d = rpi_report_json_dumps(sel, JSON_COMPACT);
            if (!d) {
                rc = RP_ENOMEM;
                break;
            }
            snprintf(selbuf, sizeof selbuf, "%s", d);
            free(d);
        }
        snprintf(name, sizeof name, "%s:%u %s %s %s", S->path, line, rule_id, want, selbuf);
        size_t rule = (size_t)-1;
        for (size_t k = 0; k < rep->n_rules; k++)
            if (strcmp(rep->rules[k].id, rule_id) == 0)
                rule = k;
        if (rule == (size_t)-1) {
            rc = add_case(S->t, name, false, "%s:%u: no pack of the suite has rule %s", S->path,
                          line, rule_id);
            continue;
        }
        int want_o = strcmp(want, "skip") == 0       ? -1
                     : strcmp(want, "pass") == 0     ? RPI_OUT_PASS
                     : strcmp(want, "fail") == 0     ? RPI_OUT_FAIL
                     : strcmp(want, "bypassed") == 0 ? RPI_OUT_BYPASSED
                                                     : RPI_OUT_ERROR;
        size_t n_sel = 0;
        char why[1536] = "";
        size_t wl = 0;
        for (size_t o = 0; o < rep->n_objects; o++) {
            const rpi_report_object *ob = &rep->objects[o];
            if (sel && !selected(ob, sel, files, written, n_in))
                continue;
            n_sel++;
            if (want_o == RPI_OUT_FAIL || want_o == RPI_OUT_BYPASSED)
                covered[o * rep->n_rules + rule] = true;
            int got = outcome_of(rep, o, rule);
            bool ok = got == want_o;
            if (ok && contains) {
                ok = false;
                for (size_t f = 0; f < rep->n_findings && !ok; f++)
                    ok = rep->findings[f].object == o && rep->findings[f].rule == rule &&
                         strstr(rep->findings[f].message, contains) != NULL;
            }
            if (!ok && wl < sizeof why - 200) {
                const char *msg = NULL;
                for (size_t f = 0; f < rep->n_findings && !msg; f++)
                    if (rep->findings[f].object == o && rep->findings[f].rule == rule)
                        msg = rep->findings[f].message;
                for (size_t er = 0; er < rep->n_errors && !msg; er++)
                    if (rep->errors[er].has_object && rep->errors[er].object == o &&
                        rep->errors[er].has_rule && rep->errors[er].rule == rule)
                        msg = rep->errors[er].message;
                int n = snprintf(why + wl, sizeof why - wl, "%s%s %s/%s (%s#%u): got %s%s%s%s",
                                 wl ? "; " : "", str_or(ob->kind, "?"), str_or(ob->namespace_, "-"),
                                 str_or(ob->name, "?"), ob->file, ob->document, outcome_word(got),
                                 msg ? " (\"" : "", msg ? msg : "", msg ? "\")" : "");
                if (got == want_o && contains)
                    n += snprintf(why + wl + (size_t)n, sizeof why - wl - (size_t)n,
                                  " without a message containing \"%s\"", contains);
                wl += n > 0 ? (size_t)n : 0;
                if (wl >= sizeof why)
                    wl = sizeof why - 1;
            }
        }
        if (n_sel == 0)
            rc = add_case(S->t, name, false, "%s:%u: %s: no object of the suite matches %s",
                          S->path, line, rule_id, selbuf[0] ? selbuf : "the selector");
        else if (wl)
            rc = add_case(S->t, name, false, "%s:%u: %s: expected %s: %s", S->path, line, rule_id,
                          want, why);
        else
            rc = add_case(S->t, name, true, NULL);
    }
    const json_t *ex = json_object_get(S->spec, "exhaustive");
    if (rc == RP_OK && json_is_true(ex)) {
        char why[1536] = "";
        size_t wl = 0, extra = 0;
        for (size_t f = 0; f < rep->n_findings; f++) {
            const rpi_report_finding *fd = &rep->findings[f];
            if (covered[fd->object * rep->n_rules + fd->rule])
                continue;
            extra++;
            const rpi_report_object *ob = &rep->objects[fd->object];
            if (wl < sizeof why - 200) {
                int n = snprintf(why + wl, sizeof why - wl, "%s%s on %s %s/%s (%s#%u): \"%s\"",
                                 wl ? "; " : "", rep->rules[fd->rule].id, str_or(ob->kind, "?"),
                                 str_or(ob->namespace_, "-"), str_or(ob->name, "?"), ob->file,
                                 ob->document, fd->message);
                wl += n > 0 ? (size_t)n : 0;
                if (wl >= sizeof why)
                    wl = sizeof why - 1;
            }
        }
        char name[512];
        snprintf(name, sizeof name, "%s: no unexpected findings", S->path);
        rc = extra ? add_case(S->t, name, false, "%s: %zu unexpected finding%s: %s", S->path, extra,
                              extra == 1 ? "" : "s", why)
                   : add_case(S->t, name, true, NULL);
    }
    /* errors reading the suite's inputs fail the suite: a test never
     * passes on objects it could not read */
    for (size_t er = 0; rc == RP_OK && er < rep->n_errors; er++) {
        const rpi_report_error *e = &rep->errors[er];
        if (e->kind == RPI_ERRK_EVAL)
            continue;
        char name[512];
        snprintf(name, sizeof name, "%s: input error %zu", S->path, er);
        rc = add_case(S->t, name, false, "%s: %s:%u:%u: %s", S->path, str_or(e->file, "-"), e->line,
                      e->column, e->message);
    }
    free(covered);
    return rc;
}

static int validate_suite(suite_ctx *S, const json_t *root)
{
    static const char *const top[] = {"apiVersion", "kind", "metadata", "spec", NULL};
    static const char *const specf[] = {"packs", "params", "paramsFile", "inputs", "objects",
                                        "results", "exhaustive", NULL};
    static const char *const entf[] = {"rule", "resource", "result", "messageContains", NULL};
    static const char *const self[] = {"kind", "name", "namespace", "apiVersion", "file",
                                       "document", NULL};
    const char *const *sets[] = {top, specf};
    const json_t *objs[] = {root, S->spec};
    for (int s = 0; s < 2; s++) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)objs[s], key, v) {
            bool ok = false;
            for (const char *const *a = sets[s]; *a; a++)
                ok |= strcmp(*a, key) == 0;
            if (!ok)
                return suite_error(S, RP_EPACK, objs[s], key, "unknown field \"%s\"", key);
        }
    }
    const char *api = json_string_value(json_object_get(root, "apiVersion"));
    if (!api || strcmp(api, "raypolicy/v1") != 0)
        return suite_error(S, RP_EPACK, root, "apiVersion", "apiVersion must be raypolicy/v1");
    const json_t *results = json_object_get(S->spec, "results");
    if (!json_is_array(results))
        return suite_error(S, RP_EPACK, S->spec, "results", "spec.results must be a list");
    size_t i;
    json_t *e;
    json_array_foreach(results, i, e) {
        if (!json_is_object(e))
            return suite_error(S, RP_EPACK, results, NULL, "results[%zu] must be a mapping", i);
        const char *key;
        json_t *v;
        json_object_foreach(e, key, v) {
            bool ok = false;
            for (const char *const *a = entf; *a; a++)
                ok |= strcmp(*a, key) == 0;
            if (!ok)
                return suite_error(S, RP_EPACK, e, key, "results[%zu]: unknown field \"%s\"", i,
                                   key);
        }
        if (!json_is_string(json_object_get(e, "rule")))
            return suite_error(S, RP_EPACK, e, "rule", "results[%zu]: rule must be a string", i);
        const char *r = json_string_value(json_object_get(e, "result"));
        if (!r || (strcmp(r, "pass") && strcmp(r, "fail") && strcmp(r, "bypassed") &&
                   strcmp(r, "error") && strcmp(r, "skip")))
            return suite_error(S, RP_EPACK, e, "result",
                               "results[%zu]: result must be pass, fail, bypassed, error or skip",
                               i);
        const json_t *sel = json_object_get(e, "resource");
        if (sel && !json_is_object(sel))
            return suite_error(S, RP_EPACK, e, "resource", "results[%zu]: resource must be a mapping",
                               i);
        json_object_foreach((json_t *)sel, key, v) {
            bool ok = false;
            for (const char *const *a = self; *a; a++)
                ok |= strcmp(*a, key) == 0;
            if (!ok)
                return suite_error(S, RP_EPACK, sel, key,
                                   "results[%zu].resource: unknown field \"%s\"", i, key);
        }
        const json_t *mc = json_object_get(e, "messageContains");
        if (mc && !json_is_string(mc))
            return suite_error(S, RP_EPACK, e, "messageContains",
                               "results[%zu]: messageContains must be a string", i);
    }
    if (json_object_get(S->spec, "params") && json_object_get(S->spec, "paramsFile"))
        return suite_error(S, RP_EPACK, S->spec, "paramsFile", "give params or paramsFile, not both");
    return RP_OK;
}

static int run_suite(suite_ctx *S, const rp_env *env)
{
    const json_t *spec = S->spec;
    int rc = RP_OK;
    rp_checker *chk = rp_checker_new_v2(env, S->err);
    const json_t *packs = json_object_get(spec, "packs");
    size_t n_packs = json_is_array(packs) ? json_array_size(packs) : 1;
    rp_pack **loaded = calloc(n_packs, sizeof *loaded);
    const json_t *inputs = json_object_get(spec, "inputs");
    size_t n_in = json_array_size(inputs);
    char **files = calloc(n_in ? n_in : 1, sizeof *files);
    char **written = calloc(n_in ? n_in : 1, sizeof *written);
    if (!chk || !loaded || !files || !written) {
        rc = RP_ENOMEM;
        goto out;
    }
    if (packs && !json_is_array(packs)) {
        rc = suite_error(S, RP_EPACK, spec, "packs", "spec.packs must be a list");
        goto out;
    }
    for (size_t i = 0; i < n_packs; i++) {
        const char *spec_name = packs ? json_string_value(json_array_get(packs, i)) : "ray-hardening";
        if (!spec_name) {
            rc = suite_error(S, RP_EPACK, spec, "packs", "spec.packs[%zu] must be a string", i);
            goto out;
        }
        if (is_pack_file(spec_name)) {
            char *p = join_path(S->path, spec_name);
            loaded[i] = p ? rp_pack_load_file(env, p, S->err) : NULL;
            free(p);
        } else {
            loaded[i] = rp_pack_load_builtin(env, spec_name, S->err);
        }
        if (!loaded[i]) {
            rc = S->err && S->err->code ? S->err->code : RP_ENOMEM;
            goto out;
        }
        if ((rc = rp_checker_add_pack(chk, loaded[i], S->err)) != RP_OK)
            goto out;
    }
    const json_t *params = json_object_get(spec, "params");
    const char *params_file = json_string_value(json_object_get(spec, "paramsFile"));
    if (params) {
        char *text = rpi_report_json_dumps(params, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text) {
            rc = RP_ENOMEM;
            goto out;
        }
        rc = rp_checker_set_params(chk, text, strlen(text), S->path, S->err);
        free(text);
        if (rc)
            goto out;
    } else if (params_file) {
        char *p = join_path(S->path, params_file);
        size_t len = 0;
        int code = RP_ENOMEM;
        char *buf = p ? read_file(p, &len, &code) : NULL;
        if (!buf) {
            rc = code == RP_ENOMEM ? RP_ENOMEM
                                   : suite_error(S, RP_EIO, spec, "paramsFile",
                                                 "cannot read paramsFile %s", params_file);
            free(p);
            goto out;
        }
        rc = rp_checker_set_params(chk, buf, len, p, S->err);
        free(buf);
        free(p);
        if (rc)
            goto out;
    }
    for (size_t i = 0; i < n_in; i++) {
        const char *w = json_string_value(json_array_get(inputs, i));
        if (!w) {
            rc = suite_error(S, RP_EPACK, spec, "inputs", "spec.inputs[%zu] must be a string", i);
            goto out;
        }
        written[i] = strdup(w);
        files[i] = join_path(S->path, w);
        if (!written[i] || !files[i]) {
            rc = RP_ENOMEM;
            goto out;
        }
        rp_error ierr = {0};
        if (rp_checker_add_path(chk, files[i], &ierr) == RP_ENOMEM) {
            rc = RP_ENOMEM;
            goto out;
        }
    }
    const json_t *objects = json_object_get(spec, "objects");
    if (objects && !json_is_array(objects)) {
        rc = suite_error(S, RP_EPACK, spec, "objects", "spec.objects must be a list");
        goto out;
    }
    size_t i;
    json_t *o;
    json_array_foreach(objects, i, o) {
        char *text = rpi_report_json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
        char src[64];
        snprintf(src, sizeof src, "objects[%zu]", i);
        rp_error ierr = {0};
        int r = text ? rp_checker_add_input(chk, src, text, strlen(text), &ierr) : RP_ENOMEM;
        free(text);
        if (r == RP_ENOMEM) {
            rc = RP_ENOMEM;
            goto out;
        }
    }
    rp_report *rep = rp_checker_run(chk, S->err);
    if (!rep) {
        rc = S->err && S->err->code ? S->err->code : RP_ENOMEM;
        goto out;
    }
    rc = judge(S, rep, files, written, n_in);
    rpi_report_free(rep);
out:
    rp_checker_free(chk);
    for (size_t k = 0; loaded && k < n_packs; k++)
        rp_pack_free(loaded[k]);
    free(loaded);
    for (size_t k = 0; k < n_in; k++) {
        if (files)
            free(files[k]);
        if (written)
            free(written[k]);
    }
    free(files);
    free(written);
    if (rc == RP_ENOMEM)
        rpi_error_set(S->err, RP_ENOMEM, S->path, 0, 0, "out of memory");
    return rc;
}

rp_test_run *rp_test_suite_run(const rp_env *env, const char *path, rp_error *err)
{
    if (!path) {
        rpi_error_set(err, RP_EINVAL, "<suite>", 0, 0, "path must not be NULL");
        return NULL;
    }
    size_t len = 0;
    int code;
    char *buf = read_file(path, &len, &code);
    if (!buf) {
        if (code == RP_ENOMEM)
            rpi_error_set(err, RP_ENOMEM, path, 0, 0, "out of memory");
        else
            rpi_error_set(err, RP_EIO, path, 0, 0, "%s: cannot read", path);
        return NULL;
    }
    suite_ctx S = {.path = path, .err = err};
    rp_test_run *t = NULL;
    rpi_yaml_limits lim;
    rpi_yaml_limits_of(env, &lim);
    int rc = rpi_yaml_read(buf, len, path, &lim, &S.ds, err);
    free(buf);
    if (rc)
        return NULL;
    const rpi_doc *doc = NULL;
    for (size_t i = 0; i < S.ds.n && !doc; i++)
        if (!S.ds.docs[i].empty)
            doc = &S.ds.docs[i];
    if (!doc || doc->error || !json_is_object(doc->root)) {
        if (doc && doc->error)
            rpi_error_set(err, RP_EYAML, path, doc->error_line, doc->error_column, "%s:%u:%u: %s",
                          path, doc->error_line, doc->error_column, doc->error);
        else
            rpi_error_set(err, RP_ENOTFOUND, path, 0, 0, "%s: not a PolicyTest", path);
        goto out;
    }
    const char *kind = json_string_value(json_object_get(doc->root, "kind"));
    if (!kind || strcmp(kind, "PolicyTest") != 0) {
        rpi_error_set(err, RP_ENOTFOUND, path, doc->line, doc->column, "%s: not a PolicyTest", path);
        goto out;
    }
    S.spec = json_object_get(doc->root, "spec");
    if (!json_is_object(S.spec)) {
        suite_error(&S, RP_EPACK, doc->root, "spec", "spec must be a mapping");
        goto out;
    }
    if (validate_suite(&S, doc->root) != RP_OK)
        goto out;
    t = calloc(1, sizeof *t);
    const char *name = json_string_value(json_object_get(json_object_get(doc->root, "metadata"), "name"));
    if (t)
        t->suite = strdup(name ? name : path);
    if (!t || !t->suite) {
        rpi_error_set(err, RP_ENOMEM, path, 0, 0, "out of memory");
        rp_test_run_free(t);
        t = NULL;
        goto out;
    }
    S.t = t;
    if (run_suite(&S, env) != RP_OK) {
        rp_test_run_free(t);
        t = NULL;
    }
out:
    rpi_docset_free(&S.ds);
    return t;
}
