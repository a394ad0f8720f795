/* list_index.c -- the elements of a bound list whose field has a given
 * value, found through an index built once per binding (INDEX_SUBSET).
 *
 * Why: a cross-object rule reads `inventory.filter(x, ... &&
 * x.?metadata.?namespace.orValue('') == variables.ns && ...)` (or exists)
 * for every object of a check, which makes a check quadratic in the number
 * of objects.  The compiler recognises a conjunct PATH(x) == E of such a
 * predicate, where the range is a bound variable and E does not depend on
 * x, and narrows the range to the elements that can satisfy it before the
 * loop.  When the predicate has several such conjuncts (the kind and the
 * namespace, typically), the index is on all of them at once, so that the
 * candidates are the elements of one kind in one namespace however many
 * namespaces the check holds.  The index maps each combination of string
 * values of the paths to the elements that have it; it is built on first
 * use and kept in the activation for as long as the variable keeps the same
 * binding, so a whole check builds it once.
 *
 * Exactness: the predicate is still evaluated in full on every candidate.
 * An element is left out only when a PATH evaluates cleanly (no error) to a
 * value other than its string E: that conjunct is then false, so the whole
 * && is false (CEL's && is false as soon as one side is false, errors
 * included), and filter() and exists() ignore elements whose predicate is
 * false.  Elements on which PATH fails (not a map on the way, or a missing
 * field in a plain selection) are candidates for every value, in their
 * place, so that the errors they would produce are not lost.  Candidates
 * keep the order of the list.  Binding the variable again drops its
 * indexes (rpi_list_index_drop).
 *
 * The paths are K's constant list of lists [optional, D, f1, ..., fk]:
 * x.?f1...?fk.orValue(D) when optional is true, else x.f1...fk (D unused).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The combined key of an element is, for each path, its length (4 bytes)
 * then its bytes; a single path's key is its string itself. */
#define MAX_KEY 4096

typedef struct bucket {
    const char *key;        /* NULL: the empty slot */
    uint32_t len;
    uint32_t hash;
    uint32_t count;         /* elements with this key */
    rpi_list *cands;        /* the elements with this key, and the unclean */
} bucket;

struct rpi_list_index {
    struct rpi_list_index *next;
    size_t binding;         /* the position of the variable's binding */
    const rpi_list *list;   /* the bound list itself */
    rpi_list *paths;        /* a copy of the paths constant (in mem) */
    bool useless;           /* too many unclean elements for too many keys:
                               the whole list is the candidate set */
    rpi_arena *mem;         /* everything below */
    bucket *buckets;        /* 2^bits slots */
    uint32_t bits;
    rpi_list *unclean;      /* the candidates of a key no element has */
};

/* The string PATH ([optional, D, f1, ...]) gives for E: 1 with *KEY, 0 when
 * it gives something else (no string: never equal to a string), -1 when it
 * fails (unclean). */
static int path_key(val e, const rpi_list *path, val *key)
{
    bool optional = path->items[0].u.b;
    for (uint32_t i = 2; i < path->n; i++) {
        if (e.kind != VK_MAP)
            return -1;
        val f = path->items[i], next;
        if (!rpi_map_get_str(e, f.u.s, f.aux, &next)) {
            if (!optional)
                return -1;
            e = path->items[1]; /* optional.none().orValue(D) */
            break;
        }
        e = next;
    }
    if (e.kind != VK_STRING)
        return 0;
    *key = e;
    return 1;
}

/* The combined key of the strings PARTS[0..N) into BUF (MAX_KEY bytes), or
 * the one string itself; false when it does not fit. */
static bool combine(const val *parts, uint32_t n, char *buf, const char **key, uint32_t *len)
{
    if (n == 1) {
        *key = parts[0].u.s;
        *len = parts[0].aux;
        return true;
    }
    size_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (parts[i].aux > MAX_KEY - 4 - o)
            return false;
        memcpy(buf + o, &parts[i].aux, 4);
        memcpy(buf + o + 4, parts[i].u.s, parts[i].aux);
        o += 4 + parts[i].aux;
    }
    *key = buf;
    *len = (uint32_t)o;
    return true;
}

/* The class of element E under every path: 1 with its combined key in
 * *KEY (which may point into BUF), 0 when some path gives no string, -1
 * when a path fails or the key is too long (a candidate everywhere). */
static int element_key(val e, const rpi_list *paths, char *buf, const char **key, uint32_t *len)
{
    val parts[8];
    int cls = 1;
    for (uint32_t p = 0; p < paths->n; p++) {
        int c = path_key(e, paths->items[p].u.list, &parts[p]);
        if (c < 0)
            return -1;
        if (c == 0)
            cls = 0;
    }
    if (cls == 0)
        return 0;
    return combine(parts, paths->n, buf, key, len) ? 1 : -1;
}

static bucket *find_bucket(const struct rpi_list_index *ix, const char *s, uint32_t len, uint32_t h)
{
    uint32_t mask = (1u << ix->bits) - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        bucket *b = &ix->buckets[i];
        if (!b->key || (b->hash == h && b->len == len && memcmp(b->key, s, len) == 0))
            return b;
    }
}

static bool same_paths(const rpi_list *a, const rpi_list *b)
{
    if (a->n != b->n)
        return false;
    for (uint32_t p = 0; p < a->n; p++) {
        const rpi_list *x = a->items[p].u.list, *y = b->items[p].u.list;
        if (x->n != y->n)
            return false;
        for (uint32_t i = 0; i < x->n; i++)
            if (x->items[i].kind != y->items[i].kind || !rpi_val_equal(x->items[i], y->items[i]))
                return false;
    }
    return true;
}

/* A copy of V (a string, bool or null) in A; false on OOM. */
static bool copy_scalar(rpi_arena *a, val *v)
{
    if (v->kind != VK_STRING)
        return true;
    char *s = rpi_arena_alloc(a, (size_t)v->aux + 1);
    if (!s)
        return false;
    memcpy(s, v->u.s, v->aux);
    s[v->aux] = '\0';
    v->u.s = s;
    return true;
}

/* PATHS copied into A: the program may be freed before the index. */
static rpi_list *copy_paths(rpi_arena *a, const rpi_list *paths)
{
    rpi_list *l = rpi_arena_alloc(a, sizeof *l + (size_t)paths->n * sizeof(val));
    if (!l)
        return NULL;
    l->n = paths->n;
    for (uint32_t p = 0; p < paths->n; p++) {
        const rpi_list *src = paths->items[p].u.list;
        rpi_list *d = rpi_arena_alloc(a, sizeof *d + (size_t)src->n * sizeof(val));
        if (!d)
            return NULL;
        d->n = src->n;
        for (uint32_t i = 0; i < src->n; i++) {
            d->items[i] = src->items[i];
            if (!copy_scalar(a, &d->items[i]))
                return NULL;
        }
        l->items[p] = val_list(d);
    }
    return l;
}

/* Build the index of LIST in IX (whose mem is fresh).  False on OOM. */
static bool build(struct rpi_list_index *ix, const rpi_list *list)
{
    uint32_t n = list->n;
    char buf[MAX_KEY];
    /* pass 1: each element's class and key (kept in mem), the distinct keys */
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    uint32_t *lens = malloc((n ? n : 1) * sizeof *lens);
    int *cls = malloc((n ? n : 1) * sizeof *cls);
    bool ok = keys && lens && cls;
    uint32_t nunclean = 0, nkeys = 0;
    ix->bits = 3;
    while (ok && (1u << ix->bits) < 2 * (n + 1))
        ix->bits++;
    ix->buckets = ok ? rpi_arena_alloc(ix->mem, ((size_t)1 << ix->bits) * sizeof(bucket)) : NULL;
    ok = ok && ix->buckets;
    if (ok)
        memset(ix->buckets, 0, ((size_t)1 << ix->bits) * sizeof(bucket));
    for (uint32_t i = 0; ok && i < n; i++) {
        cls[i] = element_key(list->items[i], ix->paths, buf, &keys[i], &lens[i]);
        if (cls[i] < 0) {
            nunclean++;
        } else if (cls[i] > 0) {
            uint32_t h = rpi_str_hash32(keys[i], lens[i]);
            bucket *b = find_bucket(ix, keys[i], lens[i], h);
            if (!b->key) {
                const char *k = keys[i];
                if (keys[i] == buf) {
                    char *copy = rpi_arena_alloc(ix->mem, lens[i] ? lens[i] : 1);
                    if (!copy) {
                        ok = false;
                        break;
                    }
                    memcpy(copy, buf, lens[i]);
                    k = copy;
                }
                b->key = k;
                b->len = lens[i];
                b->hash = h;
                nkeys++;
            }
            keys[i] = b->key; /* buf is reused by the next element */
            b->count++;
        }
    }
    /* every key's list repeats the unclean elements: give up when that
     * would cost more than a few passes over the list */
    if (ok && (uint64_t)nunclean * nkeys > 8 * ((uint64_t)n + 64)) {
        ix->useless = true;
        goto done;
    }
    /* pass 2: room for each key's candidates (its own and the unclean) */
    for (uint32_t s = 0; ok && s < (1u << ix->bits); s++) {
        bucket *b = &ix->buckets[s];
        if (!b->key)
            continue;
        b->cands = rpi_arena_alloc(ix->mem, sizeof(rpi_list) + ((size_t)b->count + nunclean) * sizeof(val));
        if (!b->cands) {
            ok = false;
            break;
        }
        b->cands->n = 0;
    }
    ix->unclean = ok ? rpi_arena_alloc(ix->mem, sizeof(rpi_list) + (size_t)nunclean * sizeof(val)) : NULL;
    ok = ok && ix->unclean;
    if (ok)
        ix->unclean->n = 0;
    /* pass 3: the candidates, in the list's order */
    for (uint32_t i = 0; ok && i < n; i++) {
        val e = list->items[i];
        if (cls[i] > 0) {
            bucket *b = find_bucket(ix, keys[i], lens[i], rpi_str_hash32(keys[i], lens[i]));
            b->cands->items[b->cands->n++] = e;
        } else if (cls[i] < 0) {
            ix->unclean->items[ix->unclean->n++] = e;
            for (uint32_t s = 0; s < (1u << ix->bits); s++)
                if (ix->buckets[s].key)
                    ix->buckets[s].cands->items[ix->buckets[s].cands->n++] = e;
        }
    }
done:
    free(keys);
    free(lens);
    free(cls);
    return ok;
}

void rpi_list_index_drop(rp_activation *act, size_t binding)
{
    struct rpi_list_index **pp = &act->indexes;
    while (*pp) {
        struct rpi_list_index *ix = *pp;
        if (binding == SIZE_MAX || ix->binding == binding) {
            *pp = ix->next;
            rpi_arena_free(ix->mem);
            free(ix);
        } else {
            pp = &ix->next;
        }
    }
}

val rpi_list_index_subset(rp_activation *act, size_t binding, const rpi_list *paths, val range,
                          const val *keys)
{
    if (binding >= act->nbindings || paths->n == 0 || paths->n > 8)
        return range;
    for (uint32_t p = 0; p < paths->n; p++)
        if (keys[p].kind != VK_STRING)
            return range;
    val full = act->bindings[binding].v;
    if (full.kind != VK_LIST || full.rep != REP_ARENA || !full.u.list || range.kind != VK_LIST ||
        range.rep != REP_ARENA || range.u.list != full.u.list)
        return range;
    const rpi_list *list = full.u.list;
    struct rpi_list_index *ix = act->indexes;
    while (ix && !(ix->binding == binding && ix->list == list && same_paths(ix->paths, paths)))
        ix = ix->next;
    if (!ix) {
        ix = calloc(1, sizeof *ix);
        if (!ix || !(ix->mem = rpi_arena_new(0))) {
            free(ix);
            return range;
        }
        ix->binding = binding;
        ix->list = list;
        ix->paths = copy_paths(ix->mem, paths);
        if (!ix->paths || !build(ix, list)) {
            rpi_arena_free(ix->mem);
            free(ix);
            return range; /* no memory for the index: iterate everything */
        }
        ix->next = act->indexes;
        act->indexes = ix;
    }
    if (ix->useless)
        return range;
    char buf[MAX_KEY];
    const char *key;
    uint32_t len;
    if (!combine(keys, paths->n, buf, &key, &len))
        return range;
    const bucket *bk = find_bucket(ix, key, len, rpi_str_hash32(key, len));
    return val_list(bk->key ? bk->cands : ix->unclean);
}
