/* literal.c -- the values of CEL's literal tokens: escapes in string and
 * bytes literals, and int, uint and double numbers.
 *
 * The lexer (grammar/lexer.re) has already checked the shape of each token
 * and that the text is valid UTF-8; this file gives the value, with
 * cel-go's rules (parser/unescape.go, strconv in parser.go VisitInt etc.):
 *   - "\r\n" and "\r" inside a literal become "\n", raw or not;
 *   - escapes: \a \b \f \n \r \t \v \\ \' \" \` \?, \xHH or \XHH, \uHHHH,
 *     \UHHHHHHHH, and exactly three octal digits \[0-3][0-7][0-7];
 *   - in a string, \x and octal escapes name a code point (U+0000 to
 *     U+00FF, written as UTF-8: "\xFF" is "ÿ"), and \u/\U must name a valid
 *     code point (no surrogates, nothing above U+10FFFF);
 *   - in bytes, \x and octal escapes are single bytes, and \u/\U are errors;
 *   - an int that does not fit int64 (a uint that does not fit uint64) is an
 *     error; 9223372036854775808 is valid only as a negative literal;
 *   - doubles are read in the C locale whatever the host program set, and
 *     only overflow to infinity is an error (as Go's ParseFloat).
 * Error messages are cel-go's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* strtod_l, newlocale */
#endif
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool valid_code_point(uint32_t cp)
{
    return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

/* The decoded text is never longer than the body: every escape is at least
 * as long as what it stands for (\xHH is 4 bytes for at most 2 of UTF-8,
 * \uHHHH 6 for at most 3, \UHHHHHHHH 10 for at most 4, octal 4 for 2). */
char *rpi_literal_string(rpi_pool *pool, const char *body, size_t len, bool raw,
                         bool is_bytes, size_t *out_len, size_t *err_offset,
                         const char **err_msg)
{
    *err_msg = NULL;
    *err_offset = 0;
    if (len == SIZE_MAX)
        return NULL;
    char *out = rpi_pool_alloc(pool, len + 1);
    if (!out)
        return NULL;
    const unsigned char *s = (const unsigned char *)body;
    size_t o = 0, i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c == '\r') {
            out[o++] = '\n';
            i += (i + 1 < len && s[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        if (c != '\\' || raw) {
            out[o++] = (char)c;
            i++;
            continue;
        }
        size_t at = i;
        if (i + 1 >= len) {
            *err_offset = at;
            *err_msg = "unable to unescape string, found '\\' as last character";
            return NULL;
        }
        unsigned char e = s[i + 1];
        i += 2;
        switch (e) {
        case 'a': out[o++] = '\a'; continue;
        case 'b': out[o++] = '\b'; continue;
        case 'f': out[o++] = '\f'; continue;
        case 'n': out[o++] = '\n'; continue;
        case 'r': out[o++] = '\r'; continue;
        case 't': out[o++] = '\t'; continue;
        case 'v': out[o++] = '\v'; continue;
        case '\\': case '\'': case '"': case '`': case '?':
            out[o++] = (char)e;
            continue;
        case 'x': case 'X': case 'u': case 'U': {
            size_t n = (e == 'x' || e == 'X') ? 2 : e == 'u' ? 4 : 8;
            if (n > 2 && is_bytes)
                goto bad;
            if (len - i < n)
                goto bad;
            uint32_t v = 0;
            for (size_t j = 0; j < n; j++) {
                int h = hex_value(s[i + j]);
                if (h < 0)
                    goto bad;
                v = v << 4 | (uint32_t)h;
            }
            i += n;
            if (is_bytes) {
                out[o++] = (char)v;
            } else {
                if (!valid_code_point(v)) {
                    *err_offset = at;
                    *err_msg = "invalid unicode code point";
                    return NULL;
                }
                o += put_utf8(out + o, v);
            }
            continue;
        }
        case '0': case '1': case '2': case '3': {
            if (len - i < 2 || s[i] < '0' || s[i] > '7' || s[i + 1] < '0' || s[i + 1] > '7') {
                *err_offset = at;
                *err_msg = "unable to unescape octal sequence in string";
                return NULL;
            }
            uint32_t v = (uint32_t)(e - '0') * 64 + (uint32_t)(s[i] - '0') * 8 +
                         (uint32_t)(s[i + 1] - '0');
            i += 2;
            if (is_bytes)
                out[o++] = (char)v;
            else
                o += put_utf8(out + o, v);
            continue;
        }
        default:
            goto bad;
        }
    bad:
        *err_offset = at;
        *err_msg = "unable to unescape string";
        return NULL;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

/* The magnitude of a decimal or 0x-hex number in [T, T+LEN); -1 when it is
 * empty, malformed, or above UINT64_MAX. */
static int parse_magnitude(const char *t, size_t len, uint64_t *out)
{
    unsigned base = 10;
    if (len > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        base = 16;
        t += 2;
        len -= 2;
    }
    if (len == 0)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        int d = hex_value((unsigned char)t[i]);
        if (d < 0 || (unsigned)d >= base)
            return -1;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return -1;
        v = v * base + (uint64_t)d;
    }
    *out = v;
    return 0;
}

int rpi_literal_int(const char *text, size_t len, bool negative, int64_t *out)
{
    if (len && text[0] == '-') {
        negative = !negative;
        text++;
        len--;
    }
    uint64_t m;
    if (parse_magnitude(text, len, &m) != 0)
        return -1;
    if (negative) {
        if (m > (uint64_t)INT64_MAX + 1)
            return -1;
        *out = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
    } else {
        if (m > (uint64_t)INT64_MAX)
            return -1;
        *out = (int64_t)m;
    }
    return 0;
}

int rpi_literal_uint(const char *text, size_t len, uint64_t *out)
{
    return parse_magnitude(text, len, out);
}

/* Only digits, one '.', an exponent and signs: the lexer's FLOAT_LIT with
 * an optional leading '-'.  Checked here so that strtod's extras (hex
 * floats, "inf", "nan") never get in. */
static bool float_syntax(const char *t, size_t len)
{
    size_t i = 0;
    if (i < len && t[i] == '-')
        i++;
    size_t digits = 0;
    while (i < len && t[i] >= '0' && t[i] <= '9')
        i++, digits++;
    if (i < len && t[i] == '.') {
        i++;
        size_t frac = 0;
        while (i < len && t[i] >= '0' && t[i] <= '9')
            i++, frac++;
        if (frac == 0)
            return false;
        digits += frac;
    }
    if (digits == 0)
        return false;
    if (i < len && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < len && (t[i] == '+' || t[i] == '-'))
            i++;
        size_t exp = 0;
        while (i < len && t[i] >= '0' && t[i] <= '9')
            i++, exp++;
        if (exp == 0)
            return false;
    }
    return i == len;
}

int rpi_literal_double(const char *text, size_t len, double *out)
{
    if (!float_syntax(text, len))
        return -1;
    char small[128];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf)
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    /* glibc returns its static C locale object for "C" without allocating;
     * elsewhere this may allocate, and can then fail. */
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    int rc = -1;
    if (c) {
        char *end = NULL;
        errno = 0;
        double d = strtod_l(buf, &end, c);
        if (end == buf + len && !(errno == ERANGE && isinf(d))) {
            *out = d;
            rc = 0;
        }
        freelocale(c);
    }
    if (buf != small)
        free(buf);
    return rc;
}
