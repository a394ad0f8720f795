/* parse.h -- what the lexer (lexer.re) and the parser (parser.y) share.
 *
 * The token kinds and the semantic value type (rpi_sem) come from the
 * header bison generates (parser.h, written into the build directory);
 * this header adds
 * the parse context both sides work on and the lexer's prototype.  Neither
 * file has global state: everything lives in one rpi_parser on the stack of
 * rpi_parse(), so any number of threads may parse at once.
 */
#ifndef RPI_GRAMMAR_H
#define RPI_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
/* The parser without LAC (parser_fast.c, RPI_PARSER_FAST) has the same
 * token kinds and value type, defined in itself under another prefix. */
#ifndef RPI_PARSER_FAST
#include "parser.h"
#endif

/* The state of one parse. */
struct rpi_parser {
    rpi_ast_builder *b;             /* where nodes go */
    const char *text;               /* the expression, LEN bytes, not NUL-terminated */
    size_t len;
    const rpi_parse_options *opts;
    unsigned max_depth;             /* opts->max_depth, or the default for 0 */
    rpi_diag *diag;                 /* the first error */
    bool failed;                    /* DIAG holds an error: keep it */
    const char *cur;                /* the lexer's position in TEXT */
    unsigned open;                  /* brackets, braces and parentheses now open */
    ast_node *root;                 /* the result */
};

/* The next token of P's text: its kind (T_*) and its byte span in *LLOC.
 * Returns T_END at the end, and T_LEXERR with P->diag filled for bytes that
 * start no token (invalid characters, invalid UTF-8, unterminated strings),
 * and when too many brackets are open at once (RP_ELIMIT). */
int rpi_lex(rpi_sem *lval, rpi_span *lloc, rpi_parser *p);

/* Record the first error of P: CODE at [START, END) with a printf message.
 * Later errors are ignored.  Defined in parser.y. */
void rpi_parser_fail(rpi_parser *p, int code, uint32_t start, uint32_t end, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Run the parser without LAC (parser_fast.c) on P: bison's result, 0 when
 * P->root is the expression.  On valid text it does exactly what the LAC
 * parser does; on invalid text it may run semantic actions LAC would have
 * stopped before, so its errors are not reported: rpi_parse() parses again
 * with LAC instead. */
int rpi_parse_fast(rpi_parser *p);

#endif /* RPI_GRAMMAR_H */
