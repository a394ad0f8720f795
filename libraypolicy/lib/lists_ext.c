/* lib/lists_ext.c -- cel-go's list extension (ext/lists.go, version 3):
 * lists.range(n), l.slice(start, end), l.flatten() and l.flatten(depth),
 * l.distinct(), l.reverse(), l.sort(), and l.@sortByAssociatedKeys(keys),
 * the function the sortBy macro (macros.c) expands to.
 *
 * Semantics and error texts are cel-go's:
 *   - slice: "cannot slice(s, e), negative indexes not supported",
 *     "... start index must be less than or equal to end index",
 *     "... list is length n";
 *   - flatten: "level must be non-negative"; non-list elements are kept;
 *   - distinct keeps the first of each group of equal elements (CEL
 *     heterogeneous equality: [1, 1.0, 1u].distinct() is [1]);
 *   - sort and sortBy: the keys must all have the type of the first key and
 *     that type must be ordered (int, uint, double, bool, string, bytes,
 *     timestamp, duration): "list elements must be comparable", "list
 *     elements must have the same type".  Our sort is stable (cel-go's
 *     sort.Slice is not: equal keys may come out in any order there);
 *   - lists.range: "lists.range: size must be non-negative, got n" and a
 *     10,000,000-element limit.
 * Costs follow cel-go's trackers: the size of the result for linear
 * functions, 2 * n^2 for distinct and sort.
 */
#include <string.h>

#include "../internal.h"

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

/* cel-go's maxRangeSize. */
#define MAX_RANGE 10000000

static val cost_exceeded(void) { return VAL_ERROR_LIT("cost limit exceeded"); }

/* n^2 * 2, saturated. */
static uint64_t quadratic_cost(uint64_t n)
{
    if (n > UINT32_MAX)
        return UINT64_MAX;
    return n * n * 2;
}

static val fn_range(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    if (args[0].kind != VK_INT)
        return rpi_err_no_overload(cx, "lists.range", args, 1);
    int64_t n = args[0].u.i;
    if (n < 0)
        return rpi_err(cx, "lists.range: size must be non-negative, got %lld", (long long)n);
    if (n > MAX_RANGE)
        return rpi_err(cx, "lists.range: size %lld exceeds maximum allowed (%d)", (long long)n,
                       MAX_RANGE);
    if (!rpi_charge(cx, (uint64_t)n))
        return cost_exceeded();
    rpi_list *out = rpi_list_new(cx, (uint32_t)n);
    if (!out)
        return rpi_err_oom(cx);
    for (uint32_t i = 0; i < (uint32_t)n; i++)
        out->items[i] = val_int(i);
    return val_list(out);
}

static val fn_slice(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_LIST || args[1].kind != VK_INT || args[2].kind != VK_INT)
        return rpi_err_no_overload(cx, "slice", args, argc);
    int64_t start = args[1].u.i, end = args[2].u.i;
    uint32_t n = rpi_list_size(args[0]);
    if (start < 0 || end < 0)
        return rpi_err(cx, "cannot slice(%lld, %lld), negative indexes not supported",
                       (long long)start, (long long)end);
    if (start > end)
        return rpi_err(cx,
                       "cannot slice(%lld, %lld), start index must be less than or equal "
                       "to end index",
                       (long long)start, (long long)end);
    if ((int64_t)n < end)
        return rpi_err(cx, "cannot slice(%lld, %lld), list is length %u", (long long)start,
                       (long long)end, n);
    uint32_t len = (uint32_t)(end - start);
    if (!rpi_charge(cx, len))
        return cost_exceeded();
    rpi_list *out = rpi_list_new(cx, len);
    if (!out)
        return rpi_err_oom(cx);
    for (uint32_t i = 0; i < len; i++)
        out->items[i] = rpi_list_at(args[0], (uint32_t)start + i);
    return val_list(out);
}

/* The number of values flattening L to DEPTH gives. */
static uint64_t flat_count(val l, int64_t depth)
{
    uint32_t n = rpi_list_size(l);
    uint64_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        val e = rpi_list_at(l, i);
        count += (e.kind == VK_LIST && depth > 0) ? flat_count(e, depth - 1) : 1;
    }
    return count;
}

static uint32_t flat_fill(val l, int64_t depth, val *out, uint32_t j)
{
    uint32_t n = rpi_list_size(l);
    for (uint32_t i = 0; i < n; i++) {
        val e = rpi_list_at(l, i);
        if (e.kind == VK_LIST && depth > 0)
            j = flat_fill(e, depth - 1, out, j);
        else
            out[j++] = e;
    }
    return j;
}

/* flatten() is flatten(1).  Recursion is bounded by the nesting of the
 * value, which the parser and the JSON reader bound. */
static val fn_flatten(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_LIST || (argc == 2 && args[1].kind != VK_INT))
        return rpi_err_no_overload(cx, "flatten", args, argc);
    int64_t depth = argc == 2 ? args[1].u.i : 1;
    if (depth < 0)
        return VAL_ERROR_LIT("level must be non-negative");
    if (!rpi_charge(cx, (uint64_t)rpi_list_size(args[0]) * (uint64_t)(depth > 64 ? 64 : depth)))
        return cost_exceeded();
    uint64_t count = flat_count(args[0], depth);
    if (count > UINT32_MAX)
        return VAL_ERROR_LIT("list too long");
    rpi_list *out = rpi_list_new(cx, (uint32_t)count);
    if (!out)
        return rpi_err_oom(cx);
    flat_fill(args[0], depth, out->items, 0);
    return val_list(out);
}

static val fn_distinct(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_LIST)
        return rpi_err_no_overload(cx, "distinct", args, argc);
    uint32_t n = rpi_list_size(args[0]);
    if (n == 0)
        return args[0];
    if (!rpi_charge(cx, quadratic_cost(n)))
        return cost_exceeded();
    rpi_list *out = rpi_list_new(cx, n);
    if (!out)
        return rpi_err_oom(cx);
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        val e = rpi_list_at(args[0], i);
        bool seen = false;
        for (uint32_t j = 0; j < m && !seen; j++)
            seen = rpi_val_equal(e, out->items[j]);
        if (!seen)
            out->items[m++] = e;
    }
    out->n = m;
    return val_list(out);
}

static val fn_reverse(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_LIST)
        return rpi_err_no_overload(cx, "reverse", args, argc);
    uint32_t n = rpi_list_size(args[0]);
    if (!rpi_charge(cx, n))
        return cost_exceeded();
    rpi_list *out = rpi_list_new(cx, n);
    if (!out)
        return rpi_err_oom(cx);
    for (uint32_t i = 0; i < n; i++)
        out->items[i] = rpi_list_at(args[0], n - 1 - i);
    return val_list(out);
}

/* ---- Sorting -------------------------------------------------------------------- */

/* Whether values of V's kind have an order (cel-go's traits.Comparer). */
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

/* KEYS[a] < KEYS[b]; unordered pairs (NaN) are not less. */
static bool key_less(const val *keys, uint32_t a, uint32_t b)
{
    int c;
    return rpi_val_compare(keys[a], keys[b], &c) && c < 0;
}

/* Stable bottom-up merge sort of the index array IDX (N entries) by KEYS,
 * with TMP as scratch of the same size. */
static void merge_sort(const val *keys, uint32_t *idx, uint32_t *tmp, uint32_t n)
{
    for (uint32_t width = 1; width < n; width *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * width) {
            uint32_t mid = lo + width < n ? lo + width : n;
            uint32_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = key_less(keys, idx[j], idx[i]) ? idx[j++] : idx[i++];
            while (i < mid)
                tmp[k++] = idx[i++];
            while (j < hi)
                tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
        if (width > UINT32_MAX / 2)
            break;
    }
}

/* LIST ordered by the associated KEYS (cel-go's sortListByAssociatedKeys,
 * which sort() calls with KEYS = LIST). */
static val sort_by_keys(rpi_ctx *cx, val list, val keys)
{
    uint32_t n = rpi_list_size(list), nk = rpi_list_size(keys);
    if (n != nk)
        return rpi_err(cx,
                       "@sortByAssociatedKeys() expected a list of the same size as the "
                       "associated keys list, but got %u and %u elements respectively",
                       n, nk);
    if (n == 0)
        return list;
    val first = rpi_list_at(keys, 0);
    if (!is_comparable(first))
        return VAL_ERROR_LIT("list elements must be comparable");
    if (!rpi_charge(cx, quadratic_cost(n)))
        return cost_exceeded();
    val *kv = rpi_alloc(cx, (size_t)n * sizeof *kv);
    uint32_t *idx = rpi_alloc(cx, (size_t)n * sizeof *idx);
    uint32_t *tmp = rpi_alloc(cx, (size_t)n * sizeof *tmp);
    rpi_list *out = rpi_list_new(cx, n);
    if (!kv || !idx || !tmp || !out)
        return rpi_err_oom(cx);
    for (uint32_t i = 0; i < n; i++) {
        kv[i] = rpi_list_at(keys, i);
        if (kv[i].kind != first.kind)
            return VAL_ERROR_LIT("list elements must have the same type");
        idx[i] = i;
    }
    merge_sort(kv, idx, tmp, n);
    for (uint32_t i = 0; i < n; i++)
        out->items[i] = rpi_list_at(list, idx[i]);
    return val_list(out);
}

static val fn_sort(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_LIST)
        return rpi_err_no_overload(cx, "sort", args, argc);
    return sort_by_keys(cx, args[0], args[0]);
}

static val fn_sort_by_keys(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (args[0].kind != VK_LIST || args[1].kind != VK_LIST)
        return rpi_err_no_overload(cx, "@sortByAssociatedKeys", args, argc);
    return sort_by_keys(cx, args[0], args[1]);
}

static const rpi_func funcs[] = {
    {"lists.range", RPI_GLOBAL, 1, 0, fn_range, SIGS("lists_range: int -> list(int)"), 1, NULL},
    {"slice", RPI_RECEIVER, 3, 0, fn_slice,
     SIGS("list_slice: list(T), int, int -> list(T)"), 1, NULL},
    {"flatten", RPI_RECEIVER, 1, 0, fn_flatten,
     SIGS("list_flatten: list(list(T)) -> list(T)"), 1, NULL},
    {"flatten", RPI_RECEIVER, 2, 0, fn_flatten,
     SIGS("list_flatten_int: list(dyn), int -> list(dyn)"), 1, NULL},
    {"distinct", RPI_RECEIVER, 1, 0, fn_distinct,
     SIGS("list_distinct: list(T) -> list(T)"), 1, NULL},
    {"reverse", RPI_RECEIVER, 1, 0, fn_reverse,
     SIGS("list_reverse: list(T) -> list(T)"), 1, &rpi_type_list},
    {"sort", RPI_RECEIVER, 1, 0, fn_sort,
     SIGS("list_int_sort: list(int) -> list(int)", "list_uint_sort: list(uint) -> list(uint)",
          "list_double_sort: list(double) -> list(double)",
          "list_bool_sort: list(bool) -> list(bool)",
          "list_duration_sort: list(duration) -> list(duration)",
          "list_timestamp_sort: list(timestamp) -> list(timestamp)",
          "list_string_sort: list(string) -> list(string)",
          "list_bytes_sort: list(bytes) -> list(bytes)"),
     1, NULL},
    {"@sortByAssociatedKeys", RPI_RECEIVER, 2, 0, fn_sort_by_keys,
     SIGS("list_int_sortByAssociatedKeys: list(T), list(int) -> list(T)",
          "list_uint_sortByAssociatedKeys: list(T), list(uint) -> list(T)",
          "list_double_sortByAssociatedKeys: list(T), list(double) -> list(T)",
          "list_bool_sortByAssociatedKeys: list(T), list(bool) -> list(T)",
          "list_duration_sortByAssociatedKeys: list(T), list(duration) -> list(T)",
          "list_timestamp_sortByAssociatedKeys: list(T), list(timestamp) -> list(T)",
          "list_string_sortByAssociatedKeys: list(T), list(string) -> list(T)",
          "list_bytes_sortByAssociatedKeys: list(T), list(bytes) -> list(T)"),
     1, NULL},
};

const rpi_library rpi_lib_lists_ext = {
    "lists", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
