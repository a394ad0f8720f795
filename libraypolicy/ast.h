/* ast.h -- the abstract syntax tree, as the parser builds it and the macro
 * expander, checker and compiler read it.
 *
 * The node kinds follow cel-go's Expr proto (common/ast): literals,
 * identifiers, selections, calls (operators are calls named with cel-spec's
 * operator names: "_+_", "_&&_", "_?_:_", "_[_]", "!_", "-_", "@in",
 * "_[?_]" and "_?._"), list and map literals, message construction, and the
 * comprehension that every macro expands to.
 *
 * Every node carries the byte span [start, end) of its source text, so that
 * errors point at the right place long after parsing.  All nodes and the
 * strings they hold are allocated from one compile arena (rpi_pool) and
 * freed together; nodes are never freed one by one.
 */
#ifndef RPI_AST_H
#define RPI_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "value.h"

/* A byte range of the source text. */
typedef struct rpi_span {
    uint32_t start, end;
} rpi_span;

/* A bump allocator for compile-time data (AST, strings); freed whole. */
typedef struct rpi_pool rpi_pool;
rpi_pool *rpi_pool_new(void);
void rpi_pool_free(rpi_pool *pool);
/* NULL on OOM.  Zeroed memory. */
void *rpi_pool_alloc(rpi_pool *pool, size_t size);
/* A NUL-terminated copy of [S, S+LEN); NULL on OOM. */
char *rpi_pool_strdup(rpi_pool *pool, const char *s, size_t len);

typedef enum ast_kind {
    AST_LITERAL,        /* lit: int, uint, double, string, bytes, bool, null */
    AST_IDENT,          /* ident.name */
    AST_SELECT,         /* select.operand . select.field; test_only for has() */
    AST_CALL,           /* call.target (NULL for global calls) . call.fn(call.args) */
    AST_LIST,           /* list.elems, list.optional[i] for `?x` elements */
    AST_MAP,            /* map.keys/vals, map.optional[i] for `?k: v` entries */
    AST_STRUCT,         /* strct.type_name{fields: vals}: message construction */
    AST_COMPREHENSION   /* comp: the expansion of a macro */
} ast_kind;

typedef struct ast_node ast_node;
struct ast_node {
    uint8_t kind;           /* ast_kind */
    uint32_t id;            /* unique within one parse, 1-based (cel-go's expr id) */
    rpi_span span;          /* source bytes of the whole node */
    /* added by front end: where cel-go points an error about this node
     * (its Location): the operator of an operator call, the '(' of a call,
     * the '.' of a selection, the '[' of an index, the '{' of a message,
     * the start of anything else.  Constructors set it to span.start; the
     * parser moves it.  Use rpi_ast_error_span() for a diagnostic. */
    uint32_t op_pos;
    union {
        val lit;            /* strings/bytes point into the pool */
        struct {
            const char *name;
        } ident;
        struct {
            ast_node *operand;
            const char *field;
            uint32_t field_len;
            bool test_only;     /* has(a.b) */
        } select;
        struct {
            ast_node *target;   /* receiver, or NULL */
            const char *fn;     /* function or operator name */
            ast_node **args;
            uint32_t nargs;
        } call;
        struct {
            ast_node **elems;
            bool *optional;     /* NULL when no element is optional */
            uint32_t n;
        } list;
        struct {
            ast_node **keys;
            ast_node **vals;
            bool *optional;     /* NULL when no entry is optional */
            uint32_t n;
        } map;
        struct {
            const char *type_name;
            const char **fields;
            ast_node **vals;
            bool *optional;
            uint32_t n;
        } strct;
        struct {
            const char *iter_var;   /* the (first) iteration variable */
            const char *iter_var2;  /* the second (two-variable forms), or NULL */
            const char *accu_var;   /* "@result" in the standard macros */
            ast_node *range;
            ast_node *init;
            ast_node *cond;         /* loop condition: stop when false */
            ast_node *step;         /* new value of the accumulator */
            ast_node *result;
        } comp;
    } u;
};

/* The name cel-go gives the accumulator of the standard macros. */
#define RPI_ACCU_VAR "@result"

/* ---- Constructors (ast.c): NULL on OOM ----------------------------------- */

typedef struct rpi_ast_builder {
    rpi_pool *pool;
    uint32_t next_id;
    uint32_t named_calls;   /* calls built with a function name (not an
                               operator's): without one, no macro can
                               apply and expansion is skipped */
} rpi_ast_builder;

ast_node *rpi_ast_literal(rpi_ast_builder *b, val lit, rpi_span span);
ast_node *rpi_ast_ident(rpi_ast_builder *b, const char *name, rpi_span span);
ast_node *rpi_ast_select(rpi_ast_builder *b, ast_node *operand, const char *field,
                         uint32_t field_len, bool test_only, rpi_span span);
/* ARGS is copied into the pool. */
ast_node *rpi_ast_call(rpi_ast_builder *b, ast_node *target, const char *fn,
                       ast_node *const *args, uint32_t nargs, rpi_span span);
ast_node *rpi_ast_list(rpi_ast_builder *b, ast_node *const *elems, const bool *optional,
                       uint32_t n, rpi_span span);
ast_node *rpi_ast_map(rpi_ast_builder *b, ast_node *const *keys, ast_node *const *vals,
                      const bool *optional, uint32_t n, rpi_span span);
ast_node *rpi_ast_struct(rpi_ast_builder *b, const char *type_name, const char *const *fields,
                         ast_node *const *vals, const bool *optional, uint32_t n, rpi_span span);
ast_node *rpi_ast_comprehension(rpi_ast_builder *b, const char *iter_var, const char *iter_var2,
                                const char *accu_var, ast_node *range, ast_node *init,
                                ast_node *cond, ast_node *step, ast_node *result,
                                rpi_span span);

/* added by front end: the one-byte span at N's op_pos, for diagnostics
 * whose caret should sit where cel-go puts it. */
static inline rpi_span rpi_ast_error_span(const ast_node *n)
{
    rpi_span s = {n->op_pos, n->op_pos + 1};
    return s;
}

/* The tree in cel-go's debug-string form (parser_test.go "P:" lines), e.g.
 * `_+_(\n  a^#1:*expr.Expr_IdentExpr#,\n  ...`; for tests.  malloc'd; NULL on OOM. */
char *rpi_ast_debug_string(const ast_node *root);

#endif /* RPI_AST_H */
