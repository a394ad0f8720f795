/* ast.c -- the compile pool, the AST constructors, and the AST's debug
 * string.
 *
 * The pool is a bump allocator over a list of chunks: every node, array and
 * string of one compilation comes from it and is freed with it, never one
 * by one.  Constructors take a builder (pool + next id), give each node the
 * next id (1-based, unique within the builder), and copy the arrays they are
 * given (ARGS, ELEMS, OPTIONAL, ...) into the pool.  Strings (names,
 * operators) are NOT copied: pass pool strings (rpi_pool_strdup) or static
 * ones.
 *
 * The debug string (rpi_ast_debug_string) is a one-line S-expression-like
 * rendering for tests, without ids or spans:
 *
 *   literals       1   1u   1.5   -0.0   "a\"b"   b"\x00a"   true   null
 *   identifier     a   .a
 *   selection      a.b           presence test (has): a.b~test-only~
 *   call           f(x, y)       receiver call: x.f(y)
 *                  operators are calls by cel-spec name: _+_(a, 1),
 *                  _?_:_(c, t, f), _[_](m, k), !_(x), @in(x, l), _?._(a, "b")
 *   list           [1, ?x]       ('?' marks an optional element)
 *   map            {"k": v, ?"o": w}
 *   message        pkg.Msg{f: 1, ?g: x}
 *   comprehension  __comprehension__(iter, range, accu, init, cond, step, result)
 *                  with two variables: __comprehension__(iter, iter2, range, ...)
 *
 * Doubles print with the fewest digits that read back exactly, always with
 * a '.' or an exponent; strings escape '"', '\\', and control characters
 * (\n \r \t, else \xHH); bytes also escape every byte >= 0x80.  Example:
 * `a || b && c` is `_||_(a, _&&_(b, c))`.
 */
#include <math.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- Pool -------------------------------------------------------------------- */

/* First chunk size; chunks double up to RPI_POOL_CHUNK_MAX, and a request
 * larger than a chunk gets a chunk of its own. */
#define RPI_POOL_CHUNK_MIN 4096u
#define RPI_POOL_CHUNK_MAX (256u * 1024u)
#define RPI_POOL_ALIGN alignof(max_align_t)

typedef struct pool_chunk {
    struct pool_chunk *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
} pool_chunk;

struct rpi_pool {
    pool_chunk *head;
    size_t next_size;
};

rpi_pool *rpi_pool_new(void)
{
    rpi_pool *pool = calloc(1, sizeof *pool);
    if (pool)
        pool->next_size = RPI_POOL_CHUNK_MIN;
    return pool;
}

void rpi_pool_free(rpi_pool *pool)
{
    if (!pool)
        return;
    pool_chunk *c = pool->head;
    while (c) {
        pool_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(pool);
}

void *rpi_pool_alloc(rpi_pool *pool, size_t size)
{
    if (!pool)
        return NULL;
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - RPI_POOL_ALIGN)
        return NULL;
    size = (size + RPI_POOL_ALIGN - 1) & ~(size_t)(RPI_POOL_ALIGN - 1);
    pool_chunk *c = pool->head;
    if (c && c->size - c->used >= size) {
        void *p = c->data + c->used;
        c->used += size;
        return memset(p, 0, size);
    }
    size_t want = pool->next_size > size ? pool->next_size : size;
    if (want > SIZE_MAX - sizeof *c)
        return NULL;
    /* Pool memory is handed out zeroed; a chunk is zeroed piece by piece as
     * it is handed out (most of a compile's chunk is never used). */
    pool_chunk *n = malloc(sizeof *n + want);
    if (!n)
        return NULL;
    n->size = want;
    n->used = size;
    memset(n->data, 0, size);
    if (c && size > pool->next_size / 2) {
        /* A big request gets a chunk of its own, behind the current one,
         * which keeps serving the small requests. */
        n->next = c->next;
        c->next = n;
        return n->data;
    }
    n->next = c;
    pool->head = n;
    if (pool->next_size < RPI_POOL_CHUNK_MAX)
        pool->next_size *= 2;
    return n->data;
}

/* rpi_pool_alloc() with the common case inline: the request fits the
 * current chunk (a constant SIZE also makes the zeroing inline). */
static inline void *pool_take(rpi_pool *pool, size_t size)
{
    pool_chunk *c = pool ? pool->head : NULL;
    if (size > 0 && size <= RPI_POOL_CHUNK_MAX) {
        size_t r = (size + RPI_POOL_ALIGN - 1) & ~(size_t)(RPI_POOL_ALIGN - 1);
        if (c && c->size - c->used >= r) {
            void *p = c->data + c->used;
            c->used += r;
            return memset(p, 0, r);
        }
    }
    return rpi_pool_alloc(pool, size);
}

char *rpi_pool_strdup(rpi_pool *pool, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = pool_take(pool, len + 1);
    if (!d)
        return NULL;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/* ---- Constructors --------------------------------------------------------------- */

static ast_node *node_new(rpi_ast_builder *b, ast_kind kind, rpi_span span)
{
    ast_node *n = pool_take(b->pool, sizeof *n);
    if (!n)
        return NULL;
    if (b->next_id == 0)
        b->next_id = 1;
    n->kind = (uint8_t)kind;
    n->id = b->next_id++;
    n->span = span;
    n->op_pos = span.start;
    return n;
}

/* A pool copy of N elements of SIZE bytes at SRC; *OK false on OOM.  No
 * elements: NULL. */
static void *copy_array(rpi_ast_builder *b, const void *src, uint32_t n, size_t size, bool *ok)
{
    if (n == 0 || !src)
        return NULL;
    void *d = rpi_pool_alloc(b->pool, (size_t)n * size);
    if (!d) {
        *ok = false;
        return NULL;
    }
    memcpy(d, src, (size_t)n * size);
    return d;
}

/* OPTIONAL copied, or NULL when it marks nothing. */
static bool *copy_optional(rpi_ast_builder *b, const bool *optional, uint32_t n, bool *ok)
{
    if (!optional)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        if (optional[i])
            return copy_array(b, optional, n, sizeof *optional, ok);
    return NULL;
}

ast_node *rpi_ast_literal(rpi_ast_builder *b, val lit, rpi_span span)
{
    ast_node *n = node_new(b, AST_LITERAL, span);
    if (n)
        n->u.lit = lit;
    return n;
}

ast_node *rpi_ast_ident(rpi_ast_builder *b, const char *name, rpi_span span)
{
    if (!name)
        return NULL;
    ast_node *n = node_new(b, AST_IDENT, span);
    if (n)
        n->u.ident.name = name;
    return n;
}

ast_node *rpi_ast_select(rpi_ast_builder *b, ast_node *operand, const char *field,
                         uint32_t field_len, bool test_only, rpi_span span)
{
    if (!operand || !field)
        return NULL;
    ast_node *n = node_new(b, AST_SELECT, span);
    if (n) {
        n->u.select.operand = operand;
        n->u.select.field = field;
        n->u.select.field_len = field_len;
        n->u.select.test_only = test_only;
    }
    return n;
}

ast_node *rpi_ast_call(rpi_ast_builder *b, ast_node *target, const char *fn,
                       ast_node *const *args, uint32_t nargs, rpi_span span)
{
    if (!fn)
        return NULL;
    for (uint32_t i = 0; i < nargs; i++)
        if (!args[i])
            return NULL;
    bool ok = true;
    ast_node **a = copy_array(b, args, nargs, sizeof *args, &ok);
    ast_node *n = ok ? node_new(b, AST_CALL, span) : NULL;
    if (n) {
        /* operators' names start with one of _ @ ! - */
        b->named_calls += fn[0] != '_' && fn[0] != '@' && fn[0] != '!' && fn[0] != '-';
        n->u.call.target = target;
        n->u.call.fn = fn;
        n->u.call.args = a;
        n->u.call.nargs = nargs;
    }
    return n;
}

ast_node *rpi_ast_list(rpi_ast_builder *b, ast_node *const *elems, const bool *optional,
                       uint32_t n, rpi_span span)
{
    for (uint32_t i = 0; i < n; i++)
        if (!elems[i])
            return NULL;
    bool ok = true;
    ast_node **e = copy_array(b, elems, n, sizeof *elems, &ok);
    bool *o = copy_optional(b, optional, n, &ok);
    ast_node *node = ok ? node_new(b, AST_LIST, span) : NULL;
    if (node) {
        node->u.list.elems = e;
        node->u.list.optional = o;
        node->u.list.n = n;
    }
    return node;
}

ast_node *rpi_ast_map(rpi_ast_builder *b, ast_node *const *keys, ast_node *const *vals,
                      const bool *optional, uint32_t n, rpi_span span)
{
    for (uint32_t i = 0; i < n; i++)
        if (!keys[i] || !vals[i])
            return NULL;
    bool ok = true;
    ast_node **k = copy_array(b, keys, n, sizeof *keys, &ok);
    ast_node **v = copy_array(b, vals, n, sizeof *vals, &ok);
    bool *o = copy_optional(b, optional, n, &ok);
    ast_node *node = ok ? node_new(b, AST_MAP, span) : NULL;
    if (node) {
        node->u.map.keys = k;
        node->u.map.vals = v;
        node->u.map.optional = o;
        node->u.map.n = n;
    }
    return node;
}

ast_node *rpi_ast_struct(rpi_ast_builder *b, const char *type_name, const char *const *fields,
                         ast_node *const *vals, const bool *optional, uint32_t n, rpi_span span)
{
    if (!type_name)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        if (!fields[i] || !vals[i])
            return NULL;
    bool ok = true;
    const char **f = copy_array(b, fields, n, sizeof *fields, &ok);
    ast_node **v = copy_array(b, vals, n, sizeof *vals, &ok);
    bool *o = copy_optional(b, optional, n, &ok);
    ast_node *node = ok ? node_new(b, AST_STRUCT, span) : NULL;
    if (node) {
        node->u.strct.type_name = type_name;
        node->u.strct.fields = f;
        node->u.strct.vals = v;
        node->u.strct.optional = o;
        node->u.strct.n = n;
    }
    return node;
}

ast_node *rpi_ast_comprehension(rpi_ast_builder *b, const char *iter_var, const char *iter_var2,
                                const char *accu_var, ast_node *range, ast_node *init,
                                ast_node *cond, ast_node *step, ast_node *result,
                                rpi_span span)
{
    if (!iter_var || !accu_var || !range || !init || !cond || !step || !result)
        return NULL;
    ast_node *n = node_new(b, AST_COMPREHENSION, span);
    if (n) {
        n->u.comp.iter_var = iter_var;
        n->u.comp.iter_var2 = iter_var2;
        n->u.comp.accu_var = accu_var;
        n->u.comp.range = range;
        n->u.comp.init = init;
        n->u.comp.cond = cond;
        n->u.comp.step = step;
        n->u.comp.result = result;
    }
    return n;
}

/* ---- Debug string -------------------------------------------------------------- */

typedef struct strbuf {
    char *p;
    size_t len, cap;
    bool oom;
} strbuf;

static void sb_putn(strbuf *sb, const char *s, size_t n)
{
    if (sb->oom)
        return;
    if (sb->cap - sb->len <= n) {
        size_t cap = sb->cap ? sb->cap : 64;
        while (cap - sb->len <= n) {
            if (cap > SIZE_MAX / 2) {
                sb->oom = true;
                return;
            }
            cap *= 2;
        }
        char *p = realloc(sb->p, cap);
        if (!p) {
            sb->oom = true;
            return;
        }
        sb->p = p;
        sb->cap = cap;
    }
    memcpy(sb->p + sb->len, s, n);
    sb->len += n;
    sb->p[sb->len] = '\0';
}

static void sb_puts(strbuf *sb, const char *s)
{
    sb_putn(sb, s, strlen(s));
}

static void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *sb, const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf) {
        sb->oom = true;
        return;
    }
    sb_putn(sb, buf, (size_t)n);
}

/* D with the fewest digits that read back as D: fixed notation for
 * magnitudes from 1e-4 to 1e16, an exponent beyond, always with a '.' or an
 * exponent so that it reads as a double.  printf's decimal point follows
 * the locale; whatever it writes for it becomes '.'. */
static void put_double(strbuf *sb, double d)
{
    if (isnan(d)) {
        sb_puts(sb, "NaN");
        return;
    }
    if (isinf(d)) {
        sb_puts(sb, d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    char buf[64];
    double a = fabs(d);
    bool fixed = a == 0 || (a >= 1e-4 && a < 1e16);
    for (int prec = fixed ? 0 : 1; prec <= (fixed ? 24 : 17); prec++) {
        snprintf(buf, sizeof buf, fixed ? "%.*f" : "%.*e", fixed ? prec : prec - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    char out[72];
    size_t o = 0;
    bool point = false, in_point = false;
    for (const char *s = buf; *s && o < sizeof out - 3; s++) {
        char c = *s;
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e') {
            out[o++] = c;
            point |= c == 'e';
            in_point = false;
        } else if (!in_point) {
            out[o++] = '.';
            point = in_point = true;
        }
    }
    if (!point) {
        out[o++] = '.';
        out[o++] = '0';
    }
    sb_putn(sb, out, o);
}

static void put_quoted(strbuf *sb, const char *s, uint32_t len, bool bytes)
{
    sb_puts(sb, bytes ? "b\"" : "\"");
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sb_putn(sb, e, 2);
        } else if (c == '\n') {
            sb_puts(sb, "\\n");
        } else if (c == '\r') {
            sb_puts(sb, "\\r");
        } else if (c == '\t') {
            sb_puts(sb, "\\t");
        } else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
            sb_printf(sb, "\\x%02x", c);
        } else {
            sb_putn(sb, (const char *)&s[i], 1);
        }
    }
    sb_puts(sb, "\"");
}

static void put_literal(strbuf *sb, val v)
{
    switch (v.kind) {
    case VK_NULL: sb_puts(sb, "null"); break;
    case VK_BOOL: sb_puts(sb, v.u.b ? "true" : "false"); break;
    case VK_INT: sb_printf(sb, "%lld", (long long)v.u.i); break;
    case VK_UINT: sb_printf(sb, "%lluu", (unsigned long long)v.u.u); break;
    case VK_DOUBLE: put_double(sb, v.u.d); break;
    case VK_STRING: put_quoted(sb, v.u.s, v.aux, false); break;
    case VK_BYTES: put_quoted(sb, v.u.s, v.aux, true); break;
    default: sb_puts(sb, "<literal>"); break;
    }
}

/* Recursion is bounded by the parser's depth limit (and the small constant
 * factor macro expansion adds). */
static void put_node(strbuf *sb, const ast_node *n);

static void put_list(strbuf *sb, ast_node *const *items, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            sb_puts(sb, ", ");
        put_node(sb, items[i]);
    }
}

static void put_node(strbuf *sb, const ast_node *n)
{
    if (!n) {
        sb_puts(sb, "<null>");
        return;
    }
    switch (n->kind) {
    case AST_LITERAL:
        put_literal(sb, n->u.lit);
        break;
    case AST_IDENT:
        sb_puts(sb, n->u.ident.name);
        break;
    case AST_SELECT:
        put_node(sb, n->u.select.operand);
        sb_puts(sb, ".");
        sb_putn(sb, n->u.select.field, n->u.select.field_len);
        if (n->u.select.test_only)
            sb_puts(sb, "~test-only~");
        break;
    case AST_CALL:
        if (n->u.call.target) {
            put_node(sb, n->u.call.target);
            sb_puts(sb, ".");
        }
        sb_puts(sb, n->u.call.fn);
        sb_puts(sb, "(");
        put_list(sb, n->u.call.args, n->u.call.nargs);
        sb_puts(sb, ")");
        break;
    case AST_LIST:
        sb_puts(sb, "[");
        for (uint32_t i = 0; i < n->u.list.n; i++) {
            if (i)
                sb_puts(sb, ", ");
            if (n->u.list.optional && n->u.list.optional[i])
                sb_puts(sb, "?");
            put_node(sb, n->u.list.elems[i]);
        }
        sb_puts(sb, "]");
        break;
    case AST_MAP:
        sb_puts(sb, "{");
        for (uint32_t i = 0; i < n->u.map.n; i++) {
            if (i)
                sb_puts(sb, ", ");
            if (n->u.map.optional && n->u.map.optional[i])
                sb_puts(sb, "?");
            put_node(sb, n->u.map.keys[i]);
            sb_puts(sb, ": ");
            put_node(sb, n->u.map.vals[i]);
        }
        sb_puts(sb, "}");
        break;
    case AST_STRUCT:
        sb_puts(sb, n->u.strct.type_name);
        sb_puts(sb, "{");
        for (uint32_t i = 0; i < n->u.strct.n; i++) {
            if (i)
                sb_puts(sb, ", ");
            if (n->u.strct.optional && n->u.strct.optional[i])
                sb_puts(sb, "?");
            sb_puts(sb, n->u.strct.fields[i]);
            sb_puts(sb, ": ");
            put_node(sb, n->u.strct.vals[i]);
        }
        sb_puts(sb, "}");
        break;
    case AST_COMPREHENSION:
        sb_puts(sb, "__comprehension__(");
        sb_puts(sb, n->u.comp.iter_var);
        sb_puts(sb, ", ");
        if (n->u.comp.iter_var2) {
            sb_puts(sb, n->u.comp.iter_var2);
            sb_puts(sb, ", ");
        }
        put_node(sb, n->u.comp.range);
        sb_puts(sb, ", ");
        sb_puts(sb, n->u.comp.accu_var);
        sb_puts(sb, ", ");
        put_node(sb, n->u.comp.init);
        sb_puts(sb, ", ");
        put_node(sb, n->u.comp.cond);
        sb_puts(sb, ", ");
        put_node(sb, n->u.comp.step);
        sb_puts(sb, ", ");
        put_node(sb, n->u.comp.result);
        sb_puts(sb, ")");
        break;
    default:
        sb_puts(sb, "<unknown>");
        break;
    }
}

char *rpi_ast_debug_string(const ast_node *root)
{
    strbuf sb = {0};
    put_node(&sb, root);
    if (sb.oom) {
        free(sb.p);
        return NULL;
    }
    return sb.p;
}
