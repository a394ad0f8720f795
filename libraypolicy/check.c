/* check.c -- static checks that need the whole tree before code is made.
 *
 * Name resolution, function existence, arity and profile membership are
 * checked by the compiler as it binds each reference (compile.c), because
 * that is where the binding happens.  This pass checks what the compiler
 * does not see: literal operands whose types no overload accepts
 * (`1 + 'a'`, `'a' < 1`, `!1`), which cel-go's checker rejects at compile
 * time, and, in the kubernetes profile, list and map literals whose
 * elements do not share one type (cel-go's HomogeneousAggregateLiterals,
 * which Kubernetes enables).
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

static int walk(const ast_node *n, rpi_diag *diag, unsigned depth, bool homogeneous);

static int walk_children(const ast_node *n, rpi_diag *diag, unsigned depth, bool homogeneous);

static int walk(const ast_node *n, rpi_diag *diag, unsigned depth, bool homogeneous)
{
    if (!n)
        return RP_OK;
    int rc = walk_children(n, diag, depth, homogeneous);
    if (!rc && homogeneous)
        rc = check_homogeneous(n, diag);
    return rc;
}

static int walk_children(const ast_node *n, rpi_diag *diag, unsigned depth, bool homogeneous)
{
    if (!n)
        return RP_OK;
    switch ((ast_kind)n->kind) {
    case AST_SELECT:
        return walk(n->u.select.operand, diag, depth + 1, homogeneous);
    case AST_CALL: {
        /* literals inside a call of `format` are exempt, as the strings
         * extension sets cel-go's HomogeneousAggregateLiteralExemptFunctions */
        bool h = homogeneous && strcmp(n->u.call.fn, "format") != 0;
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
            int rc = walk(n->u.list.elems[i], diag, depth + 1, homogeneous);
            if (rc)
                return rc;
        }
        return RP_OK;
    case AST_MAP:
        for (uint32_t i = 0; i < n->u.map.n; i++) {
            int rc = walk(n->u.map.keys[i], diag, depth + 1, homogeneous);
            if (!rc)
                rc = walk(n->u.map.vals[i], diag, depth + 1, homogeneous);
            if (rc)
                return rc;
        }
        return RP_OK;
    case AST_STRUCT:
        for (uint32_t i = 0; i < n->u.strct.n; i++) {
            int rc = walk(n->u.strct.vals[i], diag, depth + 1, homogeneous);
            if (rc)
                return rc;
        }
        return RP_OK;
    case AST_COMPREHENSION: {
        const ast_node *parts[] = {n->u.comp.range, n->u.comp.init, n->u.comp.cond,
                                   n->u.comp.step, n->u.comp.result};
        for (size_t i = 0; i < 5; i++) {
            int rc = walk(parts[i], diag, depth + 1, homogeneous);
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
    return walk(root, diag, 0, env->profile == RP_PROFILE_KUBERNETES);
}
