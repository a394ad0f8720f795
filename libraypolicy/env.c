/* env.c -- rp_env: the language environment (profile, declared variables,
 * limits).  Immutable once built, so any number of threads may compile and
 * evaluate with one environment at the same time.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Defaults, and where they come from. */
#define DEFAULT_MAX_EXPRESSION_LENGTH 100000u /* bytes; above any policy we have seen */
#define DEFAULT_MAX_NESTING_DEPTH 250u        /* cel-go's default parser recursion limit */
#define DEFAULT_COST_BUDGET 1000000u          /* Kubernetes' PerCallLimit for CEL */
#define DEFAULT_MAX_EVAL_MEMORY (64u << 20)   /* per evaluation */

/* The variables Kubernetes gives a ValidatingAdmissionPolicy expression,
 * plus `inventory` (every object of the same offline check). */
static const char *const kubernetes_variables[] = {
    "object", "oldObject", "params", "request", "namespaceObject", "variables", "inventory", NULL,
};

void rp_env_options_init(rp_env_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    opts->profile = RP_PROFILE_KUBERNETES;
    opts->max_expression_length = DEFAULT_MAX_EXPRESSION_LENGTH;
    opts->max_nesting_depth = DEFAULT_MAX_NESTING_DEPTH;
    opts->cost_budget = DEFAULT_COST_BUDGET;
    opts->max_eval_memory = DEFAULT_MAX_EVAL_MEMORY;
}

/* Field F of OPTS when the caller's struct is large enough to hold it. */
#define OPT_HAS(opts, f) ((opts)->size >= offsetof(rp_env_options, f) + sizeof((opts)->f))

static bool add_variable(rp_env *env, const char *name)
{
    if (rpi_env_has_variable(env, name, strlen(name)))
        return true;
    char **nv = realloc(env->variables, (env->nvariables + 2) * sizeof *nv);
    if (!nv)
        return false;
    env->variables = nv;
    nv[env->nvariables] = strdup(name);
    if (!nv[env->nvariables])
        return false;
    env->nvariables++;
    nv[env->nvariables] = NULL;
    return true;
}

rp_env *rp_env_new(const rp_env_options *opts, rp_error *err)
{
    rp_env_options defaults;
    rp_env_options_init(&defaults);
    if (opts && (opts->size < offsetof(rp_env_options, profile) + sizeof opts->profile ||
                 opts->size > 4096)) {
        rpi_error_set(err, RP_EINVAL, "<env>", 0, 0, "rp_env_options.size is %zu: initialise the options with rp_env_options_init()",
                      opts->size);
        return NULL;
    }
    rp_env *env = calloc(1, sizeof *env);
    if (!env) {
        rpi_error_set(err, RP_ENOMEM, "<env>", 0, 0, "out of memory");
        return NULL;
    }
    const rp_env_options *o = opts ? opts : &defaults;
    env->profile = OPT_HAS(o, profile) ? o->profile : defaults.profile;
    switch (env->profile) {
    case RP_PROFILE_KUBERNETES: env->profile_bit = RPI_PROF_K8S; break;
    case RP_PROFILE_CEL: env->profile_bit = RPI_PROF_CEL; break;
    case RP_PROFILE_EXTENDED: env->profile_bit = RPI_PROF_EXT; break;
    default:
        rpi_error_set(err, RP_EINVAL, "<env>", 0, 0, "unknown profile %d", (int)env->profile);
        free(env);
        return NULL;
    }
#define PICK(f) (OPT_HAS(o, f) && o->f ? o->f : defaults.f)
    env->max_expression_length = PICK(max_expression_length);
    env->max_nesting_depth = PICK(max_nesting_depth);
    env->cost_budget = PICK(cost_budget);
    env->max_eval_memory = PICK(max_eval_memory);
#undef PICK
    env->allow_undeclared = OPT_HAS(o, allow_undeclared) && o->allow_undeclared;
    env->disable_macros = OPT_HAS(o, disable_macros) && o->disable_macros;

    bool ok = true;
    if (env->profile != RP_PROFILE_CEL)
        for (const char *const *v = kubernetes_variables; *v && ok; v++)
            ok = add_variable(env, *v);
    if (OPT_HAS(o, variables) && o->variables)
        for (const char *const *v = o->variables; *v && ok; v++)
            ok = add_variable(env, *v);
    if (!ok) {
        rp_env_free(env);
        rpi_error_set(err, RP_ENOMEM, "<env>", 0, 0, "out of memory");
        return NULL;
    }
    return env;
}

void rp_env_free(rp_env *env)
{
    if (!env)
        return;
    for (size_t i = 0; i < env->nvariables; i++)
        free(env->variables[i]);
    free(env->variables);
    free(env);
}

bool rpi_env_has_variable(const rp_env *env, const char *name, size_t len)
{
    return rpi_env_variable_index(env, name, len) >= 0;
}

int32_t rpi_env_variable_index(const rp_env *env, const char *name, size_t len)
{
    for (size_t i = 0; i < env->nvariables; i++)
        if (strncmp(env->variables[i], name, len) == 0 && env->variables[i][len] == '\0')
            return (int32_t)i;
    return -1;
}
