/* test_api.c -- the public ABI, as a program that includes only
 * raypolicy.h and links the shared library sees it.
 *
 * Each test states a promise of include/raypolicy.h (or of DESIGN.md's
 * contract, or of cel-spec where the answer is CEL's): versions, option
 * defaults and the size rule, NULL-safety of every *_free, rp_strerror for
 * every code, compile errors with line and column (in code points),
 * evaluation results and error values, the JSON number rule of
 * rp_activation_bind_json, typed bindings, value accessors, plain and typed
 * JSON output, limits, and sharing one program between threads.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raypolicy.h"

/* ---- Helpers ------------------------------------------------------------------- */

static rp_env *env_with(rp_profile profile, const char *const *variables)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = profile;
    o.variables = variables;
    rp_error err = {0};
    rp_env *env = rp_env_new(&o, &err);
    cr_assert_not_null(env, "rp_env_new: %s", err.message);
    return env;
}

static rp_program *compile_ok(const rp_env *env, const char *expr)
{
    rp_program *prog = NULL;
    rp_error err = {0};
    int rc = rp_compile(env, expr, strlen(expr), &prog, &err);
    cr_assert_eq(rc, RP_OK, "compile %s: %d %s", expr, rc, err.message);
    cr_assert_not_null(prog);
    return prog;
}

/* Evaluate EXPR (no variables) in PROFILE; the value, which must exist. */
static rp_value *eval_ok(rp_profile profile, const char *expr)
{
    rp_env *env = env_with(profile, NULL);
    rp_program *prog = compile_ok(env, expr);
    rp_error err = {0};
    rp_activation *act = rp_activation_new(env, &err);
    cr_assert_not_null(act, "%s", err.message);
    rp_value *v = NULL;
    int rc = rp_eval(prog, act, &v, &err);
    cr_assert_eq(rc, RP_OK, "eval %s: %d %s", expr, rc, err.message);
    cr_assert_not_null(v);
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
    return v;
}

/* EXPR's result as JSON text (FLAGS for rp_value_to_json), in a static
 * buffer. */
static const char *json_of(rp_profile profile, const char *expr, unsigned flags)
{
    static char buf[4096];
    rp_value *v = eval_ok(profile, expr);
    char *s = rp_value_to_json(v, flags);
    cr_assert_not_null(s);
    strncpy(buf, s, sizeof buf - 1);
    buf[sizeof buf - 1] = '\0';
    rp_free(s);
    rp_value_free(v);
    return buf;
}

/* Compile EXPR in PROFILE expecting failure: the code, ERR filled. */
static int compile_fails(rp_profile profile, const char *expr, rp_error *err)
{
    rp_env *env = env_with(profile, NULL);
    rp_program *prog = (rp_program *)&prog; /* must be reset to NULL */
    memset(err, 0, sizeof *err);
    int rc = rp_compile(env, expr, strlen(expr), &prog, err);
    cr_assert_lt(rc, 0, "%s compiled", expr);
    cr_assert_null(prog, "*out must be NULL on failure");
    cr_assert_eq(err->code, rc, "err.code %d, returned %d", err->code, rc);
    cr_assert_neq(err->message[0], '\0', "empty message");
    rp_env_free(env);
    return rc;
}

/* Evaluate EXPR with variable NAME bound to JSON; the return code, the value
 * in *OUT (or NULL). */
static int eval_with_json(rp_profile profile, const char *expr, const char *name,
                          const char *json, rp_value **out, rp_error *err)
{
    const char *vars[] = {name, NULL};
    rp_env *env = env_with(profile, vars);
    rp_program *prog = compile_ok(env, expr);
    memset(err, 0, sizeof *err);
    rp_activation *act = rp_activation_new(env, err);
    cr_assert_not_null(act);
    int rc = rp_activation_bind_json(act, name, json, strlen(json), err);
    cr_assert_eq(rc, RP_OK, "bind %s: %s", json, err->message);
    rc = rp_eval(prog, act, out, err);
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
    return rc;
}

/* ---- Versions ----------------------------------------------------------------- */

Test(version, header_matches_library)
{
    cr_expect_eq(RP_VERSION_NUMBER,
                 RP_VERSION_MAJOR * 1000000 + RP_VERSION_MINOR * 1000 + RP_VERSION_PATCH);
    cr_expect_eq(rp_version_number(), RP_VERSION_NUMBER);
    cr_assert_not_null(rp_version());
    cr_expect_str_eq(rp_version(), RP_VERSION_STRING);
}

/* ---- Errors --------------------------------------------------------------------- */

Test(errors, strerror_every_code_distinct)
{
    const char *seen[RP__ECOUNT];
    for (int i = 0; i < RP__ECOUNT; i++) {
        const char *s = rp_strerror(-i);
        cr_assert_not_null(s, "code %d", -i);
        cr_expect_neq(s[0], '\0', "code %d", -i);
        for (int j = 0; j < i; j++)
            cr_expect_str_neq(s, seen[j], "codes %d and %d share a text", -i, -j);
        seen[i] = s;
    }
    cr_expect_eq(RP_EYAML, -(RP__ECOUNT - 1), "RP__ECOUNT counts every code");
}

Test(errors, strerror_unknown_code_not_null)
{
    cr_assert_not_null(rp_strerror(-RP__ECOUNT));
    cr_assert_not_null(rp_strerror(-1000));
    cr_assert_not_null(rp_strerror(1));
    cr_assert_not_null(rp_strerror(INT32_MIN));
}

/* ---- Environments and options ------------------------------------------------------ */

Test(env, options_init_sets_size_and_defaults)
{
    rp_env_options o;
    memset(&o, 0xA5, sizeof o);
    rp_env_options_init(&o);
    cr_expect_eq(o.size, sizeof o);
    cr_expect_eq(o.profile, RP_PROFILE_KUBERNETES);
    cr_expect_null(o.variables);
    cr_expect_eq(o.allow_undeclared, 0);
    cr_expect_eq(o.disable_macros, 0);
    cr_expect_eq(o.max_expression_length, 100000);
    cr_expect_eq(o.max_nesting_depth, 250);
    cr_expect_eq(o.cost_budget, 1000000);
    cr_expect_eq(o.max_eval_memory, (size_t)64 << 20);
}

Test(env, null_options_are_kubernetes_defaults)
{
    rp_error err = {0};
    rp_env *env = rp_env_new(NULL, &err);
    cr_assert_not_null(env, "%s", err.message);
    /* Kubernetes declares `object`; cel does not. */
    rp_program *prog = compile_ok(env, "object");
    rp_program_free(prog);
    rp_env_free(env);
    cr_expect_eq(compile_fails(RP_PROFILE_CEL, "object", &err), RP_ECHECK);
}

Test(env, zero_fields_mean_defaults)
{
    rp_env_options o;
    memset(&o, 0, sizeof o);
    o.size = sizeof o;
    rp_error err = {0};
    rp_env *env = rp_env_new(&o, &err);
    cr_assert_not_null(env, "%s", err.message);
    rp_program *prog = compile_ok(env, "1 + 1");
    rp_program_free(prog);
    rp_env_free(env);
}

Test(env, bad_size_is_einval)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.size = 0;
    rp_error err = {0};
    cr_expect_null(rp_env_new(&o, &err));
    cr_expect_eq(err.code, RP_EINVAL);
    cr_expect_neq(err.message[0], '\0');
}

Test(env, unknown_profile_is_einval)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = (rp_profile)42;
    rp_error err = {0};
    cr_expect_null(rp_env_new(&o, &err));
    cr_expect_eq(err.code, RP_EINVAL);
}

Test(env, err_may_be_null)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.size = 1;
    cr_expect_null(rp_env_new(&o, NULL));
}

Test(env, declared_variables)
{
    const char *vars[] = {"x", "y", NULL};
    rp_env *env = env_with(RP_PROFILE_CEL, vars);
    rp_program *prog = compile_ok(env, "x + y");
    rp_program_free(prog);
    rp_error err = {0};
    cr_expect_eq(rp_compile(env, "z", 1, &prog, &err), RP_ECHECK);
    rp_env_free(env);
}

Test(env, allow_undeclared_compiles_and_fails_at_run_time)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = RP_PROFILE_CEL;
    o.allow_undeclared = 1;
    rp_error err = {0};
    rp_env *env = rp_env_new(&o, &err);
    cr_assert_not_null(env);
    rp_program *prog = compile_ok(env, "nobody == 1");
    rp_activation *act = rp_activation_new(env, &err);
    rp_value *v = (rp_value *)&v;
    cr_expect_eq(rp_eval(prog, act, &v, &err), RP_EEVAL);
    cr_expect_null(v);
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
}

Test(env, disable_macros)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = RP_PROFILE_CEL;
    o.disable_macros = 1;
    rp_error err = {0};
    rp_env *env = rp_env_new(&o, &err);
    cr_assert_not_null(env);
    rp_program *prog = NULL;
    cr_expect_lt(rp_compile(env, "[1].all(x, x > 0)", 17, &prog, &err), 0);
    cr_expect_null(prog);
    rp_env_free(env);
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "[1].all(x, x > 0)", 0), "true");
}

Test(env, profiles_differ)
{
    rp_error err;
    /* Optional values are a cel-go library Kubernetes enables; core CEL has
     * neither the functions nor the syntax. */
    cr_expect_eq(compile_fails(RP_PROFILE_CEL, "optional.of(1).hasValue()", &err), RP_ECHECK);
    cr_expect_str_eq(json_of(RP_PROFILE_KUBERNETES, "optional.of(1).hasValue()", 0), "true");
    cr_expect_str_eq(json_of(RP_PROFILE_EXTENDED, "{'a': 1}.?b.orValue(2)", 0), "2");
    /* Kubernetes' default variables exist in kubernetes, not in cel. */
    cr_expect_eq(compile_fails(RP_PROFILE_CEL, "object", &err), RP_ECHECK);
}

/* ---- Freeing ------------------------------------------------------------------------ */

Test(free, null_is_a_no_op)
{
    rp_env_free(NULL);
    rp_program_free(NULL);
    rp_activation_free(NULL);
    rp_value_free(NULL);
    rp_free(NULL);
}

/* ---- Compiling ------------------------------------------------------------------------ */

Test(compile, misuse_is_einval)
{
    rp_env *env = env_with(RP_PROFILE_CEL, NULL);
    rp_program *prog = (rp_program *)&prog;
    rp_error err = {0};
    cr_expect_eq(rp_compile(NULL, "1", 1, &prog, &err), RP_EINVAL);
    cr_expect_null(prog);
    memset(&err, 0, sizeof err);
    cr_expect_eq(rp_compile(env, NULL, 1, &prog, &err), RP_EINVAL);
    cr_expect_eq(rp_compile(env, "1", 1, NULL, NULL), RP_EINVAL);
    rp_env_free(env);
}

Test(compile, syntax_error_has_position)
{
    rp_error err;
    cr_assert_eq(compile_fails(RP_PROFILE_CEL, "1 +", &err), RP_ESYNTAX);
    cr_expect_eq(err.line, 1);
    cr_expect_gt(err.column, 0);
    cr_expect_str_eq(err.source, "<expression>");
}

Test(compile, error_on_second_line)
{
    rp_error err;
    cr_assert_eq(compile_fails(RP_PROFILE_CEL, "1 +\n 2 +", &err), RP_ESYNTAX);
    cr_expect_eq(err.line, 2);
    cr_expect_gt(err.column, 0);
}

/* cel-go points an overload error at the operator, and counts columns in
 * code points: '+' is the 9th character of 'héllo' + 1 (10th byte). */
Test(compile, check_error_column_in_code_points)
{
    rp_error err;
    cr_assert_eq(compile_fails(RP_PROFILE_CEL, "'h\xc3\xa9llo' + 1", &err), RP_ECHECK);
    cr_expect_eq(err.line, 1);
    cr_expect_eq(err.column, 9);
    cr_expect(strstr(err.message, "no matching overload") != NULL, "%s", err.message);
}

Test(compile, message_has_source_line_and_caret)
{
    rp_error err;
    compile_fails(RP_PROFILE_CEL, "size(x) + 1", &err);
    cr_expect(strstr(err.message, "\n | size(x) + 1\n | ") != NULL, "%s", err.message);
    cr_expect(strchr(err.message, '^') != NULL, "%s", err.message);
}

Test(compile, undeclared_is_echeck)
{
    rp_error err;
    cr_expect_eq(compile_fails(RP_PROFILE_CEL, "nobody", &err), RP_ECHECK);
    cr_expect(strstr(err.message, "nobody") != NULL, "%s", err.message);
}

Test(compile, text_need_not_be_nul_terminated)
{
    rp_env *env = env_with(RP_PROFILE_CEL, NULL);
    const char text[] = "40 + 2 garbage";
    rp_program *prog = NULL;
    rp_error err = {0};
    cr_assert_eq(rp_compile(env, text, 6, &prog, &err), RP_OK, "%s", err.message);
    rp_activation *act = rp_activation_new(env, &err);
    rp_value *v = NULL;
    cr_assert_eq(rp_eval(prog, act, &v, &err), RP_OK, "%s", err.message);
    int64_t i = 0;
    cr_expect_eq(rp_value_int(v, &i), RP_OK);
    cr_expect_eq(i, 42);
    rp_value_free(v);
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
}

Test(compile, err_may_be_null)
{
    rp_env *env = env_with(RP_PROFILE_CEL, NULL);
    rp_program *prog = NULL;
    cr_expect_eq(rp_compile(env, "1 +", 3, &prog, NULL), RP_ESYNTAX);
    cr_expect_null(prog);
    rp_env_free(env);
}

Test(compile, first_error_wins)
{
    rp_env *env = env_with(RP_PROFILE_CEL, NULL);
    rp_error err = {0};
    err.code = RP_EIO;
    strcpy(err.message, "earlier");
    rp_program *prog = NULL;
    cr_expect_eq(rp_compile(env, "1 +", 3, &prog, &err), RP_ESYNTAX);
    cr_expect_eq(err.code, RP_EIO);
    cr_expect_str_eq(err.message, "earlier");
    rp_env_free(env);
}

Test(compile, length_limit)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = RP_PROFILE_CEL;
    o.max_expression_length = 8;
    rp_error err = {0};
    rp_env *env = rp_env_new(&o, &err);
    cr_assert_not_null(env);
    rp_program *prog = NULL;
    cr_expect_eq(rp_compile(env, "1 + 2 + 3 + 4", 13, &prog, &err), RP_ELIMIT);
    cr_expect_null(prog);
    rp_env_free(env);
}

Test(compile, nesting_limit)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = RP_PROFILE_CEL;
    o.max_nesting_depth = 4;
    rp_error err = {0};
    rp_env *env = rp_env_new(&o, &err);
    cr_assert_not_null(env);
    rp_program *prog = NULL;
    const char *deep = "((((((((((1))))))))))";
    cr_expect_eq(rp_compile(env, deep, strlen(deep), &prog, &err), RP_ELIMIT);
    cr_expect_null(prog);
    rp_env_free(env);
}

Test(compile, deep_nesting_never_crashes)
{
    size_t n = 40000; /* within the default length limit, far beyond the depth limit */
    char *deep = malloc(2 * n + 2);
    cr_assert_not_null(deep);
    memset(deep, '[', n);
    deep[n] = '1';
    memset(deep + n + 1, ']', n);
    deep[2 * n + 1] = '\0';
    rp_env *env = env_with(RP_PROFILE_CEL, NULL);
    rp_program *prog = NULL;
    rp_error err = {0};
    cr_expect_eq(rp_compile(env, deep, 2 * n + 1, &prog, &err), RP_ELIMIT);
    rp_env_free(env);
    free(deep);
}

Test(compile, disassemble)
{
    rp_env *env = env_with(RP_PROFILE_CEL, NULL);
    rp_program *prog = compile_ok(env, "[1, 2].exists(x, x > 1)");
    char *text = rp_program_disassemble(prog);
    cr_assert_not_null(text);
    cr_expect_neq(text[0], '\0');
    rp_free(text);
    rp_program_free(prog);
    rp_env_free(env);
}

/* ---- Evaluating ------------------------------------------------------------------------ */

Test(eval, misuse_is_einval)
{
    rp_env *env = env_with(RP_PROFILE_CEL, NULL);
    rp_env *other = env_with(RP_PROFILE_CEL, NULL);
    rp_program *prog = compile_ok(env, "1");
    rp_error err = {0};
    rp_activation *act = rp_activation_new(env, &err);
    rp_activation *foreign = rp_activation_new(other, &err);
    rp_value *v = (rp_value *)&v;
    cr_expect_eq(rp_eval(NULL, act, &v, &err), RP_EINVAL);
    cr_expect_null(v);
    cr_expect_eq(rp_eval(prog, NULL, &v, NULL), RP_EINVAL);
    cr_expect_eq(rp_eval(prog, act, NULL, NULL), RP_EINVAL);
    cr_expect_eq(rp_eval(prog, foreign, &v, NULL), RP_EINVAL, "activation of another env");
    rp_activation_free(foreign);
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(other);
    rp_env_free(env);
}

Test(eval, scalars_and_accessors)
{
    rp_value *v = eval_ok(RP_PROFILE_CEL, "40 + 2");
    int64_t i = 0;
    cr_expect_eq(rp_value_kind(v), RP_KIND_INT);
    cr_expect_eq(rp_value_int(v, &i), RP_OK);
    cr_expect_eq(i, 42);
    uint64_t u = 7;
    double d = 7;
    int b = 7;
    const char *p = NULL;
    size_t len = 0;
    cr_expect_eq(rp_value_uint(v, &u), RP_ETYPE);
    cr_expect_eq(rp_value_double(v, &d), RP_ETYPE);
    cr_expect_eq(rp_value_bool(v, &b), RP_ETYPE);
    cr_expect_eq(rp_value_string(v, &p, &len), RP_ETYPE);
    cr_expect_eq(rp_value_count(v), 0);
    rp_value_free(v);

    v = eval_ok(RP_PROFILE_CEL, "18446744073709551615u");
    cr_expect_eq(rp_value_kind(v), RP_KIND_UINT);
    cr_expect_eq(rp_value_uint(v, &u), RP_OK);
    cr_expect_eq(u, UINT64_MAX);
    cr_expect_eq(rp_value_int(v, &i), RP_ETYPE);
    rp_value_free(v);

    v = eval_ok(RP_PROFILE_CEL, "1.5 * 3.0");
    cr_expect_eq(rp_value_kind(v), RP_KIND_DOUBLE);
    cr_expect_eq(rp_value_double(v, &d), RP_OK);
    cr_expect_eq(d, 4.5);
    rp_value_free(v);

    v = eval_ok(RP_PROFILE_CEL, "1 < 2");
    cr_expect_eq(rp_value_kind(v), RP_KIND_BOOL);
    cr_expect_eq(rp_value_bool(v, &b), RP_OK);
    cr_expect_eq(b, 1);
    rp_value_free(v);

    v = eval_ok(RP_PROFILE_CEL, "null");
    cr_expect_eq(rp_value_kind(v), RP_KIND_NULL);
    rp_value_free(v);
}

Test(eval, strings_bytes_and_types)
{
    const char *p = NULL;
    size_t len = 0;
    rp_value *v = eval_ok(RP_PROFILE_CEL, "'h\xc3\xa9' + 'llo'");
    cr_expect_eq(rp_value_kind(v), RP_KIND_STRING);
    cr_assert_eq(rp_value_string(v, &p, &len), RP_OK);
    cr_expect_eq(len, 6);
    cr_expect_str_eq(p, "h\xc3\xa9llo");
    rp_value_free(v);

    v = eval_ok(RP_PROFILE_CEL, "b'\\x00a'");
    cr_expect_eq(rp_value_kind(v), RP_KIND_BYTES);
    cr_assert_eq(rp_value_string(v, &p, &len), RP_OK);
    cr_expect_eq(len, 2);
    cr_expect_eq(p[0], '\0');
    cr_expect_eq(p[1], 'a');
    cr_expect_eq(p[2], '\0', "NUL-terminated as a convenience");
    rp_value_free(v);

    v = eval_ok(RP_PROFILE_CEL, "type(1u)");
    cr_expect_eq(rp_value_kind(v), RP_KIND_TYPE);
    cr_assert_eq(rp_value_string(v, &p, &len), RP_OK);
    cr_expect_str_eq(p, "uint");
    rp_value_free(v);

    v = eval_ok(RP_PROFILE_CEL, "timestamp('2009-02-13T23:31:30Z')");
    cr_expect_eq(rp_value_kind(v), RP_KIND_TIMESTAMP);
    rp_value_free(v);
    v = eval_ok(RP_PROFILE_CEL, "duration('1.5s')");
    cr_expect_eq(rp_value_kind(v), RP_KIND_DURATION);
    rp_value_free(v);
}

Test(eval, lists_and_maps)
{
    rp_value *v = eval_ok(RP_PROFILE_CEL, "[1, 'two', [3]]");
    cr_assert_eq(rp_value_kind(v), RP_KIND_LIST);
    cr_assert_eq(rp_value_count(v), 3);
    int64_t i = 0;
    cr_expect_eq(rp_value_int(rp_value_list_at(v, 0), &i), RP_OK);
    cr_expect_eq(i, 1);
    cr_expect_eq(rp_value_kind(rp_value_list_at(v, 1)), RP_KIND_STRING);
    const rp_value *inner = rp_value_list_at(v, 2);
    cr_expect_eq(rp_value_kind(inner), RP_KIND_LIST);
    cr_expect_eq(rp_value_count(inner), 1);
    rp_value_free(v);

    v = eval_ok(RP_PROFILE_CEL, "{'a': 1, 'b': 2}");
    cr_assert_eq(rp_value_kind(v), RP_KIND_MAP);
    cr_assert_eq(rp_value_count(v), 2);
    int64_t sum = 0;
    int seen_a = 0, seen_b = 0;
    for (size_t k = 0; k < 2; k++) {
        const char *p = NULL;
        size_t len = 0;
        cr_assert_eq(rp_value_string(rp_value_map_key_at(v, k), &p, &len), RP_OK);
        seen_a += strcmp(p, "a") == 0;
        seen_b += strcmp(p, "b") == 0;
        cr_assert_eq(rp_value_int(rp_value_map_value_at(v, k), &i), RP_OK);
        sum += i;
    }
    cr_expect(seen_a == 1 && seen_b == 1);
    cr_expect_eq(sum, 3);
    rp_value_free(v);
}

Test(eval, error_value_is_eeval)
{
    rp_env *env = env_with(RP_PROFILE_CEL, NULL);
    rp_program *prog = compile_ok(env, "1 / 0");
    rp_error err = {0};
    rp_activation *act = rp_activation_new(env, &err);
    rp_value *v = (rp_value *)&v;
    cr_expect_eq(rp_eval(prog, act, &v, &err), RP_EEVAL);
    cr_expect_null(v);
    cr_expect_eq(err.code, RP_EEVAL);
    cr_expect(strstr(err.message, "division by zero") != NULL, "%s", err.message);
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
}

/* CEL's commutative error absorption (cel-spec langdef "Logical operators"). */
Test(eval, errors_are_absorbed_by_logic)
{
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "false && 1 / 0 == 1", 0), "false");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "1 / 0 == 1 && false", 0), "false");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "true || 1 / 0 == 1", 0), "true");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "1 / 0 == 1 || true", 0), "true");
}

Test(eval, cost_budget_is_elimit)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = RP_PROFILE_CEL;
    o.cost_budget = 100;
    rp_error err = {0};
    rp_env *env = rp_env_new(&o, &err);
    cr_assert_not_null(env);
    rp_program *prog = compile_ok(
        env, "[1,2,3,4,5,6,7,8,9,10].all(x, [1,2,3,4,5,6,7,8,9,10].all(y, x * y > 0))");
    rp_activation *act = rp_activation_new(env, &err);
    rp_value *v = NULL;
    cr_expect_eq(rp_eval(prog, act, &v, &err), RP_ELIMIT);
    cr_expect_null(v);
    cr_expect_neq(err.message[0], '\0');
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
}

/* ---- Binding JSON ----------------------------------------------------------------------- */

/* DESIGN.md: integral JSON numbers that fit int64 are int, others double. */
Test(bind, json_number_rule)
{
    const char *doc = "{\"a\": 1, \"b\": 1.5, \"c\": -9223372036854775808,"
                      " \"d\": 9223372036854775808}";
    rp_value *v = NULL;
    rp_error err;
    cr_assert_eq(eval_with_json(RP_PROFILE_CEL, "[type(o.a), type(o.b), type(o.c), type(o.d)]",
                                "o", doc, &v, &err),
                 RP_OK, "%s", err.message);
    char *s = rp_value_to_json(v, 0);
    cr_expect_str_eq(s, "[\"int\",\"double\",\"int\",\"double\"]");
    rp_free(s);
    rp_value_free(v);
}

Test(bind, fields_and_missing_key)
{
    rp_value *v = NULL;
    rp_error err;
    const char *doc = "{\"spec\": {\"replicas\": 3, \"name\": \"x\"}}";
    cr_assert_eq(eval_with_json(RP_PROFILE_KUBERNETES, "object.spec.replicas * 2", "object", doc,
                                &v, &err),
                 RP_OK, "%s", err.message);
    int64_t i = 0;
    cr_expect_eq(rp_value_int(v, &i), RP_OK);
    cr_expect_eq(i, 6);
    rp_value_free(v);

    cr_expect_eq(eval_with_json(RP_PROFILE_KUBERNETES, "object.spec.missing == 1", "object", doc,
                                &v, &err),
                 RP_EEVAL);
    cr_expect_null(v);
    cr_expect(strstr(err.message, "no such key") != NULL, "%s", err.message);

    cr_assert_eq(eval_with_json(RP_PROFILE_KUBERNETES, "has(object.spec.missing)", "object", doc,
                                &v, &err),
                 RP_OK, "%s", err.message);
    int b = 1;
    cr_expect_eq(rp_value_bool(v, &b), RP_OK);
    cr_expect_eq(b, 0);
    rp_value_free(v);
}

Test(bind, invalid_json_is_ejson)
{
    const char *vars[] = {"x", NULL};
    rp_env *env = env_with(RP_PROFILE_CEL, vars);
    rp_error err = {0};
    rp_activation *act = rp_activation_new(env, &err);
    cr_assert_not_null(act);
    cr_expect_eq(rp_activation_bind_json(act, "x", "{\"a\":", 5, &err), RP_EJSON);
    cr_expect_eq(err.code, RP_EJSON);
    memset(&err, 0, sizeof err);
    cr_expect_eq(rp_activation_bind_json(NULL, "x", "1", 1, &err), RP_EINVAL);
    rp_activation_free(act);
    rp_env_free(env);
}

Test(bind, rebind_replaces_and_clear_forgets)
{
    const char *vars[] = {"x", NULL};
    rp_env *env = env_with(RP_PROFILE_CEL, vars);
    rp_program *prog = compile_ok(env, "x + 1");
    rp_error err = {0};
    rp_activation *act = rp_activation_new(env, &err);
    rp_value *v = NULL;
    int64_t i = 0;

    cr_assert_eq(rp_activation_bind_json(act, "x", "1", 1, &err), RP_OK);
    cr_assert_eq(rp_eval(prog, act, &v, &err), RP_OK, "%s", err.message);
    cr_expect_eq(rp_value_int(v, &i), RP_OK);
    cr_expect_eq(i, 2);
    rp_value_free(v);

    /* "12" with length 2 out of a longer buffer: need not be NUL-terminated. */
    cr_assert_eq(rp_activation_bind_json(act, "x", "123", 2, &err), RP_OK);
    cr_assert_eq(rp_eval(prog, act, &v, &err), RP_OK, "%s", err.message);
    cr_expect_eq(rp_value_int(v, &i), RP_OK);
    cr_expect_eq(i, 13);
    rp_value_free(v);

    rp_activation_clear(act);
    v = (rp_value *)&v;
    cr_expect_eq(rp_eval(prog, act, &v, &err), RP_EEVAL, "unbound after clear");
    cr_expect_null(v);

    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
}

Test(bind, typed_json)
{
    const char *vars[] = {"u", "b", "l", NULL};
    rp_env *env = env_with(RP_PROFILE_CEL, vars);
    rp_program *prog = compile_ok(env, "[u + 1u, size(b), l[1]]");
    rp_error err = {0};
    rp_activation *act = rp_activation_new(env, &err);
    const char *u = "{\"uint64Value\": \"18446744073709551614\"}";
    const char *b = "{\"bytesValue\": \"AAEC\"}";
    const char *l = "{\"listValue\": {\"values\": [{\"int64Value\": \"1\"}, {\"stringValue\": \"x\"}]}}";
    cr_assert_eq(rp_activation_bind_typed_json(act, "u", u, strlen(u), &err), RP_OK, "%s",
                 err.message);
    cr_assert_eq(rp_activation_bind_typed_json(act, "b", b, strlen(b), &err), RP_OK, "%s",
                 err.message);
    cr_assert_eq(rp_activation_bind_typed_json(act, "l", l, strlen(l), &err), RP_OK, "%s",
                 err.message);
    rp_value *v = NULL;
    cr_assert_eq(rp_eval(prog, act, &v, &err), RP_OK, "%s", err.message);
    char *s = rp_value_to_json(v, RP_JSON_TYPED);
    cr_expect_str_eq(s, "{\"listValue\":{\"values\":[{\"uint64Value\":\"18446744073709551615\"},"
                        "{\"int64Value\":\"3\"},{\"stringValue\":\"x\"}]}}");
    rp_free(s);
    rp_value_free(v);
    memset(&err, 0, sizeof err);
    cr_expect_eq(rp_activation_bind_typed_json(act, "u", "{\"int64Value\":", 14, &err), RP_EJSON);
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
}

/* ---- JSON output --------------------------------------------------------------------------- */

Test(to_json, plain)
{
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "[1, 2u, 1.5, 'a', b'ab', true, null, {'k': [1]}]", 0),
                     "[1,2,1.5,\"a\",\"YWI=\",true,null,{\"k\":[1]}]");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "[0.0 / 0.0, 1.0 / 0.0, -1.0 / 0.0]", 0),
                     "[\"NaN\",\"Infinity\",\"-Infinity\"]");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "timestamp('2009-02-13T23:31:30Z')", 0),
                     "\"2009-02-13T23:31:30Z\"");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "duration('1.5s')", 0), "\"1.5s\"");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "type('')", 0), "\"string\"");
}

Test(to_json, typed)
{
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "-1", RP_JSON_TYPED), "{\"int64Value\":\"-1\"}");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "1u", RP_JSON_TYPED), "{\"uint64Value\":\"1\"}");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "1.5", RP_JSON_TYPED), "{\"doubleValue\":1.5}");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "'a'", RP_JSON_TYPED), "{\"stringValue\":\"a\"}");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "b'ab'", RP_JSON_TYPED), "{\"bytesValue\":\"YWI=\"}");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "true", RP_JSON_TYPED), "{\"boolValue\":true}");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "null", RP_JSON_TYPED), "{\"nullValue\":null}");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "int", RP_JSON_TYPED), "{\"typeValue\":\"int\"}");
    /* proto3 JSON may leave out an empty repeated field. */
    const char *empty = json_of(RP_PROFILE_CEL, "[]", RP_JSON_TYPED);
    cr_expect(strcmp(empty, "{\"listValue\":{\"values\":[]}}") == 0 ||
                  strcmp(empty, "{\"listValue\":{}}") == 0,
              "%s", empty);
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "{1: 'a'}", RP_JSON_TYPED),
                     "{\"mapValue\":{\"entries\":[{\"key\":{\"int64Value\":\"1\"},"
                     "\"value\":{\"stringValue\":\"a\"}}]}}");
    cr_expect_str_eq(json_of(RP_PROFILE_CEL, "0.0 / 0.0", RP_JSON_TYPED),
                     "{\"doubleValue\":\"NaN\"}");
}

/* ---- Threads ------------------------------------------------------------------------------ */

/* rp_env and rp_program are shared; each thread has its own activation. */
typedef struct thread_job {
    const rp_env *env;
    const rp_program *prog;
    int64_t seed;
    int ok;
} thread_job;

static void *thread_main(void *arg)
{
    thread_job *job = arg;
    rp_activation *act = rp_activation_new(job->env, NULL);
    if (!act)
        return NULL;
    int ok = 1;
    for (int64_t i = 0; i < 2000 && ok; i++) {
        char json[64];
        int n = snprintf(json, sizeof json, "{\"n\": %lld}", (long long)(job->seed + i));
        rp_value *v = NULL;
        int64_t got = 0;
        ok = rp_activation_bind_json(act, "x", json, (size_t)n, NULL) == RP_OK &&
             rp_eval(job->prog, act, &v, NULL) == RP_OK && rp_value_int(v, &got) == RP_OK &&
             got == (job->seed + i) * 2 + 1;
        rp_value_free(v);
    }
    rp_activation_free(act);
    job->ok = ok;
    return NULL;
}

Test(threads, shared_program)
{
    const char *vars[] = {"x", NULL};
    rp_env *env = env_with(RP_PROFILE_CEL, vars);
    rp_program *prog = compile_ok(env, "x.n * 2 + [1].map(e, e)[0]");
    enum { NTHREADS = 4 };
    pthread_t th[NTHREADS];
    thread_job jobs[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        jobs[t] = (thread_job){env, prog, t * 1000000, 0};
        cr_assert_eq(pthread_create(&th[t], NULL, thread_main, &jobs[t]), 0);
    }
    for (int t = 0; t < NTHREADS; t++) {
        pthread_join(th[t], NULL);
        cr_expect(jobs[t].ok, "thread %d got a wrong result", t);
    }
    rp_program_free(prog);
    rp_env_free(env);
}
