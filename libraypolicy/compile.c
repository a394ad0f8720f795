/* compile.c -- AST (macros expanded) -> bytecode.
 *
 * One recursive walk emits stack code (opcodes.def).  The decisions that
 * make the VM fast are taken here, once:
 *   - names are resolved at compile time: comprehension variables become
 *     local slots, `a.b.c` becomes the longest declared variable name plus a
 *     fused SELECT chain of the remaining fields, type names become
 *     constants, `strings.quote(x)` becomes a global call;
 *   - every function call is bound to its registry entry (no lookup by name
 *     at run time), and `matches` with a constant pattern gets a regex
 *     compiled once, here;
 *   - `&&`, `||` and `?:` become short-circuit jumps that still evaluate the
 *     other side when the first is not decisive, so that errors are absorbed
 *     in both orders as CEL requires;
 *   - `x in ['a', 'b']` with a constant list becomes IN_CONST.
 * The compiler tracks the stack depth to size the VM frame exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Where cel-go points at node N: its operator, call parenthesis or dot. */
#define ESPAN(n) (&(rpi_span){(n)->op_pos, (n)->op_pos + 1})
#include "opcodes.h"

/* Where the limits of one program come from: operands are 16-bit. */
#define MAX_CONSTS 65535u
#define MAX_NAMES 65535u
#define MAX_LOCALS 65535u
#define MAX_CODE (1u << 24)
#define MAX_ARGS 255u   /* the x operand of CALL is a byte */

typedef struct scope_entry {
    const char *name;
    uint16_t slot;
} scope_entry;

/* Instructions (and their spans) a compile holds before it allocates. */
#define CODE_INLINE 64

typedef struct compiler {
    rp_program *prog;
    const rp_env *env;
    rpi_diag *diag;
    int failed;             /* RP_E* once an error was reported */

    rpi_insn *code;
    rpi_span *spans;
    uint32_t ncode, capcode;
    val *consts;
    uint32_t nconsts, capconsts;
    rpi_callable *funcs;
    uint32_t nfuncs, capfuncs;
    char **names;
    uint32_t nnames, capnames;
    rpi_regex **regexes;
    uint32_t nregexes, capregexes;

    scope_entry *scope;
    uint32_t nscope, capscope;
    uint32_t nlocals, maxlocals;

    /* In the step of a fused map()/filter(): the `@result + [t]` node that
     * compiles as LIST_APPEND to local append_slot. */
    const ast_node *append_node;
    uint16_t append_slot;

    int32_t depth, maxdepth;    /* stack depth */

    /* The first entries of each array: most expressions need no more, and
     * a compile then allocates none of them (grow() moves an array to the
     * heap when it outgrows these).  The program gets copies in its pool.
     * Last in the struct: only the members above are zeroed. */
    rpi_insn code_inline[CODE_INLINE];
    rpi_span spans_inline[CODE_INLINE];     /* one per instruction */
    val consts_inline[32];
    rpi_callable funcs_inline[16];
    char *names_inline[8];
    rpi_regex *regexes_inline[4];
    scope_entry scope_inline[16];
} compiler;

/* Where each growable array starts out (grow() must not realloc it). */
static bool is_inline(const compiler *c, const void *p)
{
    return p == c->code_inline || p == c->spans_inline || p == c->consts_inline ||
           p == c->funcs_inline || p == c->names_inline || p == c->regexes_inline ||
           p == c->scope_inline;
}

static void free_array(const compiler *c, void *p)
{
    if (!is_inline(c, p))
        free(p);
}

/* ---- Small growable arrays ------------------------------------------------- */

static bool grow(compiler *c, void **p, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    uint32_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *np;
    if (is_inline(c, *p)) {
        np = malloc((size_t)n * elem);
        if (np)
            memcpy(np, *p, (size_t)*cap * elem);
    } else {
        np = realloc(*p, (size_t)n * elem);
    }
    if (!np) {
        if (!c->failed) {
            c->failed = RP_ENOMEM;
            rpi_diag_set(c->diag, RP_ENOMEM, NULL, "out of memory");
        }
        return false;
    }
    *p = np;
    *cap = n;
    return true;
}

static void fail(compiler *c, int code, const rpi_span *span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(compiler *c, int code, const rpi_span *span, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = code;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rpi_diag_set(c->diag, code, span, "%s", msg);
}

/* ---- Emission ------------------------------------------------------------------ */

static void adjust(compiler *c, int delta)
{
    c->depth += delta;
    if (c->depth > c->maxdepth)
        c->maxdepth = c->depth;
}

/* Emit one instruction; returns its index (for patching jumps). */
static uint32_t emit(compiler *c, rpi_opcode op, uint8_t x, uint16_t a, int32_t b,
                     const rpi_span *span)
{
    if (c->failed)
        return 0;
    if (c->ncode >= MAX_CODE) {
        fail(c, RP_ELIMIT, span, "program too large: more than %u instructions", MAX_CODE);
        return 0;
    }
    if (c->ncode == c->capcode) {
        uint32_t cap = c->capcode;
        if (!grow(c, (void **)&c->code, &cap, c->ncode + 1, sizeof *c->code))
            return 0;
        cap = c->capcode;
        if (!grow(c, (void **)&c->spans, &cap, c->ncode + 1, sizeof *c->spans))
            return 0;
        c->capcode = cap;
    }
    rpi_insn in = {(uint8_t)op, x, a, b};
    c->code[c->ncode] = in;
    c->spans[c->ncode] = span ? *span : (rpi_span){0, 0};
    const rpi_opinfo *oi = &rpi_opcodes[op];
    if (oi->pops >= 0)
        adjust(c, oi->pushes - oi->pops);
    return c->ncode++;
}

/* Point the jump at AT to the next instruction to be emitted. */
static void patch_here(compiler *c, uint32_t at)
{
    if (c->failed)
        return;
    c->code[at].b = (int32_t)(c->ncode - (at + 1));
}

/* Append V to the pool without deduplication (field chains must be
 * consecutive). */
static uint16_t push_const(compiler *c, val v, const rpi_span *span)
{
    if (c->failed)
        return 0;
    if (c->nconsts >= MAX_CONSTS) {
        fail(c, RP_ELIMIT, span, "too many constants (limit is %u)", MAX_CONSTS);
        return 0;
    }
    if (!grow(c, (void **)&c->consts, &c->capconsts, c->nconsts + 1, sizeof *c->consts))
        return 0;
    c->consts[c->nconsts] = v;
    return (uint16_t)c->nconsts++;
}

static uint16_t intern_const(compiler *c, val v, const rpi_span *span)
{
    for (uint32_t i = 0; i < c->nconsts; i++) {
        val k = c->consts[i];
        if (k.kind != v.kind)
            continue;
        bool same = false;
        switch (v.kind) {
        case VK_NULL: same = true; break;
        case VK_BOOL: same = k.u.b == v.u.b; break;
        case VK_INT: same = k.u.i == v.u.i; break;
        case VK_UINT: same = k.u.u == v.u.u; break;
        case VK_DOUBLE: same = memcmp(&k.u.d, &v.u.d, sizeof k.u.d) == 0; break;
        case VK_STRING:
        case VK_BYTES: same = k.aux == v.aux && memcmp(k.u.s, v.u.s, v.aux) == 0; break;
        case VK_TYPE: same = k.u.type == v.u.type; break;
        default: break;
        }
        if (same)
            return (uint16_t)i;
    }
    return push_const(c, v, span);
}

static uint16_t add_name(compiler *c, const char *name, size_t len, const rpi_span *span)
{
    for (uint32_t i = 0; i < c->nnames; i++)
        if (strlen(c->names[i]) == len && memcmp(c->names[i], name, len) == 0)
            return (uint16_t)i;
    if (c->nnames >= MAX_NAMES) {
        fail(c, RP_ELIMIT, span, "too many variables (limit is %u)", MAX_NAMES);
        return 0;
    }
    if (!grow(c, (void **)&c->names, &c->capnames, c->nnames + 1, sizeof *c->names))
        return 0;
    char *copy = rpi_pool_alloc(c->prog->pool, len + 1); /* zeroed: NUL-terminated */
    if (!copy) {
        fail(c, RP_ENOMEM, NULL, "out of memory");
        return 0;
    }
    memcpy(copy, name, len);
    c->names[c->nnames] = copy;
    return (uint16_t)c->nnames++;
}

/* The callable for (NAME, STYLE, ARGC), added to the program once. */
static int32_t add_callable(compiler *c, const char *name, unsigned style, unsigned argc)
{
    rpi_callable k = {{0}, 0};
    k.n = (unsigned)rpi_registry_find_all(c->env->profile_bit, name, style, argc, k.cand,
                                          RPI_MAX_CANDIDATES);
    for (uint32_t i = 0; i < c->nfuncs; i++)
        if (c->funcs[i].n == k.n && memcmp(c->funcs[i].cand, k.cand, sizeof k.cand) == 0)
            return (int32_t)i;
    if (!grow(c, (void **)&c->funcs, &c->capfuncs, c->nfuncs + 1, sizeof *c->funcs))
        return 0;
    c->funcs[c->nfuncs] = k;
    return (int32_t)c->nfuncs++;
}

/* ---- Scopes ------------------------------------------------------------------ */

static bool scope_find(const compiler *c, const char *name, size_t len, uint16_t *slot)
{
    for (uint32_t i = c->nscope; i-- > 0;) {
        const char *n = c->scope[i].name;
        if (strlen(n) == len && memcmp(n, name, len) == 0) {
            *slot = c->scope[i].slot;
            return true;
        }
    }
    return false;
}

static uint16_t local_new(compiler *c, const rpi_span *span)
{
    if (c->nlocals >= MAX_LOCALS) {
        fail(c, RP_ELIMIT, span, "too many comprehension variables (limit is %u)", MAX_LOCALS);
        return 0;
    }
    uint16_t s = (uint16_t)c->nlocals++;
    if (c->nlocals > c->maxlocals)
        c->maxlocals = c->nlocals;
    return s;
}

static void scope_push(compiler *c, const char *name, uint16_t slot)
{
    if (!grow(c, (void **)&c->scope, &c->capscope, c->nscope + 1, sizeof *c->scope))
        return;
    c->scope[c->nscope].name = name;
    c->scope[c->nscope].slot = slot;
    c->nscope++;
}

/* ---- Names ----------------------------------------------------------------- */

/* The built-in type names that are values (`type(1) == int`). */
static const rpi_type *const types[] = {
    &rpi_type_int, &rpi_type_uint, &rpi_type_double, &rpi_type_bool, &rpi_type_string,
    &rpi_type_bytes, &rpi_type_list, &rpi_type_map, &rpi_type_null, &rpi_type_type,
    &rpi_type_timestamp, &rpi_type_duration, &rpi_type_optional,
    &rpi_type_k8s_quantity, &rpi_type_k8s_ip, &rpi_type_k8s_cidr, &rpi_type_k8s_url,
    &rpi_type_k8s_semver,
};

unsigned rpi_type_name_max_parts(void)
{
    unsigned most = 1;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        unsigned parts = 1;
        for (const char *q = types[i]->name; *q; q++)
            parts += *q == '.';
        if (parts > most)
            most = parts;
    }
    return most;
}

uint64_t rpi_type_dotted_heads(void)
{
    uint64_t heads = 0;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strchr(types[i]->name, '.'))
            heads |= rpi_name_head_bit(types[i]->name, strlen(types[i]->name));
    return heads;
}

static const rpi_type *type_by_name(const char *name, size_t len)
{
    if (len > 0 && name[0] == '.') {
        name++;
        len--;
    }
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (len && types[i]->name[0] == name[0] && strlen(types[i]->name) == len &&
            memcmp(types[i]->name, name, len) == 0)
            return types[i];
    return NULL;
}

/* If NODE is an identifier or a chain of field selections on one (a.b.c),
 * write the parts into PARTS (innermost first) and return their count;
 * 0 otherwise.  Test-only selections (has) end the chain. */
#define MAX_CHAIN 64
static int name_chain(const ast_node *node, const ast_node **parts, int max)
{
    int n = 0;
    const ast_node *stack[MAX_CHAIN];
    while (node && node->kind == AST_SELECT && !node->u.select.test_only) {
        if (n >= MAX_CHAIN)
            return 0;
        stack[n++] = node;
        node = node->u.select.operand;
    }
    if (!node || node->kind != AST_IDENT || n + 1 > max)
        return 0;
    parts[0] = node;
    for (int i = 0; i < n; i++)
        parts[i + 1] = stack[n - 1 - i];
    return n + 1;
}

/* Join parts[0..k) with dots into BUF; false when it does not fit. */
static bool join_chain(const ast_node *const *parts, int k, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    for (int i = 0; i < k; i++) {
        const char *s = i == 0 ? parts[0]->u.ident.name : parts[i]->u.select.field;
        size_t l = i == 0 ? strlen(s) : parts[i]->u.select.field_len;
        if (n + l + 2 > cap)
            return false;
        if (i > 0)
            buf[n++] = '.';
        memcpy(buf + n, s, l);
        n += l;
    }
    buf[n] = '\0';
    *len = n;
    return true;
}

static void compile_node(compiler *c, const ast_node *n);

/* Emit SELECTs for parts[from..count) as fused chains. */
static void emit_select_chain(compiler *c, const ast_node *const *parts, int from, int count)
{
    if (from >= count)
        return;
    uint16_t first = 0;
    for (int i = from; i < count; i++) {
        const ast_node *p = parts[i];
        uint16_t k = push_const(c, val_string(p->u.select.field, p->u.select.field_len), ESPAN(p));
        if (i == from)
            first = k;
    }
    emit(c, OP_SELECT, 0, first, count - from, ESPAN(parts[count - 1]));
}

/* Resolve an identifier or a.b.c chain.  Returns true when it handled the
 * node (emitted code or reported an error). */
static bool compile_name(compiler *c, const ast_node *n)
{
    const ast_node *parts[MAX_CHAIN + 1];
    int count = name_chain(n, parts, MAX_CHAIN + 1);
    if (count == 0)
        return false;
    const char *id = parts[0]->u.ident.name;
    size_t idlen = strlen(id);
    uint16_t slot;
    if (id[0] != '.' && scope_find(c, id, idlen, &slot)) {
        emit(c, OP_LOAD_LOCAL, 0, slot, 0, ESPAN(parts[0]));
        emit_select_chain(c, parts, 1, count);
        return true;
    }
    /* Longest declared variable name, then type names; no name has more
     * than max_name_parts dotted parts, and when no dotted name starts
     * with ID's text, only ID itself can be one. */
    char buf[1024];
    int top = count < (int)c->env->max_name_parts ? count : (int)c->env->max_name_parts;
    const char *head = id[0] == '.' ? id + 1 : id;
    if (top > 1 && !(c->env->dotted_heads & rpi_name_head_bit(head, strlen(head))))
        top = 1;
    for (int k = top; k >= 1; k--) {
        size_t len;
        if (!join_chain(parts, k, buf, sizeof buf, &len))
            continue;
        const char *name = buf;
        size_t nlen = len;
        if (name[0] == '.') {
            name++;
            nlen--;
        }
        if (rpi_env_has_variable(c->env, name, nlen)) {
            uint16_t ni = add_name(c, name, nlen, ESPAN(parts[k - 1]));
            emit(c, OP_LOAD_VAR, 0, ni, 0, ESPAN(parts[k - 1]));
            emit_select_chain(c, parts, k, count);
            return true;
        }
        const rpi_type *t = type_by_name(buf, len);
        if (t) {
            uint16_t ki = intern_const(c, val_type(t), ESPAN(parts[k - 1]));
            emit(c, OP_CONST, 0, ki, 0, ESPAN(parts[k - 1]));
            emit_select_chain(c, parts, k, count);
            return true;
        }
    }
    if (c->env->allow_undeclared) {
        const char *name = id[0] == '.' ? id + 1 : id;
        uint16_t ni = add_name(c, name, strlen(name), ESPAN(parts[0]));
        emit(c, OP_LOAD_VAR, 0, ni, 0, ESPAN(parts[0]));
        emit_select_chain(c, parts, 1, count);
        return true;
    }
    if (c->env->profile != RP_PROFILE_CEL && strcmp(id, "authorizer") == 0) {
        /* Kubernetes' authorizer library asks the API server's authorizer:
         * there is none offline, so say so rather than "undeclared". */
        fail(c, RP_ECHECK, ESPAN(parts[0]),
             "undeclared reference to 'authorizer': the Kubernetes authorizer library needs a live "
             "API server and is not available offline");
        return true;
    }
    fail(c, RP_ECHECK, ESPAN(parts[0]), "undeclared reference to '%s' (in container '')", id);
    return true;
}

/* ---- Calls -------------------------------------------------------------------- */

static const char *profile_name(unsigned bit)
{
    switch (bit) {
    case RPI_PROF_CEL: return "cel";
    case RPI_PROF_K8S: return "kubernetes";
    default: return "extended";
    }
}

/* Report a function that does not resolve, with the most useful reason.
 * Returns true when unchecked compilation (cel-go's disableCheck) wants the
 * call compiled into a run-time error instead, so that `f(1) || true` can
 * still absorb it. */
static bool unknown_function(compiler *c, const ast_node *n, const char *name, unsigned style,
                             unsigned argc)
{
    unsigned bit = c->env->profile_bit;
    if (c->env->allow_undeclared)
        return true;
    if (rpi_registry_has_name(bit, name)) {
        fail(c, RP_ECHECK, ESPAN(n),
             "found no matching overload for '%s' applied to %u argument%s%s", name, argc,
             argc == 1 ? "" : "s", style == RPI_RECEIVER ? " (receiver call)" : "");
        return false;
    }
    unsigned others = rpi_registry_profiles_of(name);
    if (others) {
        char where[64] = "";
        const unsigned bits[] = {RPI_PROF_CEL, RPI_PROF_K8S, RPI_PROF_EXT};
        for (int i = 0; i < 3; i++)
            if (others & bits[i]) {
                if (where[0])
                    strcat(where, ", ");
                strcat(where, profile_name(bits[i]));
            }
        fail(c, RP_ECHECK, ESPAN(n),
             "function '%s' is not available in the %s profile (profiles that have it: %s)", name,
             profile_name(bit), where);
        return false;
    }
    fail(c, RP_ECHECK, ESPAN(n), "undeclared reference to '%s' (in container '')", name);
    return false;
}

/* The run-time error of a call that did not resolve in unchecked mode: the
 * arguments are still evaluated (an error among them wins, as for any
 * strict call), then the whole call is the error. */
static void emit_unresolved_call(compiler *c, const ast_node *n, const ast_node *target,
                                 const char *name)
{
    if (target)
        compile_node(c, target);
    for (uint32_t i = 0; i < n->u.call.nargs; i++)
        compile_node(c, n->u.call.args[i]);
    uint32_t count = n->u.call.nargs + (target ? 1 : 0);
    char msg[300];
    int len = snprintf(msg, sizeof msg, "no such overload: %s", name);
    char *text = rpi_pool_strdup(c->prog->pool, msg, (size_t)len < sizeof msg ? (size_t)len : sizeof msg - 1);
    if (!text) {
        fail(c, RP_ENOMEM, NULL, "out of memory");
        return;
    }
    val err = val_error_static(text, (uint32_t)strlen(text));
    emit(c, OP_CONST, 0, push_const(c, err, ESPAN(n)), 0, ESPAN(n));
    if (count > MAX_ARGS) {
        fail(c, RP_ELIMIT, ESPAN(n), "too many arguments: %u (limit is %u)", count, MAX_ARGS);
        return;
    }
    emit(c, OP_CALL_FAIL, (uint8_t)count, 0, 0, ESPAN(n));
    adjust(c, -(int)count);
}

static void emit_call(compiler *c, const rpi_func *f, unsigned style, unsigned argc,
                      const rpi_span *span)
{
    if (argc > MAX_ARGS) {
        fail(c, RP_ELIMIT, span, "too many arguments: %u (limit is %u)", argc, MAX_ARGS);
        return;
    }
    int32_t fi = add_callable(c, f->name, style, argc);
    emit(c, OP_CALL, (uint8_t)argc, 0, fi, span);
    adjust(c, 1 - (int)argc);
}

/* s.matches('<constant>') and matches(s, '<constant>'): compile the regex now. */
static bool try_match_const(compiler *c, const ast_node *subject, const ast_node *pattern,
                            const rpi_span *span)
{
    if (pattern->kind != AST_LITERAL || pattern->u.lit.kind != VK_STRING)
        return false;
    if (pattern->u.lit.aux > c->env->max_regex_length) {
        fail(c, RP_ELIMIT, ESPAN(pattern), "regex exceeds limit max_regex_length (%zu bytes): %u bytes",
             c->env->max_regex_length, pattern->u.lit.aux);
        return true;
    }
    /* Through this thread's cache, as V8 shares a RegExp's compilation by
     * source: packs repeat patterns, and a program holds a reference of
     * its own. */
    char errbuf[256] = "";
    bool owned;
    rpi_regex *re = rpi_regex_compile_cached(pattern->u.lit.u.s, pattern->u.lit.aux, errbuf,
                                             sizeof errbuf, &owned);
    if (re && !owned)
        rpi_regex_ref(re);
    if (!re) {
        if (strcmp(errbuf, "out of memory") == 0)
            fail(c, RP_ENOMEM, NULL, "out of memory");
        else
            fail(c, RP_ECHECK, ESPAN(pattern), "invalid regular expression: %s",
                 errbuf[0] ? errbuf : "cannot compile");
        return true;
    }
    if (c->nregexes >= MAX_CONSTS ||
        !grow(c, (void **)&c->regexes, &c->capregexes, c->nregexes + 1, sizeof *c->regexes)) {
        rpi_regex_free(re);
        if (!c->failed)
            fail(c, RP_ELIMIT, span, "too many regular expressions");
        return true;
    }
    c->regexes[c->nregexes] = re;
    uint16_t ri = (uint16_t)c->nregexes++;
    compile_node(c, subject);
    emit(c, OP_MATCH_CONST, 0, ri, 0, span);
    return true;
}

/* A constant list of string literals, for IN_CONST. */
static bool const_string_list(const ast_node *n)
{
    if (n->kind != AST_LIST || n->u.list.optional || n->u.list.n == 0 || n->u.list.n > 64)
        return false;
    for (uint32_t i = 0; i < n->u.list.n; i++) {
        const ast_node *e = n->u.list.elems[i];
        if (e->kind != AST_LITERAL || e->u.lit.kind != VK_STRING)
            return false;
    }
    return true;
}

static void compile_binary(compiler *c, rpi_opcode op, const ast_node *n)
{
    compile_node(c, n->u.call.args[0]);
    compile_node(c, n->u.call.args[1]);
    emit(c, op, 0, 0, 0, ESPAN(n));
}

static void compile_logical(compiler *c, const ast_node *n, bool is_and)
{
    compile_node(c, n->u.call.args[0]);
    uint32_t j = emit(c, is_and ? OP_AND_SHORT : OP_OR_SHORT, 0, 0, 0, ESPAN(n));
    compile_node(c, n->u.call.args[1]);
    emit(c, is_and ? OP_AND : OP_OR, 0, 0, 0, ESPAN(n));
    patch_here(c, j);
}

static void compile_ternary(compiler *c, const ast_node *n)
{
    compile_node(c, n->u.call.args[0]);
    uint32_t test = emit(c, OP_COND_TEST, 0, 0, 0, ESPAN(n->u.call.args[0]));
    uint32_t jf = emit(c, OP_JUMP_IF_FALSE, 0, 0, 0, ESPAN(n));
    compile_node(c, n->u.call.args[1]);
    uint32_t jend = emit(c, OP_JUMP, 0, 0, 0, ESPAN(n));
    adjust(c, -1); /* the else branch starts at the same depth as the then branch */
    patch_here(c, jf);
    compile_node(c, n->u.call.args[2]);
    patch_here(c, jend);
    patch_here(c, test);
}

/* Operators and functions. */
/* FN names the function LIT (two or more characters): the first two
 * characters decide most comparisons without a call. */
#define FN_IS(fn, lit) ((fn)[0] == (lit)[0] && (fn)[1] == (lit)[1] && strcmp((fn) + 2, (lit) + 2) == 0)

static void compile_call(compiler *c, const ast_node *n)
{
    const char *fn = n->u.call.fn;
    uint32_t argc = n->u.call.nargs;
    const ast_node *target = n->u.call.target;
    ast_node *const *args = n->u.call.args;

    if (n == c->append_node) {
        /* @result + [t] in a fused map()/filter(): t, appended in place */
        const ast_node *t = args[1]->u.list.elems[0];
        c->append_node = NULL; /* t may hold comprehensions of its own */
        compile_node(c, t);
        emit(c, OP_LIST_APPEND, 0, c->append_slot, 0, ESPAN(n));
        return;
    }

    if (!target) {
        static const struct {
            const char *name;
            uint8_t op;
            uint8_t argc;
        } ops[] = {
            {"_+_", OP_ADD, 2}, {"_-_", OP_SUB, 2}, {"_*_", OP_MUL, 2}, {"_/_", OP_DIV, 2},
            {"_%_", OP_MOD, 2}, {"_==_", OP_EQ, 2}, {"_!=_", OP_NE, 2}, {"_<_", OP_LT, 2},
            {"_<=_", OP_LE, 2}, {"_>_", OP_GT, 2},  {"_>=_", OP_GE, 2}, {"_[_]", OP_INDEX, 2},
            {"_[?_]", OP_INDEX_OPT, 2}, {"-_", OP_NEG, 1}, {"!_", OP_NOT, 1},
            {"@not_strictly_false", OP_NOT_STRICTLY_FALSE, 1},
        };
        if (FN_IS(fn, "_&&_") && argc == 2) {
            compile_logical(c, n, true);
            return;
        }
        if (FN_IS(fn, "_||_") && argc == 2) {
            compile_logical(c, n, false);
            return;
        }
        if (FN_IS(fn, "_?_:_") && argc == 3) {
            compile_ternary(c, n);
            return;
        }
        if (FN_IS(fn, "@in") && argc == 2) {
            if (const_string_list(args[1])) {
                const ast_node *l = args[1];
                /* The list goes into the pool as one constant list. */
                rpi_list *cl = rpi_pool_alloc(c->prog->pool,
                                              sizeof *cl + l->u.list.n * sizeof(val));
                if (!cl) {
                    fail(c, RP_ENOMEM, NULL, "out of memory");
                    return;
                }
                cl->n = l->u.list.n;
                for (uint32_t i = 0; i < cl->n; i++)
                    cl->items[i] = l->u.list.elems[i]->u.lit;
                uint16_t k = push_const(c, val_list(cl), ESPAN(l));
                compile_node(c, args[0]);
                emit(c, OP_IN_CONST, 0, k, 0, ESPAN(n));
                return;
            }
            compile_binary(c, OP_IN, n);
            return;
        }
        if (FN_IS(fn, "_?._") && argc == 2) {
            const ast_node *f = args[1];
            if (f->kind != AST_LITERAL || f->u.lit.kind != VK_STRING) {
                fail(c, RP_ESYNTAX, ESPAN(f), "optional field selection needs a field name");
                return;
            }
            compile_node(c, args[0]);
            uint16_t k = push_const(c, f->u.lit, ESPAN(f));
            emit(c, OP_SELECT_OPT, 0, k, 0, ESPAN(n));
            return;
        }
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            if (ops[i].argc == argc && FN_IS(fn, ops[i].name)) {
                if (argc == 2) {
                    compile_binary(c, (rpi_opcode)ops[i].op, n);
                } else {
                    compile_node(c, args[0]);
                    emit(c, (rpi_opcode)ops[i].op, 0, 0, 0, ESPAN(n));
                }
                return;
            }
        }
        if (FN_IS(fn, "matches") && argc == 2 &&
            rpi_registry_find(c->env->profile_bit, "matches", RPI_GLOBAL, 2) &&
            try_match_const(c, args[0], args[1], ESPAN(n)))
            return;
        const rpi_func *f = rpi_registry_find(c->env->profile_bit, fn, RPI_GLOBAL, argc);
        if (!f) {
            if (unknown_function(c, n, fn, RPI_GLOBAL, argc))
                emit_unresolved_call(c, n, NULL, fn);
            return;
        }
        for (uint32_t i = 0; i < argc; i++)
            compile_node(c, args[i]);
        emit_call(c, f, RPI_GLOBAL, argc, ESPAN(n));
        return;
    }

    /* A namespaced global function: strings.quote(x), optional.of(x). */
    const ast_node *parts[MAX_CHAIN + 1];
    int count = name_chain(target, parts, MAX_CHAIN + 1);
    if (count > 0) {
        uint16_t slot;
        const char *id = parts[0]->u.ident.name;
        char buf[1024];
        size_t len;
        if (!scope_find(c, id, strlen(id), &slot) && join_chain(parts, count, buf, sizeof buf, &len) &&
            len + strlen(fn) + 2 < sizeof buf) {
            char *q = buf[0] == '.' ? buf + 1 : buf;
            if (!rpi_env_has_variable(c->env, q, strlen(q))) {
                strcat(q, ".");
                strcat(q, fn);
                const rpi_func *f = rpi_registry_find(c->env->profile_bit, q, RPI_GLOBAL, argc);
                if (f) {
                    for (uint32_t i = 0; i < argc; i++)
                        compile_node(c, args[i]);
                    emit_call(c, f, RPI_GLOBAL, argc, ESPAN(n));
                    return;
                }
            }
        }
    }

    if (strcmp(fn, "matches") == 0 && argc == 1 &&
        rpi_registry_find(c->env->profile_bit, "matches", RPI_RECEIVER, 2) &&
        try_match_const(c, target, args[0], ESPAN(n)))
        return;
    const rpi_func *f = rpi_registry_find(c->env->profile_bit, fn, RPI_RECEIVER, argc + 1);
    if (!f) {
        if (!c->env->allow_undeclared) {
            /* an error inside the receiver is further left: report it first */
            compile_node(c, target);
            if (c->failed)
                return;
        }
        if (unknown_function(c, n, fn, RPI_RECEIVER, argc + 1))
            emit_unresolved_call(c, n, target, fn);
        return;
    }
    compile_node(c, target);
    for (uint32_t i = 0; i < argc; i++)
        compile_node(c, args[i]);
    emit_call(c, f, RPI_RECEIVER, argc + 1, ESPAN(n));
}

/* ---- Literals ------------------------------------------------------------------ */

/* The flags constant of an optional list/map literal: one byte per element. */
static uint16_t optional_flags(compiler *c, const bool *optional, uint32_t n, const rpi_span *span)
{
    char *flags = rpi_pool_alloc(c->prog->pool, n ? n : 1);
    if (!flags) {
        fail(c, RP_ENOMEM, NULL, "out of memory");
        return 0;
    }
    for (uint32_t i = 0; i < n; i++)
        flags[i] = optional[i] ? 1 : 0;
    return push_const(c, val_bytes(flags, n), span);
}

static void compile_list(compiler *c, const ast_node *n)
{
    uint32_t count = n->u.list.n;
    for (uint32_t i = 0; i < count; i++)
        compile_node(c, n->u.list.elems[i]);
    uint16_t a = 0;
    if (n->u.list.optional)
        a = (uint16_t)(optional_flags(c, n->u.list.optional, count, ESPAN(n)) + 1);
    emit(c, OP_MAKE_LIST, 0, a, (int32_t)count, ESPAN(n));
    adjust(c, 1 - (int)count);
}

static void compile_map(compiler *c, const ast_node *n)
{
    uint32_t count = n->u.map.n;
    for (uint32_t i = 0; i < count; i++) {
        compile_node(c, n->u.map.keys[i]);
        compile_node(c, n->u.map.vals[i]);
    }
    uint16_t a = 0;
    if (n->u.map.optional)
        a = (uint16_t)(optional_flags(c, n->u.map.optional, count, ESPAN(n)) + 1);
    emit(c, OP_MAKE_MAP, 0, a, (int32_t)count, ESPAN(n));
    adjust(c, 1 - 2 * (int)count);
}

/* ---- Comprehensions ---------------------------------------------------------- */

/*    <range>
 *    ITER_INIT   it        -> exit      (range is not iterable: error pushed)
 *    <init>      STORE_LOCAL accu
 *  loop:
 *    ITER_NEXT   it        -> result    (sets the iteration variables)
 *    <cond>      LOOP_COND -> result
 *    <step>      STORE_LOCAL accu
 *    JUMP        loop
 *  result:
 *    <result>
 *  exit:
 */
/* ---- Comprehensions --------------------------------------------------------------- */

static bool is_ident(const ast_node *n, const char *name)
{
    return n->kind == AST_IDENT && strcmp(n->u.ident.name, name) == 0;
}

static bool is_call(const ast_node *n, const char *fn, uint32_t nargs)
{
    return n->kind == AST_CALL && !n->u.call.target && n->u.call.nargs == nargs &&
           strcmp(n->u.call.fn, fn) == 0;
}

static bool is_bool_literal(const ast_node *n, bool b)
{
    return n->kind == AST_LITERAL && n->u.lit.kind == VK_BOOL && n->u.lit.u.b == b;
}

/* Whether identifier NAME, as N's enclosing scope means it, occurs in N.
 * A comprehension's own variables hide it: the accumulator in the
 * condition, step and result (every macro's accumulator is "@result", so
 * this is what lets nested macros be told apart), the iteration variables
 * in the condition and step. */
static bool mentions(const ast_node *n, const char *name)
{
    if (!n)
        return false;
    switch ((ast_kind)n->kind) {
    case AST_LITERAL:
        return false;
    case AST_IDENT:
        return strcmp(n->u.ident.name, name) == 0;
    case AST_SELECT:
        return mentions(n->u.select.operand, name);
    case AST_CALL:
        if (mentions(n->u.call.target, name))
            return true;
        for (uint32_t i = 0; i < n->u.call.nargs; i++)
            if (mentions(n->u.call.args[i], name))
                return true;
        return false;
    case AST_LIST:
        for (uint32_t i = 0; i < n->u.list.n; i++)
            if (mentions(n->u.list.elems[i], name))
                return true;
        return false;
    case AST_MAP:
        for (uint32_t i = 0; i < n->u.map.n; i++)
            if (mentions(n->u.map.keys[i], name) || mentions(n->u.map.vals[i], name))
                return true;
        return false;
    case AST_STRUCT:
        for (uint32_t i = 0; i < n->u.strct.n; i++)
            if (mentions(n->u.strct.vals[i], name))
                return true;
        return false;
    case AST_COMPREHENSION: {
        if (mentions(n->u.comp.range, name) || mentions(n->u.comp.init, name))
            return true;
        if (strcmp(n->u.comp.accu_var, name) == 0)
            return false;
        bool iter = strcmp(n->u.comp.iter_var, name) == 0 ||
                    (n->u.comp.iter_var2 && strcmp(n->u.comp.iter_var2, name) == 0);
        return (!iter && (mentions(n->u.comp.cond, name) || mentions(n->u.comp.step, name))) ||
               mentions(n->u.comp.result, name);
    }
    }
    return true;
}

/* The predicate of all() (AND true) or exists() (AND false) when N is one of
 * them as the macros write it: init true, condition
 * @not_strictly_false(@result), step @result && p (for exists: false,
 * @not_strictly_false(!@result), @result || p); NULL otherwise. */
static const ast_node *all_exists_predicate(const ast_node *n, bool *is_all)
{
    const char *acc = n->u.comp.accu_var;
    const ast_node *cond = n->u.comp.cond, *step = n->u.comp.step;
    if (!is_ident(n->u.comp.result, acc) || !is_call(cond, "@not_strictly_false", 1))
        return NULL;
    const ast_node *ca = cond->u.call.args[0];
    if (is_bool_literal(n->u.comp.init, true) && is_ident(ca, acc) && is_call(step, "_&&_", 2) &&
        is_ident(step->u.call.args[0], acc)) {
        *is_all = true;
        return step->u.call.args[1];
    }
    if (is_bool_literal(n->u.comp.init, false) && is_call(ca, "!_", 1) &&
        is_ident(ca->u.call.args[0], acc) && is_call(step, "_||_", 2) &&
        is_ident(step->u.call.args[0], acc)) {
        *is_all = false;
        return step->u.call.args[1];
    }
    return NULL;
}

/* The `@result + [t]` node of a map() or filter() as the macros write them
 * (init [], condition true, step @result + [t] or p ? @result + [t] :
 * @result, result @result) when nothing but the step reads @result, so that
 * appending in place cannot be observed; NULL otherwise. */
static const ast_node *append_step(const ast_node *n)
{
    const char *acc = n->u.comp.accu_var;
    const ast_node *init = n->u.comp.init, *step = n->u.comp.step;
    if (init->kind != AST_LIST || init->u.list.n != 0 || !is_bool_literal(n->u.comp.cond, true) ||
        !is_ident(n->u.comp.result, acc) || mentions(n->u.comp.range, acc))
        return NULL;
    const ast_node *filter = NULL;
    if (is_call(step, "_?_:_", 3) && is_ident(step->u.call.args[2], acc)) {
        filter = step->u.call.args[0];
        step = step->u.call.args[1];
    }
    if (!is_call(step, "_+_", 2) || !is_ident(step->u.call.args[0], acc))
        return NULL;
    const ast_node *l = step->u.call.args[1];
    if (l->kind != AST_LIST || l->u.list.n != 1 || l->u.list.optional ||
        mentions(l->u.list.elems[0], acc) || mentions(filter, acc))
        return NULL;
    return step;
}

/* ---- Narrowing a bound list through an index (list_index.c) --------------------- */

/* What the default D of x.?f1...?fk.orValue(D) may be in an index path. */
typedef enum {
    DEFAULT_STRING,         /* a string literal */
    DEFAULT_STRING_OR_PATH, /* that, or a path with a string default on the
                               outer variable (s.?ns.orValue(x.?ns.orValue(''))) */
    DEFAULT_EMPTY_LIST      /* [] (the list an exists() goes through) */
} default_kind;

/* Whether P is a field path on identifier X that INDEX_SUBSET understands:
 * x.?f1...?fk.orValue(D) (*OPTIONAL) or x.f1...fk, D as DK allows (OUTER:
 * the outer variable for DEFAULT_STRING_OR_PATH).  Fills FIELDS (outermost
 * last) and *NF, *DFLT. */
#define MAX_INDEX_PATH 8
static bool index_path(const ast_node *p, const char *x, default_kind dk, const char *outer,
                       const ast_node **fields, int *nf, const ast_node **dflt, bool *optional)
{
    int n = 0;
    *dflt = NULL;
    *optional = false;
    if (p->kind == AST_CALL && p->u.call.target && p->u.call.nargs == 1 &&
        strcmp(p->u.call.fn, "orValue") == 0) {
        const ast_node *d = p->u.call.args[0], *f2[MAX_INDEX_PATH], *d2;
        int n2;
        bool o2;
        bool string_lit = d->kind == AST_LITERAL && d->u.lit.kind == VK_STRING;
        bool ok = dk == DEFAULT_EMPTY_LIST
                      ? d->kind == AST_LIST && d->u.list.n == 0
                      : string_lit || (dk == DEFAULT_STRING_OR_PATH &&
                                       index_path(d, outer, DEFAULT_STRING, NULL, f2, &n2, &d2, &o2));
        if (!ok)
            return false;
        *dflt = d;
        *optional = true;
        p = p->u.call.target;
        while (is_call(p, "_?._", 2) && n < MAX_INDEX_PATH) {
            const ast_node *f = p->u.call.args[1];
            if (f->kind != AST_LITERAL || f->u.lit.kind != VK_STRING)
                return false;
            fields[n++] = f;
            p = p->u.call.args[0];
        }
    } else {
        while (p->kind == AST_SELECT && !p->u.select.test_only && n < MAX_INDEX_PATH) {
            fields[n++] = p;
            p = p->u.select.operand;
        }
    }
    *nf = n;
    return n > 0 && is_ident(p, x);
}

/* A conjunct the index can use: PATH(x) == E, or LIST(x).exists(s, ... &&
 * PATH(s) == E && ...) (then LIST is set and PATH is on S). */
typedef struct index_conjunct {
    const ast_node *list;   /* LIST(x), or NULL */
    const char *s;          /* exists()'s variable */
    const ast_node *path;
    const ast_node *e;
} index_conjunct;

/* The conjunct PATH(V) == E of the && tree PRED, E mentioning none of
 * AVOID[0..NAVOID); PATH's default as DK and OUTER allow. */
static bool find_equality(const ast_node *pred, const char *v, default_kind dk, const char *outer,
                          const char *const *avoid, int navoid, index_conjunct *out)
{
    if (is_call(pred, "_&&_", 2))
        return find_equality(pred->u.call.args[0], v, dk, outer, avoid, navoid, out) ||
               find_equality(pred->u.call.args[1], v, dk, outer, avoid, navoid, out);
    if (!is_call(pred, "_==_", 2))
        return false;
    const ast_node *fields[MAX_INDEX_PATH], *dflt;
    int nf;
    bool opt;
    for (int side = 0; side < 2; side++) {
        const ast_node *p = pred->u.call.args[side], *other = pred->u.call.args[1 - side];
        bool free_of = true;
        for (int i = 0; i < navoid && free_of; i++)
            free_of = !mentions(other, avoid[i]);
        if (free_of && index_path(p, v, dk, outer, fields, &nf, &dflt, &opt)) {
            out->path = p;
            out->e = other;
            return true;
        }
    }
    return false;
}

/* The conjuncts of the && tree PRED on X that the index can use: up to
 * MAX_INDEXED into OUT, at most one through a list (*MULTI); returns how
 * many. */
#define MAX_INDEXED 4
static int index_conjuncts(const ast_node *pred, const char *x, index_conjunct *out, int n,
                           bool *multi)
{
    if (is_call(pred, "_&&_", 2)) {
        n = index_conjuncts(pred->u.call.args[0], x, out, n, multi);
        return index_conjuncts(pred->u.call.args[1], x, out, n, multi);
    }
    if (n == MAX_INDEXED)
        return n;
    index_conjunct ic = {NULL, NULL, NULL, NULL};
    const char *avoid[3] = {x, NULL, NULL};
    if (find_equality(pred, x, DEFAULT_STRING, NULL, avoid, 1, &ic)) {
        out[n] = ic;
        return n + 1;
    }
    /* LIST(x).exists(s, ...): a comprehension as the macro writes it */
    bool is_all = false;
    const ast_node *inner;
    const ast_node *fields[MAX_INDEX_PATH], *dflt;
    int nf;
    bool opt;
    if (*multi || pred->kind != AST_COMPREHENSION || pred->u.comp.iter_var2 ||
        !(inner = all_exists_predicate(pred, &is_all)) || is_all ||
        strcmp(pred->u.comp.iter_var, x) == 0 ||
        !index_path(pred->u.comp.range, x, DEFAULT_EMPTY_LIST, NULL, fields, &nf, &dflt, &opt))
        return n;
    avoid[1] = pred->u.comp.iter_var;
    avoid[2] = pred->u.comp.accu_var;
    if (!find_equality(inner, pred->u.comp.iter_var, DEFAULT_STRING_OR_PATH, x, avoid, 3, &ic))
        return n;
    ic.list = pred->u.comp.range;
    ic.s = pred->u.comp.iter_var;
    *multi = true;
    out[n] = ic;
    return n + 1;
}

/* The spec constant [optional, D, f1, ..., fk] of PATH on X (D as DK
 * allows, OUTER for a path default); NULL on OOM.  See list_index.c. */
static rpi_list *index_path_const(compiler *c, const ast_node *path, const char *x,
                                  default_kind dk, const char *outer)
{
    const ast_node *fields[MAX_INDEX_PATH], *dflt;
    int nf;
    bool opt;
    index_path(path, x, dk, outer, fields, &nf, &dflt, &opt);
    rpi_list *pl = rpi_pool_alloc(c->prog->pool, sizeof *pl + (size_t)(nf + 2) * sizeof(val));
    if (!pl)
        return NULL;
    pl->n = (uint32_t)nf + 2;
    pl->items[0] = val_bool(opt);
    pl->items[1] = val_null();
    if (dflt && dflt->kind == AST_LITERAL) {
        pl->items[1] = dflt->u.lit;
    } else if (dflt && dk == DEFAULT_STRING_OR_PATH) {
        rpi_list *d = index_path_const(c, dflt, outer, DEFAULT_STRING, NULL);
        if (!d)
            return NULL;
        pl->items[1] = val_list(d);
    }
    for (int i = 0; i < nf; i++) {
        const ast_node *f = fields[nf - 1 - i];
        pl->items[i + 2] = opt ? f->u.lit : val_string(f->u.select.field, f->u.select.field_len);
    }
    return pl;
}

/* The spec constant of conjunct IC on X. */
static rpi_list *index_spec_const(compiler *c, const index_conjunct *ic, const char *x)
{
    if (!ic->list)
        return index_path_const(c, ic->path, x, DEFAULT_STRING, NULL);
    rpi_list *l = index_path_const(c, ic->list, x, DEFAULT_EMPTY_LIST, NULL);
    rpi_list *p = l ? index_path_const(c, ic->path, ic->s, DEFAULT_STRING_OR_PATH, x) : NULL;
    rpi_list *spec = p ? rpi_pool_alloc(c->prog->pool, sizeof *spec + 2 * sizeof(val)) : NULL;
    if (!spec)
        return NULL;
    spec->n = 2;
    spec->items[0] = val_list(l);
    spec->items[1] = val_list(p);
    return spec;
}

/* After the range of comprehension N was compiled, at instruction RANGE_AT:
 * when it is a bound variable and PRED (a filter or exists predicate, for
 * which elements whose predicate is false do not count) has conjuncts
 * PATH(x) == E, compile each E and an INDEX_SUBSET, which narrows the range
 * to the elements that can satisfy that conjunct when that leaves fewer
 * (which conjunct is the selective one is known only at run time). */
static void maybe_index(compiler *c, const ast_node *n, const ast_node *pred, uint32_t range_at)
{
    if (c->failed || !pred || n->u.comp.iter_var2 || n->u.comp.range->kind != AST_IDENT ||
        range_at + 1 != c->ncode || c->code[range_at].op != OP_LOAD_VAR)
        return;
    index_conjunct ics[MAX_INDEXED];
    bool multi = false;
    int np = index_conjuncts(pred, n->u.comp.iter_var, ics, 0, &multi);
    if (np == 0)
        return;
    rpi_list *pl = rpi_pool_alloc(c->prog->pool, sizeof *pl + (size_t)np * sizeof(val));
    if (!pl) {
        fail(c, RP_ENOMEM, NULL, "out of memory");
        return;
    }
    pl->n = (uint32_t)np;
    for (int i = 0; i < np; i++) {
        rpi_list *p = index_spec_const(c, &ics[i], n->u.comp.iter_var);
        if (!p) {
            fail(c, RP_ENOMEM, NULL, "out of memory");
            return;
        }
        pl->items[i] = val_list(p);
    }
    uint16_t k = push_const(c, val_list(pl), ESPAN(n->u.comp.range));
    uint16_t name = c->code[range_at].a;
    for (int i = 0; i < np; i++)
        compile_node(c, ics[i].e);
    emit(c, OP_INDEX_SUBSET, (uint8_t)np, k, name, ESPAN(n->u.comp.range));
    adjust(c, -np); /* the keys (emit counts none for an x-dependent pop) */
}

/* A comprehension: range, accumulator, loop, result.  The loops of the
 * standard macros are fused: all() and exists() fold their predicate into
 * the result with one instruction that also leaves the loop once the
 * answer is known; map() and filter() append to their result in place; and
 * the range of a filter() or exists() over a bound list is narrowed through
 * an index when the predicate allows it (maybe_index). */
static void compile_comprehension(compiler *c, const ast_node *n)
{
    const char *v1 = n->u.comp.iter_var, *v2 = n->u.comp.iter_var2;
    uint32_t saved_scope = c->nscope, saved_locals = c->nlocals;

    bool is_all = false;
    const ast_node *pred = all_exists_predicate(n, &is_all);
    const ast_node *append = pred ? NULL : append_step(n);
    const ast_node *filter = append && is_call(n->u.comp.step, "_?_:_", 3)
                                 ? n->u.comp.step->u.call.args[0] : NULL;

    uint32_t range_at = c->ncode;
    compile_node(c, n->u.comp.range);
    if ((pred && !is_all) || filter) /* elements whose predicate is false do not count */
        maybe_index(c, n, pred ? pred : filter, range_at);
    uint16_t it = local_new(c, ESPAN(n));
    if (v2)
        (void)local_new(c, ESPAN(n));
    uint32_t init = emit(c, OP_ITER_INIT, v2 ? 1 : 0, it, 0, ESPAN(n->u.comp.range));

    uint16_t accu = local_new(c, ESPAN(n));
    if (append)
        emit(c, OP_LIST_ACC, 0, 0, 0, ESPAN(n->u.comp.init));
    else
        compile_node(c, n->u.comp.init);
    emit(c, OP_STORE_LOCAL, 0, accu, 0, ESPAN(n));
    scope_push(c, n->u.comp.accu_var, accu);
    uint32_t loop = c->ncode;
    uint32_t next = emit(c, OP_ITER_NEXT, v2 ? 1 : 0, it, 0, ESPAN(n));
    uint32_t inner_scope = c->nscope;
    scope_push(c, v1, it);
    if (v2)
        scope_push(c, v2, (uint16_t)(it + 1));
    uint32_t lc = UINT32_MAX, back;
    if (pred) {
        compile_node(c, pred);
        back = emit(c, is_all ? OP_ALL_STEP : OP_EXISTS_STEP, 0, accu, 0, ESPAN(n->u.comp.step));
    } else {
        /* a condition that is the literal true (map, filter) is not tested */
        if (!is_bool_literal(n->u.comp.cond, true)) {
            compile_node(c, n->u.comp.cond);
            lc = emit(c, OP_LOOP_COND, 0, 0, 0, ESPAN(n));
        }
        const ast_node *saved_node = c->append_node;
        uint16_t saved_slot = c->append_slot;
        if (append) {
            c->append_node = append;
            c->append_slot = accu;
        }
        compile_node(c, n->u.comp.step);
        c->append_node = saved_node;
        c->append_slot = saved_slot;
        emit(c, OP_STORE_LOCAL, 0, accu, 0, ESPAN(n));
        back = emit(c, OP_JUMP, 0, 0, 0, ESPAN(n));
    }
    if (!c->failed)
        c->code[back].b = (int32_t)loop - (int32_t)(back + 1);
    c->nscope = inner_scope; /* the iteration variables are not visible in the result */
    patch_here(c, next);
    if (lc != UINT32_MAX)
        patch_here(c, lc);
    compile_node(c, n->u.comp.result);
    /* ITER_INIT's error path pushes one value and lands here, like the result. */
    patch_here(c, init);
    c->nscope = saved_scope;
    c->nlocals = saved_locals;
}

/* ---- The walk ----------------------------------------------------------------- */

static void compile_node(compiler *c, const ast_node *n)
{
    if (c->failed)
        return;
    switch ((ast_kind)n->kind) {
    case AST_LITERAL:
        emit(c, OP_CONST, 0, intern_const(c, n->u.lit, ESPAN(n)), 0, ESPAN(n));
        return;
    case AST_IDENT:
        compile_name(c, n);
        return;
    case AST_SELECT:
        if (n->u.select.test_only) {
            compile_node(c, n->u.select.operand);
            uint16_t k = push_const(c, val_string(n->u.select.field, n->u.select.field_len), ESPAN(n));
            emit(c, OP_HAS, 0, k, 0, ESPAN(n));
            return;
        }
        if (compile_name(c, n))
            return;
        /* A selection on a computed value: find the longest plain chain. */
        {
            const ast_node *chain[MAX_CHAIN];
            int k = 0;
            const ast_node *m = n;
            while (m->kind == AST_SELECT && !m->u.select.test_only && k < MAX_CHAIN) {
                chain[k++] = m;
                m = m->u.select.operand;
            }
            compile_node(c, m);
            const ast_node *parts[MAX_CHAIN + 1];
            parts[0] = m;
            for (int i = 0; i < k; i++)
                parts[i + 1] = chain[k - 1 - i];
            emit_select_chain(c, parts, 1, k + 1);
        }
        return;
    case AST_CALL:
        compile_call(c, n);
        return;
    case AST_LIST:
        compile_list(c, n);
        return;
    case AST_MAP:
        compile_map(c, n);
        return;
    case AST_STRUCT:
        fail(c, RP_ECHECK, ESPAN(n), "undeclared reference to '%s' (in container ''): message types are not supported",
             n->u.strct.type_name);
        return;
    case AST_COMPREHENSION:
        compile_comprehension(c, n);
        return;
    }
    fail(c, RP_ECHECK, ESPAN(n), "unknown expression node");
}

/* A copy of the N ELEM-byte entries at P in POOL (NULL on OOM). */
static void *pool_copy(rpi_pool *pool, const void *p, uint32_t n, size_t elem)
{
    void *q = rpi_pool_alloc(pool, n ? (size_t)n * elem : 1);
    if (q && n)
        memcpy(q, p, (size_t)n * elem);
    return q;
}

int rpi_compile_ast(rp_program *prog, const ast_node *root, rpi_diag *diag)
{
    compiler c;
    memset(&c, 0, offsetof(compiler, code_inline));
    c.prog = prog;
    c.env = prog->env;
    c.diag = diag;
    /* each array starts in the compiler's own storage, its capacity read
     * off that storage so the two cannot disagree */
#define START_INLINE(arr, cap, inl) (c.arr = c.inl, c.cap = sizeof c.inl / sizeof c.inl[0])
    START_INLINE(code, capcode, code_inline);
    c.spans = c.spans_inline; /* grows with code */
    START_INLINE(consts, capconsts, consts_inline);
    START_INLINE(funcs, capfuncs, funcs_inline);
    START_INLINE(names, capnames, names_inline);
    START_INLINE(regexes, capregexes, regexes_inline);
    START_INLINE(scope, capscope, scope_inline);
#undef START_INLINE
    compile_node(&c, root);
    emit(&c, OP_RETURN, 0, 0, 0, ESPAN(root));
    /* The program's arrays, in its pool; its regexes are its own whatever
     * happens (rp_program_free() drops them). */
    rpi_pool *pool = prog->pool;
    prog->regexes = pool_copy(pool, c.regexes, c.nregexes, sizeof *c.regexes);
    prog->nregexes = prog->regexes ? c.nregexes : 0;
    if (!prog->regexes)
        for (uint32_t i = 0; i < c.nregexes; i++)
            rpi_regex_free(c.regexes[i]);
    prog->code = pool_copy(pool, c.code, c.ncode, sizeof *c.code);
    prog->spans = pool_copy(pool, c.spans, c.ncode, sizeof *c.spans);
    prog->ncode = c.ncode;
    prog->consts = pool_copy(pool, c.consts, c.nconsts, sizeof *c.consts);
    prog->nconsts = c.nconsts;
    prog->funcs = pool_copy(pool, c.funcs, c.nfuncs, sizeof *c.funcs);
    prog->nfuncs = c.nfuncs;
    prog->names = pool_copy(pool, c.names, c.nnames, sizeof *c.names);
    prog->nnames = c.nnames;
    free_array(&c, c.scope);
    free_array(&c, c.code);
    free_array(&c, c.spans);
    free_array(&c, c.consts);
    free_array(&c, c.funcs);
    free_array(&c, c.names);
    free_array(&c, c.regexes);
    if (!prog->regexes || !prog->code || !prog->spans || !prog->consts || !prog->funcs ||
        !prog->names) {
        if (!c.failed)
            rpi_diag_set(diag, RP_ENOMEM, NULL, "out of memory");
        prog->ncode = prog->nconsts = prog->nfuncs = prog->nnames = 0;
        return RP_ENOMEM;
    }
    prog->max_stack = (uint32_t)(c.maxdepth + 1);
    prog->nlocals = c.maxlocals;
    /* The hashes of the field names, for selections on frozen JSON. */
    prog->khash = rpi_pool_alloc(prog->pool, (c.nconsts ? c.nconsts : 1) * sizeof *prog->khash);
    if (!prog->khash && !c.failed) {
        rpi_diag_set(diag, RP_ENOMEM, NULL, "out of memory");
        return RP_ENOMEM;
    }
    for (uint32_t i = 0; prog->khash && i < prog->nconsts; i++)
        if (prog->consts[i].kind == VK_STRING)
            prog->khash[i] = rpi_str_hash32(prog->consts[i].u.s, prog->consts[i].aux);
    /* The environment's index of each variable, for the activation. */
    prog->name_vars = rpi_pool_alloc(prog->pool, (c.nnames ? c.nnames : 1) * sizeof *prog->name_vars);
    if (!prog->name_vars && !c.failed) {
        rpi_diag_set(diag, RP_ENOMEM, NULL, "out of memory");
        return RP_ENOMEM;
    }
    for (uint32_t i = 0; prog->name_vars && i < prog->nnames; i++)
        prog->name_vars[i] = rpi_env_variable_index(prog->env, prog->names[i], strlen(prog->names[i]));
    return c.failed;
}
