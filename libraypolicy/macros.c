/* macros.c -- macro expansion: calls that are rewritten into other
 * expressions before checking, exactly as cel-go's parser expands them
 * (parser/macro.go, ext/comprehensions.go, ext/bindings.go, ext/lists.go,
 * ext/math.go, and the optional library's macros in cel/library.go).
 *
 * Standard (every profile):
 *   has(a.f)                 a.f~test-only~ (a presence test)
 *   e.all(x, p)              __comprehension__(x, e, @result, true,
 *                              @not_strictly_false(@result), _&&_(@result, p), @result)
 *   e.exists(x, p)           ... false, @not_strictly_false(!_(@result)),
 *                              _||_(@result, p), @result
 *   e.exists_one(x, p)       ... 0, true, _?_:_(p, _+_(@result, 1), @result),
 *                              _==_(@result, 1)
 *   e.map(x, t)              ... [], true, _+_(@result, [t]), @result
 *   e.map(x, p, t)           ... [], true, _?_:_(p, _+_(@result, [t]), @result), @result
 *   e.filter(x, p)           ... [], true, _?_:_(p, _+_(@result, [x]), @result), @result
 * Kubernetes and extended (cel-go's TwoVarComprehensions, OptionalTypes,
 * Lists version >= 2):
 *   e.all(i, v, p) e.exists(i, v, p) e.existsOne(i, v, p) e.exists_one(i, v, p)
 *                            as above with two iteration variables
 *   e.transformList(i, v, [p,] t)    [] / _+_(@result, [t])
 *   e.transformMap(i, v, [p,] t)     {} / cel.@mapInsert(@result, i, t)
 *   e.transformMapEntry(i, v, [p,] t) {} / cel.@mapInsert(@result, t)
 *   o.optMap(x, t)           _?_:_(o.hasValue(), optional.of(
 *                              __comprehension__(#unused, [], x, o.value(), false, x, t)),
 *                              optional.none())
 *   o.optFlatMap(x, t)       the same without optional.of
 *   l.sortBy(x, k)           __comprehension__(#unused, [], @__sortBy_input__, l, false,
 *                              @__sortBy_input__, @__sortBy_input__.@sortByAssociatedKeys(
 *                                @__sortBy_input__.map(x, k)))
 * Extended only:
 *   cel.bind(x, init, e)     __comprehension__(#unused, [], x, init, false, x, e)
 *   math.greatest(...) math.least(...)   math.@max / math.@min of the
 *                            arguments (one argument, two, or a list of three or more)
 *   e.existsOne(x, p)        the two-argument form (cel-go's parser.AllMacros)
 *   cel.block([b0, b1, ...], e)  nested bindings, as cel.bind: @index0 = b0 around
 *                            @index1 = b1 around ... e, with cel.index(N)
 *                            the identifier @indexN, and cel.iterVar(D, U) and
 *                            cel.accuVar(D, U) the identifiers @it:D:U and @ac:D:U:
 *                            the common-subexpression form the conformance suite's
 *                            block tests are written in (cel-go's conformance harness)
 *
 * Expansion is bottom-up (arguments first, as cel-go expands while it
 * parses).  Every node a macro makes takes the span and error position of
 * the call it replaces.  Malformed macro calls are RP_ESYNTAX errors with
 * cel-go's messages, at the offending argument.  Recursion follows the
 * tree, whose depth the parser bounds.
 */
#include <string.h>

#include "internal.h"

/* The functions the expansions call, which the function libraries
 * provide (cel-go's names). */
#define FN_NOT_STRICTLY_FALSE "@not_strictly_false"
#define FN_MAP_INSERT "cel.@mapInsert"
#define FN_OPTIONAL_OF "optional.of"
#define FN_OPTIONAL_NONE "optional.none"
#define FN_HAS_VALUE "hasValue"
#define FN_VALUE "value"
#define FN_SORT_BY_KEYS "@sortByAssociatedKeys"
#define FN_MATH_MAX "math.@max"
#define FN_MATH_MIN "math.@min"
/* Comprehension variables of the binding-style expansions. */
#define UNUSED_ITER_VAR "#unused"
#define SORT_BY_VAR "@__sortBy_input__"
/* The accumulator name of cel-go's older parsers, which an iteration
 * variable may not take either. */
#define LEGACY_ACCU_VAR "__result__"

typedef struct mx {
    rpi_ast_builder *b;
    unsigned profile;
    rpi_diag *diag;
    bool failed;
    const ast_node *at;     /* the call being expanded: span of new nodes */
} mx;

static ast_node *fail(mx *m, const ast_node *where, const char *msg)
{
    if (!m->failed) {
        m->failed = true;
        rpi_diag_set(m->diag, RP_ESYNTAX, &(rpi_span){where->op_pos, where->op_pos + 1}, "%s",
                     msg);
    }
    return NULL;
}

static ast_node *oom(mx *m)
{
    if (!m->failed) {
        m->failed = true;
        rpi_diag_set(m->diag, RP_ENOMEM, NULL, "out of memory");
    }
    return NULL;
}

/* ---- Node makers: every new node sits where the macro call was ---------- */

static ast_node *placed(mx *m, ast_node *n)
{
    if (!n)
        return oom(m);
    n->op_pos = m->at->op_pos;
    return n;
}

static ast_node *mk_ident(mx *m, const char *name)
{
    return placed(m, rpi_ast_ident(m->b, name, m->at->span));
}

static ast_node *mk_accu(mx *m)
{
    return mk_ident(m, RPI_ACCU_VAR);
}

static ast_node *mk_lit(mx *m, val v)
{
    return placed(m, rpi_ast_literal(m->b, v, m->at->span));
}

static ast_node *mk_call(mx *m, ast_node *target, const char *fn, ast_node *const *args,
                         uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!args[i])
            return NULL;
    return placed(m, rpi_ast_call(m->b, target, fn, args, n, m->at->span));
}

static ast_node *mk_call1(mx *m, const char *fn, ast_node *a)
{
    return a ? mk_call(m, NULL, fn, &a, 1) : NULL;
}

static ast_node *mk_call2(mx *m, const char *fn, ast_node *a, ast_node *b)
{
    ast_node *args[2] = {a, b};
    return mk_call(m, NULL, fn, args, 2);
}

static ast_node *mk_call3(mx *m, const char *fn, ast_node *a, ast_node *b, ast_node *c)
{
    ast_node *args[3] = {a, b, c};
    return mk_call(m, NULL, fn, args, 3);
}

static ast_node *mk_recv(mx *m, ast_node *target, const char *fn, ast_node *arg)
{
    if (!target)
        return NULL;
    return mk_call(m, target, fn, arg ? &arg : NULL, arg ? 1 : 0);
}

static ast_node *mk_list(mx *m, ast_node *const *elems, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!elems[i])
            return NULL;
    return placed(m, rpi_ast_list(m->b, elems, NULL, n, m->at->span));
}

static ast_node *mk_comp(mx *m, const char *iter, const char *iter2, const char *accu,
                         ast_node *range, ast_node *init, ast_node *cond, ast_node *step,
                         ast_node *result)
{
    if (!range || !init || !cond || !step || !result)
        return NULL;
    return placed(m, rpi_ast_comprehension(m->b, iter, iter2, accu, range, init, cond, step,
                                           result, m->at->span));
}

/* A copy of N with new ids (cel-go's ExprHelper.Copy): for expansions that
 * use one argument twice. */
static ast_node *copy_tree(mx *m, const ast_node *n)
{
    rpi_ast_builder *b = m->b;
    ast_node *c = NULL;
    switch (n->kind) {
    case AST_LITERAL:
        c = rpi_ast_literal(b, n->u.lit, n->span);
        break;
    case AST_IDENT:
        c = rpi_ast_ident(b, n->u.ident.name, n->span);
        break;
    case AST_SELECT: {
        ast_node *o = copy_tree(m, n->u.select.operand);
        if (!o)
            return NULL;
        c = rpi_ast_select(b, o, n->u.select.field, n->u.select.field_len,
                           n->u.select.test_only, n->span);
        break;
    }
    case AST_CALL: {
        ast_node *t = NULL;
        if (n->u.call.target && !(t = copy_tree(m, n->u.call.target)))
            return NULL;
        ast_node **args = NULL;
        if (n->u.call.nargs) {
            args = rpi_pool_alloc(b->pool, n->u.call.nargs * sizeof *args);
            if (!args)
                return oom(m);
            for (uint32_t i = 0; i < n->u.call.nargs; i++)
                if (!(args[i] = copy_tree(m, n->u.call.args[i])))
                    return NULL;
        }
        c = rpi_ast_call(b, t, n->u.call.fn, args, n->u.call.nargs, n->span);
        break;
    }
    case AST_LIST: {
        ast_node **e = NULL;
        if (n->u.list.n) {
            e = rpi_pool_alloc(b->pool, n->u.list.n * sizeof *e);
            if (!e)
                return oom(m);
            for (uint32_t i = 0; i < n->u.list.n; i++)
                if (!(e[i] = copy_tree(m, n->u.list.elems[i])))
                    return NULL;
        }
        c = rpi_ast_list(b, e, n->u.list.optional, n->u.list.n, n->span);
        break;
    }
    case AST_MAP: {
        ast_node **k = NULL, **v = NULL;
        if (n->u.map.n) {
            k = rpi_pool_alloc(b->pool, n->u.map.n * sizeof *k);
            v = rpi_pool_alloc(b->pool, n->u.map.n * sizeof *v);
            if (!k || !v)
                return oom(m);
            for (uint32_t i = 0; i < n->u.map.n; i++)
                if (!(k[i] = copy_tree(m, n->u.map.keys[i])) ||
                    !(v[i] = copy_tree(m, n->u.map.vals[i])))
                    return NULL;
        }
        c = rpi_ast_map(b, k, v, n->u.map.optional, n->u.map.n, n->span);
        break;
    }
    case AST_STRUCT: {
        ast_node **v = NULL;
        if (n->u.strct.n) {
            v = rpi_pool_alloc(b->pool, n->u.strct.n * sizeof *v);
            if (!v)
                return oom(m);
            for (uint32_t i = 0; i < n->u.strct.n; i++)
                if (!(v[i] = copy_tree(m, n->u.strct.vals[i])))
                    return NULL;
        }
        c = rpi_ast_struct(b, n->u.strct.type_name, n->u.strct.fields, v, n->u.strct.optional,
                           n->u.strct.n, n->span);
        break;
    }
    case AST_COMPREHENSION: {
        ast_node *r = copy_tree(m, n->u.comp.range);
        ast_node *i = r ? copy_tree(m, n->u.comp.init) : NULL;
        ast_node *cd = i ? copy_tree(m, n->u.comp.cond) : NULL;
        ast_node *s = cd ? copy_tree(m, n->u.comp.step) : NULL;
        ast_node *res = s ? copy_tree(m, n->u.comp.result) : NULL;
        if (!res)
            return NULL;
        c = rpi_ast_comprehension(b, n->u.comp.iter_var, n->u.comp.iter_var2,
                                  n->u.comp.accu_var, r, i, cd, s, res, n->span);
        break;
    }
    default:
        return NULL;
    }
    if (!c)
        return oom(m);
    c->op_pos = n->op_pos;
    return c;
}

/* ---- Argument checks ----------------------------------------------------- */

static bool is_accu_name(const char *name)
{
    return !strcmp(name, RPI_ACCU_VAR) || !strcmp(name, LEGACY_ACCU_VAR);
}

/* The name of iteration variable ARG, or NULL (error MSG) when ARG is not
 * a plain identifier or takes the accumulator's name. */
static const char *iter_var(mx *m, const ast_node *arg, const char *msg)
{
    if (arg->kind != AST_IDENT) {
        fail(m, arg, msg);
        return NULL;
    }
    if (is_accu_name(arg->u.ident.name)) {
        fail(m, arg, "iteration variable overwrites accumulator variable");
        return NULL;
    }
    return arg->u.ident.name;
}

/* The two variables of a two-variable comprehension (ext/comprehensions.go
 * extractIterVars, checks in its order). */
static bool iter_vars(mx *m, ast_node *const *args, const char **v1, const char **v2)
{
    static const char msg[] = "argument must be a simple name";
    if (args[0]->kind != AST_IDENT) {
        fail(m, args[0], msg);
        return false;
    }
    if (args[1]->kind != AST_IDENT) {
        fail(m, args[1], msg);
        return false;
    }
    *v1 = args[0]->u.ident.name;
    *v2 = args[1]->u.ident.name;
    if (!strcmp(*v1, *v2)) {
        char buf[sizeof m->diag->message];
        snprintf(buf, sizeof buf, "duplicate variable name: %s", *v1);
        fail(m, args[1], buf);
        return false;
    }
    if (is_accu_name(*v1)) {
        fail(m, args[0], "iteration variable overwrites accumulator variable");
        return false;
    }
    if (is_accu_name(*v2)) {
        fail(m, args[1], "iteration variable overwrites accumulator variable");
        return false;
    }
    return true;
}

/* ---- Expanders: NULL with an error, or the call itself to leave it be ---- */

typedef ast_node *(*expander)(mx *m, ast_node *call);

#define TARGET(c) ((c)->u.call.target)
#define ARG(c, i) ((c)->u.call.args[i])

static ast_node *mk_has(mx *m, ast_node *call)
{
    ast_node *a = ARG(call, 0);
    if (a->kind != AST_SELECT)
        return fail(m, a, "invalid argument to has() macro");
    return placed(m, rpi_ast_select(m->b, a->u.select.operand, a->u.select.field,
                                    a->u.select.field_len, true, call->span));
}

enum quantifier { Q_ALL, Q_EXISTS, Q_EXISTS_ONE };

/* all / exists / exists_one over PRED with iteration variables V1 (and V2). */
static ast_node *quantifier(mx *m, ast_node *call, enum quantifier q, const char *v1,
                            const char *v2, ast_node *pred)
{
    ast_node *init, *cond, *step, *result;
    switch (q) {
    case Q_ALL:
        init = mk_lit(m, val_bool(true));
        cond = mk_call1(m, FN_NOT_STRICTLY_FALSE, mk_accu(m));
        step = mk_call2(m, "_&&_", mk_accu(m), pred);
        result = mk_accu(m);
        break;
    case Q_EXISTS:
        init = mk_lit(m, val_bool(false));
        cond = mk_call1(m, FN_NOT_STRICTLY_FALSE, mk_call1(m, "!_", mk_accu(m)));
        step = mk_call2(m, "_||_", mk_accu(m), pred);
        result = mk_accu(m);
        break;
    default:
        init = mk_lit(m, val_int(0));
        cond = mk_lit(m, val_bool(true));
        step = mk_call3(m, "_?_:_", pred,
                        mk_call2(m, "_+_", mk_accu(m), mk_lit(m, val_int(1))), mk_accu(m));
        result = mk_call2(m, "_==_", mk_accu(m), mk_lit(m, val_int(1)));
        break;
    }
    return mk_comp(m, v1, v2, RPI_ACCU_VAR, TARGET(call), init, cond, step, result);
}

static ast_node *quantifier1(mx *m, ast_node *call, enum quantifier q)
{
    const char *v = iter_var(m, ARG(call, 0), "argument must be a simple name");
    return v ? quantifier(m, call, q, v, NULL, ARG(call, 1)) : NULL;
}

static ast_node *mk_all(mx *m, ast_node *call) { return quantifier1(m, call, Q_ALL); }
static ast_node *mk_exists(mx *m, ast_node *call) { return quantifier1(m, call, Q_EXISTS); }
static ast_node *mk_exists_one(mx *m, ast_node *call) { return quantifier1(m, call, Q_EXISTS_ONE); }

static ast_node *quantifier2(mx *m, ast_node *call, enum quantifier q)
{
    const char *v1, *v2;
    if (!iter_vars(m, call->u.call.args, &v1, &v2))
        return NULL;
    return quantifier(m, call, q, v1, v2, ARG(call, 2));
}

static ast_node *mk_all2(mx *m, ast_node *call) { return quantifier2(m, call, Q_ALL); }
static ast_node *mk_exists2(mx *m, ast_node *call) { return quantifier2(m, call, Q_EXISTS); }
static ast_node *mk_exists_one2(mx *m, ast_node *call)
{
    return quantifier2(m, call, Q_EXISTS_ONE);
}

/* STEP, or `FILTER ? STEP : @result` when there is a filter. */
static ast_node *filtered(mx *m, ast_node *filter, ast_node *step)
{
    return filter ? mk_call3(m, "_?_:_", filter, step, mk_accu(m)) : step;
}

/* The map macro over RANGE (parser.MakeMap; sortBy reuses it). */
static ast_node *map_over(mx *m, ast_node *range, ast_node *const *args, uint32_t nargs)
{
    const char *v = iter_var(m, args[0], "argument is not an identifier");
    if (!v)
        return NULL;
    ast_node *filter = nargs == 3 ? args[1] : NULL;
    ast_node *fn = args[nargs - 1];
    ast_node *step = mk_call2(m, "_+_", mk_accu(m), mk_list(m, &fn, 1));
    return mk_comp(m, v, NULL, RPI_ACCU_VAR, range, mk_list(m, NULL, 0),
                   mk_lit(m, val_bool(true)), filtered(m, filter, step), mk_accu(m));
}

static ast_node *mk_map(mx *m, ast_node *call)
{
    return map_over(m, TARGET(call), call->u.call.args, call->u.call.nargs);
}

static ast_node *mk_filter(mx *m, ast_node *call)
{
    const char *v = iter_var(m, ARG(call, 0), "argument is not an identifier");
    if (!v)
        return NULL;
    ast_node *x = ARG(call, 0);
    ast_node *step = mk_call2(m, "_+_", mk_accu(m), mk_list(m, &x, 1));
    return mk_comp(m, v, NULL, RPI_ACCU_VAR, TARGET(call), mk_list(m, NULL, 0),
                   mk_lit(m, val_bool(true)), filtered(m, ARG(call, 1), step), mk_accu(m));
}

enum transform { T_LIST, T_MAP, T_MAP_ENTRY };

static ast_node *transform(mx *m, ast_node *call, enum transform t)
{
    const char *v1, *v2;
    if (!iter_vars(m, call->u.call.args, &v1, &v2))
        return NULL;
    uint32_t n = call->u.call.nargs;
    ast_node *filter = n == 4 ? ARG(call, 2) : NULL;
    ast_node *fn = ARG(call, n - 1);
    ast_node *init, *step;
    if (t == T_LIST) {
        init = mk_list(m, NULL, 0);
        step = mk_call2(m, "_+_", mk_accu(m), mk_list(m, &fn, 1));
    } else {
        init = placed(m, rpi_ast_map(m->b, NULL, NULL, NULL, 0, m->at->span));
        step = t == T_MAP ? mk_call3(m, FN_MAP_INSERT, mk_accu(m), mk_ident(m, v1), fn)
                          : mk_call2(m, FN_MAP_INSERT, mk_accu(m), fn);
    }
    return mk_comp(m, v1, v2, RPI_ACCU_VAR, TARGET(call), init, mk_lit(m, val_bool(true)),
                   filtered(m, filter, step), mk_accu(m));
}

static ast_node *mk_transform_list(mx *m, ast_node *call) { return transform(m, call, T_LIST); }
static ast_node *mk_transform_map(mx *m, ast_node *call) { return transform(m, call, T_MAP); }
static ast_node *mk_transform_map_entry(mx *m, ast_node *call)
{
    return transform(m, call, T_MAP_ENTRY);
}

/* A binding: __comprehension__(#unused, [], VAR, INIT, false, VAR, RESULT),
 * which evaluates INIT once into VAR and then RESULT. */
static ast_node *binding(mx *m, const char *var, ast_node *init, ast_node *result)
{
    return mk_comp(m, UNUSED_ITER_VAR, NULL, var, mk_list(m, NULL, 0), init,
                   mk_lit(m, val_bool(false)), mk_ident(m, var), result);
}

static ast_node *opt_map(mx *m, ast_node *call, bool flat)
{
    ast_node *x = ARG(call, 0);
    if (x->kind != AST_IDENT)
        return fail(m, x, flat ? "optFlatMap() variable name must be a simple identifier"
                                : "optMap() variable name must be a simple identifier");
    ast_node *target = TARGET(call);
    ast_node *copy = copy_tree(m, target);
    if (!copy)
        return NULL;
    ast_node *body = binding(m, x->u.ident.name, mk_recv(m, copy, FN_VALUE, NULL), ARG(call, 1));
    if (!flat)
        body = mk_call1(m, FN_OPTIONAL_OF, body);
    return mk_call3(m, "_?_:_", mk_recv(m, target, FN_HAS_VALUE, NULL), body,
                    mk_call(m, NULL, FN_OPTIONAL_NONE, NULL, 0));
}

static ast_node *mk_opt_map(mx *m, ast_node *call) { return opt_map(m, call, false); }
static ast_node *mk_opt_flat_map(mx *m, ast_node *call) { return opt_map(m, call, true); }

static ast_node *mk_sort_by(mx *m, ast_node *call)
{
    ast_node *target = TARGET(call);
    switch (target->kind) {
    case AST_LIST: case AST_SELECT: case AST_IDENT: case AST_COMPREHENSION: case AST_CALL:
        break;
    default:
        return fail(m, target, "sortBy can only be applied to a list, identifier, "
                               "comprehension, call or select expression");
    }
    ast_node *mapped = map_over(m, mk_ident(m, SORT_BY_VAR), call->u.call.args, 2);
    if (!mapped)
        return NULL;
    ast_node *sorted = mk_recv(m, mk_ident(m, SORT_BY_VAR), FN_SORT_BY_KEYS, mapped);
    return binding(m, SORT_BY_VAR, target, sorted);
}

/* Whether TARGET is the identifier NS (a namespace: cel., math.). */
static bool is_namespace(const ast_node *target, const char *ns)
{
    return target && target->kind == AST_IDENT && !strcmp(target->u.ident.name, ns);
}

static ast_node *mk_bind(mx *m, ast_node *call)
{
    if (!is_namespace(TARGET(call), "cel"))
        return call;
    ast_node *x = ARG(call, 0);
    if (x->kind != AST_IDENT)
        return fail(m, x, "cel.bind() variable names must be simple identifiers");
    return binding(m, x->u.ident.name, ARG(call, 1), ARG(call, 2));
}

/* ext/math.go isNumericArgType: a numeric literal, or anything that is not
 * a literal or an aggregate literal. */
static bool numeric_arg(const ast_node *a)
{
    switch (a->kind) {
    case AST_LITERAL:
        return a->u.lit.kind == VK_INT || a->u.lit.kind == VK_UINT || a->u.lit.kind == VK_DOUBLE;
    case AST_LIST: case AST_MAP: case AST_STRUCT:
        return false;
    default:
        return true;
    }
}

static bool numeric_list(const ast_node *a)
{
    if (a->kind != AST_LIST || a->u.list.n == 0)
        return false;
    for (uint32_t i = 0; i < a->u.list.n; i++)
        if (!numeric_arg(a->u.list.elems[i]))
            return false;
    return true;
}

static ast_node *math_extreme(mx *m, ast_node *call, bool greatest)
{
    if (!is_namespace(TARGET(call), "math"))
        return call;
    const char *name = greatest ? "math.greatest()" : "math.least()";
    const char *fn = greatest ? FN_MATH_MAX : FN_MATH_MIN;
    uint32_t n = call->u.call.nargs;
    char msg[96];
    if (n == 0) {
        snprintf(msg, sizeof msg, "%s requires at least one argument", name);
        return fail(m, TARGET(call), msg);
    }
    if (n == 1) {
        if (numeric_list(ARG(call, 0)) || numeric_arg(ARG(call, 0)))
            return mk_call1(m, fn, ARG(call, 0));
        snprintf(msg, sizeof msg, "%s invalid single argument value", name);
        return fail(m, ARG(call, 0), msg);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!numeric_arg(ARG(call, i))) {
            snprintf(msg, sizeof msg, "%s simple literal arguments must be numeric", name);
            return fail(m, ARG(call, i), msg);
        }
    }
    if (n == 2)
        return mk_call(m, NULL, fn, call->u.call.args, 2);
    return mk_call1(m, fn, mk_list(m, call->u.call.args, n));
}

static ast_node *mk_greatest(mx *m, ast_node *call) { return math_extreme(m, call, true); }
static ast_node *mk_least(mx *m, ast_node *call) { return math_extreme(m, call, false); }

/* ext/bindings.go's block form, as cel-go's conformance harness defines
 * it (conformance_test.go celBlockLib). */
static bool non_negative_int(const ast_node *a)
{
    return a->kind == AST_LITERAL && a->u.lit.kind == VK_INT && a->u.lit.u.i >= 0;
}

static ast_node *mk_block(mx *m, ast_node *call)
{
    if (!is_namespace(TARGET(call), "cel"))
        return call;
    if (ARG(call, 0)->kind != AST_LIST)
        return fail(m, ARG(call, 0), "cel.block requires the first arg to be a list literal");
    /* cel.block([b0, ..., bn], e) binds @index0 = b0 around ... around
     * @indexn = bn around e: each binding sees the ones before it. */
    ast_node *list = ARG(call, 0);
    if (list->u.list.optional)
        for (uint32_t i = 0; i < list->u.list.n; i++)
            if (list->u.list.optional[i])
                return fail(m, list->u.list.elems[i], "cel.block bindings may not be optional");
    ast_node *result = ARG(call, 1);
    for (uint32_t i = list->u.list.n; i-- > 0;) {
        char buf[32];
        snprintf(buf, sizeof buf, "@index%u", i);
        char *name = rpi_pool_strdup(m->b->pool, buf, strlen(buf));
        if (!name)
            return oom(m);
        result = binding(m, name, list->u.list.elems[i], result);
        if (!result)
            return NULL;
    }
    return result;
}

/* The identifier PREFIX followed by the call's non-negative int arguments,
 * separated by ':' ("@index0", "@it:1:0"). */
static ast_node *numbered_ident(mx *m, ast_node *call, const char *prefix, const char *msg)
{
    for (uint32_t i = 0; i < call->u.call.nargs; i++)
        if (!non_negative_int(ARG(call, i)))
            return fail(m, ARG(call, i), msg);
    char buf[64];
    if (call->u.call.nargs == 1)
        snprintf(buf, sizeof buf, "%s%lld", prefix, (long long)ARG(call, 0)->u.lit.u.i);
    else
        snprintf(buf, sizeof buf, "%s:%lld:%lld", prefix, (long long)ARG(call, 0)->u.lit.u.i,
                 (long long)ARG(call, 1)->u.lit.u.i);
    char *name = rpi_pool_strdup(m->b->pool, buf, strlen(buf));
    return name ? mk_ident(m, name) : oom(m);
}

static ast_node *mk_index(mx *m, ast_node *call)
{
    if (!is_namespace(TARGET(call), "cel"))
        return call;
    return numbered_ident(m, call, "@index",
                          "cel.index requires a single non-negative int constant arg");
}

static ast_node *mk_iter_var(mx *m, ast_node *call)
{
    if (!is_namespace(TARGET(call), "cel"))
        return call;
    return numbered_ident(m, call, "@it",
                          "cel.iterVar requires two non-negative int constant args");
}

static ast_node *mk_accu_var(mx *m, ast_node *call)
{
    if (!is_namespace(TARGET(call), "cel"))
        return call;
    return numbered_ident(m, call, "@ac",
                          "cel.accuVar requires two non-negative int constant args");
}

/* ---- The table --------------------------------------------------------------- */

#define ANY_ARGC (-1)
#define P_ALL RPI_PROF_ALL
#define P_K8S RPI_PROF_K8S_EXT
#define P_EXT RPI_PROF_EXT

static const struct macro {
    const char *name;
    int argc;               /* arguments, receiver not counted; ANY_ARGC: any */
    bool receiver;
    unsigned profiles;
    expander fn;
} macros[] = {
    {"has", 1, false, P_ALL, mk_has},
    {"all", 2, true, P_ALL, mk_all},
    {"exists", 2, true, P_ALL, mk_exists},
    {"exists_one", 2, true, P_ALL, mk_exists_one},
    {"map", 2, true, P_ALL, mk_map},
    {"map", 3, true, P_ALL, mk_map},
    {"filter", 2, true, P_ALL, mk_filter},
    {"all", 3, true, P_K8S, mk_all2},
    {"exists", 3, true, P_K8S, mk_exists2},
    {"existsOne", 3, true, P_K8S, mk_exists_one2},
    {"exists_one", 3, true, P_K8S, mk_exists_one2},
    {"transformList", 3, true, P_K8S, mk_transform_list},
    {"transformList", 4, true, P_K8S, mk_transform_list},
    {"transformMap", 3, true, P_K8S, mk_transform_map},
    {"transformMap", 4, true, P_K8S, mk_transform_map},
    {"transformMapEntry", 3, true, P_K8S, mk_transform_map_entry},
    {"transformMapEntry", 4, true, P_K8S, mk_transform_map_entry},
    {"optMap", 2, true, P_K8S, mk_opt_map},
    {"optFlatMap", 2, true, P_K8S, mk_opt_flat_map},
    {"sortBy", 2, true, P_K8S, mk_sort_by},
    {"existsOne", 2, true, P_EXT, mk_exists_one},
    {"bind", 3, true, P_EXT, mk_bind},
    {"greatest", ANY_ARGC, true, P_EXT, mk_greatest},
    {"least", ANY_ARGC, true, P_EXT, mk_least},
    {"block", 2, true, P_EXT, mk_block},
    {"index", 1, true, P_EXT, mk_index},
    {"iterVar", 2, true, P_EXT, mk_iter_var},
    {"accuVar", 2, true, P_EXT, mk_accu_var},
};

static const struct macro *find_macro(const ast_node *call, unsigned profile)
{
    bool receiver = call->u.call.target != NULL;
    for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++) {
        const struct macro *mc = &macros[i];
        if ((mc->profiles & profile) && mc->receiver == receiver &&
            (mc->argc == ANY_ARGC || (uint32_t)mc->argc == call->u.call.nargs) &&
            !strcmp(mc->name, call->u.call.fn))
            return mc;
    }
    return NULL;
}

/* ---- The walk ---------------------------------------------------------------- */

static ast_node *expand(mx *m, ast_node *n);

static bool expand_all(mx *m, ast_node **nodes, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        if (!(nodes[i] = expand(m, nodes[i])))
            return false;
    return true;
}

#define EXPAND(slot)                              \
    do {                                          \
        if (!((slot) = expand(m, (slot))))        \
            return NULL;                          \
    } while (0)

static ast_node *expand(mx *m, ast_node *n)
{
    switch (n->kind) {
    case AST_SELECT:
        EXPAND(n->u.select.operand);
        return n;
    case AST_CALL: {
        if (n->u.call.target)
            EXPAND(n->u.call.target);
        if (!expand_all(m, n->u.call.args, n->u.call.nargs))
            return NULL;
        const struct macro *mc = find_macro(n, m->profile);
        if (!mc)
            return n;
        m->at = n;
        return mc->fn(m, n);
    }
    case AST_LIST:
        return expand_all(m, n->u.list.elems, n->u.list.n) ? n : NULL;
    case AST_MAP:
        return expand_all(m, n->u.map.keys, n->u.map.n) &&
                       expand_all(m, n->u.map.vals, n->u.map.n)
                   ? n
                   : NULL;
    case AST_STRUCT:
        return expand_all(m, n->u.strct.vals, n->u.strct.n) ? n : NULL;
    case AST_COMPREHENSION:
        EXPAND(n->u.comp.range);
        EXPAND(n->u.comp.init);
        EXPAND(n->u.comp.cond);
        EXPAND(n->u.comp.step);
        EXPAND(n->u.comp.result);
        return n;
    default:
        return n;
    }
}

ast_node *rpi_macros_expand(rpi_ast_builder *b, ast_node *root, int profile, rpi_diag *diag)
{
    if (!b || !root || !diag)
        return NULL;
    mx m = {b, (unsigned)profile, diag, false, NULL};
    ast_node *r = expand(&m, root);
    if (!r && !m.failed)
        oom(&m);
    return r;
}
