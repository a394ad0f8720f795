/* program.c -- rp_program: its construction from text (parse, expand
 * macros, check, compile), its release, and its disassembly.  A program is
 * immutable once compiled and may be evaluated by many threads at once.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SOURCE_NAME "<expression>"

void rp_program_free(rp_program *prog)
{
    if (!prog)
        return;
    for (uint32_t i = 0; i < prog->nnames; i++)
        free(prog->names[i]);
    for (uint32_t i = 0; i < prog->nregexes; i++)
        rpi_regex_free(prog->regexes[i]);
    free(prog->names);
    free(prog->regexes);
    free(prog->code);
    free(prog->spans);
    free(prog->consts);
    free(prog->funcs);
    free(prog->source);
    rpi_pool_free(prog->pool);
    free(prog);
}

int rp_compile(const rp_env *env, const char *expr, size_t len, rp_program **out, rp_error *err)
{
    if (out)
        *out = NULL;
    if (!env || !expr || !out) {
        rpi_error_set(err, RP_EINVAL, SOURCE_NAME, 0, 0, "environment, expression and output must not be NULL");
        return RP_EINVAL;
    }
    if (len > env->max_expression_length) {
        rpi_error_set(err, RP_ELIMIT, SOURCE_NAME, 1, 1,
                      "expression size exceeds limit: %zu bytes (limit is %zu)", len,
                      env->max_expression_length);
        return RP_ELIMIT;
    }
    rp_program *prog = calloc(1, sizeof *prog);
    if (!prog) {
        rpi_error_set(err, RP_ENOMEM, SOURCE_NAME, 0, 0, "out of memory");
        return RP_ENOMEM;
    }
    prog->env = env;
    prog->pool = rpi_pool_new();
    prog->source = malloc(len + 1);
    if (!prog->pool || !prog->source) {
        rp_program_free(prog);
        rpi_error_set(err, RP_ENOMEM, SOURCE_NAME, 0, 0, "out of memory");
        return RP_ENOMEM;
    }
    memcpy(prog->source, expr, len);
    prog->source[len] = '\0';
    prog->source_len = len;

    rpi_diag diag = {0};
    rpi_ast_builder b = {prog->pool, 1};
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
    if (!rc && !env->disable_macros) {
        root = rpi_macros_expand(&b, root, (int)env->profile_bit, &diag);
        if (!root)
            rc = diag.code ? diag.code : RP_ESYNTAX;
    }
    if (!rc)
        rc = rpi_check(env, root, &diag);
    if (!rc)
        rc = rpi_compile_ast(prog, root, &diag);
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
