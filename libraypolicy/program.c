/* program.c -- rp_program: its construction from text (parse, expand
 * macros, check, compile), its release, and its disassembly.  A program is
 * immutable once compiled and may be evaluated by many threads at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SOURCE_NAME "<expression>"

void rp_program_free(rp_program *prog)
{
    if (!prog)
        return;
    for (uint32_t i = 0; i < prog->nregexes; i++)
        rpi_regex_free(prog->regexes[i]);
    rpi_pool_free(prog->pool); /* every array of the program */
    free(prog); /* with its source */
}

/* ---- References to a variable's fields ------------------------------------------ */

typedef struct refs_collector {
    const char *root;           /* the variable whose fields are wanted */
    char **names;
    size_t n, cap;
    bool whole;                 /* ROOT used other than as ROOT.field */
    bool oom;
} refs_collector;

static void refs_add(refs_collector *rc, const char *field, size_t len)
{
    for (size_t i = 0; i < rc->n; i++)
        if (strlen(rc->names[i]) == len && memcmp(rc->names[i], field, len) == 0)
            return;
    if (rc->n == rc->cap) {
        size_t cap = rc->cap ? rc->cap * 2 : 8;
        char **nn = realloc(rc->names, cap * sizeof *nn);
        if (!nn) {
            rc->oom = true;
            return;
        }
        rc->names = nn;
        rc->cap = cap;
    }
    char *c = malloc(len + 1);
    if (!c) {
        rc->oom = true;
        return;
    }
    memcpy(c, field, len);
    c[len] = '\0';
    rc->names[rc->n++] = c;
}

/* Walk the expanded tree.  Depth is bounded by the parser's nesting limit
 * (macro expansion adds a constant factor), so recursion is safe here. */
static void refs_walk(refs_collector *rc, const ast_node *n)
{
    if (!n)
        return;
    switch (n->kind) {
    case AST_LITERAL:
        return;
    case AST_IDENT:
        if (strcmp(n->u.ident.name, rc->root) == 0)
            rc->whole = true;
        return;
    case AST_SELECT: {
        const ast_node *op = n->u.select.operand;
        if (op && op->kind == AST_IDENT && strcmp(op->u.ident.name, rc->root) == 0) {
            refs_add(rc, n->u.select.field, n->u.select.field_len);
            return;
        }
        refs_walk(rc, op);
        return;
    }
    case AST_CALL:
        refs_walk(rc, n->u.call.target);
        for (uint32_t i = 0; i < n->u.call.nargs; i++)
            refs_walk(rc, n->u.call.args[i]);
        return;
    case AST_LIST:
        for (uint32_t i = 0; i < n->u.list.n; i++)
            refs_walk(rc, n->u.list.elems[i]);
        return;
    case AST_MAP:
        for (uint32_t i = 0; i < n->u.map.n; i++) {
            refs_walk(rc, n->u.map.keys[i]);
            refs_walk(rc, n->u.map.vals[i]);
        }
        return;
    case AST_STRUCT:
        for (uint32_t i = 0; i < n->u.strct.n; i++)
            refs_walk(rc, n->u.strct.vals[i]);
        return;
    case AST_COMPREHENSION:
        refs_walk(rc, n->u.comp.range);
        refs_walk(rc, n->u.comp.init);
        refs_walk(rc, n->u.comp.cond);
        refs_walk(rc, n->u.comp.step);
        refs_walk(rc, n->u.comp.result);
        return;
    default:
        return;
    }
}

static int compile_impl(const rp_env *env, const char *expr, size_t len, refs_collector *rc,
                        rp_program **out, rp_error *err);

int rp_compile(const rp_env *env, const char *expr, size_t len, rp_program **out, rp_error *err)
{
    return compile_impl(env, expr, len, NULL, out, err);
}

void rpi_refs_free(rpi_refs *refs)
{
    if (!refs)
        return;
    for (size_t i = 0; i < refs->n; i++)
        free(refs->names[i]);
    free(refs->names);
    refs->names = NULL;
    refs->n = 0;
}

int rpi_compile_refs(const rp_env *env, const char *expr, size_t len, const char *root,
                     rpi_refs *refs, rp_program **out, rp_error *err)
{
    refs_collector rc = {.root = root};
    int rc_code = compile_impl(env, expr, len, &rc, out, err);
    if (rc_code == RP_OK && rc.oom) {
        rp_program_free(*out);
        *out = NULL;
        rpi_error_set(err, RP_ENOMEM, SOURCE_NAME, 0, 0, "out of memory");
        rc_code = RP_ENOMEM;
    }
    if (rc_code != RP_OK) {
        for (size_t i = 0; i < rc.n; i++)
            free(rc.names[i]);
        free(rc.names);
        return rc_code;
    }
    refs->names = rc.names;
    refs->n = rc.n;
    refs->whole = rc.whole;
    return RP_OK;
}

/* A size limit of the whole expression is exceeded: DIAG points at its
 * start.  Returns RP_ELIMIT. */
static int limit_fail(rpi_diag *diag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int limit_fail(rpi_diag *diag, const char *fmt, ...)
{
    diag->code = RP_ELIMIT;
    diag->has_span = true;
    diag->span = (rpi_span){0, 1};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
    return RP_ELIMIT;
}

static int compile_impl(const rp_env *env, const char *expr, size_t len, refs_collector *refs,
                        rp_program **out, rp_error *err)
{
    if (out)
        *out = NULL;
    if (!env || !expr || !out) {
        rpi_error_set(err, RP_EINVAL, SOURCE_NAME, 0, 0, "environment, expression and output must not be NULL");
        return RP_EINVAL;
    }
    if (len > env->max_expression_length) {
        rpi_error_set(err, RP_ELIMIT, SOURCE_NAME, 1, 1,
                      "expression size exceeds limit max_expression_length (%zu bytes): %zu bytes",
                      env->max_expression_length, len);
        return RP_ELIMIT;
    }
    /* The program and its copy of the source in one block. */
    rp_program *prog = malloc(sizeof *prog + len + 1);
    if (!prog) {
        rpi_error_set(err, RP_ENOMEM, SOURCE_NAME, 0, 0, "out of memory");
        return RP_ENOMEM;
    }
    memset(prog, 0, sizeof *prog);
    prog->env = env;
    prog->source = (char *)(prog + 1);
    prog->pool = rpi_pool_new();
    if (!prog->pool) {
        rp_program_free(prog);
        rpi_error_set(err, RP_ENOMEM, SOURCE_NAME, 0, 0, "out of memory");
        return RP_ENOMEM;
    }
    memcpy(prog->source, expr, len);
    prog->source[len] = '\0';
    prog->source_len = len;

    rpi_diag diag = {0};
    rpi_ast_builder b = {prog->pool, 1, 0};
    rpi_parse_options popts = {
        .max_length = env->max_expression_length,
        .max_depth = env->max_nesting_depth,
        .enable_optional_syntax = env->profile != RP_PROFILE_CEL,
        /* Kubernetes does not enable cel-go's identifier escape syntax */
        .disable_escaped_idents = env->profile == RP_PROFILE_KUBERNETES,
    };
    int rc = RP_OK;
    ast_node *root = rpi_parse(&b, prog->source, len, &popts, &diag);
    if (!root)
        rc = diag.code ? diag.code : RP_ESYNTAX;
    if (rc == RP_ELIMIT) /* the length was checked above: it is the nesting */
        snprintf(diag.message, sizeof diag.message,
                 "expression nesting exceeds limit max_nesting_depth (%u)", env->max_nesting_depth);
    if (!rc && !env->disable_macros && b.named_calls) {
        root = rpi_macros_expand(&b, root, (int)env->profile_bit, &diag);
        if (!root)
            rc = diag.code ? diag.code : RP_ESYNTAX;
    }
    if (!rc && b.next_id - 1 > env->max_ast_nodes)
        rc = limit_fail(&diag, "syntax tree exceeds limit max_ast_nodes (%zu nodes): %u nodes",
                        env->max_ast_nodes, b.next_id - 1);
    if (!rc && refs)
        refs_walk(refs, root);
    if (!rc)
        rc = rpi_check(env, root, &diag);
    if (!rc)
        rc = rpi_compile_ast(prog, root, &diag);
    if (!rc && prog->ncode > env->max_program_size)
        rc = limit_fail(&diag, "program exceeds limit max_program_size (%zu instructions): %u instructions",
                        env->max_program_size, prog->ncode);
    if (rc) {
        if (!diag.code)
            diag.code = rc;
        rpi_source_report(err, SOURCE_NAME, prog->source, len, &diag);
        rp_program_free(prog);
        return rc;
    }
    *out = prog;
    return RP_OK;
}

char *rp_program_disassemble(const rp_program *prog)
{
    return prog ? rpi_opcodes_disassemble(prog) : NULL;
}
