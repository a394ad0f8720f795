/* arena.c -- the evaluation arena: a chunked bump allocator.
 *
 * Everything an evaluation builds (concatenated strings, list and map
 * literals, error messages) comes from the activation's arena, which is
 * reset, not freed, before each evaluation.  Reset keeps the chunks and
 * allocation walks them again in the same order, so evaluating the same
 * program over and over settles into zero heap allocations.
 *
 *   chunks:  [c0: 8 KiB] -> [c1: 16 KiB] -> [big: 3 MiB] -> [c2: 32 KiB] ...
 *              ^ cur, ptr..end is its free space
 *
 * A request that does not fit in the current chunk moves on to the next
 * kept chunk that can hold it, or mallocs a new one (doubling the chunk
 * size up to ARENA_CHUNK_MAX; a larger request gets a chunk of its own).
 * Chunks larger than ARENA_RETAIN_MAX are given back at reset so that one
 * huge evaluation does not pin its memory for the activation's life.
 *
 * The limit counts the bytes handed out since the last reset (the
 * rp_env_options.max_eval_memory of the environment); beyond it an
 * allocation fails, and the rpi_alloc family reports it in the context.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define ARENA_ALIGN 16
#define ARENA_CHUNK_MIN ((size_t)8 * 1024)      /* first chunk */
#define ARENA_CHUNK_MAX ((size_t)256 * 1024)    /* doubling stops here */
#define ARENA_RETAIN_MAX ((size_t)1024 * 1024)  /* bigger chunks are freed at reset */

typedef struct chunk {
    struct chunk *next;
    size_t cap;             /* usable bytes from data() */
} chunk;

struct rpi_arena {
    chunk *first;
    chunk *cur;             /* the chunk being filled; NULL before the first allocation */
    char *ptr, *end;        /* free space of cur */
    size_t limit;           /* 0 = unlimited */
    size_t used;            /* bytes handed out since the last reset */
    size_t next_cap;        /* size of the next ordinary chunk */
    uint64_t mallocs;
};

static size_t align_up(size_t n) { return (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1); }

/* The first 16-aligned byte after the chunk header. */
static char *chunk_data(chunk *c)
{
    uintptr_t p = (uintptr_t)(c + 1);
    return (char *)((p + (ARENA_ALIGN - 1)) & ~(uintptr_t)(ARENA_ALIGN - 1));
}

rpi_arena *rpi_arena_new(size_t limit)
{
    rpi_arena *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->limit = limit;
    a->next_cap = ARENA_CHUNK_MIN;
    return a;
}

void rpi_arena_free(rpi_arena *a)
{
    if (!a)
        return;
    chunk *c = a->first;
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void rpi_arena_reset(rpi_arena *a)
{
    if (!a)
        return;
    /* Give back the oversized chunks, keep the others in their order. */
    chunk **pp = &a->first;
    while (*pp) {
        chunk *c = *pp;
        if (c->cap > ARENA_RETAIN_MAX) {
            *pp = c->next;
            free(c);
        } else {
            pp = &c->next;
        }
    }
    a->cur = a->first;
    a->ptr = a->cur ? chunk_data(a->cur) : NULL;
    a->end = a->cur ? a->ptr + a->cur->cap : NULL;
    a->used = 0;
}

/* Make a chunk able to hold N bytes the current one; link it after cur. */
static bool new_chunk(rpi_arena *a, size_t n)
{
    size_t cap = a->next_cap;
    if (n > cap)
        cap = n;
    else if (a->next_cap < ARENA_CHUNK_MAX)
        a->next_cap *= 2;
    if (cap > SIZE_MAX - sizeof(chunk) - ARENA_ALIGN)
        return false;
    chunk *c = malloc(sizeof(chunk) + ARENA_ALIGN + cap);
    if (!c)
        return false;
    a->mallocs++;
    c->cap = cap;
    if (a->cur) {
        c->next = a->cur->next;
        a->cur->next = c;
    } else {
        c->next = a->first;
        a->first = c;
    }
    a->cur = c;
    a->ptr = chunk_data(c);
    a->end = a->ptr + cap;
    return true;
}

void *rpi_arena_alloc(rpi_arena *a, size_t size)
{
    if (!a || size > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size_t n = align_up(size);
    if (a->limit && (n > a->limit || a->used > a->limit - n))
        return NULL;
    if (!a->cur || (size_t)(a->end - a->ptr) < n) {
        /* Reuse a kept chunk further on if one is big enough: the chunks
         * skipped over stay unused until the next reset. */
        chunk *c = a->cur ? a->cur->next : a->first;
        while (c && c->cap < n)
            c = c->next;
        if (c) {
            a->cur = c;
            a->ptr = chunk_data(c);
            a->end = a->ptr + c->cap;
        } else if (!new_chunk(a, n)) {
            return NULL;
        }
    }
    void *p = a->ptr;
    a->ptr += n;
    a->used += n;
    return p;
}

size_t rpi_arena_used(const rpi_arena *a) { return a ? a->used : 0; }

uint64_t rpi_arena_mallocs(const rpi_arena *a) { return a ? a->mallocs : 0; }

/* ---- The evaluation's helpers (value.h) ----------------------------------------- */

/* Record in CX why an allocation of SIZE bytes failed; the VM then stops
 * with RP_ELIMIT and this message. */
static void alloc_failed(rpi_ctx *cx, size_t size)
{
    if (cx->limit_hit)
        return;
    cx->limit_hit = 1;
    const rpi_arena *a = cx->arena;
    if (a && a->limit && (size > a->limit || a->used > a->limit - align_up(size)))
        snprintf(cx->limit_msg, sizeof cx->limit_msg,
                 "evaluation memory exceeds limit max_eval_memory (%zu bytes)", a->limit);
    else
        snprintf(cx->limit_msg, sizeof cx->limit_msg, "out of memory");
}

void *rpi_alloc(rpi_ctx *cx, size_t size)
{
    void *p = rpi_arena_alloc(cx->arena, size);
    if (!p)
        alloc_failed(cx, size);
    return p;
}

rpi_list *rpi_list_new(rpi_ctx *cx, uint32_t n)
{
    if (cx->env && n > cx->env->max_list_size) {
        rpi_limit_stop(cx, "list size exceeds limit max_list_size (%zu elements): %u elements",
                       cx->env->max_list_size, n);
        return NULL;
    }
    rpi_list *l = rpi_alloc(cx, sizeof(rpi_list) + (size_t)n * sizeof(val));
    if (l)
        l->n = n;
    return l;
}

char *rpi_strbuf(rpi_ctx *cx, size_t len)
{
    if (len == SIZE_MAX) {
        alloc_failed(cx, len);
        return NULL;
    }
    if (cx->env && len > cx->env->max_string_size) {
        rpi_limit_stop(cx, "string size exceeds limit max_string_size (%zu bytes): %zu bytes",
                       cx->env->max_string_size, len);
        return NULL;
    }
    char *p = rpi_alloc(cx, len + 1);
    if (p)
        p[len] = '\0';
    return p;
}

const val *rpi_box(rpi_ctx *cx, val v)
{
    val *p = rpi_alloc(cx, sizeof v);
    if (p)
        *p = v;
    return p;
}
