/* value_api.c -- rp_value: a result handed to the caller, and its accessors.
 *
 * An evaluation's result points into the activation's arena and into bound
 * JSON documents, both of which change on the next evaluation.  So the API
 * boundary deep-copies it (rpi_value_export) into ONE malloc'd block that
 * the rp_value owns: a first pass measures, a second copies.  Inside the
 * block the value is an ordinary `val` tree (JSON views become arena-style
 * lists and maps), and next to each list and map sits an array of child
 * rp_value nodes, so that rp_value_list_at() and friends can hand out
 * borrowed pointers without allocating.
 *
 *   block: [root rp_value][list header + items][child nodes][strings] ...
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct rp_value {
    val v;                      /* pointers inside point into the same block */
    struct rp_value *items;     /* list: n nodes; map: 2n (key, value, key, ...);
                                   optional with a value: 1 node */
    uint32_t n;
    bool owner;                 /* the root, which owns the block */
};

#define ALIGN 16
static size_t al(size_t n) { return (n + (ALIGN - 1)) & ~(size_t)(ALIGN - 1); }

/* Bytes V needs in the block besides its own node. */
static size_t measure(val v)
{
    size_t total = 0;
    switch (v.kind) {
    case VK_STRING:
    case VK_BYTES:
    case VK_ERROR:
        return al((size_t)v.aux + 1);
    case VK_LIST: {
        uint32_t n = rpi_list_size(v);
        total = al(sizeof(rpi_list) + (size_t)n * sizeof(val)) + al((size_t)n * sizeof(rp_value));
        for (uint32_t i = 0; i < n; i++)
            total += measure(rpi_list_at(v, i));
        return total;
    }
    case VK_MAP: {
        uint32_t n = rpi_map_size(v);
        total = al(sizeof(rpi_map)) + 2 * al((size_t)n * sizeof(val)) +
                al((size_t)2 * n * sizeof(rp_value));
        rpi_map_iter it = {NULL, 0};
        val k, e;
        while (rpi_map_next(v, &it, &k, &e))
            total += measure(k) + measure(e);
        return total;
    }
    case VK_OPTIONAL:
        if (!v.u.opt)
            return 0;
        return al(sizeof(val)) + al(sizeof(rp_value)) + measure(*v.u.opt);
    case VK_OPAQUE:
        return al(sizeof(rpi_opaque));
    default:
        return 0;
    }
}

static void *take(char **cur, size_t n)
{
    void *p = *cur;
    *cur += al(n);
    return p;
}

/* Copy V into the block at *CUR, describe it in NODE, return the copy. */
static val copy(char **cur, val v, rp_value *node)
{
    val out = v;
    node->items = NULL;
    node->n = 0;
    node->owner = false;
    switch (v.kind) {
    case VK_STRING:
    case VK_BYTES:
    case VK_ERROR: {
        char *s = take(cur, (size_t)v.aux + 1);
        if (v.aux)
            memcpy(s, v.u.s, v.aux);
        s[v.aux] = '\0';
        out.u.s = s;
        break;
    }
    case VK_LIST: {
        uint32_t n = rpi_list_size(v);
        rpi_list *l = take(cur, sizeof(rpi_list) + (size_t)n * sizeof(val));
        rp_value *kids = take(cur, (size_t)n * sizeof(rp_value));
        l->n = n;
        for (uint32_t i = 0; i < n; i++)
            l->items[i] = copy(cur, rpi_list_at(v, i), &kids[i]);
        out = val_list(l);
        node->items = kids;
        node->n = n;
        break;
    }
    case VK_MAP: {
        uint32_t n = rpi_map_size(v);
        rpi_map *m = take(cur, sizeof(rpi_map));
        val *keys = take(cur, (size_t)n * sizeof(val));
        val *vals = take(cur, (size_t)n * sizeof(val));
        rp_value *kids = take(cur, (size_t)2 * n * sizeof(rp_value));
        rpi_map_iter it = {NULL, 0};
        val k, e;
        uint32_t i = 0;
        while (i < n && rpi_map_next(v, &it, &k, &e)) {
            keys[i] = copy(cur, k, &kids[2 * i]);
            vals[i] = copy(cur, e, &kids[2 * i + 1]);
            i++;
        }
        /* Exported maps are read through the accessors and the JSON writer
         * only: no hash index is needed, lookups stay linear. */
        m->n = i;
        m->bits = 0;
        m->keys = keys;
        m->vals = vals;
        m->slots = NULL;
        m->hashes = NULL;
        out = val_map(m);
        node->items = kids;
        node->n = i;
        break;
    }
    case VK_OPTIONAL:
        if (v.u.opt) {
            val *box = take(cur, sizeof(val));
            rp_value *kid = take(cur, sizeof(rp_value));
            *box = copy(cur, *v.u.opt, kid);
            out = val_optional(box);
            node->items = kid;
            node->n = 1;
        }
        break;
    case VK_OPAQUE: {
        /* The payload lives in the arena and has no known size; keep what
         * names the type (the vtable is static). */
        rpi_opaque *o = take(cur, sizeof(rpi_opaque));
        o->vt = v.u.opaque ? v.u.opaque->vt : NULL;
        out.u.opaque = o;
        break;
    }
    default:
        break;
    }
    node->v = out;
    return out;
}

rp_value *rpi_value_export(val v)
{
    size_t size = al(sizeof(rp_value)) + measure(v);
    char *block = malloc(size);
    if (!block)
        return NULL;
    rp_value *root = (rp_value *)block;
    char *cur = block + al(sizeof(rp_value));
    copy(&cur, v, root);
    root->owner = true;
    return root;
}

/* ---- Public accessors ---------------------------------------------------------------- */

void rp_value_free(rp_value *v)
{
    /* Borrowed nodes (list elements, map entries) are not the caller's. */
    if (v && v->owner)
        free(v);
}

rp_kind rp_value_kind(const rp_value *v)
{
    if (!v)
        return RP_KIND_NULL;
    switch ((val_kind)v->v.kind) {
    case VK_BOOL: return RP_KIND_BOOL;
    case VK_INT: return RP_KIND_INT;
    case VK_UINT: return RP_KIND_UINT;
    case VK_DOUBLE: return RP_KIND_DOUBLE;
    case VK_STRING: return RP_KIND_STRING;
    case VK_BYTES: return RP_KIND_BYTES;
    case VK_LIST: return RP_KIND_LIST;
    case VK_MAP: return RP_KIND_MAP;
    case VK_TYPE: return RP_KIND_TYPE;
    case VK_TIMESTAMP: return RP_KIND_TIMESTAMP;
    case VK_DURATION: return RP_KIND_DURATION;
    case VK_OPTIONAL: return RP_KIND_OPTIONAL;
    case VK_OPAQUE: return RP_KIND_OPAQUE;
    case VK_NULL:
    case VK_ERROR:
    case VK__COUNT:
        break;
    }
    return RP_KIND_NULL;
}

int rp_value_bool(const rp_value *v, int *out)
{
    if (!v || !out)
        return RP_EINVAL;
    if (v->v.kind != VK_BOOL)
        return RP_ETYPE;
    *out = v->v.u.b;
    return RP_OK;
}

int rp_value_int(const rp_value *v, int64_t *out)
{
    if (!v || !out)
        return RP_EINVAL;
    if (v->v.kind != VK_INT)
        return RP_ETYPE;
    *out = v->v.u.i;
    return RP_OK;
}

int rp_value_uint(const rp_value *v, uint64_t *out)
{
    if (!v || !out)
        return RP_EINVAL;
    if (v->v.kind != VK_UINT)
        return RP_ETYPE;
    *out = v->v.u.u;
    return RP_OK;
}

int rp_value_double(const rp_value *v, double *out)
{
    if (!v || !out)
        return RP_EINVAL;
    if (v->v.kind != VK_DOUBLE)
        return RP_ETYPE;
    *out = v->v.u.d;
    return RP_OK;
}

int rp_value_string(const rp_value *v, const char **p, size_t *len)
{
    if (!v || !p)
        return RP_EINVAL;
    switch (v->v.kind) {
    case VK_STRING:
    case VK_BYTES:
        *p = v->v.u.s;
        if (len)
            *len = v->v.aux;
        return RP_OK;
    case VK_TYPE:
        *p = v->v.u.type->name;
        if (len)
            *len = strlen(*p);
        return RP_OK;
    default:
        return RP_ETYPE;
    }
}

size_t rp_value_count(const rp_value *v)
{
    if (!v || (v->v.kind != VK_LIST && v->v.kind != VK_MAP))
        return 0;
    return v->n;
}

const rp_value *rp_value_list_at(const rp_value *v, size_t i)
{
    if (!v || v->v.kind != VK_LIST || i >= v->n)
        return NULL;
    return &v->items[i];
}

const rp_value *rp_value_map_key_at(const rp_value *v, size_t i)
{
    if (!v || v->v.kind != VK_MAP || i >= v->n)
        return NULL;
    return &v->items[2 * i];
}

const rp_value *rp_value_map_value_at(const rp_value *v, size_t i)
{
    if (!v || v->v.kind != VK_MAP || i >= v->n)
        return NULL;
    return &v->items[2 * i + 1];
}

char *rp_value_to_json(const rp_value *v, unsigned flags)
{
    if (!v)
        return NULL;
    return rpi_val_to_json_text(v->v, (flags & RP_JSON_TYPED) != 0, NULL);
}
