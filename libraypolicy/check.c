/* check.c -- static checks that need the whole tree before code is made.
 *
 * Name resolution, function existence, arity and profile membership are
 * checked by the compiler as it binds each reference (compile.c), because
 * that is where the binding happens.  This pass checks what the compiler
 * does not see: literal operands whose types no overload accepts
 * (`1 + 'a'`, `'a' < 1`, `!1`), which cel-go's checker rejects at compile
 * time, and comprehension variables that shadow nothing valid.
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

static int walk(const ast_node *n, rpi_diag *diag, unsigned depth)
{
    if (!n)
        return RP_OK;
    switch ((ast_kind)n->kind) {
    case AST_SELECT:
        return walk(n->u.select.operand, diag, depth + 1);
    case AST_CALL: {
        int rc = walk(n->u.call.target, diag, depth + 1);
        for (uint32_t i = 0; !rc && i < n->u.call.nargs; i++)
            rc = walk(n->u.call.args[i], diag, depth + 1);
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
            int rc = walk(n->u.list.elems[i], diag, depth + 1);
            if (rc)
                return rc;
        }
        return RP_OK;
    case AST_MAP:
        for (uint32_t i = 0; i < n->u.map.n; i++) {
            int rc = walk(n->u.map.keys[i], diag, depth + 1);
            if (!rc)
                rc = walk(n->u.map.vals[i], diag, depth + 1);
            if (rc)
                return rc;
        }
        return RP_OK;
    case AST_STRUCT:
        for (uint32_t i = 0; i < n->u.strct.n; i++) {
            int rc = walk(n->u.strct.vals[i], diag, depth + 1);
            if (rc)
                return rc;
        }
        return RP_OK;
    case AST_COMPREHENSION: {
        const ast_node *parts[] = {n->u.comp.range, n->u.comp.init, n->u.comp.cond,
                                   n->u.comp.step, n->u.comp.result};
        for (size_t i = 0; i < 5; i++) {
            int rc = walk(parts[i], diag, depth + 1);
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
    return walk(root, diag, 0);
}
