/* api_expr.c -- rp_eval: the public entry to evaluation.  It prepares the
 * evaluation context, runs the VM, and turns the final value into what the
 * caller gets: an rp_value, or an RP_E* code with the message and position
 * of the error.  CEL errors stay values inside the VM; only here do they
 * become codes.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Run PROG in ACT after the checks every entry point makes.  RP_OK with
 * *RESULT (not an error value), or an RP_E* code with ERR filled. */
static int run(const rp_program *prog, rp_activation *act, val *result, rp_error *err)
{
    if (act->env != prog->env) {
        rpi_error_set(err, RP_EINVAL, "<expression>", 0, 0,
                      "the activation was created for another environment than the program");
        return RP_EINVAL;
    }
    rpi_arena_reset(act->arena);
    rpi_ctx cx = {0};
    cx.arena = act->arena;
    cx.env = prog->env;
    cx.cost_budget = prog->env->cost_budget;
    cx.program = prog;

    *result = val_null();
    rpi_span span = {0, 0};
    int rc = rpi_eval_status(&cx, rpi_vm_run(prog, act, &cx, result, &span), *result);
    if (rc == RP_ENOMEM) {
        rpi_error_set(err, RP_ENOMEM, "<expression>", 0, 0, "out of memory");
        return RP_ENOMEM;
    }
    unsigned line = 0, column = 0;
    if (rc != RP_OK || result->kind == VK_ERROR)
        rpi_source_locate(prog->source, prog->source_len, span.start, &line, &column);
    if (rc != RP_OK) {
        rpi_error_set(err, rc, "<expression>", line, column, "%s",
                      cx.limit_msg[0] ? cx.limit_msg : rp_strerror(rc));
        return rc;
    }
    if (result->kind == VK_ERROR) {
        rpi_error_set(err, RP_EEVAL, "<expression>", line, column, "%.*s", (int)result->aux,
                      result->u.s);
        return RP_EEVAL;
    }
    return RP_OK;
}

int rp_eval(const rp_program *prog, rp_activation *act, rp_value **out, rp_error *err)
{
    if (out)
        *out = NULL;
    if (!prog || !act || !out) {
        rpi_error_set(err, RP_EINVAL, "<expression>", 0, 0, "program, activation and output must not be NULL");
        return RP_EINVAL;
    }
    val result;
    int rc = run(prog, act, &result, err);
    if (rc != RP_OK)
        return rc;
    *out = rpi_value_export(result);
    if (!*out) {
        rpi_error_set(err, RP_ENOMEM, "<expression>", 0, 0, "out of memory");
        return RP_ENOMEM;
    }
    return RP_OK;
}

int rp_eval_bool(const rp_program *prog, rp_activation *act, int *out, rp_error *err)
{
    if (!prog || !act || !out) {
        rpi_error_set(err, RP_EINVAL, "<expression>", 0, 0, "program, activation and output must not be NULL");
        return RP_EINVAL;
    }
    val result;
    int rc = run(prog, act, &result, err);
    if (rc != RP_OK)
        return rc;
    if (result.kind != VK_BOOL) {
        rpi_error_set(err, RP_ETYPE, "<expression>", 0, 0, "the result is %s, not bool",
                      rpi_val_type_name(result));
        return RP_ETYPE;
    }
    *out = result.u.b;
    return RP_OK;
}

uint64_t rp_activation_allocations(const rp_activation *act)
{
    return act ? rpi_arena_mallocs(act->arena) : 0;
}
