/* test_compile.c -- name resolution and code shape, read off the
 * disassembly (the project's EXPLAIN): fused field chains, constant regexes,
 * IN_CONST, and the compile errors with their positions. */
#include <criterion/criterion.h>

#include "eval_helpers.h"

static char *disasm(rp_profile profile, const char *expr, const char *const *vars)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = profile;
    o.variables = vars;
    rp_env *env = rp_env_new(&o, NULL);
    cr_assert_not_null(env);
    rp_program *prog = NULL;
    rp_error err = {0};
    cr_assert_eq(rp_compile(env, expr, strlen(expr), &prog, &err), 0, "%s", err.message);
    char *text = rp_program_disassemble(prog);
    rp_program_free(prog);
    rp_env_free(env);
    return text;
}

Test(compile, field_chain_is_one_instruction)
{
    char *d = disasm(RP_PROFILE_KUBERNETES, "object.spec.headGroupSpec.serviceType == 'ClusterIP'", NULL);
    cr_assert(strstr(d, "LOAD_VAR") && strstr(d, "; object"), "%s", d);
    cr_assert(strstr(d, "SELECT") && strstr(d, ".spec.headGroupSpec.serviceType"), "%s", d);
    /* exactly one SELECT */
    cr_assert_null(strstr(strstr(d, "SELECT") + 6, "SELECT"), "%s", d);
    rp_free(d);
}

Test(compile, longest_declared_name_wins)
{
    const char *vars[] = {"a.b", NULL};
    char *d = disasm(RP_PROFILE_CEL, "a.b.c", vars);
    cr_assert(strstr(d, "; a.b\n") != NULL, "%s", d);
    cr_assert(strstr(d, ";.c") != NULL, "%s", d);
    rp_free(d);
}

/* Only a chain whose first part starts a dotted name tries the longer
 * prefixes: every kind of dotted name still resolves, with or without the
 * leading dot, next to one-part names. */
Test(compile, dotted_names_of_each_kind_resolve)
{
    const char *vars[] = {"a.b", "a", "x.y.z", "object", NULL};
    char *d = disasm(RP_PROFILE_KUBERNETES, "x.y.z.w == 1", vars);
    cr_assert(strstr(d, "; x.y.z\n") != NULL && strstr(d, ";.w") != NULL, "%s", d);
    rp_free(d);
    d = disasm(RP_PROFILE_KUBERNETES, ".a.b.c == 1", vars);
    cr_assert(strstr(d, "; a.b\n") != NULL && strstr(d, ";.c") != NULL, "%s", d);
    rp_free(d);
    d = disasm(RP_PROFILE_KUBERNETES, "a.c == 1", vars);
    cr_assert(strstr(d, "; a\n") != NULL && strstr(d, ";.c") != NULL, "%s", d);
    rp_free(d);
    d = disasm(RP_PROFILE_KUBERNETES, "object.spec.x == 1", vars);
    cr_assert(strstr(d, "; object\n") != NULL && strstr(d, ".spec.x") != NULL, "%s", d);
    rp_free(d);
    d = disasm(RP_PROFILE_KUBERNETES, "type(timestamp(0)) == google.protobuf.Timestamp", vars);
    cr_assert(strstr(d, "type google.protobuf.Timestamp") != NULL, "%s", d);
    rp_free(d);
    d = disasm(RP_PROFILE_KUBERNETES, "type(ip('1.2.3.4')) == .net.IP", vars);
    cr_assert(strstr(d, "type net.IP") != NULL, "%s", d);
    rp_free(d);
}

Test(compile, comprehension_variable_shadows_declared_variable)
{
    const char *vars[] = {"x", NULL};
    char *d = disasm(RP_PROFILE_CEL, "[1].all(x, x > 0)", vars);
    cr_assert_null(strstr(d, "LOAD_VAR"), "%s", d);
    cr_assert(strstr(d, "LOAD_LOCAL") != NULL, "%s", d);
    rp_free(d);
}

Test(compile, constant_regex_is_precompiled)
{
    const char *vars[] = {"s", NULL};
    char *d = disasm(RP_PROFILE_CEL, "s.matches('^a+$')", vars);
    cr_assert(strstr(d, "MATCH_CONST") != NULL, "%s", d);
    rp_free(d);
}

Test(compile, in_constant_list)
{
    const char *vars[] = {"s", NULL};
    char *d = disasm(RP_PROFILE_CEL, "s in ['a', 'b']", vars);
    cr_assert(strstr(d, "IN_CONST") != NULL, "%s", d);
    rp_free(d);
}

Test(compile, type_names_are_constants)
{
    char *d = disasm(RP_PROFILE_CEL, "type(1) == int", NULL);
    cr_assert(strstr(d, "type int") != NULL, "%s", d);
    rp_free(d);
}

Test(compile, undeclared_reference_points_at_it)
{
    eval_result r = eval_cel("1 + foo");
    cr_assert_eq(r.rc, RP_ECHECK);
    cr_assert(strstr(r.err.message, "undeclared reference to 'foo'") != NULL, "%s", r.err.message);
    cr_assert_eq(r.err.line, 1);
    cr_assert_eq(r.err.column, 5);
}

Test(compile, unknown_function)
{
    eval_result r = eval_cel("frobnicate(1)");
    cr_assert_eq(r.rc, RP_ECHECK);
    cr_assert(strstr(r.err.message, "frobnicate") != NULL, "%s", r.err.message);
    r = eval_cel("size(1, 2)");
    cr_assert_eq(r.rc, RP_ECHECK);
    cr_assert(strstr(r.err.message, "no matching overload for 'size'") != NULL, "%s", r.err.message);
}

Test(compile, invalid_constant_regex_is_compile_error)
{
    eval_result r = eval_cel("'a'.matches('(')");
    cr_assert_eq(r.rc, RP_ECHECK, "%d %s", r.rc, r.err.message);
    r = eval_cel("'aa'.matches('(a)\\\\1')"); /* backreference: not RE2 */
    cr_assert_eq(r.rc, RP_ECHECK, "%d %s", r.rc, r.err.message);
}

Test(compile, message_construction_is_rejected)
{
    eval_result r = eval_cel("google.protobuf.Int64Value{value: 1}");
    cr_assert_eq(r.rc, RP_ECHECK, "%d %s", r.rc, r.err.message);
}

Test(compile, disallowed_undeclared_becomes_runtime_error_when_allowed)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = RP_PROFILE_CEL;
    o.allow_undeclared = 1;
    rp_env *env = rp_env_new(&o, NULL);
    rp_program *prog = NULL;
    rp_error err = {0};
    cr_assert_eq(rp_compile(env, "x", 1, &prog, &err), 0, "%s", err.message);
    rp_activation *act = rp_activation_new(env, NULL);
    rp_value *v = NULL;
    cr_assert_eq(rp_eval(prog, act, &v, &err), RP_EEVAL);
    cr_assert(strstr(err.message, "undeclared reference to 'x'") != NULL, "%s", err.message);
    cr_assert_eq(rp_activation_bind_json(act, "x", "7", 1, NULL), 0);
    cr_assert_eq(rp_eval(prog, act, &v, &err), 0, "%s", err.message);
    int64_t i = 0;
    cr_assert_eq(rp_value_int(v, &i), 0);
    cr_assert_eq(i, 7);
    rp_value_free(v);
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
}
