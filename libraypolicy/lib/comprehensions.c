/* lib/comprehensions.c -- the helper the two-variable comprehension macros
 * of cel-go's ext/comprehensions.go call (macros.c expands them):
 *   cel.@mapInsert(m, k, v)   m with the entry k: v added (transformMap)
 *   cel.@mapInsert(m, u)      m with every entry of u added (transformMapEntry)
 * Both give a new arena map (insertion order: m's entries, then the new
 * ones) and leave m alone.  A key already in m, by CEL's heterogeneous key
 * equality, is cel-go's error "insert failed: key <k> already exists", the
 * key printed as Go's %v prints it; an invalid key type is the map
 * literal's error.
 *
 * As cel-go does, the accumulator is grown in place (see below), so a
 * transformMap over n entries takes O(n) time and memory.
 */
#include <stdint.h>
#include <string.h>

#include "../internal.h"

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

static val key_exists(rpi_ctx *cx, val k)
{
    switch (k.kind) {
    case VK_STRING:
        return rpi_err(cx, "insert failed: key %.*s already exists", (int)k.aux, k.u.s);
    case VK_INT:
        return rpi_err(cx, "insert failed: key %lld already exists", (long long)k.u.i);
    case VK_UINT:
        return rpi_err(cx, "insert failed: key %llu already exists", (unsigned long long)k.u.u);
    case VK_BOOL:
        return rpi_err(cx, "insert failed: key %s already exists", k.u.b ? "true" : "false");
    default:
        return rpi_err(cx, "insert failed: key of type %s already exists",
                       rpi_val_type_name(k));
    }
}

/* ---- The accumulator map ---------------------------------------------------------
 *
 * Copying the map at every insert would make transformMap over n entries
 * take O(n^2) time and arena memory.  cel-go inserts into a mutable map
 * instead, and so do we: the first insert copies M into a `growable` map
 * that has room to spare and its own hash index of the keys, and marks the
 * val with GROWABLE_FLAG; an insert into a val so marked appends in place.
 * That is safe because only the macros call cel.@mapInsert (a name with
 * '@' cannot be written in an expression), always on their accumulator,
 * which nothing else can reference: the old value is dead once the insert
 * returns.  The map seen by the rest of the library is a plain arena map
 * without an index (bits = 0: looked up linearly). */

#define GROWABLE_FLAG 0x8000u
#define GROWABLE_MIN 8u

typedef struct growable {
    rpi_map map;        /* first, so that &g->map is the map */
    uint32_t cap;       /* room in map.keys and map.vals (a power of two) */
    uint32_t *slots;    /* 2 * cap slots: entry index + 1, 0 = empty */
} growable;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* Keys equal under CEL's key equality (1 == 1u) hash alike. */
static uint64_t key_hash(val k)
{
    switch (k.kind) {
    case VK_INT: return mix64((uint64_t)k.u.i);
    case VK_UINT: return mix64(k.u.u);
    case VK_BOOL: return k.u.b ? 1 : 2;
    default: {
        uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
        for (uint32_t i = 0; i < k.aux; i++) {
            h ^= (unsigned char)k.u.s[i];
            h *= 0x100000001b3ULL;
        }
        return mix64(h);
    }
    }
}

/* The slot of KEY in G's index: where it is, or the empty slot where it
 * would go. */
static uint32_t *find_slot(const growable *g, val key)
{
    uint32_t mask = 2 * g->cap - 1;
    for (uint32_t s = (uint32_t)key_hash(key) & mask;; s = (s + 1) & mask) {
        uint32_t e = g->slots[s];
        if (e == 0 || rpi_val_equal(g->map.keys[e - 1], key))
            return &g->slots[s];
    }
}

/* Give G room for CAP entries (a power of two >= its count), rebuilding
 * the index.  False on OOM. */
static bool reserve(rpi_ctx *cx, growable *g, uint32_t cap)
{
    val *k = rpi_alloc(cx, (size_t)cap * sizeof *k);
    val *v = rpi_alloc(cx, (size_t)cap * sizeof *v);
    uint32_t *slots = rpi_alloc(cx, (size_t)cap * 2 * sizeof *slots);
    if (!k || !v || !slots)
        return false;
    if (g->map.n) {
        memcpy(k, g->map.keys, (size_t)g->map.n * sizeof *k);
        memcpy(v, g->map.vals, (size_t)g->map.n * sizeof *v);
    }
    memset(slots, 0, (size_t)cap * 2 * sizeof *slots);
    g->map.keys = k;
    g->map.vals = v;
    g->cap = cap;
    g->slots = slots;
    for (uint32_t i = 0; i < g->map.n; i++)
        *find_slot(g, k[i]) = i + 1;
    return true;
}

/* Append KEY: VALUE to G; an error value, or VK_NULL when done. */
static val append(rpi_ctx *cx, growable *g, val key, val value)
{
    if (key.kind != VK_INT && key.kind != VK_UINT && key.kind != VK_BOOL &&
        key.kind != VK_STRING)
        return rpi_err(cx, "unsupported key type: %s", rpi_val_type_name(key));
    if (*find_slot(g, key))
        return key_exists(cx, key);
    if (cx->env && g->map.n >= cx->env->max_list_size)
        return rpi_limit_stop(cx, "map size exceeds limit max_list_size (%zu entries)",
                              cx->env->max_list_size);
    if (g->map.n == g->cap) {
        if (g->cap > UINT32_MAX / 4)
            return VAL_ERROR_LIT("map too large");
        if (!reserve(cx, g, g->cap * 2))
            return rpi_err_oom(cx);
    }
    uint32_t i = g->map.n++;
    g->map.keys[i] = key;
    g->map.vals[i] = value;
    *find_slot(g, key) = i + 1;
    return val_null();
}

/* M plus the N entries KEYS[i]: VALS[i]. */
static val insert(rpi_ctx *cx, val m, const val *keys, const val *vals, uint32_t n)
{
    if (!rpi_charge(cx, n))
        return VAL_ERROR_LIT("cost limit exceeded");
    growable *g;
    if (m.rep == REP_ARENA && (m.flags & GROWABLE_FLAG) && m.u.map) {
        /* made below, and ours alone (see above): the cast drops a const
         * that protects shared maps */
        g = (growable *)(uintptr_t)m.u.map;
    } else {
        uint32_t size = rpi_map_size(m);
        if ((uint64_t)size + n > UINT32_MAX / 4)
            return VAL_ERROR_LIT("map too large");
        uint32_t cap = GROWABLE_MIN;
        while (cap < size + n)
            cap *= 2;
        g = rpi_alloc(cx, sizeof *g);
        if (!g)
            return rpi_err_oom(cx);
        memset(g, 0, sizeof *g);
        if (!reserve(cx, g, cap))
            return rpi_err_oom(cx);
        rpi_map_iter it = {NULL, 0};
        val k, v;
        while (rpi_map_next(m, &it, &k, &v)) {
            val r = append(cx, g, k, v);
            if (r.kind == VK_ERROR)
                return r;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        val r = append(cx, g, keys[i], vals[i]);
        if (r.kind == VK_ERROR)
            return r;
    }
    val out = val_map(&g->map);
    out.flags = GROWABLE_FLAG;
    return out;
}

static val fn_insert_kv(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_MAP)
        return rpi_err_no_overload(cx, "cel.@mapInsert", args, argc);
    return insert(cx, args[0], &args[1], &args[2], 1);
}

/* The entries of U are inserted one by one: a key U repeats cannot occur
 * (U is a map), one M has is the error. */
static val fn_insert_map(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_MAP || args[1].kind != VK_MAP)
        return rpi_err_no_overload(cx, "cel.@mapInsert", args, argc);
    uint32_t n = rpi_map_size(args[1]);
    if (n == 0)
        return args[0];
    val *k = rpi_alloc(cx, (size_t)n * sizeof *k);
    val *v = rpi_alloc(cx, (size_t)n * sizeof *v);
    if (!k || !v)
        return rpi_err_oom(cx);
    rpi_map_iter it = {NULL, 0};
    uint32_t j = 0;
    while (j < n && rpi_map_next(args[1], &it, &k[j], &v[j]))
        j++;
    return insert(cx, args[0], k, v, j);
}

static const rpi_func funcs[] = {
    {"cel.@mapInsert", RPI_GLOBAL, 3, 0, fn_insert_kv,
     SIGS("@mapInsert_map_key_value: map(K,V), K, V -> map(K,V)"), 1, NULL},
    {"cel.@mapInsert", RPI_GLOBAL, 2, 0, fn_insert_map,
     SIGS("@mapInsert_map_map: map(K,V), map(K,V) -> map(K,V)"), 1, NULL},
};

const rpi_library rpi_lib_comprehensions = {
    "comprehensions", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
