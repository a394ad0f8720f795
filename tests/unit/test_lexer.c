/* test_lexer.c -- CEL's lexis (grammar/lexer.re): the kind and byte span
 * of every token form of cel-spec's langdef.md "Syntax" (and cel-go's
 * CEL.g4), the errors only the lexer sees, and that it never reads past
 * the length it is given.
 *
 * Needs parse.h and the parser.h bison generates (-I for both).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define MAXTOK 64

typedef struct lexed {
    int kinds[MAXTOK];
    rpi_span spans[MAXTOK];
    int n;                  /* tokens, the final T_END or T_LEXERR included */
    rpi_diag diag;
} lexed;

static void lex_n(lexed *lx, const char *text, size_t len)
{
    memset(lx, 0, sizeof *lx);
    rpi_parse_options opts = {.max_length = 0, .max_depth = 0, .enable_optional_syntax = true};
    rpi_parser p = {.text = text, .len = len, .opts = &opts, .max_depth = 250,
                    .diag = &lx->diag, .cur = text};
    for (;;) {
        RPYYSTYPE v;
        rpi_span s = {0, 0};
        int k = rpi_lex(&v, &s, &p);
        cr_assert_lt(lx->n, MAXTOK);
        lx->kinds[lx->n] = k;
        lx->spans[lx->n] = s;
        lx->n++;
        if (k == T_END || k == T_LEXERR)
            break;
    }
}

static void lex(lexed *lx, const char *text)
{
    lex_n(lx, text, strlen(text));
}

/* TEXT is exactly one token of KIND spanning all of it. */
static void one(const char *text, int kind)
{
    lexed lx;
    lex(&lx, text);
    cr_assert_eq(lx.n, 2, "%s: %d tokens", text, lx.n - 1);
    cr_expect_eq(lx.kinds[0], kind, "%s: kind %d, want %d", text, lx.kinds[0], kind);
    cr_expect_eq(lx.spans[0].start, 0, "%s", text);
    cr_expect_eq(lx.spans[0].end, strlen(text), "%s: ends at %u", text, lx.spans[0].end);
    cr_expect_eq(lx.kinds[1], T_END);
}

/* TEXT lexes as the kinds in the -1-terminated list. */
static void kinds(const char *text, const int *want)
{
    lexed lx;
    lex(&lx, text);
    int i = 0;
    for (; want[i] >= 0; i++) {
        cr_assert_lt(i, lx.n, "%s: only %d tokens", text, lx.n);
        cr_expect_eq(lx.kinds[i], want[i], "%s: token %d is %d, want %d", text, i,
                     lx.kinds[i], want[i]);
    }
    cr_expect_eq(lx.n, i, "%s: %d tokens, want %d", text, lx.n, i);
}

#define KINDS(text, ...) kinds(text, (const int[]){__VA_ARGS__, -1})

/* TEXT fails at byte AT with a message containing MSG. */
static void fails(const char *text, size_t len, uint32_t at, const char *msg)
{
    lexed lx;
    lex_n(&lx, text, len);
    cr_assert_eq(lx.kinds[lx.n - 1], T_LEXERR, "%s: no error", text);
    cr_expect_eq(lx.diag.code, RP_ESYNTAX);
    cr_expect_eq(lx.diag.span.start, at, "%s: error at %u, want %u", text,
                 lx.diag.span.start, at);
    cr_expect(strstr(lx.diag.message, msg) != NULL, "%s: '%s' lacks '%s'", text,
              lx.diag.message, msg);
}

Test(lexer, integers)
{
    one("0", T_INT);
    one("42", T_INT);
    one("007", T_INT);
    one("0x1F", T_INT);
    one("0xdeadBEEF", T_INT);
    one("99999999999999999999999", T_INT);  /* range is the parser's business */
    one("0u", T_UINT);
    one("42U", T_UINT);
    one("0x1Fu", T_UINT);
    one("0xFFU", T_UINT);
    /* Only lower-case 0x; no sign: '-' is an operator token. */
    KINDS("0X1F", T_INT, T_IDENT, T_END);
    KINDS("-1", T_MINUS, T_INT, T_END);
    KINDS("0x", T_INT, T_IDENT, T_END);
    KINDS("1abc", T_INT, T_IDENT, T_END);
}

Test(lexer, doubles)
{
    one("1.5", T_DOUBLE);
    one("0.0", T_DOUBLE);
    one("1e10", T_DOUBLE);
    one("1E10", T_DOUBLE);
    one("1e+10", T_DOUBLE);
    one("1.5e-3", T_DOUBLE);
    one(".5", T_DOUBLE);
    one(".5e2", T_DOUBLE);
    /* No trailing-dot doubles: "1." is 1 then '.' (a selection follows). */
    KINDS("1.", T_INT, T_DOT, T_END);
    KINDS("1.e5", T_INT, T_DOT, T_IDENT, T_END);
    KINDS("1e", T_INT, T_IDENT, T_END);
    KINDS("1.5u", T_DOUBLE, T_IDENT, T_END);
    KINDS("a.5", T_IDENT, T_DOUBLE, T_END);
}

Test(lexer, strings)
{
    one("''", T_STRING);
    one("\"\"", T_STRING);
    one("'abc'", T_STRING);
    one("\"abc\"", T_STRING);
    one("'a\"b'", T_STRING);
    one("\"a'b\"", T_STRING);
    one("'a\\'b'", T_STRING);
    one("\"a\\\"b\"", T_STRING);
    one("'\\\\'", T_STRING);
    one("'\\xFF \\u00e9 \\U0001F600 \\101'", T_STRING);
    one("'caf\xc3\xa9 \xf0\x9f\x98\x80'", T_STRING);
    one("''''''", T_STRING);
    one("'''a'b''c'''", T_STRING);
    one("\"\"\"a\nb\"\"\"", T_STRING);
    one("\"\"\"a\\\"\"\"\"", T_STRING);      /* """a\"""" : \" does not close */
    one("'''\\''''", T_STRING);
    one("r'\\d+'", T_STRING);
    one("R\"\\d+\"", T_STRING);
    one("r\"\\\"", T_STRING);                /* raw: the backslash does not escape */
    one("r'''a\\'''", T_STRING);
    one("R\"\"\"\n\"\"\"", T_STRING);
    /* A triple-quoted string ends at the first closing triple. */
    KINDS("'''a''''", T_STRING, T_LEXERR);
    KINDS("'a' 'b'", T_STRING, T_STRING, T_END);
    KINDS("\"\"\"\"\"\"\"\"", T_STRING, T_STRING, T_END);   /* """""" "" */
}

Test(lexer, bytes)
{
    one("b''", T_BYTES);
    one("B\"abc\"", T_BYTES);
    one("b'''abc'''", T_BYTES);
    one("br'\\d'", T_BYTES);
    one("bR'\\d'", T_BYTES);
    one("Br\"\\d\"", T_BYTES);
    one("BR'''\\d'''", T_BYTES);
    one("b'\\xff\\000'", T_BYTES);
    /* cel-spec: BYTES_LIT = [bB] STRING_LIT, so the prefix order is b then r. */
    KINDS("rb'x'", T_IDENT, T_STRING, T_END);
    KINDS("b 'x'", T_IDENT, T_STRING, T_END);
}

Test(lexer, identifiers_and_keywords)
{
    one("a", T_IDENT);
    one("_", T_IDENT);
    one("_a1_B2", T_IDENT);
    one("truex", T_IDENT);
    one("inx", T_IDENT);
    one("r", T_IDENT);
    one("b", T_IDENT);
    one("true", T_TRUE);
    one("false", T_FALSE);
    one("null", T_NULL);
    one("in", T_IN);
    one("`b-c`", T_ESC_IDENT);
    one("`a.b /c_1`", T_ESC_IDENT);
    KINDS("1a", T_INT, T_IDENT, T_END);
}

Test(lexer, reserved_words)
{
    static const char *words[] = {"as", "break", "const", "continue", "else", "for",
                                  "function", "if", "import", "let", "loop", "package",
                                  "namespace", "return", "var", "void", "while"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        one(words[i], T_RESERVED);
    one("whilex", T_IDENT);
    one("ifs", T_IDENT);
}

Test(lexer, operators)
{
    static const struct { const char *text; int kind; } ops[] = {
        {"==", T_EQ}, {"!=", T_NE}, {"<", T_LT}, {"<=", T_LE}, {">=", T_GE}, {">", T_GT},
        {"&&", T_AND}, {"||", T_OR}, {"[", T_LBRACKET}, {"]", T_RBRACKET},
        {"{", T_LBRACE}, {"}", T_RBRACE}, {"(", T_LPAREN}, {")", T_RPAREN},
        {".", T_DOT}, {",", T_COMMA}, {"-", T_MINUS}, {"!", T_NOT}, {"?", T_QUESTION},
        {":", T_COLON}, {"+", T_PLUS}, {"*", T_STAR}, {"/", T_SLASH}, {"%", T_PERCENT},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        one(ops[i].text, ops[i].kind);
    KINDS("a<=b", T_IDENT, T_LE, T_IDENT, T_END);
    KINDS("!!=", T_NOT, T_NE, T_END);
    KINDS("a.?b", T_IDENT, T_DOT, T_QUESTION, T_IDENT, T_END);
}

Test(lexer, whitespace_and_comments)
{
    KINDS(" \t\r\n\f", T_END);
    KINDS("a // comment", T_IDENT, T_END);
    KINDS("a // comment \xc3\xa9\n+ b", T_IDENT, T_PLUS, T_IDENT, T_END);
    KINDS("a/b", T_IDENT, T_SLASH, T_IDENT, T_END);
    KINDS("//", T_END);
    KINDS("", T_END);
    /* \v is not whitespace in CEL. */
    fails("a\vb", 3, 1, "unexpected character '\\x0b'");
}

Test(lexer, spans)
{
    lexed lx;
    lex(&lx, "  foo(\"x\",\n 12.5) // c");
    static const struct { int kind; uint32_t start, end; } want[] = {
        {T_IDENT, 2, 5}, {T_LPAREN, 5, 6}, {T_STRING, 6, 9}, {T_COMMA, 9, 10},
        {T_DOUBLE, 12, 16}, {T_RPAREN, 16, 17}, {T_END, 22, 22},
    };
    cr_assert_eq(lx.n, 7);
    for (int i = 0; i < 7; i++) {
        cr_expect_eq(lx.kinds[i], want[i].kind, "token %d", i);
        cr_expect_eq(lx.spans[i].start, want[i].start, "token %d start %u", i,
                     lx.spans[i].start);
        cr_expect_eq(lx.spans[i].end, want[i].end, "token %d end %u", i, lx.spans[i].end);
    }
}

Test(lexer, errors)
{
    fails("1 + $", 5, 4, "unexpected character '$'");
    fails("a | b", 5, 2, "unexpected character '|'");
    fails("a & b", 5, 2, "unexpected character '&'");
    fails("a = b", 5, 2, "unexpected character '='");
    fails("#", 1, 0, "unexpected character '#'");
    fails("\"abc", 4, 0, "unterminated string literal");
    fails("x + 'abc\ndef'", 13, 4, "unterminated string literal");
    fails("'''abc''", 8, 0, "unterminated string literal");
    fails("r\"abc", 5, 0, "unterminated string literal");
    fails("b'abc", 5, 0, "unterminated string literal");
    fails("'abc\\", 5, 0, "unterminated string literal");
    fails("`abc", 4, 0, "unexpected character '`'");
    fails("``", 2, 0, "unexpected character '`'");
    fails("a\0b", 3, 1, "unexpected character '\\x00'");
    fails("\xc3\xa9", 2, 0, "unexpected character '\xc3\xa9'");
}

Test(lexer, invalid_utf8)
{
    fails("'a\xff'", 4, 2, "invalid UTF-8 encoding");
    fails("'\xc0\xaf'", 4, 1, "invalid UTF-8 encoding");          /* overlong */
    fails("'\xed\xa0\x80'", 5, 1, "invalid UTF-8 encoding");      /* surrogate */
    fails("'\xf4\x90\x80\x80'", 6, 1, "invalid UTF-8 encoding");  /* > U+10FFFF */
    fails("'''\xe2\x82'''", 8, 3, "invalid UTF-8 encoding");      /* truncated */
    fails("1 // \xff", 6, 5, "invalid UTF-8 encoding");
    fails("a \xc3", 3, 2, "invalid UTF-8 encoding");
    fails("'\xe2\x82", 3, 1, "invalid UTF-8 encoding");
    one("'\xf4\x8f\xbf\xbf'", T_STRING);                          /* U+10FFFF */
    one("'\xef\xbf\xbd'", T_STRING);
}

/* The lexer stops at LEN even when more bytes follow in memory. */
Test(lexer, never_reads_past_length)
{
    lexed lx;
    lex_n(&lx, "12345", 2);
    cr_assert_eq(lx.n, 2);
    cr_expect_eq(lx.kinds[0], T_INT);
    cr_expect_eq(lx.spans[0].end, 2);
    lex_n(&lx, "'abc'", 4);
    cr_expect_eq(lx.kinds[lx.n - 1], T_LEXERR);
    cr_expect(strstr(lx.diag.message, "unterminated") != NULL);
    lex_n(&lx, "truefalse", 4);
    cr_expect_eq(lx.kinds[0], T_TRUE);
    cr_expect_eq(lx.kinds[1], T_END);
    /* An exactly sized heap copy: a read past the end would be caught by
     * valgrind or ASan. */
    static const char *texts[] = {"'abc", "\"\"\"ab\"\"", "r'", "0x", "1e", "1.", "`a",
                                  "//", "b", "br", "\xc3", "a.?", "12u"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = strlen(texts[i]);
        char *copy = malloc(len);
        cr_assert_not_null(copy);
        memcpy(copy, texts[i], len);
        lex_n(&lx, copy, len);
        free(copy);
    }
}

Test(lexer, bracket_nesting_limit)
{
    rpi_diag diag = {0};
    rpi_parse_options opts = {.max_length = 0, .max_depth = 3, .enable_optional_syntax = false};
    const char *text = "((([(x";
    rpi_parser p = {.text = text, .len = strlen(text), .opts = &opts, .max_depth = 3,
                    .diag = &diag, .cur = text};
    RPYYSTYPE v;
    rpi_span s;
    for (int i = 0; i < 3; i++)
        cr_expect_eq(rpi_lex(&v, &s, &p), T_LPAREN);
    cr_expect_eq(rpi_lex(&v, &s, &p), T_LEXERR);
    cr_expect_eq(diag.code, RP_ELIMIT);
    cr_expect_eq(diag.span.start, 3);
    cr_expect_str_eq(diag.message, "expression nesting exceeds limit: 3");

    /* Closers make room again. */
    rpi_diag diag2 = {0};
    const char *text2 = "((()))((()))";
    rpi_parser p2 = {.text = text2, .len = strlen(text2), .opts = &opts, .max_depth = 3,
                     .diag = &diag2, .cur = text2};
    int k;
    while ((k = rpi_lex(&v, &s, &p2)) != T_END)
        cr_assert_neq(k, T_LEXERR, "%s", diag2.message);
}
