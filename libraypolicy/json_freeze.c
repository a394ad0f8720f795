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
 *   - the bytes of keys and of short strings are copied next to their map
 *     or list, so that a check touches one dense block per object: in
 *     jansson's tree each string lies wherever malloc put it, a cache miss
 *     apiece once a check holds more objects than the cache (a long string
 *     keeps pointing into jansson's buffer; the binding keeps the tree
 *     alive).
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
/* A map's keys and short string values, or a list's short strings, are
 * copied next to it up to this many bytes in all; a string longer than
 * STR_COPY_MAX stays where jansson put it. */
#define BYTES_COPY_MAX 8192
#define STR_COPY_MAX 256

/* Bytes of J that its container copies: a short string's, with the NUL
 * that ends it in jansson too (code that reads a string value may rely on
 * it, as it could on jansson's). */
static size_t copied_len(const json_t *j)
{
    if (!json_is_string(j))
        return 0;
    size_t n = json_string_length(j);
    return n <= STR_COPY_MAX ? n + 1 : 0;
}

/* V (J's value) with a short string's bytes copied to *BUF, which moves on. */
static val copy_string(val v, const json_t *j, char **buf)
{
    if (*buf && v.kind == VK_STRING && copied_len(j)) {
        memcpy(*buf, v.u.s, (size_t)v.aux + 1);
        v.u.s = *buf;
        *buf += (size_t)v.aux + 1;
    }
    return v;
}

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
    size_t sbytes = 0;
    for (size_t i = 0; i < n; i++)
        sbytes += copied_len(json_array_get(j, i));
    char *sb = sbytes && sbytes <= BYTES_COPY_MAX ? rpi_arena_alloc(a, sbytes) : NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(j, i);
        l->items[i] = copy_string(freeze(a, e, depth + 1), e, &sb);
    }
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
    /* The keys' bytes and the short strings' are copied next to the map:
     * a selection that finds the hash compares the key. */
    size_t kbytes = 0, sbytes = 0;
    for (void *it = json_object_iter((json_t *)j); it; it = json_object_iter_next((json_t *)j, it)) {
        kbytes += json_object_iter_key_len(it);
        sbytes += copied_len(json_object_iter_value(it));
    }
    if (kbytes + sbytes > BYTES_COPY_MAX)
        sbytes = 0; /* the keys at least, which every selection compares */
    char *kb = kbytes + sbytes && kbytes + sbytes <= BYTES_COPY_MAX
                   ? rpi_arena_alloc(a, kbytes + sbytes)
                   : NULL;
    char *sb = kb && sbytes ? kb + kbytes : NULL;
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
        const json_t *v = json_object_iter_value(it);
        vals[i] = copy_string(freeze(a, v, depth + 1), v, &sb);
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
