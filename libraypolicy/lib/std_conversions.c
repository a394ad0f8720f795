/* lib/std_conversions.c -- the type conversions of cel-spec: int(), uint(),
 * double(), string(), bytes(), bool(), dyn() and type().
 *
 * Each accepts exactly the overloads cel-go declares (common/stdlib/
 * standard.go) and behaves as cel-go's ConvertToType does
 * (common/types/int.go, uint.go, double.go, string.go, bytes.go):
 *   - numeric conversions are range-checked: "integer overflow",
 *     "unsigned integer overflow"; a double is truncated toward zero;
 *   - text is parsed as Go's strconv parses it: ParseInt/ParseUint in base
 *     10 (an optional sign for int only, no spaces, no hex), ParseFloat
 *     (decimal or hex with a p exponent, "Inf", "Infinity", "NaN" in any
 *     case; a value beyond the double range is an error), ParseBool ("1",
 *     "t", "T", "TRUE", "true", "True" and the six false forms);
 *     anything else is "type conversion error from 'string' to '<type>'";
 *   - string(double) is Go's %g with the shortest digits ("1e+06");
 *     string(bytes) requires valid UTF-8; string(timestamp) and
 *     string(duration) are lib/std_time.c's formats (time.c).
 * Conversions of timestamps and durations from text live in std_time.c.
 */
#include <math.h>
#include <string.h>

#include "../internal.h"

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

static val conversion_error(rpi_ctx *cx, const char *from, const char *to)
{
    return rpi_err(cx, "type conversion error from '%s' to '%s'", from, to);
}

/* A copy of [S, S+N) in the arena, as a string value. */
static val arena_string(rpi_ctx *cx, const char *s, size_t n)
{
    char *p = rpi_strbuf(cx, n);
    if (!p)
        return rpi_err_oom(cx);
    memcpy(p, s, n);
    return val_string(p, (uint32_t)n);
}

/* Decimal digits of U at the end of BUF[0..24); returns where they start.
 * (string(int) is common in messages; snprintf is several times slower.) */
static char *u64_digits(uint64_t u, char *end)
{
    char *p = end;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    return p;
}

static val int_string(rpi_ctx *cx, int64_t i)
{
    char buf[24];
    char *end = buf + sizeof buf;
    char *p = u64_digits(i < 0 ? 0 - (uint64_t)i : (uint64_t)i, end);
    if (i < 0)
        *--p = '-';
    return arena_string(cx, p, (size_t)(end - p));
}

/* ---- Go's strconv ------------------------------------------------------------------ */

/* ParseUint(s, 10, 64): one or more decimal digits, nothing else. */
static bool parse_uint10(const char *s, size_t n, uint64_t *out)
{
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* ParseInt(s, 10, 64): an optional + or -, then ParseUint's digits. */
static bool parse_int10(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    uint64_t mag;
    if (!parse_uint10(s, n, &mag))
        return false;
    if (mag > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        return false;
    *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return true;
}

static bool ieq(const char *s, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return false;
    }
    return true;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether [S, S+N) is a float Go's ParseFloat accepts: [sign] then decimal
 * digits with an optional point and e exponent, or 0x hex digits with an
 * optional point and a mandatory p exponent.  The specials are handled by
 * the caller.  (Go also allows '_' between digits, but only after a base
 * prefix; that corner is not accepted here.) */
static bool go_float_syntax(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    bool hex = i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X');
    if (hex)
        i += 2;
    size_t digits = 0;
    bool point = false;
    for (; i < n; i++) {
        if (s[i] == '.' && !point)
            point = true;
        else if (hex ? is_hex(s[i]) : (s[i] >= '0' && s[i] <= '9'))
            digits++;
        else
            break;
    }
    if (digits == 0)
        return false;
    bool has_exp = i < n && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'));
    if (hex && !has_exp)
        return false;
    if (has_exp) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t ed = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ed++;
        if (ed == 0)
            return false;
    }
    return i == n;
}

/* ParseFloat(s, 64).  False on bad syntax and on overflow (Go returns
 * ErrRange there, and cel-go then fails the conversion). */
static bool parse_float(const char *s, size_t n, double *out)
{
    size_t k = n > 0 && (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (ieq(s + k, n - k, "inf") || ieq(s + k, n - k, "infinity")) {
        *out = s[0] == '-' ? -INFINITY : INFINITY;
        return true;
    }
    if (k == 0 && ieq(s, n, "nan")) {
        *out = NAN;
        return true;
    }
    double d;
    if (!go_float_syntax(s, n) || !rpi_val_strtod(s, n, &d) || isinf(d))
        return false;
    *out = d;
    return true;
}

/* ---- The conversions ------------------------------------------------------------------ */

static val fn_int(rpi_ctx *cx, const val *args, unsigned argc)
{
    val a = args[0];
    switch (a.kind) {
    case VK_INT:
        return a;
    case VK_UINT:
        if (a.u.u > INT64_MAX)
            return VAL_ERROR_LIT("integer overflow");
        return val_int((int64_t)a.u.u);
    case VK_DOUBLE:
        /* cel-go's doubleToInt64Checked: both ends of the range are out,
         * since (double)INT64_MAX rounds up to 2^63. */
        if (isnan(a.u.d) || a.u.d <= -9223372036854775808.0 || a.u.d >= 9223372036854775808.0)
            return VAL_ERROR_LIT("integer overflow");
        return val_int((int64_t)a.u.d);
    case VK_STRING: {
        int64_t i;
        if (!parse_int10(a.u.s, a.aux, &i))
            return conversion_error(cx, "string", "int");
        return val_int(i);
    }
    case VK_TIMESTAMP:
        return val_int(a.u.i);
    case VK_DURATION: {
        int64_t ns;
        if (!rpi_time_duration_nanos(a.u.i, val_nanos(a), &ns))
            return VAL_ERROR_LIT("integer overflow");
        return val_int(ns);
    }
    default:
        return rpi_err_no_overload(cx, "int", args, argc);
    }
}

static val fn_uint(rpi_ctx *cx, const val *args, unsigned argc)
{
    val a = args[0];
    switch (a.kind) {
    case VK_UINT:
        return a;
    case VK_INT:
        if (a.u.i < 0)
            return VAL_ERROR_LIT("unsigned integer overflow");
        return val_uint((uint64_t)a.u.i);
    case VK_DOUBLE:
        if (isnan(a.u.d) || a.u.d < 0 || a.u.d >= 18446744073709551616.0)
            return VAL_ERROR_LIT("unsigned integer overflow");
        return val_uint((uint64_t)a.u.d);
    case VK_STRING: {
        uint64_t u;
        if (!parse_uint10(a.u.s, a.aux, &u))
            return conversion_error(cx, "string", "uint");
        return val_uint(u);
    }
    default:
        return rpi_err_no_overload(cx, "uint", args, argc);
    }
}

static val fn_double(rpi_ctx *cx, const val *args, unsigned argc)
{
    val a = args[0];
    switch (a.kind) {
    case VK_DOUBLE:
        return a;
    case VK_INT:
        return val_double((double)a.u.i);
    case VK_UINT:
        return val_double((double)a.u.u);
    case VK_STRING: {
        double d;
        if (!parse_float(a.u.s, a.aux, &d))
            return conversion_error(cx, "string", "double");
        return val_double(d);
    }
    default:
        return rpi_err_no_overload(cx, "double", args, argc);
    }
}

static val fn_bool(rpi_ctx *cx, const val *args, unsigned argc)
{
    static const char *const truths[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const lies[] = {"0", "f", "F", "FALSE", "false", "False"};
    val a = args[0];
    if (a.kind == VK_BOOL)
        return a;
    if (a.kind != VK_STRING)
        return rpi_err_no_overload(cx, "bool", args, argc);
    for (size_t i = 0; i < sizeof truths / sizeof truths[0]; i++) {
        if (a.aux == strlen(truths[i]) && memcmp(a.u.s, truths[i], a.aux) == 0)
            return val_bool(true);
        if (a.aux == strlen(lies[i]) && memcmp(a.u.s, lies[i], a.aux) == 0)
            return val_bool(false);
    }
    return conversion_error(cx, "string", "bool");
}

static val fn_string(rpi_ctx *cx, const val *args, unsigned argc)
{
    char buf[64];
    size_t n;
    val a = args[0];
    switch (a.kind) {
    case VK_STRING:
        return a;
    case VK_OPAQUE:
        /* Kubernetes' types that have a string form (IP, CIDR, ...). */
        if (a.u.opaque->vt->to_string)
            return a.u.opaque->vt->to_string(cx, a.u.opaque);
        return rpi_err_no_overload(cx, "string", args, argc);
    case VK_INT:
        return int_string(cx, a.u.i);
    case VK_UINT: {
        char *p = u64_digits(a.u.u, buf + sizeof buf);
        return arena_string(cx, p, (size_t)(buf + sizeof buf - p));
    }
    case VK_DOUBLE:
        n = rpi_val_format_double(a.u.d, RPI_DOUBLE_GO, buf);
        break;
    case VK_BOOL:
        return a.u.b ? val_string("true", 4) : val_string("false", 5);
    case VK_BYTES:
        if (!rpi_utf8_valid(a.u.s, a.aux))
            return VAL_ERROR_LIT("invalid UTF-8 in bytes, cannot convert to string");
        return val_string(a.u.s, a.aux);
    case VK_TIMESTAMP:
        n = rpi_time_timestamp_string(a.u.i, val_nanos(a), val_timestamp_offset(a), buf);
        break;
    case VK_DURATION:
        n = rpi_time_duration_string(a.u.i, val_nanos(a), buf);
        break;
    default:
        return rpi_err_no_overload(cx, "string", args, argc);
    }
    return arena_string(cx, buf, n);
}

static val fn_bytes(rpi_ctx *cx, const val *args, unsigned argc)
{
    val a = args[0];
    if (a.kind == VK_BYTES)
        return a;
    if (a.kind == VK_STRING)
        return val_bytes(a.u.s, a.aux);
    return rpi_err_no_overload(cx, "bytes", args, argc);
}

static val fn_dyn(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(cx);
    RPI_UNUSED(argc);
    return args[0];
}

static val fn_type(rpi_ctx *cx, const val *args, unsigned argc)
{
    RPI_UNUSED(cx);
    RPI_UNUSED(argc);
    return val_type(rpi_val_type(args[0]));
}

static const rpi_func funcs[] = {
    {"int", RPI_GLOBAL, 1, 0, fn_int,
     SIGS("int64_to_int64: int -> int", "uint64_to_int64: uint -> int",
          "double_to_int64: double -> int", "string_to_int64: string -> int",
          "timestamp_to_int64: timestamp -> int", "duration_to_int64: duration -> int"), 1, NULL},
    {"uint", RPI_GLOBAL, 1, 0, fn_uint,
     SIGS("uint64_to_uint64: uint -> uint", "int64_to_uint64: int -> uint",
          "double_to_uint64: double -> uint", "string_to_uint64: string -> uint"), 1, NULL},
    {"double", RPI_GLOBAL, 1, 0, fn_double,
     SIGS("double_to_double: double -> double", "int64_to_double: int -> double",
          "uint64_to_double: uint -> double", "string_to_double: string -> double"), 1, NULL},
    {"bool", RPI_GLOBAL, 1, 0, fn_bool,
     SIGS("bool_to_bool: bool -> bool", "string_to_bool: string -> bool"), 1, NULL},
    {"string", RPI_GLOBAL, 1, 0, fn_string,
     SIGS("string_to_string: string -> string", "bool_to_string: bool -> string",
          "int64_to_string: int -> string", "uint64_to_string: uint -> string",
          "double_to_string: double -> string", "bytes_to_string: bytes -> string",
          "timestamp_to_string: timestamp -> string",
          "duration_to_string: duration -> string"), 1, NULL},
    {"bytes", RPI_GLOBAL, 1, 0, fn_bytes,
     SIGS("bytes_to_bytes: bytes -> bytes", "string_to_bytes: string -> bytes"), 1, NULL},
    {"dyn", RPI_GLOBAL, 1, 0, fn_dyn, SIGS("to_dyn: A -> dyn"), 1, NULL},
    {"type", RPI_GLOBAL, 1, 0, fn_type, SIGS("type: A -> type"), 1, NULL},
};

const rpi_library rpi_lib_std_conversions = {
    "std_conversions", RPI_PROF_ALL, funcs, sizeof funcs / sizeof funcs[0],
};
