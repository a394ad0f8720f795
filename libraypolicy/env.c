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
/* The limits of docs/limits.md; that table says why each is what it is. */
#define DEFAULT_MAX_AST_NODES 200000u          /* 2 nodes per byte of the longest expression */
#define DEFAULT_MAX_PROGRAM_SIZE 500000u       /* instructions; the AST limit times 2.5 */
#define DEFAULT_RULE_COST_BUDGET 10000000u     /* Kubernetes' RuntimeCELCostBudget */
#define DEFAULT_MAX_STRING_SIZE (4u << 20)     /* above Kubernetes' 3 MiB request limit */
#define DEFAULT_MAX_LIST_SIZE 1000000u         /* the per-expression cost budget */
#define DEFAULT_MAX_REGEX_LENGTH 100000u       /* the expression length limit */
#define DEFAULT_REGEX_MATCH_LIMIT 1000000u     /* backtracking steps */
#define DEFAULT_MAX_ITERATIONS 1000000u        /* the per-expression cost budget */
#define DEFAULT_MAX_INPUT_BYTES (16u << 20)    /* five times Kubernetes' request limit */
#define DEFAULT_MAX_INPUT_DEPTH 1000u          /* go-yaml's and sigs.k8s.io/json's order */
#define DEFAULT_MAX_INPUT_DOCUMENTS 10000u
#define DEFAULT_MAX_YAML_ALIAS_NODES 1000000u
#define DEFAULT_MAX_PACK_BYTES (4u << 20)
/* Ceilings: deeper would let the recursive passes (compiler, value
 * comparison, jansson's own) run a thread's stack out. */
#define MAX_NESTING_DEPTH_CEILING 1000u
#define MAX_INPUT_DEPTH_CEILING 10000u

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
    opts->max_ast_nodes = DEFAULT_MAX_AST_NODES;
    opts->max_program_size = DEFAULT_MAX_PROGRAM_SIZE;
    opts->rule_cost_budget = DEFAULT_RULE_COST_BUDGET;
    opts->max_string_size = DEFAULT_MAX_STRING_SIZE;
    opts->max_list_size = DEFAULT_MAX_LIST_SIZE;
    opts->max_regex_length = DEFAULT_MAX_REGEX_LENGTH;
    opts->regex_match_limit = DEFAULT_REGEX_MATCH_LIMIT;
    opts->max_comprehension_iterations = DEFAULT_MAX_ITERATIONS;
    opts->max_input_bytes = DEFAULT_MAX_INPUT_BYTES;
    opts->max_input_depth = DEFAULT_MAX_INPUT_DEPTH;
    opts->max_input_documents = DEFAULT_MAX_INPUT_DOCUMENTS;
    opts->max_yaml_alias_nodes = DEFAULT_MAX_YAML_ALIAS_NODES;
    opts->max_pack_bytes = DEFAULT_MAX_PACK_BYTES;
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
    unsigned parts = 1;
    for (const char *q = name; *q; q++)
        parts += *q == '.';
    if (parts > env->max_name_parts)
        env->max_name_parts = parts;
    if (parts > 1)
        env->dotted_heads |= rpi_name_head_bit(name, strlen(name));
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
    env->max_name_parts = rpi_type_name_max_parts();
    env->dotted_heads = rpi_type_dotted_heads();
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
    env->max_ast_nodes = PICK(max_ast_nodes);
    env->max_program_size = PICK(max_program_size);
    env->rule_cost_budget = PICK(rule_cost_budget);
    env->max_string_size = PICK(max_string_size);
    env->max_list_size = PICK(max_list_size);
    env->max_regex_length = PICK(max_regex_length);
    env->regex_match_limit = PICK(regex_match_limit);
    env->max_comprehension_iterations = PICK(max_comprehension_iterations);
    env->max_input_bytes = PICK(max_input_bytes);
    env->max_input_depth = PICK(max_input_depth);
    env->max_input_documents = PICK(max_input_documents);
    env->max_yaml_alias_nodes = PICK(max_yaml_alias_nodes);
    env->max_pack_bytes = PICK(max_pack_bytes);
#undef PICK
    /* a string's or list's length is a uint32_t (value.h) */
    if (env->max_string_size > UINT32_MAX)
        env->max_string_size = UINT32_MAX;
    if (env->max_list_size > UINT32_MAX)
        env->max_list_size = UINT32_MAX;
    if (env->max_nesting_depth > MAX_NESTING_DEPTH_CEILING ||
        env->max_input_depth > MAX_INPUT_DEPTH_CEILING) {
        if (env->max_nesting_depth > MAX_NESTING_DEPTH_CEILING)
            rpi_error_set(err, RP_EINVAL, "<env>", 0, 0, "max_nesting_depth is %u: at most %u",
                          env->max_nesting_depth, MAX_NESTING_DEPTH_CEILING);
        else
            rpi_error_set(err, RP_EINVAL, "<env>", 0, 0, "max_input_depth is %u: at most %u",
                          env->max_input_depth, MAX_INPUT_DEPTH_CEILING);
        free(env);
        return NULL;
    }
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
    for (size_t i = 0; i < env->nvariables; i++) {
        const char *v = env->variables[i];
        if (len ? v[0] == name[0] && strncmp(v, name, len) == 0 && v[len] == '\0' : !v[0])
            return (int32_t)i;
    }
    return -1;
}

void rpi_env_limits_to_options(const rp_env *env, rp_env_options *o)
{
    rp_env_options_init(o);
    if (!env)
        return;
    o->max_expression_length = env->max_expression_length;
    o->max_nesting_depth = env->max_nesting_depth;
    o->cost_budget = env->cost_budget;
    o->max_eval_memory = env->max_eval_memory;
    o->max_ast_nodes = env->max_ast_nodes;
    o->max_program_size = env->max_program_size;
    o->rule_cost_budget = env->rule_cost_budget;
    o->max_string_size = env->max_string_size;
    o->max_list_size = env->max_list_size;
    o->max_regex_length = env->max_regex_length;
    o->regex_match_limit = env->regex_match_limit;
    o->max_comprehension_iterations = env->max_comprehension_iterations;
    o->max_input_bytes = env->max_input_bytes;
    o->max_input_depth = env->max_input_depth;
    o->max_input_documents = env->max_input_documents;
    o->max_yaml_alias_nodes = env->max_yaml_alias_nodes;
    o->max_pack_bytes = env->max_pack_bytes;
}
