/* lib/sets.c -- cel-go's sets extension (ext/sets.go): sets.contains(l, s),
 * sets.equivalent(a, b) and sets.intersects(a, b) over lists taken as sets,
 * with CEL's heterogeneous equality (sets.contains([1], [1.0, 1u]) is true).
 *
 * Duplicates and order do not matter; the empty list is contained in every
 * list and intersects none.  Cost is cel-go's: the product of the two sizes
 * (plus the fixed call cost).
 */
#include "../internal.h"

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

static bool list_has(val l, val x)
{
    uint32_t n = rpi_list_size(l);
    for (uint32_t i = 0; i < n; i++)
        if (rpi_val_equal(rpi_list_at(l, i), x))
            return true;
    return false;
}

/* Every element of SUB is in L. */
static bool contains_all(val l, val sub)
{
    uint32_t n = rpi_list_size(sub);
    for (uint32_t i = 0; i < n; i++)
        if (!list_has(l, rpi_list_at(sub, i)))
            return false;
    return true;
}

/* Check the arguments and charge size(a) * size(b); an error value, or a
 * VK_NULL to go on. */
static val prepare(rpi_ctx *cx, const val *args, const char *name)
{
    if (args[0].kind != VK_LIST || args[1].kind != VK_LIST)
        return rpi_err_no_overload(cx, name, args, 2);
    if (!rpi_charge(cx, (uint64_t)rpi_list_size(args[0]) * rpi_list_size(args[1])))
        return VAL_ERROR_LIT("cost limit exceeded");
    return val_null();
}

static val fn_contains(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    val r = prepare(cx, args, "sets.contains");
    return r.kind == VK_ERROR ? r : val_bool(contains_all(args[0], args[1]));
}

static val fn_equivalent(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    val r = prepare(cx, args, "sets.equivalent");
    if (r.kind == VK_ERROR)
        return r;
    return val_bool(contains_all(args[0], args[1]) && contains_all(args[1], args[0]));
}

static val fn_intersects(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    val r = prepare(cx, args, "sets.intersects");
    if (r.kind == VK_ERROR)
        return r;
    uint32_t n = rpi_list_size(args[0]);
    for (uint32_t i = 0; i < n; i++)
        if (list_has(args[1], rpi_list_at(args[0], i)))
            return val_bool(true);
    return val_bool(false);
}

static const rpi_func funcs[] = {
    {"sets.contains", RPI_GLOBAL, 2, 0, fn_contains,
     SIGS("list_sets_contains_list: list(T), list(T) -> bool"), 1, NULL},
    {"sets.equivalent", RPI_GLOBAL, 2, 0, fn_equivalent,
     SIGS("list_sets_equivalent_list: list(T), list(T) -> bool"), 1, NULL},
    {"sets.intersects", RPI_GLOBAL, 2, 0, fn_intersects,
     SIGS("list_sets_intersects_list: list(T), list(T) -> bool"), 1, NULL},
};

const rpi_library rpi_lib_sets = {
    "sets", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
