/* value.h -- the internal CEL value, `val`, and the evaluation context.
 *
 * A val is 16 bytes and is passed by value everywhere.  It never owns memory:
 * what it points to lives in one of four places, all outliving the val:
 *   - the program's constant pool (literals, interned field names),
 *   - a jansson tree bound in the activation (JSON objects, arrays and
 *     strings are *views*: VK_MAP/VK_LIST with rep == REP_JSON point at the
 *     json_t, and strings point at jansson's own buffer),
 *   - the evaluation arena of the activation (anything an expression builds:
 *     concatenated strings, list and map literals, error messages), reset at
 *     the start of every evaluation,
 *   - static storage (type values, fixed error messages).
 * So an evaluation allocates only from the arena, and the arena keeps its
 * chunks between evaluations: steady state makes no heap allocation.
 *
 * Errors are values (kind VK_ERROR) so that `&&`, `||` and `?:` can absorb
 * them as CEL requires.  Builtin functions return them; only the API boundary
 * turns a final error into an RP_E* code.
 */
#ifndef RPI_VALUE_H
#define RPI_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

typedef enum val_kind {
    VK_ERROR = 0,   /* u.s/aux: message (not NUL-terminated necessarily) */
    VK_NULL,
    VK_BOOL,        /* u.b */
    VK_INT,         /* u.i */
    VK_UINT,        /* u.u */
    VK_DOUBLE,      /* u.d */
    VK_STRING,      /* u.s/aux: UTF-8 bytes, valid UTF-8 always */
    VK_BYTES,       /* u.s/aux */
    VK_LIST,        /* rep REP_JSON: u.json is a JSON array; REP_ARENA: u.list */
    VK_MAP,         /* rep REP_JSON: u.json is a JSON object; REP_ARENA: u.map */
    VK_TYPE,        /* u.type: a static rpi_type */
    VK_TIMESTAMP,   /* u.i seconds since the Unix epoch, aux nanoseconds [0,1e9) */
    VK_DURATION,    /* u.i seconds, aux nanoseconds as int32 with the sign of
                       the seconds (as google.protobuf.Duration) */
    VK_OPTIONAL,    /* u.opt: NULL = optional.none(), else the contained value */
    VK_OPAQUE,      /* u.opaque: Kubernetes types (quantity, url, ip, ...) */
    VK__COUNT
} val_kind;

enum { REP_ARENA = 0, REP_JSON = 1 };

typedef struct rpi_list rpi_list;
typedef struct rpi_map rpi_map;
typedef struct rpi_type rpi_type;
typedef struct rpi_opaque rpi_opaque;
typedef struct rpi_ctx rpi_ctx;

typedef struct val {
    uint8_t kind;       /* val_kind */
    uint8_t rep;        /* REP_* for VK_LIST / VK_MAP */
    uint16_t flags;     /* reserved, 0 */
    uint32_t aux;       /* length of strings/bytes/errors; nanos of time values */
    union {
        bool b;
        int64_t i;
        uint64_t u;
        double d;
        const char *s;
        const json_t *json;
        const rpi_list *list;
        const rpi_map *map;
        const rpi_type *type;
        const struct val *opt;
        const rpi_opaque *opaque;
    } u;
} val;

/* An arena list: N values in a row. */
struct rpi_list {
    uint32_t n;
    val items[];
};

/* An arena map: insertion-ordered keys and values.  Keys are VK_INT, VK_UINT,
 * VK_BOOL or VK_STRING.  Lookup is linear below RPI_MAP_HASH_MIN entries,
 * through the open-addressing index `slots` (2^bits slots holding entry
 * index + 1, 0 = empty) above it.  Maps made from JSON objects
 * (json_freeze.c) also keep every key's rpi_str_hash32 in `hashes`, so that
 * a field selection with a hash computed at compile time compares one word
 * per entry before it compares bytes. */
#define RPI_MAP_HASH_MIN 8
struct rpi_map {
    uint32_t n;
    uint32_t bits;          /* 0 when there is no index */
    val *keys;
    val *vals;
    uint32_t *slots;
    const uint32_t *hashes; /* NULL, or the hash of each (string) key */
};

/* A CEL type value; the static instances below are the only ones for the
 * built-in types.  Opaque Kubernetes types have their own static rpi_type. */
struct rpi_type {
    const char *name;       /* "int", "google.protobuf.Timestamp", ... */
    uint8_t kind;           /* the val_kind values of this type have, or
                               VK__COUNT for "type" itself */
};
extern const rpi_type rpi_type_int, rpi_type_uint, rpi_type_double, rpi_type_bool,
    rpi_type_string, rpi_type_bytes, rpi_type_list, rpi_type_map, rpi_type_null,
    rpi_type_type, rpi_type_timestamp, rpi_type_duration, rpi_type_optional,
    rpi_type_error;

/* Opaque values (Kubernetes libraries).  `vt` gives the behaviour. */
typedef struct rpi_opaque_vtable {
    const rpi_type *type;
    /* Equality with another opaque of the same vtable. */
    bool (*equal)(const rpi_opaque *a, const rpi_opaque *b);
    /* string(x): the string value (in CX's arena) or an error; NULL when
     * the type has no string conversion. */
    struct val (*to_string)(rpi_ctx *cx, const rpi_opaque *o);
} rpi_opaque_vtable;
struct rpi_opaque {
    const rpi_opaque_vtable *vt;
    /* the library's payload follows */
};

/* ---- Constructors (cheap, inline) ---------------------------------------- */

static inline val val_null(void) { val v = {VK_NULL, 0, 0, 0, {0}}; return v; }
static inline val val_bool(bool b) { val v = {VK_BOOL, 0, 0, 0, {0}}; v.u.b = b; return v; }
static inline val val_int(int64_t i) { val v = {VK_INT, 0, 0, 0, {0}}; v.u.i = i; return v; }
static inline val val_uint(uint64_t u) { val v = {VK_UINT, 0, 0, 0, {0}}; v.u.u = u; return v; }
static inline val val_double(double d) { val v = {VK_DOUBLE, 0, 0, 0, {0}}; v.u.d = d; return v; }
static inline val val_string(const char *s, uint32_t len) { val v = {VK_STRING, 0, 0, len, {0}}; v.u.s = s; return v; }
static inline val val_bytes(const char *s, uint32_t len) { val v = {VK_BYTES, 0, 0, len, {0}}; v.u.s = s; return v; }
static inline val val_type(const rpi_type *t) { val v = {VK_TYPE, 0, 0, 0, {0}}; v.u.type = t; return v; }
static inline val val_list(const rpi_list *l) { val v = {VK_LIST, REP_ARENA, 0, 0, {0}}; v.u.list = l; return v; }
static inline val val_map(const rpi_map *m) { val v = {VK_MAP, REP_ARENA, 0, 0, {0}}; v.u.map = m; return v; }
static inline val val_timestamp(int64_t s, int32_t ns) { val v = {VK_TIMESTAMP, 0, 0, (uint32_t)ns, {0}}; v.u.i = s; return v; }
static inline val val_duration(int64_t s, int32_t ns) { val v = {VK_DURATION, 0, 0, (uint32_t)ns, {0}}; v.u.i = s; return v; }
static inline val val_optional(const val *inner) { val v = {VK_OPTIONAL, 0, 0, 0, {0}}; v.u.opt = inner; return v; }
/* An error whose message is static (or otherwise outlives the evaluation). */
static inline val val_error_static(const char *msg, uint32_t len) { val v = {VK_ERROR, 0, 0, len, {0}}; v.u.s = msg; return v; }
#define VAL_ERROR_LIT(lit) val_error_static((lit), (uint32_t)(sizeof(lit) - 1))

static inline bool val_is_error(val v) { return v.kind == VK_ERROR; }
static inline int32_t val_nanos(val v) { return (int32_t)v.aux; }

/* added by time */
/* A timestamp remembers the UTC offset it was written with, as cel-go's
 * time.Time keeps its zone: timestamp('2009-02-13T23:31:30+01:00') prints
 * back with "+01:00" through string(), and keeps it through + and - of
 * durations.  The offset is in FLAGS, in minutes east of UTC as an int16
 * (0 = UTC, what val_timestamp makes).  Equality, ordering, int() and the
 * getters without a zone argument ignore it (they are about the instant). */
static inline val val_timestamp_at(int64_t s, int32_t ns, int32_t offset_seconds)
{
    val v = val_timestamp(s, ns);
    v.flags = (uint16_t)(int16_t)(offset_seconds / 60);
    return v;
}
static inline int32_t val_timestamp_offset(val v) { return (int32_t)(int16_t)v.flags * 60; }

/* ---- The evaluation context ---------------------------------------------- */

typedef struct rpi_arena rpi_arena;
typedef struct rpi_env rpi_env_internal;

/* Everything a builtin function may need while it runs.  One per evaluation,
 * on the VM's C stack. */
struct rpi_ctx {
    rpi_arena *arena;             /* evaluation arena (reset per evaluation) */
    const struct rp_env *env;     /* profile, limits */
    uint64_t cost;                /* runtime cost so far */
    uint64_t cost_budget;         /* 0 = unlimited */
    const void *program;          /* the running rp_program (for regex caches) */
    int limit_hit;                /* set when a limit (cost, memory) is hit:
                                     the VM stops with RP_ELIMIT */
    char limit_msg[160];          /* which limit, for the error */
};

/* Builtin function implementations.  ARGS[0] is the receiver for
 * receiver-style calls.  Return a value or an error value; never NULL
 * pointers inside.  Allocation goes through the arena helpers below, which
 * return NULL (and set cx->limit_hit) when memory runs out: return
 * rpi_err_oom(cx) then. */
typedef val (*rpi_fn)(rpi_ctx *cx, const val *args, unsigned argc);

/* ---- Arena ---------------------------------------------------------------- */

/* Allocate SIZE bytes, 16-aligned, from the evaluation arena.  NULL on OOM
 * or when the arena limit is hit (cx->limit_hit is then set). */
void *rpi_alloc(rpi_ctx *cx, size_t size);
/* An arena list of N values (items uninitialised); NULL on OOM. */
rpi_list *rpi_list_new(rpi_ctx *cx, uint32_t n);
/* A writable string buffer of LEN bytes (+1 for a NUL terminator); NULL on OOM. */
char *rpi_strbuf(rpi_ctx *cx, size_t len);
/* Copy VAL into the arena (for optional's payload). */
const val *rpi_box(rpi_ctx *cx, val v);

/* ---- Errors ---------------------------------------------------------------- */

/* An error value with a printf-formatted message in the arena. */
val rpi_err(rpi_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The standard ones, worded as cel-go words them. */
val rpi_err_no_overload(rpi_ctx *cx, const char *fn, const val *args, unsigned argc);
val rpi_err_oom(rpi_ctx *cx);
val rpi_err_no_such_key(rpi_ctx *cx, val key);
val rpi_err_no_such_field(rpi_ctx *cx, const char *field, size_t len);

/* ---- Generic value operations (value.c) ----------------------------------- */

/* The type of V as a type value (lists of JSON views are still "list"). */
const rpi_type *rpi_val_type(val v);
/* CEL's name for V's type, as in error messages: "int", "string", "map", ... */
const char *rpi_val_type_name(val v);
/* Convert a jansson node into a val: views for objects, arrays and strings,
 * int for JSON integers, double for reals, bool, null. */
val rpi_val_from_json(const json_t *j);
/* CEL equality (heterogeneous numeric equality; values of different types
 * are unequal, never an error).  Lists and maps compare deeply. */
bool rpi_val_equal(val a, val b);
/* CEL ordering for <, <=, >, >=: sets *CMP to -1, 0 or 1 and returns true,
 * or returns false when A and B are not ordered (different non-numeric
 * types, lists, maps, NaN against anything: then *CMP is left unset and the
 * caller decides; NaN compares false for every operator). */
bool rpi_val_compare(val a, val b, int *cmp);
/* Number of elements / entries. */
uint32_t rpi_list_size(val list);
uint32_t rpi_map_size(val map);
/* Element I of a list (0 <= I < size). */
val rpi_list_at(val list, uint32_t i);
/* Map lookup by a CEL key with heterogeneous numeric key equality
 * (m[1] finds key 1u and 1.0).  Returns true and sets *OUT when found. */
bool rpi_map_get(val map, val key, val *out);
/* Map lookup of a string key. */
bool rpi_map_get_str(val map, const char *key, size_t len, val *out);
/* The hash of a string map key: what `slots` and `hashes` are built from,
 * and what the compiler stores for each constant field name. */
uint32_t rpi_str_hash32(const char *s, size_t len);

/* Whether LEN bytes at A and B are equal: memcmp without the call, for the
 * short keys of Kubernetes objects (overlapping word loads). */
static inline bool rpi_bytes_eq(const char *a, const char *b, uint32_t len)
{
    uint64_t x, y, x2, y2;
    if (len >= 8) {
        if (len > 16)
            return __builtin_memcmp(a, b, len) == 0;
        __builtin_memcpy(&x, a, 8);
        __builtin_memcpy(&y, b, 8);
        __builtin_memcpy(&x2, a + len - 8, 8);
        __builtin_memcpy(&y2, b + len - 8, 8);
        return ((x ^ y) | (x2 ^ y2)) == 0;
    }
    if (len >= 4) {
        uint32_t p, q, p2, q2;
        __builtin_memcpy(&p, a, 4);
        __builtin_memcpy(&q, b, 4);
        __builtin_memcpy(&p2, a + len - 4, 4);
        __builtin_memcpy(&q2, b + len - 4, 4);
        return ((p ^ q) | (p2 ^ q2)) == 0;
    }
    for (uint32_t i = 0; i < len; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* Index of the string key S (LEN bytes, H = rpi_str_hash32(S, LEN)) in an
 * arena map that has `hashes`, or -1.  The VM's field selection. */
static inline __attribute__((always_inline)) int64_t rpi_map_find_hashed(const rpi_map *m, const char *s, uint32_t len, uint32_t h)
{
    if (m->bits == 0) {
        for (uint32_t i = 0; i < m->n; i++)
            if (m->hashes[i] == h && m->keys[i].aux == len && rpi_bytes_eq(m->keys[i].u.s, s, len))
                return i;
        return -1;
    }
    uint32_t mask = (1u << m->bits) - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t e = m->slots[i];
        if (e == 0)
            return -1;
        if (m->hashes[e - 1] == h && m->keys[e - 1].aux == len &&
            rpi_bytes_eq(m->keys[e - 1].u.s, s, len))
            return e - 1;
    }
}

/* ---- Frozen JSON (json_freeze.c) ------------------------------------------- */

/* J converted into arena values in A: objects become maps with `hashes`,
 * arrays lists, scalars as rpi_val_from_json() gives them; strings (keys
 * too) keep pointing into J, which must outlive the result.  A subtree that
 * cannot be converted (A's memory runs out, nesting deeper than the
 * converter goes) stays a jansson view: the result always means the same
 * as rpi_val_from_json(J). */
val rpi_json_freeze(rpi_arena *a, const json_t *j);
/* Iteration: key I of a map, in its order (insertion order). For JSON
 * objects iteration uses IT, a cursor the caller keeps (start NULL). */
typedef struct rpi_map_iter { const void *it; uint32_t i; } rpi_map_iter;
bool rpi_map_next(val map, rpi_map_iter *it, val *key, val *value);
/* Build an arena map from N keys and values; errors (as values) on a key of
 * an invalid type or a repeated key ("Failed with repeated key"). */
val rpi_map_build(rpi_ctx *cx, const val *keys, const val *vals, uint32_t n);

/* ---- Output (value_out.c) -------------------------------------------------- */

/* V (no errors inside) as a new jansson tree, plain or cel.expr.Value form.
 * Returns NULL on OOM. */
json_t *rpi_val_to_jansson(val v, bool typed);
/* Parse a cel.expr.Value JSON tree into a val whose storage comes from
 * CX's arena.  On a malformed tree returns an error value saying why. */
val rpi_val_from_typed_json(rpi_ctx *cx, const json_t *j);

/* ---- UTF-8 (utf8.c) -------------------------------------------------------- */

/* True when [S, S+LEN) is valid UTF-8 (no surrogates, no overlongs). */
bool rpi_utf8_valid(const char *s, size_t len);
/* Number of code points in valid UTF-8. */
size_t rpi_utf8_count(const char *s, size_t len);
/* Byte offset of code point index CP (CP <= count). */
size_t rpi_utf8_offset(const char *s, size_t len, size_t cp);
/* Encode code point CP at OUT (4 bytes room); returns bytes written. */
int rpi_utf8_encode(uint32_t cp, char *out);
/* Decode one code point at S (LEN > 0, valid UTF-8); returns its length. */
int rpi_utf8_decode(const char *s, size_t len, uint32_t *cp);


/* added by values */
/* Decimal text of a double, shortest digits that read back to the same
 * value.  RPI_DOUBLE_GO: Go's fmt %g, what cel-go's string(double) gives
 * ("1e+06", "123.456", "-0.0045", "+Inf", "NaN").  RPI_DOUBLE_JSON: a JSON
 * number in ECMAScript's layout, with ".0" on integral values so that they
 * read back as doubles ("1.0", "0.1", "1e+21"); NaN and the infinities as
 * "NaN", "Infinity", "-Infinity" (the caller quotes them).  BUF has room for
 * RPI_DOUBLE_BUF bytes; returns the length written (NUL-terminated). */
#define RPI_DOUBLE_BUF 40
enum { RPI_DOUBLE_GO = 0, RPI_DOUBLE_JSON = 1 };
size_t rpi_val_format_double(double d, int style, char *buf);
/* V (no errors inside) as JSON text, plain or cel.expr.Value form, as
 * rpi_val_to_jansson() would give but with the shortest digits for doubles.
 * malloc'd and NUL-terminated (free with free()/rp_free()); *LEN (may be
 * NULL) gets the length.  NULL on OOM. */
char *rpi_val_to_json_text(val v, bool typed, size_t *len);
/* strtod of all of [S, S+N) as C-locale text ('.' is the decimal point
 * whatever LC_NUMERIC the host set; no leading spaces).  False when some of
 * the text is not part of the number or it is longer than 1000 bytes. */
bool rpi_val_strtod(const char *s, size_t n, double *out);

#endif /* RPI_VALUE_H */
