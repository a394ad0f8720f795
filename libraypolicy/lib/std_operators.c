/* lib/std_operators.c -- cel-spec's operators (ops.h) and `size`.
 *
 * The VM runs the common cases inline (int + int, string == string, a
 * field of a JSON object) and calls these for the rest; the library table
 * at the end lists them under their cel-spec names (_+_, @in, _[_], ...)
 * with cel-go's overload ids, for the checker and the documentation.
 *
 * Semantics and wording are cel-go's (common/types/int.go, uint.go,
 * double.go, string.go, list.go, map.go, overflow.go; interpreter/
 * attributes.go for indexing):
 *   - int and uint arithmetic is checked: "integer overflow",
 *     "unsigned integer overflow", "division by zero", "modulus by zero";
 *     doubles follow IEEE 754 (1.0 / 0.0 is +Inf), and have no %;
 *   - arithmetic never mixes numeric types (1 + 1u has no overload), but
 *     comparison and equality do, exactly (value.c);
 *   - list[i] takes int, uint or an integral double; outside the list it is
 *     "index out of bounds: i"; a missing map key is "no such key: k".
 * Time arithmetic belongs to lib/std_time.c (rpi_time_add/rpi_time_sub).
 *
 * Costs follow cel-go's runtime cost tracker (interpreter/runtimecost.go):
 * string and bytes concatenation and ordering charge 0.1 per byte, `in` on
 * a list charges its length.  Sizes are counted in bytes, an upper bound of
 * cel-go's count in code points.
 */
#include <math.h>
#include <string.h>

#include "../internal.h"
#include "../ops.h"

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

/* cel-go's common.StringTraversalCostFactor (0.1), rounded up. */
static uint64_t traversal_cost(uint64_t bytes) { return (bytes + 9) / 10; }

static val cost_exceeded(void) { return VAL_ERROR_LIT("cost limit exceeded"); }

static val no_overload2(rpi_ctx *cx, const char *fn, val a, val b)
{
    val args[2] = {a, b};
    return rpi_err_no_overload(cx, fn, args, 2);
}

static bool is_time(val v) { return v.kind == VK_TIMESTAMP || v.kind == VK_DURATION; }

/* ---- Arithmetic ------------------------------------------------------------------- */

/* string + string, bytes + bytes: a new arena buffer (an empty side is the
 * other operand itself). */
static val concat_bytes(rpi_ctx *cx, val a, val b)
{
    if (!rpi_charge(cx, traversal_cost((uint64_t)a.aux + b.aux)))
        return cost_exceeded();
    if (b.aux == 0)
        return a;
    if (a.aux == 0)
        return b;
    if ((uint64_t)a.aux + b.aux > UINT32_MAX)
        return VAL_ERROR_LIT("string too long");
    char *buf = rpi_strbuf(cx, (size_t)a.aux + b.aux);
    if (!buf)
        return rpi_err_oom(cx);
    memcpy(buf, a.u.s, a.aux);
    memcpy(buf + a.aux, b.u.s, b.aux);
    val r = a;
    r.u.s = buf;
    r.aux = a.aux + b.aux;
    return r;
}

/* list + list: a new arena list; JSON views are read element by element. */
static val concat_lists(rpi_ctx *cx, val a, val b)
{
    uint32_t na = rpi_list_size(a), nb = rpi_list_size(b);
    if (nb == 0)
        return a;
    if (na == 0)
        return b;
    if ((uint64_t)na + nb > UINT32_MAX)
        return VAL_ERROR_LIT("list too long");
    rpi_list *l = rpi_list_new(cx, na + nb);
    if (!l)
        return rpi_err_oom(cx);
    if (a.rep == REP_ARENA)
        memcpy(l->items, a.u.list->items, (size_t)na * sizeof(val));
    else
        for (uint32_t i = 0; i < na; i++)
            l->items[i] = rpi_list_at(a, i);
    if (b.rep == REP_ARENA)
        memcpy(l->items + na, b.u.list->items, (size_t)nb * sizeof(val));
    else
        for (uint32_t i = 0; i < nb; i++)
            l->items[na + i] = rpi_list_at(b, i);
    return val_list(l);
}

val rpi_op_add(rpi_ctx *cx, val a, val b)
{
    if (a.kind == b.kind) {
        switch (a.kind) {
        case VK_INT: {
            int64_t r;
            if (__builtin_add_overflow(a.u.i, b.u.i, &r))
                return VAL_ERROR_LIT("integer overflow");
            return val_int(r);
        }
        case VK_UINT: {
            uint64_t r;
            if (__builtin_add_overflow(a.u.u, b.u.u, &r))
                return VAL_ERROR_LIT("unsigned integer overflow");
            return val_uint(r);
        }
        case VK_DOUBLE:
            return val_double(a.u.d + b.u.d);
        case VK_STRING:
        case VK_BYTES:
            return concat_bytes(cx, a, b);
        case VK_LIST:
            return concat_lists(cx, a, b);
        default:
            break;
        }
    }
    if (is_time(a) && is_time(b))
        return rpi_time_add(cx, a, b);
    return no_overload2(cx, "_+_", a, b);
}

val rpi_op_sub(rpi_ctx *cx, val a, val b)
{
    if (a.kind == b.kind) {
        switch (a.kind) {
        case VK_INT: {
            int64_t r;
            if (__builtin_sub_overflow(a.u.i, b.u.i, &r))
                return VAL_ERROR_LIT("integer overflow");
            return val_int(r);
        }
        case VK_UINT: {
            uint64_t r;
            if (__builtin_sub_overflow(a.u.u, b.u.u, &r))
                return VAL_ERROR_LIT("unsigned integer overflow");
            return val_uint(r);
        }
        case VK_DOUBLE:
            return val_double(a.u.d - b.u.d);
        default:
            break;
        }
    }
    if (is_time(a) && is_time(b))
        return rpi_time_sub(cx, a, b);
    return no_overload2(cx, "_-_", a, b);
}

val rpi_op_mul(rpi_ctx *cx, val a, val b)
{
    if (a.kind == b.kind) {
        switch (a.kind) {
        case VK_INT: {
            int64_t r;
            if (__builtin_mul_overflow(a.u.i, b.u.i, &r))
                return VAL_ERROR_LIT("integer overflow");
            return val_int(r);
        }
        case VK_UINT: {
            uint64_t r;
            if (__builtin_mul_overflow(a.u.u, b.u.u, &r))
                return VAL_ERROR_LIT("unsigned integer overflow");
            return val_uint(r);
        }
        case VK_DOUBLE:
            return val_double(a.u.d * b.u.d);
        default:
            break;
        }
    }
    return no_overload2(cx, "_*_", a, b);
}

val rpi_op_div(rpi_ctx *cx, val a, val b)
{
    if (a.kind == b.kind) {
        switch (a.kind) {
        case VK_INT:
            if (b.u.i == 0)
                return VAL_ERROR_LIT("division by zero");
            if (a.u.i == INT64_MIN && b.u.i == -1)
                return VAL_ERROR_LIT("integer overflow");
            return val_int(a.u.i / b.u.i);
        case VK_UINT:
            if (b.u.u == 0)
                return VAL_ERROR_LIT("division by zero");
            return val_uint(a.u.u / b.u.u);
        case VK_DOUBLE:
            return val_double(a.u.d / b.u.d);
        default:
            break;
        }
    }
    return no_overload2(cx, "_/_", a, b);
}

val rpi_op_mod(rpi_ctx *cx, val a, val b)
{
    if (a.kind == b.kind) {
        switch (a.kind) {
        case VK_INT:
            if (b.u.i == 0)
                return VAL_ERROR_LIT("modulus by zero");
            if (a.u.i == INT64_MIN && b.u.i == -1)
                return VAL_ERROR_LIT("integer overflow");
            return val_int(a.u.i % b.u.i);
        case VK_UINT:
            if (b.u.u == 0)
                return VAL_ERROR_LIT("modulus by zero");
            return val_uint(a.u.u % b.u.u);
        default:
            break;
        }
    }
    return no_overload2(cx, "_%_", a, b);
}

val rpi_op_neg(rpi_ctx *cx, val a)
{
    if (a.kind == VK_INT) {
        if (a.u.i == INT64_MIN)
            return VAL_ERROR_LIT("integer overflow");
        return val_int(-a.u.i);
    }
    if (a.kind == VK_DOUBLE)
        return val_double(-a.u.d);
    return rpi_err_no_overload(cx, "-_", &a, 1);
}

val rpi_op_not(rpi_ctx *cx, val a)
{
    if (a.kind == VK_BOOL)
        return val_bool(!a.u.b);
    return rpi_err_no_overload(cx, "!_", &a, 1);
}

/* ---- Equality and ordering --------------------------------------------------------- */

val rpi_op_eq(rpi_ctx *cx, val a, val b)
{
    RPI_UNUSED(cx);
    return val_bool(rpi_val_equal(a, b));
}

val rpi_op_ne(rpi_ctx *cx, val a, val b)
{
    RPI_UNUSED(cx);
    return val_bool(!rpi_val_equal(a, b));
}

static bool is_nan_num(val v) { return v.kind == VK_DOUBLE && isnan(v.u.d); }
static bool is_num(val v) { return v.kind == VK_INT || v.kind == VK_UINT || v.kind == VK_DOUBLE; }

/* The shared body of <, <=, >, >=: WANT says which results of the
 * three-way comparison make the operator true (bit 0: less, 1: equal,
 * 2: greater).  NaN against a number is false for every operator. */
static val ordered(rpi_ctx *cx, const char *fn, val a, val b, unsigned want)
{
    int c;
    if (rpi_val_compare(a, b, &c)) {
        if ((a.kind == VK_STRING || a.kind == VK_BYTES) &&
            !rpi_charge(cx, traversal_cost(a.aux < b.aux ? a.aux : b.aux)))
            return cost_exceeded();
        return val_bool((want >> (c + 1)) & 1u);
    }
    if (is_num(a) && is_num(b) && (is_nan_num(a) || is_nan_num(b)))
        return val_bool(false);
    return no_overload2(cx, fn, a, b);
}

val rpi_op_lt(rpi_ctx *cx, val a, val b) { return ordered(cx, "_<_", a, b, 1u); }
val rpi_op_le(rpi_ctx *cx, val a, val b) { return ordered(cx, "_<=_", a, b, 3u); }
val rpi_op_gt(rpi_ctx *cx, val a, val b) { return ordered(cx, "_>_", a, b, 4u); }
val rpi_op_ge(rpi_ctx *cx, val a, val b) { return ordered(cx, "_>=_", a, b, 6u); }

/* ---- Containers -------------------------------------------------------------------- */

val rpi_op_in(rpi_ctx *cx, val elem, val container)
{
    if (container.kind == VK_MAP)
        return val_bool(rpi_map_get(container, elem, NULL));
    if (container.kind != VK_LIST)
        return no_overload2(cx, "@in", elem, container);
    uint32_t n = rpi_list_size(container);
    if (!rpi_charge(cx, n))
        return cost_exceeded();
    if (container.rep == REP_ARENA) {
        const val *items = container.u.list->items;
        for (uint32_t i = 0; i < n; i++)
            if (rpi_val_equal(items[i], elem))
                return val_bool(true);
        return val_bool(false);
    }
    for (uint32_t i = 0; i < n; i++)
        if (rpi_val_equal(rpi_list_at(container, i), elem))
            return val_bool(true);
    return val_bool(false);
}

/* The position KEY names in a list, as cel-go's IndexOrError: an int, a
 * uint that fits int64, or a double with an integral value. */
static bool list_index(rpi_ctx *cx, val key, int64_t *out, val *err)
{
    char buf[RPI_DOUBLE_BUF];
    switch (key.kind) {
    case VK_INT:
        *out = key.u.i;
        return true;
    case VK_UINT:
        if (key.u.u > INT64_MAX) {
            *err = rpi_err(cx, "unsupported index value %llu in list",
                           (unsigned long long)key.u.u);
            return false;
        }
        *out = (int64_t)key.u.u;
        return true;
    case VK_DOUBLE:
        if (key.u.d == trunc(key.u.d) && key.u.d > -9223372036854775808.0 &&
            key.u.d < 9223372036854775808.0) {
            *out = (int64_t)key.u.d;
            return true;
        }
        rpi_val_format_double(key.u.d, RPI_DOUBLE_GO, buf);
        *err = rpi_err(cx, "unsupported index value %s in list", buf);
        return false;
    default:
        *err = rpi_err(cx, "unsupported index type '%s' in list", rpi_val_type_name(key));
        return false;
    }
}

val rpi_op_index(rpi_ctx *cx, val container, val key)
{
    if (container.kind == VK_MAP) {
        val out;
        if (rpi_map_get(container, key, &out))
            return out;
        return rpi_err_no_such_key(cx, key);
    }
    if (container.kind != VK_LIST)
        return no_overload2(cx, "_[_]", container, key);
    int64_t i;
    val err;
    if (!list_index(cx, key, &i, &err))
        return err;
    if (i < 0 || (uint64_t)i >= rpi_list_size(container))
        return rpi_err(cx, "index out of bounds: %lld", (long long)i);
    if (container.rep == REP_ARENA)
        return container.u.list->items[i];
    return rpi_list_at(container, (uint32_t)i);
}

/* ---- The library table --------------------------------------------------------------- */

static val fn_add(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_add(cx, a[0], a[1]); }
static val fn_sub(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_sub(cx, a[0], a[1]); }
static val fn_mul(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_mul(cx, a[0], a[1]); }
static val fn_div(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_div(cx, a[0], a[1]); }
static val fn_mod(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_mod(cx, a[0], a[1]); }
static val fn_neg(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_neg(cx, a[0]); }
static val fn_not(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_not(cx, a[0]); }
static val fn_eq(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_eq(cx, a[0], a[1]); }
static val fn_ne(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_ne(cx, a[0], a[1]); }
static val fn_lt(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_lt(cx, a[0], a[1]); }
static val fn_le(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_le(cx, a[0], a[1]); }
static val fn_gt(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_gt(cx, a[0], a[1]); }
static val fn_ge(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_ge(cx, a[0], a[1]); }
static val fn_in(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_in(cx, a[0], a[1]); }
static val fn_index(rpi_ctx *cx, const val *a, unsigned n) { RPI_UNUSED(n); return rpi_op_index(cx, a[0], a[1]); }

/* size(x) and x.size(): strings count code points, bytes count bytes. */
static val fn_size(rpi_ctx *cx, const val *args, unsigned argc)
{
    val a = args[0];
    switch (a.kind) {
    case VK_STRING:
        return val_int((int64_t)rpi_utf8_count(a.u.s, a.aux));
    case VK_BYTES:
        return val_int(a.aux);
    case VK_LIST:
        return val_int(rpi_list_size(a));
    case VK_MAP:
        return val_int(rpi_map_size(a));
    default:
        return rpi_err_no_overload(cx, "size", args, argc);
    }
}

#define ORDER_SIGS(op)                                                                     \
    SIGS(op "_bool: bool, bool -> bool", op "_int64: int, int -> bool",                    \
         op "_int64_double: int, double -> bool", op "_int64_uint64: int, uint -> bool",   \
         op "_uint64: uint, uint -> bool", op "_uint64_double: uint, double -> bool",      \
         op "_uint64_int64: uint, int -> bool", op "_double: double, double -> bool",      \
         op "_double_int64: double, int -> bool", op "_double_uint64: double, uint -> bool", \
         op "_string: string, string -> bool", op "_bytes: bytes, bytes -> bool",          \
         op "_timestamp: timestamp, timestamp -> bool",                                    \
         op "_duration: duration, duration -> bool")

static const rpi_func funcs[] = {
    {"_+_", RPI_GLOBAL, 2, 0, fn_add,
     SIGS("add_int64: int, int -> int", "add_uint64: uint, uint -> uint",
          "add_double: double, double -> double", "add_string: string, string -> string",
          "add_bytes: bytes, bytes -> bytes", "add_list: list(A), list(A) -> list(A)",
          "add_timestamp_duration: timestamp, duration -> timestamp",
          "add_duration_timestamp: duration, timestamp -> timestamp",
          "add_duration_duration: duration, duration -> duration"), 1, NULL},
    {"_-_", RPI_GLOBAL, 2, 0, fn_sub,
     SIGS("subtract_int64: int, int -> int", "subtract_uint64: uint, uint -> uint",
          "subtract_double: double, double -> double",
          "subtract_timestamp_timestamp: timestamp, timestamp -> duration",
          "subtract_timestamp_duration: timestamp, duration -> timestamp",
          "subtract_duration_duration: duration, duration -> duration"), 1, NULL},
    {"_*_", RPI_GLOBAL, 2, 0, fn_mul,
     SIGS("multiply_int64: int, int -> int", "multiply_uint64: uint, uint -> uint",
          "multiply_double: double, double -> double"), 1, NULL},
    {"_/_", RPI_GLOBAL, 2, 0, fn_div,
     SIGS("divide_int64: int, int -> int", "divide_uint64: uint, uint -> uint",
          "divide_double: double, double -> double"), 1, NULL},
    {"_%_", RPI_GLOBAL, 2, 0, fn_mod,
     SIGS("modulo_int64: int, int -> int", "modulo_uint64: uint, uint -> uint"), 1, NULL},
    {"-_", RPI_GLOBAL, 1, 0, fn_neg,
     SIGS("negate_int64: int -> int", "negate_double: double -> double"), 1, NULL},
    {"!_", RPI_GLOBAL, 1, 0, fn_not, SIGS("logical_not: bool -> bool"), 1, NULL},
    {"_==_", RPI_GLOBAL, 2, 0, fn_eq, SIGS("equals: A, A -> bool"), 1, NULL},
    {"_!=_", RPI_GLOBAL, 2, 0, fn_ne, SIGS("not_equals: A, A -> bool"), 1, NULL},
    {"_<_", RPI_GLOBAL, 2, 0, fn_lt, ORDER_SIGS("less"), 1, NULL},
    {"_<=_", RPI_GLOBAL, 2, 0, fn_le, ORDER_SIGS("less_equals"), 1, NULL},
    {"_>_", RPI_GLOBAL, 2, 0, fn_gt, ORDER_SIGS("greater"), 1, NULL},
    {"_>=_", RPI_GLOBAL, 2, 0, fn_ge, ORDER_SIGS("greater_equals"), 1, NULL},
    {"@in", RPI_GLOBAL, 2, 0, fn_in,
     SIGS("in_list: A, list(A) -> bool", "in_map: A, map(A, B) -> bool"), 1, NULL},
    {"_[_]", RPI_GLOBAL, 2, 0, fn_index,
     SIGS("index_list: list(A), int -> A", "index_map: map(A, B), A -> B"), 1, NULL},
    {"size", RPI_GLOBAL | RPI_RECEIVER, 1, 0, fn_size,
     SIGS("size_string: string -> int", "size_bytes: bytes -> int",
          "size_list: list(A) -> int", "size_map: map(A, B) -> int",
          "string_size: string -> int", "bytes_size: bytes -> int",
          "list_size: list(A) -> int", "map_size: map(A, B) -> int"), 1, NULL},
};

const rpi_library rpi_lib_std_operators = {
    "std_operators", RPI_PROF_ALL, funcs, sizeof funcs / sizeof funcs[0],
};
