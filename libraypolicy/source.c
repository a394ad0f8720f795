/* source.c -- positions in the expression text, and the rendering of a
 * diagnostic with its source line and a caret, in cel-go's layout
 * (common/error.go ToDisplayString):
 *
 *   <expression>:1:9: found no matching overload for '_+_' applied to ...
 *    | size(x) + "a"
 *    | ........^
 *
 * Lines are separated by '\n'; the line is 1-based, and so is the column,
 * which counts code points.  Under the line, one '.' per code point before
 * the error (a full-width U+FF0E for a multi-byte character, so that the
 * caret stays aligned under wide characters as cel-go does) and a '^'
 * (U+FF3E under a multi-byte character).  Tabs print as spaces, as in
 * cel-go; a trailing '\r' is dropped, and control characters and invalid
 * UTF-8 print as U+FFFD so that the message stays one clean UTF-8 text.
 *
 * rp_error's message has room for 511 bytes: when the line does not fit,
 * a window of it around the error is shown, with "..." where it was cut
 * (cel-go shows the whole line up to 16 KiB).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define SOURCE_DEFAULT_NAME "<expression>"

/* Code points kept on each side of the error position when rendering: the
 * message cannot hold more anyway. */
#define SNIPPET_WINDOW 256

/* The length of the valid UTF-8 sequence at S (N > 0 bytes available), or
 * 0 when the bytes there are not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

void rpi_source_locate(const char *text, size_t len, uint32_t offset,
                       unsigned *line, unsigned *column)
{
    size_t off = offset > len ? len : offset;
    unsigned l = 1;
    size_t start = 0;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    unsigned c = 1;
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = start; i < off;) {
        size_t n = utf8_seq(s + i, len - i);
        i += n ? n : 1;
        c++;
    }
    if (line)
        *line = l;
    if (column)
        *column = c;
}

/* One code point of the line being rendered. */
typedef struct cp_info {
    uint32_t off;       /* byte offset in the text */
    uint8_t len;        /* bytes in the text */
    uint8_t out;        /* bytes it prints as */
    uint8_t dot;        /* bytes of its '.' (1) or U+FF0E (3) */
    bool bad;           /* a control character or invalid UTF-8: print U+FFFD */
} cp_info;

static cp_info cp_at(const unsigned char *s, size_t off, size_t end)
{
    cp_info cp = {(uint32_t)off, 1, 1, 1, false};
    size_t n = utf8_seq(s + off, end - off);
    if (s[off] == '\t')
        return cp;
    if (n == 0 || s[off] < 0x20 || s[off] == 0x7f) {
        cp.out = 3;
        cp.bad = true;
        return cp;
    }
    cp.len = (uint8_t)n;
    cp.out = (uint8_t)n;
    cp.dot = n > 1 ? 3 : 1;
    return cp;
}

static void put_cp(char *buf, size_t *o, const unsigned char *s, const cp_info *cp)
{
    if (s[cp->off] == '\t') {
        buf[(*o)++] = ' ';
    } else if (cp->bad) {
        memcpy(buf + *o, "\xEF\xBF\xBD", 3);     /* U+FFFD REPLACEMENT CHARACTER */
        *o += 3;
    } else {
        memcpy(buf + *o, s + cp->off, cp->len);
        *o += cp->len;
    }
}

/* Append "\n | <line>\n | <dots>^" for byte OFF of TEXT to BUF (which
 * holds *O bytes and has room for CAP including the NUL), if it fits. */
static void put_snippet(char *buf, size_t *o, size_t cap, const char *text, size_t len,
                        size_t off)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t ls = off, le = off;
    while (ls > 0 && s[ls - 1] != '\n')
        ls--;
    while (le < len && s[le] != '\n')
        le++;
    if (le > ls && s[le - 1] == '\r')
        le--;
    if (off > le)
        off = le;

    /* The last SNIPPET_WINDOW code points before OFF (a ring), and the
     * first SNIPPET_WINDOW from OFF on. */
    cp_info left[SNIPPET_WINDOW], right[SNIPPET_WINDOW];
    size_t nleft = 0, nright = 0;
    for (size_t i = ls; i < off;) {
        cp_info cp = cp_at(s, i, le);
        left[nleft++ % SNIPPET_WINDOW] = cp;
        i += cp.len;
    }
    size_t right_end = off;
    while (right_end < le && nright < SNIPPET_WINDOW) {
        cp_info cp = cp_at(s, right_end, le);
        right[nright++] = cp;
        right_end += cp.len;
    }

    /* Grow a window [left side, right side] around the caret while it
     * fits, keeping 9 bytes for the "..." marks. */
    size_t avail = cap - 1 - *o;
    size_t caret = (nright && right[0].dot == 3) ? 3 : 1;
    size_t need = 8 + caret + 9 + (nright ? right[0].out : 0);
    if (need > avail)
        return;
    size_t kl = 0, kr = nright ? 1 : 0;
    size_t have_left = nleft < SNIPPET_WINDOW ? nleft : SNIPPET_WINDOW;
    for (bool grew = true; grew;) {
        grew = false;
        if (kl < have_left) {
            const cp_info *cp = &left[(nleft - 1 - kl) % SNIPPET_WINDOW];
            if (need + cp->out + cp->dot <= avail) {
                need += cp->out + cp->dot;
                kl++;
                grew = true;
            }
        }
        if (kr < nright && need + right[kr].out <= avail) {
            need += right[kr].out;
            kr++;
            grew = true;
        }
    }
    bool cut_left = kl < nleft;
    bool cut_right = (kr < nright) || (kr == nright && right_end < le);

    memcpy(buf + *o, "\n | ", 4);
    *o += 4;
    if (cut_left) {
        memcpy(buf + *o, "...", 3);
        *o += 3;
    }
    for (size_t j = kl; j > 0; j--)
        put_cp(buf, o, s, &left[(nleft - j) % SNIPPET_WINDOW]);
    for (size_t j = 0; j < kr; j++)
        put_cp(buf, o, s, &right[j]);
    if (cut_right) {
        memcpy(buf + *o, "...", 3);
        *o += 3;
    }
    memcpy(buf + *o, "\n | ", 4);
    *o += 4;
    if (cut_left) {
        memcpy(buf + *o, "...", 3);
        *o += 3;
    }
    for (size_t j = kl; j > 0; j--) {
        if (left[(nleft - j) % SNIPPET_WINDOW].dot == 3) {
            memcpy(buf + *o, "\xEF\xBC\x8E", 3);   /* U+FF0E FULLWIDTH FULL STOP */
            *o += 3;
        } else {
            buf[(*o)++] = '.';
        }
    }
    if (caret == 3) {
        memcpy(buf + *o, "\xEF\xBC\xBE", 3);       /* U+FF3E FULLWIDTH CIRCUMFLEX */
        *o += 3;
    } else {
        buf[(*o)++] = '^';
    }
    buf[*o] = '\0';
}

void rpi_source_report(rp_error *err, const char *source_name, const char *text,
                       size_t len, const rpi_diag *d)
{
    if (!err || !d)
        return;
    const char *src = source_name ? source_name : SOURCE_DEFAULT_NAME;
    if (!d->has_span || !text) {
        rpi_error_set(err, d->code, src, 0, 0, "%s", d->message);
        return;
    }
    size_t off = d->span.start > len ? len : d->span.start;
    unsigned line = 0, column = 0;
    rpi_source_locate(text, len, (uint32_t)off, &line, &column);
    char msg[sizeof err->message];
    int n = snprintf(msg, sizeof msg, "%s:%u:%u: %s", src, line, column, d->message);
    size_t o = n < 0 ? 0 : (size_t)n;
    if (o >= sizeof msg)
        o = sizeof msg - 1;
    else
        put_snippet(msg, &o, sizeof msg, text, len, off);
    rpi_error_set(err, d->code, src, line, column, "%s", msg);
}
