/* test_arena.c -- the evaluation arena: 16-byte alignment, no overlap, the
 * byte limit, reuse of chunks after reset (steady state makes no heap
 * allocation, DESIGN.md "Performance design"), and the rpi_alloc family's
 * report of a failed allocation in the evaluation context. */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"

Test(arena, aligns_every_allocation_to_16)
{
    rpi_arena *a = rpi_arena_new(0);
    cr_assert_not_null(a);
    const size_t sizes[] = {1, 3, 16, 17, 100, 4096, 9000, 300000, 0, 7};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = rpi_arena_alloc(a, sizes[i]);
        cr_assert_not_null(p, "size %zu", sizes[i]);
        cr_expect_eq((uintptr_t)p % 16, 0, "size %zu", sizes[i]);
    }
    rpi_arena_free(a);
}

Test(arena, allocations_do_not_overlap)
{
    rpi_arena *a = rpi_arena_new(0);
    unsigned char *blocks[200];
    size_t sizes[200];
    for (int i = 0; i < 200; i++) {
        sizes[i] = (size_t)(i * 37 % 1500) + 1;
        blocks[i] = rpi_arena_alloc(a, sizes[i]);
        cr_assert_not_null(blocks[i]);
        memset(blocks[i], i, sizes[i]);
    }
    for (int i = 0; i < 200; i++)
        for (size_t j = 0; j < sizes[i]; j++)
            cr_assert_eq(blocks[i][j], (unsigned char)i, "block %d byte %zu", i, j);
    rpi_arena_free(a);
}

Test(arena, counts_bytes_used_since_reset)
{
    rpi_arena *a = rpi_arena_new(0);
    cr_expect_eq(rpi_arena_used(a), 0);
    rpi_arena_alloc(a, 10);     /* rounded up to 16 */
    rpi_arena_alloc(a, 32);
    cr_expect_eq(rpi_arena_used(a), 48);
    rpi_arena_reset(a);
    cr_expect_eq(rpi_arena_used(a), 0);
    rpi_arena_free(a);
}

Test(arena, refuses_allocations_beyond_the_limit)
{
    rpi_arena *a = rpi_arena_new(1024);
    cr_expect_not_null(rpi_arena_alloc(a, 1000));  /* 1008 bytes */
    cr_expect_null(rpi_arena_alloc(a, 32));        /* 1040 > 1024 */
    cr_expect_not_null(rpi_arena_alloc(a, 16));    /* exactly 1024 */
    cr_expect_null(rpi_arena_alloc(a, 1));
    cr_expect_null(rpi_arena_alloc(a, SIZE_MAX));
    rpi_arena_reset(a);
    cr_expect_not_null(rpi_arena_alloc(a, 1024));
    rpi_arena_free(a);
}

/* The same sequence of allocations after a reset mallocs nothing. */
static void workload(rpi_arena *a)
{
    for (int i = 0; i < 500; i++)
        cr_assert_not_null(rpi_arena_alloc(a, (size_t)(i % 7) * 100 + 24));
    cr_assert_not_null(rpi_arena_alloc(a, 200 * 1024));     /* a large request */
    for (int i = 0; i < 50; i++)
        cr_assert_not_null(rpi_arena_alloc(a, 64));
}

Test(arena, reset_reuses_chunks_so_steady_state_makes_no_malloc)
{
    rpi_arena *a = rpi_arena_new(0);
    workload(a);
    uint64_t warm = rpi_arena_mallocs(a);
    cr_expect_gt(warm, 0);
    for (int round = 0; round < 5; round++) {
        rpi_arena_reset(a);
        workload(a);
    }
    cr_expect_eq(rpi_arena_mallocs(a), warm);
    rpi_arena_free(a);
}

Test(arena, huge_chunks_are_released_at_reset)
{
    rpi_arena *a = rpi_arena_new(0);
    unsigned char *p = rpi_arena_alloc(a, 4u << 20);
    cr_assert_not_null(p);
    memset(p, 0xab, 4u << 20);
    uint64_t before = rpi_arena_mallocs(a);
    rpi_arena_reset(a);
    cr_assert_not_null(rpi_arena_alloc(a, 4u << 20));
    cr_expect_eq(rpi_arena_mallocs(a), before + 1);
    rpi_arena_free(a);
}

Test(arena, free_and_reset_accept_null)
{
    rpi_arena_free(NULL);
    rpi_arena_reset(NULL);
    cr_expect_null(rpi_arena_alloc(NULL, 8));
    cr_expect_eq(rpi_arena_used(NULL), 0);
}

Test(arena, context_helpers)
{
    rpi_ctx cx = {0};
    cx.arena = rpi_arena_new(0);

    char *s = rpi_strbuf(&cx, 5);
    cr_assert_not_null(s);
    cr_expect_eq(s[5], '\0');

    rpi_list *l = rpi_list_new(&cx, 3);
    cr_assert_not_null(l);
    cr_expect_eq(l->n, 3);

    const val *b = rpi_box(&cx, val_int(42));
    cr_assert_not_null(b);
    cr_expect_eq(b->kind, VK_INT);
    cr_expect_eq(b->u.i, 42);
    cr_expect_eq(cx.limit_hit, 0);
    rpi_arena_free(cx.arena);
}

Test(arena, context_reports_the_memory_limit)
{
    rpi_ctx cx = {0};
    cx.arena = rpi_arena_new(4096);
    cr_expect_not_null(rpi_alloc(&cx, 4000));
    cr_expect_null(rpi_alloc(&cx, 200));
    cr_expect_eq(cx.limit_hit, 1);
    cr_expect_str_eq(cx.limit_msg, "evaluation memory exceeds limit max_eval_memory (4096 bytes)");
    cr_expect_null(rpi_strbuf(&cx, SIZE_MAX));
    rpi_arena_free(cx.arena);
}
