/* lib/k8s_lists.c -- Kubernetes' list library (apiserver/pkg/cel/library/
 * lists.go): l.isSorted(), l.sum(), l.min(), l.max(), l.indexOf(x) and
 * l.lastIndexOf(x).
 *
 * Semantics are Kubernetes':
 *   - isSorted, min and max take lists of ordered values (int, uint,
 *     double, bool, string, bytes, timestamp, duration); an element of
 *     another type is "no such overload".  Numbers of different kinds
 *     compare by value; a pair that has no order (a string against an int,
 *     NaN) neither unsorts a list nor replaces the running min/max, as in
 *     Kubernetes, where Compare then yields an error value that is not 1;
 *   - min and max of an empty list: "min called on empty list",
 *     "max called on empty list"; the first of equal extremes is kept;
 *   - sum adds, with cel-go's checked arithmetic ("integer overflow",
 *     "unsigned integer overflow"), ints, uints, doubles or durations,
 *     starting from the zero of the type of the first element; mixing kinds
 *     is "no such overload" as `+` is.  The sum of an empty list is int 0
 *     (the checker's overload for a list of dyn is the int one);
 *   - indexOf and lastIndexOf use CEL equality; -1 when absent.
 * `indexOf`, `lastIndexOf` are shared with the strings extension and are
 * dispatched on the receiver being a list.
 */
#include "../internal.h"

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

static val cost_exceeded(void) { return VAL_ERROR_LIT("cost limit exceeded"); }

/* Kubernetes' comparableTypes. */
static bool is_comparable(val v)
{
    switch (v.kind) {
    case VK_INT: case VK_UINT: case VK_DOUBLE: case VK_BOOL: case VK_STRING: case VK_BYTES:
    case VK_TIMESTAMP: case VK_DURATION:
        return true;
    default:
        return false;
    }
}

static val fn_is_sorted(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_LIST)
        return rpi_err_no_overload(cx, "isSorted", args, argc);
    uint32_t n = rpi_list_size(args[0]);
    if (!rpi_charge(cx, n))
        return cost_exceeded();
    val prev = val_null();
    for (uint32_t i = 0; i < n; i++) {
        val e = rpi_list_at(args[0], i);
        if (!is_comparable(e))
            return rpi_err_no_overload(cx, "isSorted", args, argc);
        int c;
        if (i > 0 && rpi_val_compare(prev, e, &c) && c > 0)
            return val_bool(false);
        prev = e;
    }
    return val_bool(true);
}

/* min (WANT = 1: replace the running result when it is greater than the
 * next element) and max (WANT = -1). */
static val extreme(rpi_ctx *cx, const val *args, unsigned argc, const char *name, int want)
{
    if (args[0].kind != VK_LIST)
        return rpi_err_no_overload(cx, name, args, argc);
    uint32_t n = rpi_list_size(args[0]);
    if (n == 0)
        return rpi_err(cx, "%s called on empty list", name);
    if (!rpi_charge(cx, n))
        return cost_exceeded();
    val result = val_null();
    for (uint32_t i = 0; i < n; i++) {
        val e = rpi_list_at(args[0], i);
        if (!is_comparable(e))
            return rpi_err_no_overload(cx, name, args, argc);
        int c;
        if (i == 0 || (rpi_val_compare(result, e, &c) && c == want))
            result = e;
    }
    return result;
}

static val fn_min(rpi_ctx *cx, const val *args, unsigned argc)
{
    return extreme(cx, args, argc, "min", 1);
}

static val fn_max(rpi_ctx *cx, const val *args, unsigned argc)
{
    return extreme(cx, args, argc, "max", -1);
}

static val fn_sum(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_LIST)
        return rpi_err_no_overload(cx, "sum", args, argc);
    val l = args[0];
    uint32_t n = rpi_list_size(l);
    if (n == 0)
        return val_int(0);
    if (!rpi_charge(cx, n))
        return cost_exceeded();
    val first = rpi_list_at(l, 0);
    int64_t si = 0;
    uint64_t su = 0;
    double sd = 0;
    for (uint32_t i = 0; i < n; i++) {
        val e = rpi_list_at(l, i);
        if (e.kind != first.kind)
            return rpi_err_no_overload(cx, "sum", args, argc);
        switch (e.kind) {
        case VK_INT:
            if (__builtin_add_overflow(si, e.u.i, &si))
                return VAL_ERROR_LIT("integer overflow");
            break;
        case VK_UINT:
            if (__builtin_add_overflow(su, e.u.u, &su))
                return VAL_ERROR_LIT("unsigned integer overflow");
            break;
        case VK_DOUBLE:
            sd += e.u.d;
            break;
        case VK_DURATION: {
            int64_t ns;
            if (!rpi_time_duration_nanos(e.u.i, val_nanos(e), &ns) ||
                __builtin_add_overflow(si, ns, &si))
                return VAL_ERROR_LIT("integer overflow");
            break;
        }
        default:
            return rpi_err_no_overload(cx, "sum", args, argc);
        }
    }
    switch (first.kind) {
    case VK_INT: return val_int(si);
    case VK_UINT: return val_uint(su);
    case VK_DOUBLE: return val_double(sd);
    default: {
        int64_t sec;
        int32_t nanos;
        rpi_time_duration_split(si, &sec, &nanos);
        return val_duration(sec, nanos);
    }
    }
}

/* The first (FORWARD) or last index of ARGS[1] in the list ARGS[0]. */
static val find_index(rpi_ctx *cx, const val *args, unsigned argc, const char *name,
                      bool forward)
{
    if (args[0].kind != VK_LIST)
        return rpi_err_no_overload(cx, name, args, argc);
    uint32_t n = rpi_list_size(args[0]);
    if (!rpi_charge(cx, n))
        return cost_exceeded();
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = forward ? k : n - 1 - k;
        if (rpi_val_equal(rpi_list_at(args[0], i), args[1]))
            return val_int(i);
    }
    return val_int(-1);
}

static val fn_index_of(rpi_ctx *cx, const val *args, unsigned argc)
{
    return find_index(cx, args, argc, "indexOf", true);
}

static val fn_last_index_of(rpi_ctx *cx, const val *args, unsigned argc)
{
    return find_index(cx, args, argc, "lastIndexOf", false);
}

static const rpi_func funcs[] = {
    {"isSorted", RPI_RECEIVER, 1, 0, fn_is_sorted,
     SIGS("list_int_is_sorted_bool: list(int) -> bool",
          "list_uint_is_sorted_bool: list(uint) -> bool",
          "list_double_is_sorted_bool: list(double) -> bool",
          "list_bool_is_sorted_bool: list(bool) -> bool",
          "list_duration_is_sorted_bool: list(duration) -> bool",
          "list_timestamp_is_sorted_bool: list(timestamp) -> bool",
          "list_string_is_sorted_bool: list(string) -> bool",
          "list_bytes_is_sorted_bool: list(bytes) -> bool"),
     1, NULL},
    {"sum", RPI_RECEIVER, 1, 0, fn_sum,
     SIGS("list_int_sum_int: list(int) -> int", "list_uint_sum_uint: list(uint) -> uint",
          "list_double_sum_double: list(double) -> double",
          "list_duration_sum_duration: list(duration) -> duration"),
     1, NULL},
    {"min", RPI_RECEIVER, 1, 0, fn_min,
     SIGS("list_int_min_int: list(int) -> int", "list_uint_min_uint: list(uint) -> uint",
          "list_double_min_double: list(double) -> double",
          "list_bool_min_bool: list(bool) -> bool",
          "list_duration_min_duration: list(duration) -> duration",
          "list_timestamp_min_timestamp: list(timestamp) -> timestamp",
          "list_string_min_string: list(string) -> string",
          "list_bytes_min_bytes: list(bytes) -> bytes"),
     1, NULL},
    {"max", RPI_RECEIVER, 1, 0, fn_max,
     SIGS("list_int_max_int: list(int) -> int", "list_uint_max_uint: list(uint) -> uint",
          "list_double_max_double: list(double) -> double",
          "list_bool_max_bool: list(bool) -> bool",
          "list_duration_max_duration: list(duration) -> duration",
          "list_timestamp_max_timestamp: list(timestamp) -> timestamp",
          "list_string_max_string: list(string) -> string",
          "list_bytes_max_bytes: list(bytes) -> bytes"),
     1, NULL},
    {"indexOf", RPI_RECEIVER, 2, 0, fn_index_of,
     SIGS("list_a_index_of_int: list(A), A -> int"), 1, &rpi_type_list},
    {"lastIndexOf", RPI_RECEIVER, 2, 0, fn_last_index_of,
     SIGS("list_a_last_index_of_int: list(A), A -> int"), 1, &rpi_type_list},
};

const rpi_library rpi_lib_k8s_lists = {
    "kubernetes.lists", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
