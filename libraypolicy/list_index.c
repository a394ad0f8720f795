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
 * Paths through a list.  A conjunct may also be LIST(x).exists(s, ... &&
 * PATH(s) == E && ...), E free of x and s: a binding "whose subjects name
 * this namespace".  The element's values are then the set of PATH(s) over
 * the elements s of LIST(x), and it is filed under each of them; with
 * other conjuncts, under each combination.  Exactness is the same
 * argument one level down: where LIST(x) is a list and every PATH(s) is
 * cleanly not E, each s's predicate is false, so exists() is false, so the
 * conjunct is.  An element whose LIST(x) is not a list, or on one of whose
 * s PATH fails, is a candidate everywhere.
 *
 * The paths are K's constant list of path specs, one per conjunct:
 *   [optional, D, f1, ..., fk]   x.?f1...?fk.orValue(D) when optional is
 *       true, else x.f1...fk.  D is a string, or (for the PATH(s) below)
 *       the spec of a path on x with a string default: s.?namespace.orValue(
 *       x.?metadata.?namespace.orValue('')).
 *   [LIST, PATH]                 two specs: LIST on x (optional: a missing
 *       field is the empty list, as .orValue([]) gives), PATH on each s.
 * At most one spec of an index is of the second form.
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

static bool is_through_list(const rpi_list *spec)
{
    return spec->n == 2 && spec->items[0].kind == VK_LIST;
}

/* Follow the fields of SPEC ([optional, D, f1, ...]) from E: 1 with the
 * value in *OUT, 0 when a field is missing and SPEC is optional (the
 * default applies), -1 when it fails (unclean). */
static int walk(val e, const rpi_list *spec, val *out)
{
    bool optional = spec->items[0].u.b;
    for (uint32_t i = 2; i < spec->n; i++) {
        if (e.kind != VK_MAP)
            return -1;
        val f = spec->items[i], next;
        if (!rpi_map_get_str(e, f.u.s, f.aux, &next))
            return optional ? 0 : -1;
        e = next;
    }
    *out = e;
    return 1;
}

/* The string SPEC gives for E, whose default may be a path on X (the
 * element of the indexed list): 1 with *KEY, 0 when it gives something
 * else (no string: never equal to a string), -1 when it fails (unclean). */
static int path_key(val e, val x, const rpi_list *spec, val *key)
{
    val d = spec->items[1];
    if (d.kind == VK_LIST) {
        /* orValue() is a function: its argument is evaluated, and its
         * error taken, even when the option has a value */
        int dc = path_key(x, x, d.u.list, &d);
        if (dc < 0)
            return -1;
        if (dc == 0)
            d = val_null();
    }
    int w = walk(e, spec, &e);
    if (w < 0)
        return -1;
    if (w == 0)
        e = d; /* optional.none().orValue(D) */
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

/* One (element, key) pair of the index being built. */
typedef struct pair {
    uint32_t elem;
    uint32_t len;
    uint32_t hash;
    const char *key;        /* in the list's documents or in mem */
} pair;

typedef struct builder {
    struct rpi_list_index *ix;
    pair *pairs;
    size_t n, cap;
} builder;

/* Add (ELEM, KEY): KEY is copied into the index's memory when COPY (a
 * combined key, in a buffer the next one overwrites).  False on OOM. */
static bool add_pair(builder *b, uint32_t elem, const char *key, uint32_t len, bool copy)
{
    if (b->n == b->cap) {
        size_t ncap = b->cap ? 2 * b->cap : 64;
        pair *np = realloc(b->pairs, ncap * sizeof *np);
        if (!np)
            return false;
        b->pairs = np;
        b->cap = ncap;
    }
    if (copy) {
        char *c = rpi_arena_alloc(b->ix->mem, len ? len : 1);
        if (!c)
            return false;
        memcpy(c, key, len);
        key = c;
    }
    b->pairs[b->n++] = (pair){elem, len, rpi_str_hash32(key, len), key};
    return true;
}

/* File element I (E) under its keys: pairs added; *UNCLEAN when it is a
 * candidate everywhere.  False on OOM. */
static bool element_keys(builder *b, uint32_t i, val e, bool *unclean)
{
    const rpi_list *paths = b->ix->paths;
    val parts[8];
    int multi = -1;         /* the spec that goes through a list */
    val list = {0};
    *unclean = false;
    for (uint32_t p = 0; p < paths->n; p++) {
        const rpi_list *spec = paths->items[p].u.list;
        if (is_through_list(spec)) {
            int w = walk(e, spec->items[0].u.list, &list);
            if (w < 0 || (w > 0 && list.kind != VK_LIST)) {
                *unclean = true;
                return true;
            }
            if (w == 0)
                return true; /* the empty list: no s, exists() is false */
            multi = (int)p;
            continue;
        }
        int c = path_key(e, e, spec, &parts[p]);
        if (c < 0) {
            *unclean = true;
            return true;
        }
        if (c == 0)
            return true; /* filed nowhere: the conjunct is false */
    }
    char buf[MAX_KEY];
    const char *key;
    uint32_t len;
    if (multi < 0) {
        if (!combine(parts, paths->n, buf, &key, &len)) {
            *unclean = true;
            return true;
        }
        return add_pair(b, i, key, len, key == buf);
    }
    /* one key per distinct value of PATH(s); an unclean s makes all unclean */
    const rpi_list *inner = paths->items[multi].u.list->items[1].u.list;
    const rpi_list *l = list.u.list;
    size_t first = b->n;
    for (uint32_t j = 0; l && j < l->n; j++) {
        int c = path_key(l->items[j], e, inner, &parts[multi]);
        if (c < 0 || (c > 0 && !combine(parts, paths->n, buf, &key, &len))) {
            b->n = first;
            *unclean = true;
            return true;
        }
        if (c == 0)
            continue;
        bool seen = false;
        for (size_t q = first; q < b->n && !seen; q++)
            seen = b->pairs[q].len == len && memcmp(b->pairs[q].key, key, len) == 0;
        if (seen)
            continue;
        if (!add_pair(b, i, key, len, key == buf))
            return false;
    }
    return true;
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

/* Whether the spec lists A and B are the same (kinds included). */
static bool same_specs(const rpi_list *a, const rpi_list *b)
{
    if (a->n != b->n)
        return false;
    for (uint32_t i = 0; i < a->n; i++) {
        val x = a->items[i], y = b->items[i];
        if (x.kind != y.kind)
            return false;
        if (x.kind == VK_LIST ? !same_specs(x.u.list, y.u.list) : !rpi_val_equal(x, y))
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

/* A deep copy of the spec list L (strings, bools, nulls, lists) in A;
 * NULL on OOM.  The program may be freed before the index. */
static rpi_list *copy_list(rpi_arena *a, const rpi_list *l)
{
    rpi_list *d = rpi_arena_alloc(a, sizeof *d + (size_t)l->n * sizeof(val));
    if (!d)
        return NULL;
    d->n = l->n;
    for (uint32_t i = 0; i < l->n; i++) {
        d->items[i] = l->items[i];
        if (d->items[i].kind == VK_LIST) {
            rpi_list *sub = copy_list(a, l->items[i].u.list);
            if (!sub)
                return NULL;
            d->items[i] = val_list(sub);
        } else if (!copy_scalar(a, &d->items[i])) {
            return NULL;
        }
    }
    return d;
}

/* Build the index of LIST in IX (whose mem is fresh).  False on OOM. */
static bool build(struct rpi_list_index *ix, const rpi_list *list)
{
    uint32_t n = list->n;
    builder bd = {ix, NULL, 0, 0};
    /* pass 1: the (element, key) pairs, in the list's order, and the
     * unclean elements */
    bool *unclean = calloc(n ? n : 1, sizeof *unclean);
    bool ok = unclean != NULL;
    uint32_t nunclean = 0, nkeys = 0;
    for (uint32_t i = 0; ok && i < n; i++) {
        ok = element_keys(&bd, i, list->items[i], &unclean[i]);
        nunclean += unclean[i];
    }
    /* the distinct keys, each counting its elements */
    uint32_t *slot = ok ? malloc((bd.n ? bd.n : 1) * sizeof *slot) : NULL;
    ok = ok && slot;
    ix->bits = 3;
    while (ok && ((size_t)1 << ix->bits) < 2 * (bd.n + 1))
        ix->bits++;
    size_t nslots = (size_t)1 << ix->bits;
    ix->buckets = ok ? rpi_arena_alloc(ix->mem, nslots * sizeof(bucket)) : NULL;
    ok = ok && ix->buckets;
    if (ok)
        memset(ix->buckets, 0, nslots * sizeof(bucket));
    for (size_t q = 0; ok && q < bd.n; q++) {
        const pair *pr = &bd.pairs[q];
        bucket *b = find_bucket(ix, pr->key, pr->len, pr->hash);
        if (!b->key) {
            b->key = pr->key;
            b->len = pr->len;
            b->hash = pr->hash;
            nkeys++;
        }
        b->count++;
        slot[q] = (uint32_t)(b - ix->buckets);
    }
    /* every key's list repeats the unclean elements: give up when that
     * would cost more than a few passes over the list */
    if (ok && (uint64_t)nunclean * nkeys > 8 * ((uint64_t)n + 64)) {
        ix->useless = true;
        goto done;
    }
    /* pass 2: room for each key's candidates (its own and the unclean) */
    for (size_t s = 0; ok && s < nslots; s++) {
        bucket *b = &ix->buckets[s];
        if (!b->key)
            continue;
        b->cands = rpi_arena_alloc(ix->mem, sizeof(rpi_list) + ((size_t)b->count + nunclean) * sizeof(val));
        ok = b->cands != NULL;
        if (ok)
            b->cands->n = 0;
    }
    ix->unclean = ok ? rpi_arena_alloc(ix->mem, sizeof(rpi_list) + (size_t)nunclean * sizeof(val)) : NULL;
    ok = ok && ix->unclean;
    if (ok)
        ix->unclean->n = 0;
    /* pass 3: the candidates, in the list's order (the pairs are) */
    for (uint32_t i = 0, q = 0; ok && i < n; i++) {
        val e = list->items[i];
        for (; q < bd.n && bd.pairs[q].elem == i; q++) {
            rpi_list *c = ix->buckets[slot[q]].cands;
            c->items[c->n++] = e;
        }
        if (unclean[i]) {
            ix->unclean->items[ix->unclean->n++] = e;
            for (size_t s = 0; s < nslots; s++)
                if (ix->buckets[s].key)
                    ix->buckets[s].cands->items[ix->buckets[s].cands->n++] = e;
        }
    }
done:
    free(bd.pairs);
    free(slot);
    free(unclean);
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
    while (ix && !(ix->binding == binding && ix->list == list && same_specs(ix->paths, paths)))
        ix = ix->next;
    if (!ix) {
        ix = calloc(1, sizeof *ix);
        if (!ix || !(ix->mem = rpi_arena_new(0))) {
            free(ix);
            return range;
        }
        ix->binding = binding;
        ix->list = list;
        ix->paths = copy_list(ix->mem, paths);
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
