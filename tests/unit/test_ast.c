/* test_ast.c -- the compile pool and the AST (ast.c): allocation and
 * alignment, constructors (ids, spans, copied arrays), and the debug string
 * format documented at the top of ast.c.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static rpi_pool *pool;
static rpi_ast_builder b;

static void setup(void)
{
    pool = rpi_pool_new();
    cr_assert_not_null(pool);
    b = (rpi_ast_builder){pool, 1};
}

static void teardown(void)
{
    rpi_pool_free(pool);
}

TestSuite(ast, .init = setup, .fini = teardown);

static const rpi_span SP = {0, 1};

static void shows(const ast_node *n, const char *want)
{
    cr_assert_not_null(n);
    char *got = rpi_ast_debug_string(n);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, want);
    free(got);
}

Test(ast, pool_allocations_are_zeroed_and_aligned)
{
    for (size_t size = 1; size < 5000; size += 37) {
        unsigned char *p = rpi_pool_alloc(pool, size);
        cr_assert_not_null(p);
        cr_expect_eq((uintptr_t)p % alignof(max_align_t), 0);
        for (size_t i = 0; i < size; i++)
            cr_assert_eq(p[i], 0);
        memset(p, 0xAB, size);
    }
    void *big = rpi_pool_alloc(pool, 10u << 20);       /* larger than any chunk */
    cr_expect_not_null(big);
    void *small = rpi_pool_alloc(pool, 8);
    cr_expect_not_null(small);
    cr_expect_null(rpi_pool_alloc(pool, SIZE_MAX - 4));
    cr_expect_null(rpi_pool_alloc(NULL, 8));
    rpi_pool_free(NULL);
}

Test(ast, pool_strdup)
{
    char *s = rpi_pool_strdup(pool, "hello world", 5);
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "hello");
    char *e = rpi_pool_strdup(pool, "", 0);
    cr_assert_not_null(e);
    cr_expect_str_eq(e, "");
}

Test(ast, ids_and_spans)
{
    ast_node *a = rpi_ast_ident(&b, "a", (rpi_span){3, 4});
    ast_node *one = rpi_ast_literal(&b, val_int(1), (rpi_span){7, 8});
    ast_node *args[2] = {a, one};
    ast_node *sum = rpi_ast_call(&b, NULL, "_+_", args, 2, (rpi_span){3, 8});
    cr_assert_not_null(sum);
    cr_expect_eq(a->id, 1);
    cr_expect_eq(one->id, 2);
    cr_expect_eq(sum->id, 3);
    cr_expect_eq(b.next_id, 4);
    cr_expect_eq(sum->span.start, 3);
    cr_expect_eq(sum->span.end, 8);
    cr_expect_eq(sum->op_pos, 3);                  /* constructors: span.start */
    args[0] = NULL;                                /* ARGS was copied */
    cr_expect_eq(sum->u.call.args[0], a);
    rpi_ast_builder zero = {pool, 0, 0};            /* ids start at 1 */
    cr_expect_eq(rpi_ast_ident(&zero, "x", SP)->id, 1);
}

Test(ast, null_children_fail)
{
    ast_node *args[1] = {NULL};
    cr_expect_null(rpi_ast_call(&b, NULL, "f", args, 1, SP));
    cr_expect_null(rpi_ast_select(&b, NULL, "f", 1, false, SP));
    cr_expect_null(rpi_ast_list(&b, args, NULL, 1, SP));
    cr_expect_null(rpi_ast_ident(&b, NULL, SP));
}

Test(ast, optional_flags_are_normalized)
{
    ast_node *e[2] = {rpi_ast_ident(&b, "a", SP), rpi_ast_ident(&b, "b", SP)};
    bool none[2] = {false, false}, second[2] = {false, true};
    ast_node *l1 = rpi_ast_list(&b, e, none, 2, SP);
    cr_assert_not_null(l1);
    cr_expect_null(l1->u.list.optional);
    ast_node *l2 = rpi_ast_list(&b, e, second, 2, SP);
    cr_assert_not_null(l2);
    cr_assert_not_null(l2->u.list.optional);
    cr_expect(l2->u.list.optional[1]);
    cr_expect_neq(l2->u.list.optional, second);
    ast_node *empty = rpi_ast_list(&b, NULL, NULL, 0, SP);
    cr_assert_not_null(empty);
    cr_expect_eq(empty->u.list.n, 0);
}

Test(ast, debug_string_literals)
{
    shows(rpi_ast_literal(&b, val_int(-42), SP), "-42");
    shows(rpi_ast_literal(&b, val_int(INT64_MIN), SP), "-9223372036854775808");
    shows(rpi_ast_literal(&b, val_uint(UINT64_MAX), SP), "18446744073709551615u");
    shows(rpi_ast_literal(&b, val_double(1.5), SP), "1.5");
    shows(rpi_ast_literal(&b, val_double(2), SP), "2.0");
    shows(rpi_ast_literal(&b, val_double(-0.0), SP), "-0.0");
    shows(rpi_ast_literal(&b, val_double(0.1), SP), "0.1");
    shows(rpi_ast_literal(&b, val_double(1e100), SP), "1e+100");
    shows(rpi_ast_literal(&b, val_double(1e-7), SP), "1e-07");
    shows(rpi_ast_literal(&b, val_double(INFINITY), SP), "Infinity");
    shows(rpi_ast_literal(&b, val_double(NAN), SP), "NaN");
    shows(rpi_ast_literal(&b, val_bool(true), SP), "true");
    shows(rpi_ast_literal(&b, val_null(), SP), "null");
    shows(rpi_ast_literal(&b, val_string("a\"b\\c\n\t\x01\xc3\xa9", 10), SP),
          "\"a\\\"b\\\\c\\n\\t\\x01\xc3\xa9\"");
    shows(rpi_ast_literal(&b, val_bytes("\0\xff" "a", 3), SP), "b\"\\x00\\xffa\"");
}

Test(ast, debug_string_nodes)
{
    ast_node *m = rpi_ast_ident(&b, "m", SP);
    ast_node *k = rpi_ast_literal(&b, val_string("k", 1), SP);
    ast_node *one = rpi_ast_literal(&b, val_int(1), SP);
    shows(rpi_ast_select(&b, m, "f", 1, false, SP), "m.f");
    shows(rpi_ast_select(&b, m, "f", 1, true, SP), "m.f~test-only~");
    ast_node *args[2] = {m, one};
    shows(rpi_ast_call(&b, NULL, "_+_", args, 2, SP), "_+_(m, 1)");
    shows(rpi_ast_call(&b, m, "size", NULL, 0, SP), "m.size()");
    bool opt[2] = {true, false};
    ast_node *keys[2] = {k, one}, *vals[2] = {one, m};
    shows(rpi_ast_map(&b, keys, vals, opt, 2, SP), "{?\"k\": 1, 1: m}");
    shows(rpi_ast_list(&b, keys, opt, 2, SP), "[?\"k\", 1]");
    const char *fields[2] = {"f", "g"};
    shows(rpi_ast_struct(&b, "pkg.Msg", fields, vals, opt, 2, SP), "pkg.Msg{?f: 1, g: m}");
    ast_node *comp = rpi_ast_comprehension(&b, "x", NULL, "@result", m,
                                           rpi_ast_literal(&b, val_bool(true), SP),
                                           rpi_ast_ident(&b, "c", SP),
                                           rpi_ast_ident(&b, "s", SP),
                                           rpi_ast_ident(&b, "@result", SP), SP);
    shows(comp, "__comprehension__(x, m, @result, true, c, s, @result)");
    ast_node *comp2 = rpi_ast_comprehension(&b, "i", "v", "@result", m, one, one, one, one, SP);
    shows(comp2, "__comprehension__(i, v, m, @result, 1, 1, 1, 1)");
}
