/* error.c -- error codes and messages: rp_strerror, filling rp_error and
 * compile diagnostics, and the CEL error values that builtins return.
 *
 * Two kinds of errors meet here.  API errors are RP_E* codes with an
 * rp_error (first error wins, as in jansson's error.c).  CEL errors are
 * values (VK_ERROR) whose message lives in the evaluation arena or in
 * static storage; they are worded as cel-go words them
 * (common/types/err.go: "no such overload", "no such key: x", ...), so that
 * what a user reads matches what Kubernetes would say.
 *
 * This file also holds the few process-wide public functions that belong to
 * no handle: the version functions and rp_free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- Versions and rp_free -------------------------------------------------------- */

const char *rp_version(void) { return RP_VERSION_STRING; }

int rp_version_number(void) { return RP_VERSION_NUMBER; }

void rp_free(void *p) { free(p); }

/* ---- Codes ------------------------------------------------------------------------- */

/* Indexed by -code. */
static const char *const code_text[] = {
    "success",                  /* RP_OK */
    "invalid argument",         /* RP_EINVAL */
    "out of memory",            /* RP_ENOMEM */
    "syntax error",             /* RP_ESYNTAX */
    "type check error",         /* RP_ECHECK */
    "limit exceeded",           /* RP_ELIMIT */
    "evaluation error",         /* RP_EEVAL */
    "invalid JSON",             /* RP_EJSON */
    "input/output error",       /* RP_EIO */
    "value has another type",   /* RP_ETYPE */
    "not found",                /* RP_ENOTFOUND */
    "invalid policy pack",      /* RP_EPACK */
    "invalid YAML",             /* RP_EYAML */
};
_Static_assert(sizeof code_text / sizeof code_text[0] == RP__ECOUNT,
               "rp_strerror's table must have one entry per RP_E* code");

const char *rp_strerror(int code)
{
    if (code > 0 || code <= -RP__ECOUNT)
        return "unknown error";
    return code_text[-code];
}

/* ---- rp_error and diagnostics ------------------------------------------------------- */

void rpi_error_set(rp_error *err, int code, const char *source, unsigned line,
                   unsigned column, const char *fmt, ...)
{
    if (!err || err->code != 0)
        return;
    err->code = code;
    err->line = line;
    err->column = column;
    snprintf(err->source, sizeof err->source, "%s", source ? source : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void rpi_error_clear(rp_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

void rpi_diag_set(rpi_diag *d, int code, const rpi_span *span, const char *fmt, ...)
{
    if (!d)
        return;
    d->code = code;
    d->has_span = span != NULL;
    d->span = span ? *span : (rpi_span){0, 0};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
}

/* ---- CEL error values ---------------------------------------------------------------- */

static val vformat_error(rpi_ctx *cx, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return VAL_ERROR_LIT("error");
    char *buf = rpi_strbuf(cx, (size_t)n);
    if (!buf)
        return VAL_ERROR_LIT("out of memory");
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    return val_error_static(buf, (uint32_t)n);
}

val rpi_err(rpi_ctx *cx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    val e = vformat_error(cx, fmt, ap);
    va_end(ap);
    return e;
}

val rpi_err_oom(rpi_ctx *cx)
{
    if (!cx->limit_hit) {
        cx->limit_hit = 1;
        snprintf(cx->limit_msg, sizeof cx->limit_msg, "out of memory");
    }
    return VAL_ERROR_LIT("out of memory");
}

int rpi_eval_status(const rpi_ctx *cx, int rc, val result)
{
    static const char oom[] = "out of memory";
    if (rc == RP_ELIMIT && strcmp(cx->limit_msg, oom) == 0)
        return RP_ENOMEM;
    if (rc == RP_OK && result.kind == VK_ERROR && result.aux == sizeof oom - 1 &&
        memcmp(result.u.s, oom, sizeof oom - 1) == 0)
        return RP_ENOMEM;
    return rc;
}

/* "no such overload: _+_(int, string)", the form of cel-go's
 * decls.MaybeNoSuchOverload: the function and the argument types. */
val rpi_err_no_overload(rpi_ctx *cx, const char *fn, const val *args, unsigned argc)
{
    char types[256];
    size_t n = 0;
    types[0] = '\0';
    for (unsigned i = 0; i < argc && n < sizeof types; i++) {
        int w = snprintf(types + n, sizeof types - n, "%s%s", i ? ", " : "",
                         rpi_val_type_name(args[i]));
        if (w < 0)
            break;
        n += (size_t)w;
    }
    return rpi_err(cx, "no such overload: %s(%s)", fn, types);
}

/* A key as Go's %v prints cel-go's value: strings bare, numbers in decimal
 * (doubles as %g), bytes as a list of byte values. */
static int format_key(val key, char *buf, size_t cap)
{
    switch (key.kind) {
    case VK_STRING:
        return snprintf(buf, cap, "%.*s", (int)(key.aux > 200 ? 200 : key.aux), key.u.s);
    case VK_INT:
        return snprintf(buf, cap, "%lld", (long long)key.u.i);
    case VK_UINT:
        return snprintf(buf, cap, "%llu", (unsigned long long)key.u.u);
    case VK_BOOL:
        return snprintf(buf, cap, "%s", key.u.b ? "true" : "false");
    case VK_DOUBLE:
        if (cap < RPI_DOUBLE_BUF)
            return snprintf(buf, cap, "%g", key.u.d);
        return (int)rpi_val_format_double(key.u.d, RPI_DOUBLE_GO, buf);
    case VK_NULL:
        return snprintf(buf, cap, "NULL_VALUE");
    case VK_BYTES: {
        size_t n = 0;
        buf[n++] = '[';
        for (uint32_t i = 0; i < key.aux && n + 6 < cap; i++)
            n += (size_t)snprintf(buf + n, cap - n, "%s%u", i ? " " : "",
                                  (unsigned)(unsigned char)key.u.s[i]);
        if (n + 2 <= cap)
            buf[n++] = ']';
        buf[n < cap ? n : cap - 1] = '\0';
        return (int)n;
    }
    default:
        return snprintf(buf, cap, "%s", rpi_val_type_name(key));
    }
}

val rpi_err_no_such_key(rpi_ctx *cx, val key)
{
    char buf[256];
    format_key(key, buf, sizeof buf);
    return rpi_err(cx, "no such key: %s", buf);
}

val rpi_err_no_such_field(rpi_ctx *cx, const char *field, size_t len)
{
    return rpi_err(cx, "no such field: %.*s", (int)(len > 200 ? 200 : len), field);
}
