/* value.c -- what every CEL value can do: its type, CEL equality and
 * ordering, and access to lists and maps whichever way they are stored.
 *
 * Lists and maps come in two representations (value.h): views of a bound
 * jansson tree (REP_JSON), never copied, and arena structures built by the
 * expression (REP_ARENA).  Every function here accepts both, and mixes them
 * freely: a JSON array equals an arena list with equal elements.
 *
 * Numbers follow cel-spec's "continuous number line": int, uint and double
 * compare and test equal across types.  int against uint is exact; int or
 * uint against double rounds the integer to a double, as cel-go does and the
 * conformance suite requires (so 2^53 + 1 == 9007199254740992.0).  A map
 * key 1.0 finds the entry 1 or 1u, and only when it is integral.  Arena maps keep their keys in
 * insertion order, with an open-addressing index once they have
 * RPI_MAP_HASH_MIN entries; numeric keys hash by their integer value so that
 * 1 and 1u land in the same place.
 */
#include <math.h>
#include <string.h>

#include "internal.h"

/* ---- Types ---------------------------------------------------------------------- */

const rpi_type rpi_type_int = {"int", VK_INT};
const rpi_type rpi_type_uint = {"uint", VK_UINT};
const rpi_type rpi_type_double = {"double", VK_DOUBLE};
const rpi_type rpi_type_bool = {"bool", VK_BOOL};
const rpi_type rpi_type_string = {"string", VK_STRING};
const rpi_type rpi_type_bytes = {"bytes", VK_BYTES};
const rpi_type rpi_type_list = {"list", VK_LIST};
const rpi_type rpi_type_map = {"map", VK_MAP};
const rpi_type rpi_type_null = {"null_type", VK_NULL};
const rpi_type rpi_type_type = {"type", VK__COUNT};
const rpi_type rpi_type_timestamp = {"google.protobuf.Timestamp", VK_TIMESTAMP};
const rpi_type rpi_type_duration = {"google.protobuf.Duration", VK_DURATION};
const rpi_type rpi_type_optional = {"optional_type", VK_OPTIONAL};
const rpi_type rpi_type_error = {"error", VK_ERROR};

const rpi_type *rpi_val_type(val v)
{
    switch ((val_kind)v.kind) {
    case VK_NULL: return &rpi_type_null;
    case VK_BOOL: return &rpi_type_bool;
    case VK_INT: return &rpi_type_int;
    case VK_UINT: return &rpi_type_uint;
    case VK_DOUBLE: return &rpi_type_double;
    case VK_STRING: return &rpi_type_string;
    case VK_BYTES: return &rpi_type_bytes;
    case VK_LIST: return &rpi_type_list;
    case VK_MAP: return &rpi_type_map;
    case VK_TYPE: return &rpi_type_type;
    case VK_TIMESTAMP: return &rpi_type_timestamp;
    case VK_DURATION: return &rpi_type_duration;
    case VK_OPTIONAL: return &rpi_type_optional;
    case VK_OPAQUE:
        if (v.u.opaque && v.u.opaque->vt && v.u.opaque->vt->type)
            return v.u.opaque->vt->type;
        return &rpi_type_error;
    case VK_ERROR:
    case VK__COUNT:
        break;
    }
    return &rpi_type_error;
}

const char *rpi_val_type_name(val v) { return rpi_val_type(v)->name; }

/* ---- JSON views ------------------------------------------------------------------ */

val rpi_val_from_json(const json_t *j)
{
    val v = val_null();
    if (!j)
        return VAL_ERROR_LIT("missing JSON value");
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        v.kind = VK_MAP;
        v.rep = REP_JSON;
        v.u.json = j;
        return v;
    case JSON_ARRAY:
        v.kind = VK_LIST;
        v.rep = REP_JSON;
        v.u.json = j;
        return v;
    case JSON_STRING: {
        size_t len = json_string_length(j);
        if (len > UINT32_MAX)
            return VAL_ERROR_LIT("string too long");
        return val_string(json_string_value(j), (uint32_t)len);
    }
    case JSON_INTEGER:
        return val_int((int64_t)json_integer_value(j));
    case JSON_REAL:
        return val_double(json_real_value(j));
    case JSON_TRUE:
        return val_bool(true);
    case JSON_FALSE:
        return val_bool(false);
    case JSON_NULL:
        return v;
    }
    return VAL_ERROR_LIT("unknown JSON value");
}

/* ---- Numbers on one line ------------------------------------------------------------ */

#define TWO_63 9223372036854775808.0
#define TWO_64 18446744073709551616.0

static int sign3(int64_t a, int64_t b) { return (a > b) - (a < b); }
static int usign3(uint64_t a, uint64_t b) { return (a > b) - (a < b); }

/* I compared with D; false when D is NaN.  As cel-go (and the conformance
 * suite, "the conversion of the int to double is lossy and the numbers end
 * up being equal") does it: beyond the int64 range D is greater or
 * smaller, inside it I is rounded to a double and compared as a double.
 * -2^63 and 2^63 are the double bounds of int64 ((double)INT64_MAX rounds
 * up to 2^63). */
static bool cmp_int_double(int64_t i, double d, int *c)
{
    if (isnan(d))
        return false;
    if (d < -TWO_63) {
        *c = 1;
        return true;
    }
    if (d > TWO_63) {
        *c = -1;
        return true;
    }
    double di = (double)i;
    *c = (di > d) - (di < d);
    return true;
}

static bool cmp_uint_double(uint64_t u, double d, int *c)
{
    if (isnan(d))
        return false;
    if (d < 0) {
        *c = 1;
        return true;
    }
    if (d > TWO_64) {
        *c = -1;
        return true;
    }
    double du = (double)u;
    *c = (du > d) - (du < d);
    return true;
}

static bool is_num(uint8_t k) { return k == VK_INT || k == VK_UINT || k == VK_DOUBLE; }

/* Compare two numbers of any numeric kinds; false when one is NaN. */
static bool num_cmp(val a, val b, int *c)
{
    switch (a.kind) {
    case VK_INT:
        if (b.kind == VK_INT) {
            *c = sign3(a.u.i, b.u.i);
            return true;
        }
        if (b.kind == VK_UINT) {
            *c = a.u.i < 0 ? -1 : usign3((uint64_t)a.u.i, b.u.u);
            return true;
        }
        return cmp_int_double(a.u.i, b.u.d, c);
    case VK_UINT:
        if (b.kind == VK_UINT) {
            *c = usign3(a.u.u, b.u.u);
            return true;
        }
        if (b.kind == VK_INT) {
            *c = b.u.i < 0 ? 1 : usign3(a.u.u, (uint64_t)b.u.i);
            return true;
        }
        return cmp_uint_double(a.u.u, b.u.d, c);
    default: /* VK_DOUBLE */
        if (b.kind == VK_DOUBLE) {
            if (isnan(a.u.d) || isnan(b.u.d))
                return false;
            *c = (a.u.d > b.u.d) - (a.u.d < b.u.d);
            return true;
        }
        if (!(b.kind == VK_INT ? cmp_int_double(b.u.i, a.u.d, c)
                               : cmp_uint_double(b.u.u, a.u.d, c)))
            return false;
        *c = -*c;
        return true;
    }
}

static int bytes_cmp(val a, val b)
{
    uint32_t n = a.aux < b.aux ? a.aux : b.aux;
    int r = n ? memcmp(a.u.s, b.u.s, n) : 0;
    if (r)
        return r < 0 ? -1 : 1;
    return (a.aux > b.aux) - (a.aux < b.aux);
}

/* Timestamps and durations: seconds, then nanoseconds (both carry the same
 * sign in a duration, so the pair orders like the total). */
static int time_cmp(val a, val b)
{
    if (a.u.i != b.u.i)
        return sign3(a.u.i, b.u.i);
    return sign3(val_nanos(a), val_nanos(b));
}

bool rpi_val_compare(val a, val b, int *cmp)
{
    if (is_num(a.kind) && is_num(b.kind))
        return num_cmp(a, b, cmp);
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case VK_STRING:
    case VK_BYTES:
        *cmp = bytes_cmp(a, b);
        return true;
    case VK_BOOL:
        *cmp = (a.u.b > b.u.b) - (a.u.b < b.u.b);
        return true;
    case VK_TIMESTAMP:
    case VK_DURATION:
        *cmp = time_cmp(a, b);
        return true;
    default:
        return false;
    }
}

/* ---- Equality ------------------------------------------------------------------------ */

static bool list_equal(val a, val b)
{
    uint32_t n = rpi_list_size(a);
    if (n != rpi_list_size(b))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!rpi_val_equal(rpi_list_at(a, i), rpi_list_at(b, i)))
            return false;
    return true;
}

/* Same key set and equal values: every entry of A found in B (sizes equal,
 * keys of a map are distinct). */
static bool map_equal(val a, val b)
{
    if (rpi_map_size(a) != rpi_map_size(b))
        return false;
    rpi_map_iter it = {NULL, 0};
    val k, va, vb;
    while (rpi_map_next(a, &it, &k, &va))
        if (!rpi_map_get(b, k, &vb) || !rpi_val_equal(va, vb))
            return false;
    return true;
}

bool rpi_val_equal(val a, val b)
{
    int c;
    if (is_num(a.kind) && is_num(b.kind))
        return num_cmp(a, b, &c) && c == 0;
    if (a.kind != b.kind)
        return false;
    switch ((val_kind)a.kind) {
    case VK_NULL:
        return true;
    case VK_BOOL:
        return a.u.b == b.u.b;
    case VK_STRING:
    case VK_BYTES:
        return a.aux == b.aux && (a.aux == 0 || memcmp(a.u.s, b.u.s, a.aux) == 0);
    case VK_LIST:
        if (a.rep == b.rep && a.u.list == b.u.list)
            return true;
        return list_equal(a, b);
    case VK_MAP:
        if (a.rep == b.rep && a.u.map == b.u.map)
            return true;
        return map_equal(a, b);
    case VK_TYPE:
        return a.u.type == b.u.type || strcmp(a.u.type->name, b.u.type->name) == 0;
    case VK_TIMESTAMP:
    case VK_DURATION:
        return a.u.i == b.u.i && a.aux == b.aux;
    case VK_OPTIONAL:
        if (!a.u.opt || !b.u.opt)
            return a.u.opt == b.u.opt;
        return rpi_val_equal(*a.u.opt, *b.u.opt);
    case VK_OPAQUE:
        if (a.u.opaque == b.u.opaque)
            return true;
        if (!a.u.opaque || !b.u.opaque || a.u.opaque->vt != b.u.opaque->vt)
            return false;
        return a.u.opaque->vt->equal && a.u.opaque->vt->equal(a.u.opaque, b.u.opaque);
    case VK_ERROR:
    case VK_INT:
    case VK_UINT:
    case VK_DOUBLE:
    case VK__COUNT:
        break;
    }
    return false;
}

/* ---- Lists ---------------------------------------------------------------------------- */

uint32_t rpi_list_size(val list)
{
    if (list.kind != VK_LIST)
        return 0;
    if (list.rep == REP_JSON)
        return (uint32_t)json_array_size(list.u.json);
    return list.u.list ? list.u.list->n : 0;
}

val rpi_list_at(val list, uint32_t i)
{
    if (i >= rpi_list_size(list))
        return VAL_ERROR_LIT("index out of range");
    if (list.rep == REP_JSON)
        return rpi_val_from_json(json_array_get(list.u.json, i));
    return list.u.list->items[i];
}

/* ---- Maps ------------------------------------------------------------------------------ */

uint32_t rpi_map_size(val map)
{
    if (map.kind != VK_MAP)
        return 0;
    if (map.rep == REP_JSON)
        return (uint32_t)json_object_size(map.u.json);
    return map.u.map ? map.u.map->n : 0;
}

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finaliser: every input bit affects every output bit. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t str_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return mix64(h);
}

uint32_t rpi_str_hash32(const char *s, size_t len) { return (uint32_t)str_hash(s, len); }

/* Keys equal under CEL's map key equality make equal hashes: int and uint
 * keys hash the integer value. */
static uint64_t key_hash(val k)
{
    switch (k.kind) {
    case VK_INT: return mix64((uint64_t)k.u.i);
    case VK_UINT: return mix64(k.u.u);
    case VK_BOOL: return mix64(k.u.b ? 0x5bd1e995u : 0x27d4eb2fu) ^ 0xb001u;
    default: return str_hash(k.u.s, k.aux);
    }
}

/* Key equality for valid key kinds (int, uint, bool, string). */
static bool key_equal(val a, val b)
{
    if (a.kind == b.kind) {
        switch (a.kind) {
        case VK_INT: return a.u.i == b.u.i;
        case VK_UINT: return a.u.u == b.u.u;
        case VK_BOOL: return a.u.b == b.u.b;
        default: return a.aux == b.aux && (a.aux == 0 || memcmp(a.u.s, b.u.s, a.aux) == 0);
        }
    }
    if (a.kind == VK_INT && b.kind == VK_UINT)
        return a.u.i >= 0 && (uint64_t)a.u.i == b.u.u;
    if (a.kind == VK_UINT && b.kind == VK_INT)
        return b.u.i >= 0 && (uint64_t)b.u.i == a.u.u;
    return false;
}

static bool valid_key_kind(uint8_t k)
{
    return k == VK_INT || k == VK_UINT || k == VK_BOOL || k == VK_STRING;
}

/* Turn a lookup key into a key kind: an integral double becomes the int
 * (or, beyond int64, the uint) it equals.  False when no key can equal it. */
static bool normalize_key(val *k)
{
    if (k->kind == VK_DOUBLE) {
        double d = k->u.d;
        if (d != trunc(d) || isnan(d))
            return false;
        if (d >= -TWO_63 && d < TWO_63) {
            *k = val_int((int64_t)d);
            return true;
        }
        if (d >= 0 && d < TWO_64) {
            *k = val_uint((uint64_t)d);
            return true;
        }
        return false;
    }
    return valid_key_kind(k->kind);
}

/* Index of KEY (a valid key kind) in arena map M, or -1. */
static int64_t arena_find(const rpi_map *m, val key)
{
    if (!m || m->n == 0)
        return -1;
    if (m->hashes) {
        /* every key is a string: nothing else can be equal to one */
        if (key.kind != VK_STRING)
            return -1;
        return rpi_map_find_hashed(m, key.u.s, key.aux, (uint32_t)str_hash(key.u.s, key.aux));
    }
    if (m->bits == 0) {
        for (uint32_t i = 0; i < m->n; i++)
            if (key_equal(m->keys[i], key))
                return i;
        return -1;
    }
    uint32_t mask = (1u << m->bits) - 1;
    for (uint32_t s = (uint32_t)key_hash(key) & mask;; s = (s + 1) & mask) {
        uint32_t e = m->slots[s];
        if (e == 0)
            return -1;
        if (key_equal(m->keys[e - 1], key))
            return e - 1;
    }
}

bool rpi_map_get(val map, val key, val *out)
{
    if (map.kind != VK_MAP)
        return false;
    if (map.rep == REP_JSON) {
        if (key.kind != VK_STRING)
            return false;
        const json_t *j = json_object_getn(map.u.json, key.u.s, key.aux);
        if (!j)
            return false;
        if (out)
            *out = rpi_val_from_json(j);
        return true;
    }
    if (!normalize_key(&key))
        return false;
    int64_t i = arena_find(map.u.map, key);
    if (i < 0)
        return false;
    if (out)
        *out = map.u.map->vals[i];
    return true;
}

bool rpi_map_get_str(val map, const char *key, size_t len, val *out)
{
    if (map.kind != VK_MAP)
        return false;
    if (map.rep == REP_JSON) {
        const json_t *j = json_object_getn(map.u.json, key, len);
        if (!j)
            return false;
        if (out)
            *out = rpi_val_from_json(j);
        return true;
    }
    if (len > UINT32_MAX)
        return false;
    int64_t i = arena_find(map.u.map, val_string(key, (uint32_t)len));
    if (i < 0)
        return false;
    if (out)
        *out = map.u.map->vals[i];
    return true;
}

bool rpi_map_next(val map, rpi_map_iter *it, val *key, val *value)
{
    if (map.kind != VK_MAP)
        return false;
    if (map.rep == REP_JSON) {
        /* jansson iterates an object in insertion order (since 2.8), which
         * for a parsed document is the order of the text. */
        json_t *obj = (json_t *)map.u.json;
        void *iter;
        if (it->i == 0)
            iter = json_object_iter(obj);
        else
            iter = it->it ? json_object_iter_next(obj, (void *)it->it) : NULL;
        it->it = iter;
        if (!iter)
            return false;
        it->i++;
        if (key)
            *key = val_string(json_object_iter_key(iter),
                              (uint32_t)json_object_iter_key_len(iter));
        if (value)
            *value = rpi_val_from_json(json_object_iter_value(iter));
        return true;
    }
    const rpi_map *m = map.u.map;
    if (!m || it->i >= m->n)
        return false;
    if (key)
        *key = m->keys[it->i];
    if (value)
        *value = m->vals[it->i];
    it->i++;
    return true;
}

val rpi_map_build(rpi_ctx *cx, const val *keys, const val *vals, uint32_t n)
{
    if (cx->env && n > cx->env->max_list_size)
        return rpi_limit_stop(cx, "map size exceeds limit max_list_size (%zu entries): %u entries",
                              cx->env->max_list_size, n);
    for (uint32_t i = 0; i < n; i++)
        if (!valid_key_kind(keys[i].kind))
            return rpi_err(cx, "unsupported key type: %s", rpi_val_type_name(keys[i]));
    uint32_t bits = 0;
    if (n >= RPI_MAP_HASH_MIN) {
        bits = 1;
        while (bits < 31 && (1u << bits) < 2 * n)   /* load factor <= 1/2 */
            bits++;
    }
    rpi_map *m = rpi_alloc(cx, sizeof *m);
    val *k = rpi_alloc(cx, (size_t)n * sizeof(val));
    val *v = rpi_alloc(cx, (size_t)n * sizeof(val));
    uint32_t *slots = bits ? rpi_alloc(cx, ((size_t)1 << bits) * sizeof(uint32_t)) : NULL;
    if (!m || !k || !v || (bits && !slots))
        return rpi_err_oom(cx);
    if (n) {
        memcpy(k, keys, (size_t)n * sizeof(val));
        memcpy(v, vals, (size_t)n * sizeof(val));
    }
    m->n = n;
    m->bits = bits;
    m->keys = k;
    m->vals = v;
    m->slots = slots;
    m->hashes = NULL;
    if (!bits) {
        for (uint32_t i = 1; i < n; i++)
            for (uint32_t j = 0; j < i; j++)
                if (key_equal(k[i], k[j]))
                    return VAL_ERROR_LIT("Failed with repeated key");
        return val_map(m);
    }
    uint32_t mask = (1u << bits) - 1;
    memset(slots, 0, ((size_t)1 << bits) * sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = (uint32_t)key_hash(k[i]) & mask;
        while (slots[s]) {
            if (key_equal(k[slots[s] - 1], k[i]))
                return VAL_ERROR_LIT("Failed with repeated key");
            s = (s + 1) & mask;
        }
        slots[s] = i + 1;
    }
    return val_map(m);
}
