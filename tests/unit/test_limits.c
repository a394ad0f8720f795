/* test_limits.c -- hostile input against every limit of rp_env_options
 * (docs/limits.md), through the public API: deep nesting, huge literals,
 * invalid UTF-8 and NUL bytes, YAML alias bombs, 100 MB documents,
 * regexes with catastrophic backtracking, cost bombs.  Each must end in a
 * clear error -- RP_ELIMIT whose message names the option, or a report
 * error entry that does -- never in a crash or a hang.
 *
 * Nothing here times itself: the inputs are large enough that a library
 * without the limit would take minutes or gigabytes, so a regression shows
 * as this file's timeout (TIMEOUT seconds a test, generous for valgrind). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "raypolicy.h"

#define TIMEOUT 300

/* A string literal and its length, NUL bytes inside included. */
#define TEXT(s) {s, sizeof s - 1}

/* ---- Helpers --------------------------------------------------------------------- */

static rp_env *env_of(const rp_env_options *o)
{
    rp_error err = {0};
    rp_env *env = rp_env_new(o, &err);
    cr_assert_not_null(env, "rp_env_new: %s", err.message);
    return env;
}

/* Options with the defaults and PROFILE. */
static rp_env_options opts(rp_profile profile)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = profile;
    return o;
}

/* S repeated N times, then MID, then T repeated N times (malloc'd). */
static char *nest(const char *s, const char *mid, const char *t, size_t n, size_t *len)
{
    size_t ls = strlen(s), lm = strlen(mid), lt = strlen(t);
    char *p = malloc(n * (ls + lt) + lm + 1);
    cr_assert_not_null(p);
    char *q = p;
    for (size_t i = 0; i < n; i++, q += ls)
        memcpy(q, s, ls);
    memcpy(q, mid, lm);
    q += lm;
    for (size_t i = 0; i < n; i++, q += lt)
        memcpy(q, t, lt);
    *q = '\0';
    *len = (size_t)(q - p);
    return p;
}

/* RC and ERR are a limit error naming OPTION. */
static void expect_limit(int rc, const rp_error *err, const char *option)
{
    cr_assert_eq(rc, RP_ELIMIT, "rc %d, want RP_ELIMIT (%s): %s", rc, option, err->message);
    cr_assert_eq(err->code, RP_ELIMIT, "err.code %d", err->code);
    cr_assert(strstr(err->message, option) != NULL, "message does not name %s: %s", option,
              err->message);
}

/* Compile EXPR (LEN bytes) in ENV and evaluate it with VAR bound to the
 * JSON JSON (VAR NULL: nothing bound).  Returns 0 or the first RP_E* code;
 * *OUT (may be NULL) gets the result as JSON. */
static int run_expr(rp_env *env, const char *expr, size_t len, const char *var, const char *json,
                    size_t json_len, rp_error *err, char **out)
{
    rp_program *prog = NULL;
    int rc = rp_compile(env, expr, len, &prog, err);
    if (rc)
        return rc;
    rp_activation *act = rp_activation_new(env, err);
    cr_assert_not_null(act);
    if (var)
        rc = rp_activation_bind_json(act, var, json, json_len, err);
    rp_value *v = NULL;
    if (!rc)
        rc = rp_eval(prog, act, &v, err);
    if (!rc && out)
        *out = rp_value_to_json(v, 0);
    rp_value_free(v);
    rp_activation_free(act);
    rp_program_free(prog);
    return rc;
}

static int run_str(rp_env *env, const char *expr, rp_error *err, char **out)
{
    return run_expr(env, expr, strlen(expr), NULL, NULL, 0, err, out);
}

/* EXPR in ENV is a limit error naming OPTION. */
static void expect_expr_limit(rp_env *env, const char *expr, const char *option)
{
    rp_error err = {0};
    expect_limit(run_str(env, expr, &err, NULL), &err, option);
}

/* EXPR in ENV evaluates to the JSON WANT. */
static void expect_expr(rp_env *env, const char *expr, const char *want)
{
    rp_error err = {0};
    char *out = NULL;
    int rc = run_str(env, expr, &err, &out);
    cr_assert_eq(rc, 0, "%s: rc %d: %s", expr, rc, err.message);
    cr_assert_str_eq(out, want, "%s", expr);
    rp_free(out);
}

TestSuite(limits, .timeout = TIMEOUT);

/* ---- Options ------------------------------------------------------------------------ */

Test(limits, defaults_are_set_by_init)
{
    rp_env_options o;
    rp_env_options_init(&o);
    cr_expect_eq(o.max_ast_nodes, 200000);
    cr_expect_eq(o.max_program_size, 500000);
    cr_expect_eq(o.rule_cost_budget, 10000000);
    cr_expect_eq(o.max_string_size, 4u << 20);
    cr_expect_eq(o.max_list_size, 1000000);
    cr_expect_eq(o.max_regex_length, 100000);
    cr_expect_eq(o.regex_match_limit, 1000000);
    cr_expect_eq(o.max_comprehension_iterations, 1000000);
    cr_expect_eq(o.max_input_bytes, 16u << 20);
    cr_expect_eq(o.max_input_depth, 1000);
    cr_expect_eq(o.max_input_documents, 10000);
    cr_expect_eq(o.max_yaml_alias_nodes, 1000000);
    cr_expect_eq(o.max_pack_bytes, 4u << 20);
}

/* A caller built against the header before the limits were appended
 * passes a smaller struct: the new fields take their defaults. */
Test(limits, old_option_structs_get_the_defaults)
{
    rp_env_options o = opts(RP_PROFILE_CEL);
    o.size = offsetof(rp_env_options, max_ast_nodes);
    o.max_string_size = 1; /* beyond the caller's struct: not read */
    rp_env *env = env_of(&o);
    expect_expr(env, "'ab' + 'cd'", "\"abcd\"");
    rp_env_free(env);
}

Test(limits, ceilings_are_einval)
{
    rp_env_options o = opts(RP_PROFILE_CEL);
    o.max_nesting_depth = 1001;
    rp_error err = {0};
    cr_expect_null(rp_env_new(&o, &err));
    cr_expect_eq(err.code, RP_EINVAL);
    cr_expect(strstr(err.message, "max_nesting_depth") != NULL, "%s", err.message);
    o = opts(RP_PROFILE_CEL);
    o.max_input_depth = 10001;
    memset(&err, 0, sizeof err);
    cr_expect_null(rp_env_new(&o, &err));
    cr_expect_eq(err.code, RP_EINVAL);
    cr_expect(strstr(err.message, "max_input_depth") != NULL, "%s", err.message);
}

/* ---- Expression text: length, nesting, size ------------------------------------------ */

Test(limits, length_names_max_expression_length)
{
    size_t len;
    char *e = nest("(", "1", ")", 100000, &len); /* 10^5 levels, 200001 bytes */
    rp_env *env = env_of(NULL);
    rp_error err = {0};
    expect_limit(run_expr(env, e, len, NULL, NULL, 0, &err, NULL), &err, "max_expression_length");
    cr_expect_eq(err.line, 1);
    rp_env_free(env);
    free(e);
}

/* 10^5 levels of every nesting construct, with the length limit out of
 * the way: the nesting limit stops each, where it is crossed. */
Test(limits, deep_nesting_of_every_kind)
{
    static const struct { const char *open, *mid, *close; } kinds[] = {
        {"(", "1", ")"},            /* parentheses */
        {"[", "1", "]"},            /* lists */
        {"{1: ", "1", "}"},         /* maps */
        {"f(", "1", ")"},           /* calls */
        {"", "a", ".b"},            /* member selection */
        {"", "a", "[0]"},           /* index */
        {"false ? 1 : ", "2", ""},  /* conditionals */
        {"", "1", " + 1"},          /* left-associative operators */
        {"[1].map(x, ", "x", ")"},  /* macros */
    };
    rp_env_options o = opts(RP_PROFILE_EXTENDED);
    o.max_expression_length = 8u << 20;
    o.allow_undeclared = 1;
    rp_env *env = env_of(&o);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t len;
        char *e = nest(kinds[k].open, kinds[k].mid, kinds[k].close, 100000, &len);
        rp_error err = {0};
        rp_program *prog = NULL;
        int rc = rp_compile(env, e, len, &prog, &err);
        cr_expect_null(prog);
        cr_expect_eq(rc, RP_ELIMIT, "%s...: rc %d: %s", kinds[k].open, rc, err.message);
        cr_expect(strstr(err.message, "max_nesting_depth (250)") != NULL, "%s...: %s",
                  kinds[k].open, err.message);
        free(e);
    }
    /* runs of ! and - collapse in pairs, as in cel-go: no depth at all */
    static const struct { const char *op, *mid, *want; } unary[] = {
        {"!", "true", "true"},
        {"-", "1", "1"},
    };
    for (size_t k = 0; k < sizeof unary / sizeof unary[0]; k++) {
        size_t len;
        char *e = nest(unary[k].op, unary[k].mid, "", 100000, &len);
        rp_error err = {0};
        char *out = NULL;
        cr_expect_eq(run_expr(env, e, len, NULL, NULL, 0, &err, &out), 0, "%s", err.message);
        cr_expect_str_eq(out ? out : "", unary[k].want);
        rp_free(out);
        free(e);
    }
    rp_env_free(env);
}

/* The ceiling of max_nesting_depth compiles and runs (no recursion in the
 * compiler or the value code overruns the stack, sanitizers included). */
Test(limits, nesting_at_the_ceiling_runs)
{
    rp_env_options o = opts(RP_PROFILE_CEL);
    o.max_nesting_depth = 1000;
    rp_env *env = env_of(&o);
    size_t len;
    char *e = nest("[", "1", "]", 990, &len);
    rp_error err = {0};
    char *out = NULL;
    cr_assert_eq(run_expr(env, e, len, NULL, NULL, 0, &err, &out), 0, "%s", err.message);
    cr_expect_eq(strlen(out), len);
    rp_free(out);
    free(e);
    char *eq = nest("[", "1", "]", 490, &len);
    size_t n2 = 2 * len + 5;
    char *e2 = malloc(n2);
    cr_assert_not_null(e2);
    snprintf(e2, n2, "%s == %s", eq, eq);
    cr_assert_eq(run_str(env, e2, &err, &out), 0, "%s", err.message);
    cr_expect_str_eq(out, "true");
    rp_free(out);
    free(eq);
    free(e2);
    e = nest("-", "1", "", 997, &len);
    cr_assert_eq(run_expr(env, e, len, NULL, NULL, 0, &err, &out), 0, "%s", err.message);
    cr_expect_str_eq(out, "-1");
    rp_free(out);
    free(e);
    rp_env_free(env);
}

/* A 10 MB string literal: refused by the default length limit; within a
 * raised one it is an ordinary constant. */
Test(limits, huge_string_literal)
{
    size_t n = 10u << 20;
    char *e = malloc(n + 20);
    cr_assert_not_null(e);
    strcpy(e, "size('");
    memset(e + 6, 'x', n);
    strcpy(e + 6 + n, "')");
    size_t len = n + 8;
    rp_env *env = env_of(NULL);
    rp_error err = {0};
    expect_limit(run_expr(env, e, len, NULL, NULL, 0, &err, NULL), &err, "max_expression_length");
    rp_env_free(env);
    rp_env_options o = opts(RP_PROFILE_CEL);
    o.max_expression_length = 16u << 20;
    env = env_of(&o);
    char *out = NULL;
    memset(&err, 0, sizeof err);
    cr_assert_eq(run_expr(env, e, len, NULL, NULL, 0, &err, &out), 0, "%s", err.message);
    cr_expect_str_eq(out, "10485760");
    rp_free(out);
    rp_env_free(env);
    free(e);
}

/* A list literal of 10^6 elements: past the syntax tree limit; with that
 * raised, past the program size limit; with both raised, it runs. */
Test(limits, million_element_list_literal)
{
    size_t n = 1000000;
    char *e = malloc(2 * n + 16);
    cr_assert_not_null(e);
    char *q = e;
    q += sprintf(q, "size([");
    for (size_t i = 0; i < n; i++) {
        *q++ = '1';
        *q++ = i + 1 < n ? ',' : ']';
    }
    q += sprintf(q, ")");
    size_t len = (size_t)(q - e);
    rp_env_options o = opts(RP_PROFILE_CEL);
    o.max_expression_length = 4u << 20;
    rp_env *env = env_of(&o);
    rp_error err = {0};
    expect_limit(run_expr(env, e, len, NULL, NULL, 0, &err, NULL), &err, "max_ast_nodes");
    rp_env_free(env);
    o.max_ast_nodes = 2000000;
    env = env_of(&o);
    memset(&err, 0, sizeof err);
    expect_limit(run_expr(env, e, len, NULL, NULL, 0, &err, NULL), &err, "max_program_size");
    rp_env_free(env);
    o.max_program_size = 2000000;
    env = env_of(&o);
    char *out = NULL;
    memset(&err, 0, sizeof err);
    cr_assert_eq(run_expr(env, e, len, NULL, NULL, 0, &err, &out), 0, "%s", err.message);
    cr_expect_str_eq(out, "1000000");
    rp_free(out);
    rp_env_free(env);
    free(e);
}

Test(limits, small_tree_and_program_limits)
{
    rp_env_options o = opts(RP_PROFILE_CEL);
    o.max_ast_nodes = 10;
    rp_env *env = env_of(&o);
    expect_expr(env, "[1, 2, 3]", "[1,2,3]");
    expect_expr_limit(env, "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", "max_ast_nodes (10 nodes)");
    /* macros count once expanded */
    expect_expr_limit(env, "[1].all(x, x > 0)", "max_ast_nodes");
    rp_env_free(env);
    o = opts(RP_PROFILE_CEL);
    o.max_program_size = 5;
    env = env_of(&o);
    expect_expr_limit(env, "1 + 2 + 3 + 4 + 5 + 6", "max_program_size (5 instructions)");
    rp_env_free(env);
}

/* Bytes that are not text: syntax errors with a position, never a crash. */
Test(limits, invalid_utf8_and_nul_in_expressions)
{
    static const struct { const char *e; size_t n; } cases[] = {
        TEXT("'\xff'"),
        TEXT("'\xc3'"),
        TEXT("\xed\xa0\x80"),     /* a surrogate */
        TEXT("1 +\0 2"),          /* NUL between tokens */
        TEXT("\0"),
        TEXT("x\xfe"),
    };
    rp_env *env = env_of(NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rp_program *prog = NULL;
        rp_error err = {0};
        int rc = rp_compile(env, cases[i].e, cases[i].n, &prog, &err);
        cr_expect_eq(rc, RP_ESYNTAX, "case %zu: rc %d: %s", i, rc, err.message);
        cr_expect_null(prog);
        cr_expect_neq(err.line, 0, "case %zu has no position", i);
        rp_program_free(prog);
    }
    /* a NUL inside a string literal is a character, as in cel-go */
    rp_error err = {0};
    char *out = NULL;
    static const char nul[] = "size('a\0b')";
    cr_assert_eq(run_expr(env, nul, sizeof nul - 1, NULL, NULL, 0, &err, &out), 0, "%s",
                 err.message);
    cr_expect_str_eq(out, "3");
    rp_free(out);
    rp_env_free(env);
}

/* ---- Evaluation: cost, iterations, sizes, memory --------------------------------------- */

Test(limits, cost_bombs)
{
    rp_env *env = env_of(NULL);
    /* 10^9 iterations if nothing stopped it */
    expect_expr_limit(env, "lists.range(1000).map(i, lists.range(1000).map(j, lists.range(1000)))",
                      "cost_budget (1000000)");
    expect_expr_limit(env,
                      "lists.range(1000).all(i, lists.range(1000).all(j, "
                      "lists.range(1000).all(k, i + j + k >= 0)))",
                      "cost_budget");
    /* [1,2,3].map nested 20 deep: 3^20 leaves */
    size_t len;
    char *e = nest("[1, 2, 3].map(x, ", "x", ")", 20, &len);
    expect_expr_limit(env, e, "cost_budget");
    free(e);
    /* quadratic work in one call: sorting, set operations */
    expect_expr_limit(env,
                      "lists.range(3000).all(i, sets.contains(lists.range(3000), lists.range(3000)))",
                      "cost_budget");
    rp_env_free(env);
}

/* Strings and lists that double in size at each step. */
Test(limits, doubling)
{
    rp_env_options o = opts(RP_PROFILE_EXTENDED);
    o.cost_budget = 1000000000; /* out of the way: the size limits stop them */
    rp_env *env = env_of(&o);
    size_t len;
    char *s = nest("cel.bind(s, s + s, ", "s", ")", 40, &len);
    size_t n = len + 64;
    char *e = malloc(n);
    cr_assert_not_null(e);
    snprintf(e, n, "cel.bind(s, 'ab', %s).size()", s);
    expect_expr_limit(env, e, "max_string_size (4194304 bytes)");
    free(s);
    s = nest("cel.bind(l, l + l, ", "l", ")", 40, &len);
    snprintf(e, n, "cel.bind(l, [1, 2], %s).size()", s);
    expect_expr_limit(env, e, "max_list_size (1000000 elements)");
    free(s);
    free(e);
    rp_env_free(env);
}

Test(limits, sizes_built_by_evaluation)
{
    rp_env_options o = opts(RP_PROFILE_KUBERNETES);
    o.max_string_size = 8;
    o.max_list_size = 4;
    rp_env *env = env_of(&o);
    expect_expr(env, "'abcd' + 'efgh'", "\"abcdefgh\"");
    expect_expr_limit(env, "'abcd' + 'efghi'", "max_string_size (8 bytes)");
    expect_expr_limit(env, "['abc', 'def'].join('-----')", "max_string_size");
    expect_expr(env, "[1, 2] + [3, 4]", "[1,2,3,4]");
    expect_expr_limit(env, "[1, 2] + [3, 4, 5]", "max_list_size (4 elements)");
    expect_expr_limit(env, "lists.range(5)", "max_list_size");
    expect_expr_limit(env, "lists.range(10).map(x, x * 2)", "max_list_size");
    expect_expr_limit(env, "{1: 1, 2: 2, 3: 3, 4: 4, 5: 5}", "max_list_size (4 entries)");
    expect_expr(env, "lists.range(4).transformMap(i, v, v * 2).size()", "4");
    expect_expr(env, "{'a': 1, 'b': 2}.transformMapEntry(k, v, {k: v, k + 'x': v}).size()", "4");
    expect_expr_limit(env, "{'a': 1, 'b': 2, 'c': 3}.transformMapEntry(k, v, {k: v, k + 'x': v})",
                      "max_list_size (4 entries)");
    rp_env_free(env);
}

Test(limits, comprehension_iterations)
{
    rp_env_options o = opts(RP_PROFILE_KUBERNETES);
    o.cost_budget = 1000000000000ull;
    o.max_comprehension_iterations = 1000;
    rp_env *env = env_of(&o);
    expect_expr(env, "lists.range(1000).all(x, x >= 0)", "true");
    expect_expr_limit(env, "lists.range(1001).all(x, x >= 0)",
                      "max_comprehension_iterations (1000)");
    /* all comprehensions of one evaluation together */
    expect_expr_limit(env, "lists.range(40).all(x, lists.range(40).all(y, true))",
                      "max_comprehension_iterations");
    rp_env_free(env);
}

Test(limits, evaluation_memory)
{
    rp_env_options o = opts(RP_PROFILE_KUBERNETES);
    o.max_eval_memory = 64 * 1024;
    rp_env *env = env_of(&o);
    expect_expr_limit(env, "lists.range(10000).map(x, x).size()", "max_eval_memory (65536 bytes)");
    rp_env_free(env);
}

/* ---- Regular expressions -------------------------------------------------------------- */

/* 'aaaa...a!' (10^5 a's) against (a+)+$: exponential for a backtracking
 * matcher.  The answer is Go's (false), found by the linear fallback; with
 * a budget too small for that fallback it is a limit error -- never a
 * false made up because a limit was hit. */
Test(limits, catastrophic_backtracking)
{
    size_t n = 100000;
    char *json = malloc(n + 4);
    cr_assert_not_null(json);
    json[0] = '"';
    memset(json + 1, 'a', n);
    strcpy(json + n + 1, "!\"");
    size_t jlen = n + 3;
    rp_env_options o = opts(RP_PROFILE_KUBERNETES);
    o.variables = (const char *const[]){"s", NULL};
    rp_env *env = env_of(&o);
    const char *e = "s.matches('(a+)+$')";
    rp_error err = {0};
    char *out = NULL;
    cr_assert_eq(run_expr(env, e, strlen(e), "s", json, jlen, &err, &out), 0, "%s", err.message);
    cr_expect_str_eq(out, "false");
    rp_free(out);
    /* a pattern the fallback cannot afford on this subject either */
    e = "s.matches('(.*a){20}')";
    memset(&err, 0, sizeof err);
    expect_limit(run_expr(env, e, strlen(e), "s", json, jlen, &err, NULL), &err,
                 "regex_match_limit (1000000 steps)");
    /* the pattern computed at run time, and find/findAll */
    e = "s.matches('(a|aa)' + '+$')";
    memset(&err, 0, sizeof err);
    cr_assert_eq(run_expr(env, e, strlen(e), "s", json, jlen, &err, &out), 0, "%s", err.message);
    cr_expect_str_eq(out, "false");
    rp_free(out);
    e = "s.find('(.*a){20}') == ''";
    memset(&err, 0, sizeof err);
    expect_limit(run_expr(env, e, strlen(e), "s", json, jlen, &err, NULL), &err,
                 "regex_match_limit");
    e = "s.findAll('(a|a)+!').size()";
    memset(&err, 0, sizeof err);
    expect_limit(run_expr(env, e, strlen(e), "s", json, jlen, &err, NULL), &err,
                 "regex_match_limit");
    rp_env_free(env);

    o.regex_match_limit = 1000;
    env = env_of(&o);
    e = "s.matches('(a+)+$')";
    memset(&err, 0, sizeof err);
    expect_limit(run_expr(env, e, strlen(e), "s", json, jlen, &err, NULL), &err,
                 "regex_match_limit (1000 steps)");
    /* || does not absorb a limit: the evaluation stops */
    e = "s.matches('(a+)+$') || true";
    memset(&err, 0, sizeof err);
    expect_limit(run_expr(env, e, strlen(e), "s", json, jlen, &err, NULL), &err,
                 "regex_match_limit");
    rp_env_free(env);
    free(json);
}

Test(limits, regex_length)
{
    rp_env_options o = opts(RP_PROFILE_KUBERNETES);
    o.max_regex_length = 8;
    o.variables = (const char *const[]){"p", NULL};
    rp_env *env = env_of(&o);
    expect_expr(env, "'abc'.matches('^a.c$')", "true");
    rp_env_free(env);
    /* large counted repeats compile (their grouped DFA form is too large
     * for PCRE2: that only takes the fallback away) */
    o.max_regex_length = 0;
    env = env_of(&o);
    expect_expr(env, "'abc'.matches('[a-z]{1000}[0-9]{1000}')", "false");
    expect_expr(env, "'x1'.matches('\\\\w{1000}\\\\d{1000}\\\\s{1000}|x1')", "true");
    rp_env_free(env);
    o.max_regex_length = 8;
    env = env_of(&o);
    /* a literal pattern: when the expression is compiled */
    rp_program *prog = NULL;
    rp_error err = {0};
    const char *e = "'abc'.matches('^a.*b.*c$')";
    expect_limit(rp_compile(env, e, strlen(e), &prog, &err), &err,
                 "max_regex_length (8 bytes)");
    cr_expect_null(prog);
    /* a pattern from the input: when it is used */
    memset(&err, 0, sizeof err);
    e = "'abc'.matches(p)";
    const char *pat = "\"^a.*b.*c$\"";
    expect_limit(run_expr(env, e, strlen(e), "p", pat, strlen(pat), &err, NULL), &err,
                 "max_regex_length");
    memset(&err, 0, sizeof err);
    e = "'abc'.find(p)";
    expect_limit(run_expr(env, e, strlen(e), "p", pat, strlen(pat), &err, NULL), &err,
                 "max_regex_length");
    rp_env_free(env);
}

/* ---- Bound JSON --------------------------------------------------------------------------- */

Test(limits, json_nested_a_million_deep)
{
    size_t len;
    char *json = nest("[", "1", "]", 1000000, &len);
    rp_env_options o = opts(RP_PROFILE_CEL);
    o.variables = (const char *const[]){"x", NULL};
    rp_env *env = env_of(&o);
    rp_activation *act = rp_activation_new(env, NULL);
    rp_error err = {0};
    expect_limit(rp_activation_bind_json(act, "x", json, len, &err), &err,
                 "max_input_depth (1000)");
    cr_expect_eq(err.line, 1);
    cr_expect_eq(err.column, 1001);
    /* 1000 levels are allowed */
    free(json);
    json = nest("[", "1", "]", 1000, &len);
    memset(&err, 0, sizeof err);
    cr_expect_eq(rp_activation_bind_json(act, "x", json, len, &err), 0, "%s", err.message);
    /* brackets inside strings are text */
    free(json);
    json = nest("[", "\"[[[[[[[[[[[[\"", "]", 999, &len);
    memset(&err, 0, sizeof err);
    cr_expect_eq(rp_activation_bind_json(act, "x", json, len, &err), 0, "%s", err.message);
    free(json);
    rp_activation_free(act);
    rp_env_free(env);
}

/* A 100 MB document is refused by its size before it is parsed. */
Test(limits, json_of_100_mb)
{
    size_t n = 100u << 20;
    char *json = malloc(n);
    cr_assert_not_null(json);
    json[0] = '"';
    memset(json + 1, 'a', n - 2);
    json[n - 1] = '"';
    rp_env_options o = opts(RP_PROFILE_CEL);
    o.variables = (const char *const[]){"x", NULL};
    rp_env *env = env_of(&o);
    rp_activation *act = rp_activation_new(env, NULL);
    rp_error err = {0};
    expect_limit(rp_activation_bind_json(act, "x", json, n, &err), &err,
                 "max_input_bytes (16777216 bytes)");
    memset(&err, 0, sizeof err);
    expect_limit(rp_activation_bind_typed_json(act, "x", json, n, &err), &err,
                 "max_input_bytes");
    free(json);
    rp_activation_free(act);
    rp_env_free(env);
}

Test(limits, json_that_is_not_text)
{
    static const struct { const char *j; size_t n; } bad[] = {
        TEXT("\"\xff\""),
        TEXT("\"a\0b\""),          /* a raw NUL */
        TEXT("[1,\0 2]"),
        TEXT("\"\xed\xa0\x80\""),  /* a surrogate */
    };
    rp_env_options o = opts(RP_PROFILE_CEL);
    o.variables = (const char *const[]){"x", NULL};
    rp_env *env = env_of(&o);
    rp_activation *act = rp_activation_new(env, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rp_error err = {0};
        int rc = rp_activation_bind_json(act, "x", bad[i].j, bad[i].n, &err);
        cr_expect_eq(rc, RP_EJSON, "case %zu: rc %d: %s", i, rc, err.message);
    }
    rp_activation_free(act);
    /* an escaped NUL is a character of the string */
    const char *e = "size(x)";
    const char *j = "\"a\\u0000b\"";
    rp_error err = {0};
    char *out = NULL;
    cr_assert_eq(run_expr(env, e, strlen(e), "x", j, strlen(j), &err, &out), 0, "%s", err.message);
    cr_expect_str_eq(out, "3");
    rp_free(out);
    rp_env_free(env);
}

/* ---- Manifests (YAML and JSON) in a check ----------------------------------------------- */

static const char pack_yaml[] =
    "apiVersion: raypolicy/v1\nkind: PolicyPack\nmetadata: {name: t}\nspec:\n  policies:\n"
    "  - id: T-1\n    title: t\n    severity: low\n"
    "    validations: [{expression: 'has(object.metadata)'}]\n";

static rp_pack *test_pack(const rp_env *env)
{
    rp_error err = {0};
    rp_pack *p = rp_pack_load_string(env, pack_yaml, strlen(pack_yaml), "t.yaml", &err);
    cr_assert_not_null(p, "%s", err.message);
    return p;
}

/* Check TEXT (LEN bytes) with the test pack within ENV's limits: the
 * return of rp_checker_add_input in *RC, and the report. */
static rp_report *check_text(const rp_env *env, const char *text, size_t len, int *rc,
                             rp_error *err)
{
    rp_pack *p = test_pack(env);
    rp_checker *c = rp_checker_new_v2(env, err);
    cr_assert_not_null(c);
    cr_assert_eq(rp_checker_add_pack(c, p, err), 0, "%s", err->message);
    *rc = rp_checker_add_input(c, "in.yaml", text, len, err);
    rp_error rerr = {0};
    rp_report *r = rp_checker_run(c, &rerr);
    cr_assert_not_null(r, "%s", rerr.message);
    rp_checker_free(c);
    rp_pack_free(p);
    return r;
}

/* R has an input error naming OPTION, with code RP_ELIMIT in the JSON report. */
static void expect_report_limit(rp_report *r, const char *option)
{
    cr_assert_geq(rp_report_error_count(r), 1);
    const char *msg = rp_report_error_message(r, 0);
    cr_expect(strstr(msg, option) != NULL, "report error does not name %s: %s", option, msg);
    cr_expect_str_eq(rp_report_error_kind(r, 0), "input");
    char *json = rp_report_to_json(r);
    cr_assert_not_null(json);
    cr_expect(strstr(json, "\"code\": -5") || strstr(json, "\"code\":-5"), "%s", json);
    rp_free(json);
}

Test(limits, billion_laughs)
{
    const char *y = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n"
                    "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
                    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    int rc;
    rp_error err = {0};
    rp_report *r = check_text(NULL, y, strlen(y), &rc, &err);
    cr_expect_eq(rc, 0);
    expect_report_limit(r, "max_yaml_alias_nodes (1000000)");
    cr_expect_eq(rp_report_error_line(r, 0), 10);
    rp_report_free(r);
    /* a smaller limit stops it sooner */
    rp_env_options o = opts(RP_PROFILE_KUBERNETES);
    o.max_yaml_alias_nodes = 100;
    rp_env *env = env_of(&o);
    r = check_text(env, y, strlen(y), &rc, &err);
    expect_report_limit(r, "max_yaml_alias_nodes (100)");
    cr_expect_eq(rp_report_error_line(r, 0), 6);
    rp_report_free(r);
    rp_env_free(env);
}

Test(limits, yaml_nested_a_million_deep)
{
    size_t len;
    char *y = nest("[", "1", "]", 1000000, &len);
    int rc;
    rp_error err = {0};
    rp_report *r = check_text(NULL, y, len, &rc, &err);
    expect_report_limit(r, "max_input_depth (1000)");
    cr_expect_eq(rp_report_error_column(r, 0), 1001);
    rp_report_free(r);
    free(y);
    /* block style at the ceiling of the option: "- - - ... 1" nests a
     * sequence per "- "; with the mappings above, 10000 levels */
    size_t depth = 10000;
    char *b = malloc(2 * depth + 128);
    cr_assert_not_null(b);
    char *q = b;
    q += sprintf(q, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x:\n  ");
    for (size_t i = 0; i < depth - 2; i++)
        q += sprintf(q, "- ");
    q += sprintf(q, "1\n");
    rp_env_options o = opts(RP_PROFILE_KUBERNETES);
    o.max_input_depth = 10000;
    rp_env *env = env_of(&o);
    r = check_text(env, b, (size_t)(q - b), &rc, &err);
    cr_expect_eq(rp_report_error_count(r), 0, "%s", rp_report_error_message(r, 0));
    cr_expect_eq(rp_report_finding_count(r), 0);
    rp_report_free(r);
    rp_env_free(env);
    free(b);
}

/* A 100 MB input is refused by its size, before it is read as YAML:
 * given as text, and as a file (sparse: it takes no disk). */
Test(limits, manifest_of_100_mb)
{
    size_t n = 100u << 20;
    char *y = malloc(n);
    cr_assert_not_null(y);
    memset(y, ' ', n);
    memcpy(y, "a: [", 4);
    int rc;
    rp_error err = {0};
    rp_report *r = check_text(NULL, y, n, &rc, &err);
    expect_limit(rc, &err, "max_input_bytes (16777216 bytes)");
    expect_report_limit(r, "max_input_bytes");
    rp_report_free(r);
    free(y);

    char path[] = "/tmp/rp-limits-XXXXXX.yaml";
    int fd = mkstemps(path, 5);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, (off_t)n), 0);
    close(fd);
    rp_pack *p = test_pack(NULL);
    rp_checker *c = rp_checker_new(&err);
    cr_assert_eq(rp_checker_add_pack(c, p, &err), 0);
    memset(&err, 0, sizeof err);
    expect_limit(rp_checker_add_path(c, path, &err), &err, "max_input_bytes");
    r = rp_checker_run(c, &err);
    cr_assert_not_null(r);
    expect_report_limit(r, "max_input_bytes");
    rp_report_free(r);
    rp_checker_free(c);
    rp_pack_free(p);
    unlink(path);
}

Test(limits, too_many_documents)
{
    size_t n = 200000; /* "---\n" each: 800 KB */
    char *y = malloc(4 * n + 1);
    cr_assert_not_null(y);
    for (size_t i = 0; i < n; i++)
        memcpy(y + 4 * i, "---\n", 4);
    int rc;
    rp_error err = {0};
    rp_report *r = check_text(NULL, y, 4 * n, &rc, &err);
    expect_report_limit(r, "max_input_documents (10000)");
    cr_expect_eq(rp_report_error_line(r, 0), 10001);
    rp_report_free(r);
    free(y);
}

Test(limits, manifests_that_are_not_text)
{
    static const struct { const char *y; size_t n; } bad[] = {
        TEXT("apiVersion: v1\nkind: Pod\nmetadata: {name: \"\xff\"}\n"),
        TEXT("apiVersion: v1\nkind: Pod\nmetadata: {name: a\0b}\n"),
        TEXT("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \0}"),
        TEXT("\xfe\xff\xd8\x00"), /* UTF-16 with a lone surrogate */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc;
        rp_error err = {0};
        rp_report *r = check_text(NULL, bad[i].y, bad[i].n, &rc, &err);
        cr_expect_geq(rp_report_error_count(r), 1, "case %zu read without error", i);
        cr_expect_eq(rp_report_finding_count(r), 0);
        rp_report_free(r);
    }
}

/* ---- Packs ---------------------------------------------------------------------------------- */

Test(limits, pack_size)
{
    rp_env_options o = opts(RP_PROFILE_KUBERNETES);
    o.max_pack_bytes = 64;
    rp_env *env = env_of(&o);
    rp_error err = {0};
    rp_pack *p = rp_pack_load_string(env, pack_yaml, strlen(pack_yaml), "t.yaml", &err);
    cr_expect_null(p);
    expect_limit(err.code, &err, "max_pack_bytes (64 bytes)");
    /* a file: read no further than the limit */
    char path[] = "/tmp/rp-limits-XXXXXX.yaml";
    int fd = mkstemps(path, 5);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, (off_t)100 << 20), 0);
    close(fd);
    memset(&err, 0, sizeof err);
    cr_expect_null(rp_pack_load_file(NULL, path, &err));
    expect_limit(err.code, &err, "max_pack_bytes (4194304 bytes)");
    unlink(path);
    rp_env_free(env);
}

Test(limits, pack_alias_bomb_and_bad_bytes)
{
    char y[4096];
    snprintf(y, sizeof y,
             "apiVersion: raypolicy/v1\nkind: PolicyPack\nmetadata: {name: t}\n"
             "x: &a [l,l,l,l,l,l,l,l,l,l]\nx1: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
             "x2: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nx3: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
             "x4: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nx5: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
             "x6: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
             "spec:\n  policies:\n  - id: T-1\n    title: t\n    severity: low\n"
             "    validations: [{expression: 'true'}]\n");
    rp_error err = {0};
    cr_expect_null(rp_pack_load_string(NULL, y, strlen(y), "bomb.yaml", &err));
    expect_limit(err.code, &err, "max_yaml_alias_nodes");
    cr_expect_eq(err.line, 9); /* x5: b..e bring 123440 nodes, x5's 8th alias the million */
    static const struct { const char *y; size_t n; } bad[] = {
        TEXT("apiVersion: raypolicy/v1\nkind: PolicyPack\nmetadata: {name: \"\xc3\"}\n"),
        TEXT("apiVersion: raypolicy/v1\nkind: PolicyPack\0\n"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        cr_expect_null(rp_pack_load_string(NULL, bad[i].y, bad[i].n, "bad.yaml", &err));
        cr_expect(err.code == RP_EPACK || err.code == RP_EYAML, "case %zu: %d %s", i, err.code,
                  err.message);
        cr_expect_neq(err.line, 0, "case %zu: %s", i, err.message);
    }
}

/* Each validation costs about 600000 (within cost_budget); the rule's two
 * together pass rule_cost_budget. */
Test(limits, rule_cost_budget)
{
    const char *y =
        "apiVersion: raypolicy/v1\nkind: PolicyPack\nmetadata: {name: t}\nspec:\n  policies:\n"
        "  - id: T-1\n    title: t\n    severity: low\n    validations:\n"
        "    - expression: lists.range(200).all(i, lists.range(1000).all(j, true))\n"
        "    - expression: lists.range(200).all(i, lists.range(1000).all(j, true))\n";
    const char *obj = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}";
    rp_env_options o = opts(RP_PROFILE_KUBERNETES);
    o.rule_cost_budget = 2000000;
    for (int pass = 0; pass < 2; pass++) {
        rp_env *env = env_of(&o);
        rp_error err = {0};
        rp_pack *p = rp_pack_load_string(env, y, strlen(y), "t.yaml", &err);
        cr_assert_not_null(p, "%s", err.message);
        rp_report *r = rp_pack_check(p, obj, strlen(obj), NULL, &err);
        cr_assert_not_null(r, "%s", err.message);
        if (pass == 0) {
            cr_expect_eq(rp_report_error_count(r), 0, "%s", rp_report_error_message(r, 0));
        } else {
            cr_assert_eq(rp_report_error_count(r), 1);
            cr_expect_str_eq(rp_report_error_kind(r, 0), "eval");
            cr_expect(strstr(rp_report_error_message(r, 0), "validations[1]") != NULL, "%s",
                      rp_report_error_message(r, 0));
            cr_expect(strstr(rp_report_error_message(r, 0), "rule_cost_budget (1000000)") != NULL,
                      "%s", rp_report_error_message(r, 0));
        }
        rp_report_free(r);
        rp_pack_free(p);
        rp_env_free(env);
        o.rule_cost_budget = 1000000;
    }
}

/* A pack's own limits govern its expressions in a check. */
Test(limits, packs_keep_their_limits)
{
    const char *y =
        "apiVersion: raypolicy/v1\nkind: PolicyPack\nmetadata: {name: t}\nspec:\n  policies:\n"
        "  - id: T-1\n    title: t\n    severity: low\n    validations:\n"
        "    - expression: lists.range(100).all(i, true)\n";
    const char *obj = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}";
    rp_env_options o = opts(RP_PROFILE_KUBERNETES);
    o.max_comprehension_iterations = 10;
    rp_env *env = env_of(&o);
    rp_error err = {0};
    rp_pack *p = rp_pack_load_string(env, y, strlen(y), "t.yaml", &err);
    cr_assert_not_null(p, "%s", err.message);
    rp_env_free(env); /* the pack keeps its own environment */
    rp_report *r = rp_pack_check(p, obj, strlen(obj), NULL, &err);
    cr_assert_not_null(r);
    cr_assert_eq(rp_report_error_count(r), 1);
    cr_expect(strstr(rp_report_error_message(r, 0), "max_comprehension_iterations (10)") != NULL,
              "%s", rp_report_error_message(r, 0));
    rp_report_free(r);
    rp_pack_free(p);
}
