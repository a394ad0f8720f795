/* vm.c -- the bytecode interpreter: rpi_vm_run() and its out-of-line helpers.
 *
 * A stack machine over 16-byte `val`s.  The frame (stack, then comprehension
 * locals, then the program's variables) belongs to the activation and is
 * grown only when a larger program runs, so a steady-state evaluation makes
 * no heap allocation: everything an expression builds comes from the
 * activation's arena.
 *
 * The hot cases are inline in the dispatch loop (a field of a JSON object,
 * int arithmetic, string equality); everything else calls a named helper or
 * the operator functions of ops.h.  Errors are values: an instruction whose
 * operand is an error pushes that error, and `&&`/`||`/`?:` absorb them as
 * CEL says.  Errors made here are stamped with the instruction that made
 * them (val.flags = pc + 1) so the API can point at the failing
 * sub-expression.  Only the cost budget and the memory limit stop the loop
 * early (`goto fail`).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "opcodes.h"
#include "ops.h"

/* Dispatch: computed goto where the compiler has it (GCC, clang). */
#if defined(__GNUC__) && !defined(RPI_VM_SWITCH)
#define RPI_VM_COMPUTED_GOTO 1
#endif

struct rpi_iter {
    val range;
    uint32_t i, n;
    rpi_map_iter mit;
};

bool rpi_charge(rpi_ctx *cx, uint64_t cost)
{
    cx->cost += cost;
    if (cx->cost_budget && cx->cost > cx->cost_budget) {
        if (!cx->limit_hit) {
            cx->limit_hit = 1;
            snprintf(cx->limit_msg, sizeof cx->limit_msg,
                     "operation cancelled: actual cost limit exceeded: limit cost_budget (%llu)",
                     (unsigned long long)cx->cost_budget);
        }
        return false;
    }
    return true;
}

/* Make sure the activation's frame and iterators fit PROG. */
static int frame_reserve(rp_activation *act, const rp_program *prog)
{
    size_t need = (size_t)prog->max_stack + prog->nlocals + prog->nnames + 1;
    if (need > act->frame_cap) {
        val *nf = realloc(act->frame, need * sizeof *nf);
        if (!nf)
            return RP_ENOMEM;
        act->frame = nf;
        act->frame_cap = need;
    }
    if (prog->nlocals > act->iters_cap) {
        struct rpi_iter *ni = realloc(act->iters, prog->nlocals * sizeof *ni);
        if (!ni)
            return RP_ENOMEM;
        act->iters = ni;
        act->iters_cap = prog->nlocals;
    }
    return RP_OK;
}

static inline val stamp(val v, const rpi_insn *pc, const rpi_insn *code)
{
    if (v.kind == VK_ERROR && v.flags == 0)
        v.flags = (uint16_t)((pc - code) + 1 > 0xffff ? 0xffff : (pc - code) + 1);
    return v;
}

/* ---- Out-of-line helpers ------------------------------------------------------- */

/* x.f where x is not a JSON object (or the fast path missed). */
static val select_slow(rpi_ctx *cx, val x, val field)
{
    val out;
    switch (x.kind) {
    case VK_ERROR:
        return x;
    case VK_MAP:
        if (rpi_map_get_str(x, field.u.s, field.aux, &out))
            return out;
        return rpi_err_no_such_key(cx, field);
    case VK_OPTIONAL:
        /* Optional chaining: a.?b.c selects c inside the optional. */
        if (!x.u.opt)
            return x;
        {
            val inner = *x.u.opt;
            if (inner.kind == VK_MAP && rpi_map_get_str(inner, field.u.s, field.aux, &out)) {
                const val *box = rpi_box(cx, out);
                return box ? val_optional(box) : rpi_err_oom(cx);
            }
            if (inner.kind == VK_MAP)
                return val_optional(NULL);
            return select_slow(cx, inner, field);
        }
    default:
        return rpi_err(cx, "type '%s' does not support field selection", rpi_val_type_name(x));
    }
}

static val has_field(rpi_ctx *cx, val x, val field)
{
    switch (x.kind) {
    case VK_ERROR:
        return x;
    case VK_MAP: {
        val out;
        return val_bool(rpi_map_get_str(x, field.u.s, field.aux, &out));
    }
    case VK_OPTIONAL:
        /* has() through optional chaining: an absent value has no fields. */
        return x.u.opt ? has_field(cx, *x.u.opt, field) : val_bool(false);
    default:
        return rpi_err(cx, "invalid type for field selection: %s", rpi_val_type_name(x));
    }
}

/* x.?f; FH is f's hash.  The optional's value is the map's own entry when
 * the map is an arena map (its entries never change once made), so that
 * optional chains over bound JSON allocate nothing. */
static val select_optional(rpi_ctx *cx, val x, val field, uint32_t fh)
{
    if (x.kind == VK_ERROR)
        return x;
    if (x.kind == VK_OPTIONAL) {
        if (!x.u.opt)
            return x;
        x = *x.u.opt;
    }
    if (x.kind != VK_MAP)
        return rpi_err(cx, "type '%s' does not support field selection", rpi_val_type_name(x));
    if (x.rep == REP_ARENA && x.u.map && x.u.map->hashes) {
        int64_t e = rpi_map_find_hashed(x.u.map, field.u.s, field.aux, fh);
        return val_optional(e >= 0 ? &x.u.map->vals[e] : NULL);
    }
    val out;
    if (!rpi_map_get_str(x, field.u.s, field.aux, &out))
        return val_optional(NULL);
    const val *box = rpi_box(cx, out);
    return box ? val_optional(box) : rpi_err_oom(cx);
}

static val index_optional(rpi_ctx *cx, val x, val key)
{
    if (x.kind == VK_ERROR)
        return x;
    if (key.kind == VK_ERROR)
        return key;
    if (x.kind == VK_OPTIONAL) {
        if (!x.u.opt)
            return x;
        x = *x.u.opt;
    }
    val out;
    if (x.kind == VK_MAP) {
        if (!rpi_map_get(x, key, &out))
            return val_optional(NULL);
    } else if (x.kind == VK_LIST) {
        out = rpi_op_index(cx, x, key);
        if (out.kind == VK_ERROR) {
            /* out of range is none; a bad key type stays an error */
            if (key.kind == VK_INT || key.kind == VK_UINT || key.kind == VK_DOUBLE)
                return val_optional(NULL);
            return out;
        }
    } else {
        return rpi_op_index(cx, x, key);
    }
    const val *box = rpi_box(cx, out);
    return box ? val_optional(box) : rpi_err_oom(cx);
}

/* Index where the container is an optional: a[?k] chains into it. */
static val index_slow(rpi_ctx *cx, val x, val key)
{
    if (x.kind == VK_ERROR)
        return x;
    if (key.kind == VK_ERROR)
        return key;
    if (x.kind == VK_OPTIONAL)
        return index_optional(cx, x, key);
    return rpi_op_index(cx, x, key);
}

/* The merge of a && b once both sides were evaluated (a was not false). */
static val logical_and(rpi_ctx *cx, val a, val b)
{
    if (b.kind == VK_BOOL && !b.u.b)
        return b;
    if (a.kind == VK_BOOL && b.kind == VK_BOOL)
        return b; /* a is true */
    if (a.kind == VK_ERROR)
        return a;
    if (a.kind != VK_BOOL)
        return rpi_err_no_overload(cx, "_&&_", (val[]){a, b}, 2);
    if (b.kind == VK_ERROR)
        return b;
    return rpi_err_no_overload(cx, "_&&_", (val[]){a, b}, 2);
}

static val logical_or(rpi_ctx *cx, val a, val b)
{
    if (b.kind == VK_BOOL && b.u.b)
        return b;
    if (a.kind == VK_BOOL && b.kind == VK_BOOL)
        return b; /* a is false */
    if (a.kind == VK_ERROR)
        return a;
    if (a.kind != VK_BOOL)
        return rpi_err_no_overload(cx, "_||_", (val[]){a, b}, 2);
    if (b.kind == VK_ERROR)
        return b;
    return rpi_err_no_overload(cx, "_||_", (val[]){a, b}, 2);
}

static val make_list(rpi_ctx *cx, const val *elems, uint32_t n, const val *flags)
{
    for (uint32_t i = 0; i < n; i++)
        if (elems[i].kind == VK_ERROR)
            return elems[i];
    uint32_t count = n;
    if (flags) {
        for (uint32_t i = 0; i < n; i++) {
            if (!flags->u.s[i])
                continue;
            if (elems[i].kind != VK_OPTIONAL)
                return rpi_err(cx, "cannot initialize optional list element from non-optional value %s",
                               rpi_val_type_name(elems[i]));
            if (!elems[i].u.opt)
                count--;
        }
    }
    rpi_list *l = rpi_list_new(cx, count);
    if (!l)
        return rpi_err_oom(cx);
    uint32_t j = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (flags && flags->u.s[i]) {
            if (elems[i].u.opt)
                l->items[j++] = *elems[i].u.opt;
        } else {
            l->items[j++] = elems[i];
        }
    }
    return val_list(l);
}

static val make_map(rpi_ctx *cx, const val *kv, uint32_t n, const val *flags)
{
    for (uint32_t i = 0; i < 2 * n; i++)
        if (kv[i].kind == VK_ERROR)
            return kv[i];
    val *keys = rpi_alloc(cx, (n ? n : 1) * sizeof(val));
    val *vals = rpi_alloc(cx, (n ? n : 1) * sizeof(val));
    if (!keys || !vals)
        return rpi_err_oom(cx);
    uint32_t j = 0;
    for (uint32_t i = 0; i < n; i++) {
        val k = kv[2 * i], v = kv[2 * i + 1];
        if (flags && flags->u.s[i]) {
            if (v.kind != VK_OPTIONAL)
                return rpi_err(cx, "cannot initialize optional entry '%s' from non-optional value",
                               rpi_val_type_name(k));
            if (!v.u.opt)
                continue;
            v = *v.u.opt;
        }
        keys[j] = k;
        vals[j] = v;
        j++;
    }
    return rpi_map_build(cx, keys, vals, j);
}

static val in_const(val e, val list)
{
    const rpi_list *l = list.u.list;
    if (e.kind == VK_STRING) {
        for (uint32_t i = 0; i < l->n; i++)
            if (l->items[i].aux == e.aux && memcmp(l->items[i].u.s, e.u.s, e.aux) == 0)
                return val_bool(true);
        return val_bool(false);
    }
    return val_bool(false); /* heterogeneous equality: no other kind equals a string */
}

/* The entry of callable K for these arguments: the only one, or the one
 * typed for args[0], or the untyped fallback. */
static const rpi_func *pick_overload(const rpi_callable *k, const val *args, unsigned argc)
{
    if (k->n == 1)
        return k->cand[0];
    const rpi_type *t = argc ? rpi_val_type(args[0]) : NULL;
    for (unsigned i = 0; i < k->n; i++)
        if (!k->cand[i]->arg0_type || k->cand[i]->arg0_type == t)
            return k->cand[i];
    return NULL;
}

static val call_function(rpi_ctx *cx, const rpi_callable *k, const val *args, unsigned argc)
{
    for (unsigned i = 0; i < argc; i++)
        if (args[i].kind == VK_ERROR)
            return args[i];
    const rpi_func *f = pick_overload(k, args, argc);
    if (!f)
        return rpi_err_no_overload(cx, k->cand[0]->name, args, argc);
    if (f->cost && !rpi_charge(cx, f->cost))
        return VAL_ERROR_LIT("cost limit exceeded");
    return f->impl(cx, args, argc);
}

static val match_const(rpi_ctx *cx, const rpi_regex *re, val s)
{
    if (s.kind == VK_ERROR)
        return s;
    if (s.kind != VK_STRING)
        return rpi_err_no_overload(cx, "matches", &s, 1);
    const char *msg = NULL;
    int r = rpi_regex_search_limited(re, s.u.s, s.aux, cx->env ? cx->env->regex_match_limit : 0,
                                     &msg);
    if (r == RPI_REGEX_ELIMIT)
        return rpi_limit_stop(cx, "regex match exceeds limit regex_match_limit (%llu steps)",
                              (unsigned long long)(cx->env ? cx->env->regex_match_limit : 0));
    if (r < 0)
        return rpi_err(cx, "%s", msg ? msg : "regex match failed");
    return val_bool(r == 1);
}

/* ---- Lists grown in place (LIST_ACC, LIST_APPEND) ------------------------------- */

/* A growable list is an ordinary arena list preceded by its capacity, 16
 * bytes before it (which keeps the list 16-aligned like every arena block).
 * Only the accumulator of a fused map()/filter() is one. */
#define GROW_HEADER 16

static rpi_list *growable_new(rpi_ctx *cx, uint32_t cap)
{
    char *p = rpi_alloc(cx, GROW_HEADER + sizeof(rpi_list) + (size_t)cap * sizeof(val));
    if (!p)
        return NULL;
    memcpy(p, &cap, sizeof cap);
    rpi_list *l = (rpi_list *)(p + GROW_HEADER);
    l->n = 0;
    return l;
}

/* ACC + [V] in place (ACC a growable list, V no error): the list, moved
 * when it had to grow; an error value on OOM. */
static val growable_append(rpi_ctx *cx, val acc, val v)
{
    rpi_list *l = (rpi_list *)(uintptr_t)acc.u.list;
    if (cx->env && l->n >= cx->env->max_list_size)
        return rpi_limit_stop(cx, "list size exceeds limit max_list_size (%zu elements)",
                              cx->env->max_list_size);
    uint32_t cap;
    memcpy(&cap, (const char *)l - GROW_HEADER, sizeof cap);
    if (l->n == cap) {
        if (cap > UINT32_MAX / 4)
            return VAL_ERROR_LIT("list too long");
        rpi_list *nl = growable_new(cx, cap ? cap * 2 : 4);
        if (!nl)
            return rpi_err_oom(cx);
        memcpy(nl->items, l->items, (size_t)l->n * sizeof(val));
        nl->n = l->n;
        l = nl;
    }
    l->items[l->n++] = v;
    return val_list(l);
}

/* Start iterating RANGE; false (and *ERR) when it is not a list or map. */
static bool iter_init(rpi_ctx *cx, struct rpi_iter *it, val range, val *err)
{
    it->range = range;
    it->i = 0;
    it->mit.it = NULL;
    it->mit.i = 0;
    if (range.kind == VK_LIST) {
        it->n = rpi_list_size(range);
        return true;
    }
    if (range.kind == VK_MAP) {
        it->n = rpi_map_size(range);
        return true;
    }
    if (range.kind == VK_ERROR)
        *err = range;
    else
        *err = rpi_err(cx, "expression of type '%s' cannot be range of a comprehension (must be list, map, or dynamic)",
                       rpi_val_type_name(range));
    return false;
}

/* ---- The loop --------------------------------------------------------------------- */

int rpi_vm_run(const rp_program *prog, rp_activation *act, rpi_ctx *cx, val *result,
               rpi_span *err_span)
{
    int rc = frame_reserve(act, prog);
    if (rc)
        return rc;

    /* Hoisted into locals so the compiler keeps them in registers. */
    const rpi_insn *const code = prog->code;
    const rpi_insn *pc = code;
    const val *const K = prog->consts;
    val *const stack = act->frame;
    val *const locals = stack + prog->max_stack;
    val *const vars = locals + prog->nlocals;
    struct rpi_iter *const iters = act->iters;
    val *sp = stack; /* next free slot */
    /* comprehension iterations, against max_comprehension_iterations */
    uint64_t loop_steps = 0;
    const uint64_t max_loop_steps = prog->env->max_comprehension_iterations;

    /* The variables: by the environment's index when the activation is of
     * the program's environment (always, through the API), else by name. */
    const bool same_env = act->env == prog->env;
    for (uint32_t i = 0; i < prog->nnames; i++) {
        int32_t var = same_env ? prog->name_vars[i] : -1;
        if (var >= 0) {
            if (act->var_binding[var]) {
                vars[i] = act->bindings[act->var_binding[var] - 1].v;
                continue;
            }
        } else if (rpi_activation_lookup(act, prog->names[i], &vars[i])) {
            continue;
        }
        if (rpi_env_has_variable(prog->env, prog->names[i], strlen(prog->names[i])))
            vars[i] = rpi_err(cx, "no such attribute: variable '%s' is not bound", prog->names[i]);
        else
            vars[i] = rpi_err(cx, "undeclared reference to '%s' (in container '')", prog->names[i]);
    }

#define PUSH(v) (*sp++ = (v))
#define POP() (*--sp)
#define TOP (sp[-1])
#define STAMP(v) stamp((v), pc, code)

#ifdef RPI_VM_COMPUTED_GOTO
    static const void *const labels[OP__COUNT] = {
#define OP(name, fmt, pops, pushes, doc) &&L_##name,
#include "opcodes.def"
#undef OP
    };
#define DISPATCH() goto *labels[pc->op]
#define CASE(name) L_##name
#define NEXT() do { pc++; DISPATCH(); } while (0)
    DISPATCH();
#else
#define DISPATCH() switch ((rpi_opcode)pc->op)
#define CASE(name) case OP_##name
#define NEXT() do { pc++; goto loop; } while (0)
loop:
    DISPATCH()
#endif
    {
    CASE(CONST):
        PUSH(K[pc->a]);
        NEXT();

    CASE(LOAD_VAR):
        PUSH(vars[pc->a]);
        NEXT();

    CASE(LOAD_LOCAL):
        PUSH(locals[pc->a]);
        NEXT();

    CASE(STORE_LOCAL):
        locals[pc->a] = POP();
        NEXT();

    CASE(POP):
        sp--;
        NEXT();

    CASE(SELECT): {
        val x = TOP;
        const val *f = &K[pc->a];
        const uint32_t *fh = &prog->khash[pc->a];
        for (int32_t i = 0; i < pc->b; i++, f++, fh++) {
            if (x.kind == VK_MAP && x.rep == REP_ARENA && x.u.map && x.u.map->hashes) {
                /* frozen JSON: compare the precomputed hashes */
                int64_t e = rpi_map_find_hashed(x.u.map, f->u.s, f->aux, *fh);
                x = e >= 0 ? x.u.map->vals[e] : STAMP(rpi_err_no_such_key(cx, *f));
            } else if (x.kind == VK_MAP && x.rep == REP_JSON) {
                const json_t *j = json_object_getn(x.u.json, f->u.s, f->aux);
                x = j ? rpi_val_from_json(j) : STAMP(rpi_err_no_such_key(cx, *f));
            } else {
                x = STAMP(select_slow(cx, x, *f));
            }
            if (x.kind == VK_ERROR || cx->limit_hit)
                break;
        }
        TOP = x;
        if (cx->limit_hit)
            goto fail;
        NEXT();
    }

    CASE(HAS): {
        val x = TOP;
        if (x.kind == VK_MAP && x.rep == REP_ARENA && x.u.map && x.u.map->hashes)
            TOP = val_bool(rpi_map_find_hashed(x.u.map, K[pc->a].u.s, K[pc->a].aux,
                                               prog->khash[pc->a]) >= 0);
        else if (x.kind == VK_MAP && x.rep == REP_JSON)
            TOP = val_bool(json_object_getn(x.u.json, K[pc->a].u.s, K[pc->a].aux) != NULL);
        else
            TOP = STAMP(has_field(cx, x, K[pc->a]));
        NEXT();
    }

    CASE(SELECT_OPT):
        TOP = STAMP(select_optional(cx, TOP, K[pc->a], prog->khash[pc->a]));
        if (cx->limit_hit)
            goto fail;
        NEXT();

    CASE(INDEX): {
        val k = POP();
        val x = TOP;
        if (x.kind == VK_MAP && x.rep == REP_JSON && k.kind == VK_STRING) {
            const json_t *j = json_object_getn(x.u.json, k.u.s, k.aux);
            TOP = j ? rpi_val_from_json(j) : STAMP(rpi_err_no_such_key(cx, k));
        } else if (x.kind == VK_LIST && x.rep == REP_JSON && k.kind == VK_INT && k.u.i >= 0 &&
                   (uint64_t)k.u.i < json_array_size(x.u.json)) {
            TOP = rpi_val_from_json(json_array_get(x.u.json, (size_t)k.u.i));
        } else {
            TOP = STAMP(index_slow(cx, x, k));
        }
        if (cx->limit_hit)
            goto fail;
        NEXT();
    }

    CASE(INDEX_OPT): {
        val k = POP();
        TOP = STAMP(index_optional(cx, TOP, k));
        if (cx->limit_hit)
            goto fail;
        NEXT();
    }

#define BINARY_SLOW(fn)                                                                   \
    do {                                                                                  \
        val b_ = POP();                                                                   \
        val a_ = TOP;                                                                     \
        if (a_.kind == VK_ERROR)                                                          \
            TOP = a_;                                                                     \
        else if (b_.kind == VK_ERROR)                                                     \
            TOP = b_;                                                                     \
        else                                                                              \
            TOP = STAMP(fn(cx, a_, b_));                                                  \
        if (cx->limit_hit)                                                                \
            goto fail;                                                                    \
    } while (0)

    CASE(ADD): {
        val b = sp[-1], a = sp[-2];
        int64_t r;
        if (a.kind == VK_INT && b.kind == VK_INT && !__builtin_add_overflow(a.u.i, b.u.i, &r)) {
            sp--;
            TOP = val_int(r);
            NEXT();
        }
        BINARY_SLOW(rpi_op_add);
        NEXT();
    }
    CASE(SUB): {
        val b = sp[-1], a = sp[-2];
        int64_t r;
        if (a.kind == VK_INT && b.kind == VK_INT && !__builtin_sub_overflow(a.u.i, b.u.i, &r)) {
            sp--;
            TOP = val_int(r);
            NEXT();
        }
        BINARY_SLOW(rpi_op_sub);
        NEXT();
    }
    CASE(MUL): {
        val b = sp[-1], a = sp[-2];
        int64_t r;
        if (a.kind == VK_INT && b.kind == VK_INT && !__builtin_mul_overflow(a.u.i, b.u.i, &r)) {
            sp--;
            TOP = val_int(r);
            NEXT();
        }
        BINARY_SLOW(rpi_op_mul);
        NEXT();
    }
    CASE(DIV):
        BINARY_SLOW(rpi_op_div);
        NEXT();
    CASE(MOD):
        BINARY_SLOW(rpi_op_mod);
        NEXT();

    CASE(NEG): {
        val a = TOP;
        if (a.kind != VK_ERROR)
            TOP = STAMP(rpi_op_neg(cx, a));
        NEXT();
    }
    CASE(NOT): {
        val a = TOP;
        if (a.kind == VK_BOOL)
            TOP = val_bool(!a.u.b);
        else if (a.kind != VK_ERROR)
            TOP = STAMP(rpi_op_not(cx, a));
        NEXT();
    }

    CASE(EQ):
    CASE(NE): {
        val b = sp[-1], a = sp[-2];
        bool ne = pc->op == OP_NE;
        if (a.kind == b.kind) {
            if (a.kind == VK_STRING) {
                sp--;
                TOP = val_bool((a.aux == b.aux && rpi_bytes_eq(a.u.s, b.u.s, a.aux)) != ne);
                NEXT();
            }
            if (a.kind == VK_INT || a.kind == VK_BOOL) {
                sp--;
                TOP = val_bool((a.kind == VK_INT ? a.u.i == b.u.i : a.u.b == b.u.b) != ne);
                NEXT();
            }
        }
        if (ne)
            BINARY_SLOW(rpi_op_ne);
        else
            BINARY_SLOW(rpi_op_eq);
        NEXT();
    }

#define COMPARE(OPNAME, fn, cop)                                                          \
    CASE(OPNAME): {                                                                       \
        val b = sp[-1], a = sp[-2];                                                       \
        if (a.kind == VK_INT && b.kind == VK_INT) {                                       \
            sp--;                                                                         \
            TOP = val_bool(a.u.i cop b.u.i);                                              \
            NEXT();                                                                       \
        }                                                                                 \
        BINARY_SLOW(fn);                                                                  \
        NEXT();                                                                           \
    }
    COMPARE(LT, rpi_op_lt, <)
    COMPARE(LE, rpi_op_le, <=)
    COMPARE(GT, rpi_op_gt, >)
    COMPARE(GE, rpi_op_ge, >=)
#undef COMPARE

    CASE(IN): {
        val c = sp[-1], e = sp[-2];
        if (c.kind == VK_LIST && c.rep == REP_ARENA && e.kind == VK_STRING) {
            /* a string in a list of strings (rpi_op_in's cost, its answer) */
            const rpi_list *l = c.u.list;
            uint32_t n = l ? l->n : 0;
            if (!rpi_charge(cx, n))
                goto fail;
            bool found = false;
            for (uint32_t i = 0; i < n && !found; i++)
                found = l->items[i].kind == VK_STRING && l->items[i].aux == e.aux &&
                        rpi_bytes_eq(l->items[i].u.s, e.u.s, e.aux);
            sp--;
            TOP = val_bool(found);
            NEXT();
        }
        BINARY_SLOW(rpi_op_in);
        NEXT();
    }

    CASE(IN_CONST): {
        val e = TOP;
        if (e.kind != VK_ERROR)
            TOP = in_const(e, K[pc->a]);
        NEXT();
    }

    CASE(NOT_STRICTLY_FALSE):
        if (TOP.kind != VK_BOOL)
            TOP = val_bool(true);
        NEXT();

    CASE(CALL): {
        unsigned argc = pc->x;
        val *args = sp - argc;
        val r = STAMP(call_function(cx, &prog->funcs[pc->b], args, argc));
        sp = args;
        PUSH(r);
        if (cx->limit_hit)
            goto fail;
        NEXT();
    }

    CASE(CALL_FAIL): {
        val e = POP();
        val *args = sp - pc->x;
        for (unsigned i = 0; i < pc->x; i++)
            if (args[i].kind == VK_ERROR) {
                e = args[i];
                break;
            }
        sp = args;
        PUSH(STAMP(e));
        NEXT();
    }

    CASE(MATCH_CONST):
        TOP = STAMP(match_const(cx, prog->regexes[pc->a], TOP));
        if (cx->limit_hit)
            goto fail;
        NEXT();

    CASE(MAKE_LIST): {
        uint32_t n = (uint32_t)pc->b;
        val *elems = sp - n;
        val r = STAMP(make_list(cx, elems, n, pc->a ? &K[pc->a - 1] : NULL));
        sp = elems;
        PUSH(r);
        if (cx->limit_hit)
            goto fail;
        NEXT();
    }

    CASE(MAKE_MAP): {
        uint32_t n = (uint32_t)pc->b;
        val *kv = sp - 2 * n;
        val r = STAMP(make_map(cx, kv, n, pc->a ? &K[pc->a - 1] : NULL));
        sp = kv;
        PUSH(r);
        if (cx->limit_hit)
            goto fail;
        NEXT();
    }

    CASE(JUMP):
        if (pc->b < 0 && !rpi_charge(cx, 1))
            goto fail;
        pc += pc->b;
        NEXT();

    CASE(AND_SHORT):
        if (TOP.kind == VK_BOOL && !TOP.u.b)
            pc += pc->b;
        NEXT();

    CASE(OR_SHORT):
        if (TOP.kind == VK_BOOL && TOP.u.b)
            pc += pc->b;
        NEXT();

    CASE(AND): {
        val b = POP();
        if (!(TOP.kind == VK_BOOL && b.kind == VK_BOOL))
            TOP = STAMP(logical_and(cx, TOP, b));
        else
            TOP = b; /* TOP was not false: && short-circuits on false */
        NEXT();
    }

    CASE(OR): {
        val b = POP();
        if (!(TOP.kind == VK_BOOL && b.kind == VK_BOOL))
            TOP = STAMP(logical_or(cx, TOP, b));
        else
            TOP = b; /* TOP was not true */
        NEXT();
    }

    CASE(COND_TEST):
        if (TOP.kind != VK_BOOL) {
            if (TOP.kind != VK_ERROR)
                TOP = STAMP(rpi_err_no_overload(cx, "_?_:_", &TOP, 1));
            pc += pc->b;
        }
        NEXT();

    CASE(JUMP_IF_FALSE): {
        val c = POP();
        if (!c.u.b)
            pc += pc->b;
        NEXT();
    }

    CASE(ITER_INIT): {
        val range = POP();
        val err;
        if (!iter_init(cx, &iters[pc->a], range, &err)) {
            PUSH(STAMP(err));
            if (cx->limit_hit)
                goto fail;
            pc += pc->b;
        }
        NEXT();
    }

    CASE(ITER_NEXT): {
        struct rpi_iter *it = &iters[pc->a];
        if (it->i >= it->n) {
            pc += pc->b;
            NEXT();
        }
        if (++loop_steps > max_loop_steps) {
            rpi_limit_stop(cx, "comprehension iterations exceed limit max_comprehension_iterations (%llu)",
                           (unsigned long long)max_loop_steps);
            goto fail;
        }
        if (!rpi_charge(cx, 1))
            goto fail;
        val r = it->range;
        if (r.kind == VK_LIST) {
            val e;
            if (r.rep == REP_JSON)
                e = rpi_val_from_json(json_array_get(r.u.json, it->i));
            else
                e = r.u.list->items[it->i];
            if (pc->x) {
                locals[pc->a] = val_int(it->i);
                locals[pc->a + 1] = e;
            } else {
                locals[pc->a] = e;
            }
        } else {
            val k, v;
            if (!rpi_map_next(r, &it->mit, &k, &v)) {
                pc += pc->b;
                NEXT();
            }
            locals[pc->a] = k;
            if (pc->x)
                locals[pc->a + 1] = v;
        }
        it->i++;
        NEXT();
    }

    CASE(LOOP_COND): {
        val c = POP();
        if (c.kind == VK_BOOL && !c.u.b)
            pc += pc->b;
        NEXT();
    }

    CASE(ALL_STEP): {
        val p = POP();
        val acc = locals[pc->a];
        acc = acc.kind == VK_BOOL && p.kind == VK_BOOL ? p : STAMP(logical_and(cx, acc, p));
        locals[pc->a] = acc;
        if (!rpi_charge(cx, 1))
            goto fail;
        if (!(acc.kind == VK_BOOL && !acc.u.b))
            pc += pc->b;
        NEXT();
    }

    CASE(EXISTS_STEP): {
        val p = POP();
        val acc = locals[pc->a];
        acc = acc.kind == VK_BOOL && p.kind == VK_BOOL ? p : STAMP(logical_or(cx, acc, p));
        locals[pc->a] = acc;
        if (!rpi_charge(cx, 1))
            goto fail;
        if (!(acc.kind == VK_BOOL && acc.u.b))
            pc += pc->b;
        NEXT();
    }

    CASE(INDEX_SUBSET): {
        val *keys = sp - pc->x;
        int32_t var = same_env ? prog->name_vars[pc->b] : -1;
        size_t binding = var >= 0 && act->var_binding[var] ? act->var_binding[var] - 1 : SIZE_MAX;
        sp = keys;
        TOP = rpi_list_index_subset(act, binding, K[pc->a].u.list, TOP, keys);
        NEXT();
    }

    CASE(LIST_ACC): {
        rpi_list *l = growable_new(cx, 4);
        if (!l) {
            PUSH(STAMP(rpi_err_oom(cx)));
            goto fail;
        }
        PUSH(val_list(l));
        NEXT();
    }

    CASE(LIST_APPEND): {
        val v = TOP;
        val acc = locals[pc->a];
        if (acc.kind == VK_ERROR)
            TOP = acc;
        else if (v.kind != VK_ERROR)
            TOP = locals[pc->a] = STAMP(growable_append(cx, acc, v));
        if (cx->limit_hit)
            goto fail;
        NEXT();
    }

    CASE(RETURN): {
        val r = TOP;
        *result = r;
        /* An error made by another program (a pack variable's, passed in
         * as a value) carries that program's pc: index only our spans. */
        if (r.kind == VK_ERROR && r.flags && r.flags <= prog->ncode && err_span)
            *err_span = prog->spans[r.flags - 1];
        return RP_OK;
    }
#ifndef RPI_VM_COMPUTED_GOTO
    default:
        break;
#endif
    }
#undef PUSH
#undef POP
#undef TOP
#undef STAMP
#undef DISPATCH
#undef CASE
#undef NEXT
#undef BINARY_SLOW

fail:
    if (err_span)
        *err_span = prog->spans[pc - code];
    return RP_ELIMIT;
}
