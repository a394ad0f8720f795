/* eval_helpers.h -- shared helpers of the unit tests that compile and run
 * expressions through the public API: compile EXPR in a profile, bind
 * variables from JSON text, and give the result as plain JSON text (or the
 * error code and message), so that each test states its expectation in one
 * line. */
#ifndef TESTS_EVAL_HELPERS_H
#define TESTS_EVAL_HELPERS_H

#include <stdlib.h>
#include <string.h>

#include "raypolicy.h"

typedef struct eval_result {
    int rc;             /* 0, or the RP_E* code of compile or eval */
    char json[4096];    /* plain JSON of the value when rc == 0 */
    rp_error err;
} eval_result;

/* VARS: NULL-terminated pairs name, json. */
static inline eval_result eval_in(rp_profile profile, const char *expr, const char *const *vars)
{
    eval_result r;
    memset(&r, 0, sizeof r);
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = profile;
    const char *names[16] = {0};
    size_t n = 0;
    for (size_t i = 0; vars && vars[i] && n < 15; i += 2)
        names[n++] = vars[i];
    o.variables = names;
    rp_env *env = rp_env_new(&o, &r.err);
    if (!env) {
        r.rc = r.err.code;
        return r;
    }
    rp_program *prog = NULL;
    r.rc = rp_compile(env, expr, strlen(expr), &prog, &r.err);
    rp_activation *act = rp_activation_new(env, &r.err);
    for (size_t i = 0; !r.rc && vars && vars[i]; i += 2)
        r.rc = rp_activation_bind_json(act, vars[i], vars[i + 1], strlen(vars[i + 1]), &r.err);
    if (!r.rc) {
        rp_value *v = NULL;
        r.rc = rp_eval(prog, act, &v, &r.err);
        if (!r.rc) {
            char *s = rp_value_to_json(v, 0);
            if (s) {
                strncpy(r.json, s, sizeof r.json - 1);
                rp_free(s);
            }
            rp_value_free(v);
        }
    }
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
    return r;
}

static inline eval_result eval_cel(const char *expr) { return eval_in(RP_PROFILE_CEL, expr, NULL); }

/* Criterion assertions over eval_in() (a test file includes criterion.h
 * before this header): EXPR evaluates to the plain JSON WANT; EXPR fails
 * with CODE (RP_EEVAL, RP_ECHECK, ...) and a message containing MSG. */
#define EXPECT_IN(profile, expr, want)                                                     \
    do {                                                                                   \
        eval_result r_ = eval_in(profile, expr, NULL);                                     \
        cr_assert_eq(r_.rc, 0, "%s: rc %d: %s", expr, r_.rc, r_.err.message);              \
        cr_assert_str_eq(r_.json, want, "%s", expr);                                       \
    } while (0)
#define EXPECT_ERROR_IN(profile, code, expr, msg)                                          \
    do {                                                                                   \
        eval_result r_ = eval_in(profile, expr, NULL);                                     \
        cr_assert_eq(r_.rc, code, "%s: rc %d (%s)", expr, r_.rc, r_.err.message);          \
        cr_assert(strstr(r_.err.message, msg) != NULL, "%s: %s", expr, r_.err.message);    \
    } while (0)

#endif
