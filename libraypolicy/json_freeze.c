/* json_freeze.c -- a bound JSON document turned into arena values, once.
 *
 * Why: evaluating over jansson's tree in place costs, on every field access,
 * a hash of the field name (jansson's seeded lookup3, which nothing outside
 * jansson can precompute) and a conversion of the node into a `val`.  A
 * policy check reads the same object with dozens of expressions, and a
 * comprehension reads the same fields of every element, so the activation
 * converts each bound document once, when it is bound:
 *   - objects become arena maps whose keys carry their rpi_str_hash32 (the
 *     compiler stores the same hash for every constant field name, so a
 *     selection compares one word per entry before it compares bytes);
 *   - arrays become arena lists of ready values;
 *   - strings keep pointing into jansson's buffers (the binding keeps the
 *     tree alive); only the keys' bytes are copied, next to their map.
 * A subtree that cannot be converted (the arena cannot grow, or nesting
 * deeper than FREEZE_MAX_DEPTH) stays a jansson view, which every operation
 * understands: freezing is an optimisation, never a change of meaning.
 */
#include <string.h>

#include "internal.h"

/* Deeper than any parser we bind from produces (jansson stops at 2048,
 * the YAML reader at its configured depth), so a real document is frozen
 * whole; the bound keeps the recursion's stack small. */
#define FREEZE_MAX_DEPTH 4096
/* An object's keys are copied next to its map up to this many bytes. */
#define KEY_COPY_MAX 4096

static val freeze(rpi_arena *a, const json_t *j, unsigned depth);

static val freeze_array(rpi_arena *a, const json_t *j, unsigned depth)
{
    size_t n = json_array_size(j);
    if (n > UINT32_MAX / sizeof(val))
        return rpi_val_from_json(j);
    rpi_list *l = rpi_arena_alloc(a, sizeof *l + n * sizeof(val));
    if (!l)
        return rpi_val_from_json(j);
    l->n = (uint32_t)n;
    for (size_t i = 0; i < n; i++)
        l->items[i] = freeze(a, json_array_get(j, i), depth + 1);
    return val_list(l);
}

static val freeze_object(rpi_arena *a, const json_t *j, unsigned depth)
{
    size_t n = json_object_size(j);
    if (n > UINT32_MAX / 4)
        return rpi_val_from_json(j);
    uint32_t bits = 0;
    if (n >= RPI_MAP_HASH_MIN) {
        bits = 1;
        while ((1u << bits) < 2 * n)   /* load factor <= 1/2 */
            bits++;
    }
    rpi_map *m = rpi_arena_alloc(a, sizeof *m);
    val *keys = rpi_arena_alloc(a, n * sizeof(val));
    val *vals = rpi_arena_alloc(a, n * sizeof(val));
    uint32_t *hashes = rpi_arena_alloc(a, n * sizeof(uint32_t));
    uint32_t *slots = bits ? rpi_arena_alloc(a, ((size_t)1 << bits) * sizeof(uint32_t)) : NULL;
    if (!m || (n && (!keys || !vals || !hashes)) || (bits && !slots))
        return rpi_val_from_json(j);
    /* The keys' bytes are copied next to the map (when short, as field
     * names are): a selection that finds the hash compares them, and in
     * jansson's tree they lie wherever malloc put each key, a cache miss
     * apiece once a check holds more objects than the cache. */
    size_t kbytes = 0;
    for (void *it = json_object_iter((json_t *)j); it; it = json_object_iter_next((json_t *)j, it))
        kbytes += json_object_iter_key_len(it);
    char *kb = kbytes && kbytes <= KEY_COPY_MAX ? rpi_arena_alloc(a, kbytes) : NULL;
    uint32_t i = 0;
    for (void *it = json_object_iter((json_t *)j); it && i < n;
         it = json_object_iter_next((json_t *)j, it), i++) {
        size_t klen = json_object_iter_key_len(it);
        if (klen > UINT32_MAX)
            return rpi_val_from_json(j);
        const char *k = json_object_iter_key(it);
        if (kb) {
            memcpy(kb, k, klen);
            k = kb;
            kb += klen;
        }
        keys[i] = val_string(k, (uint32_t)klen);
        hashes[i] = rpi_str_hash32(k, klen);
        vals[i] = freeze(a, json_object_iter_value(it), depth + 1);
    }
    m->n = i;
    m->bits = bits;
    m->keys = keys;
    m->vals = vals;
    m->slots = slots;
    m->hashes = hashes;
    if (bits) {
        /* jansson's keys are unique: no entry can meet an equal one */
        uint32_t mask = (1u << bits) - 1;
        memset(slots, 0, ((size_t)1 << bits) * sizeof(uint32_t));
        for (uint32_t e = 0; e < m->n; e++) {
            uint32_t s = hashes[e] & mask;
            while (slots[s])
                s = (s + 1) & mask;
            slots[s] = e + 1;
        }
    }
    return val_map(m);
}

static val freeze(rpi_arena *a, const json_t *j, unsigned depth)
{
    if (j && depth < FREEZE_MAX_DEPTH) {
        if (json_is_object(j))
            return freeze_object(a, j, depth);
        if (json_is_array(j))
            return freeze_array(a, j, depth);
    }
    return rpi_val_from_json(j);
}

val rpi_json_freeze(rpi_arena *a, const json_t *j) { return freeze(a, j, 0); }
