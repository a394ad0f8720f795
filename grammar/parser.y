/* parser.y -- CEL's grammar (cel-spec langdef.md "Syntax"), turning the
 * tokens of lexer.re into the AST of ast.h.
 *
 * The rules follow cel-go's CEL.g4 so that what parses in Kubernetes parses
 * here and nothing else does: precedence from the ternary (lowest, right-
 * associative) through ||, &&, the relations (one level, left-associative:
 * `1 < 2 == true` parses), + -, * / %, to the unary operators (a run of
 * '!' or a run of '-' before a member, never mixed) and member access.
 * cel-go's particular choices are kept:
 *   - chains of && and || become balanced trees of two-argument calls
 *     (parser/helper.go balancedTree), which also keeps them shallow;
 *   - an even run of '!' or '-' vanishes, an odd run is one call;
 *   - a single '-' before an int or double literal (also at the head of a
 *     member chain: `-1.abs()`) makes a negative literal, so that
 *     -9223372036854775808 is valid; `-(1)` and `--1` are not literals;
 *   - `a.b.C{...}` is message construction only when the part before '{'
 *     is a plain dotted name.
 *
 * Every action is one call of a helper below that builds the node, checks
 * the nesting depth, and records an error when something is wrong; the
 * helpers return false to abort the parse (TRY).  Nodes live in the pool of
 * the builder and are never freed one by one, so no %destructor is needed.
 *
 * Locations are byte spans [start, end) (rpi_span); a node's span covers its
 * whole text, and node->op_pos is where cel-go would point an error at (the
 * operator, the '(' of a call, the '.' of a selection).
 *
 * Generated with: bison -Wall -o parser.c --header=parser.h parser.y
 */

%define api.pure full
%define api.prefix {rpyy}
%define api.token.prefix {T_}
%define api.location.type {rpi_span}
%define api.value.type {rpi_sem}
%define parse.error custom
%define parse.lac full
%locations
%param {rpi_parser *p}
%expect 0

%code requires {
#include <stdbool.h>
#include <stdint.h>
#include "ast.h"

typedef struct rpi_parser rpi_parser;
typedef struct rpi_seq rpi_seq;

/* The semantic value of every grammar symbol. */
typedef struct rpi_sem {
    ast_node *n;        /* the node built so far */
    ast_node *lead;     /* member: its leftmost bare int or double literal,
                           which a single '-' in front makes negative */
    rpi_seq *seq;       /* arguments, elements, entries, fields, chain terms */
    uint32_t depth;     /* nesting depth of n (parentheses count) */
    uint32_t count;     /* a run of '!' or '-': 1, 2, or 3 (odd, more than one) */
    bool min_int;       /* lead is 9223372036854775808: valid only negated */
    bool qname;         /* member: a plain dotted name, usable as a type name */
    bool escaped;       /* field name: a `back-quoted` identifier */
    rpi_span name;      /* field name: where it is (with back-quotes) */
    bool opt;           /* element, entry or field marked with '?' */
} rpi_sem;
}

%code {
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

/* Locations are byte spans: a rule spans from its first symbol's start to
 * its last symbol's end; an empty rule sits at the end of what precedes. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                         \
    do {                                                                    \
        if (N) {                                                            \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                           \
            (Cur).end = YYRHSLOC(Rhs, N).end;                               \
        } else {                                                            \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;                 \
        }                                                                   \
    } while (0)

/* The parser's stack holds a few entries per open nesting level, and the
 * lexer refuses more open brackets than the nesting limit allows; the
 * stack bound is only reached by a chain of tens of thousands of ternaries
 * (whose depth is checked when they are built, after the stack has grown)
 * or by a nesting limit configured in the tens of thousands.  rpyyerror()
 * reports it as the nesting limit, never as bison's "memory exhausted". */
#define YYMAXDEPTH 200000
#define YYINITDEPTH 256

#define TRY(x)          \
    do {                \
        if (!(x))       \
            YYABORT;    \
    } while (0)

#ifdef RPI_PARSER_FAST /* the same functions under that parser's prefix */
#define rpyylex rpyyfastlex
#define rpyyerror rpyyfasterror
#endif

static int rpyylex(rpi_sem *lval, rpi_span *lloc, rpi_parser *p)
{
    return rpi_lex(lval, lloc, p);
}

static void rpyyerror(const rpi_span *loc, rpi_parser *p, const char *msg);

static bool finish(rpi_parser *p, const rpi_sem *e);
static bool ternary(rpi_parser *p, rpi_sem *out, const rpi_sem *c, const rpi_sem *t,
                    const rpi_sem *f, rpi_span op, rpi_span span);
static bool chain(rpi_parser *p, rpi_sem *out, const rpi_sem *l, const rpi_sem *r, rpi_span op);
static bool logic(rpi_parser *p, rpi_sem *out, const rpi_sem *terms, const char *fn);
static bool binary(rpi_parser *p, rpi_sem *out, const char *fn, const rpi_sem *l,
                   const rpi_sem *r, rpi_span op, rpi_span span);
static bool ops_more(rpi_sem *out, const rpi_sem *ops);
static bool unary(rpi_parser *p, rpi_sem *out, const char *fn, const rpi_sem *ops,
                  rpi_span opspan, const rpi_sem *m, rpi_span span);
static bool select_field(rpi_parser *p, rpi_sem *out, const rpi_sem *m, const rpi_sem *f,
                         rpi_span dot, rpi_span span);
static bool select_name(rpi_parser *p, rpi_sem *out, const rpi_sem *m, rpi_span name,
                        bool escaped, rpi_span dot, rpi_span span);
static bool opt_select(rpi_parser *p, rpi_sem *out, const rpi_sem *m, const rpi_sem *f,
                       rpi_span dot, rpi_span span);
static bool recv_call(rpi_parser *p, rpi_sem *out, const rpi_sem *m, rpi_span name,
                      const rpi_sem *args, rpi_span lparen, rpi_span span);
static bool index_op(rpi_parser *p, rpi_sem *out, const char *fn, const rpi_sem *m,
                     const rpi_sem *i, rpi_span lbracket, rpi_span span);
static bool message(rpi_parser *p, rpi_sem *out, const rpi_sem *m, const rpi_sem *fields,
                    rpi_span lbrace, rpi_span span);
static bool field_name(rpi_parser *p, rpi_sem *out, rpi_span name, bool escaped);
static bool ident(rpi_parser *p, rpi_sem *out, rpi_span name, rpi_span span);
static bool reserved(rpi_parser *p, rpi_span name, rpi_span span);
static bool global_call(rpi_parser *p, rpi_sem *out, rpi_span name, const rpi_sem *args,
                        rpi_span lparen, rpi_span span);
static bool paren(rpi_parser *p, rpi_sem *out, const rpi_sem *e, rpi_span span);
static bool list(rpi_parser *p, rpi_sem *out, const rpi_sem *elems, rpi_span span);
static bool map(rpi_parser *p, rpi_sem *out, const rpi_sem *entries, rpi_span span);
static bool seq_add(rpi_parser *p, rpi_sem *out, const rpi_sem *seq, const rpi_sem *item,
                    const rpi_sem *value);
static bool optional(rpi_parser *p, rpi_sem *out, const rpi_sem *e, rpi_span q);
static const char *field_text(rpi_parser *p, const rpi_sem *f, uint32_t *len);
static bool literal(rpi_parser *p, rpi_sem *out, int kind, rpi_span span);
}

%token END 0            "end of input"
%token IDENT            "identifier"
%token RESERVED         "reserved word"
%token ESC_IDENT        "escaped identifier"
%token INT              "integer literal"
%token UINT             "unsigned integer literal"
%token DOUBLE           "double literal"
%token STRING           "string literal"
%token BYTES            "bytes literal"
%token TRUE             "'true'"
%token FALSE            "'false'"
%token NULL             "'null'"
%token IN               "'in'"
%token EQ               "'=='"
%token NE               "'!='"
%token LT               "'<'"
%token LE               "'<='"
%token GE               "'>='"
%token GT               "'>'"
%token AND              "'&&'"
%token OR               "'||'"
%token LBRACKET         "'['"
%token RBRACKET         "']'"
%token LBRACE           "'{'"
%token RBRACE           "'}'"
%token LPAREN           "'('"
%token RPAREN           "')'"
%token DOT              "'.'"
%token COMMA            "','"
%token MINUS            "'-'"
%token NOT              "'!'"
%token QUESTION         "'?'"
%token COLON            "':'"
%token PLUS             "'+'"
%token STAR             "'*'"
%token SLASH            "'/'"
%token PERCENT          "'%'"
%token LEXERR           "invalid token"

/* The binary operators of `binary`, loosest first, all left-associative
 * (CEL's relation, calc and product levels). */
%left EQ NE LT LE GT GE IN
%left PLUS MINUS
%left STAR SLASH PERCENT

%start start

%%

start
    : expr                                  { TRY(finish(p, &$1)); }
    ;

expr
    : or_expr
    | or_expr QUESTION or_expr COLON expr   { TRY(ternary(p, &$$, &$1, &$3, &$5, @2, @$)); }
    ;

/* A lone operand of || or && climbs past the chain rules in one
 * reduction; chains of two or more become balanced trees (logic). */
or_expr
    : and_expr
    | or_terms                              { TRY(logic(p, &$$, &$1, "_||_")); }
    ;

or_terms
    : and_expr OR and_expr                  { TRY(chain(p, &$$, &$1, &$3, @2)); }
    | or_terms OR and_expr                  { TRY(chain(p, &$$, &$1, &$3, @2)); }
    ;

and_expr
    : binary
    | and_terms                             { TRY(logic(p, &$$, &$1, "_&&_")); }
    ;

and_terms
    : binary AND binary                     { TRY(chain(p, &$$, &$1, &$3, @2)); }
    | and_terms AND binary                  { TRY(chain(p, &$$, &$1, &$3, @2)); }
    ;

/* CEL's relation, calc, product and unary levels in one symbol, ordered
 * by the precedences declared above: an operand climbs to its operator in
 * one reduction instead of one per level. */
binary
    : member                                { TRY(unary(p, &$$, NULL, NULL, @1, &$1, @$)); }
    | nots member                           { TRY(unary(p, &$$, "!_", &$1, @1, &$2, @$)); }
    | negs member                           { TRY(unary(p, &$$, "-_", &$1, @1, &$2, @$)); }
    | binary EQ binary                      { TRY(binary(p, &$$, "_==_", &$1, &$3, @2, @$)); }
    | binary NE binary                      { TRY(binary(p, &$$, "_!=_", &$1, &$3, @2, @$)); }
    | binary LT binary                      { TRY(binary(p, &$$, "_<_", &$1, &$3, @2, @$)); }
    | binary LE binary                      { TRY(binary(p, &$$, "_<=_", &$1, &$3, @2, @$)); }
    | binary GT binary                      { TRY(binary(p, &$$, "_>_", &$1, &$3, @2, @$)); }
    | binary GE binary                      { TRY(binary(p, &$$, "_>=_", &$1, &$3, @2, @$)); }
    | binary IN binary                      { TRY(binary(p, &$$, "@in", &$1, &$3, @2, @$)); }
    | binary PLUS binary                    { TRY(binary(p, &$$, "_+_", &$1, &$3, @2, @$)); }
    | binary MINUS binary                   { TRY(binary(p, &$$, "_-_", &$1, &$3, @2, @$)); }
    | binary STAR binary                    { TRY(binary(p, &$$, "_*_", &$1, &$3, @2, @$)); }
    | binary SLASH binary                   { TRY(binary(p, &$$, "_/_", &$1, &$3, @2, @$)); }
    | binary PERCENT binary                 { TRY(binary(p, &$$, "_%_", &$1, &$3, @2, @$)); }
    ;

nots
    : NOT                                   { TRY(ops_more(&$$, NULL)); }
    | nots NOT                              { TRY(ops_more(&$$, &$1)); }
    ;

negs
    : MINUS                                 { TRY(ops_more(&$$, NULL)); }
    | negs MINUS                            { TRY(ops_more(&$$, &$1)); }
    ;

member
    : primary
    | member DOT IDENT                      { TRY(select_name(p, &$$, &$1, @3, false, @2, @$)); }
    | member DOT RESERVED                   { TRY(select_name(p, &$$, &$1, @3, false, @2, @$)); }
    | member DOT ESC_IDENT                  { TRY(select_name(p, &$$, &$1, @3, true, @2, @$)); }
    | member DOT QUESTION field             { TRY(opt_select(p, &$$, &$1, &$4, @2, @$)); }
    | member DOT name LPAREN args RPAREN    { TRY(recv_call(p, &$$, &$1, @3, &$5, @4, @$)); }
    | member LBRACKET expr RBRACKET         { TRY(index_op(p, &$$, "_[_]", &$1, &$3, @2, @$)); }
    | member LBRACKET QUESTION expr RBRACKET { TRY(index_op(p, &$$, "_[?_]", &$1, &$4, @2, @$)); }
    | member LBRACE fields RBRACE           { TRY(message(p, &$$, &$1, &$3, @2, @$)); }
    ;

field
    : IDENT                                 { TRY(field_name(p, &$$, @1, false)); }
    | RESERVED                              { TRY(field_name(p, &$$, @1, false)); }
    | ESC_IDENT                             { TRY(field_name(p, &$$, @1, true)); }
    ;

name
    : IDENT
    | RESERVED
    ;

primary
    : IDENT                                 { TRY(ident(p, &$$, @1, @$)); }
    | DOT IDENT                             { TRY(ident(p, &$$, @2, @$)); }
    | RESERVED                              { TRY(reserved(p, @1, @$)); }
    | DOT RESERVED                          { TRY(reserved(p, @2, @$)); }
    | IDENT LPAREN args RPAREN              { TRY(global_call(p, &$$, @1, &$3, @2, @$)); }
    | DOT IDENT LPAREN args RPAREN          { TRY(global_call(p, &$$, @2, &$4, @3, @$)); }
    | LPAREN expr RPAREN                    { TRY(paren(p, &$$, &$2, @$)); }
    | LBRACKET elems RBRACKET               { TRY(list(p, &$$, &$2, @$)); }
    | LBRACE entries RBRACE                 { TRY(map(p, &$$, &$2, @$)); }
    | INT                                   { TRY(literal(p, &$$, T_INT, @1)); }
    | UINT                                  { TRY(literal(p, &$$, T_UINT, @1)); }
    | DOUBLE                                { TRY(literal(p, &$$, T_DOUBLE, @1)); }
    | STRING                                { TRY(literal(p, &$$, T_STRING, @1)); }
    | BYTES                                 { TRY(literal(p, &$$, T_BYTES, @1)); }
    | TRUE                                  { TRY(literal(p, &$$, T_TRUE, @1)); }
    | FALSE                                 { TRY(literal(p, &$$, T_FALSE, @1)); }
    | NULL                                  { TRY(literal(p, &$$, T_NULL, @1)); }
    ;

args
    : %empty                                { $$ = (rpi_sem){0}; }
    | arg_list
    ;

arg_list
    : expr                                  { TRY(seq_add(p, &$$, NULL, &$1, NULL)); }
    | arg_list COMMA expr                   { TRY(seq_add(p, &$$, &$1, &$3, NULL)); }
    ;

elems
    : %empty                                { $$ = (rpi_sem){0}; }
    | COMMA                                 { $$ = (rpi_sem){0}; }
    | elem_list
    | elem_list COMMA
    ;

elem_list
    : opt_expr                              { TRY(seq_add(p, &$$, NULL, &$1, NULL)); }
    | elem_list COMMA opt_expr              { TRY(seq_add(p, &$$, &$1, &$3, NULL)); }
    ;

entries
    : %empty                                { $$ = (rpi_sem){0}; }
    | COMMA                                 { $$ = (rpi_sem){0}; }
    | entry_list
    | entry_list COMMA
    ;

entry_list
    : opt_expr COLON expr                   { TRY(seq_add(p, &$$, NULL, &$1, &$3)); }
    | entry_list COMMA opt_expr COLON expr  { TRY(seq_add(p, &$$, &$1, &$3, &$5)); }
    ;

fields
    : %empty                                { $$ = (rpi_sem){0}; }
    | COMMA                                 { $$ = (rpi_sem){0}; }
    | field_list
    | field_list COMMA
    ;

field_list
    : opt_field COLON expr                  { TRY(seq_add(p, &$$, NULL, &$1, &$3)); }
    | field_list COMMA opt_field COLON expr { TRY(seq_add(p, &$$, &$1, &$3, &$5)); }
    ;

opt_field
    : field
    | QUESTION field                        { TRY(optional(p, &$$, &$2, @1)); }
    ;

opt_expr
    : expr
    | QUESTION expr                         { TRY(optional(p, &$$, &$2, @1)); }
    ;

%%

/* ---- Errors ---------------------------------------------------------------- */

#ifndef RPI_PARSER_FAST /* one definition, in the LAC parser's file */
void rpi_parser_fail(rpi_parser *p, int code, uint32_t start, uint32_t end, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    rpi_diag *d = p->diag;
    d->code = code;
    d->span.start = start;
    d->span.end = end;
    d->has_span = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
}
#endif

static bool oom(rpi_parser *p)
{
    if (!p->failed) {
        p->failed = true;
        p->diag->code = RP_ENOMEM;
        p->diag->has_span = false;
        snprintf(p->diag->message, sizeof p->diag->message, "out of memory");
    }
    return false;
}

/* Bison calls this only when its stack is full ("memory exhausted"): the
 * expression nests deeper than any limit allows. */
static void rpyyerror(const rpi_span *loc, rpi_parser *p, const char *msg)
{
    RPI_UNUSED(msg);
    rpi_parser_fail(p, RP_ELIMIT, loc->start, loc->end, "expression nesting exceeds limit: %u",
                    p->max_depth);
}

#ifdef RPI_PARSER_FAST
/* Without LAC the expected tokens are not exact: the error is reported by
 * the LAC parser, which rpi_parse() runs when this one fails. */
static int yyreport_syntax_error(const yypcontext_t *ctx, rpi_parser *p)
{
    RPI_UNUSED(ctx);
    RPI_UNUSED(p);
    (void)yypcontext_expected_tokens; /* bison defines it for custom errors */
    return 0;
}
#else
/* Whether SYM is one of the tokens that can begin an expression. */
static bool starts_expr(yysymbol_kind_t sym)
{
    switch (sym) {
    case YYSYMBOL_IDENT: case YYSYMBOL_RESERVED: case YYSYMBOL_INT: case YYSYMBOL_UINT:
    case YYSYMBOL_DOUBLE: case YYSYMBOL_STRING: case YYSYMBOL_BYTES: case YYSYMBOL_TRUE:
    case YYSYMBOL_FALSE: case YYSYMBOL_NULL: case YYSYMBOL_LBRACKET: case YYSYMBOL_LBRACE:
    case YYSYMBOL_LPAREN: case YYSYMBOL_DOT: case YYSYMBOL_MINUS: case YYSYMBOL_NOT:
        return true;
    default:
        return false;
    }
}

/* Whether SYM closes or separates something: what is worth naming when the
 * parser could also take any operator. */
static bool structural(yysymbol_kind_t sym)
{
    switch (sym) {
    case YYSYMBOL_YYEOF: case YYSYMBOL_RPAREN: case YYSYMBOL_RBRACKET: case YYSYMBOL_RBRACE:
    case YYSYMBOL_COLON: case YYSYMBOL_COMMA:
        return true;
    default:
        return false;
    }
}

/* "syntax error: unexpected X[, expecting A, B or C]".  The tokens that
 * can begin an operand are named together ("expression", or "operand"
 * where a unary operator may not come, as after '-'); when more than four
 * names remain (after a complete operand nearly every operator could
 * follow), only the closing and separating tokens are named, if any.  The
 * text of an unexpected identifier or literal is shown (at most 32 bytes). */
static int yyreport_syntax_error(const yypcontext_t *ctx, rpi_parser *p)
{
    if (p->failed)
        return 0;
    yysymbol_kind_t tok = yypcontext_token(ctx);
    const rpi_span *loc = yypcontext_location(ctx);
    char buf[sizeof p->diag->message];
    size_t n = 0;
#define PUT(...)                                                             \
    do {                                                                     \
        if (n < sizeof buf) {                                                \
            int w_ = snprintf(buf + n, sizeof buf - n, __VA_ARGS__);         \
            n = w_ < 0 ? sizeof buf : n + (size_t)w_;                        \
        }                                                                    \
    } while (0)

    PUT("syntax error: unexpected %s", yysymbol_name(tok));
    switch (tok) {
    case YYSYMBOL_IDENT: case YYSYMBOL_RESERVED: case YYSYMBOL_ESC_IDENT:
    case YYSYMBOL_INT: case YYSYMBOL_UINT: case YYSYMBOL_DOUBLE:
    case YYSYMBOL_STRING: case YYSYMBOL_BYTES: {
        /* Strings show their own quotes; the rest is put in quotes. */
        const char *q = (tok == YYSYMBOL_STRING || tok == YYSYMBOL_BYTES) ? "" : "'";
        uint32_t len = loc->end - loc->start;
        if (len > 32)
            PUT(" %s%.32s...%s", q, p->text + loc->start, q);
        else
            PUT(" %s%.*s%s", q, (int)len, p->text + loc->start, q);
        break;
    }
    default:
        break;
    }

    yysymbol_kind_t expected[YYNTOKENS];
    int count = yypcontext_expected_tokens(ctx, expected, YYNTOKENS);
    bool operand = false, unary_ok = false, ident_ok = false;
    for (int i = 0; i < count; i++) {
        operand |= expected[i] == YYSYMBOL_LPAREN;
        unary_ok |= expected[i] == YYSYMBOL_NOT;
        ident_ok |= expected[i] == YYSYMBOL_IDENT;
    }
    const char *names[YYNTOKENS + 1];
    int k = 0;
    if (operand)
        names[k++] = unary_ok ? "expression" : "operand";
    for (int i = 0; i < count; i++) {
        yysymbol_kind_t s = expected[i];
        if ((operand && starts_expr(s)) || s == YYSYMBOL_RESERVED || s == YYSYMBOL_LEXERR)
            continue;
        if (s == YYSYMBOL_QUESTION && (operand || ident_ok) && !p->opts->enable_optional_syntax)
            continue;
        names[k++] = yysymbol_name(s);
    }
    if (k > 4) {
        int j = 0;
        for (int i = 0; i < count; i++)
            if (structural(expected[i]))
                names[j++] = yysymbol_name(expected[i]);
        k = j;
    }
    if (k > 0 && k <= 4) {
        PUT(", expecting %s", names[0]);
        for (int i = 1; i < k; i++)
            PUT("%s%s", i == k - 1 ? " or " : ", ", names[i]);
    }
#undef PUT
    rpi_parser_fail(p, RP_ESYNTAX, loc->start, loc->end, "%s", buf);
    return 0;
}
#endif /* RPI_PARSER_FAST */

/* ---- Nodes ----------------------------------------------------------------- */

/* Lists being built (arguments, elements, entries, fields, the terms of an
 * && or || chain), grown by doubling inside the pool: what doubling leaves
 * behind is at most the size of the final arrays, and the pool is freed
 * whole anyway. */
struct rpi_seq {
    ast_node **items;       /* arguments, elements, keys, chain terms */
    ast_node **vals;        /* map and message values */
    const char **names;     /* message field names */
    bool *opt;              /* '?' marks */
    uint32_t *at;           /* chain: offsets of the operators before terms */
    uint32_t *depths;       /* chain: depths of the terms */
    uint32_t n, cap;
    bool any_opt;
};

static bool set_depth(rpi_parser *p, rpi_sem *out, uint32_t depth, uint32_t at)
{
    out->depth = depth;
    if (depth > p->max_depth) {
        rpi_parser_fail(p, RP_ELIMIT, at, at + 1, "expression nesting exceeds limit: %u",
                        p->max_depth);
        return false;
    }
    return true;
}

static uint32_t max2(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

/* A value holding just node N (depth checked). */
static bool node_sem(rpi_parser *p, rpi_sem *out, ast_node *n, uint32_t depth)
{
    *out = (rpi_sem){0};
    if (!n)
        return oom(p);
    out->n = n;
    return set_depth(p, out, depth, n->op_pos);
}

/* Grow S (a NULL S starts a new one) to hold one more entry. */
static rpi_seq *seq_grow(rpi_parser *p, rpi_seq *s, bool pairs, bool named, bool chained)
{
    if (!s) {
        s = rpi_pool_alloc(p->b->pool, sizeof *s);
        if (!s)
            return NULL;
    }
    if (s->n < s->cap)
        return s;
    uint32_t cap = s->cap ? s->cap * 2 : 4;
    rpi_pool *pool = p->b->pool;
#define GROW(field, cond)                                                    \
    do {                                                                     \
        if (cond) {                                                          \
            void *a_ = rpi_pool_alloc(pool, (size_t)cap * sizeof *s->field); \
            if (!a_)                                                         \
                return NULL;                                                 \
            if (s->n)                                                        \
                memcpy(a_, s->field, (size_t)s->n * sizeof *s->field);       \
            s->field = a_;                                                   \
        }                                                                    \
    } while (0)
    GROW(items, true);
    GROW(opt, true);
    GROW(vals, pairs);
    GROW(names, named);
    GROW(at, chained);
    GROW(depths, chained);
#undef GROW
    s->cap = cap;
    return s;
}

/* Append ITEM (and VAL, for entries and fields) to SEQ's list.  A field
 * (ITEM->n == NULL) contributes its name. */
static bool seq_add(rpi_parser *p, rpi_sem *out, const rpi_sem *seq, const rpi_sem *item,
                    const rpi_sem *value)
{
    rpi_seq *s = seq ? seq->seq : NULL;
    uint32_t depth = seq ? seq->depth : 0;
    bool named = !item->n;
    s = seq_grow(p, s, value != NULL, named, false);
    if (!s)
        return oom(p);
    if (named) {
        uint32_t len;
        const char *nm = field_text(p, item, &len);
        if (!nm)
            return false;
        s->names[s->n] = nm;
        s->items[s->n] = NULL;
    } else {
        s->items[s->n] = item->n;
    }
    if (value)
        s->vals[s->n] = value->n;
    s->opt[s->n] = item->opt;
    s->any_opt |= item->opt;
    s->n++;
    *out = (rpi_sem){0};
    out->seq = s;
    out->depth = max2(depth, max2(item->depth, value ? value->depth : 0));
    return true;
}

/* `?x` in a list, `?k: v` in a map, `?f: v` in a message: optional entries,
 * only with the optional syntax enabled. */
static bool optional(rpi_parser *p, rpi_sem *out, const rpi_sem *e, rpi_span q)
{
    if (!p->opts->enable_optional_syntax) {
        rpi_parser_fail(p, RP_ESYNTAX, q.start, q.end, "unsupported syntax '?'");
        return false;
    }
    *out = *e;
    out->opt = true;
    return true;
}

static bool finish(rpi_parser *p, const rpi_sem *e)
{
    p->root = e->n;
    return true;
}

static bool ternary(rpi_parser *p, rpi_sem *out, const rpi_sem *c, const rpi_sem *t,
                    const rpi_sem *f, rpi_span op, rpi_span span)
{
    ast_node *args[3] = {c->n, t->n, f->n};
    ast_node *n = rpi_ast_call(p->b, NULL, "_?_:_", args, 3, span);
    if (n)
        n->op_pos = op.start;
    return node_sem(p, out, n, 1 + max2(c->depth, max2(t->depth, f->depth)));
}

/* One more term R of an && or || chain whose terms so far are L. */
static bool chain(rpi_parser *p, rpi_sem *out, const rpi_sem *l, const rpi_sem *r, rpi_span op)
{
    rpi_seq *s = l->seq;
    if (!s) {                           /* L is the first term */
        s = seq_grow(p, NULL, false, false, true);
        if (!s)
            return oom(p);
        s->items[0] = l->n;
        s->depths[0] = l->depth;
        s->at[0] = 0;
        s->opt[0] = false;
        s->n = 1;
    }
    s = seq_grow(p, s, false, false, true);
    if (!s)
        return oom(p);
    s->items[s->n] = r->n;
    s->depths[s->n] = r->depth;
    s->at[s->n] = op.start;
    s->opt[s->n] = false;
    s->n++;
    *out = (rpi_sem){0};
    out->seq = s;
    return true;
}

/* The balanced tree of cel-go's logicManager over terms [LO, HI] (terms
 * are indexed as the operators between them: term i+1 follows operator
 * i+1, stored at at[i+1]). */
static ast_node *balance(rpi_parser *p, const rpi_seq *s, const char *fn, uint32_t lo,
                         uint32_t hi, uint32_t *depth)
{
    uint32_t mid = (lo + hi + 1) / 2;
    uint32_t dl, dr;
    ast_node *l, *r;
    if (mid == lo) {
        l = s->items[mid];
        dl = s->depths[mid];
    } else {
        l = balance(p, s, fn, lo, mid - 1, &dl);
    }
    if (mid == hi) {
        r = s->items[mid + 1];
        dr = s->depths[mid + 1];
    } else {
        r = balance(p, s, fn, mid + 1, hi, &dr);
    }
    if (!l || !r)
        return NULL;
    ast_node *args[2] = {l, r};
    rpi_span span = {l->span.start, r->span.end};
    ast_node *n = rpi_ast_call(p->b, NULL, fn, args, 2, span);
    if (!n)
        return NULL;
    n->op_pos = s->at[mid + 1];
    *depth = 1 + max2(dl, dr);
    return n;
}

static bool logic(rpi_parser *p, rpi_sem *out, const rpi_sem *terms, const char *fn)
{
    const rpi_seq *s = terms->seq;
    if (!s) {
        *out = *terms;
        return true;
    }
    uint32_t depth = 0;
    ast_node *n = balance(p, s, fn, 0, s->n - 2, &depth);
    return node_sem(p, out, n, depth);
}

static bool binary(rpi_parser *p, rpi_sem *out, const char *fn, const rpi_sem *l,
                   const rpi_sem *r, rpi_span op, rpi_span span)
{
    ast_node *args[2] = {l->n, r->n};
    ast_node *n = rpi_ast_call(p->b, NULL, fn, args, 2, span);
    if (n)
        n->op_pos = op.start;
    return node_sem(p, out, n, 1 + max2(l->depth, r->depth));
}

/* Count a run of '!' or '-': 1, 2, then 3 and 2 alternating, which keeps
 * the parity and whether there was more than one without overflowing. */
static bool ops_more(rpi_sem *out, const rpi_sem *ops)
{
    uint32_t c = ops ? ops->count : 0;
    *out = (rpi_sem){0};
    out->count = c == 0 ? 1 : c == 1 ? 2 : c == 2 ? 3 : 2;
    return true;
}

/* A member after a run of operators OPS (FN "!_" or "-_"; none: FN NULL).
 * cel-go's grammar makes a lone '-' directly before an int or double
 * literal part of the literal (also when the literal heads a member chain,
 * as in `-1.abs()`); longer runs are all operators, an even run vanishing.
 * 9223372036854775808 is only valid as a negative literal. */
static bool unary(rpi_parser *p, rpi_sem *out, const char *fn, const rpi_sem *ops,
                  rpi_span opspan, const rpi_sem *m, rpi_span span)
{
    ast_node *lead = m->lead;
    if (fn && fn[0] == '-' && ops->count == 1 && lead) {
        if (lead->u.lit.kind == VK_DOUBLE)
            lead->u.lit.u.d = -lead->u.lit.u.d;
        else if (!m->min_int)
            lead->u.lit.u.i = -lead->u.lit.u.i;
        lead->span.start = opspan.start;
        lead->op_pos = opspan.start;
        m->n->span.start = opspan.start;
        *out = (rpi_sem){0};
        out->n = m->n;
        out->depth = m->depth;
        return true;
    }
    if (m->min_int) {
        rpi_parser_fail(p, RP_ESYNTAX, lead->span.start, lead->span.end, "invalid int literal");
        return false;
    }
    if (!fn || ops->count % 2 == 0) {
        *out = (rpi_sem){0};
        out->n = m->n;
        out->depth = m->depth;
        return true;
    }
    ast_node *arg = m->n;
    ast_node *n = rpi_ast_call(p->b, NULL, fn, &arg, 1, span);
    if (n)
        n->op_pos = opspan.start;
    return node_sem(p, out, n, 1 + m->depth);
}

/* A field name; a back-quoted one only when the options allow it. */
static bool field_name(rpi_parser *p, rpi_sem *out, rpi_span name, bool escaped)
{
    if (escaped && p->opts->disable_escaped_idents) {
        rpi_parser_fail(p, RP_ESYNTAX, name.start, name.end, "unsupported syntax: '`'");
        return false;
    }
    *out = (rpi_sem){0};
    out->escaped = escaped;
    out->name = name;
    return true;
}

/* The name of field F (without back-quotes), in the pool. */
static const char *field_text(rpi_parser *p, const rpi_sem *f, uint32_t *len)
{
    uint32_t start = f->name.start, end = f->name.end;
    if (f->escaped)
        start++, end--;
    *len = end - start;
    const char *s = rpi_pool_strdup(p->b->pool, p->text + start, *len);
    if (!s)
        oom(p);
    return s;
}

static bool select_field(rpi_parser *p, rpi_sem *out, const rpi_sem *m, const rpi_sem *f,
                         rpi_span dot, rpi_span span)
{
    uint32_t len;
    const char *name = field_text(p, f, &len);
    if (!name)
        return false;
    ast_node *n = rpi_ast_select(p->b, m->n, name, len, false, span);
    if (n)
        n->op_pos = dot.start;
    if (!node_sem(p, out, n, 1 + m->depth))
        return false;
    out->lead = m->lead;
    out->min_int = m->min_int;
    out->qname = m->qname && !f->escaped;
    return true;
}

/* m.name for a field written NAME (the member rules take the token itself:
 * one reduction less per selection than through `field`). */
static bool select_name(rpi_parser *p, rpi_sem *out, const rpi_sem *m, rpi_span name,
                        bool escaped, rpi_span dot, rpi_span span)
{
    rpi_sem f;
    return field_name(p, &f, name, escaped) && select_field(p, out, m, &f, dot, span);
}

/* a.?b: the call _?._(a, "b"). */
static bool opt_select(rpi_parser *p, rpi_sem *out, const rpi_sem *m, const rpi_sem *f,
                       rpi_span dot, rpi_span span)
{
    if (!p->opts->enable_optional_syntax) {
        rpi_parser_fail(p, RP_ESYNTAX, dot.start, dot.end, "unsupported syntax '.?'");
        return false;
    }
    uint32_t len;
    const char *name = field_text(p, f, &len);
    if (!name)
        return false;
    ast_node *args[2] = {m->n, rpi_ast_literal(p->b, val_string(name, len), f->name)};
    if (!args[1])
        return oom(p);
    ast_node *n = rpi_ast_call(p->b, NULL, "_?._", args, 2, span);
    if (n)
        n->op_pos = dot.start;
    if (!node_sem(p, out, n, 1 + m->depth))
        return false;
    out->lead = m->lead;
    out->min_int = m->min_int;
    return true;
}

static bool recv_call(rpi_parser *p, rpi_sem *out, const rpi_sem *m, rpi_span name,
                      const rpi_sem *args, rpi_span lparen, rpi_span span)
{
    const char *fn = rpi_pool_strdup(p->b->pool, p->text + name.start, name.end - name.start);
    if (!fn)
        return oom(p);
    const rpi_seq *s = args->seq;
    ast_node *n = rpi_ast_call(p->b, m->n, fn, s ? s->items : NULL, s ? s->n : 0, span);
    if (n)
        n->op_pos = lparen.start;
    if (!node_sem(p, out, n, 1 + max2(m->depth, args->depth)))
        return false;
    out->lead = m->lead;
    out->min_int = m->min_int;
    return true;
}

static bool index_op(rpi_parser *p, rpi_sem *out, const char *fn, const rpi_sem *m,
                     const rpi_sem *i, rpi_span lbracket, rpi_span span)
{
    if (fn[2] == '?' && !p->opts->enable_optional_syntax) {
        rpi_parser_fail(p, RP_ESYNTAX, lbracket.start, lbracket.end, "unsupported syntax '[?'");
        return false;
    }
    ast_node *args[2] = {m->n, i->n};
    ast_node *n = rpi_ast_call(p->b, NULL, fn, args, 2, span);
    if (n)
        n->op_pos = lbracket.start;
    if (!node_sem(p, out, n, 1 + max2(m->depth, i->depth)))
        return false;
    out->lead = m->lead;
    out->min_int = m->min_int;
    return true;
}

/* a.b.C{f: v}: M must be a plain dotted name (an identifier followed by
 * selections of unescaped names); it becomes the type name "a.b.C". */
static bool message(rpi_parser *p, rpi_sem *out, const rpi_sem *m, const rpi_sem *fields,
                    rpi_span lbrace, rpi_span span)
{
    if (!m->qname) {
        rpi_parser_fail(p, RP_ESYNTAX, lbrace.start, lbrace.end, "syntax error: unexpected '{'");
        return false;
    }
    size_t len = 0;
    const ast_node *q = m->n;
    for (; q->kind == AST_SELECT; q = q->u.select.operand)
        len += q->u.select.field_len + 1;
    len += strlen(q->u.ident.name);
    char *name = rpi_pool_alloc(p->b->pool, len + 1);
    if (!name)
        return oom(p);
    size_t end = len;
    for (q = m->n; q->kind == AST_SELECT; q = q->u.select.operand) {
        end -= q->u.select.field_len;
        memcpy(name + end, q->u.select.field, q->u.select.field_len);
        name[--end] = '.';
    }
    memcpy(name, q->u.ident.name, end);
    name[len] = '\0';
    const rpi_seq *s = fields->seq;
    ast_node *n = rpi_ast_struct(p->b, name, s ? s->names : NULL, s ? s->vals : NULL,
                                 s && s->any_opt ? s->opt : NULL, s ? s->n : 0, span);
    if (n)
        n->op_pos = lbrace.start;
    return node_sem(p, out, n, 1 + fields->depth);
}

/* The identifier at NAME in the pool, with a '.' in front when DOT. */
static const char *name_text(rpi_parser *p, rpi_span name, bool dot)
{
    size_t len = name.end - name.start;
    char *s = rpi_pool_alloc(p->b->pool, len + 2);
    if (!s) {
        oom(p);
        return NULL;
    }
    if (dot)
        s[0] = '.';
    memcpy(s + dot, p->text + name.start, len);
    s[len + dot] = '\0';
    return s;
}

/* The identifier at NAME; when SPAN starts before NAME, it has a leading
 * '.', which belongs to the name (".x" resolves in the root scope only). */
static bool ident(rpi_parser *p, rpi_sem *out, rpi_span name, rpi_span span)
{
    const char *s = name_text(p, name, span.start < name.start);
    if (!s)
        return false;
    ast_node *n = rpi_ast_ident(p->b, s, span);
    if (n)
        n->op_pos = name.start;
    if (!node_sem(p, out, n, 1))
        return false;
    out->qname = true;
    return true;
}

static bool reserved(rpi_parser *p, rpi_span name, rpi_span span)
{
    rpi_parser_fail(p, RP_ESYNTAX, span.start, span.end, "reserved identifier: %.*s",
                    (int)(name.end - name.start), p->text + name.start);
    return false;
}

/* f(args), or .f(args) when SPAN starts before NAME. */
static bool global_call(rpi_parser *p, rpi_sem *out, rpi_span name, const rpi_sem *args,
                        rpi_span lparen, rpi_span span)
{
    const char *fn = name_text(p, name, span.start < name.start);
    if (!fn)
        return false;
    const rpi_seq *s = args->seq;
    ast_node *n = rpi_ast_call(p->b, NULL, fn, s ? s->items : NULL, s ? s->n : 0, span);
    if (n)
        n->op_pos = lparen.start;
    return node_sem(p, out, n, 1 + args->depth);
}

static bool paren(rpi_parser *p, rpi_sem *out, const rpi_sem *e, rpi_span span)
{
    *out = (rpi_sem){0};
    out->n = e->n;
    return set_depth(p, out, e->depth + 1, span.start);
}

static bool list(rpi_parser *p, rpi_sem *out, const rpi_sem *elems, rpi_span span)
{
    const rpi_seq *s = elems->seq;
    ast_node *n = rpi_ast_list(p->b, s ? s->items : NULL, s && s->any_opt ? s->opt : NULL,
                               s ? s->n : 0, span);
    return node_sem(p, out, n, 1 + elems->depth);
}

static bool map(rpi_parser *p, rpi_sem *out, const rpi_sem *entries, rpi_span span)
{
    const rpi_seq *s = entries->seq;
    ast_node *n = rpi_ast_map(p->b, s ? s->items : NULL, s ? s->vals : NULL,
                              s && s->any_opt ? s->opt : NULL, s ? s->n : 0, span);
    return node_sem(p, out, n, 1 + entries->depth);
}

/* A literal token: numbers and strings are decoded by literal.c.  An int
 * literal one past INT64_MAX is kept as INT64_MIN and flagged: unary()
 * accepts it only after a lone '-'.  As cel-go does, a bad escape is
 * reported at the start of its literal. */
static bool literal(rpi_parser *p, rpi_sem *out, int kind, rpi_span span)
{
    const char *t = p->text + span.start;
    size_t len = span.end - span.start;
    val v = val_null();
    bool min_int = false;
    switch (kind) {
    case T_INT: {
        int64_t i;
        if (rpi_literal_int(t, len, false, &i) != 0) {
            if (rpi_literal_int(t, len, true, &i) != 0 || i != INT64_MIN) {
                rpi_parser_fail(p, RP_ESYNTAX, span.start, span.end, "invalid int literal");
                return false;
            }
            min_int = true;
        }
        v = val_int(i);
        break;
    }
    case T_UINT: {
        uint64_t u;
        if (rpi_literal_uint(t, len - 1, &u) != 0) {
            rpi_parser_fail(p, RP_ESYNTAX, span.start, span.end, "invalid uint literal");
            return false;
        }
        v = val_uint(u);
        break;
    }
    case T_DOUBLE: {
        double d;
        if (rpi_literal_double(t, len, &d) != 0) {
            rpi_parser_fail(p, RP_ESYNTAX, span.start, span.end, "invalid double literal");
            return false;
        }
        v = val_double(d);
        break;
    }
    case T_STRING:
    case T_BYTES: {
        bool bytes = kind == T_BYTES, raw = false;
        size_t i = bytes ? 1 : 0;
        if (t[i] == 'r' || t[i] == 'R')
            raw = true, i++;
        size_t q = (len - i >= 6 && t[i + 1] == t[i] && t[i + 2] == t[i]) ? 3 : 1;
        size_t out_len = 0, bad = 0;
        const char *msg = NULL;
        char *s = rpi_literal_string(p->b->pool, t + i + q, len - i - 2 * q, raw, bytes,
                                     &out_len, &bad, &msg);
        if (!s) {
            if (!msg)
                return oom(p);
            rpi_parser_fail(p, RP_ESYNTAX, span.start, span.end, "%s", msg);
            return false;
        }
        if (out_len > UINT32_MAX) {
            rpi_parser_fail(p, RP_ELIMIT, span.start, span.end, "string literal too long");
            return false;
        }
        v = bytes ? val_bytes(s, (uint32_t)out_len) : val_string(s, (uint32_t)out_len);
        break;
    }
    case T_TRUE:
        v = val_bool(true);
        break;
    case T_FALSE:
        v = val_bool(false);
        break;
    default:
        break;
    }
    ast_node *n = rpi_ast_literal(p->b, v, span);
    if (!node_sem(p, out, n, 1))
        return false;
    if (kind == T_INT || kind == T_DOUBLE)
        out->lead = n;
    out->min_int = min_int;
    return true;
}

/* ---- Entry point --------------------------------------------------------------- */

#ifdef RPI_PARSER_FAST
int rpi_parse_fast(rpi_parser *p)
{
    return rpyyfastparse(p);
}
#else

/* cel-go's default nesting limit, used when the options say 0. */
#define RPI_DEFAULT_MAX_DEPTH 250u
#define RPI_DEFAULT_MAX_LENGTH 100000u

ast_node *rpi_parse(rpi_ast_builder *b, const char *text, size_t len,
                    const rpi_parse_options *opts, rpi_diag *diag)
{
    if (!diag)
        return NULL;
    if (!b || !b->pool || (!text && len)) {
        *diag = (rpi_diag){.code = RP_EINVAL};
        snprintf(diag->message, sizeof diag->message, "no builder or no text to parse");
        return NULL;
    }
    if (!text)
        text = "";
    rpi_parse_options defaults = {0};
    if (!opts)
        opts = &defaults;
    size_t max_length = opts->max_length ? opts->max_length : RPI_DEFAULT_MAX_LENGTH;
    rpi_parser p = {
        .b = b,
        .text = text,
        .len = len,
        .opts = opts,
        .max_depth = opts->max_depth ? opts->max_depth : RPI_DEFAULT_MAX_DEPTH,
        .diag = diag,
        .cur = text,
    };
    if (max_length > UINT32_MAX - 1)
        max_length = UINT32_MAX - 1;        /* spans are 32-bit */
    if (len > max_length) {
        p.failed = true;
        diag->code = RP_ELIMIT;
        diag->has_span = false;
        diag->span = (rpi_span){0, 0};
        snprintf(diag->message, sizeof diag->message,
                 "expression size exceeds limit: %zu bytes (limit %zu)", len, max_length);
        return NULL;
    }
    /* Bison's LAC (parse.lac full) makes the expected tokens of a syntax
     * error exact, as cel-go names them, but checks every lookahead: about
     * an eighth of a compile.  A valid expression is parsed the same with
     * or without it, so the parser without LAC goes first, and the LAC one
     * parses again only to report an error, from a clean state. */
    const rpi_parser start = p;
    const rpi_diag diag_before = *diag;
    const uint32_t next_id = b->next_id;
    if (rpi_parse_fast(&p) == 0 && p.root)
        return p.root;
    p = start;
    *diag = diag_before;
    b->next_id = next_id;
    int rc = rpyyparse(&p);
    if (rc != 0 || !p.root) {
        if (!p.failed)
            rpi_parser_fail(&p, RP_ESYNTAX, 0, 0, "syntax error");
        return NULL;
    }
    return p.root;
}
#endif /* RPI_PARSER_FAST */
