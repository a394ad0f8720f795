/* engine.c -- a policy check: packs + parameters + inputs -> rp_report.
 *
 * The checker collects its inputs (each read into documents once, with
 * positions), then `run` goes through them in a fixed order -- inputs as
 * added, documents in stream order, List items in order, packs as added,
 * rules in pack order -- so reports are deterministic.
 *
 * For one object and one rule, as a ValidatingAdmissionPolicy does it:
 *   1. match (resources, namespaces, selectors): no match, no result;
 *   2. matchConditions, in order: all true goes on; a false one means the
 *      rule does not apply; an error is an error result (never a match,
 *      never a silent skip); they may read variables, as validations do;
 *   3. validations, in order; before each, the variables it needs
 *      (pack.c worked out which) that are not yet computed are computed,
 *      each at most once per (object, rule); a variable's error is stored
 *      as its value and surfaces only where it is used;
 *   4. a false validation is a finding, its message from messageExpression
 *      when that gives a non-empty one-line string, else from message,
 *      else "failed expression: <expression>"; an error or a non-bool
 *      result is an error result.
 * Objects annotated raypolicy/break-glass are checked all the same; their
 * findings are marked bypassed with the reason.
 *
 * Memory: every object's JSON stays in its document; expressions see it
 * through views.  One activation per pack (programs are bound to their
 * pack's environment), its arena reset before each (object, rule), so the
 * steady state allocates only the report's own entries.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/engine.h"

/* ---- Building the checker ------------------------------------------------------ */

void rp_checker_free(rp_checker *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_inputs; i++) {
        free(c->inputs[i].name);
        free(c->inputs[i].error);
        rpi_docset_free(&c->inputs[i].docs);
    }
    free(c->inputs);
    free(c->packs);
    json_decref(c->user_params);
    free(c->params_source);
    free(c->param_pos);
    free(c);
}

rp_checker *rp_checker_new(rp_error *err)
{
    return rp_checker_new_v2(NULL, err);
}

rp_checker *rp_checker_new_v2(const rp_env *env, rp_error *err)
{
    rp_checker *c = calloc(1, sizeof *c);
    if (!c)
        rpi_error_set(err, RP_ENOMEM, "<checker>", 0, 0, "out of memory");
    else
        rpi_yaml_limits_of(env, &c->limits);
    return c;
}

int rp_checker_add_pack(rp_checker *c, const rp_pack *pack, rp_error *err)
{
    if (!c || !pack) {
        rpi_error_set(err, RP_EINVAL, "<checker>", 0, 0, "checker and pack must not be NULL");
        return RP_EINVAL;
    }
    for (size_t i = 0; i < c->n_packs; i++) {
        if (c->packs[i] == pack) {
            rpi_error_set(err, RP_EINVAL, pack->source, 0, 0, "pack \"%s\" is already in the check",
                          pack->name);
            return RP_EINVAL;
        }
        for (size_t a = 0; a < c->packs[i]->n_rules; a++)
            for (size_t b = 0; b < pack->n_rules; b++)
                if (strcmp(c->packs[i]->rules[a].id, pack->rules[b].id) == 0) {
                    rpi_error_set(err, RP_EPACK, pack->source, pack->rules[b].line, 0,
                                  "%s:%u: rule id \"%s\" is also in pack \"%s\" (%s)",
                                  pack->source, pack->rules[b].line, pack->rules[b].id,
                                  c->packs[i]->name, c->packs[i]->source);
                    return RP_EPACK;
                }
    }
    const rp_pack **np = realloc(c->packs, (c->n_packs + 1) * sizeof *np);
    if (!np) {
        rpi_error_set(err, RP_ENOMEM, "<checker>", 0, 0, "out of memory");
        return RP_ENOMEM;
    }
    c->packs = np;
    c->packs[c->n_packs++] = pack;
    return RP_OK;
}

int rp_checker_set_params(rp_checker *c, const char *text, size_t len, const char *source,
                          rp_error *err)
{
    if (!c || (!text && len)) {
        rpi_error_set(err, RP_EINVAL, "<checker>", 0, 0, "checker and text must not be NULL");
        return RP_EINVAL;
    }
    if (!source)
        source = "<params>";
    json_t *p = NULL;
    int rc = rpi_params_read_limited(text ? text : "", len, source, &c->limits, &p, err);
    if (rc)
        return rc;
    /* remember where each parameter was written, for "unknown parameter" */
    size_t n = json_object_size(p);
    rpi_param_pos *pos = n ? calloc(n, sizeof *pos) : NULL;
    char *src = strdup(source);
    if ((n && !pos) || !src) {
        free(pos);
        free(src);
        json_decref(p);
        rpi_error_set(err, RP_ENOMEM, source, 0, 0, "out of memory");
        return RP_ENOMEM;
    }
    rpi_docset ds = {0};
    if (n && rpi_yaml_read(text, len, source, &c->limits, &ds, NULL) == RP_OK) {
        for (size_t d = 0; d < ds.n; d++) {
            const json_t *root = ds.docs[d].root;
            if (!json_is_object(root))
                continue;
            if (json_is_string(json_object_get(root, "kind")) && json_object_get(root, "spec"))
                root = json_object_get(root, "spec");
            size_t i = 0;
            const char *key;
            json_t *v;
            json_object_foreach(p, key, v) {
                const rpi_pos *ps = rpi_posmap_get(ds.pos, root, key, 0);
                if (ps) {
                    pos[i].line = ps->key_line ? ps->key_line : ps->line;
                    pos[i].column = ps->key_line ? ps->key_column : ps->column;
                }
                i++;
            }
            break;
        }
    }
    rpi_docset_free(&ds);
    json_decref(c->user_params);
    free(c->params_source);
    free(c->param_pos);
    c->user_params = p;
    c->params_source = src;
    c->param_pos = pos;
    return RP_OK;
}

static rpi_input *new_input(rp_checker *c, const char *name, rp_error *err)
{
    if (c->n_inputs == c->cap_inputs) {
        size_t cap = c->cap_inputs ? c->cap_inputs * 2 : 8;
        rpi_input *ni = realloc(c->inputs, cap * sizeof *ni);
        if (!ni) {
            rpi_error_set(err, RP_ENOMEM, name, 0, 0, "out of memory");
            return NULL;
        }
        c->inputs = ni;
        c->cap_inputs = cap;
    }
    rpi_input *in = &c->inputs[c->n_inputs];
    memset(in, 0, sizeof *in);
    in->name = strdup(name);
    if (!in->name) {
        rpi_error_set(err, RP_ENOMEM, name, 0, 0, "out of memory");
        return NULL;
    }
    c->n_inputs++;
    return in;
}

int rp_checker_add_input(rp_checker *c, const char *source, const char *text, size_t len,
                         rp_error *err)
{
    if (!c || (!text && len)) {
        rpi_error_set(err, RP_EINVAL, "<checker>", 0, 0, "checker and text must not be NULL");
        return RP_EINVAL;
    }
    if (!source)
        source = "<input>";
    rpi_input *in = new_input(c, source, err);
    if (!in)
        return RP_ENOMEM;
    rp_error rerr = {0}; /* the message is the input's error even when ERR is NULL */
    int rc = rpi_yaml_read(text ? text : "", len, source, &c->limits, &in->docs, &rerr);
    if (rc && err && !err->code)
        *err = rerr;
    if (rc) {
        in->error = rc == RP_ENOMEM ? NULL : strdup(rerr.message[0] ? rerr.message : rp_strerror(rc));
        in->error_code = rc;
        if (!in->error) {
            /* out of memory: the call has no effect, it can be made again */
            rpi_docset_free(&in->docs);
            free(in->name);
            c->n_inputs--;
            rpi_error_set(err, RP_ENOMEM, source, 0, 0, "out of memory");
            return RP_ENOMEM;
        }
        return rc;
    }
    return RP_OK;
}

int rpi_checker_add_unreadable(rp_checker *c, const char *source, int code, const char *message)
{
    rpi_input *in = new_input(c, source, NULL);
    if (!in)
        return RP_ENOMEM;
    in->error = strdup(message);
    in->error_code = code;
    if (!in->error) {
        free(in->name);
        c->n_inputs--;
        return RP_ENOMEM;
    }
    return RP_OK;
}

/* ---- Running ------------------------------------------------------------------- */

typedef struct run_state {
    rp_checker *c;
    rp_report *rep;
    rpi_object *objects;
    size_t n_objects, cap_objects;
    json_t *inventory;              /* array of every object */
    json_t **params;                /* per pack: defaults merged with the user's */
    rp_activation **acts;           /* per pack */
    size_t *rule_base;              /* per pack: index of its first rule in the report */
    /* per rule (by report index): its variables' names as map keys, with
     * their hashes, made on first use */
    val **var_keys;
    uint32_t **var_hashes;
    size_t n_rules;
    /* the Namespace objects by name: an open-addressing table of object
     * indexes + 1 (find_namespace) */
    size_t *ns_slots;
    size_t ns_mask;
    bool oom;
} run_state;

static void add_error(run_state *S, rpi_error_kind kind, int code, const char *file,
                      const unsigned *document, unsigned line, unsigned column, const size_t *object,
                      const size_t *rule, const char *fmt, ...) __attribute__((format(printf, 10, 11)));

static void add_error(run_state *S, rpi_error_kind kind, int code, const char *file,
                      const unsigned *document, unsigned line, unsigned column, const size_t *object,
                      const size_t *rule, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rpi_report_error e = {0};
    e.kind = kind;
    e.code = code;
    e.file = (char *)file;
    if (document) {
        e.document = *document;
        e.has_document = true;
    }
    e.line = line;
    e.column = column;
    if (object) {
        e.object = *object;
        e.has_object = true;
    }
    if (rule) {
        e.rule = *rule;
        e.has_rule = true;
    }
    e.message = msg;
    if (rpi_report_add_error(S->rep, &e) == (size_t)-1)
        S->oom = true;
}

static bool is_list_kind(const json_t *root)
{
    const json_t *k = json_object_get(root, "kind");
    const json_t *items = json_object_get(root, "items");
    if (!json_is_string(k) || !json_is_array(items))
        return false;
    const char *s = json_string_value(k);
    size_t n = strlen(s);
    return n >= 4 && strcmp(s + n - 4, "List") == 0;
}

static void add_object(run_state *S, size_t input, const rpi_doc *doc, json_t *j, unsigned item,
                       bool in_list, unsigned line)
{
    const rpi_input *in = &S->c->inputs[input];
    if (!json_is_object(j)) {
        if (in_list)
            add_error(S, RPI_ERRK_INPUT, RP_EYAML, in->name, &doc->index, line, 0, NULL, NULL,
                      "item %u of the list is not a Kubernetes object (a mapping)", item);
        else
            add_error(S, RPI_ERRK_INPUT, RP_EYAML, in->name, &doc->index, line, 0, NULL, NULL,
                      "the document is not a Kubernetes object (a mapping)");
        return;
    }
    if (S->n_objects == S->cap_objects) {
        size_t cap = S->cap_objects ? S->cap_objects * 2 : 64;
        rpi_object *no = realloc(S->objects, cap * sizeof *no);
        if (!no) {
            S->oom = true;
            return;
        }
        S->objects = no;
        S->cap_objects = cap;
    }
    rpi_object *o = &S->objects[S->n_objects];
    memset(o, 0, sizeof *o);
    o->json = json_incref(j);
    o->docs = &in->docs;
    o->root = doc->root;
    o->input = input;
    o->document = doc->index;
    o->item = item;
    o->in_list = in_list;
    o->line = line;
    if (rpi_object_describe(o)) {
        rpi_object_release(o);
        S->oom = true;
        return;
    }
    if (!o->api_version || !o->kind) {
        add_error(S, RPI_ERRK_INPUT, RP_EYAML, in->name, &doc->index, line, 0, NULL, NULL,
                  "the object has no %s: not a Kubernetes object",
                  !o->api_version && !o->kind ? "apiVersion and kind"
                  : !o->kind                  ? "kind"
                                              : "apiVersion");
        rpi_object_release(o);
        return;
    }
    rpi_report_object ro = {0};
    ro.file = in->name;
    ro.document = o->document;
    ro.item = item;
    ro.in_list = in_list;
    ro.line = line;
    ro.api_version = (char *)o->api_version;
    ro.kind = (char *)o->kind;
    ro.namespace_ = (char *)o->namespace_;
    ro.name = (char *)o->name;
    ro.break_glass = (char *)o->break_glass;
    o->report_index = rpi_report_add_object(S->rep, &ro);
    if (o->report_index == (size_t)-1 || json_array_append(S->inventory, j)) {
        rpi_object_release(o);
        S->oom = true;
        return;
    }
    S->n_objects++;
}

/* Every document of every input -> objects (or errors). */
static void collect_objects(run_state *S)
{
    for (size_t i = 0; i < S->c->n_inputs && !S->oom; i++) {
        const rpi_input *in = &S->c->inputs[i];
        rpi_report_count_file(S->rep);
        if (in->error) {
            add_error(S, RPI_ERRK_INPUT, in->error_code, in->name, NULL, 0, 0, NULL, NULL, "%s",
                      in->error);
            continue;
        }
        for (size_t d = 0; d < in->docs.n && !S->oom; d++) {
            const rpi_doc *doc = &in->docs.docs[d];
            rpi_report_count_document(S->rep);
            if (doc->error) {
                add_error(S, RPI_ERRK_INPUT, doc->error_code ? doc->error_code : RP_EYAML, in->name,
                          &doc->index, doc->error_line,
                          doc->error_column, NULL, NULL, "%s", doc->error);
                continue;
            }
            if (doc->empty || !doc->root)
                continue;
            if (json_is_object(doc->root) && is_list_kind(doc->root)) {
                json_t *items = json_object_get(doc->root, "items");
                size_t k;
                json_t *it;
                json_array_foreach(items, k, it) {
                    const rpi_pos *p = rpi_posmap_get(in->docs.pos, items, NULL, k);
                    add_object(S, i, doc, it, (unsigned)k, true, p ? p->line : doc->line);
                }
                continue;
            }
            add_object(S, i, doc, doc->root, 0, false, doc->line);
        }
        if (in->docs.truncated && in->docs.n == 0)
            add_error(S, RPI_ERRK_INPUT, RP_EYAML, in->name, NULL, 0, 0, NULL, NULL,
                      "the input could not be read");
    }
}

/* Params per pack; unknown names are errors. */
static void prepare_params(run_state *S)
{
    const json_t *user = S->c->user_params;
    if (user) {
        size_t i = 0;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)user, key, v) {
            bool known = false;
            for (size_t p = 0; p < S->c->n_packs && !known; p++)
                known = json_object_get(S->c->packs[p]->params, key) != NULL;
            if (!known) {
                const rpi_param_pos *pp = S->c->param_pos ? &S->c->param_pos[i] : NULL;
                add_error(S, RPI_ERRK_PARAMS, RP_EPACK, S->c->params_source, NULL,
                          pp ? pp->line : 0, pp ? pp->column : 0, NULL, NULL,
                          "unknown parameter \"%s\" (no pack of this check declares it)", key);
            }
            i++;
        }
    }
    for (size_t p = 0; p < S->c->n_packs; p++) {
        const json_t *defaults = S->c->packs[p]->params;
        json_t *mine = json_object();
        if (!mine) {
            S->oom = true;
            return;
        }
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)user, key, v) {
            if (json_object_get(defaults, key) && json_object_set(mine, key, v)) {
                S->oom = true;
                json_decref(mine);
                return;
            }
        }
        S->params[p] = rpi_params_merge(defaults, mine);
        json_decref(mine);
        if (!S->params[p]) {
            S->oom = true;
            return;
        }
    }
}

/* The `request` variable of an offline check: a CREATE of OBJ by nobody. */
static json_t *make_request(const rpi_object *o)
{
    json_t *kind = json_pack("{ssssss}", "group", o->group, "version", o->version, "kind", o->kind);
    json_t *user = json_pack("{sssss[]}", "username", "", "uid", "", "groups");
    json_t *req = json_pack("{sssOsOsssssosOsb}", "uid", "", "kind", kind, "requestKind", kind,
                            "operation", "CREATE", "name", o->name ? o->name : "", "namespace",
                            json_string(o->namespace_ ? o->namespace_ : ""), "userInfo", user,
                            "dryRun", 0);
    json_decref(kind);
    json_decref(user);
    return req;
}

static bool is_namespace(const rpi_object *n)
{
    return n->kind && strcmp(n->kind, "Namespace") == 0 && n->group[0] == '\0' && n->name;
}

/* Index the Namespace objects by name (the first of a name wins, as a scan
 * in input order would find it): a check looks one up for every object. */
static void index_namespaces(run_state *S)
{
    size_t cap = 16;
    while (cap < 2 * S->n_objects + 2)
        cap *= 2;
    S->ns_slots = calloc(cap, sizeof *S->ns_slots);
    if (!S->ns_slots) {
        S->oom = true;
        return;
    }
    S->ns_mask = cap - 1;
    for (size_t i = 0; i < S->n_objects; i++) {
        const rpi_object *n = &S->objects[i];
        if (!is_namespace(n))
            continue;
        size_t s = rpi_str_hash32(n->name, strlen(n->name)) & S->ns_mask;
        while (S->ns_slots[s] && strcmp(S->objects[S->ns_slots[s] - 1].name, n->name) != 0)
            s = (s + 1) & S->ns_mask;
        if (!S->ns_slots[s])
            S->ns_slots[s] = i + 1;
    }
}

static const json_t *find_namespace(const run_state *S, const rpi_object *o)
{
    if (rpi_kind_cluster_scoped(o->group, o->kind))
        return NULL;
    const char *ns = o->namespace_ ? o->namespace_ : "default";
    for (size_t s = rpi_str_hash32(ns, strlen(ns)) & S->ns_mask; S->ns_slots[s];
         s = (s + 1) & S->ns_mask)
        if (strcmp(S->objects[S->ns_slots[s] - 1].name, ns) == 0)
            return S->objects[S->ns_slots[s] - 1].json;
    return NULL;
}

/* One evaluation of E.  0 with *OUT (which may be an error value), or an
 * RP_E* code (limits; RP_ENOMEM, which stops the check) with MSG.
 * *RULE_COST is what the rule's expressions spent on this object so far:
 * E runs within what is left of the rule_cost_budget (as Kubernetes runs a
 * policy's expressions within one RuntimeCELCostBudget), or within its
 * own cost_budget if that is less, and adds what it spends. */
static int eval_expr(rp_activation *act, const rpi_pexpr *e, val *out, char *msg, size_t msgsz,
                     uint64_t *rule_cost)
{
    const rp_program *prog = e->prog;
    const rp_env *env = prog->env;
    uint64_t left = env->rule_cost_budget > *rule_cost ? env->rule_cost_budget - *rule_cost : 0;
    bool rule_bound = left < env->cost_budget;
    if (left == 0) {
        snprintf(msg, msgsz, "operation cancelled: rule cost limit exceeded: limit rule_cost_budget (%llu)",
                 (unsigned long long)env->rule_cost_budget);
        return RP_ELIMIT;
    }
    rpi_ctx cx = {0};
    cx.arena = act->arena;
    cx.env = env;
    cx.cost_budget = rule_bound ? left : env->cost_budget;
    cx.program = prog;
    rpi_span span = {0, 0};
    int rc = rpi_eval_status(&cx, rpi_vm_run(prog, act, &cx, out, &span), *out);
    *rule_cost += cx.cost;
    if (rc != RP_OK) {
        if (rc == RP_ELIMIT && rule_bound && cx.cost > cx.cost_budget)
            snprintf(msg, msgsz,
                     "operation cancelled: rule cost limit exceeded: limit rule_cost_budget (%llu)",
                     (unsigned long long)env->rule_cost_budget);
        else
            snprintf(msg, msgsz, "%s",
                     cx.limit_msg[0] && rc != RP_ENOMEM ? cx.limit_msg : rp_strerror(rc));
        return rc;
    }
    if (out->kind == VK_ERROR) {
        unsigned line = 0, col = 0;
        rpi_source_locate(prog->source, prog->source_len, span.start, &line, &col);
        snprintf(msg, msgsz, "%.*s (at %u:%u of the expression)", (int)out->aux, out->u.s, line,
                 col);
    }
    return RP_OK;
}

/* Per (object, rule) evaluation state: the variables computed so far.
 * `variables` is bound to VMAP, a map of every variable of the rule whose
 * values are VARS, filled in as they are computed: an expression reads only
 * the variables it needs, which are computed before it runs. */
typedef struct rule_eval {
    const rpi_rule *rule;
    val *vars;
    bool *done;
    uint64_t cost;          /* spent by the rule's expressions (rule_cost_budget) */
    char msg[512];          /* why bind_variables failed (a variable's limit) */
    rpi_map vmap;
    bool vmap_bound;        /* `variables` is VMAP (not a map of the done ones) */
} rule_eval;

/* Compute what E needs and bind `variables` to a map of them. */
static int bind_variables(run_state *S, rp_activation *act, rule_eval *R, const rpi_pexpr *e)
{
    const rpi_rule *r = R->rule;
    /* an expression that reads no variable leaves the binding as it is */
    if (r->n_variables == 0 || e->n_needs == 0)
        return RP_OK;
    for (size_t k = 0; k < e->n_needs; k++) {
        unsigned i = e->needs[k];
        if (R->done[i])
            continue;
        const rpi_pexpr *ve = &r->variables[i].expr;
        int rc = bind_variables(S, act, R, ve);
        if (rc)
            return rc;
        rc = eval_expr(act, ve, &R->vars[i], R->msg, sizeof R->msg, &R->cost);
        if (rc)
            return rc;
        R->msg[0] = '\0'; /* an error value's text: it surfaces where it is used */
        /* An error value remembers where in its program it arose (the
         * pc in flags); the expression that reads the variable is another
         * program, so forget it: the reader stamps its own position. */
        if (R->vars[i].kind == VK_ERROR)
            R->vars[i].flags = 0;
        R->done[i] = true;
    }
    if (!e->reads_all_variables) {
        if (R->vmap_bound)
            return RP_OK;
        int rc = rpi_activation_bind_val(act, "variables", NULL, val_map(&R->vmap));
        R->vmap_bound = rc == RP_OK;
        return rc;
    }
    R->vmap_bound = false;
    rpi_ctx cx = {0};
    cx.arena = act->arena;
    cx.env = act->env;
    val *keys = rpi_alloc(&cx, (r->n_variables + 1) * sizeof *keys);
    val *vals = rpi_alloc(&cx, (r->n_variables + 1) * sizeof *vals);
    if (!keys || !vals)
        return rpi_eval_status(&cx, RP_ELIMIT, val_null());
    uint32_t n = 0;
    for (size_t i = 0; i < r->n_variables; i++)
        if (R->done[i]) {
            keys[n] = val_string(r->variables[i].name, (uint32_t)strlen(r->variables[i].name));
            vals[n] = R->vars[i];
            n++;
        }
    val m = rpi_map_build(&cx, keys, vals, n);
    if (m.kind == VK_ERROR)
        return rpi_eval_status(&cx, RP_ELIMIT, val_null());
    return rpi_activation_bind_val(act, "variables", NULL, m);
}

/* The message of a finding; NULL when memory runs out (S->oom then says
 * whether it ran out in the messageExpression). */
static char *finding_message(run_state *S, rp_activation *act, rule_eval *R,
                             const rpi_validation *v)
{
    int rc = v->message_expr.prog ? bind_variables(S, act, R, &v->message_expr) : RP_EINVAL;
    if (rc == RP_OK) {
        val m;
        char msg[512];
        rc = eval_expr(act, &v->message_expr, &m, msg, sizeof msg, &R->cost);
        if (rc == RP_OK && m.kind == VK_STRING && m.aux > 0 && !memchr(m.u.s, '\n', m.aux) &&
            m.aux <= 5000) {
            char *s = malloc(m.aux + 1);
            if (s) {
                memcpy(s, m.u.s, m.aux);
                s[m.aux] = '\0';
            }
            return s;
        }
    }
    if (rc == RP_ENOMEM) {
        S->oom = true;
        return NULL;
    }
    if (v->message && v->message[0])
        return strdup(v->message);
    size_t n = strlen(v->expr.text) + sizeof "failed expression: ";
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "failed expression: %s", v->expr.text);
    return s;
}

static void check_rule(run_state *S, size_t pack, size_t ri, const rpi_object *o,
                       const json_t *ns_obj, rule_eval *R)
{
    const rp_pack *p = S->c->packs[pack];
    const rpi_rule *r = &p->rules[ri];
    rp_activation *act = S->acts[pack];
    size_t rule_index = S->rule_base[pack] + ri;
    if (!rpi_match_object(&r->match, o, ns_obj))
        return;
    rpi_arena_reset(act->arena);
    R->rule = r;
    R->cost = 0;
    R->msg[0] = '\0';
    memset(R->done, 0, r->n_variables * sizeof *R->done);
    if (rpi_activation_bind_val(act, "variables", NULL, val_null())) {
        S->oom = true;
        return;
    }
    R->vmap_bound = false;
    if (r->n_variables) {
        if (!S->var_keys[rule_index]) {
            val *keys = malloc(r->n_variables * sizeof *keys);
            uint32_t *hashes = malloc(r->n_variables * sizeof *hashes);
            if (!keys || !hashes) {
                free(keys);
                free(hashes);
                S->oom = true;
                return;
            }
            for (size_t i = 0; i < r->n_variables; i++) {
                const char *name = r->variables[i].name;
                keys[i] = val_string(name, (uint32_t)strlen(name));
                hashes[i] = rpi_str_hash32(name, strlen(name));
            }
            S->var_keys[rule_index] = keys;
            S->var_hashes[rule_index] = hashes;
        }
        for (size_t i = 0; i < r->n_variables; i++)
            R->vars[i] = VAL_ERROR_LIT("variable not computed");
        R->vmap = (rpi_map){(uint32_t)r->n_variables, 0, S->var_keys[rule_index], R->vars, NULL,
                            S->var_hashes[rule_index]};
    }
    const rpi_input *in = &S->c->inputs[o->input];
    char msg[768];
    rpi_outcome outcome = RPI_OUT_PASS;

    for (size_t i = 0; i < r->n_conditions; i++) {
        const rpi_pexpr *e = &r->conditions[i].expr;
        val v;
        int rc = bind_variables(S, act, R, e);
        if (rc == RP_OK)
            rc = eval_expr(act, e, &v, msg, sizeof msg, &R->cost);
        else
            snprintf(msg, sizeof msg, "%s", R->msg[0] ? R->msg : rp_strerror(rc));
        if (rc == RP_ENOMEM) {
            S->oom = true;
            return;
        }
        if (rc == RP_OK && v.kind == VK_BOOL && !v.u.b)
            return; /* the rule does not apply */
        if (rc != RP_OK || v.kind != VK_BOOL) {
            if (rc == RP_OK && v.kind != VK_ERROR)
                snprintf(msg, sizeof msg, "matchCondition must evaluate to bool, not %s",
                         rpi_val_type_name(v));
            add_error(S, RPI_ERRK_EVAL, rc ? rc : RP_EEVAL, in->name, &o->document, o->line, 0,
                      &o->report_index, &rule_index, "matchConditions[%zu] (%s): %s", i,
                      r->conditions[i].name, msg);
            outcome = RPI_OUT_ERROR;
            break;
        }
    }
    bool any_fail = false;
    for (size_t i = 0; outcome != RPI_OUT_ERROR && i < r->n_validations; i++) {
        const rpi_validation *vd = &r->validations[i];
        val v;
        int rc = bind_variables(S, act, R, &vd->expr);
        if (rc == RP_OK)
            rc = eval_expr(act, &vd->expr, &v, msg, sizeof msg, &R->cost);
        else
            snprintf(msg, sizeof msg, "%s", R->msg[0]            ? R->msg
                                            : rc == RP_ELIMIT ? "evaluation memory limit exceeded"
                                                              : rp_strerror(rc));
        if (rc == RP_ENOMEM) {
            S->oom = true;
            return;
        }
        if (rc != RP_OK || v.kind != VK_BOOL) {
            if (rc == RP_OK && v.kind != VK_ERROR)
                snprintf(msg, sizeof msg, "validation must evaluate to bool, not %s",
                         rpi_val_type_name(v));
            add_error(S, RPI_ERRK_EVAL, rc ? rc : RP_EEVAL, in->name, &o->document, o->line, 0,
                      &o->report_index, &rule_index, "validations[%zu]: %s", i, msg);
            outcome = RPI_OUT_ERROR;
            break;
        }
        if (v.u.b)
            continue;
        any_fail = true;
        rpi_report_finding f = {0};
        f.object = o->report_index;
        f.rule = rule_index;
        f.bypassed = o->break_glass != NULL;
        f.validation = (unsigned)i;
        f.message = finding_message(S, act, R, vd);
        f.path = vd->path;
        f.line = o->line;
        if (vd->path) {
            bool exact = false;
            const rpi_pos *pp = rpi_posmap_path(o->docs->pos, o->json, vd->path, &exact);
            if (pp) {
                f.line = pp->key_line ? pp->key_line : pp->line;
                f.column = pp->key_line ? pp->key_column : pp->column;
            }
        }
        if (!f.message || rpi_report_add_finding(S->rep, &f) == (size_t)-1)
            S->oom = true;
        free(f.message);
        if (S->oom)
            return;
    }
    if (outcome != RPI_OUT_ERROR && any_fail)
        outcome = o->break_glass ? RPI_OUT_BYPASSED : RPI_OUT_FAIL;
    rpi_report_result res = {o->report_index, rule_index, outcome};
    if (rpi_report_add_result(S->rep, &res) == (size_t)-1)
        S->oom = true;
}

static void add_rules(run_state *S)
{
    size_t base = 0;
    for (size_t p = 0; p < S->c->n_packs; p++) {
        const rp_pack *pk = S->c->packs[p];
        S->rule_base[p] = base;
        for (size_t i = 0; i < pk->n_rules; i++) {
            const rpi_rule *r = &pk->rules[i];
            rpi_report_rule rr = {0};
            rr.id = r->id;
            rr.title = r->title;
            rr.pack = pk->name;
            rr.remediation = r->remediation;
            rr.references = r->references;
            rr.n_references = r->n_references;
            rr.severity = r->severity;
            rr.action = r->action;
            if (rpi_report_add_rule(S->rep, &rr) == (size_t)-1)
                S->oom = true;
        }
        base += pk->n_rules;
    }
    S->var_keys = calloc(base ? base : 1, sizeof *S->var_keys);
    S->var_hashes = calloc(base ? base : 1, sizeof *S->var_hashes);
    if (!S->var_keys || !S->var_hashes)
        S->oom = true;
    else
        S->n_rules = base; /* what the cleanup frees */
}

rp_report *rp_checker_run(rp_checker *c, rp_error *err)
{
    if (!c) {
        rpi_error_set(err, RP_EINVAL, "<checker>", 0, 0, "checker must not be NULL");
        return NULL;
    }
    run_state S = {0};
    S.c = c;
    S.rep = rpi_report_new();
    S.inventory = json_array();
    size_t np = c->n_packs ? c->n_packs : 1;
    S.params = calloc(np, sizeof *S.params);
    S.acts = calloc(np, sizeof *S.acts);
    S.rule_base = calloc(np, sizeof *S.rule_base);
    size_t max_vars = 1;
    for (size_t p = 0; p < c->n_packs; p++)
        for (size_t i = 0; i < c->packs[p]->n_rules; i++)
            if (c->packs[p]->rules[i].n_variables > max_vars)
                max_vars = c->packs[p]->rules[i].n_variables;
    rule_eval R = {.vars = calloc(max_vars, sizeof(val)), .done = calloc(max_vars, sizeof(bool))};
    if (!S.rep || !S.inventory || !S.params || !S.acts || !S.rule_base || !R.vars || !R.done)
        S.oom = true;
    for (size_t p = 0; p < c->n_packs && !S.oom; p++) {
        S.acts[p] = rp_activation_new(c->packs[p]->env, NULL);
        if (!S.acts[p])
            S.oom = true;
    }
    if (!S.oom)
        add_rules(&S);
    if (!S.oom)
        prepare_params(&S);
    if (!S.oom)
        collect_objects(&S);
    if (!S.oom)
        index_namespaces(&S);
    for (size_t p = 0; p < c->n_packs && !S.oom; p++) {
        rp_activation *act = S.acts[p];
        if (rpi_activation_bind_val(act, "params", S.params[p], rpi_val_from_json(S.params[p])) ||
            rpi_activation_bind_val(act, "inventory", S.inventory,
                                    rpi_val_from_json(S.inventory)) ||
            rpi_activation_bind_val(act, "oldObject", NULL, val_null()))
            S.oom = true;
    }
    for (size_t i = 0; i < S.n_objects && !S.oom; i++) {
        const rpi_object *o = &S.objects[i];
        const json_t *ns_obj = find_namespace(&S, o);
        json_t *req = make_request(o);
        if (!req) {
            S.oom = true;
            break;
        }
        for (size_t p = 0; p < c->n_packs && !S.oom; p++) {
            rp_activation *act = S.acts[p];
            /* The object as the inventory holds it (its element I), frozen
             * once for the whole check: binding it costs nothing, and the
             * rules and the inventory's queries read the same memory. */
            val inv, ov = rpi_val_from_json(o->json);
            if (json_array_get(S.inventory, i) == o->json &&
                rpi_activation_lookup(act, "inventory", &inv) && inv.kind == VK_LIST &&
                inv.rep == REP_ARENA && i < inv.u.list->n)
                ov = inv.u.list->items[i];
            if (rpi_activation_bind_val(act, "object", o->json, ov) ||
                rpi_activation_bind_val(act, "request", req, rpi_val_from_json(req)) ||
                rpi_activation_bind_val(act, "namespaceObject", (json_t *)ns_obj,
                                        ns_obj ? rpi_val_from_json(ns_obj) : val_null())) {
                S.oom = true;
                break;
            }
            for (size_t r = 0; r < c->packs[p]->n_rules && !S.oom; r++)
                check_rule(&S, p, r, o, ns_obj, &R);
        }
        json_decref(req);
    }
    for (size_t p = 0; p < c->n_packs; p++) {
        rp_activation_free(S.acts ? S.acts[p] : NULL);
        json_decref(S.params ? S.params[p] : NULL);
    }
    for (size_t i = 0; i < S.n_objects; i++)
        rpi_object_release(&S.objects[i]);
    free(S.objects);
    free(S.acts);
    free(S.params);
    free(S.rule_base);
    for (size_t i = 0; i < S.n_rules; i++) {
        free(S.var_keys[i]);
        free(S.var_hashes[i]);
    }
    free(S.var_keys);
    free(S.var_hashes);
    free(S.ns_slots);
    free(R.vars);
    free(R.done);
    json_decref(S.inventory);
    if (S.oom) {
        rpi_report_free(S.rep);
        rpi_error_set(err, RP_ENOMEM, "<checker>", 0, 0, "out of memory");
        return NULL;
    }
    return S.rep;
}
