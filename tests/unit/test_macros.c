/* test_macros.c -- macro expansion (macros.c): the shape of every
 * expansion in ast.c's debug-string form, the errors with their positions,
 * and which profile has which macro.
 *
 * Expected shapes are cel-go's (parser/parser_test.go P: lines without ids,
 * ext/comprehensions.go, ext/bindings.go, ext/math.go, ext/lists.go,
 * cel/library.go optMap/optFlatMap).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CEL RPI_PROF_CEL
#define K8S RPI_PROF_K8S
#define EXT RPI_PROF_EXT

typedef struct expanded {
    rpi_pool *pool;
    rpi_ast_builder b;
    rpi_diag diag;
    ast_node *call;     /* the parsed tree before expansion */
    ast_node *root;
} expanded;

static void expand(expanded *ex, const char *expr, unsigned profile)
{
    memset(ex, 0, sizeof *ex);
    ex->pool = rpi_pool_new();
    cr_assert_not_null(ex->pool);
    ex->b = (rpi_ast_builder){ex->pool, 1};
    rpi_parse_options o = {.max_length = 0, .max_depth = 0, .enable_optional_syntax = true};
    ex->call = rpi_parse(&ex->b, expr, strlen(expr), &o, &ex->diag);
    cr_assert_not_null(ex->call, "%s: %s", expr, ex->diag.message);
    ex->root = rpi_macros_expand(&ex->b, ex->call, (int)profile, &ex->diag);
}

static void check(const char *expr, unsigned profile, const char *want)
{
    expanded ex;
    expand(&ex, expr, profile);
    cr_assert_not_null(ex.root, "%s: %s", expr, ex.diag.message);
    char *got = rpi_ast_debug_string(ex.root);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, want, "%s\n  got:  %s\n  want: %s", expr, got, want);
    free(got);
    rpi_pool_free(ex.pool);
}

/* EXPR fails to expand with exactly the rendered error WANT. */
static void check_error(const char *expr, unsigned profile, const char *want)
{
    expanded ex;
    expand(&ex, expr, profile);
    cr_expect_null(ex.root, "%s expanded", expr);
    cr_expect_eq(ex.diag.code, RP_ESYNTAX, "%s: code %d", expr, ex.diag.code);
    rp_error err = {0};
    rpi_source_report(&err, "<expression>", expr, strlen(expr), &ex.diag);
    cr_expect_str_eq(err.message, want, "%s\n--- got:\n%s\n--- want:\n%s", expr, err.message,
                     want);
    rpi_pool_free(ex.pool);
}

Test(macros, has)
{
    check("has(m.f)", CEL, "m.f~test-only~");
    check("has(a.b.c)", CEL, "a.b.c~test-only~");
    check("has(a.b) || has(c.d)", CEL, "_||_(a.b~test-only~, c.d~test-only~)");
    check_error("has(m)", CEL,
                "<expression>:1:5: invalid argument to has() macro\n | has(m)\n | ....^");
    check_error("has(m[0])", CEL,
                "<expression>:1:6: invalid argument to has() macro\n | has(m[0])\n | .....^");
}

Test(macros, quantifiers)
{
    check("m.all(v, f)", CEL,
          "__comprehension__(v, m, @result, true, @not_strictly_false(@result), "
          "_&&_(@result, f), @result)");
    check("m.exists(v, f)", CEL,
          "__comprehension__(v, m, @result, false, @not_strictly_false(!_(@result)), "
          "_||_(@result, f), @result)");
    check("m.exists_one(v, f)", CEL,
          "__comprehension__(v, m, @result, 0, true, _?_:_(f, _+_(@result, 1), @result), "
          "_==_(@result, 1))");
}

Test(macros, map_and_filter)
{
    check("m.map(v, f)", CEL,
          "__comprehension__(v, m, @result, [], true, _+_(@result, [f]), @result)");
    check("m.map(v, p, f)", CEL,
          "__comprehension__(v, m, @result, [], true, _?_:_(p, _+_(@result, [f]), @result), "
          "@result)");
    check("m.filter(v, p)", CEL,
          "__comprehension__(v, m, @result, [], true, _?_:_(p, _+_(@result, [v]), @result), "
          "@result)");
}

Test(macros, nested_expansion_is_bottom_up)
{
    check("x.filter(y, y.filter(z, z > 0))", CEL,
          "__comprehension__(y, x, @result, [], true, _?_:_(__comprehension__(z, y, @result, [], "
          "true, _?_:_(_>_(z, 0), _+_(@result, [z]), @result), @result), "
          "_+_(@result, [y]), @result), @result)");
    check("has(a.b).filter(c, c)", CEL,
          "__comprehension__(c, a.b~test-only~, @result, [], true, "
          "_?_:_(c, _+_(@result, [c]), @result), @result)");
    check("[m.all(x, has(x.a))]", CEL,
          "[__comprehension__(x, m, @result, true, @not_strictly_false(@result), "
          "_&&_(@result, x.a~test-only~), @result)]");
}

Test(macros, not_macros)
{
    check("m.all(x)", EXT, "m.all(x)");
    check("has(a.b, c)", EXT, "has(a.b, c)");
    check("m.has(a.b)", EXT, "m.has(a.b)");
    check(".has(a.b)", EXT, ".has(a.b)");
    check("all(x, y)", EXT, "all(x, y)");
    check("m.map(x, y, z, w)", EXT, "m.map(x, y, z, w)");
}

Test(macros, iteration_variable_errors)
{
    check_error("m.filter(a.b, false)", CEL,
                "<expression>:1:11: argument is not an identifier\n"
                " | m.filter(a.b, false)\n | ..........^");
    check_error("m.map(__result__, __result__)", CEL,
                "<expression>:1:7: iteration variable overwrites accumulator variable\n"
                " | m.map(__result__, __result__)\n | ......^");
    check_error("m.filter(__result__, false)", CEL,
                "<expression>:1:10: iteration variable overwrites accumulator variable\n"
                " | m.filter(__result__, false)\n | .........^");
    check_error("[].exists_one(__result__, __result__)", CEL,
                "<expression>:1:15: iteration variable overwrites accumulator variable\n"
                " | [].exists_one(__result__, __result__)\n | ..............^");
    check_error("m.all(1, true)", CEL,
                "<expression>:1:7: argument must be a simple name\n"
                " | m.all(1, true)\n | ......^");
}

/* ext/comprehensions.go: Kubernetes and extended only. */
Test(macros, two_variable_comprehensions)
{
    check("[1].all(i, v, i < v)", K8S,
          "__comprehension__(i, v, [1], @result, true, @not_strictly_false(@result), "
          "_&&_(@result, _<_(i, v)), @result)");
    check("m.exists(k, v, v == 1)", EXT,
          "__comprehension__(k, v, m, @result, false, @not_strictly_false(!_(@result)), "
          "_||_(@result, _==_(v, 1)), @result)");
    const char *one = "__comprehension__(i, v, l, @result, 0, true, "
                      "_?_:_(p, _+_(@result, 1), @result), _==_(@result, 1))";
    check("l.existsOne(i, v, p)", K8S, one);
    check("l.exists_one(i, v, p)", K8S, one);
    check("l.transformList(i, v, v * 2)", K8S,
          "__comprehension__(i, v, l, @result, [], true, _+_(@result, [_*_(v, 2)]), @result)");
    check("l.transformList(i, v, i > 0, v)", K8S,
          "__comprehension__(i, v, l, @result, [], true, "
          "_?_:_(_>_(i, 0), _+_(@result, [v]), @result), @result)");
    check("m.transformMap(k, v, v + 1)", K8S,
          "__comprehension__(k, v, m, @result, {}, true, "
          "cel.@mapInsert(@result, k, _+_(v, 1)), @result)");
    check("m.transformMap(k, v, v > 0, v)", K8S,
          "__comprehension__(k, v, m, @result, {}, true, "
          "_?_:_(_>_(v, 0), cel.@mapInsert(@result, k, v), @result), @result)");
    check("m.transformMapEntry(k, v, {v: k})", K8S,
          "__comprehension__(k, v, m, @result, {}, true, cel.@mapInsert(@result, {v: k}), "
          "@result)");
    check("m.transformMapEntry(k, v, k != '', {v: k})", K8S,
          "__comprehension__(k, v, m, @result, {}, true, "
          "_?_:_(_!=_(k, \"\"), cel.@mapInsert(@result, {v: k}), @result), @result)");
    /* Not in the cel profile: plain calls. */
    check("[1].all(i, v, i < v)", CEL, "[1].all(i, v, _<_(i, v))");
    check("m.transformMap(k, v, v)", CEL, "m.transformMap(k, v, v)");
}

Test(macros, two_variable_errors)
{
    check_error("m.all(i, i, true)", K8S,
                "<expression>:1:10: duplicate variable name: i\n"
                " | m.all(i, i, true)\n | .........^");
    check_error("m.all(i, v.w, true)", K8S,
                "<expression>:1:11: argument must be a simple name\n"
                " | m.all(i, v.w, true)\n | ..........^");
    check_error("m.transformList(__result__, v, v)", K8S,
                "<expression>:1:17: iteration variable overwrites accumulator variable\n"
                " | m.transformList(__result__, v, v)\n | ................^");
}

Test(macros, optional_macros)
{
    check("o.optMap(x, x + 1)", K8S,
          "_?_:_(o.hasValue(), optional.of(__comprehension__(#unused, [], x, o.value(), false, "
          "x, _+_(x, 1))), optional.none())");
    check("o.optFlatMap(x, x.?y)", EXT,
          "_?_:_(o.hasValue(), __comprehension__(#unused, [], x, o.value(), false, x, "
          "_?._(x, \"y\")), optional.none())");
    check("a.?b.optMap(x, x)", K8S,
          "_?_:_(_?._(a, \"b\").hasValue(), optional.of(__comprehension__(#unused, [], x, "
          "_?._(a, \"b\").value(), false, x, x)), optional.none())");
    check_error("o.optMap(x.y, 1)", K8S,
                "<expression>:1:11: optMap() variable name must be a simple identifier\n"
                " | o.optMap(x.y, 1)\n | ..........^");
    check_error("o.optFlatMap(1, 1)", K8S,
                "<expression>:1:14: optFlatMap() variable name must be a simple identifier\n"
                " | o.optFlatMap(1, 1)\n | .............^");
    check("o.optMap(x, x)", CEL, "o.optMap(x, x)");
}

/* The copy of the target in optMap is a new tree with new ids. */
Test(macros, opt_map_copies_its_target)
{
    expanded ex;
    expand(&ex, "a.b.optMap(x, x)", K8S);
    cr_assert_not_null(ex.root);
    const ast_node *has = ex.root->u.call.args[0]->u.call.target;
    const ast_node *comp = ex.root->u.call.args[1]->u.call.args[0];
    const ast_node *value = comp->u.comp.init->u.call.target;
    cr_expect_neq(has, value);
    cr_expect_neq(has->id, value->id);
    cr_expect_neq(has->u.select.operand->id, value->u.select.operand->id);
    rpi_pool_free(ex.pool);
}

Test(macros, sort_by)
{
    check("[3, 1].sortBy(x, -x)", K8S,
          "__comprehension__(#unused, [], @__sortBy_input__, [3, 1], false, @__sortBy_input__, "
          "@__sortBy_input__.@sortByAssociatedKeys(__comprehension__(x, @__sortBy_input__, "
          "@result, [], true, _+_(@result, [-_(x)]), @result)))");
    check_error("{}.sortBy(x, x)", K8S,
                "<expression>:1:1: sortBy can only be applied to a list, identifier, "
                "comprehension, call or select expression\n | {}.sortBy(x, x)\n | ^");
    check_error("l.sortBy(x.y, x)", K8S,
                "<expression>:1:11: argument is not an identifier\n"
                " | l.sortBy(x.y, x)\n | ..........^");
    check("l.sortBy(x, x)", CEL, "l.sortBy(x, x)");
}

Test(macros, cel_bind)
{
    check("cel.bind(a, 1, a + a)", EXT,
          "__comprehension__(#unused, [], a, 1, false, a, _+_(a, a))");
    check("cel.bind(a, 1, cel.bind(b, a, b))", EXT,
          "__comprehension__(#unused, [], a, 1, false, a, "
          "__comprehension__(#unused, [], b, a, false, b, b))");
    check("x.bind(a, 1, a)", EXT, "x.bind(a, 1, a)");
    check("cel.bind(a, 1, a)", K8S, "cel.bind(a, 1, a)");
    check_error("cel.bind(a.b, 1, 2)", EXT,
                "<expression>:1:11: cel.bind() variable names must be simple identifiers\n"
                " | cel.bind(a.b, 1, 2)\n | ..........^");
}

Test(macros, math_greatest_least)
{
    check("math.greatest(1)", EXT, "math.@max(1)");
    check("math.greatest(x)", EXT, "math.@max(x)");
    check("math.greatest([1, 2.5])", EXT, "math.@max([1, 2.5])");
    check("math.greatest(1, 2u)", EXT, "math.@max(1, 2u)");
    check("math.least(1, 2, x)", EXT, "math.@min([1, 2, x])");
    check("other.least(1, 2, 3)", EXT, "other.least(1, 2, 3)");
    check("math.least(1, 2)", K8S, "math.least(1, 2)");
    check_error("math.least()", EXT,
                "<expression>:1:1: math.least() requires at least one argument\n"
                " | math.least()\n | ^");
    check_error("math.greatest('a')", EXT,
                "<expression>:1:15: math.greatest() invalid single argument value\n"
                " | math.greatest('a')\n | ..............^");
    check_error("math.least(1, [2])", EXT,
                "<expression>:1:15: math.least() simple literal arguments must be numeric\n"
                " | math.least(1, [2])\n | ..............^");
}

Test(macros, exists_one_camel_case_two_arguments)
{
    check("l.existsOne(x, p)", EXT,
          "__comprehension__(x, l, @result, 0, true, _?_:_(p, _+_(@result, 1), @result), "
          "_==_(@result, 1))");
    check("l.existsOne(x, p)", K8S, "l.existsOne(x, p)");
}

/* The block form the conformance suite's block_ext tests use. */
Test(macros, conformance_block_form)
{
    check("cel.block([1, cel.index(0) + 1], cel.index(1))", EXT,
          "__comprehension__(#unused, [], @index0, 1, false, @index0, "
          "__comprehension__(#unused, [], @index1, _+_(@index0, 1), false, @index1, @index1))");
    check("[1].exists(cel.iterVar(0, 0), cel.iterVar(0, 0) > 0)", EXT,
          "__comprehension__(@it:0:0, [1], @result, false, @not_strictly_false(!_(@result)), "
          "_||_(@result, _>_(@it:0:0, 0)), @result)");
    check("cel.accuVar(1, 2)", EXT, "@ac:1:2");
    check_error("cel.block(x, 1)", EXT,
                "<expression>:1:11: cel.block requires the first arg to be a list literal\n"
                " | cel.block(x, 1)\n | ..........^");
    check_error("cel.index(-1)", EXT,
                "<expression>:1:11: cel.index requires a single non-negative int constant arg\n"
                " | cel.index(-1)\n | ..........^");
    check("cel.index(0)", K8S, "cel.index(0)");
}

/* New nodes take the span and error position of the call they replace. */
Test(macros, spans)
{
    expanded ex;
    expand(&ex, "1 + x.all(y, y)", CEL);
    cr_assert_not_null(ex.root);
    const ast_node *comp = ex.root->u.call.args[1];
    cr_assert_eq(comp->kind, AST_COMPREHENSION);
    cr_expect_eq(comp->span.start, 4);
    cr_expect_eq(comp->span.end, 15);
    cr_expect_eq(comp->op_pos, 9);                 /* the '(' of all( */
    cr_expect_eq(comp->u.comp.init->span.start, 4);
    cr_expect_eq(comp->u.comp.step->op_pos, 9);
    cr_expect_eq(comp->u.comp.range->span.start, 4);   /* x keeps its own */
    cr_expect_eq(comp->u.comp.range->span.end, 5);
    rpi_pool_free(ex.pool);
}

Test(macros, deep_input_within_limits)
{
    char expr[4096] = "";
    for (int i = 0; i < 60; i++)
        strcat(expr, "x.all(y, ");
    strcat(expr, "true");
    for (int i = 0; i < 60; i++)
        strcat(expr, ")");
    expanded ex;
    expand(&ex, expr, EXT);
    cr_expect_not_null(ex.root, "%s", ex.diag.message);
    char *s = rpi_ast_debug_string(ex.root);
    cr_expect_not_null(s);
    free(s);
    rpi_pool_free(ex.pool);
}
