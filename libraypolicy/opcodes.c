/* opcodes.c -- the opcode table (expanded from opcodes.def) and the
 * disassembler, which prints a program one instruction a line:
 *
 *    0  LOAD_VAR      0        ; object
 *    1  SELECT        3 2      ; .spec.headGroupSpec
 *    2  CONST         5        ; "ClusterIP"
 *    3  EQ
 *    4  RETURN
 *
 * It is the project's EXPLAIN: tests compare it, and people debugging a slow
 * expression read it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "opcodes.h"

const rpi_opinfo rpi_opcodes[OP__COUNT] = {
#define OP(name, fmt, pops, pushes, doc) {#name, FMT_##fmt, pops, pushes, doc},
#include "opcodes.def"
#undef OP
};

/* A growable text buffer; `failed` latches on the first OOM. */
typedef struct textbuf {
    char *p;
    size_t len, cap;
    bool failed;
} textbuf;

static void tb_printf(textbuf *tb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_printf(textbuf *tb, const char *fmt, ...)
{
    if (tb->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = tb->cap - tb->len;
        int n = vsnprintf(tb->p ? tb->p + tb->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            tb->failed = true;
            return;
        }
        if ((size_t)n < room) {
            tb->len += (size_t)n;
            return;
        }
        size_t cap = tb->cap ? tb->cap * 2 : 256;
        while (cap - tb->len <= (size_t)n)
            cap *= 2;
        char *np = realloc(tb->p, cap);
        if (!np) {
            tb->failed = true;
            return;
        }
        tb->p = np;
        tb->cap = cap;
    }
}

/* A short, single-line rendering of a constant for comments. */
static void describe_const(textbuf *tb, val v)
{
    switch (v.kind) {
    case VK_NULL: tb_printf(tb, "null"); break;
    case VK_BOOL: tb_printf(tb, v.u.b ? "true" : "false"); break;
    case VK_INT: tb_printf(tb, "%lld", (long long)v.u.i); break;
    case VK_UINT: tb_printf(tb, "%lluu", (unsigned long long)v.u.u); break;
    case VK_DOUBLE: tb_printf(tb, "%g", v.u.d); break;
    case VK_STRING:
    case VK_BYTES: {
        int n = v.aux > 40 ? 40 : (int)v.aux;
        tb_printf(tb, "%s\"", v.kind == VK_BYTES ? "b" : "");
        for (int i = 0; i < n; i++) {
            unsigned char c = (unsigned char)v.u.s[i];
            if (c == '"' || c == '\\')
                tb_printf(tb, "\\%c", c);
            else if (c < 0x20 || c == 0x7f)
                tb_printf(tb, "\\x%02x", c);
            else
                tb_printf(tb, "%c", c);
        }
        tb_printf(tb, "%s\"", v.aux > 40 ? "..." : "");
        break;
    }
    case VK_TYPE: tb_printf(tb, "type %s", v.u.type->name); break;
    case VK_LIST: tb_printf(tb, "list[%u]", rpi_list_size(v)); break;
    case VK_MAP: tb_printf(tb, "map[%u]", rpi_map_size(v)); break;
    case VK_ERROR: tb_printf(tb, "error \"%.*s\"", (int)v.aux, v.u.s); break;
    default: tb_printf(tb, "%s", rpi_val_type_name(v)); break;
    }
}

char *rpi_opcodes_disassemble(const rp_program *prog)
{
    textbuf tb = {0};
    tb_printf(&tb, "; %u instructions, %u constants, stack %u, locals %u\n", prog->ncode,
              prog->nconsts, prog->max_stack, prog->nlocals);
    for (uint32_t pc = 0; pc < prog->ncode; pc++) {
        const rpi_insn *in = &prog->code[pc];
        const rpi_opinfo *oi = &rpi_opcodes[in->op];
        tb_printf(&tb, "%4u  %-18s", pc, oi->name);
        switch (oi->fmt) {
        case FMT_X: tb_printf(&tb, " %-9u", in->x); break;
        case FMT_A: tb_printf(&tb, " %-9u", in->a); break;
        case FMT_B: tb_printf(&tb, " %-9d", in->b); break;
        case FMT_AB: tb_printf(&tb, " %-4u %-4d", in->a, in->b); break;
        case FMT_XB: tb_printf(&tb, " %-4u %-4d", in->x, in->b); break;
        case FMT_XAB: tb_printf(&tb, " %u %u %-5d", in->x, in->a, in->b); break;
        default: tb_printf(&tb, "%10s", ""); break;
        }
        switch (in->op) {
        case OP_CONST:
        case OP_IN_CONST:
            tb_printf(&tb, " ; ");
            describe_const(&tb, prog->consts[in->a]);
            break;
        case OP_LOAD_VAR:
            tb_printf(&tb, " ; %s", prog->names[in->a]);
            break;
        case OP_SELECT:
            tb_printf(&tb, " ;");
            for (int32_t i = 0; i < in->b; i++)
                tb_printf(&tb, ".%.*s", (int)prog->consts[in->a + i].aux,
                          prog->consts[in->a + i].u.s);
            break;
        case OP_HAS:
        case OP_SELECT_OPT:
            tb_printf(&tb, " ; %s%.*s", in->op == OP_HAS ? "has ." : ".?",
                      (int)prog->consts[in->a].aux, prog->consts[in->a].u.s);
            break;
        case OP_CALL:
            tb_printf(&tb, " ; %s/%u", prog->funcs[in->b].cand[0]->name, in->x);
            break;
        case OP_JUMP:
        case OP_AND_SHORT:
        case OP_OR_SHORT:
        case OP_COND_TEST:
        case OP_JUMP_IF_FALSE:
        case OP_ITER_INIT:
        case OP_ITER_NEXT:
        case OP_LOOP_COND:
            tb_printf(&tb, " ; -> %d", (int)pc + 1 + in->b);
            break;
        default:
            break;
        }
        tb_printf(&tb, "\n");
    }
    if (tb.failed) {
        free(tb.p);
        return NULL;
    }
    return tb.p;
}
