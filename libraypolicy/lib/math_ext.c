/* lib/math_ext.c -- cel-go's math extension library (ext/math.go, version
 * 2 with math.sqrt): math.@max / math.@min (what the math.greatest and
 * math.least macros expand to, macros.c), rounding (ceil, floor, round,
 * trunc), abs and sign, the double classifiers isInf / isNaN / isFinite, the
 * bitwise operations on int and uint, and sqrt.  Extended profile only.
 *
 * Comparisons across int, uint and double are CEL's heterogeneous numeric
 * ordering (rpi_val_compare); NaN cannot be ordered, as in cel-go's
 * Double.Compare.  Errors are worded as cel-go words them ("math.@max(list)
 * argument must not be empty", "math.bitShiftLeft() negative offset: -1").
 */
#include <math.h>

#include "../internal.h"

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

static bool is_number(val v)
{
    return v.kind == VK_INT || v.kind == VK_UINT || v.kind == VK_DOUBLE;
}

static bool is_nan(val v) { return v.kind == VK_DOUBLE && isnan(v.u.d); }

/* ---- math.@max / math.@min -------------------------------------------------- */

/* The larger (GREATEST) or smaller of two numbers, the first on a tie, as
 * cel-go's maxPair/minPair.  FN names the function for errors. */
static val extreme_pair(rpi_ctx *cx, val a, val b, bool greatest, const char *fn)
{
    if (!is_number(a) || !is_number(b)) {
        val args[2] = {a, b};
        return rpi_err_no_overload(cx, fn, args, 2);
    }
    if (is_nan(a) || is_nan(b))
        return rpi_err(cx, "NaN values cannot be ordered: %s", fn);
    int cmp = 0;
    if (!rpi_val_compare(a, b, &cmp))
        return rpi_err(cx, "no such overload: %s", fn);
    if (greatest)
        return cmp < 0 ? b : a;
    return cmp > 0 ? b : a;
}

/* One argument: a number is its own extreme; a list gives its extreme
 * element (cel-go's maxList/minList). */
static val extreme_one(rpi_ctx *cx, val x, bool greatest, const char *fn)
{
    if (is_number(x))
        return x;
    if (x.kind != VK_LIST)
        return rpi_err_no_overload(cx, fn, &x, 1);
    uint32_t n = rpi_list_size(x);
    if (n == 0)
        return rpi_err(cx, "%s(list) argument must not be empty", fn);
    if (!rpi_charge(cx, n))
        return VAL_ERROR_LIT("cost limit exceeded");
    val best = rpi_list_at(x, 0);
    if (!is_number(best))
        return rpi_err(cx, "no such overload: %s", fn);
    for (uint32_t i = 1; i < n; i++) {
        val e = rpi_list_at(x, i);
        if (!is_number(e))
            return rpi_err(cx, "no such overload: %s", fn);
        best = extreme_pair(cx, best, e, greatest, fn);
        if (best.kind == VK_ERROR)
            return best;
    }
    return best;
}

static val fn_max(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (argc == 1)
        return extreme_one(cx, args[0], true, "math.@max");
    return extreme_pair(cx, args[0], args[1], true, "math.@max");
}

static val fn_min(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (argc == 1)
        return extreme_one(cx, args[0], false, "math.@min");
    return extreme_pair(cx, args[0], args[1], false, "math.@min");
}

/* ---- Doubles ------------------------------------------------------------------ */

/* The double-only functions share one shape: a double in, FN's result out,
 * "no such overload" for anything else (cel-go declares no int overloads). */
#define DOUBLE_FN(cname, celname, expr)                                   \
    static val cname(rpi_ctx *cx, const val *args, unsigned argc)         \
    {                                                                     \
        if (args[0].kind != VK_DOUBLE)                                    \
            return rpi_err_no_overload(cx, celname, args, argc);          \
        double d = args[0].u.d;                                           \
        return expr;                                                      \
    }

DOUBLE_FN(fn_ceil, "math.ceil", val_double(ceil(d)))
DOUBLE_FN(fn_floor, "math.floor", val_double(floor(d)))
DOUBLE_FN(fn_round, "math.round", val_double(round(d)))   /* half away from zero, as Go */
DOUBLE_FN(fn_trunc, "math.trunc", val_double(trunc(d)))
DOUBLE_FN(fn_is_inf, "math.isInf", val_bool(isinf(d)))
DOUBLE_FN(fn_is_nan, "math.isNaN", val_bool(isnan(d)))
DOUBLE_FN(fn_is_finite, "math.isFinite", val_bool(isfinite(d)))

static val fn_abs(rpi_ctx *cx, const val *args, unsigned argc)
{
    val x = args[0];
    switch (x.kind) {
    case VK_DOUBLE: return val_double(fabs(x.u.d));
    case VK_UINT: return x;
    case VK_INT:
        if (x.u.i == INT64_MIN)
            return VAL_ERROR_LIT("integer overflow");
        return val_int(x.u.i < 0 ? -x.u.i : x.u.i);
    default: return rpi_err_no_overload(cx, "math.abs", args, argc);
    }
}

static val fn_sign(rpi_ctx *cx, const val *args, unsigned argc)
{
    val x = args[0];
    switch (x.kind) {
    case VK_DOUBLE:
        if (isnan(x.u.d))
            return x;
        return val_double(x.u.d > 0 ? 1.0 : x.u.d < 0 ? -1.0 : 0.0);
    case VK_INT: return val_int(x.u.i > 0 ? 1 : x.u.i < 0 ? -1 : 0);
    case VK_UINT: return val_uint(x.u.u ? 1 : 0);
    default: return rpi_err_no_overload(cx, "math.sign", args, argc);
    }
}

static val fn_sqrt(rpi_ctx *cx, const val *args, unsigned argc)
{
    val x = args[0];
    switch (x.kind) {
    case VK_DOUBLE: return val_double(sqrt(x.u.d));
    case VK_INT: return val_double(sqrt((double)x.u.i));
    case VK_UINT: return val_double(sqrt((double)x.u.u));
    default: return rpi_err_no_overload(cx, "math.sqrt", args, argc);
    }
}

/* ---- Bits ------------------------------------------------------------------------ */

/* bitAnd, bitOr, bitXor: both int or both uint. */
static val bit_pair(rpi_ctx *cx, const val *args, char op, const char *fn)
{
    val a = args[0], b = args[1];
    if (a.kind != b.kind || (a.kind != VK_INT && a.kind != VK_UINT))
        return rpi_err_no_overload(cx, fn, args, 2);
    uint64_t x = a.u.u, y = b.u.u, r = op == '&' ? (x & y) : op == '|' ? (x | y) : (x ^ y);
    return a.kind == VK_INT ? val_int((int64_t)r) : val_uint(r);
}

static val fn_bit_and(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    return bit_pair(cx, args, '&', "math.bitAnd");
}

static val fn_bit_or(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    return bit_pair(cx, args, '|', "math.bitOr");
}

static val fn_bit_xor(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    return bit_pair(cx, args, '^', "math.bitXor");
}

static val fn_bit_not(rpi_ctx *cx, const val *args, unsigned argc)
{
    val x = args[0];
    if (x.kind == VK_INT)
        return val_int((int64_t)~x.u.u);
    if (x.kind == VK_UINT)
        return val_uint(~x.u.u);
    return rpi_err_no_overload(cx, "math.bitNot", args, argc);
}

/* Shifts as Go shifts: a count of 64 or more gives 0, and the right shift
 * of an int is logical (cel-go shifts its bits as a uint). */
static val shift(rpi_ctx *cx, const val *args, bool left, const char *fn)
{
    val x = args[0], n = args[1];
    if ((x.kind != VK_INT && x.kind != VK_UINT) || n.kind != VK_INT)
        return rpi_err_no_overload(cx, fn, args, 2);
    if (n.u.i < 0)
        return rpi_err(cx, "%s() negative offset: %lld", fn, (long long)n.u.i);
    uint64_t r = 0;
    if (n.u.i < 64)
        r = left ? x.u.u << n.u.i : x.u.u >> n.u.i;
    return x.kind == VK_INT ? val_int((int64_t)r) : val_uint(r);
}

static val fn_shift_left(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    return shift(cx, args, true, "math.bitShiftLeft");
}

static val fn_shift_right(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(argc);
    return shift(cx, args, false, "math.bitShiftRight");
}

static const rpi_func funcs[] = {
    {"math.@max", RPI_GLOBAL, 1, 0, fn_max,
     SIGS("math_@max_double: double -> double", "math_@max_int: int -> int",
          "math_@max_uint: uint -> uint", "math_@max_list_double: list(double) -> double",
          "math_@max_list_int: list(int) -> int", "math_@max_list_uint: list(uint) -> uint"),
     1, NULL},
    {"math.@max", RPI_GLOBAL, 2, 0, fn_max,
     SIGS("math_@max_double_double: double, double -> double",
          "math_@max_int_int: int, int -> int", "math_@max_uint_uint: uint, uint -> uint",
          "math_@max_int_uint: int, uint -> dyn", "math_@max_int_double: int, double -> dyn",
          "math_@max_double_int: double, int -> dyn", "math_@max_double_uint: double, uint -> dyn",
          "math_@max_uint_int: uint, int -> dyn", "math_@max_uint_double: uint, double -> dyn"),
     1, NULL},
    {"math.@min", RPI_GLOBAL, 1, 0, fn_min,
     SIGS("math_@min_double: double -> double", "math_@min_int: int -> int",
          "math_@min_uint: uint -> uint", "math_@min_list_double: list(double) -> double",
          "math_@min_list_int: list(int) -> int", "math_@min_list_uint: list(uint) -> uint"),
     1, NULL},
    {"math.@min", RPI_GLOBAL, 2, 0, fn_min,
     SIGS("math_@min_double_double: double, double -> double",
          "math_@min_int_int: int, int -> int", "math_@min_uint_uint: uint, uint -> uint",
          "math_@min_int_uint: int, uint -> dyn", "math_@min_int_double: int, double -> dyn",
          "math_@min_double_int: double, int -> dyn", "math_@min_double_uint: double, uint -> dyn",
          "math_@min_uint_int: uint, int -> dyn", "math_@min_uint_double: uint, double -> dyn"),
     1, NULL},
    {"math.ceil", RPI_GLOBAL, 1, 0, fn_ceil, SIGS("math_ceil_double: double -> double"), 1, NULL},
    {"math.floor", RPI_GLOBAL, 1, 0, fn_floor, SIGS("math_floor_double: double -> double"), 1, NULL},
    {"math.round", RPI_GLOBAL, 1, 0, fn_round, SIGS("math_round_double: double -> double"), 1, NULL},
    {"math.trunc", RPI_GLOBAL, 1, 0, fn_trunc, SIGS("math_trunc_double: double -> double"), 1, NULL},
    {"math.isInf", RPI_GLOBAL, 1, 0, fn_is_inf, SIGS("math_isInf_double: double -> bool"), 1, NULL},
    {"math.isNaN", RPI_GLOBAL, 1, 0, fn_is_nan, SIGS("math_isNaN_double: double -> bool"), 1, NULL},
    {"math.isFinite", RPI_GLOBAL, 1, 0, fn_is_finite,
     SIGS("math_isFinite_double: double -> bool"), 1, NULL},
    {"math.abs", RPI_GLOBAL, 1, 0, fn_abs,
     SIGS("math_abs_double: double -> double", "math_abs_int: int -> int",
          "math_abs_uint: uint -> uint"),
     1, NULL},
    {"math.sign", RPI_GLOBAL, 1, 0, fn_sign,
     SIGS("math_sign_double: double -> double", "math_sign_int: int -> int",
          "math_sign_uint: uint -> uint"),
     1, NULL},
    {"math.sqrt", RPI_GLOBAL, 1, 0, fn_sqrt,
     SIGS("math_sqrt_double: double -> double", "math_sqrt_int: int -> double",
          "math_sqrt_uint: uint -> double"),
     1, NULL},
    {"math.bitAnd", RPI_GLOBAL, 2, 0, fn_bit_and,
     SIGS("math_bitAnd_int_int: int, int -> int", "math_bitAnd_uint_uint: uint, uint -> uint"),
     1, NULL},
    {"math.bitOr", RPI_GLOBAL, 2, 0, fn_bit_or,
     SIGS("math_bitOr_int_int: int, int -> int", "math_bitOr_uint_uint: uint, uint -> uint"),
     1, NULL},
    {"math.bitXor", RPI_GLOBAL, 2, 0, fn_bit_xor,
     SIGS("math_bitXor_int_int: int, int -> int", "math_bitXor_uint_uint: uint, uint -> uint"),
     1, NULL},
    {"math.bitNot", RPI_GLOBAL, 1, 0, fn_bit_not,
     SIGS("math_bitNot_int_int: int -> int", "math_bitNot_uint_uint: uint -> uint"), 1, NULL},
    {"math.bitShiftLeft", RPI_GLOBAL, 2, 0, fn_shift_left,
     SIGS("math_bitShiftLeft_int_int: int, int -> int",
          "math_bitShiftLeft_uint_int: uint, int -> uint"),
     1, NULL},
    {"math.bitShiftRight", RPI_GLOBAL, 2, 0, fn_shift_right,
     SIGS("math_bitShiftRight_int_int: int, int -> int",
          "math_bitShiftRight_uint_int: uint, int -> uint"),
     1, NULL},
};

const rpi_library rpi_lib_math_ext = {
    "math", RPI_PROF_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
