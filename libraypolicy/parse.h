/* parse.h -- what the lexer (lexer.re) and the parser (parser.y) share.
 *
 * The token kinds and the semantic value type come from the header bison
 * generates (parser.h, written into the build directory); this header adds
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
#include "parser.h"

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
int rpi_lex(RPYYSTYPE *lval, rpi_span *lloc, rpi_parser *p);

/* Record the first error of P: CODE at [START, END) with a printf message.
 * Later errors are ignored.  Defined in parser.y. */
void rpi_parser_fail(rpi_parser *p, int code, uint32_t start, uint32_t end, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif /* RPI_GRAMMAR_H */
