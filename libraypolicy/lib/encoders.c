/* lib/encoders.c -- cel-go's encoders extension (ext/encoders.go):
 * base64.encode(bytes) -> string and base64.decode(string) -> bytes, with
 * the standard alphabet (RFC 4648 section 4).  Extended profile only.
 *
 * Decoding accepts padded input and, as cel-go does by retrying with Go's
 * RawStdEncoding, unpadded input too.  Like Go's decoder it skips '\r' and
 * '\n' and ignores non-zero trailing bits; other bad input gives Go's
 * "illegal base64 data at input byte N".
 */
#include <string.h>

#include "../internal.h"

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The value of base64 digit C, or -1. */
static int digit(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* 0.1 per byte, as cel-go's string traversal cost. */
static uint64_t traversal_cost(uint64_t bytes) { return (bytes + 9) / 10; }

static val fn_encode(rpi_ctx *cx, const val *args, unsigned argc)
{
    val b = args[0];
    if (b.kind != VK_BYTES)
        return rpi_err_no_overload(cx, "base64.encode", args, argc);
    if (!rpi_charge(cx, traversal_cost(b.aux)))
        return VAL_ERROR_LIT("cost limit exceeded");
    size_t n = b.aux, outlen = (n + 2) / 3 * 4;
    if (outlen > UINT32_MAX)
        return VAL_ERROR_LIT("string too long");
    char *out = rpi_strbuf(cx, outlen);
    if (!out)
        return rpi_err_oom(cx);
    const unsigned char *in = (const unsigned char *)b.u.s;
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alphabet[w >> 18];
        out[o++] = alphabet[(w >> 12) & 63];
        out[o++] = alphabet[(w >> 6) & 63];
        out[o++] = alphabet[w & 63];
    }
    if (i < n) {
        uint32_t w = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = alphabet[w >> 18];
        out[o++] = alphabet[(w >> 12) & 63];
        out[o++] = i + 1 < n ? alphabet[(w >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return val_string(out, (uint32_t)o);
}

/* Decode S (N bytes).  Returns the decoded length, or -1 with *BAD the
 * offset of the first illegal byte (as Go's CorruptInputError). */
static long long decode(const char *s, size_t n, unsigned char *out, size_t *bad)
{
    size_t o = 0, q = 0;      /* q: digits in the current quantum */
    uint32_t acc = 0;
    size_t i = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n')
            continue;
        if (c == '=')
            break;
        int d = digit(c);
        if (d < 0) {
            *bad = i;
            return -1;
        }
        acc = acc << 6 | (uint32_t)d;
        if (++q == 4) {
            out[o++] = (unsigned char)(acc >> 16);
            out[o++] = (unsigned char)(acc >> 8);
            out[o++] = (unsigned char)acc;
            q = 0;
            acc = 0;
        }
    }
    if (q == 1) {            /* one digit alone carries no whole byte */
        *bad = i < n ? i : n - 1;
        return -1;
    }
    if (i < n) {
        /* padding: exactly 4 - q '=' (skipping line breaks), then the end */
        size_t need = q == 0 ? 0 : 4 - q, got = 0;
        if (need == 0) {
            *bad = i;
            return -1;
        }
        for (; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '\r' || c == '\n')
                continue;
            if (c != '=' || got == need) {
                *bad = i;
                return -1;
            }
            got++;
        }
        if (got != need) {
            *bad = n;
            return -1;
        }
    }
    if (q == 2) {
        out[o++] = (unsigned char)(acc >> 4);
    } else if (q == 3) {
        out[o++] = (unsigned char)(acc >> 10);
        out[o++] = (unsigned char)(acc >> 2);
    }
    return (long long)o;
}

static val fn_decode(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0];
    if (s.kind != VK_STRING)
        return rpi_err_no_overload(cx, "base64.decode", args, argc);
    if (!rpi_charge(cx, traversal_cost(s.aux)))
        return VAL_ERROR_LIT("cost limit exceeded");
    unsigned char *out = (unsigned char *)rpi_strbuf(cx, s.aux / 4 * 3 + 3);
    if (!out)
        return rpi_err_oom(cx);
    size_t bad = 0;
    long long n = decode(s.u.s, s.aux, out, &bad);
    if (n < 0)
        return rpi_err(cx, "illegal base64 data at input byte %zu", bad);
    out[n] = '\0';
    return val_bytes((const char *)out, (uint32_t)n);
}

static const rpi_func funcs[] = {
    {"base64.encode", RPI_GLOBAL, 1, 0, fn_encode,
     SIGS("base64_encode_bytes: bytes -> string"), 1, NULL},
    {"base64.decode", RPI_GLOBAL, 1, 0, fn_decode,
     SIGS("base64_decode_string: string -> bytes"), 1, NULL},
};

const rpi_library rpi_lib_encoders = {
    "encoders", RPI_PROF_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
