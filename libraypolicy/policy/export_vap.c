/* export_vap.c -- a policy pack as Kubernetes objects: a
 * ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) and its
 * binding for every single-object rule, with the pack's parameters as a
 * custom resource (`rpeval export --format vap`).
 *
 * What is written, in this order:
 *   - a CustomResourceDefinition for the parameter kind: group raypolicy.io,
 *     version v1, kind <PackName>Params, cluster-scoped (one parameter
 *     object serves every namespace and also cluster-scoped objects, which
 *     a namespaced parameter kind cannot); its schema types `spec` from the
 *     pack's default parameters;
 *   - the parameter object, named after the pack: the defaults with the
 *     user's parameters merged over them (as an offline check merges them);
 *   - per exported rule a ValidatingAdmissionPolicy named
 *     <lower-case rule id>.raypolicy.io and a binding of the same name whose
 *     validationActions follow the rule's action (deny -> Deny, warn ->
 *     Warn, audit -> Audit).
 *
 * Expressions are rewritten on their syntax tree (never by text search, so
 * strings, comments and comprehension variables are safe):
 *   - `params` -> `params.spec`: offline, params is the merged parameter
 *     map; in a cluster it is the parameter object;
 *   - `cel.bind(x, init, body)` (extended) -> body with every free x
 *     replaced by `(init)`; refused when a name of init is rebound inside
 *     body, where the copy would mean something else;
 *   - in matchConditions, `variables.<name>` -> `(<the variable's
 *     expression>)`, recursively: the API server compiles a policy's
 *     matchConditions without its variables (validation.go,
 *     validateMatchConditionsExpression), although it evaluates them with.
 * Rewritten text is the original text with replacements spliced in at
 * node boundaries; node extents are widened over the parentheses that
 * enclose them, which the lexer's tokens tell apart from parentheses in
 * strings and comments.
 *
 * A rule is left out, with a YAML comment saying why, when it reads
 * `inventory` (a cross-object rule: a ValidatingAdmissionPolicy sees one
 * object) or when any rewritten expression does not compile in a
 * `kubernetes`-profile environment (what an API server accepts), the
 * compile error quoted.
 *
 * The YAML is written here, by hand: block style, plain scalars only for
 * strings that cannot be read as anything else, double-quoted strings with
 * escapes otherwise, and literal blocks for multi-line expressions that a
 * literal block holds exactly.  The same objects are also available as a
 * JSON array.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"
#include "policy/policy.h"

#define EXPORT_GROUP "raypolicy.io"
#define EXPORT_VERSION "v1"
#define VAP_API_VERSION "admissionregistration.k8s.io/v1"
#define CRD_API_VERSION "apiextensions.k8s.io/v1"
/* Rewritten expressions longer than this are refused (inlining can grow
 * text); the kubernetes-profile compile has its own, smaller, limit. */
#define MAX_REWRITTEN ((size_t)1 << 20)

/* ---- Growing strings ----------------------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    size_t max;             /* the most it may hold; 0: no limit */
    bool failed;            /* out of memory, or too_long */
    bool too_long;          /* MAX was reached */
} sbuf;

static bool sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return false;
    if (b->max && b->len + n > b->max) {
        b->failed = b->too_long = true;
        return false;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->failed = true;
            return false;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return true;
}

static bool sb_puts(sbuf *b, const char *s)
{
    return sb_put(b, s, strlen(s));
}

static bool sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool sb_printf(sbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return false;
    }
    if ((size_t)n < sizeof small)
        return sb_put(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = true;
        return false;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    bool ok = sb_put(b, big, (size_t)n);
    free(big);
    return ok;
}

static void sb_indent(sbuf *b, int n)
{
    for (int i = 0; i < n; i++)
        sb_put(b, " ", 1);
}

/* ---- Sets of names ------------------------------------------------------- */

/* The free identifiers of a rewritten expression: what it reads from
 * outside (object, params, variables, inventory, ...). */
typedef struct nameset {
    char **v;
    size_t n, cap;
} nameset;

static bool ns_has(const nameset *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0)
            return true;
    return false;
}

static bool ns_add(nameset *s, const char *name)
{
    if (ns_has(s, name))
        return true;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        char **nv = realloc(s->v, cap * sizeof *nv);
        if (!nv)
            return false;
        s->v = nv;
        s->cap = cap;
    }
    if (!(s->v[s->n] = strdup(name)))
        return false;
    s->n++;
    return true;
}

static bool ns_merge(nameset *dst, const nameset *src)
{
    for (size_t i = 0; i < src->n; i++)
        if (!ns_add(dst, src->v[i]))
            return false;
    return true;
}

static void ns_free(nameset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ---- Rewriting expressions ----------------------------------------------- */

typedef struct tok {
    rpi_span span;
    int kind;
    size_t match;           /* the matching parenthesis; SIZE_MAX: none */
} tok;

typedef enum ent_kind {
    ENT_KEEP,               /* bound by a comprehension: left as written */
    ENT_PARAMS,             /* the parameters: `.spec` appended */
    ENT_SUBST,              /* a cel.bind variable: replaced by its value */
    ENT_VARIABLES           /* `variables`, whose fields are inlined */
} ent_kind;

typedef struct scope_ent {
    const char *name;
    ent_kind kind;
    const char *text;       /* ENT_SUBST: the replacement, parenthesized */
    const nameset *free;    /* ENT_SUBST: the names the replacement reads */
} scope_ent;

/* A rule variable as text for inlining into matchConditions, made when
 * first needed. */
typedef struct var_inline {
    int state;              /* 0 not made, 1 being made, 2 made, 3 failed */
    char *text;
    nameset free;
} var_inline;

typedef struct rule_ctx {
    const rp_pack *pack;
    const rpi_rule *rule;
    var_inline *vars;       /* one per rule variable */
    unsigned depth;         /* variables being inlined into one another */
} rule_ctx;

/* How deep variables may be inlined into one another (each level is a
 * recursion of rewrite()). */
#define MAX_INLINE_DEPTH 64

/* The rewriting of one expression. */
typedef struct rw {
    rule_ctx *R;
    const char *text;
    size_t len;
    tok *toks;
    size_t ntok;
    scope_ent *scope;
    size_t depth, cap;
    size_t ntop;            /* entries that are not comprehension scopes */
    size_t nvars;           /* variables visible when inlining (0: no inlining) */
    bool inline_vars;
    char *msg;              /* why it failed (first reason) */
    size_t msgsize;
    bool failed;
} rw;

static void rw_fail(rw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rw_fail(rw *w, const char *fmt, ...)
{
    if (w->failed)
        return;
    w->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->msg, w->msgsize, fmt, ap);
    va_end(ap);
}

/* Whether B is intact; else W fails saying why. */
static bool sb_ok(rw *w, const sbuf *b)
{
    if (!b->failed)
        return true;
    if (b->too_long)
        rw_fail(w, "is too long once rewritten (more than %zu bytes)", MAX_REWRITTEN);
    else
        rw_fail(w, "out of memory");
    return false;
}

static bool rw_push(rw *w, scope_ent e)
{
    if (w->depth == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        scope_ent *ns = realloc(w->scope, cap * sizeof *ns);
        if (!ns) {
            rw_fail(w, "out of memory");
            return false;
        }
        w->scope = ns;
        w->cap = cap;
    }
    w->scope[w->depth++] = e;
    return true;
}

/* The innermost scope entry named NAME; -1 when NAME is free.  A name
 * written with a leading dot (".params") is looked up at the top only. */
static long rw_lookup(const rw *w, const char *name)
{
    bool root = name[0] == '.';
    size_t top = root ? w->ntop : w->depth;
    if (root)
        name++;
    for (size_t i = top; i-- > 0;)
        if (strcmp(w->scope[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* The tokens of W's text, with matching parentheses paired. */
static bool rw_lex(rw *w, const rp_env *env)
{
    rpi_parse_options opts = {
        .max_length = env->max_expression_length,
        .max_depth = env->max_nesting_depth,
        .enable_optional_syntax = true,
        .disable_escaped_idents = false,
    };
    rpi_diag diag = {0};
    rpi_parser p = {.text = w->text, .len = w->len, .opts = &opts,
                    .max_depth = env->max_nesting_depth ? env->max_nesting_depth : 250,
                    .diag = &diag, .cur = w->text};
    size_t cap = 0, *stack = NULL, nstack = 0;
    for (;;) {
        RPYYSTYPE v;
        rpi_span s = {0, 0};
        int k = rpi_lex(&v, &s, &p);
        if (k == T_END)
            break;
        if (k == T_LEXERR) {
            rw_fail(w, "cannot be read: %s", diag.message);
            free(stack);
            return false;
        }
        if (w->ntok == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            tok *nt = realloc(w->toks, ncap * sizeof *nt);
            size_t *nst = realloc(stack, ncap * sizeof *nst);
            if (nst)
                stack = nst;
            if (nt)
                w->toks = nt;
            if (!nt || !nst) {
                rw_fail(w, "out of memory");
                free(stack);
                return false;
            }
            cap = ncap;
        }
        tok *t = &w->toks[w->ntok];
        t->span = s;
        t->kind = k;
        t->match = SIZE_MAX;
        if (k == T_LPAREN) {
            stack[nstack++] = w->ntok;
        } else if (k == T_RPAREN && nstack) {
            size_t o = stack[--nstack];
            w->toks[o].match = w->ntok;
            t->match = o;
        }
        w->ntok++;
    }
    free(stack);
    return true;
}

/* The first token at or after byte OFFSET. */
static size_t tok_at(const rw *w, uint32_t offset)
{
    size_t lo = 0, hi = w->ntok;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->toks[mid].span.start < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* SP widened over the parentheses of its text that pair with ones outside
 * it.  A node's span can stop inside such a pair: the span of `(a) && b`
 * starts at `a`, so that its text alone would read "a) && b". */
static rpi_span ext_span(const rw *w, rpi_span sp)
{
    for (;;) {
        rpi_span out = sp;
        for (size_t i = tok_at(w, sp.start); i < w->ntok && w->toks[i].span.end <= sp.end; i++) {
            const tok *t = &w->toks[i];
            if (t->match == SIZE_MAX)
                continue;
            const tok *m = &w->toks[t->match];
            if (t->kind == T_RPAREN && m->span.start < out.start)
                out.start = m->span.start;
            else if (t->kind == T_LPAREN && m->span.end > out.end)
                out.end = m->span.end;
        }
        if (out.start == sp.start && out.end == sp.end)
            return sp;
        sp = out;
    }
}

static bool emit(rw *w, const ast_node *n, sbuf *out, nameset *free_names);

/* Fail when replacing entry AT's name by text that reads FREE would let a
 * scope opened since AT capture one of those names. */
static bool check_capture(rw *w, size_t at, const nameset *free_names, const char *what)
{
    for (size_t i = 0; i < free_names->n; i++) {
        long j = rw_lookup(w, free_names->v[i]);
        if (j > (long)at) {
            rw_fail(w, "cannot be rewritten: %s reads '%s', which is bound to something else "
                    "where it is used",
                    what, free_names->v[i]);
            return false;
        }
    }
    return true;
}

/* The text of N (its widened span) with its children rewritten.  Children
 * BFROM .. BFROM+BCOUNT-1 are comprehension variables: written as they are
 * and in scope for the children after them. */
static bool emit_kids(rw *w, const ast_node *n, ast_node *const *kids, size_t nk, size_t bfrom,
                      size_t bcount, sbuf *out, nameset *free_names)
{
    rpi_span ext = ext_span(w, n->span);
    uint32_t pos = ext.start;
    size_t pushed = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < nk; i++) {
        const ast_node *k = kids[i];
        if (!k)
            continue;
        rpi_span ke = ext_span(w, k->span);
        if (ke.start < pos || ke.end > ext.end) {
            rw_fail(w, "cannot be rewritten (unexpected layout at byte %u)", (unsigned)ke.start);
            ok = false;
            break;
        }
        sb_put(out, w->text + pos, ke.start - pos);
        if (bcount && i >= bfrom && i < bfrom + bcount) {
            sb_put(out, w->text + ke.start, ke.end - ke.start);
        } else {
            if (bcount && i >= bfrom + bcount && !pushed) {
                for (size_t b = bfrom; ok && b < bfrom + bcount; b++) {
                    ok = rw_push(w, (scope_ent){kids[b]->u.ident.name, ENT_KEEP, NULL, NULL});
                    pushed += ok;
                }
                if (!ok)
                    break;
            }
            ok = emit(w, k, out, free_names);
        }
        pos = ke.end;
    }
    w->depth -= pushed;
    if (ok)
        sb_put(out, w->text + pos, ext.end - pos);
    return ok && sb_ok(w, out);
}

/* How many leading arguments of call N are comprehension variables: the
 * macros of macros.c that bind names (cel.bind aside). */
static size_t macro_binders(const ast_node *n)
{
    if (!n->u.call.target)
        return 0;
    static const struct {
        const char *fn;
        unsigned nargs, binders;
    } forms[] = {
        {"all", 2, 1}, {"exists", 2, 1}, {"exists_one", 2, 1}, {"existsOne", 2, 1},
        {"map", 2, 1}, {"map", 3, 1}, {"filter", 2, 1}, {"optMap", 2, 1},
        {"optFlatMap", 2, 1}, {"sortBy", 2, 1},
        {"all", 3, 2}, {"exists", 3, 2}, {"exists_one", 3, 2}, {"existsOne", 3, 2},
        {"transformList", 3, 2}, {"transformList", 4, 2}, {"transformMap", 3, 2},
        {"transformMap", 4, 2}, {"transformMapEntry", 3, 2}, {"transformMapEntry", 4, 2},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (strcmp(forms[i].fn, n->u.call.fn) != 0 || forms[i].nargs != n->u.call.nargs)
            continue;
        for (unsigned b = 0; b < forms[i].binders; b++)
            if (n->u.call.args[b]->kind != AST_IDENT)
                return 0;
        return forms[i].binders;
    }
    return 0;
}

static bool is_cel_bind(const ast_node *n)
{
    const ast_node *t = n->u.call.target;
    return t && t->kind == AST_IDENT && strcmp(t->u.ident.name, "cel") == 0 &&
           strcmp(n->u.call.fn, "bind") == 0 && n->u.call.nargs == 3 &&
           n->u.call.args[0]->kind == AST_IDENT;
}

static bool var_inline_text(rw *w, size_t idx);

/* `cel.bind(x, init, body)` -> `(body)` with x replaced by `(init)`. */
static bool emit_bind(rw *w, const ast_node *n, sbuf *out, nameset *free_names)
{
    sbuf init = {.max = MAX_REWRITTEN}, body = {.max = MAX_REWRITTEN};
    nameset init_free = {0};
    bool ok = emit(w, n->u.call.args[1], &init, &init_free);
    sbuf repl = {.max = MAX_REWRITTEN};
    if (ok) {
        sb_puts(&repl, "(");
        sb_put(&repl, init.s ? init.s : "", init.len);
        sb_puts(&repl, ")");
        ok = sb_ok(w, &repl);
    }
    if (ok)
        ok = rw_push(w, (scope_ent){n->u.call.args[0]->u.ident.name, ENT_SUBST, repl.s,
                                    &init_free});
    if (ok) {
        ok = emit(w, n->u.call.args[2], &body, free_names);
        w->depth--;
    }
    if (ok) {
        sb_puts(out, "(");
        sb_put(out, body.s ? body.s : "", body.len);
        sb_puts(out, ")");
    }
    free(init.s);
    free(body.s);
    free(repl.s);
    ns_free(&init_free);
    return ok && sb_ok(w, out);
}

static bool emit(rw *w, const ast_node *n, sbuf *out, nameset *free_names)
{
    if (w->failed)
        return false;
    switch ((ast_kind)n->kind) {
    case AST_LITERAL:
        sb_put(out, w->text + n->span.start, n->span.end - n->span.start);
        return sb_ok(w, out);
    case AST_IDENT: {
        const char *name = n->u.ident.name;
        long i = rw_lookup(w, name);
        const scope_ent *e = i >= 0 ? &w->scope[i] : NULL;
        if (e && e->kind == ENT_SUBST) {
            char what[300];
            snprintf(what, sizeof what, "the cel.bind() variable %s", name);
            if (!check_capture(w, (size_t)i, e->free, what))
                return false;
            sb_puts(out, e->text);
            if (!ns_merge(free_names, e->free)) {
                rw_fail(w, "out of memory");
                return false;
            }
            return sb_ok(w, out);
        }
        if (e && e->kind == ENT_VARIABLES) {
            rw_fail(w, "reads variables other than as variables.<name>, which cannot be inlined");
            return false;
        }
        sb_put(out, w->text + n->span.start, n->span.end - n->span.start);
        if (e && e->kind == ENT_PARAMS)
            sb_puts(out, ".spec");
        if (!e && !ns_add(free_names, name[0] == '.' ? name + 1 : name)) {
            rw_fail(w, "out of memory");
            return false;
        }
        if (e && e->kind == ENT_PARAMS && !ns_add(free_names, "params")) {
            rw_fail(w, "out of memory");
            return false;
        }
        return sb_ok(w, out);
    }
    case AST_SELECT: {
        const ast_node *op = n->u.select.operand;
        long i = op->kind == AST_IDENT ? rw_lookup(w, op->u.ident.name) : -1;
        if (i >= 0 && w->scope[i].kind == ENT_VARIABLES) {
            const char *field = n->u.select.field;
            size_t v = 0;
            while (v < w->nvars && strcmp(w->R->rule->variables[v].name, field) != 0)
                v++;
            if (v == w->nvars) {
                rw_fail(w, "reads variables.%s, which is not defined before it", field);
                return false;
            }
            if (!var_inline_text(w, v))
                return false;
            const var_inline *vi = &w->R->vars[v];
            char what[300];
            snprintf(what, sizeof what, "variables.%s", field);
            if (!check_capture(w, (size_t)i, &vi->free, what))
                return false;
            sb_puts(out, "(");
            sb_puts(out, vi->text);
            sb_puts(out, ")");
            if (!ns_merge(free_names, &vi->free)) {
                rw_fail(w, "out of memory");
                return false;
            }
            return sb_ok(w, out);
        }
        ast_node *kids[1] = {n->u.select.operand};
        return emit_kids(w, n, kids, 1, 0, 0, out, free_names);
    }
    case AST_CALL: {
        if (is_cel_bind(n))
            return emit_bind(w, n, out, free_names);
        size_t nk = n->u.call.nargs + 1;
        ast_node **kids = malloc(nk * sizeof *kids);
        if (!kids) {
            rw_fail(w, "out of memory");
            return false;
        }
        kids[0] = n->u.call.target;
        for (uint32_t i = 0; i < n->u.call.nargs; i++)
            kids[i + 1] = n->u.call.args[i];
        size_t nb = macro_binders(n);
        bool ok = emit_kids(w, n, kids, nk, 1, nb, out, free_names);
        free(kids);
        return ok;
    }
    case AST_LIST:
        return emit_kids(w, n, n->u.list.elems, n->u.list.n, 0, 0, out, free_names);
    case AST_MAP: {
        size_t nk = (size_t)n->u.map.n * 2;
        ast_node **kids = malloc((nk ? nk : 1) * sizeof *kids);
        if (!kids) {
            rw_fail(w, "out of memory");
            return false;
        }
        for (uint32_t i = 0; i < n->u.map.n; i++) {
            kids[2 * i] = n->u.map.keys[i];
            kids[2 * i + 1] = n->u.map.vals[i];
        }
        bool ok = emit_kids(w, n, kids, nk, 0, 0, out, free_names);
        free(kids);
        return ok;
    }
    case AST_STRUCT:
        return emit_kids(w, n, n->u.strct.vals, n->u.strct.n, 0, 0, out, free_names);
    case AST_COMPREHENSION:
        break;
    }
    rw_fail(w, "cannot be rewritten (unexpected node)");
    return false;
}

/* Rewrite TEXT (an expression of R's rule).  INLINE: replace
 * variables.<name> by the first NVARS variables' expressions.  FULL: keep
 * what surrounds the expression (blanks, comments); otherwise the text is
 * the expression's alone, for splicing into another.  Returns the new text
 * (malloc'd) and its free names, or NULL with MSG filled. */
static char *rewrite(rule_ctx *R, const char *text, bool inline_vars, size_t nvars, bool full,
                     nameset *free_names, char *msg, size_t msgsize)
{
    const rp_env *env = R->pack->env;
    rw w = {.R = R, .text = text, .len = strlen(text), .msg = msg, .msgsize = msgsize,
            .inline_vars = inline_vars, .nvars = inline_vars ? nvars : 0};
    msg[0] = '\0';
    rpi_pool *pool = rpi_pool_new();
    if (!pool) {
        snprintf(msg, msgsize, "out of memory");
        return NULL;
    }
    rpi_ast_builder b = {pool, 1, 0};
    rpi_parse_options popts = {
        .max_length = env->max_expression_length,
        .max_depth = env->max_nesting_depth,
        .enable_optional_syntax = true,
        .disable_escaped_idents = env->profile == RP_PROFILE_KUBERNETES,
    };
    rpi_diag diag = {0};
    sbuf out = {.max = MAX_REWRITTEN};
    char *result = NULL;
    ast_node *root = rpi_parse(&b, text, w.len, &popts, &diag);
    if (!root) {
        rw_fail(&w, "does not parse: %s", diag.message);
    } else if (rw_lex(&w, env) &&
               rw_push(&w, (scope_ent){"params", ENT_PARAMS, NULL, NULL}) &&
               (!inline_vars || rw_push(&w, (scope_ent){"variables", ENT_VARIABLES, NULL, NULL}))) {
        w.ntop = w.depth;
        rpi_span ext = ext_span(&w, root->span);
        if (full)
            sb_put(&out, text, ext.start);
        if (emit(&w, root, &out, free_names)) {
            if (full)
                sb_put(&out, text + ext.end, w.len - ext.end);
            if (sb_ok(&w, &out))
                result = out.s ? out.s : strdup("");
        }
    }
    if (!result) {
        free(out.s);
        if (!w.failed)
            snprintf(msg, msgsize, "out of memory");
    }
    free(w.toks);
    free(w.scope);
    rpi_pool_free(pool);
    return result;
}

/* Make the inline text of variable IDX of W's rule (once). */
static bool var_inline_text(rw *w, size_t idx)
{
    var_inline *vi = &w->R->vars[idx];
    if (vi->state == 2)
        return true;
    if (vi->state == 1) {
        rw_fail(w, "variables.%s reads itself", w->R->rule->variables[idx].name);
        return false;
    }
    if (vi->state == 3) {
        rw_fail(w, "variables.%s cannot be inlined", w->R->rule->variables[idx].name);
        return false;
    }
    if (w->R->depth >= MAX_INLINE_DEPTH) {
        rw_fail(w, "reads variables nested more than %d deep, too deep to inline",
                MAX_INLINE_DEPTH);
        return false;
    }
    vi->state = 1;
    char msg[600];
    w->R->depth++;
    vi->text = rewrite(w->R, w->R->rule->variables[idx].expr.text, true, idx, false, &vi->free,
                       msg, sizeof msg);
    w->R->depth--;
    if (!vi->text) {
        vi->state = 3;
        /* the innermost variable that failed, and why */
        static const char nested[] = "cannot be rewritten: variables.";
        if (strncmp(msg, nested, sizeof nested - 1) == 0)
            rw_fail(w, "%s", msg);
        else
            rw_fail(w, "%s%s %s", nested, w->R->rule->variables[idx].name, msg);
        return false;
    }
    vi->state = 2;
    return true;
}

/* ---- Names --------------------------------------------------------------- */

/* S as a DNS subdomain (lower case, [a-z0-9-.], labels starting and ending
 * with an alphanumeric), into BUF; FALLBACK when nothing is left. */
static void dns_name(const char *s, char *buf, size_t size, const char *fallback)
{
    size_t n = 0;
    bool label_start = true;
    for (const char *p = s; *p && n + 1 < size; p++) {
        char c = (char)tolower((unsigned char)*p);
        if (c == '.') {
            while (n && buf[n - 1] == '-')
                n--;
            if (!label_start) {
                buf[n++] = '.';
                label_start = true;
            }
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            c = '-';
        if (c == '-' && label_start)
            continue;
        buf[n++] = c;
        label_start = false;
    }
    while (n && (buf[n - 1] == '-' || buf[n - 1] == '.'))
        n--;
    buf[n] = '\0';
    if (!n)
        snprintf(buf, size, "%s", fallback);
}

/* "ray-hardening" -> "RayHardening": the alphanumeric runs, each with a
 * capital first letter; a leading digit gets "Pack" in front (a kind must
 * start with a letter). */
static void camel_name(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    bool up = true;
    for (const char *p = s; *p && n + 1 < size; p++) {
        if (!isalnum((unsigned char)*p)) {
            up = true;
            continue;
        }
        if (n == 0 && isdigit((unsigned char)*p)) {
            const char *pre = "Pack";
            while (*pre && n + 1 < size)
                buf[n++] = *pre++;
        }
        buf[n++] = up ? (char)toupper((unsigned char)*p) : *p;
        up = false;
    }
    buf[n] = '\0';
    if (!n)
        snprintf(buf, size, "Pack");
}

/* Kinds whose resource name English rules would not give, and the common
 * ones, spelled out. */
static const struct {
    const char *kind, *resource;
} known_resources[] = {
    {"Pod", "pods"}, {"Service", "services"}, {"Endpoints", "endpoints"},
    {"ConfigMap", "configmaps"}, {"Secret", "secrets"}, {"Namespace", "namespaces"},
    {"Node", "nodes"}, {"ServiceAccount", "serviceaccounts"},
    {"PersistentVolume", "persistentvolumes"}, {"PersistentVolumeClaim", "persistentvolumeclaims"},
    {"ResourceQuota", "resourcequotas"}, {"LimitRange", "limitranges"},
    {"ReplicationController", "replicationcontrollers"}, {"PodTemplate", "podtemplates"},
    {"Event", "events"}, {"ComponentStatus", "componentstatuses"},
    {"Deployment", "deployments"}, {"StatefulSet", "statefulsets"},
    {"DaemonSet", "daemonsets"}, {"ReplicaSet", "replicasets"},
    {"ControllerRevision", "controllerrevisions"}, {"Job", "jobs"}, {"CronJob", "cronjobs"},
    {"Ingress", "ingresses"}, {"IngressClass", "ingressclasses"},
    {"NetworkPolicy", "networkpolicies"}, {"Role", "roles"}, {"RoleBinding", "rolebindings"},
    {"ClusterRole", "clusterroles"}, {"ClusterRoleBinding", "clusterrolebindings"},
    {"PodDisruptionBudget", "poddisruptionbudgets"},
    {"HorizontalPodAutoscaler", "horizontalpodautoscalers"},
    {"StorageClass", "storageclasses"}, {"PriorityClass", "priorityclasses"},
    {"RuntimeClass", "runtimeclasses"}, {"EndpointSlice", "endpointslices"},
    {"Lease", "leases"}, {"CustomResourceDefinition", "customresourcedefinitions"},
    {"ValidatingAdmissionPolicy", "validatingadmissionpolicies"},
    {"ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings"},
    {"ValidatingWebhookConfiguration", "validatingwebhookconfigurations"},
    {"MutatingWebhookConfiguration", "mutatingwebhookconfigurations"},
    {"Gateway", "gateways"}, {"GatewayClass", "gatewayclasses"}, {"HTTPRoute", "httproutes"},
    {"GRPCRoute", "grpcroutes"}, {"RayCluster", "rayclusters"}, {"RayJob", "rayjobs"},
    {"RayService", "rayservices"}, {"RayCronJob", "raycronjobs"},
    {"SubnamespaceAnchor", "subnamespaceanchors"},
};

/* The resource name of KIND: the table, else the lower-cased kind in the
 * plural by English rules (-s, -x, -z, -ch, -sh: +es; consonant + y:
 * -ies; else +s), as kubectl and CRDs name resources. */
static void resource_of_kind(const char *kind, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof known_resources / sizeof known_resources[0]; i++)
        if (strcmp(known_resources[i].kind, kind) == 0) {
            snprintf(buf, size, "%s", known_resources[i].resource);
            return;
        }
    if (strcmp(kind, "*") == 0) {
        snprintf(buf, size, "*");
        return;
    }
    size_t n = 0;
    for (const char *p = kind; *p && n + 4 < size; p++)
        buf[n++] = (char)tolower((unsigned char)*p);
    buf[n] = '\0';
    if (n == 0)
        return;
    char last = buf[n - 1], prev = n > 1 ? buf[n - 2] : '\0';
    if (last == 's' || last == 'x' || last == 'z' || (last == 'h' && (prev == 'c' || prev == 's')))
        snprintf(buf + n, size - n, "es");
    else if (last == 'y' && n > 1 && !strchr("aeiou", prev))
        snprintf(buf + n - 1, size - n + 1, "ies");
    else
        snprintf(buf + n, size - n, "s");
}

/* A matchCondition name as Kubernetes wants it (a qualified name:
 * [A-Za-z0-9][-A-Za-z0-9_.]* ending alphanumeric, at most 63). */
static void condition_name(const char *s, size_t index, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *p = s; *p && n + 1 < size && n < 63; p++) {
        char c = *p;
        if (!(isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.'))
            c = '-';
        if (n == 0 && !isalnum((unsigned char)c))
            continue;
        buf[n++] = c;
    }
    while (n && !isalnum((unsigned char)buf[n - 1]))
        n--;
    buf[n] = '\0';
    if (!n)
        snprintf(buf, size, "condition-%zu", index);
}

/* ---- JSON building helpers ----------------------------------------------- */

/* Set KEY of O to V (taking the reference); false (V released) on OOM. */
static bool jset(json_t *o, const char *key, json_t *v)
{
    return v && json_object_set_new(o, key, v) == 0;
}

static json_t *jstrings(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_string(v[i]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* ---- Parameters: schema, values ------------------------------------------ */

static json_t *schema_of(const json_t *v);

/* What one JSON value is, for schemas: a scalar type name, or NULL for
 * objects, arrays and null. */
static const char *scalar_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    default: return NULL;
    }
}

/* The one scalar type every value of the container V has ("integer" and
 * "number" together make "number"); NULL when they differ or one is not
 * a scalar, or V is empty. */
static const char *common_scalar(const json_t *v)
{
    const char *t = NULL;
    size_t n = json_is_array(v) ? json_array_size(v) : json_object_size(v);
    if (n == 0)
        return NULL;
    const char *key;
    json_t *x;
    size_t i;
    bool first = true;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            const char *s = scalar_type(x);
            if (!s)
                return NULL;
            if (first)
                t = s;
            else if (strcmp(t, s) != 0) {
                if ((strcmp(t, "integer") == 0 || strcmp(t, "number") == 0) &&
                    (strcmp(s, "integer") == 0 || strcmp(s, "number") == 0))
                    t = "number";
                else
                    return NULL;
            }
            first = false;
        }
    } else {
        json_object_foreach((json_t *)v, key, x) {
            const char *s = scalar_type(x);
            if (!s)
                return NULL;
            if (first)
                t = s;
            else if (strcmp(t, s) != 0) {
                if ((strcmp(t, "integer") == 0 || strcmp(t, "number") == 0) &&
                    (strcmp(s, "integer") == 0 || strcmp(s, "number") == 0))
                    t = "number";
                else
                    return NULL;
            }
            first = false;
        }
    }
    return t;
}

static json_t *schema_any(void)
{
    return json_pack("{s:b}", "x-kubernetes-preserve-unknown-fields", 1);
}

/* The schema of the items of array A: one scalar type, objects (their
 * keys together), arrays (their items together), else anything. */
static json_t *items_schema(const json_t *a)
{
    const char *t = common_scalar(a);
    if (t)
        return json_pack("{s:s}", "type", t);
    size_t i;
    json_t *x;
    bool all_obj = json_array_size(a) > 0, all_arr = json_array_size(a) > 0;
    json_array_foreach(a, i, x) {
        all_obj = all_obj && json_is_object(x);
        all_arr = all_arr && json_is_array(x);
    }
    if (!all_obj && !all_arr)
        return schema_any();
    json_t *merged = all_obj ? json_object() : json_array();
    if (!merged)
        return NULL;
    json_array_foreach(a, i, x) {
        int rc = 0;
        if (all_obj) {
            const char *k;
            json_t *v;
            json_object_foreach(x, k, v) {
                if (!json_object_get(merged, k))
                    rc |= json_object_set(merged, k, v);
            }
        } else {
            rc = json_array_extend(merged, x);
        }
        if (rc) {
            json_decref(merged);
            return NULL;
        }
    }
    json_t *s = all_obj ? schema_of(merged) : json_pack("{s:s,s:o}", "type", "array", "items",
                                                        items_schema(merged));
    json_decref(merged);
    return s;
}

/* An OpenAPI v3 schema (structural, as CRDs need) for values like V:
 * scalars by type, arrays by the type of their items, mappings with one
 * scalar type as maps of it, other mappings by their keys, keeping
 * unknown fields (a parameter file may add keys); null and mixed values
 * as anything. */
static json_t *schema_of(const json_t *v)
{
    const char *t = scalar_type(v);
    if (t)
        return json_pack("{s:s}", "type", t);
    if (json_is_null(v))
        return json_pack("{s:b,s:b}", "nullable", 1, "x-kubernetes-preserve-unknown-fields", 1);
    if (json_is_array(v)) {
        json_t *items = items_schema(v);
        return items ? json_pack("{s:s,s:o}", "type", "array", "items", items) : NULL;
    }
    if (json_object_size(v) == 0)
        return json_pack("{s:s,s:b}", "type", "object", "x-kubernetes-preserve-unknown-fields", 1);
    const char *common = common_scalar(v);
    if (common)
        return json_pack("{s:s,s:{s:s}}", "type", "object", "additionalProperties", "type", common);
    json_t *props = json_object();
    const char *key;
    json_t *x;
    json_object_foreach((json_t *)v, key, x) {
        if (!props || !jset(props, key, schema_of(x))) {
            json_decref(props);
            return NULL;
        }
    }
    return json_pack("{s:s,s:o,s:b}", "type", "object", "properties", props,
                     "x-kubernetes-preserve-unknown-fields", 1);
}

static const char *type_words(const char *t)
{
    if (!t)
        return "anything";
    if (strcmp(t, "string") == 0) return "a string";
    if (strcmp(t, "integer") == 0) return "an integer";
    if (strcmp(t, "number") == 0) return "a number";
    if (strcmp(t, "boolean") == 0) return "a boolean";
    if (strcmp(t, "array") == 0) return "a list";
    return "a mapping";
}

static const char *value_words(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_ARRAY: return "a list";
    case JSON_OBJECT: return "a mapping";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* Does V fit SCHEMA (made by schema_of)?  PATH names V; on failure, MSG
 * says where and how. */
static bool conforms(const json_t *v, const json_t *schema, const char *path, char *msg,
                     size_t size)
{
    const char *t = json_string_value(json_object_get(schema, "type"));
    if (json_is_null(v)) {
        if (json_is_true(json_object_get(schema, "nullable")) || !t)
            return true;
        snprintf(msg, size, "%s is null; the pack's default is %s", path, type_words(t));
        return false;
    }
    if (!t)
        return true;
    bool ok = (strcmp(t, "string") == 0 && json_is_string(v)) ||
              (strcmp(t, "integer") == 0 && json_is_integer(v)) ||
              (strcmp(t, "number") == 0 && json_is_number(v)) ||
              (strcmp(t, "boolean") == 0 && json_is_boolean(v)) ||
              (strcmp(t, "array") == 0 && json_is_array(v)) ||
              (strcmp(t, "object") == 0 && json_is_object(v));
    if (!ok) {
        snprintf(msg, size, "%s is %s; the pack's default is %s", path, value_words(v),
                 type_words(t));
        return false;
    }
    char sub[512];
    if (json_is_array(v)) {
        const json_t *items = json_object_get(schema, "items");
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (!conforms(x, items, sub, msg, size))
                return false;
        }
    } else if (json_is_object(v)) {
        const json_t *props = json_object_get(schema, "properties");
        const json_t *addl = json_object_get(schema, "additionalProperties");
        bool keep = json_is_true(json_object_get(schema, "x-kubernetes-preserve-unknown-fields"));
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x) {
            snprintf(sub, sizeof sub, "%s.%s", path, k);
            const json_t *s = json_object_get(props, k);
            if (!s)
                s = addl;
            if (s && !conforms(x, s, sub, msg, size))
                return false;
            if (!s && !keep) {
                snprintf(msg, size, "%s is not a field the pack's default has", sub);
                return false;
            }
        }
    }
    return true;
}

/* The position of top-level parameter KEY in the parameter file TEXT. */
static void param_pos(const char *text, size_t len, const char *source, const char *key,
                      unsigned *line, unsigned *col)
{
    *line = *col = 0;
    rpi_docset ds = {0};
    if (rpi_yaml_read(text, len, source, NULL, &ds, NULL) != RP_OK)
        return;
    for (size_t i = 0; i < ds.n; i++) {
        const json_t *root = ds.docs[i].root;
        if (!json_is_object(root))
            continue;
        if (json_is_string(json_object_get(root, "kind")) &&
            json_is_object(json_object_get(root, "spec")))
            root = json_object_get(root, "spec");
        const rpi_pos *p = rpi_posmap_get(ds.pos, root, key, 0);
        if (p) {
            *line = p->key_line ? p->key_line : p->line;
            *col = p->key_line ? p->key_column : p->column;
        }
        break;
    }
    rpi_docset_free(&ds);
}

/* The pack's defaults with the user's parameters merged over them, every
 * name and type checked against the defaults.  NULL with ERR filled. */
static json_t *export_params(const rp_pack *pack, const json_t *spec_schema, const char *text,
                             size_t len, const char *source, rp_error *err)
{
    json_t *user = NULL;
    if (text) {
        if (!source)
            source = "<params>";
        if (rpi_params_read(text, len, source, &user, err) != RP_OK)
            return NULL;
        const char *key;
        json_t *v;
        json_object_foreach(user, key, v) {
            if (json_object_get(pack->params, key))
                continue;
            unsigned line, col;
            param_pos(text, len, source, key, &line, &col);
            rpi_error_set(err, RP_EPACK, source, line, col,
                          "%s:%u:%u: unknown parameter \"%s\" (pack %s does not declare it)",
                          source, line, col, key, pack->name);
            json_decref(user);
            return NULL;
        }
    }
    json_t *merged = rpi_params_merge(pack->params, user);
    if (!merged) {
        json_decref(user);
        rpi_error_set(err, RP_ENOMEM, source ? source : "<params>", 0, 0, "out of memory");
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(merged, key, v) {
        char msg[700];
        const json_t *s = json_object_get(json_object_get(spec_schema, "properties"), key);
        if (s && !conforms(v, s, key, msg, sizeof msg)) {
            unsigned line = 0, col = 0;
            if (text)
                param_pos(text, len, source, key, &line, &col);
            rpi_error_set(err, RP_EPACK, source ? source : "<params>", line, col,
                          "%s:%u:%u: parameter %s", source ? source : "<params>", line, col,
                          msg);
            json_decref(merged);
            json_decref(user);
            return NULL;
        }
    }
    json_decref(user);
    return merged;
}

/* ---- The objects of the export ------------------------------------------- */

typedef struct ex_item {
    char *comment;          /* lines written before the object, or NULL */
    json_t *obj;            /* NULL: a comment alone */
} ex_item;

typedef struct export_set {
    ex_item *items;
    size_t n, cap;
    size_t exported, left_out;
    bool oom;
    /* the names of things shared by every policy */
    char group_kind[128];   /* "RayHardeningParams" */
    char plural[128];       /* "rayhardeningparams" */
    char params_name[254];  /* the parameter object's name */
    char **policy_names;    /* names given so far, to keep them unique */
    size_t n_names;
} export_set;

/* Append an item; takes OBJ's reference and COMMENT (malloc'd). */
static void add_item(export_set *X, char *comment, json_t *obj)
{
    if (X->oom || (!obj && !comment)) {
        X->oom = true;
        free(comment);
        json_decref(obj);
        return;
    }
    if (X->n == X->cap) {
        size_t cap = X->cap ? X->cap * 2 : 16;
        ex_item *ni = realloc(X->items, cap * sizeof *ni);
        if (!ni) {
            X->oom = true;
            free(comment);
            json_decref(obj);
            return;
        }
        X->items = ni;
        X->cap = cap;
    }
    X->items[X->n++] = (ex_item){comment, obj};
}

static void export_set_free(export_set *X)
{
    for (size_t i = 0; i < X->n; i++) {
        free(X->items[i].comment);
        json_decref(X->items[i].obj);
    }
    free(X->items);
    for (size_t i = 0; i < X->n_names; i++)
        free(X->policy_names[i]);
    free(X->policy_names);
}

/* The names of the parameter kind and object: pack "ray-hardening" gives
 * kind RayHardeningParams, plural (and singular) rayhardeningparams, and
 * the object ray-hardening.  The plural is a DNS label, at most 63
 * characters: the pack's part is cut at 57. */
static void param_names(const rp_pack *pack, export_set *X)
{
    char base[58];
    camel_name(pack->name, base, sizeof base);
    snprintf(X->group_kind, sizeof X->group_kind, "%sParams", base);
    size_t i = 0;
    for (; X->group_kind[i]; i++)
        X->plural[i] = (char)tolower((unsigned char)X->group_kind[i]);
    X->plural[i] = '\0';
    dns_name(pack->name, X->params_name, sizeof X->params_name, "params");
}

static json_t *crd_object(const rp_pack *pack, const export_set *X, const json_t *spec_schema)
{
    char name[300], list_kind[160], desc[600];
    snprintf(name, sizeof name, "%s." EXPORT_GROUP, X->plural);
    snprintf(list_kind, sizeof list_kind, "%sList", X->group_kind);
    snprintf(desc, sizeof desc,
             "Parameters of the %s policy pack, read by its ValidatingAdmissionPolicies as "
             "params.spec.",
             pack->name);
    json_t *spec = json_deep_copy(spec_schema);
    return json_pack(
        "{s:s, s:s, s:{s:s, s:{s:s, s:s}}, s:{s:s, s:{s:s, s:s, s:s, s:s}, s:s, "
        "s:[{s:s, s:b, s:b, s:{s:{s:s, s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:o}}}}]}}",
        "apiVersion", CRD_API_VERSION, "kind", "CustomResourceDefinition",
        "metadata", "name", name, "annotations", "raypolicy.io/pack", pack->name,
        "raypolicy.io/pack-version", pack->version ? pack->version : "",
        "spec", "group", EXPORT_GROUP,
        "names", "kind", X->group_kind, "listKind", list_kind, "plural", X->plural,
        "singular", X->plural,
        "scope", "Cluster",
        "versions", "name", EXPORT_VERSION, "served", 1, "storage", 1,
        "schema", "openAPIV3Schema", "type", "object", "description", desc,
        "properties", "apiVersion", "type", "string", "kind", "type", "string",
        "metadata", "type", "object", "spec", spec);
}

static json_t *params_object(const rp_pack *pack, const export_set *X, const json_t *merged)
{
    return json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:O}", "apiVersion",
                     EXPORT_GROUP "/" EXPORT_VERSION, "kind", X->group_kind, "metadata", "name",
                     X->params_name, "annotations", "raypolicy.io/pack", pack->name, "spec",
                     merged);
}

/* V (N strings) as a list; ["*"] when it is empty or holds "*" (a '*'
 * must stand alone). */
static json_t *list_or_any(char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], "*") == 0)
            n = 0;
    return n ? jstrings(v, n) : json_pack("[s]", "*");
}

/* One entry of match.resources as a resourceRule (RR NULL: everything). */
static json_t *resource_rule(const rpi_resource_rule *rr)
{
    json_t *res = json_array();
    bool any = !rr || !rr->n_kinds;
    for (size_t k = 0; rr && k < rr->n_kinds; k++)
        any = any || strcmp(rr->kinds[k], "*") == 0;
    if (res && any && json_array_append_new(res, json_string("*"))) {
        json_decref(res);
        return NULL;
    }
    for (size_t k = 0; res && !any && k < rr->n_kinds; k++) {
        char buf[300];
        resource_of_kind(rr->kinds[k], buf, sizeof buf);
        bool dup = false;
        for (size_t j = 0; j < json_array_size(res); j++)
            dup = dup || strcmp(json_string_value(json_array_get(res, j)), buf) == 0;
        if (!dup && json_array_append_new(res, json_string(buf))) {
            json_decref(res);
            return NULL;
        }
    }
    json_t *ops = rr && rr->n_operations ? list_or_any(rr->operations, rr->n_operations)
                                         : json_pack("[s,s]", "CREATE", "UPDATE");
    json_t *r = json_pack("{s:o,s:o,s:o,s:o}", "apiGroups",
                          list_or_any(rr ? rr->api_groups : NULL, rr ? rr->n_api_groups : 0),
                          "apiVersions",
                          list_or_any(rr ? rr->api_versions : NULL, rr ? rr->n_api_versions : 0),
                          "operations", ops, "resources", res);
    if (r && rr && rr->n_names && !jset(r, "resourceNames", jstrings(rr->names, rr->n_names))) {
        json_decref(r);
        return NULL;
    }
    return r;
}

/* The rule's match as matchConstraints (without the selectors). */
static json_t *match_constraints(const rpi_match *m)
{
    json_t *rules = json_array();
    size_t n = m->n_resources ? m->n_resources : 1;
    for (size_t i = 0; rules && i < n; i++) {
        if (json_array_append_new(rules, resource_rule(m->n_resources ? &m->resources[i] : NULL))) {
            json_decref(rules);
            return NULL;
        }
    }
    return json_pack("{s:s,s:o}", "matchPolicy", "Equivalent", "resourceRules", rules);
}

static json_t *selector_reqs(json_t *arr, const rpi_selector *s)
{
    static const char *const ops[] = {"In", "NotIn", "Exists", "DoesNotExist"};
    for (size_t i = 0; arr && i < s->n_reqs; i++) {
        const rpi_sel_req *r = &s->reqs[i];
        json_t *e = json_pack("{s:s,s:s}", "key", r->key, "operator", ops[r->op]);
        if (e && r->n_values && !jset(e, "values", jstrings(r->values, r->n_values))) {
            json_decref(e);
            e = NULL;
        }
        if (!e || json_array_append_new(arr, e)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* namespaceSelector (namespaces.include/exclude by the name label every
 * Namespace carries, and the rule's namespaceSelector) and objectSelector. */
static bool add_selectors(json_t *mc, const rpi_match *m)
{
    json_t *nsx = json_array();
    if (!nsx)
        return false;
    if (m->n_ns_include) {
        json_t *e = json_pack("{s:s,s:s,s:o}", "key", "kubernetes.io/metadata.name", "operator",
                              "In", "values", jstrings(m->ns_include, m->n_ns_include));
        if (!e || json_array_append_new(nsx, e)) {
            json_decref(nsx);
            return false;
        }
    }
    if (m->n_ns_exclude) {
        json_t *e = json_pack("{s:s,s:s,s:o}", "key", "kubernetes.io/metadata.name", "operator",
                              "NotIn", "values", jstrings(m->ns_exclude, m->n_ns_exclude));
        if (!e || json_array_append_new(nsx, e)) {
            json_decref(nsx);
            return false;
        }
    }
    nsx = selector_reqs(nsx, &m->namespace_selector);
    if (!nsx)
        return false;
    if (json_array_size(nsx)) {
        if (!jset(mc, "namespaceSelector", json_pack("{s:o}", "matchExpressions", nsx)))
            return false;
    } else {
        json_decref(nsx);
    }
    if (m->object_selector.n_reqs) {
        json_t *ox = selector_reqs(json_array(), &m->object_selector);
        if (!ox || !jset(mc, "objectSelector", json_pack("{s:o}", "matchExpressions", ox)))
            return false;
    }
    return true;
}

/* A name for RULE's policy that no earlier policy has. */
static bool policy_name(export_set *X, const rpi_rule *rule, char *buf, size_t size)
{
    char base[200];
    dns_name(rule->id, base, sizeof base, "rule");
    snprintf(buf, size, "%s." EXPORT_GROUP, base);
    for (unsigned k = 2;; k++) {
        bool taken = false;
        for (size_t i = 0; i < X->n_names; i++)
            taken = taken || strcmp(X->policy_names[i], buf) == 0;
        if (!taken)
            break;
        snprintf(buf, size, "%s-%u." EXPORT_GROUP, base, k);
    }
    char **nv = realloc(X->policy_names, (X->n_names + 1) * sizeof *nv);
    if (!nv)
        return false;
    X->policy_names = nv;
    if (!(nv[X->n_names] = strdup(buf)))
        return false;
    X->n_names++;
    return true;
}

/* One expression of a rule as it will be exported. */
typedef struct out_expr {
    char *text;             /* NULL: absent (a validation without messageExpression) */
    char what[160];         /* "validations[0].expression" */
    nameset free;
} out_expr;

/* Kubernetes' validation reasons (validation.go, supportedValidationPolicyReason). */
static bool reason_supported(const char *r)
{
    return strcmp(r, "Forbidden") == 0 || strcmp(r, "Invalid") == 0 ||
           strcmp(r, "RequestEntityTooLarge") == 0;
}

/* "RULE-ID (title) is not exported: " + the reason, as comment text. */
static char *left_out_comment(const rpi_rule *rule, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static char *left_out_comment(const rpi_rule *rule, const char *fmt, ...)
{
    sbuf b = {0};
    sb_printf(&b, "%s (%s) is not exported:\n", rule->id, rule->title);
    char msg[1600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sb_puts(&b, msg);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* Whether a rewrite failed for want of memory: its message, however
 * nested ("variables.x out of memory"), ends so. */
static bool rewrite_oom(const char *msg)
{
    static const char oom[] = "out of memory";
    size_t n = strlen(msg);
    return n >= sizeof oom - 1 && strcmp(msg + n - (sizeof oom - 1), oom) == 0;
}

/* The rule's expressions, in the order variables, matchConditions,
 * validations (expression, messageExpression), rewritten into EX.  Returns
 * why one could not be (comment text), or NULL when all were; *OOM when
 * one could not be for want of memory (no reason to leave the rule out:
 * the export fails). */
static char *rewrite_rule(rule_ctx *R, out_expr *ex, bool *oom)
{
    const rpi_rule *rule = R->rule;
    char *why = NULL;
    size_t k = 0;
    char msg[900];
    for (size_t i = 0; i < rule->n_variables; i++, k++) {
        snprintf(ex[k].what, sizeof ex[k].what, "variables[%zu] (%s)", i, rule->variables[i].name);
        ex[k].text = rewrite(R, rule->variables[i].expr.text, false, 0, true, &ex[k].free, msg,
                             sizeof msg);
        *oom |= !ex[k].text && rewrite_oom(msg);
        if (!ex[k].text && !why)
            why = left_out_comment(rule, "%s %s.", ex[k].what, msg);
    }
    for (size_t i = 0; i < rule->n_conditions; i++, k++) {
        snprintf(ex[k].what, sizeof ex[k].what, "matchConditions[%zu] (%s)", i,
                 rule->conditions[i].name);
        ex[k].text = rewrite(R, rule->conditions[i].expr.text, true, rule->n_variables, true,
                             &ex[k].free, msg, sizeof msg);
        *oom |= !ex[k].text && rewrite_oom(msg);
        if (!ex[k].text && !why)
            why = left_out_comment(rule, "%s %s.", ex[k].what, msg);
    }
    for (size_t i = 0; i < rule->n_validations; i++) {
        for (int m = 0; m < 2; m++, k++) {
            const rpi_validation *v = &rule->validations[i];
            const rpi_pexpr *pe = m ? &v->message_expr : &v->expr;
            snprintf(ex[k].what, sizeof ex[k].what, "validations[%zu].%s", i,
                     m ? "messageExpression" : "expression");
            if (!pe->text)
                continue;
            ex[k].text = rewrite(R, pe->text, false, 0, true, &ex[k].free, msg, sizeof msg);
            *oom |= !ex[k].text && rewrite_oom(msg);
            if (!ex[k].text && !why)
                why = left_out_comment(rule, "%s %s.", ex[k].what, msg);
        }
    }
    return why;
}

/* Why RULE (its expressions rewritten into EX, N of them) cannot be
 * exported, or NULL.  A rule that reads inventory is about several
 * objects: that is the reason, whatever else is wrong.  *OOM on OOM. */
static char *rule_obstacle(const rpi_rule *rule, const rp_env *k8s, out_expr *ex, size_t n,
                           char *rewrite_why, bool *oom)
{
    for (size_t i = 0; i < n; i++) {
        if (ex[i].text && ns_has(&ex[i].free, "inventory")) {
            free(rewrite_why);
            char *c = left_out_comment(
                rule,
                "a cross-object rule: %s reads inventory (the other objects\n"
                "of a check), and a ValidatingAdmissionPolicy sees one object at a time.",
                ex[i].what);
            *oom = !c;
            return c;
        }
    }
    if (rewrite_why)
        return rewrite_why;
    /* Everything must compile as an API server would compile it. */
    for (size_t i = 0; i < n; i++) {
        if (!ex[i].text)
            continue;
        rp_error cerr = {0};
        rp_program *prog = NULL;
        int rc = rp_compile(k8s, ex[i].text, strlen(ex[i].text), &prog, &cerr);
        rp_program_free(prog);
        if (rc == RP_ENOMEM) {
            *oom = true;
            return NULL;
        }
        if (rc) {
            char *c = left_out_comment(rule,
                                       "%s does not compile in the kubernetes profile (what a\n"
                                       "Kubernetes API server accepts):\n%s",
                                       ex[i].what, cerr.message);
            *oom = !c;
            return c;
        }
    }
    return NULL;
}

/* spec.matchConditions, spec.variables, spec.validations of RULE's policy
 * into SPEC; NOTES gets what the reader of the YAML should know. */
static bool policy_expressions(json_t *spec, const rpi_rule *rule, const out_expr *ex, sbuf *notes)
{
    json_t *conds = json_array(), *vars = json_array(), *vals = json_array();
    bool ok = conds && vars && vals;
    size_t k = 0;
    for (size_t i = 0; ok && i < rule->n_variables; i++, k++)
        ok = !json_array_append_new(vars, json_pack("{s:s,s:s}", "name", rule->variables[i].name,
                                                   "expression", ex[k].text));
    bool inlined = false;
    for (size_t i = 0; ok && i < rule->n_conditions; i++, k++) {
        char cname[80];
        condition_name(rule->conditions[i].name, i, cname, sizeof cname);
        for (size_t j = 0; j < json_array_size(conds); j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(conds, j), "name")),
                       cname) == 0)
                snprintf(cname, sizeof cname, "condition-%zu", i);
        inlined = inlined || rule->conditions[i].expr.n_needs > 0;
        ok = !json_array_append_new(
            conds, json_pack("{s:s,s:s}", "name", cname, "expression", ex[k].text));
    }
    for (size_t i = 0; ok && i < rule->n_validations; i++, k += 2) {
        const rpi_validation *v = &rule->validations[i];
        json_t *jv = json_pack("{s:s}", "expression", ex[k].text);
        ok = jv != NULL;
        if (ok && v->message && strspn(v->message, " \t") != strlen(v->message))
            ok = jset(jv, "message", json_string(v->message));
        if (ok && ex[k + 1].text)
            ok = jset(jv, "messageExpression", json_string(ex[k + 1].text));
        if (ok && v->reason && reason_supported(v->reason))
            ok = jset(jv, "reason", json_string(v->reason));
        else if (ok && v->reason)
            sb_printf(notes,
                      "%s: validations[%zu].reason \"%s\" is left out: Kubernetes accepts\n"
                      "Forbidden, Invalid and RequestEntityTooLarge.\n",
                      rule->id, i, v->reason);
        if (ok)
            ok = !json_array_append_new(vals, jv);
        else
            json_decref(jv);
    }
    if (ok && inlined)
        sb_printf(notes,
                  "%s: the variables its matchConditions read are written into them: an API\n"
                  "server compiles matchConditions without the policy's variables.\n",
                  rule->id);
    if (ok && json_array_size(conds))
        ok = jset(spec, "matchConditions", json_incref(conds));
    if (ok && json_array_size(vars))
        ok = jset(spec, "variables", json_incref(vars));
    if (ok)
        ok = jset(spec, "validations", json_incref(vals));
    json_decref(conds);
    json_decref(vars);
    json_decref(vals);
    return ok && !notes->failed;
}

static const char *const action_names[] = {"Deny", "Warn", "Audit"};

/* RULE's policy and binding (its expressions rewritten in EX). */
static bool add_policy(export_set *X, const rp_pack *pack, const rpi_rule *rule, const out_expr *ex)
{
    char name[300];
    if (!policy_name(X, rule, name, sizeof name))
        return false;
    sbuf notes = {0};
    json_t *mc = match_constraints(&rule->match);
    bool ok = mc && add_selectors(mc, &rule->match);
    json_t *spec = ok ? json_pack("{s:s,s:{s:s,s:s},s:O}", "failurePolicy", "Fail", "paramKind",
                                  "apiVersion", EXPORT_GROUP "/" EXPORT_VERSION, "kind",
                                  X->group_kind, "matchConstraints", mc)
                      : NULL;
    ok = spec && policy_expressions(spec, rule, ex, &notes);
    json_t *annotations = json_pack("{s:s,s:s,s:s,s:s}", "raypolicy.io/rule", rule->id,
                                    "raypolicy.io/title", rule->title, "raypolicy.io/severity",
                                    rpi_severity_name(rule->severity), "raypolicy.io/pack",
                                    pack->name);
    json_t *policy = NULL, *binding = NULL;
    if (ok && annotations) {
        policy = json_pack("{s:s,s:s,s:{s:s,s:O},s:O}", "apiVersion", VAP_API_VERSION, "kind",
                           "ValidatingAdmissionPolicy", "metadata", "name", name, "annotations",
                           annotations, "spec", spec);
        binding = json_pack("{s:s,s:s,s:{s:s,s:O},s:{s:s,s:[s],s:{s:s,s:s}}}", "apiVersion",
                            VAP_API_VERSION, "kind", "ValidatingAdmissionPolicyBinding", "metadata",
                            "name", name, "annotations", annotations, "spec", "policyName", name,
                            "validationActions", action_names[rule->action], "paramRef", "name",
                            X->params_name, "parameterNotFoundAction", "Deny");
    }
    json_decref(mc);
    json_decref(spec);
    json_decref(annotations);
    if (!policy || !binding) {
        json_decref(policy);
        json_decref(binding);
        free(notes.s);
        return false;
    }
    if (notes.len && notes.s[notes.len - 1] == '\n')
        notes.s[--notes.len] = '\0';
    add_item(X, notes.s, policy);
    add_item(X, NULL, binding);
    return true;
}

/* Export RULE: its policy and binding, or a comment saying why not. */
static void export_rule(export_set *X, const rp_pack *pack, const rp_env *k8s, const rpi_rule *rule)
{
    rule_ctx R = {pack, rule, NULL, 0};
    size_t n = rule->n_variables + rule->n_conditions + 2 * rule->n_validations;
    out_expr *ex = calloc(n ? n : 1, sizeof *ex);
    R.vars = calloc(rule->n_variables ? rule->n_variables : 1, sizeof *R.vars);
    if (!ex || !R.vars) {
        X->oom = true;
    } else {
        bool oom = false;
        char *why = rewrite_rule(&R, ex, &oom);
        if (oom)
            free(why);
        else
            why = rule_obstacle(rule, k8s, ex, n, why, &oom);
        if (oom) {
            X->oom = true;
        } else if (why) {
            add_item(X, why, NULL);
            X->left_out++;
        } else if (add_policy(X, pack, rule, ex)) {
            X->exported++;
        } else {
            X->oom = true;
        }
    }
    for (size_t i = 0; ex && i < n; i++) {
        free(ex[i].text);
        ns_free(&ex[i].free);
    }
    free(ex);
    for (size_t i = 0; R.vars && i < rule->n_variables; i++) {
        free(R.vars[i].text);
        ns_free(&R.vars[i].free);
    }
    free(R.vars);
}

/* ---- YAML ---------------------------------------------------------------- */

/* Can S be written as a plain scalar that every YAML 1.1 and 1.2 reader
 * reads back as this string?  Only simple names: a letter, '_' or '/'
 * first, then letters, digits and ._/-, and none of the words that mean
 * booleans or null. */
static bool plain_ok(const char *s)
{
    if (!s[0] || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == '/'))
        return false;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '/' || *p == '-'))
            return false;
    static const char *const words[] = {"y", "n", "yes", "no", "on", "off", "true", "false",
                                        "null", NULL};
    for (const char *const *w = words; *w; w++)
        if (strcasecmp(s, *w) == 0)
            return false;
    return true;
}

/* The code point at P (valid UTF-8, as jansson strings are), its length in *N. */
static uint32_t utf8_at(const unsigned char *p, size_t *n)
{
    if (p[0] < 0x80) {
        *n = 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0 && p[1]) {
        *n = 2;
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    }
    if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2]) {
        *n = 3;
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    if ((p[0] & 0xF8) == 0xF0 && p[1] && p[2] && p[3]) {
        *n = 4;
        return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
               ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    }
    *n = 1;
    return 0xFFFD;
}

/* Characters a YAML reader would not give back as they are from a block
 * scalar: controls other than tab and newline, C1 controls (NEL among
 * them), the line and paragraph separators, the byte-order mark. */
static bool yaml_special(uint32_t c)
{
    return (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7F && c <= 0x9F) || c == 0x2028 ||
           c == 0x2029 || c == 0xFEFF;
}

/* Can S (with line breaks) be written as a literal block scalar, | or |-,
 * and read back exactly?  Not when it has special characters, a line with
 * trailing blanks or starting with a tab, a first line starting with a
 * blank (the indentation would be misread), a leading line break, or more
 * than one final line break. */
static bool literal_ok(const char *s, size_t len)
{
    if (!memchr(s, '\n', len) || len == 0 || s[0] == ' ' || s[0] == '\n' || s[0] == '\t')
        return false;
    if (len >= 2 && s[len - 1] == '\n' && s[len - 2] == '\n')
        return false;
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t c = utf8_at((const unsigned char *)s + i, &n);
        if (yaml_special(c))
            return false;
        if (c == '\n' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
            return false;
        if (c == '\n' && i + 1 < len && s[i + 1] == '\t')
            return false;
        i += n;
    }
    return s[len - 1] != ' ' && s[len - 1] != '\t';
}

static void y_quoted(sbuf *b, const char *s, size_t len)
{
    sb_puts(b, "\"");
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t c = utf8_at((const unsigned char *)s + i, &n);
        switch (c) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\n': sb_puts(b, "\\n"); break;
        case '\t': sb_puts(b, "\\t"); break;
        case '\r': sb_puts(b, "\\r"); break;
        case 0x2028: sb_puts(b, "\\L"); break;
        case 0x2029: sb_puts(b, "\\P"); break;
        default:
            if (c == 0xFEFF)
                sb_puts(b, "\\uFEFF");
            else if (yaml_special(c))
                sb_printf(b, "\\x%02X", (unsigned)c);
            else
                sb_put(b, s + i, n);
        }
        i += n;
    }
    sb_puts(b, "\"");
}

/* A string scalar after "key:" or "-" (the space included).  INDENT is the
 * indentation of the key or dash; a literal block's lines go two deeper. */
static void y_string(sbuf *b, const char *s, size_t len, int indent, bool block_ok)
{
    if (len == strlen(s) && plain_ok(s)) {
        sb_puts(b, " ");
        sb_put(b, s, len);
        sb_puts(b, "\n");
        return;
    }
    if (block_ok && literal_ok(s, len)) {
        bool final_nl = s[len - 1] == '\n';
        sb_puts(b, final_nl ? " |\n" : " |-\n");
        size_t end = final_nl ? len - 1 : len;
        for (size_t i = 0; i <= end;) {
            const char *nl = memchr(s + i, '\n', end - i);
            size_t stop = nl ? (size_t)(nl - s) : end;
            if (stop > i)
                sb_indent(b, indent + 2);
            sb_put(b, s + i, stop - i);
            sb_puts(b, "\n");
            i = stop + 1;
        }
        return;
    }
    sb_puts(b, " ");
    y_quoted(b, s, len);
    sb_puts(b, "\n");
}

/* The shortest decimal form of D that reads back as D, with a '.' or an
 * exponent (so that YAML reads a float). */
static void y_real(sbuf *b, double d)
{
    char buf[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (!strpbrk(buf, ".eEn"))
        strncat(buf, ".0", sizeof buf - strlen(buf) - 1);
    sb_puts(b, buf);
}

static void y_scalar_inline(sbuf *b, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        if (json_string_length(v) == strlen(s) && plain_ok(s))
            sb_puts(b, s);
        else
            y_quoted(b, s, json_string_length(v));
        break;
    }
    case JSON_INTEGER: sb_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: y_real(b, json_real_value(v)); break;
    case JSON_TRUE: sb_puts(b, "true"); break;
    case JSON_FALSE: sb_puts(b, "false"); break;
    case JSON_NULL: sb_puts(b, "null"); break;
    default: break;
    }
}

/* A short list of single-line scalars reads best in flow style. */
static bool flow_list_ok(const json_t *a)
{
    size_t total = 0, i;
    json_t *x;
    json_array_foreach(a, i, x) {
        if (json_is_object(x) || json_is_array(x))
            return false;
        if (json_is_string(x)) {
            const char *s = json_string_value(x);
            for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (*p < 0x20 || *p >= 0x7F || *p == '"' || *p == '\\')
                    return false;
            total += strlen(s) + 4;
        } else {
            total += 8;
        }
    }
    return total <= 72;
}

static void y_mapping(sbuf *b, const json_t *o, int indent, bool first_inline);
static void y_sequence(sbuf *b, const json_t *a, int indent);

/* The value after "key:" or "- " (not yet written: starts with a space or
 * a line break).  INDENT is the indentation of the key or dash. */
static void y_value(sbuf *b, const json_t *v, int indent, bool in_seq)
{
    if (json_is_object(v)) {
        if (json_object_size(v) == 0) {
            sb_puts(b, " {}\n");
        } else if (in_seq) {
            sb_puts(b, " ");
            y_mapping(b, v, indent + 2, true);
        } else {
            sb_puts(b, "\n");
            y_mapping(b, v, indent + 2, false);
        }
    } else if (json_is_array(v)) {
        if (json_array_size(v) == 0) {
            sb_puts(b, " []\n");
        } else if (flow_list_ok(v)) {
            sb_puts(b, " [");
            size_t i;
            json_t *x;
            json_array_foreach(v, i, x) {
                if (i)
                    sb_puts(b, ", ");
                y_scalar_inline(b, x);
            }
            sb_puts(b, "]\n");
        } else {
            sb_puts(b, "\n");
            y_sequence(b, v, in_seq ? indent + 2 : indent);
        }
    } else if (json_is_string(v)) {
        y_string(b, json_string_value(v), json_string_length(v), indent, true);
    } else {
        sb_puts(b, " ");
        y_scalar_inline(b, v);
        sb_puts(b, "\n");
    }
}

static void y_key(sbuf *b, const char *k)
{
    if (plain_ok(k))
        sb_puts(b, k);
    else
        y_quoted(b, k, strlen(k));
    sb_puts(b, ":");
}

static void y_mapping(sbuf *b, const json_t *o, int indent, bool first_inline)
{
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach((json_t *)o, k, v) {
        if (!(first && first_inline))
            sb_indent(b, indent);
        first = false;
        y_key(b, k);
        y_value(b, v, indent, false);
    }
}

/* Sequences under a key sit at the key's indentation (kubectl's style). */
static void y_sequence(sbuf *b, const json_t *a, int indent)
{
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        sb_indent(b, indent);
        sb_puts(b, "-");
        y_value(b, x, indent, true);
    }
}

static void y_comment(sbuf *b, const char *text)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        sb_puts(b, n ? "# " : "#");
        sb_put(b, p, n);
        sb_puts(b, "\n");
        p += n + (nl ? 1 : 0);
    }
}

static char *render_yaml(const export_set *X, const char *header)
{
    sbuf b = {0};
    y_comment(&b, header);
    for (size_t i = 0; i < X->n; i++) {
        if (X->items[i].comment)
            y_comment(&b, X->items[i].comment);
        if (X->items[i].obj) {
            sb_puts(&b, "---\n");
            y_mapping(&b, X->items[i].obj, 0, false);
        }
    }
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static char *render_json(const export_set *X)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < X->n; i++)
        if (X->items[i].obj && json_array_append(a, X->items[i].obj)) {
            json_decref(a);
            return NULL;
        }
    char *s = a ? rpi_report_json_dumps(a, JSON_INDENT(2)) : NULL;
    json_decref(a);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *out = realloc(s, n + 2);
    if (!out) {
        free(s);
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    return out;
}

/* ---- The public functions ------------------------------------------------ */

static char *export_pack(const rp_pack *pack, const char *params, size_t params_len,
                         const char *params_source, bool as_json, rp_error *err)
{
    if (!pack) {
        rpi_error_set(err, RP_EINVAL, "<pack>", 0, 0, "pack must not be NULL");
        return NULL;
    }
    export_set X = {0};
    param_names(pack, &X);

    /* spec: exactly the pack's parameters, each typed from its default. */
    json_t *props = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(pack->params, key, v) {
        if (props && !jset(props, key, schema_of(v))) {
            json_decref(props);
            props = NULL;
        }
    }
    json_t *spec_schema = props ? json_pack("{s:s,s:o}", "type", "object", "properties", props)
                                : NULL;
    if (!spec_schema) {
        rpi_error_set(err, RP_ENOMEM, pack->source, 0, 0, "out of memory");
        return NULL;
    }
    json_t *merged = export_params(pack, spec_schema, params, params_len, params_source, err);
    if (!merged) {
        json_decref(spec_schema);
        return NULL;
    }
    rp_env_options o;
    rpi_env_limits_to_options(pack->env, &o); /* every limit of the pack's */
    o.profile = RP_PROFILE_KUBERNETES;
    rp_env *k8s = rp_env_new(&o, err);
    char *out = NULL;
    if (k8s) {
        add_item(&X, NULL, crd_object(pack, &X, spec_schema));
        add_item(&X, NULL, params_object(pack, &X, merged));
        for (size_t i = 0; i < pack->n_rules && !X.oom; i++)
            export_rule(&X, pack, k8s, &pack->rules[i]);
        if (!X.oom && as_json) {
            out = render_json(&X);
        } else if (!X.oom) {
            sbuf h = {0};
            sb_printf(&h,
                      "ValidatingAdmissionPolicies for policy pack %s%s%s\n"
                      "(rpeval export --format vap, libraypolicy %s).\n\n"
                      "A CustomResourceDefinition for the parameter kind %s\n"
                      "(%s/%s, cluster-scoped), the parameter object %s,\n"
                      "and for each exported rule a ValidatingAdmissionPolicy and its binding:\n"
                      "%zu of %zu rules exported",
                      pack->name, pack->version ? " " : "", pack->version ? pack->version : "",
                      RP_VERSION_STRING, X.group_kind, EXPORT_GROUP, EXPORT_VERSION,
                      X.params_name, X.exported, pack->n_rules);
            if (X.left_out)
                sb_printf(&h, ", %zu left out (each with a comment saying why)", X.left_out);
            sb_puts(&h, ".\nApply the CustomResourceDefinition first: the parameter object "
                        "needs it.");
            if (!h.failed)
                out = render_yaml(&X, h.s);
            free(h.s);
        }
        if (!out)
            rpi_error_set(err, RP_ENOMEM, pack->source, 0, 0, "out of memory");
    }
    rp_env_free(k8s);
    export_set_free(&X);
    json_decref(merged);
    json_decref(spec_schema);
    return out;
}

char *rp_pack_export_vap(const rp_pack *pack, const char *params, size_t params_len,
                         const char *params_source, rp_error *err)
{
    return export_pack(pack, params, params_len, params_source, false, err);
}

char *rp_pack_export_vap_json(const rp_pack *pack, const char *params, size_t params_len,
                              const char *params_source, rp_error *err)
{
    return export_pack(pack, params, params_len, params_source, true, err);
}
