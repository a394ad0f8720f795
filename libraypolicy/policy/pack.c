/* pack.c -- loading a policy pack: YAML or JSON text -> struct rp_pack.
 *
 * The pack format is DESIGN.md's (Policy packs), modelled on
 * ValidatingAdmissionPolicy.  Loading is strict, as a Kubernetes API server
 * is with a typed object: an unknown field, a value of the wrong type, a
 * duplicate rule ID, an unknown severity or action, or an expression that
 * does not compile is an error that names pack-file:line:column, where in
 * the pack (`spec.policies[3].validations[0].expression`) and, for
 * expressions, the position inside the expression with cel-go's caret.
 *
 * Every expression is compiled here, once; checking only evaluates.  For
 * each expression the loader also records which of its rule's variables it
 * reads (through variables.<name>, transitively), so that the engine
 * computes a variable only when an expression that needs it runs, and at
 * most once per object -- the laziness Kubernetes gives `variables`.
 * As in a ValidatingAdmissionPolicy, a variable may use only the variables
 * defined before it; matchConditions, validations and messageExpressions
 * may use all of them.  (Kubernetes evaluates matchConditions with the
 * policy's composited compiler, which knows the variables, but its API
 * validation compiles matchConditions without them and so refuses such a
 * policy; `rpeval export` inlines the variables a matchCondition reads.)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define PACK_API_VERSION "raypolicy/v1"
#define PACK_KIND "PolicyPack"

typedef struct loader {
    const rpi_docset *ds;
    const char *source;
    rp_error *err;
    rp_pack *pack;
    bool failed;
    const rpi_pos *ctx;     /* the mapping being read: where a missing
                               required field is reported */
} loader;

/* ---- Errors with positions -------------------------------------------------- */

static void fail_at(loader *L, const rpi_pos *pos, bool at_key, const char *where, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

static void fail_at(loader *L, const rpi_pos *pos, bool at_key, const char *where, const char *fmt,
                    ...)
{
    if (L->failed)
        return;
    L->failed = true;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    unsigned line = 0, col = 0;
    if (pos) {
        line = at_key && pos->key_line ? pos->key_line : pos->line;
        col = at_key && pos->key_line ? pos->key_column : pos->column;
    }
    /* A failed allocation is no fault of the pack's. */
    int code = strcmp(msg, "out of memory") == 0 ? RP_ENOMEM : RP_EPACK;
    if (line)
        rpi_error_set(L->err, code, L->source, line, col, "%s:%u:%u: %s: %s", L->source, line,
                      col, where, msg);
    else
        rpi_error_set(L->err, code, L->source, 0, 0, "%s: %s: %s", L->source, where, msg);
}

static const rpi_pos *pos_of(loader *L, const json_t *parent, const char *key, size_t index)
{
    return rpi_posmap_get(L->ds->pos, parent, key, index);
}

/* "spec.policies[3]" + ".match" etc., in a caller's buffer. */
static const char *path_join(char *buf, size_t size, const char *base, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static const char *path_join(char *buf, size_t size, const char *base, const char *fmt, ...)
{
    int n = snprintf(buf, size, "%s", base);
    if (n < 0 || (size_t)n >= size)
        return buf;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, size - (size_t)n, fmt, ap);
    va_end(ap);
    return buf;
}

/* ---- Typed field access ------------------------------------------------------ */

static const char *json_type_name(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "a mapping";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* Every key of OBJ must be one of ALLOWED (NULL-terminated). */
static bool check_fields(loader *L, const json_t *obj, const char *const *allowed, const char *where)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = true;
        if (!ok) {
            fail_at(L, pos_of(L, obj, key, 0), true, where, "unknown field \"%s\"", key);
            return false;
        }
    }
    return true;
}

/* OBJ[KEY] when it is of type TYPE; NULL when absent (an error when
 * REQUIRED) or of another type (an error). */
static json_t *get_typed(loader *L, const json_t *obj, const char *key, json_type type,
                         const char *type_name, bool required, const char *where)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            fail_at(L, L->ctx, false, where, "missing required field \"%s\"", key);
        return NULL;
    }
    if (json_typeof(v) != type) {
        fail_at(L, pos_of(L, obj, key, 0), false, where, "field \"%s\" must be %s, not %s", key,
                type_name, json_type_name(v));
        return NULL;
    }
    return v;
}

/* A malloc'd copy of string field KEY; NULL when absent or on error
 * (L->failed tells which). */
static char *get_string(loader *L, const json_t *obj, const char *key, bool required,
                        const char *where)
{
    json_t *v = get_typed(L, obj, key, JSON_STRING, "a string", required, where);
    if (!v)
        return NULL;
    char *s = strdup(json_string_value(v));
    if (!s)
        fail_at(L, NULL, false, where, "out of memory");
    return s;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* A list of strings: field KEY of OBJ. */
static bool get_string_list(loader *L, const json_t *obj, const char *key, char ***out,
                            size_t *n, const char *where)
{
    *out = NULL;
    *n = 0;
    json_t *arr = get_typed(L, obj, key, JSON_ARRAY, "a list of strings", false, where);
    if (!arr)
        return !L->failed;
    size_t count = json_array_size(arr);
    if (count == 0)
        return true;
    char **v = calloc(count, sizeof *v);
    if (!v) {
        fail_at(L, NULL, false, where, "out of memory");
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *s = json_array_get(arr, i);
        if (!json_is_string(s)) {
            char w[300];
            fail_at(L, pos_of(L, arr, NULL, i), false, path_join(w, sizeof w, where, ".%s[%zu]", key, i),
                    "must be a string, not %s", json_type_name(s));
            free_strings(v, i);
            return false;
        }
        v[i] = strdup(json_string_value(s));
        if (!v[i]) {
            free_strings(v, i);
            fail_at(L, NULL, false, where, "out of memory");
            return false;
        }
    }
    *out = v;
    *n = count;
    return true;
}

/* ---- Expressions ------------------------------------------------------------- */

/* The file position of line ELINE, column ECOL (1-based, in the expression)
 * of a scalar at POS. */
static void expr_file_pos(const rpi_pos *pos, unsigned eline, unsigned ecol, unsigned *line,
                          unsigned *col)
{
    *line = *col = 0;
    if (!pos)
        return;
    if (eline == 0)
        eline = 1;
    if (ecol == 0)
        ecol = 1;
    switch (pos->style) {
    case RPI_STYLE_LITERAL:
    case RPI_STYLE_FOLDED:
        *line = pos->line + eline - 1;
        *col = pos->column + ecol - 1;
        return;
    case RPI_STYLE_SINGLE_QUOTED:
    case RPI_STYLE_DOUBLE_QUOTED:
        *line = pos->line + eline - 1;
        *col = eline == 1 ? pos->column + ecol : ecol;
        return;
    default:
        *line = pos->line + eline - 1;
        *col = eline == 1 ? pos->column + ecol - 1 : ecol;
        return;
    }
}

/* The message of a compile error without its "<expression>:L:C: " prefix. */
static const char *strip_expr_prefix(const char *msg)
{
    static const char prefix[] = "<expression>:";
    if (strncmp(msg, prefix, sizeof prefix - 1) != 0)
        return msg;
    const char *p = msg + sizeof prefix - 1;
    for (int colons = 0; *p && colons < 2; p++)
        if (*p == ':')
            colons++;
    while (*p == ' ')
        p++;
    return p;
}

static void pexpr_free(rpi_pexpr *e)
{
    rp_program_free(e->prog);
    free(e->text);
    free(e->where);
    free(e->needs);
    memset(e, 0, sizeof *e);
}

/* Variable lookups for dependency tracking while a rule is loaded. */
typedef struct var_scope {
    rpi_named_expr *vars;   /* the rule's variables compiled so far */
    size_t n;               /* how many are visible */
} var_scope;

/* Add variable IDX and (recursively, through their own needs) what it
 * needs to MARK. */
static void mark_needs(const var_scope *scope, size_t idx, bool *mark)
{
    if (mark[idx])
        return;
    mark[idx] = true;
    const rpi_pexpr *e = &scope->vars[idx].expr;
    for (size_t i = 0; i < e->n_needs; i++)
        mark[e->needs[i]] = true; /* needs are already transitive */
}

/* Compile OBJ[KEY] (a string) into E.  SCOPE: the variables it may read
 * (NULL: none). */
static bool compile_field(loader *L, const json_t *obj, const char *key, const char *where,
                          const var_scope *scope, rpi_pexpr *e)
{
    json_t *v = get_typed(L, obj, key, JSON_STRING, "a string (a CEL expression)", true, where);
    if (!v)
        return false;
    const rpi_pos *pos = pos_of(L, obj, key, 0);
    const char *text = json_string_value(v);
    size_t len = json_string_length(v);
    char w[300];
    path_join(w, sizeof w, where, ".%s", key);
    e->text = strdup(text);
    e->where = strdup(w);
    if (!e->text || !e->where) {
        fail_at(L, NULL, false, w, "out of memory");
        return false;
    }
    if (pos) {
        expr_file_pos(pos, 1, 1, &e->line, &e->column);
    }
    if (len == 0 || strspn(text, " \t\r\n") == len) {
        fail_at(L, pos, false, w, "expression is empty");
        return false;
    }
    rp_error cerr = {0};
    rpi_refs refs = {0};
    int rc = rpi_compile_refs(L->pack->env, text, len, "variables", &refs, &e->prog, &cerr);
    if (rc) {
        unsigned line = 0, col = 0;
        expr_file_pos(pos, cerr.line, cerr.column, &line, &col);
        rpi_pos at = {.line = line, .column = col};
        fail_at(L, line ? &at : pos, false, w, "%s", strip_expr_prefix(cerr.message));
        if (L->err)
            L->err->code = rc == RP_ENOMEM ? RP_ENOMEM : RP_EPACK;
        return false;
    }
    bool ok = true;
    size_t nvars = scope ? scope->n : 0;
    bool *mark = nvars ? calloc(nvars, sizeof *mark) : NULL;
    if (nvars && !mark) {
        fail_at(L, NULL, false, w, "out of memory");
        ok = false;
    }
    e->reads_all_variables = refs.whole;
    if (ok && refs.whole)
        for (size_t i = 0; i < nvars; i++)
            mark_needs(scope, i, mark);
    for (size_t r = 0; ok && r < refs.n; r++) {
        size_t i = 0;
        while (i < nvars && strcmp(scope->vars[i].name, refs.names[r]) != 0)
            i++;
        if (i == nvars) {
            fail_at(L, pos, false, w,
                    "undefined variable \"%s\" (a variable can use only the variables "
                    "defined before it)",
                    refs.names[r]);
            ok = false;
            break;
        }
        mark_needs(scope, i, mark);
    }
    if (ok && nvars) {
        size_t n = 0;
        for (size_t i = 0; i < nvars; i++)
            n += mark[i];
        if (n) {
            e->needs = malloc(n * sizeof *e->needs);
            if (!e->needs) {
                fail_at(L, NULL, false, w, "out of memory");
                ok = false;
            } else {
                for (size_t i = 0; i < nvars; i++)
                    if (mark[i])
                        e->needs[e->n_needs++] = (unsigned)i;
            }
        }
    }
    free(mark);
    rpi_refs_free(&refs);
    return ok;
}

/* ---- Match ------------------------------------------------------------------- */

static bool load_selector(loader *L, const json_t *obj, const char *key, rpi_selector *sel,
                          const char *where)
{
    json_t *s = get_typed(L, obj, key, JSON_OBJECT, "a label selector mapping", false, where);
    if (!s)
        return !L->failed;
    char w[300];
    path_join(w, sizeof w, where, ".%s", key);
    static const char *const fields[] = {"matchLabels", "matchExpressions", NULL};
    if (!check_fields(L, s, fields, w))
        return false;
    sel->present = true;
    json_t *labels = get_typed(L, s, "matchLabels", JSON_OBJECT, "a mapping", false, w);
    json_t *exprs = get_typed(L, s, "matchExpressions", JSON_ARRAY, "a list", false, w);
    if (L->failed)
        return false;
    size_t n = json_object_size(labels) + json_array_size(exprs);
    if (n == 0)
        return true;
    sel->reqs = calloc(n, sizeof *sel->reqs);
    if (!sel->reqs) {
        fail_at(L, NULL, false, w, "out of memory");
        return false;
    }
    const char *k;
    json_t *v;
    json_object_foreach(labels, k, v) {
        if (!json_is_string(v)) {
            fail_at(L, pos_of(L, labels, k, 0), false, w, "label \"%s\" must have a string value",
                    k);
            return false;
        }
        rpi_sel_req *r = &sel->reqs[sel->n_reqs++];
        r->op = RPI_SEL_IN;
        r->key = strdup(k);
        r->values = calloc(1, sizeof *r->values);
        if (r->values) {
            r->values[0] = strdup(json_string_value(v));
            r->n_values = 1; /* freed with the selector, even on failure */
        }
        if (!r->key || !r->values || !r->values[0]) {
            fail_at(L, NULL, false, w, "out of memory");
            return false;
        }
    }
    size_t i;
    json_array_foreach(exprs, i, v) {
        char we[320];
        path_join(we, sizeof we, w, ".matchExpressions[%zu]", i);
        if (!json_is_object(v)) {
            fail_at(L, pos_of(L, exprs, NULL, i), false, we, "must be a mapping");
            return false;
        }
        static const char *const efields[] = {"key", "operator", "values", NULL};
        if (!check_fields(L, v, efields, we))
            return false;
        L->ctx = pos_of(L, exprs, NULL, i);
        rpi_sel_req *r = &sel->reqs[sel->n_reqs++];
        r->key = get_string(L, v, "key", true, we);
        char *op = get_string(L, v, "operator", true, we);
        if (L->failed) {
            free(op);
            return false;
        }
        if (strcmp(op, "In") == 0)
            r->op = RPI_SEL_IN;
        else if (strcmp(op, "NotIn") == 0)
            r->op = RPI_SEL_NOT_IN;
        else if (strcmp(op, "Exists") == 0)
            r->op = RPI_SEL_EXISTS;
        else if (strcmp(op, "DoesNotExist") == 0)
            r->op = RPI_SEL_DOES_NOT_EXIST;
        else {
            fail_at(L, pos_of(L, v, "operator", 0), false, we,
                    "unknown operator \"%s\" (want In, NotIn, Exists or DoesNotExist)", op);
            free(op);
            return false;
        }
        free(op);
        if (!get_string_list(L, v, "values", &r->values, &r->n_values, we))
            return false;
        bool want_values = r->op == RPI_SEL_IN || r->op == RPI_SEL_NOT_IN;
        if (want_values && r->n_values == 0) {
            fail_at(L, pos_of(L, exprs, NULL, i), false, we,
                    "values must be non-empty for operator In and NotIn");
            return false;
        }
        if (!want_values && r->n_values) {
            fail_at(L, pos_of(L, v, "values", 0), false, we,
                    "values must be empty for operator Exists and DoesNotExist");
            return false;
        }
    }
    return true;
}

static bool load_match(loader *L, const json_t *rule, rpi_match *m, const char *where)
{
    json_t *mj = get_typed(L, rule, "match", JSON_OBJECT, "a mapping", false, where);
    if (!mj)
        return !L->failed;
    char w[300];
    path_join(w, sizeof w, where, ".match");
    static const char *const fields[] = {"resources", "namespaces", "namespaceSelector",
                                         "objectSelector", NULL};
    if (!check_fields(L, mj, fields, w))
        return false;
    json_t *res = get_typed(L, mj, "resources", JSON_ARRAY, "a list", false, w);
    if (L->failed)
        return false;
    if (res && json_array_size(res)) {
        m->resources = calloc(json_array_size(res), sizeof *m->resources);
        if (!m->resources) {
            fail_at(L, NULL, false, w, "out of memory");
            return false;
        }
        size_t i;
        json_t *r;
        json_array_foreach(res, i, r) {
            char wr[320];
            path_join(wr, sizeof wr, w, ".resources[%zu]", i);
            if (!json_is_object(r)) {
                fail_at(L, pos_of(L, res, NULL, i), false, wr, "must be a mapping");
                return false;
            }
            static const char *const rfields[] = {"apiGroups", "apiVersions", "kinds",
                                                  "operations", "resourceNames", NULL};
            if (!check_fields(L, r, rfields, wr))
                return false;
            rpi_resource_rule *rr = &m->resources[m->n_resources++];
            if (!get_string_list(L, r, "apiGroups", &rr->api_groups, &rr->n_api_groups, wr) ||
                !get_string_list(L, r, "apiVersions", &rr->api_versions, &rr->n_api_versions, wr) ||
                !get_string_list(L, r, "kinds", &rr->kinds, &rr->n_kinds, wr) ||
                !get_string_list(L, r, "operations", &rr->operations, &rr->n_operations, wr) ||
                !get_string_list(L, r, "resourceNames", &rr->names, &rr->n_names, wr))
                return false;
            for (size_t k = 0; k < rr->n_operations; k++) {
                const char *op = rr->operations[k];
                if (strcmp(op, "CREATE") && strcmp(op, "UPDATE") && strcmp(op, "DELETE") &&
                    strcmp(op, "CONNECT") && strcmp(op, "*")) {
                    fail_at(L, pos_of(L, json_object_get(r, "operations"), NULL, k), false, wr,
                            "unknown operation \"%s\" (want CREATE, UPDATE, DELETE, CONNECT or *)",
                            op);
                    return false;
                }
            }
        }
    }
    json_t *ns = get_typed(L, mj, "namespaces", JSON_OBJECT, "a mapping", false, w);
    if (L->failed)
        return false;
    if (ns) {
        char wn[320];
        path_join(wn, sizeof wn, w, ".namespaces");
        static const char *const nfields[] = {"include", "exclude", NULL};
        if (!check_fields(L, ns, nfields, wn) ||
            !get_string_list(L, ns, "include", &m->ns_include, &m->n_ns_include, wn) ||
            !get_string_list(L, ns, "exclude", &m->ns_exclude, &m->n_ns_exclude, wn))
            return false;
    }
    return load_selector(L, mj, "namespaceSelector", &m->namespace_selector, w) &&
           load_selector(L, mj, "objectSelector", &m->object_selector, w);
}

static void selector_clear(rpi_selector *s)
{
    for (size_t i = 0; i < s->n_reqs; i++) {
        free(s->reqs[i].key);
        free_strings(s->reqs[i].values, s->reqs[i].n_values);
    }
    free(s->reqs);
    memset(s, 0, sizeof *s);
}

void rpi_match_clear(rpi_match *m)
{
    for (size_t i = 0; i < m->n_resources; i++) {
        rpi_resource_rule *r = &m->resources[i];
        free_strings(r->api_groups, r->n_api_groups);
        free_strings(r->api_versions, r->n_api_versions);
        free_strings(r->kinds, r->n_kinds);
        free_strings(r->operations, r->n_operations);
        free_strings(r->names, r->n_names);
    }
    free(m->resources);
    free_strings(m->ns_include, m->n_ns_include);
    free_strings(m->ns_exclude, m->n_ns_exclude);
    selector_clear(&m->namespace_selector);
    selector_clear(&m->object_selector);
    memset(m, 0, sizeof *m);
}

/* ---- Rules ------------------------------------------------------------------- */

/* A CEL identifier, as variable and condition names must be. */
static bool is_identifier(const char *s)
{
    if (!s[0] || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

/* matchConditions or variables: a list of {name, expression}.  VARS: the
 * rule's variables, for matchConditions (NULL when loading the variables
 * themselves: each sees the ones before it). */
static bool load_named_list(loader *L, const json_t *rule, const char *key, const char *where,
                            rpi_named_expr **out, size_t *n, const var_scope *vars)
{
    bool are_variables = vars == NULL;
    json_t *arr = get_typed(L, rule, key, JSON_ARRAY, "a list", false, where);
    if (!arr)
        return !L->failed;
    size_t count = json_array_size(arr);
    if (count == 0)
        return true;
    *out = calloc(count, sizeof **out);
    if (!*out) {
        fail_at(L, NULL, false, where, "out of memory");
        return false;
    }
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item) {
        char w[320];
        path_join(w, sizeof w, where, ".%s[%zu]", key, i);
        if (!json_is_object(item)) {
            fail_at(L, pos_of(L, arr, NULL, i), false, w, "must be a mapping with name and expression");
            return false;
        }
        static const char *const fields[] = {"name", "expression", NULL};
        if (!check_fields(L, item, fields, w))
            return false;
        L->ctx = pos_of(L, arr, NULL, i);
        rpi_named_expr *ne = &(*out)[(*n)++];
        ne->name = get_string(L, item, "name", true, w);
        if (L->failed)
            return false;
        if (are_variables && !is_identifier(ne->name)) {
            fail_at(L, pos_of(L, item, "name", 0), false, w,
                    "variable name \"%s\" is not a CEL identifier", ne->name);
            return false;
        }
        if (!ne->name[0]) {
            fail_at(L, pos_of(L, item, "name", 0), false, w, "name must not be empty");
            return false;
        }
        for (size_t k = 0; k + 1 < *n; k++)
            if (strcmp((*out)[k].name, ne->name) == 0) {
                fail_at(L, pos_of(L, item, "name", 0), false, w, "duplicate name \"%s\"", ne->name);
                return false;
            }
        var_scope own = {*out, *n - 1};
        if (!compile_field(L, item, "expression", w, are_variables ? &own : vars, &ne->expr))
            return false;
    }
    return true;
}

static bool load_validations(loader *L, const json_t *rule, rpi_rule *r, const char *where)
{
    json_t *arr = get_typed(L, rule, "validations", JSON_ARRAY, "a list", true, where);
    if (!arr)
        return false;
    size_t count = json_array_size(arr);
    if (count == 0) {
        fail_at(L, pos_of(L, rule, "validations", 0), false, where,
                "validations must hold at least one validation");
        return false;
    }
    r->validations = calloc(count, sizeof *r->validations);
    if (!r->validations) {
        fail_at(L, NULL, false, where, "out of memory");
        return false;
    }
    var_scope scope = {r->variables, r->n_variables};
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item) {
        char w[320];
        path_join(w, sizeof w, where, ".validations[%zu]", i);
        if (!json_is_object(item)) {
            fail_at(L, pos_of(L, arr, NULL, i), false, w, "must be a mapping");
            return false;
        }
        static const char *const fields[] = {"expression", "message", "messageExpression", "path",
                                             "reason", NULL};
        if (!check_fields(L, item, fields, w))
            return false;
        L->ctx = pos_of(L, arr, NULL, i);
        rpi_validation *v = &r->validations[r->n_validations++];
        if (!compile_field(L, item, "expression", w, &scope, &v->expr))
            return false;
        v->message = get_string(L, item, "message", false, w);
        v->path = get_string(L, item, "path", false, w);
        v->reason = get_string(L, item, "reason", false, w);
        if (L->failed)
            return false;
        if (v->message && strchr(v->message, '\n')) {
            fail_at(L, pos_of(L, item, "message", 0), false, w,
                    "message must not contain line breaks (as in a ValidatingAdmissionPolicy)");
            return false;
        }
        if (json_object_get(item, "messageExpression") &&
            !compile_field(L, item, "messageExpression", w, &scope, &v->message_expr))
            return false;
    }
    return true;
}

/* The catalog's rule: deny for critical and high, warn for medium, audit
 * for low and info. */
static rpi_action default_action(rpi_severity s)
{
    return s <= RPI_SEV_HIGH ? RPI_ACT_DENY : s == RPI_SEV_MEDIUM ? RPI_ACT_WARN : RPI_ACT_AUDIT;
}

static bool load_rule(loader *L, const json_t *pj, size_t index, rpi_rule *r)
{
    char where[64];
    snprintf(where, sizeof where, "spec.policies[%zu]", index);
    const json_t *policies = json_object_get(json_object_get(pj, "spec"), "policies");
    const json_t *rule = json_array_get(policies, index);
    const rpi_pos *rpos = pos_of(L, policies, NULL, index);
    r->line = rpos ? rpos->line : 0;
    if (!json_is_object(rule)) {
        fail_at(L, rpos, false, where, "a policy must be a mapping");
        return false;
    }
    static const char *const fields[] = {
        "id", "title", "description", "severity", "action", "references", "match",
        "matchConditions", "variables", "validations", "remediation", NULL};
    if (!check_fields(L, rule, fields, where))
        return false;
    L->ctx = rpos;
    r->id = get_string(L, rule, "id", true, where);
    if (L->failed)
        return false;
    if (!r->id[0] || strspn(r->id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") !=
                         strlen(r->id)) {
        fail_at(L, pos_of(L, rule, "id", 0), false, where,
                "rule id \"%s\" must be letters, digits, '-', '_' and '.'", r->id);
        return false;
    }
    snprintf(where, sizeof where, "spec.policies[%zu] (%s)", index, r->id);
    r->title = get_string(L, rule, "title", true, where);
    r->description = get_string(L, rule, "description", false, where);
    r->remediation = get_string(L, rule, "remediation", false, where);
    char *sev = get_string(L, rule, "severity", true, where);
    char *act = get_string(L, rule, "action", false, where);
    if (!L->failed) {
        int s = rpi_severity_parse(sev);
        if (s < 0)
            fail_at(L, pos_of(L, rule, "severity", 0), false, where,
                    "unknown severity \"%s\" (want critical, high, medium, low or info)", sev);
        else
            r->severity = (rpi_severity)s;
    }
    if (!L->failed) {
        int a = act ? rpi_action_parse(act) : (int)default_action(r->severity);
        if (a < 0)
            fail_at(L, pos_of(L, rule, "action", 0), false, where,
                    "unknown action \"%s\" (want deny, warn or audit)", act);
        else
            r->action = (rpi_action)a;
    }
    free(sev);
    free(act);
    if (L->failed)
        return false;
    if (!get_string_list(L, rule, "references", &r->references, &r->n_references, where) ||
        !load_match(L, rule, &r->match, where) ||
        !load_named_list(L, rule, "variables", where, &r->variables, &r->n_variables, NULL))
        return false;
    var_scope all = {r->variables, r->n_variables};
    return load_named_list(L, rule, "matchConditions", where, &r->conditions, &r->n_conditions,
                           &all) &&
           load_validations(L, rule, r, where);
}

static void rule_clear(rpi_rule *r)
{
    free(r->id);
    free(r->title);
    free(r->description);
    free(r->remediation);
    free_strings(r->references, r->n_references);
    rpi_match_clear(&r->match);
    for (size_t i = 0; i < r->n_conditions; i++) {
        free(r->conditions[i].name);
        pexpr_free(&r->conditions[i].expr);
    }
    free(r->conditions);
    for (size_t i = 0; i < r->n_variables; i++) {
        free(r->variables[i].name);
        pexpr_free(&r->variables[i].expr);
    }
    free(r->variables);
    for (size_t i = 0; i < r->n_validations; i++) {
        rpi_validation *v = &r->validations[i];
        pexpr_free(&v->expr);
        pexpr_free(&v->message_expr);
        free(v->message);
        free(v->path);
        free(v->reason);
    }
    free(r->validations);
}

void rp_pack_free(rp_pack *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_rules; i++)
        rule_clear(&p->rules[i]);
    free(p->rules);
    free(p->name);
    free(p->version);
    free(p->description);
    free(p->source);
    json_decref(p->params);
    rp_env_free(p->env);
    free(p);
}

/* ---- The pack document -------------------------------------------------------- */

static bool load_header(loader *L, const json_t *pj, const rp_env *caller)
{
    static const char *const top[] = {"apiVersion", "kind", "metadata", "spec", NULL};
    if (!check_fields(L, pj, top, "pack"))
        return false;
    char *api = get_string(L, pj, "apiVersion", true, "pack");
    char *kind = get_string(L, pj, "kind", true, "pack");
    bool ok = !L->failed;
    if (ok && strcmp(api, PACK_API_VERSION) != 0) {
        fail_at(L, pos_of(L, pj, "apiVersion", 0), false, "pack",
                "apiVersion is \"%s\"; this library reads \"" PACK_API_VERSION "\"", api);
        ok = false;
    }
    if (ok && strcmp(kind, PACK_KIND) != 0) {
        fail_at(L, pos_of(L, pj, "kind", 0), false, "pack",
                "kind is \"%s\"; a pack has kind \"" PACK_KIND "\"", kind);
        ok = false;
    }
    free(api);
    free(kind);
    if (!ok)
        return false;
    json_t *md = get_typed(L, pj, "metadata", JSON_OBJECT, "a mapping", true, "pack");
    if (!md)
        return false;
    L->ctx = pos_of(L, pj, "metadata", 0);
    static const char *const mdf[] = {"name", "version", "description", "labels", "annotations",
                                      NULL};
    if (!check_fields(L, md, mdf, "metadata"))
        return false;
    L->pack->name = get_string(L, md, "name", true, "metadata");
    L->pack->version = get_string(L, md, "version", false, "metadata");
    L->pack->description = get_string(L, md, "description", false, "metadata");
    if (L->failed)
        return false;
    json_t *spec = get_typed(L, pj, "spec", JSON_OBJECT, "a mapping", true, "pack");
    if (!spec)
        return false;
    L->ctx = pos_of(L, pj, "spec", 0);
    static const char *const specf[] = {"profile", "params", "policies", "description", NULL};
    if (!check_fields(L, spec, specf, "spec"))
        return false;
    char *profile = get_string(L, spec, "profile", false, "spec");
    if (L->failed)
        return false;
    rp_profile prof = RP_PROFILE_KUBERNETES;
    if (profile && strcmp(profile, "extended") == 0)
        prof = RP_PROFILE_EXTENDED;
    else if (profile && strcmp(profile, "kubernetes") != 0) {
        fail_at(L, pos_of(L, spec, "profile", 0), false, "spec",
                "profile \"%s\" cannot run a pack (want kubernetes or extended)", profile);
        free(profile);
        return false;
    }
    free(profile);
    /* The caller's profile is the most a pack may use: in a kubernetes
     * environment an extended pack is compiled as Kubernetes would compile
     * it, so that what it uses beyond Kubernetes is reported, expression
     * by expression (rpeval lint --profile kubernetes). */
    if (caller && caller->profile == RP_PROFILE_CEL) {
        fail_at(L, pos_of(L, spec, "profile", 0), false, "spec",
                "packs need the kubernetes or extended profile; the environment has cel");
        return false;
    }
    if (caller && caller->profile == RP_PROFILE_KUBERNETES)
        prof = RP_PROFILE_KUBERNETES;
    L->pack->profile = prof;
    rp_env_options o;
    rpi_env_limits_to_options(caller, &o); /* every limit of the caller's */
    o.profile = prof;
    L->pack->env = rp_env_new(&o, L->err);
    if (!L->pack->env) {
        L->failed = true;
        return false;
    }
    json_t *params = get_typed(L, spec, "params", JSON_OBJECT, "a mapping", false, "spec");
    if (L->failed)
        return false;
    L->pack->params = params ? json_deep_copy(params) : json_object();
    if (!L->pack->params) {
        fail_at(L, NULL, false, "spec.params", "out of memory");
        return false;
    }
    return true;
}

rp_pack *rpi_pack_load(const rp_env *env, const char *text, size_t len, const char *source,
                       rp_error *err)
{
    if (!source)
        source = "<pack>";
    rpi_docset ds = {0};
    rpi_yaml_limits lim;
    rpi_yaml_limits_of(env, &lim);
    rp_env_options defaults;
    rpi_env_limits_to_options(env, &defaults);
    lim.max_bytes = defaults.max_pack_bytes;
    lim.bytes_option = "max_pack_bytes";
    if (rpi_yaml_read(text, len, source, &lim, &ds, err) != RP_OK)
        return NULL;
    const rpi_doc *doc = NULL;
    for (size_t i = 0; i < ds.n; i++) {
        const rpi_doc *d = &ds.docs[i];
        if (d->empty)
            continue;
        if (d->error) {
            rpi_error_set(err, d->error_code ? d->error_code : RP_EPACK, source, d->error_line,
                          d->error_column, "%s:%u:%u: %s", source, d->error_line,
                          d->error_column, d->error);
            rpi_docset_free(&ds);
            return NULL;
        }
        if (doc) {
            rpi_error_set(err, RP_EPACK, source, d->line, d->column,
                          "%s:%u:%u: a pack file holds one pack; this is a second document",
                          source, d->line, d->column);
            rpi_docset_free(&ds);
            return NULL;
        }
        doc = d;
    }
    if (!doc) {
        rpi_error_set(err, RP_EPACK, source, 0, 0, "%s: the file holds no pack", source);
        rpi_docset_free(&ds);
        return NULL;
    }
    rp_pack *p = calloc(1, sizeof *p);
    loader L = {&ds, source, err, p, false, NULL};
    if (!p) {
        rpi_error_set(err, RP_ENOMEM, source, 0, 0, "out of memory");
        rpi_docset_free(&ds);
        return NULL;
    }
    p->source = strdup(source);
    const json_t *pj = doc->root;
    if (!p->source) {
        fail_at(&L, NULL, false, "pack", "out of memory");
    } else if (!json_is_object(pj)) {
        rpi_pos at = {.line = doc->line, .column = doc->column};
        fail_at(&L, &at, false, "pack", "a pack must be a mapping");
    } else if ((L.ctx = rpi_posmap_get(ds.pos, NULL, NULL, doc->index)),
               load_header(&L, pj, env)) {
        json_t *policies =
            get_typed(&L, json_object_get(pj, "spec"), "policies", JSON_ARRAY, "a list", true, "spec");
        size_t n = json_array_size(policies);
        if (policies && n == 0)
            fail_at(&L, pos_of(&L, json_object_get(pj, "spec"), "policies", 0), false, "spec",
                    "policies must hold at least one policy");
        if (!L.failed) {
            p->rules = calloc(n, sizeof *p->rules);
            if (!p->rules)
                fail_at(&L, NULL, false, "spec.policies", "out of memory");
        }
        for (size_t i = 0; !L.failed && i < n; i++) {
            bool ok = load_rule(&L, pj, i, &p->rules[i]);
            p->n_rules++;
            for (size_t k = 0; ok && k + 1 < p->n_rules; k++)
                if (strcmp(p->rules[k].id, p->rules[i].id) == 0) {
                    const json_t *rj = json_array_get(policies, i);
                    fail_at(&L, pos_of(&L, rj, "id", 0), false, "spec.policies",
                            "duplicate rule id \"%s\" (first at line %u)", p->rules[i].id,
                            p->rules[k].line);
                    ok = false;
                }
        }
    }
    rpi_docset_free(&ds);
    if (L.failed) {
        rp_pack_free(p);
        return NULL;
    }
    return p;
}
