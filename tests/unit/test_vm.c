/* test_vm.c -- the interpreter: short-circuit logic with CEL's error
 * absorption in both orders, the ternary, comprehensions, JSON views,
 * literals with errors inside, and the limits that stop an evaluation.
 * Expected values follow cel-spec langdef.md ("Logical operators",
 * "Macros", "Field selection"). */
#include <criterion/criterion.h>
#include <stdio.h>

#include "eval_helpers.h"

#define EXPECT_JSON(expr, want)                                                            \
    do {                                                                                   \
        eval_result r_ = eval_cel(expr);                                                   \
        cr_assert_eq(r_.rc, 0, "%s: rc %d: %s", expr, r_.rc, r_.err.message);              \
        cr_assert_str_eq(r_.json, want, "%s", expr);                                       \
    } while (0)

#define EXPECT_ERROR(expr, code)                                                           \
    do {                                                                                   \
        eval_result r_ = eval_cel(expr);                                                   \
        cr_assert_eq(r_.rc, code, "%s: rc %d (%s), want %d", expr, r_.rc, r_.err.message, code); \
    } while (0)

Test(vm, and_absorbs_errors_in_both_orders)
{
    EXPECT_JSON("false && (1 / 0 == 1)", "false");
    EXPECT_JSON("(1 / 0 == 1) && false", "false");
    EXPECT_ERROR("true && (1 / 0 == 1)", RP_EEVAL);
    EXPECT_ERROR("(1 / 0 == 1) && true", RP_EEVAL);
    EXPECT_JSON("true && true", "true");
}

Test(vm, or_absorbs_errors_in_both_orders)
{
    EXPECT_JSON("true || (1 / 0 == 1)", "true");
    EXPECT_JSON("(1 / 0 == 1) || true", "true");
    EXPECT_ERROR("false || (1 / 0 == 1)", RP_EEVAL);
    EXPECT_JSON("false || false", "false");
}

Test(vm, ternary)
{
    EXPECT_JSON("1 < 2 ? 'yes' : 'no'", "\"yes\"");
    EXPECT_JSON("1 > 2 ? 'yes' : 'no'", "\"no\"");
    EXPECT_JSON("true ? 1 : 1 / 0", "1");
    EXPECT_ERROR("(1 / 0 == 0) ? 1 : 2", RP_EEVAL);
}

Test(vm, comprehensions)
{
    EXPECT_JSON("[1, 2, 3].all(x, x > 0)", "true");
    EXPECT_JSON("[1, 2, 3].exists(x, x > 2)", "true");
    EXPECT_JSON("[1, 2, 3].exists_one(x, x > 1)", "false");
    EXPECT_JSON("[1, 2, 3].map(x, x * 2)", "[2,4,6]");
    EXPECT_JSON("[1, 2, 3].map(x, x > 1, x * 10)", "[20,30]");
    EXPECT_JSON("[1, 2, 3].filter(x, x != 2)", "[1,3]");
    EXPECT_JSON("{'a': 1, 'b': 2}.map(k, k)", "[\"a\",\"b\"]");
    /* an error on one element is absorbed when another decides the result */
    EXPECT_JSON("[0, 1].exists(x, 1 / x == 1)", "true");
    EXPECT_JSON("[1, 0].all(x, 1 / x == 2)", "false");
    EXPECT_ERROR("[1, 0].all(x, 1 / x == 1)", RP_EEVAL);
    /* nested comprehensions see the outer variable */
    EXPECT_JSON("[[1, 2], [3]].map(l, l.map(x, x + size(l)))", "[[3,4],[4]]");
}

/* The fused forms of the standard macros (ALL_STEP, EXISTS_STEP,
 * LIST_APPEND) must mean exactly what the macros' expansion means. */
Test(vm, fused_macros_keep_the_expansion_semantics)
{
    /* all/exists stop at the deciding element; errors before it are absorbed */
    EXPECT_JSON("[1, 0, 2].all(x, 1 / x > 5)", "false");
    EXPECT_JSON("[0, 3].exists(x, 3 / x == 1)", "true");
    EXPECT_ERROR("[0, 1].exists(x, 1 / x == 5)", RP_EEVAL);
    EXPECT_ERROR("[1, 2].all(x, x)", RP_EEVAL); /* no matching overload for && */
    EXPECT_JSON("[].all(x, x)", "true");
    EXPECT_JSON("[].exists(x, x)", "false");
    EXPECT_JSON("{'a': 1, 'b': 0}.all(k, k != 'c')", "true");
    /* map/filter build a new list every time: the result of one evaluation
     * is not changed by the next element of an enclosing loop */
    EXPECT_JSON("[1, 2].map(x, [1, 2, 3].filter(y, y > x))", "[[2,3],[3]]");
    EXPECT_JSON("[1, 2, 3].map(x, x > 1, [x].map(y, y * 2))", "[[4],[6]]");
    /* an error in the transform or the filter becomes the result */
    EXPECT_ERROR("[1, 0].map(x, 1 / x)", RP_EEVAL);
    EXPECT_ERROR("[1, 2].filter(x, x)", RP_EEVAL);
    EXPECT_ERROR("[1, 0, 2].map(x, x < 2, 4 / x)", RP_EEVAL);
    /* the accumulator cannot be named: appending in place is unobservable */
    EXPECT_ERROR("[1, 2].map(x, size(__result__))", RP_ECHECK);
    /* long results grow in place: linear, not quadratic */
    EXPECT_JSON("size([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(a, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"
                ".map(b, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(c, a * b * c))))",
                "10");
}

/* A Kubernetes-profile environment with one variable, `inv`. */
static rp_env *kubernetes_env_with_inv(void)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = RP_PROFILE_KUBERNETES;
    const char *names[] = {"inv", NULL};
    o.variables = names;
    rp_error err;
    rp_env *env = rp_env_new(&o, &err);
    cr_assert_not_null(env, "%s", err.message);
    return env;
}

/* filter()/exists() over a bound list narrowed through an index of the
 * conjuncts PATH(x) == E (list_index.c) give what a scan gives: the same
 * elements in the same order, the errors of elements whose path fails. */
Test(vm, indexed_filter_and_exists_match_a_scan)
{
    const char *inv =
        "[{\"kind\": \"A\", \"metadata\": {\"namespace\": \"n1\", \"name\": \"a1\"}},"
        " {\"kind\": \"B\", \"metadata\": {\"namespace\": \"n1\", \"name\": \"b1\"}},"
        " {\"kind\": \"A\", \"metadata\": {\"namespace\": \"n2\", \"name\": \"a2\"}},"
        " {\"kind\": \"A\", \"metadata\": {\"name\": \"a0\"}},"
        " {\"kind\": \"A\", \"metadata\": {\"namespace\": 7, \"name\": \"a7\"}},"
        " {\"kind\": \"A\", \"metadata\": \"not a map\"},"
        " {\"kind\": \"A\", \"metadata\": {\"namespace\": \"n1\", \"name\": \"a3\"}}]";
    const char *vars[] = {"inv", inv, "ns", "\"n1\"", NULL};
    static const struct {
        const char *expr, *want;
    } cases[] = {
        /* the element whose metadata is a string makes .?namespace fail:
         * an error a scan meets too */
        {"inv.filter(x, x.?kind.orValue('') == 'A' && x.?metadata.?namespace.orValue('') == ns)"
         ".map(x, x.metadata.name)", NULL},
        /* restricted to the elements that are maps all the way */
        {"inv.filter(x, x.?kind.orValue('') == 'A' && x.?metadata.?namespace.orValue('') == ns && "
         "type(x.metadata) == map).map(x, x.metadata.name)", "[\"a1\",\"a3\"]"},
        {"inv.exists(x, x.?kind.orValue('') == 'B' && x.?metadata.?namespace.orValue('') == ns)", "true"},
        {"inv.exists(x, x.?kind.orValue('') == 'B' && x.?metadata.?namespace.orValue('') == 'n2')", "false"},
        /* a missing field takes the default */
        {"inv.exists(x, x.?metadata.?namespace.orValue('none') == 'none' && x.kind == 'A')", "true"},
        /* the plain form: where the path fails (metadata a string) the
         * error stays, unless another conjunct is false for that element */
        {"inv.filter(x, x.kind == 'A' && x.metadata.name == 'a2').size()", NULL},
        {"inv.filter(x, x.kind == 'B' && x.metadata.name == 'b1').size()", "1"},
        /* E that is not a string: no index, the same answer */
        {"inv.exists(x, x.?metadata.?namespace.orValue('') == 7)", "true"},
        {"inv.filter(x, x.?metadata.?namespace.orValue('') == 8 && x.kind == 'A').size()", NULL},
        {"inv.filter(x, x.kind == 'B').map(x, x.metadata.name)", "[\"b1\"]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eval_result r = eval_in(RP_PROFILE_KUBERNETES, cases[i].expr, vars);
        if (!cases[i].want) {
            cr_assert_eq(r.rc, RP_EEVAL, "%s: rc %d %s", cases[i].expr, r.rc, r.json);
            continue;
        }
        cr_assert_eq(r.rc, 0, "%s: rc %d: %s", cases[i].expr, r.rc, r.err.message);
        cr_assert_str_eq(r.json, cases[i].want, "%s", cases[i].expr);
    }
    eval_result r = eval_in(RP_PROFILE_KUBERNETES,
                            "inv.filter(x, x.?kind.orValue('') == 'A' && "
                            "x.?metadata.?namespace.orValue('') == ns && x.metadata.name != 'zz' || "
                            "false).size()",
                            vars);
    cr_assert_eq(r.rc, RP_EEVAL, "an || at the top is no conjunction: %d %s", r.rc, r.json);
}

/* The index through a list: LIST(x).exists(s, PATH(s) == E && ...) files
 * each element under every PATH(s) (a binding under each namespace its
 * subjects name, defaulting to its own).  Each expression is compared with
 * the same over `inv + []`, a new list that no index applies to: the same
 * elements in the same order, the same errors. */
Test(vm, indexed_exists_through_a_list_matches_a_scan)
{
    const char *inv =
        "[{\"kind\": \"RoleBinding\", \"metadata\": {\"namespace\": \"a\", \"name\": \"rb1\"},"
        "  \"subjects\": [{\"kind\": \"ServiceAccount\", \"name\": \"sa\"}]},"
        " {\"kind\": \"ClusterRoleBinding\", \"metadata\": {\"name\": \"crb1\"},"
        "  \"subjects\": [{\"kind\": \"ServiceAccount\", \"name\": \"sa\", \"namespace\": \"a\"},"
        "               {\"kind\": \"ServiceAccount\", \"name\": \"sa\", \"namespace\": \"b\"},"
        "               {\"kind\": \"User\", \"name\": \"u\", \"namespace\": \"a\"}]},"
        " {\"kind\": \"RoleBinding\", \"metadata\": {\"namespace\": \"b\", \"name\": \"rb2\"},"
        "  \"subjects\": [{\"kind\": \"ServiceAccount\", \"name\": \"sa\", \"namespace\": \"a\"}]},"
        " {\"kind\": \"RoleBinding\", \"metadata\": {\"namespace\": \"c\", \"name\": \"rb3\"}},"
        " {\"kind\": \"RoleBinding\", \"metadata\": {\"namespace\": \"c\", \"name\": \"rb4\"},"
        "  \"subjects\": []},"
        " {\"kind\": \"RoleBinding\", \"metadata\": {\"namespace\": \"d\", \"name\": \"rb5\"},"
        "  \"subjects\": [{\"kind\": \"ServiceAccount\", \"name\": \"sa\", \"namespace\": 7}]}]";
    /* elements that make a path fail: their errors must stay */
    const char *bad =
        "[{\"kind\": \"RoleBinding\", \"metadata\": {\"namespace\": \"a\", \"name\": \"x1\"},"
        "  \"subjects\": \"not a list\"},"
        " {\"kind\": \"RoleBinding\", \"metadata\": \"not a map\", \"subjects\": [{\"name\": \"sa\"}]},"
        " {\"kind\": \"RoleBinding\", \"metadata\": {\"namespace\": \"e\", \"name\": \"x3\"},"
        "  \"subjects\": [\"not a map\"]},"
        " {\"kind\": \"RoleBinding\", \"metadata\": {\"namespace\": \"e\", \"name\": \"x4\"},"
        "  \"subjects\": {\"a\": 1}}]";
    static const char *const preds[] = {
        "b.?subjects.orValue([]).exists(s, s.?namespace.orValue(b.?metadata.?namespace.orValue('')) == NS)",
        "b.?subjects.orValue([]).exists(s, s.?kind.orValue('') == 'ServiceAccount' && "
        "s.?namespace.orValue(b.?metadata.?namespace.orValue('')) == NS && s.?name.orValue('') in ['sa'])",
        "b.?kind.orValue('') == 'RoleBinding' && "
        "b.?subjects.orValue([]).exists(s, s.?namespace.orValue('') == NS)",
        "b.subjects.exists(s, s.namespace == NS)",
        "b.?subjects.orValue([]).exists(s, NS == s.?namespace.orValue('none'))",
        /* s.name != NS is no equality: no index, the same answers */
        "b.?subjects.orValue([]).exists(s, s.?name.orValue('') != NS)",
        /* x shadowed by the inner variable: no index */
        "b.?subjects.orValue([]).exists(b, b.?namespace.orValue('') == NS)",
    };
    static const char *const nss[] = {"'a'", "'b'", "'c'", "'d'", "'none'", "7", "''"};
    const size_t nindexed = 5; /* the first five use the index */
    rp_error err;
    rp_env *env = kubernetes_env_with_inv();
    for (size_t p = 0; p < sizeof preds / sizeof preds[0]; p++) {
        char expr[1024];
        const char *at = strstr(preds[p], "NS");
        snprintf(expr, sizeof expr, "inv.filter(b, %.*s'a'%s)", (int)(at - preds[p]), preds[p], at + 2);
        rp_program *prog = NULL;
        cr_assert_eq(rp_compile(env, expr, strlen(expr), &prog, &err), 0, "%s", err.message);
        char *dis = rp_program_disassemble(prog);
        cr_assert_not_null(dis);
        cr_assert_eq(strstr(dis, "INDEX_SUBSET") != NULL, p < nindexed, "%s:\n%s", expr, dis);
        rp_free(dis);
        rp_program_free(prog);
    }
    rp_env_free(env);
    const char *lists[] = {inv, bad};
    for (size_t l = 0; l < 2; l++) {
        const char *vars[] = {"inv", lists[l], NULL};
        for (size_t p = 0; p < sizeof preds / sizeof preds[0]; p++) {
            for (size_t k = 0; k < sizeof nss / sizeof nss[0]; k++) {
                for (int form = 0; form < 2; form++) {
                    /* the predicate with NS replaced */
                    char pred[512], expr[1024], scan[1024];
                    const char *at = strstr(preds[p], "NS");
                    snprintf(pred, sizeof pred, "%.*s%s%s", (int)(at - preds[p]), preds[p], nss[k],
                             at + 2);
                    const char *fmt = form == 0 ? "%s.filter(b, %s).map(b, b.?metadata.?name.orValue('?'))"
                                                : "%s.exists(b, %s)";
                    snprintf(expr, sizeof expr, fmt, "inv", pred);
                    snprintf(scan, sizeof scan, fmt, "(inv + [])", pred);
                    eval_result a = eval_in(RP_PROFILE_KUBERNETES, expr, vars);
                    eval_result b = eval_in(RP_PROFILE_KUBERNETES, scan, vars);
                    cr_assert_eq(a.rc, b.rc, "%s: rc %d (%s), scan %d (%s)", expr, a.rc,
                                 a.err.message, b.rc, b.err.message);
                    cr_assert_str_eq(a.json, b.json, "%s", expr);
                    if (a.rc)
                        cr_assert_str_eq(a.err.message, b.err.message, "%s", expr);
                }
            }
        }
    }
    /* and the answers themselves, for the rule's shape */
    const char *vars[] = {"inv", inv, NULL};
    eval_result r = eval_in(RP_PROFILE_KUBERNETES,
                            "inv.filter(b, b.?subjects.orValue([]).exists(s, "
                            "s.?namespace.orValue(b.?metadata.?namespace.orValue('')) == 'a' && "
                            "s.?kind.orValue('') == 'ServiceAccount')).map(b, b.metadata.name)",
                            vars);
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_str_eq(r.json, "[\"rb1\",\"crb1\",\"rb2\"]");
}

/* An index belongs to one binding: binding the list again drops it. */
Test(vm, index_follows_rebinding)
{
    rp_error err;
    rp_env *env = kubernetes_env_with_inv();
    const char *expr = "inv.filter(x, x.?k.orValue('') == 'a').size()";
    rp_program *prog = NULL;
    cr_assert_eq(rp_compile(env, expr, strlen(expr), &prog, &err), 0, "%s", err.message);
    rp_activation *act = rp_activation_new(env, &err);
    const char *docs[] = {"[{\"k\": \"a\"}, {\"k\": \"b\"}]",
                          "[{\"k\": \"a\"}, {\"k\": \"a\"}, {\"k\": \"a\"}]", "[]"};
    const int64_t want[] = {1, 3, 0};
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 3; i++) {
            cr_assert_eq(rp_activation_bind_json(act, "inv", docs[i], strlen(docs[i]), &err), 0);
            for (int rep = 0; rep < 2; rep++) {
                rp_value *v = NULL;
                cr_assert_eq(rp_eval(prog, act, &v, &err), 0, "%s", err.message);
                int64_t n = -1;
                cr_assert_eq(rp_value_int(v, &n), 0);
                cr_assert_eq(n, want[i], "doc %d: %lld", i, (long long)n);
                rp_value_free(v);
            }
        }
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
}

Test(vm, comprehension_over_non_collection_is_error)
{
    EXPECT_ERROR("dyn(1).all(x, x > 0)", RP_EEVAL);
}

Test(vm, json_views)
{
    const char *vars[] = {"o", "{\"a\": {\"b\": [10, 20, {\"c\": \"x\"}]}, \"n\": 1.5}", NULL};
    eval_result r = eval_in(RP_PROFILE_CEL, "o.a.b[2].c + string(o.a.b[1])", vars);
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_str_eq(r.json, "\"x20\"");
    r = eval_in(RP_PROFILE_CEL, "o.n", vars);
    cr_assert_str_eq(r.json, "1.5");
    r = eval_in(RP_PROFILE_CEL, "has(o.a.b) && !has(o.a.z)", vars);
    cr_assert_str_eq(r.json, "true");
    r = eval_in(RP_PROFILE_CEL, "o.a.missing", vars);
    cr_assert_eq(r.rc, RP_EEVAL);
    cr_assert(strstr(r.err.message, "no such key") != NULL, "%s", r.err.message);
    /* the error points at the failing selection */
    cr_assert_eq(r.err.line, 1);
}

Test(vm, list_literal_with_error_element)
{
    EXPECT_ERROR("[1, 1 / 0, 3]", RP_EEVAL);
    EXPECT_JSON("size([1, 'a', [2]])", "3");
}

Test(vm, map_literal_repeated_key_is_error)
{
    EXPECT_ERROR("{'a': 1, 'a': 2}", RP_EEVAL);
    EXPECT_JSON("{'a': 1, 'b': 2}['b']", "2");
}

Test(vm, in_constant_list)
{
    EXPECT_JSON("'b' in ['a', 'b']", "true");
    EXPECT_JSON("'c' in ['a', 'b']", "false");
    EXPECT_JSON("1 in ['a', 'b']", "false");
}

Test(vm, cost_budget_stops_evaluation)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = RP_PROFILE_CEL;
    o.cost_budget = 1000;
    rp_error err = {0};
    rp_env *env = rp_env_new(&o, &err);
    cr_assert_not_null(env);
    const char *expr = "[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, "
                       "[1,2,3,4,5,6,7,8,9,10].map(c, a + b + c)))";
    rp_program *prog = NULL;
    cr_assert_eq(rp_compile(env, expr, strlen(expr), &prog, &err), 0, "%s", err.message);
    rp_activation *act = rp_activation_new(env, &err);
    rp_value *v = NULL;
    int rc = rp_eval(prog, act, &v, &err);
    cr_assert_eq(rc, RP_ELIMIT);
    cr_assert_null(v);
    cr_assert(strstr(err.message, "cost limit") != NULL, "%s", err.message);
    /* the activation stays usable */
    rp_program *p2 = NULL;
    cr_assert_eq(rp_compile(env, "1 + 1", 5, &p2, NULL), 0);
    cr_assert_eq(rp_eval(p2, act, &v, NULL), 0);
    rp_value_free(v);
    rp_program_free(p2);
    rp_program_free(prog);
    rp_activation_free(act);
    rp_env_free(env);
}

Test(vm, activation_of_another_env_is_misuse)
{
    rp_env *a = rp_env_new(NULL, NULL), *b = rp_env_new(NULL, NULL);
    rp_program *prog = NULL;
    cr_assert_eq(rp_compile(a, "1", 1, &prog, NULL), 0);
    rp_activation *act = rp_activation_new(b, NULL);
    rp_value *v = NULL;
    cr_assert_eq(rp_eval(prog, act, &v, NULL), RP_EINVAL);
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(a);
    rp_env_free(b);
}
