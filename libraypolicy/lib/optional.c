/* lib/optional.c -- cel-go's optional types library (cel/library.go,
 * "optional" version 2), which Kubernetes enables for admission policies:
 * optional.of, optional.ofNonZeroValue, optional.none, hasValue, value, or,
 * orValue, optional.unwrap, and list.unwrapOpt, list.first and list.last
 * (version 2, which cel-go's OptionalTypes() enables by default and so
 * Kubernetes 1.33 has).  The syntax (a.?b, a[?k], [?x], {?k: v}) is
 * compiled to VM instructions (compile.c, vm.c); optMap and optFlatMap
 * are macros (macros.c).
 *
 * An optional value is VK_OPTIONAL with u.opt pointing at its payload in the
 * evaluation arena, or NULL for optional.none().
 */
#include <string.h>

#include "../internal.h"

/* optional.ofNonZeroValue: is V the zero value of its type (cel-go's
 * IsZeroValue)? */
static bool is_zero_value(val v)
{
    switch (v.kind) {
    case VK_NULL: return true;
    case VK_BOOL: return !v.u.b;
    case VK_INT: return v.u.i == 0;
    case VK_UINT: return v.u.u == 0;
    case VK_DOUBLE: return v.u.d == 0;
    case VK_STRING:
    case VK_BYTES: return v.aux == 0;
    case VK_LIST: return rpi_list_size(v) == 0;
    case VK_MAP: return rpi_map_size(v) == 0;
    case VK_TIMESTAMP: /* Go's zero time.Time: 0001-01-01T00:00:00Z */
        return v.u.i == RPI_TS_MIN_SECONDS && v.aux == 0;
    case VK_DURATION: return v.u.i == 0 && v.aux == 0;
    case VK_OPTIONAL: return v.u.opt == NULL;
    default: return false;
    }
}

static val some(rpi_ctx *cx, val v)
{
    const val *box = rpi_box(cx, v);
    return box ? val_optional(box) : rpi_err_oom(cx);
}

static val fn_of(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    return some(cx, args[0]);
}

static val fn_of_non_zero(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    return is_zero_value(args[0]) ? val_optional(NULL) : some(cx, args[0]);
}

static val fn_none(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(cx);
    RPI_UNUSED(args);
    RPI_UNUSED(argc);
    return val_optional(NULL);
}

static val fn_has_value(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    if (args[0].kind != VK_OPTIONAL)
        return rpi_err_no_overload(cx, "hasValue", args, 1);
    return val_bool(args[0].u.opt != NULL);
}

static val fn_value(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    if (args[0].kind != VK_OPTIONAL)
        return rpi_err_no_overload(cx, "value", args, 1);
    if (!args[0].u.opt)
        return VAL_ERROR_LIT("optional.none() dereference");
    return *args[0].u.opt;
}

static val fn_or(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    if (args[0].kind != VK_OPTIONAL || args[1].kind != VK_OPTIONAL)
        return rpi_err_no_overload(cx, "or", args, 2);
    return args[0].u.opt ? args[0] : args[1];
}

static val fn_or_value(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    if (args[0].kind != VK_OPTIONAL)
        return rpi_err_no_overload(cx, "orValue", args, 2);
    return args[0].u.opt ? *args[0].u.opt : args[1];
}

/* optional.unwrap(list(optional(T))) -> list(T), and its receiver form
 * list.unwrapOpt(): the values that are present. */
static val unwrap(rpi_ctx *cx, const val *args, const char *name)
{
    val l = args[0];
    if (l.kind != VK_LIST)
        return rpi_err_no_overload(cx, name, args, 1);
    uint32_t n = rpi_list_size(l), count = 0;
    for (uint32_t i = 0; i < n; i++) {
        val e = rpi_list_at(l, i);
        if (e.kind != VK_OPTIONAL)
            return rpi_err_no_overload(cx, name, args, 1);
        if (e.u.opt)
            count++;
    }
    rpi_list *out = rpi_list_new(cx, count);
    if (!out)
        return rpi_err_oom(cx);
    uint32_t j = 0;
    for (uint32_t i = 0; i < n; i++) {
        val e = rpi_list_at(l, i);
        if (e.u.opt)
            out->items[j++] = *e.u.opt;
    }
    return val_list(out);
}

static val fn_unwrap(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    return unwrap(cx, args, "optional.unwrap");
}

static val fn_unwrap_opt(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    return unwrap(cx, args, "unwrapOpt");
}

/* list.first() and list.last(): the element as an optional, none() for an
 * empty list (cel-go's listFirst / listLast). */
static val end_of(rpi_ctx *cx, const val *args, bool last)
{
    if (args[0].kind != VK_LIST)
        return rpi_err_no_overload(cx, last ? "last" : "first", args, 1);
    uint32_t n = rpi_list_size(args[0]);
    if (n == 0)
        return val_optional(NULL);
    return some(cx, rpi_list_at(args[0], last ? n - 1 : 0));
}

static val fn_first(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    return end_of(cx, args, false);
}

static val fn_last(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    return end_of(cx, args, true);
}

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

static const rpi_func funcs[] = {
    {"optional.of", RPI_GLOBAL, 1, 0, fn_of, SIGS("optional_of: A -> optional(A)"), 1, NULL},
    {"optional.ofNonZeroValue", RPI_GLOBAL, 1, 0, fn_of_non_zero,
     SIGS("optional_ofNonZeroValue: A -> optional(A)"), 1, NULL},
    {"optional.none", RPI_GLOBAL, 0, 0, fn_none, SIGS("optional_none: -> optional(A)"), 1, NULL},
    {"hasValue", RPI_RECEIVER, 1, 0, fn_has_value, SIGS("optional_hasValue: optional(A) -> bool"), 1, NULL},
    {"value", RPI_RECEIVER, 1, 0, fn_value, SIGS("optional_value: optional(A) -> A"), 1, NULL},
    {"or", RPI_RECEIVER, 2, 0, fn_or,
     SIGS("optional_or_optional: optional(A), optional(A) -> optional(A)"), 1, NULL},
    {"orValue", RPI_RECEIVER, 2, 0, fn_or_value, SIGS("optional_orValue_value: optional(A), A -> A"), 1, NULL},
    {"optional.unwrap", RPI_GLOBAL, 1, 0, fn_unwrap,
     SIGS("optional_unwrap: list(optional(A)) -> list(A)"), 1, NULL},
    {"unwrapOpt", RPI_RECEIVER, 1, 0, fn_unwrap_opt,
     SIGS("optional_unwrapOpt: list(optional(A)) -> list(A)"), 1, NULL},
    {"first", RPI_RECEIVER, 1, 0, fn_first, SIGS("list_first: list(A) -> optional(A)"), 1, NULL},
    {"last", RPI_RECEIVER, 1, 0, fn_last, SIGS("list_last: list(A) -> optional(A)"), 1, NULL},
};

const rpi_library rpi_lib_optional = {
    "optional", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
