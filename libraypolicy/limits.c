/* limits.c -- what the configured limits share: stopping an evaluation
 * with a limit error, and the cheap checks of input before it is parsed.
 *
 * Every limit of rp_env_options (docs/limits.md) ends in RP_ELIMIT with a
 * message that names the option and its value, worded alike:
 *   "<what> exceeds limit <option> (<value>[ unit])[: <detail>]"
 * so that a user who hits one knows which knob to turn.  The checks are
 * compares on sizes the code has at hand already; none of them walks
 * anything on the evaluation's hot path.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

val rpi_limit_stop(rpi_ctx *cx, const char *fmt, ...)
{
    if (!cx->limit_hit) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cx->limit_msg, sizeof cx->limit_msg, fmt, ap);
        va_end(ap);
        cx->limit_hit = 1;
    }
    return VAL_ERROR_LIT("limit exceeded");
}

/* Why a scan and not jansson's own limit: jansson stops at a depth fixed
 * when it was built (2048), with a message that names no option, and only
 * after it has built the tree down to there. */
bool rpi_json_too_deep(const char *text, size_t len, unsigned max, unsigned *line,
                       unsigned *column)
{
    unsigned depth = 0, ln = 1;
    size_t line_start = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
            else if (c == '\n') /* not JSON; jansson says so */
                return false;
            continue;
        }
        switch (c) {
        case '"':
            in_string = true;
            break;
        case '[':
        case '{':
            if (++depth > max) {
                /* the column in code points, as rp_error counts */
                unsigned col = 1;
                for (size_t k = line_start; k < i; k++)
                    col += ((unsigned char)text[k] & 0xc0) != 0x80;
                *line = ln;
                *column = col;
                return true;
            }
            break;
        case ']':
        case '}':
            if (depth > 0)
                depth--;
            break;
        case '\n':
            ln++;
            line_start = i + 1;
            break;
        default:
            break;
        }
    }
    return false;
}
