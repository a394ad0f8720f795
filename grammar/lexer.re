/* lexer.re -- CEL's lexis (cel-spec langdef.md "Syntax", cel-go's CEL.g4),
 * as an re2c DFA.
 *
 * Input is (ptr, len) and may hold NUL bytes, so the DFA reads through the
 * generic API with a bounds-checked YYPEEK: a read at the end yields the
 * sentinel 0, and the `$` rule (re2c:eof) fires only when the end is really
 * reached; a NUL inside the text is an ordinary (invalid) character.
 * Nothing is read past LEN.
 *
 * Actions return a token kind and a byte span only; the parser hands the
 * spans of literals to literal.c, which decodes numbers and escapes.  The
 * lexer checks what only it sees: every byte outside ASCII must form valid
 * UTF-8 (inside strings and comments; nowhere else is non-ASCII allowed),
 * strings must be terminated, and no more brackets may be open at once
 * than the nesting limit allows (so that a flood of `(((((` is refused
 * before the parser's stack grows with it).
 *
 * Generated with: re2c -W --no-generation-date --no-version -o lexer.c lexer.re
 */
#include <stdio.h>
#include <string.h>

#include "parse.h"

/*!re2c
    re2c:api = custom;
    re2c:api:style = free-form;
    re2c:define:YYCTYPE = "unsigned char";
    re2c:define:YYPEEK = "(cur < lim ? *cur : 0)";
    re2c:define:YYSKIP = "++cur;";
    re2c:define:YYBACKUP = "mar = cur;";
    re2c:define:YYRESTORE = "cur = mar;";
    re2c:define:YYLESSTHAN = "(lim - cur) < @@";
    re2c:yyfill:enable = 0;
    re2c:eof = 0;

    digit      = [0-9];
    hexdigit   = [0-9a-fA-F];
    exponent   = [eE] [+-]? digit+;
    int_lit    = digit+ | "0x" hexdigit+;
    uint_lit   = int_lit [uU];
    float_lit  = digit+ "." digit+ exponent? | digit+ exponent | "." digit+ exponent?;
    ident      = [_a-zA-Z] [_a-zA-Z0-9]*;
    esc_ident  = "`" [_a-zA-Z0-9. /-]+ "`";
    reserved   = "as" | "break" | "const" | "continue" | "else" | "for" | "function"
               | "if" | "import" | "let" | "loop" | "package" | "namespace" | "return"
               | "var" | "void" | "while";
    whitespace = [ \t\n\r\f]+;

    u8tail     = [\x80-\xBF];
    utf8       = [\xC2-\xDF] u8tail
               | "\xE0" [\xA0-\xBF] u8tail
               | [\xE1-\xEC\xEE\xEF] u8tail u8tail
               | "\xED" [\x80-\x9F] u8tail
               | "\xF0" [\x90-\xBF] u8tail u8tail
               | [\xF1-\xF3] u8tail u8tail u8tail
               | "\xF4" [\x80-\x8F] u8tail u8tail;
    codepoint  = [\x00-\x7F] | utf8;
    comment    = "//" ([^\n\x80-\xFF] | utf8)*;

    escape     = "\\" ([^\n\r\x80-\xFF] | utf8);
    dq_char    = [^"\\\n\r\x80-\xFF] | utf8 | escape;
    sq_char    = [^'\\\n\r\x80-\xFF] | utf8 | escape;
    raw_dq     = [^"\n\r\x80-\xFF] | utf8;
    raw_sq     = [^'\n\r\x80-\xFF] | utf8;
    string1    = ["] dq_char* ["] | ['] sq_char* [']
               | [rR] (["] raw_dq* ["] | ['] raw_sq* [']);
    open1      = ["] dq_char* | ['] sq_char*
               | [rR] (["] raw_dq* | ['] raw_sq*);
    bprefix    = [bB] [rR]?;
    tq_dq      = ["] ["] ["];
    tq_sq      = ['] ['] ['];
*/

static int token(rpi_parser *p, rpi_span *lloc, const unsigned char *tok,
                 const unsigned char *cur, int kind)
{
    lloc->start = (uint32_t)(tok - (const unsigned char *)p->text);
    lloc->end = (uint32_t)(cur - (const unsigned char *)p->text);
    p->cur = (const char *)cur;
    return kind;
}

/* Fail at byte AT with MSG, leaving the lexer there. */
static int lex_error(rpi_parser *p, rpi_span *lloc, const unsigned char *at, const char *msg)
{
    uint32_t off = (uint32_t)(at - (const unsigned char *)p->text);
    lloc->start = off;
    lloc->end = off + 1;
    rpi_parser_fail(p, RP_ESYNTAX, off, off + 1, "syntax error: %s", msg);
    return T_LEXERR;
}

/* Why an unterminated string stopped at AT: an invalid byte, or the end of
 * its line or of the text. */
static int unterminated(rpi_parser *p, rpi_span *lloc, const unsigned char *tok,
                        const unsigned char *at, const unsigned char *lim)
{
    if (at < lim && *at >= 0x80)
        return lex_error(p, lloc, at, "invalid UTF-8 encoding");
    return lex_error(p, lloc, tok, "unterminated string literal");
}

/* The body of a triple-quoted string, after its opening quotes: where it
 * ends (past the closing quotes), or NULL with *BAD at the invalid byte (or
 * at LIM when unterminated).  Kept out of the main DFA because the closing
 * delimiter is the first `"""` (or `'''`), which longest-match rules cannot
 * say; this loop matches one piece at a time instead.  In a raw string a
 * backslash is an ordinary character; otherwise it takes the next code
 * point with it, so `\"` never closes the string (literal.c checks that the
 * escape is a valid one). */
static const unsigned char *triple_body(const unsigned char *cur, const unsigned char *lim,
                                        unsigned char quote, bool raw,
                                        const unsigned char **bad)
{
    const unsigned char *mar = cur, *tok;
    for (;;) {
        tok = cur;
        /*!re2c
            $             { *bad = lim; return NULL; }
            tq_dq         { if (quote == '"') return cur; continue; }
            tq_sq         { if (quote == '\'') return cur; continue; }
            "\\" codepoint { if (raw) cur = tok + 1; continue; }
            codepoint     { continue; }
            *             { *bad = tok; return NULL; }
        */
    }
}

/* A string or bytes literal whose opening triple quote ends at CUR. */
static int triple(rpi_parser *p, rpi_span *lloc, const unsigned char *tok,
                  const unsigned char *cur, const unsigned char *lim, int kind)
{
    bool raw = false;
    for (const unsigned char *q = tok; q < cur - 3; q++)
        if (*q == 'r' || *q == 'R')
            raw = true;
    const unsigned char *bad = NULL;
    const unsigned char *end = triple_body(cur, lim, cur[-1], raw, &bad);
    if (!end) {
        if (bad < lim)
            return lex_error(p, lloc, bad, "invalid UTF-8 encoding");
        return lex_error(p, lloc, tok, "unterminated string literal");
    }
    return token(p, lloc, tok, end, kind);
}

/* An opening bracket: one more level open, within the nesting limit. */
static int opener(rpi_parser *p, rpi_span *lloc, const unsigned char *tok,
                  const unsigned char *cur, int kind)
{
    if (++p->open > p->max_depth) {
        token(p, lloc, tok, cur, kind);
        rpi_parser_fail(p, RP_ELIMIT, lloc->start, lloc->end,
                        "expression nesting exceeds limit: %u", p->max_depth);
        return T_LEXERR;
    }
    return token(p, lloc, tok, cur, kind);
}

static int closer(rpi_parser *p, rpi_span *lloc, const unsigned char *tok,
                  const unsigned char *cur, int kind)
{
    if (p->open)
        p->open--;
    return token(p, lloc, tok, cur, kind);
}

/* A byte (or code point) that starts no token. */
static int bad_char(rpi_parser *p, rpi_span *lloc, const unsigned char *tok,
                    const unsigned char *cur)
{
    char msg[64];
    if (*tok >= 0x80 && cur - tok == 1)
        return lex_error(p, lloc, tok, "invalid UTF-8 encoding");
    if (*tok >= 0x80)
        snprintf(msg, sizeof msg, "unexpected character '%.*s'", (int)(cur - tok),
                 (const char *)tok);
    else if (*tok >= 0x20 && *tok < 0x7f)
        snprintf(msg, sizeof msg, "unexpected character '%c'", *tok);
    else
        snprintf(msg, sizeof msg, "unexpected character '\\x%02x'", *tok);
    return lex_error(p, lloc, tok, msg);
}

int rpi_lex(rpi_sem *lval, rpi_span *lloc, rpi_parser *p)
{
    const unsigned char *cur = (const unsigned char *)p->cur;
    const unsigned char *const lim = (const unsigned char *)p->text + p->len;
    const unsigned char *mar = cur, *tok;
    *lval = (rpi_sem){0};     /* tokens carry no value: their span says it all */

    for (;;) {
        tok = cur;
        /*!re2c
            $          { return token(p, lloc, tok, cur, T_END); }
            whitespace { continue; }
            comment    { continue; }

            "=="       { return token(p, lloc, tok, cur, T_EQ); }
            "!="       { return token(p, lloc, tok, cur, T_NE); }
            "<"        { return token(p, lloc, tok, cur, T_LT); }
            "<="       { return token(p, lloc, tok, cur, T_LE); }
            ">="       { return token(p, lloc, tok, cur, T_GE); }
            ">"        { return token(p, lloc, tok, cur, T_GT); }
            "&&"       { return token(p, lloc, tok, cur, T_AND); }
            "||"       { return token(p, lloc, tok, cur, T_OR); }
            "["        { return opener(p, lloc, tok, cur, T_LBRACKET); }
            "]"        { return closer(p, lloc, tok, cur, T_RBRACKET); }
            "{"        { return opener(p, lloc, tok, cur, T_LBRACE); }
            "}"        { return closer(p, lloc, tok, cur, T_RBRACE); }
            "("        { return opener(p, lloc, tok, cur, T_LPAREN); }
            ")"        { return closer(p, lloc, tok, cur, T_RPAREN); }
            "."        { return token(p, lloc, tok, cur, T_DOT); }
            ","        { return token(p, lloc, tok, cur, T_COMMA); }
            "-"        { return token(p, lloc, tok, cur, T_MINUS); }
            "!"        { return token(p, lloc, tok, cur, T_NOT); }
            "?"        { return token(p, lloc, tok, cur, T_QUESTION); }
            ":"        { return token(p, lloc, tok, cur, T_COLON); }
            "+"        { return token(p, lloc, tok, cur, T_PLUS); }
            "*"        { return token(p, lloc, tok, cur, T_STAR); }
            "/"        { return token(p, lloc, tok, cur, T_SLASH); }
            "%"        { return token(p, lloc, tok, cur, T_PERCENT); }

            "true"     { return token(p, lloc, tok, cur, T_TRUE); }
            "false"    { return token(p, lloc, tok, cur, T_FALSE); }
            "null"     { return token(p, lloc, tok, cur, T_NULL); }
            "in"       { return token(p, lloc, tok, cur, T_IN); }
            reserved   { return token(p, lloc, tok, cur, T_RESERVED); }
            ident      { return token(p, lloc, tok, cur, T_IDENT); }
            esc_ident  { return token(p, lloc, tok, cur, T_ESC_IDENT); }

            float_lit  { return token(p, lloc, tok, cur, T_DOUBLE); }
            int_lit    { return token(p, lloc, tok, cur, T_INT); }
            uint_lit   { return token(p, lloc, tok, cur, T_UINT); }

            string1          { return token(p, lloc, tok, cur, T_STRING); }
            bprefix string1  { return token(p, lloc, tok, cur, T_BYTES); }
            open1            { return unterminated(p, lloc, tok, cur, lim); }
            bprefix open1    { return unterminated(p, lloc, tok, cur, lim); }
            [rR]? (tq_dq | tq_sq)           { return triple(p, lloc, tok, cur, lim, T_STRING); }
            bprefix (tq_dq | tq_sq)         { return triple(p, lloc, tok, cur, lim, T_BYTES); }

            utf8       { return bad_char(p, lloc, tok, cur); }
            *          { return bad_char(p, lloc, tok, cur); }
        */
    }
}
