/* check.c -- static checks that need the whole tree before code is made.
 *
 * Name resolution, function existence, arity and profile membership are
 * checked by the compiler as it binds each reference (compile.c), because
 * that is where the binding happens.  This pass checks what the compiler
 * does not see: literal operands whose types no overload accepts
 * (`1 + 'a'`, `'a' < 1`, `!1`), which cel-go's checker rejects at compile
 * time, and, in the kubernetes profile, list and map literals whose
 * elements do not share one type (cel-go's HomogeneousAggregateLiterals,
 * which Kubernetes enables).  The kubernetes profile also has the literal
 * checks of cel-go's AST validators that Kubernetes installs (1.29+):
 * duration() and timestamp() of a literal that does not convert ("invalid
 * duration argument"), and find()/findAll() of a constant pattern that does
 * not compile (Kubernetes precompiles them when it builds the program).
 */
#include <string.h>

#include "internal.h"

/* Where cel-go points at node N: its operator, call parenthesis or dot. */
#define ESPAN(n) (&(rpi_span){(n)->op_pos, (n)->op_pos + 1})

/* The static kind of a node when it is known without variables: a literal,
 * or a list/map literal.  VK__COUNT means dynamic. */
static int static_kind(const ast_node *n)
{
    switch (n->kind) {
    case AST_LITERAL: return n->u.lit.kind;
    case AST_LIST: return VK_LIST;
    case AST_MAP: return VK_MAP;
    default: return VK__COUNT;
    }
}

static const char *kind_name(int k)
{
    switch (k) {
    case VK_NULL: return "null_type";
    case VK_BOOL: return "bool";
    case VK_INT: return "int";
    case VK_UINT: return "uint";
    case VK_DOUBLE: return "double";
    case VK_STRING: return "string";
    case VK_BYTES: return "bytes";
    case VK_LIST: return "list";
    case VK_MAP: return "map";
    default: return "dyn";
    }
}

static bool numeric(int k) { return k == VK_INT || k == VK_UINT || k == VK_DOUBLE; }

/* Whether operator FN accepts static kinds A and B.  Cross-type numeric
 * comparisons are accepted (Kubernetes enables them); arithmetic is not. */
static bool binary_ok(const char *fn, int a, int b)
{
    if (a == VK__COUNT || b == VK__COUNT)
        return true;
    if (!strcmp(fn, "_+_"))
        return a == b && (numeric(a) || a == VK_STRING || a == VK_BYTES || a == VK_LIST);
    if (!strcmp(fn, "_-_") || !strcmp(fn, "_*_") || !strcmp(fn, "_/_"))
        return a == b && numeric(a);
    if (!strcmp(fn, "_%_"))
        return a == b && (a == VK_INT || a == VK_UINT);
    if (!strcmp(fn, "_<_") || !strcmp(fn, "_<=_") || !strcmp(fn, "_>_") || !strcmp(fn, "_>=_"))
        return (numeric(a) && numeric(b)) ||
               (a == b && (a == VK_STRING || a == VK_BYTES || a == VK_BOOL));
    if (!strcmp(fn, "_&&_") || !strcmp(fn, "_||_"))
        return a == VK_BOOL && b == VK_BOOL;
    if (!strcmp(fn, "@in"))
        return b == VK_LIST || b == VK_MAP;
    return true;
}

/* ---- Homogeneous aggregate literals (Kubernetes) -------------------------- */

/* The static type of N as text ("int", "list(string)", "map(string, int)"),
 * "dyn" where it depends on variables.  Only literals and literal
 * aggregates have a known type: that is all the homogeneity rule needs. */
static void static_type(const ast_node *n, char *buf, size_t cap)
{
    char a[96], b[96]; /* nested deeper than fits reads as dyn */
    switch (n->kind) {
    case AST_LITERAL:
        snprintf(buf, cap, "%s", kind_name(n->u.lit.kind));
        return;
    case AST_LIST:
        if (n->u.list.n == 0 || n->u.list.optional) {
            snprintf(buf, cap, "list(dyn)");
            return;
        }
        static_type(n->u.list.elems[0], a, sizeof a);
        for (uint32_t i = 1; i < n->u.list.n; i++) {
            static_type(n->u.list.elems[i], b, sizeof b);
            if (strcmp(a, b) != 0) {
                snprintf(a, sizeof a, "dyn");
                break;
            }
        }
        if ((size_t)snprintf(buf, cap, "list(%.*s)", (int)sizeof a, a) >= cap)
            snprintf(buf, cap, "dyn");
        return;
    case AST_MAP:
        if (n->u.map.n == 0 || n->u.map.optional) {
            snprintf(buf, cap, "map(dyn, dyn)");
            return;
        }
        static_type(n->u.map.keys[0], a, sizeof a);
        static_type(n->u.map.vals[0], b, sizeof b);
        if ((size_t)snprintf(buf, cap, "map(%.*s, %.*s)", (int)sizeof a, a, (int)sizeof b, b) >= cap)
            snprintf(buf, cap, "dyn"); /* too deep to spell: unknown */
        return;
    default:
        snprintf(buf, cap, "dyn");
        return;
    }
}

/* cel-go's assignability, as far as static literal types go: equal types,
 * or a dyn where they differ. */
static bool assignable(const char *a, const char *b)
{
    return strcmp(a, b) == 0 || strstr(a, "dyn") || strstr(b, "dyn");
}

/* Kubernetes compiles with cel-go's HomogeneousAggregateLiterals: every
 * element of a list literal, and every key and every value of a map
 * literal, must have one type ("expected type 'int' but found 'string'").
 * Without the option mixed literals are lists of dyn. */
static int check_homogeneous(const ast_node *n, rpi_diag *diag)
{
    char first[128], cur[128];
    if (n->kind == AST_LIST && n->u.list.n > 1 && !n->u.list.optional) {
        static_type(n->u.list.elems[0], first, sizeof first);
        for (uint32_t i = 1; i < n->u.list.n; i++) {
            const ast_node *e = n->u.list.elems[i];
            static_type(e, cur, sizeof cur);
            if (!assignable(first, cur)) {
                rpi_diag_set(diag, RP_ECHECK, ESPAN(e), "expected type '%s' but found '%s'", first, cur);
                return RP_ECHECK;
            }
        }
    }
    if (n->kind == AST_MAP && n->u.map.n > 1 && !n->u.map.optional) {
        for (int part = 0; part < 2; part++) {
            ast_node *const *xs = part == 0 ? n->u.map.keys : n->u.map.vals;
            static_type(xs[0], first, sizeof first);
            for (uint32_t i = 1; i < n->u.map.n; i++) {
                static_type(xs[i], cur, sizeof cur);
                if (!assignable(first, cur)) {
                    rpi_diag_set(diag, RP_ECHECK, ESPAN(xs[i]), "expected type '%s' but found '%s'",
                                 first, cur);
                    return RP_ECHECK;
                }
            }
        }
    }
    return RP_OK;
}

/* ---- Literal arguments (cel-go's ValidateDurationLiterals,
 * ValidateTimestampLiterals, and Kubernetes' precompiled regexes) ----------- */

static bool is_string_lit(const ast_node *n)
{
    return n->kind == AST_LITERAL && n->u.lit.kind == VK_STRING;
}

/* A call whose literal argument would fail the same way on every run is a
 * compile error in Kubernetes: say so now. */
static int check_literal_args(const ast_node *n, rpi_diag *diag)
{
    const char *fn = n->u.call.fn;
    if (!n->u.call.target && n->u.call.nargs == 1) {
        const ast_node *a = n->u.call.args[0];
        int64_t sec;
        int32_t nanos;
        if (!strcmp(fn, "duration") && is_string_lit(a) &&
            rpi_time_parse_duration(a->u.lit.u.s, a->u.lit.aux, &sec, &nanos) != 0) {
            rpi_diag_set(diag, RP_ECHECK, ESPAN(a), "invalid duration argument");
            return RP_ECHECK;
        }
        bool bad_ts = false;
        if (!strcmp(fn, "timestamp") && is_string_lit(a))
            bad_ts = rpi_time_parse_timestamp(a->u.lit.u.s, a->u.lit.aux, &sec, &nanos) != 0;
        if (!strcmp(fn, "timestamp") && a->kind == AST_LITERAL && a->u.lit.kind == VK_INT)
            bad_ts = a->u.lit.u.i < RPI_TS_MIN_SECONDS || a->u.lit.u.i > RPI_TS_MAX_SECONDS;
        if (bad_ts) {
            rpi_diag_set(diag, RP_ECHECK, ESPAN(a), "invalid timestamp argument");
            return RP_ECHECK;
        }
    }
    if (n->u.call.target && n->u.call.nargs >= 1 && is_string_lit(n->u.call.args[0]) &&
        (!strcmp(fn, "find") || !strcmp(fn, "findAll"))) {
        const ast_node *a = n->u.call.args[0];
        char errbuf[256] = "";
        rpi_regex *re = rpi_regex_compile(a->u.lit.u.s, a->u.lit.aux, errbuf, sizeof errbuf);
        if (!re && strcmp(errbuf, "out of memory") == 0) {
            rpi_diag_set(diag, RP_ENOMEM, NULL, "out of memory");
            return RP_ENOMEM;
        }
        if (!re) {
            rpi_diag_set(diag, RP_ECHECK, ESPAN(a), "invalid regular expression: %s",
                         errbuf[0] ? errbuf : "cannot compile");
            return RP_ECHECK;
        }
        rpi_regex_free(re);
    }
    return RP_OK;
}

/* ---- Literal arguments against the declared overloads --------------------- */

/* The length of the first top-level item of S[0..N) (up to a ',' outside
 * parentheses). */
static size_t item_len(const char *s, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '(')
            depth++;
        else if (s[i] == ')')
            depth--;
        else if (s[i] == ',' && depth == 0)
            return i;
    }
    return n;
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
    size_t pn = strlen(p);
    return n > pn && memcmp(s, p, pn) == 0 && s[n - 1] == ')';
}

/* Whether a value of static type ARG fits parameter type PARAM (both
 * without spaces): type parameters and dyn take anything, lists and maps
 * fit element by element, other types must be the same.  Type parameters
 * are not unified (a loose check: it only has to reject what no overload
 * can take). */
static bool fits(const char *arg, size_t an, const char *param, size_t pn)
{
    if ((pn == 3 && !memcmp(param, "dyn", 3)) || (pn == 1 && param[0] >= 'A' && param[0] <= 'Z'))
        return true;
    if (an == 3 && !memcmp(arg, "dyn", 3))
        return true;
    static const char *const generic[] = {"list(", "map("};
    for (size_t g = 0; g < 2; g++) {
        if (!has_prefix(param, pn, generic[g]))
            continue;
        if (!has_prefix(arg, an, generic[g]))
            return false;
        size_t k = strlen(generic[g]);
        const char *a = arg + k, *p = param + k;
        size_t al = an - k - 1, pl = pn - k - 1;
        while (al && pl) {
            size_t ai = item_len(a, al), pi = item_len(p, pl);
            if (!fits(a, ai, p, pi))
                return false;
            a += ai + (ai < al);
            al -= ai + (ai < al);
            p += pi + (pi < pl);
            pl -= pi + (pi < pl);
        }
        return al == 0 && pl == 0;
    }
    return an == pn && memcmp(arg, param, an) == 0;
}

/* Copy S without spaces into OUT (CAP bytes); false when it does not fit. */
static bool squeeze(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ') {
            if (o + 1 >= cap)
                return false;
            out[o++] = s[i];
        }
    out[o] = '\0';
    return true;
}

/* Whether the signature SIG ("id: p1, p2 -> r") takes arguments of the
 * static types TYPES[0..N). */
static bool sig_takes(const char *sig, char types[][128], unsigned n)
{
    const char *colon = strchr(sig, ':'), *arrow = strstr(sig, "->");
    if (!colon || !arrow || arrow < colon)
        return true;
    char params[512];
    if (!squeeze(colon + 1, (size_t)(arrow - colon - 1), params, sizeof params))
        return true;
    const char *p = params;
    size_t pl = strlen(params);
    for (unsigned i = 0; i < n; i++) {
        if (pl == 0)
            return false;
        size_t len = item_len(p, pl);
        if (!fits(types[i], strlen(types[i]), p, len))
            return false;
        p += len + (len < pl);
        pl -= len + (len < pl);
    }
    return pl == 0;
}

#define MAX_TYPED_ARGS 8

/* cel-go rejects a call when no overload takes the static types of its
 * arguments: `isQuantity([1, 2, 3])`, `['a'].sum()`.  Only literal
 * arguments have a static type here, so only they are checked, against the
 * signatures of every entry the call may bind to. */
static int check_overloads(const ast_node *n, const rp_env *env, rpi_diag *diag)
{
    const char *fn = n->u.call.fn;
    const ast_node *target = n->u.call.target;
    if (!target && (fn[0] == '_' || fn[0] == '@' || fn[0] == '!' || fn[0] == '-'))
        return RP_OK; /* operators: binary_ok() */
    if (target && target->kind == AST_IDENT &&
        !rpi_env_has_variable(env, target->u.ident.name, strlen(target->u.ident.name)))
        return RP_OK; /* a namespace (strings.quote) or an unknown name: compile.c */
    unsigned argc = n->u.call.nargs + (target ? 1 : 0);
    if (argc == 0 || argc > MAX_TYPED_ARGS)
        return RP_OK;
    char types[MAX_TYPED_ARGS][128];
    bool known = false;
    for (unsigned i = 0; i < argc; i++) {
        const ast_node *a = target ? (i == 0 ? target : n->u.call.args[i - 1]) : n->u.call.args[i];
        char t[128];
        static_type(a, t, sizeof t);
        if (!squeeze(t, strlen(t), types[i], sizeof types[i]))
            snprintf(types[i], sizeof types[i], "dyn");
        known |= strcmp(types[i], "dyn") != 0;
    }
    if (!known)
        return RP_OK;
    const rpi_func *cands[RPI_MAX_CANDIDATES];
    size_t nc = rpi_registry_find_all(env->profile_bit, fn, target ? RPI_RECEIVER : RPI_GLOBAL, argc,
                                      cands, RPI_MAX_CANDIDATES);
    if (nc == 0)
        return RP_OK;
    for (size_t c = 0; c < nc; c++) {
        if (!cands[c]->sigs)
            return RP_OK;
        for (size_t k = 0; cands[c]->sigs[k]; k++)
            if (sig_takes(cands[c]->sigs[k], types, argc))
                return RP_OK;
    }
    char shown[400];
    size_t o = 0;
    unsigned first = target ? 1 : 0;
    shown[o++] = '(';
    shown[o] = '\0';
    for (unsigned i = first; i < argc; i++)
        o += (size_t)snprintf(shown + o, sizeof shown - o, "%s%s", i > first ? ", " : "", types[i]);
    snprintf(shown + o, sizeof shown - o, ")");
    if (target)
        rpi_diag_set(diag, RP_ECHECK, ESPAN(n), "found no matching overload for '%s' applied to '%s.%s'",
                     fn, types[0], shown);
    else
        rpi_diag_set(diag, RP_ECHECK, ESPAN(n), "found no matching overload for '%s' applied to '%s'", fn,
                     shown);
    return RP_ECHECK;
}

/* What walk() checks besides the operator literals. */
#define CHECK_HOMOGENEOUS 0x1u  /* homogeneous aggregate literals */
#define CHECK_LITERAL_ARGS 0x2u /* literal arguments of conversions, regexes, overloads */

typedef struct walk_ctx {
    const rp_env *env;
    unsigned flags;
} walk_ctx;

static int walk(const ast_node *n, rpi_diag *diag, unsigned depth, const walk_ctx *w);

static int walk_children(const ast_node *n, rpi_diag *diag, unsigned depth, const walk_ctx *w);

static int walk(const ast_node *n, rpi_diag *diag, unsigned depth, const walk_ctx *w)
{
    if (!n)
        return RP_OK;
    int rc = walk_children(n, diag, depth, w);
    if (!rc && (w->flags & CHECK_HOMOGENEOUS))
        rc = check_homogeneous(n, diag);
    if (!rc && (w->flags & CHECK_LITERAL_ARGS) && n->kind == AST_CALL)
        rc = check_literal_args(n, diag);
    if (!rc && (w->flags & CHECK_LITERAL_ARGS) && n->kind == AST_CALL)
        rc = check_overloads(n, w->env, diag);
    return rc;
}

static int walk_children(const ast_node *n, rpi_diag *diag, unsigned depth, const walk_ctx *w)
{
    if (!n)
        return RP_OK;
    switch ((ast_kind)n->kind) {
    case AST_SELECT:
        return walk(n->u.select.operand, diag, depth + 1, w);
    case AST_CALL: {
        /* literals inside a call of `format` are exempt, as the strings
         * extension sets cel-go's HomogeneousAggregateLiteralExemptFunctions */
        walk_ctx inner = *w;
        if (strcmp(n->u.call.fn, "format") == 0)
            inner.flags &= ~CHECK_HOMOGENEOUS;
        const walk_ctx *h = &inner;
        int rc = walk(n->u.call.target, diag, depth + 1, h);
        for (uint32_t i = 0; !rc && i < n->u.call.nargs; i++)
            rc = walk(n->u.call.args[i], diag, depth + 1, h);
        if (rc)
            return rc;
        if (!n->u.call.target && n->u.call.nargs == 2) {
            int a = static_kind(n->u.call.args[0]), b = static_kind(n->u.call.args[1]);
            if (!binary_ok(n->u.call.fn, a, b)) {
                rpi_diag_set(diag, RP_ECHECK, ESPAN(n),
                             "found no matching overload for '%s' applied to '(%s, %s)'",
                             n->u.call.fn, kind_name(a), kind_name(b));
                return RP_ECHECK;
            }
        }
        if (!n->u.call.target && n->u.call.nargs == 1 && !strcmp(n->u.call.fn, "!_")) {
            int a = static_kind(n->u.call.args[0]);
            if (a != VK__COUNT && a != VK_BOOL) {
                rpi_diag_set(diag, RP_ECHECK, ESPAN(n),
                             "found no matching overload for '!_' applied to '(%s)'", kind_name(a));
                return RP_ECHECK;
            }
        }
        if (!n->u.call.target && n->u.call.nargs == 1 && !strcmp(n->u.call.fn, "-_")) {
            int a = static_kind(n->u.call.args[0]);
            if (a != VK__COUNT && a != VK_INT && a != VK_DOUBLE) {
                rpi_diag_set(diag, RP_ECHECK, ESPAN(n),
                             "found no matching overload for '-_' applied to '(%s)'", kind_name(a));
                return RP_ECHECK;
            }
        }
        return RP_OK;
    }
    case AST_LIST:
        for (uint32_t i = 0; i < n->u.list.n; i++) {
            int rc = walk(n->u.list.elems[i], diag, depth + 1, w);
            if (rc)
                return rc;
        }
        return RP_OK;
    case AST_MAP:
        for (uint32_t i = 0; i < n->u.map.n; i++) {
            int rc = walk(n->u.map.keys[i], diag, depth + 1, w);
            if (!rc)
                rc = walk(n->u.map.vals[i], diag, depth + 1, w);
            if (rc)
                return rc;
        }
        return RP_OK;
    case AST_STRUCT:
        for (uint32_t i = 0; i < n->u.strct.n; i++) {
            int rc = walk(n->u.strct.vals[i], diag, depth + 1, w);
            if (rc)
                return rc;
        }
        return RP_OK;
    case AST_COMPREHENSION: {
        const ast_node *parts[] = {n->u.comp.range, n->u.comp.init, n->u.comp.cond,
                                   n->u.comp.step, n->u.comp.result};
        for (size_t i = 0; i < 5; i++) {
            int rc = walk(parts[i], diag, depth + 1, w);
            if (rc)
                return rc;
        }
        return RP_OK;
    }
    default:
        return RP_OK;
    }
}

int rpi_check(const rp_env *env, const ast_node *root, rpi_diag *diag)
{
    if (env->allow_undeclared)
        return RP_OK; /* cel-go's disableCheck: no static checking at all */
    walk_ctx w = {env, env->profile == RP_PROFILE_KUBERNETES ? CHECK_HOMOGENEOUS | CHECK_LITERAL_ARGS : 0};
    return walk(root, diag, 0, &w);
}
