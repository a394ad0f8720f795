/* fuzz_eval.c -- libFuzzer target: compile, bind, evaluate and render.
 *
 * The input is "EXPRESSION \0 JSON": the expression is compiled in the
 * extended profile (undeclared names allowed), the JSON is bound as
 * `object` (rp_activation_bind_json), the program is evaluated (rp_eval)
 * and its result rendered both as plain and as typed JSON
 * (rp_value_to_json).  A small cost budget and memory limit keep every
 * evaluation short, so that a slow input shows up as a limit error rather
 * than as a fuzzer timeout.  Without a NUL the whole input is the
 * expression and `object` is an empty map.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "raypolicy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *expr = (const char *)data;
    const uint8_t *nul = memchr(data, 0, size);
    size_t expr_len = nul != NULL ? (size_t)(nul - data) : size;
    const char *json = nul != NULL ? (const char *)nul + 1 : "{}";
    size_t json_len = nul != NULL ? size - expr_len - 1 : 2;

    rp_env_options opts;
    rp_env_options_init(&opts);
    opts.profile = RP_PROFILE_EXTENDED;
    opts.allow_undeclared = 1;
    opts.cost_budget = 100000;
    opts.max_eval_memory = 16u << 20;
    rp_error err = {0};
    rp_env *env = rp_env_new(&opts, &err);
    if (env == NULL)
        return 0;
    rp_program *prog = NULL;
    if (rp_compile(env, expr, expr_len, &prog, &err) != 0) {
        rp_env_free(env);
        return 0;
    }
    rp_activation *act = rp_activation_new(env, &err);
    if (act != NULL) {
        (void)rp_activation_bind_json(act, "object", json, json_len, &err);
        rp_value *v = NULL;
        if (rp_eval(prog, act, &v, &err) == 0) {
            rp_free(rp_value_to_json(v, 0));
            rp_free(rp_value_to_json(v, RP_JSON_TYPED));
            rp_value_free(v);
        }
        int b;
        (void)rp_eval_bool(prog, act, &b, &err);
        rp_activation_free(act);
    }
    rp_program_free(prog);
    rp_env_free(env);
    return 0;
}
