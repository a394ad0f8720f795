/* yaml_doc.c -- YAML and JSON streams into jansson documents, read the way
 * Kubernetes reads manifests (sigs.k8s.io/yaml on go-yaml v2), with the
 * position of every node kept in a hash table.
 *
 * The idea: libyaml's event parser (yaml_parser_parse) drives a builder
 * that keeps its own stack of open collections, so nothing here recurses
 * over the input and the nesting limit is a plain counter.  Each scalar is
 * resolved by go-yaml v2's rules (resolve.go, decode.go: scalar/prepare)
 * and then given the shape sigs.k8s.io/yaml's JSON round trip gives it
 * (yaml.go: convertToJSONableObject, then encoding/json and Kubernetes'
 * number rule), so a document here holds what a cluster would hold.
 *
 * Aliases do not copy: an alias adds a reference to the anchored jansson
 * node, so a document is a DAG and "billion laughs" costs no memory; what
 * an alias would expand to is still counted (each anchor knows the size and
 * height of its tree) against max_alias_nodes and max_depth.  Consumers
 * must treat documents as read-only.
 *
 * Positions: libyaml marks count characters; a line table and a cursor
 * over the UTF-8 text turn them into byte columns.  The position map is an
 * open-addressing hash of (parent container, key or index); its keys live in
 * an arena the map owns.  Containers of documents that failed half-way are
 * kept alive in the map (never reused addresses, so no stale entry can match
 * a live node) until the set is freed.
 *
 * Input bytes are checked before libyaml sees them (valid UTF-8, no control
 * characters: libyaml's reader rules), because libyaml reads ahead and would
 * otherwise report a bad byte before the documents that precede it.  Only
 * the text before the line with the first bad byte is parsed; the bad byte
 * then becomes the error of the document it is in.
 */
#define _GNU_SOURCE     /* strtod_l, strtof_l, newlocale */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "internal.h"
#include "policy/yaml_doc.h"

/* Defaults of rpi_yaml_limits (yaml_doc.h). */
#define DEFAULT_MAX_ALIAS_NODES 1000000
#define DEFAULT_MAX_DEPTH 1000
#define DEFAULT_MAX_BYTES ((size_t)16 << 20)
#define DEFAULT_MAX_DOCUMENTS 10000

/* The tags go-yaml v2 resolves (resolve.go: resolvableTag) and treats
 * specially (decode.go: scalar for !!binary, isMerge for !!merge). */
#define TAG_STR "tag:yaml.org,2002:str"
#define TAG_BOOL "tag:yaml.org,2002:bool"
#define TAG_INT "tag:yaml.org,2002:int"
#define TAG_FLOAT "tag:yaml.org,2002:float"
#define TAG_NULL "tag:yaml.org,2002:null"
#define TAG_TIMESTAMP "tag:yaml.org,2002:timestamp"
#define TAG_BINARY "tag:yaml.org,2002:binary"
#define TAG_MERGE "tag:yaml.org,2002:merge"

#define TRUNCATED_NOTE "; the rest of the stream is not read"

/* ==== The position map ============================================================ */

typedef struct pm_entry {
    const json_t *parent;
    const char *key;        /* in the arena; NULL for an index entry */
    size_t key_len;
    size_t index;
    uint64_t hash;
    bool used;
    rpi_pos pos;
} pm_entry;

typedef struct pm_chunk {
    struct pm_chunk *next;
    size_t used, cap;
    char data[];
} pm_chunk;

struct rpi_posmap {
    pm_entry *slots;
    size_t cap, count;      /* cap is a power of two, count <= cap / 2 */
    pm_chunk *chunks;       /* key arena, newest first */
    json_t **keep;          /* containers of failed documents, kept alive */
    size_t nkeep, cap_keep;
    size_t text_len;        /* of the text read, to size the first table */
};

/* The index under which a container root is recorded for
 * rpi_posmap_path("", ...): no real sequence has this many items. */
#define ROOT_INDEX SIZE_MAX

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t pm_hash(const json_t *parent, const char *key, size_t key_len, size_t index)
{
    uint64_t h;
    if (key) {
        h = 0xcbf29ce484222325ULL;          /* FNV-1a over the key */
        for (size_t i = 0; i < key_len; i++) {
            h ^= (unsigned char)key[i];
            h *= 0x100000001b3ULL;
        }
    } else {
        h = (uint64_t)index * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
    }
    return mix64(h ^ (uint64_t)(uintptr_t)parent);
}

static bool pm_same(const pm_entry *e, uint64_t h, const json_t *parent, const char *key,
                    size_t key_len, size_t index)
{
    if (e->hash != h || e->parent != parent || (e->key == NULL) != (key == NULL))
        return false;
    if (!key)
        return e->index == index;
    return e->key_len == key_len && memcmp(e->key, key, key_len) == 0;
}

static const pm_entry *pm_find(const rpi_posmap *map, const json_t *parent, const char *key,
                               size_t key_len, size_t index)
{
    if (!map || map->cap == 0)
        return NULL;
    uint64_t h = pm_hash(parent, key, key_len, index);
    size_t mask = map->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const pm_entry *e = &map->slots[i];
        if (!e->used)
            return NULL;
        if (pm_same(e, h, parent, key, key_len, index))
            return e;
    }
}

/* Doubling keeps the load at or under one half, so probes stay short.  The
 * first table is sized from the text (manifests hold about a node per 30
 * bytes), so a small file does not clear a large table. */
static int pm_grow(rpi_posmap *map, size_t text_len)
{
    size_t ncap = map->cap * 2;
    if (ncap == 0)
        for (ncap = 64; ncap < text_len / 16 && ncap < 65536;)
            ncap *= 2;
    pm_entry *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return RP_ENOMEM;
    for (size_t i = 0; i < map->cap; i++) {
        pm_entry *e = &map->slots[i];
        if (!e->used)
            continue;
        size_t j = (size_t)e->hash & (ncap - 1);
        while (ns[j].used)
            j = (j + 1) & (ncap - 1);
        ns[j] = *e;
    }
    free(map->slots);
    map->slots = ns;
    map->cap = ncap;
    return 0;
}

/* Record (or replace) the position of PARENT[KEY] / PARENT[INDEX].  KEY
 * must already live in the arena (pm_strdup) or be NULL. */
static int pm_put(rpi_posmap *map, const json_t *parent, const char *key, size_t key_len,
                  size_t index, const rpi_pos *pos)
{
    if ((map->count + 1) * 2 > map->cap && pm_grow(map, map->text_len) != 0)
        return RP_ENOMEM;
    uint64_t h = pm_hash(parent, key, key_len, index);
    size_t mask = map->cap - 1;
    size_t i = (size_t)h & mask;
    for (; map->slots[i].used; i = (i + 1) & mask) {
        if (pm_same(&map->slots[i], h, parent, key, key_len, index)) {
            map->slots[i].pos = *pos;
            return 0;
        }
    }
    map->slots[i] = (pm_entry){parent, key, key_len, key ? 0 : index, h, true, *pos};
    map->count++;
    return 0;
}

static const char *pm_strdup(rpi_posmap *map, const char *s, size_t len)
{
    pm_chunk *c = map->chunks;
    if (!c || c->cap - c->used < len + 1) {
        size_t cap = len + 1 > 8192 ? len + 1 : 8192;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = map->chunks;
        c->used = 0;
        c->cap = cap;
        map->chunks = c;
    }
    char *p = c->data + c->used;
    memcpy(p, s, len);
    p[len] = '\0';
    c->used += len + 1;
    return p;
}

/* Keep NODE (a reference is taken over) alive as long as the map. */
static int pm_keep(rpi_posmap *map, json_t *node)
{
    if (!node)
        return 0;
    if (map->nkeep == map->cap_keep) {
        size_t ncap = map->cap_keep ? map->cap_keep * 2 : 16;
        json_t **nk = realloc(map->keep, ncap * sizeof *nk);
        if (!nk) {
            json_decref(node);
            return RP_ENOMEM;
        }
        map->keep = nk;
        map->cap_keep = ncap;
    }
    map->keep[map->nkeep++] = node;
    return 0;
}

static void pm_free(rpi_posmap *map)
{
    if (!map)
        return;
    free(map->slots);
    for (pm_chunk *c = map->chunks, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    for (size_t i = 0; i < map->nkeep; i++)
        json_decref(map->keep[i]);
    free(map->keep);
    free(map);
}

const rpi_pos *rpi_posmap_get(const rpi_posmap *map, const json_t *parent, const char *key,
                              size_t index)
{
    const pm_entry *e = pm_find(map, parent, key, key ? strlen(key) : 0, index);
    return e ? &e->pos : NULL;
}

/* One step of a field path: a name (KEY set), or an index (KEY NULL). */
typedef struct path_step {
    const char *key;
    size_t key_len;
    size_t index;
    bool ok;
} path_step;

/* Read the step at *P into STEP (bracketed strings are unescaped into BUF),
 * advancing *P.  Steps: `name`, `.name`, `[12]`, `['a.b']`, `["a"]`. */
static path_step path_next(const char **p, char *buf)
{
    path_step st = {NULL, 0, 0, false};
    const char *s = *p;
    if (*s == '.')
        s++;
    if (*s == '[') {
        s++;
        if (*s == '\'' || *s == '"') {
            char q = *s++;
            size_t n = 0;
            while (*s && *s != q) {
                if (*s == '\\' && s[1])
                    s++;
                buf[n++] = *s++;
            }
            if (*s != q || s[1] != ']')
                return st;
            s += 2;
            st.key = buf;
            st.key_len = n;
        } else {
            if (*s < '0' || *s > '9')
                return st;
            size_t v = 0;
            for (; *s >= '0' && *s <= '9'; s++) {
                if (v > (SIZE_MAX - 9) / 10)
                    return st;
                v = v * 10 + (size_t)(*s - '0');
            }
            if (*s != ']')
                return st;
            s++;
            st.index = v;
        }
    } else {
        const char *b = s;
        while (*s && *s != '.' && *s != '[')
            s++;
        if (s == b)
            return st;
        st.key = b;
        st.key_len = (size_t)(s - b);
    }
    st.ok = true;
    *p = s;
    return st;
}

const rpi_pos *rpi_posmap_path(const rpi_posmap *map, const json_t *root, const char *path,
                               bool *exact)
{
    bool dummy;
    if (!exact)
        exact = &dummy;
    *exact = false;
    if (!map || !root || !path)
        return NULL;
    if (strncmp(path, "object", 6) == 0 && (path[6] == '.' || path[6] == '[' || path[6] == '\0'))
        path += 6;
    if (*path == '\0') {
        const pm_entry *e = pm_find(map, root, NULL, 0, ROOT_INDEX);
        *exact = e != NULL;
        return e ? &e->pos : NULL;
    }
    /* the steps are copied out one at a time: on the stack, so that a
     * finding's position does not depend on memory (a longer path than
     * any rule writes still works, from the heap) */
    char small[512];
    size_t plen = strlen(path);
    char *buf = plen < sizeof small ? small : malloc(plen + 1);
    if (!buf)
        return NULL;
    const rpi_pos *best = NULL;
    const json_t *cur = root;
    const char *p = path;
    bool whole = true;
    while (*p) {
        path_step st = path_next(&p, buf);
        const json_t *child = NULL;
        const pm_entry *e = NULL;
        if (st.ok && st.key && json_is_object(cur)) {
            child = json_object_getn(cur, st.key, st.key_len);
            if (child)
                e = pm_find(map, cur, st.key, st.key_len, 0);
        } else if (st.ok && !st.key && json_is_array(cur) && st.index < json_array_size(cur)) {
            child = json_array_get(cur, st.index);
            e = pm_find(map, cur, NULL, 0, st.index);
        }
        if (!child || !e) {
            whole = false;
            break;
        }
        best = &e->pos;
        cur = child;
    }
    if (buf != small)
        free(buf);
    *exact = whole && best != NULL;
    return best;
}

/* ==== The input text ================================================================= */

/* The text libyaml parses, and what turns its marks into byte positions. */
typedef struct text {
    const char *p;
    size_t len;             /* bytes handed to libyaml (before the bad line) */
    size_t full_len;        /* bytes of the whole (UTF-8) input */
    size_t bom;             /* 3 when a UTF-8 byte order mark leads */
    size_t *lines;          /* byte offset of each line's start */
    size_t nlines;
    bool ascii;             /* no byte >= 0x80: character index = byte offset */
    size_t cur_char, cur_byte;  /* cursor for character -> byte offsets */
    /* the first byte libyaml's reader would refuse, if any */
    bool bad;
    size_t bad_off;
    const char *bad_msg;
} text;

static int utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Line breaks as libyaml counts them: LF, CR, CR LF, NEL, LS, PS.  The
 * length of the break at OFF, 0 when there is none. */
static size_t break_len(const char *s, size_t len, size_t off)
{
    unsigned char c = (unsigned char)s[off];
    if (c == '\n')
        return 1;
    if (c == '\r')
        return off + 1 < len && s[off + 1] == '\n' ? 2 : 1;
    if (c == 0xc2 && off + 1 < len && (unsigned char)s[off + 1] == 0x85)
        return 2;
    if (c == 0xe2 && off + 2 < len && (unsigned char)s[off + 1] == 0x80 &&
        ((unsigned char)s[off + 2] == 0xa8 || (unsigned char)s[off + 2] == 0xa9))
        return 3;
    return 0;
}

/* Check the bytes as libyaml's reader would (reader.c: UTF-8 decoding and
 * the printable-character test), build the line table and note whether the
 * text is ASCII.  The first refused byte is remembered, not reported: the
 * documents before it are still read. */
static int text_scan(text *t)
{
    size_t cap = 64;
    t->lines = malloc(cap * sizeof *t->lines);
    if (!t->lines)
        return RP_ENOMEM;
    t->nlines = 1;
    t->lines[0] = t->bom;
    t->ascii = true;
    const unsigned char *s = (const unsigned char *)t->p;
    size_t len = t->full_len;
    for (size_t i = t->bom; i < len;) {
        unsigned char c = s[i];
        size_t w = 1;
        if ((c >= 0x20 && c < 0x7f) || c == '\t') {    /* the common case first */
            i++;
            continue;
        }
        uint32_t v = c;
        const char *msg = NULL;
        if (c >= 0x80) {
            t->ascii = false;
            w = (size_t)utf8_len(c);
            if ((c & 0xc0) == 0x80 || c >= 0xf8) {
                msg = "invalid leading UTF-8 octet";
            } else if (i + w > len) {
                msg = "incomplete UTF-8 octet sequence";
            } else {
                v = w == 2 ? c & 0x1f : w == 3 ? c & 0x0f : c & 0x07;
                for (size_t k = 1; k < w && !msg; k++) {
                    if ((s[i + k] & 0xc0) != 0x80)
                        msg = "invalid trailing UTF-8 octet";
                    v = (v << 6) | (s[i + k] & 0x3f);
                }
                if (!msg && ((w == 2 && v < 0x80) || (w == 3 && v < 0x800) ||
                             (w == 4 && v < 0x10000)))
                    msg = "invalid length of a UTF-8 sequence";
                if (!msg && ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff))
                    msg = "invalid Unicode character";
            }
        }
        if (!msg && !(v == 0x09 || v == 0x0a || v == 0x0d || (v >= 0x20 && v <= 0x7e) ||
                      v == 0x85 || (v >= 0xa0 && v <= 0xd7ff) ||
                      (v >= 0xe000 && v <= 0xfffd) || (v >= 0x10000 && v <= 0x10ffff)))
            msg = "control characters are not allowed";
        if (msg) {
            t->bad = true;
            t->bad_off = i;
            t->bad_msg = msg;
            break;
        }
        size_t b = c == '\n' ? 1 : (c == '\r' || c >= 0xc2) ? break_len(t->p, len, i) : 0;
        if (b) {
            w = b;
            if (t->nlines == cap) {
                cap *= 2;
                size_t *nl = realloc(t->lines, cap * sizeof *nl);
                if (!nl)
                    return RP_ENOMEM;
                t->lines = nl;
            }
            t->lines[t->nlines++] = i + w;
        }
        i += w;
    }
    t->len = len;
    if (t->bad) {
        /* parse whole lines only: the bad line starts a new piece */
        size_t lo = 0, hi = t->nlines;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (t->lines[mid] <= t->bad_off)
                lo = mid;
            else
                hi = mid;
        }
        t->len = t->lines[lo];
    }
    t->cur_char = 0;
    t->cur_byte = t->bom;
    return 0;
}

/* The 0-based line holding byte OFF; HINT is tried first. */
static size_t text_line_of(const text *t, size_t off, size_t hint)
{
    if (hint < t->nlines && t->lines[hint] <= off &&
        (hint + 1 == t->nlines || off < t->lines[hint + 1]))
        return hint;
    size_t lo = 0, hi = t->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (t->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* 1-based line and byte column of byte OFF. */
static void text_pos(const text *t, size_t off, size_t hint, unsigned *line, unsigned *col)
{
    if (off > t->full_len)
        off = t->full_len;
    size_t l = text_line_of(t, off, hint);
    *line = (unsigned)(l + 1);
    *col = (unsigned)(off - t->lines[l] + 1);
}

/* The byte offset of libyaml character index IDX.  The cursor moves from
 * where the last question left it; marks arrive almost in order, so the
 * whole read walks the text about once. */
static size_t text_offset(text *t, size_t idx)
{
    if (t->ascii)
        return t->bom + idx;
    const unsigned char *s = (const unsigned char *)t->p;
    while (t->cur_char < idx && t->cur_byte < t->full_len) {
        t->cur_byte += (size_t)utf8_len(s[t->cur_byte]);
        t->cur_char++;
    }
    while (t->cur_char > idx && t->cur_byte > t->bom) {
        t->cur_byte--;
        while (t->cur_byte > t->bom && (s[t->cur_byte] & 0xc0) == 0x80)
            t->cur_byte--;
        t->cur_char--;
    }
    return t->cur_byte > t->full_len ? t->full_len : t->cur_byte;
}

/* UTF-16 input (go-yaml and libyaml accept it when a byte order mark says
 * so) is turned into UTF-8 first, so that everything after works on one
 * encoding.  A bad code unit ends the converted text; *BAD_MSG says why. */
static int utf16_to_utf8(const unsigned char *s, size_t len, bool big, char **out,
                         size_t *out_len, const char **bad_msg)
{
    char *o = malloc(len / 2 * 3 + 4);
    if (!o)
        return RP_ENOMEM;
    size_t n = 0;
    *bad_msg = NULL;
    for (size_t i = 2; i < len;) {
        if (i + 1 >= len) {
            *bad_msg = "incomplete UTF-16 character";
            break;
        }
        uint32_t u = big ? (uint32_t)(s[i] << 8 | s[i + 1]) : (uint32_t)(s[i + 1] << 8 | s[i]);
        i += 2;
        if (u >= 0xdc00 && u <= 0xdfff) {
            *bad_msg = "unexpected low surrogate area";
            break;
        }
        if (u >= 0xd800 && u <= 0xdbff) {
            if (i + 1 >= len) {
                *bad_msg = "incomplete UTF-16 surrogate pair";
                break;
            }
            uint32_t lo = big ? (uint32_t)(s[i] << 8 | s[i + 1]) : (uint32_t)(s[i + 1] << 8 | s[i]);
            if (lo < 0xdc00 || lo > 0xdfff) {
                *bad_msg = "expected low surrogate area";
                break;
            }
            i += 2;
            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        }
        if (u < 0x80) {
            o[n++] = (char)u;
        } else if (u < 0x800) {
            o[n++] = (char)(0xc0 | u >> 6);
            o[n++] = (char)(0x80 | (u & 0x3f));
        } else if (u < 0x10000) {
            o[n++] = (char)(0xe0 | u >> 12);
            o[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
            o[n++] = (char)(0x80 | (u & 0x3f));
        } else {
            o[n++] = (char)(0xf0 | u >> 18);
            o[n++] = (char)(0x80 | ((u >> 12) & 0x3f));
            o[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
            o[n++] = (char)(0x80 | (u & 0x3f));
        }
    }
    *out = o;
    *out_len = n;
    return 0;
}

/* ==== Scalars: go-yaml v2's resolution ================================================= */

typedef enum rkind {
    RK_NULL, RK_BOOL, RK_INT, RK_UINT, RK_FLOAT, RK_STR, RK_BINARY, RK_MERGE, RK_TIMESTAMP
} rkind;

/* A resolved scalar.  RK_STR and RK_TIMESTAMP keep the scalar's text;
 * RK_BINARY holds the decoded bytes in BIN (malloc'd). */
typedef struct resolved {
    rkind kind;
    bool b;
    int64_t i;
    uint64_t u;
    double f;
    char *bin;
    size_t bin_len;
} resolved;

static const char *short_tag(rkind k)
{
    switch (k) {
    case RK_NULL: return "!!null";
    case RK_BOOL: return "!!bool";
    case RK_INT:
    case RK_UINT: return "!!int";
    case RK_FLOAT: return "!!float";
    case RK_BINARY: return "!!binary";
    case RK_MERGE: return "!!merge";
    case RK_TIMESTAMP: return "!!timestamp";
    case RK_STR: break;
    }
    return "!!str";
}

static bool eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* The fixed spellings of resolve.go's resolveMap.  Returns false when S is
 * none of them. */
static bool resolve_map(const char *s, size_t n, resolved *r)
{
    static const char *const t[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                    "on", "On", "ON"};
    static const char *const f[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                    "off", "Off", "OFF"};
    static const char *const nul[] = {"", "~", "null", "Null", "NULL"};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        if (eq(s, n, t[k]) || eq(s, n, f[k])) {
            r->kind = RK_BOOL;
            r->b = eq(s, n, t[k]);
            return true;
        }
    }
    for (size_t k = 0; k < sizeof nul / sizeof nul[0]; k++) {
        if (eq(s, n, nul[k])) {
            r->kind = RK_NULL;
            return true;
        }
    }
    if (eq(s, n, ".nan") || eq(s, n, ".NaN") || eq(s, n, ".NAN")) {
        r->kind = RK_FLOAT;
        r->f = NAN;
        return true;
    }
    const char *p = s;
    size_t m = n;
    double sign = 1;
    if (m > 0 && (*p == '+' || *p == '-')) {
        sign = *p == '-' ? -1 : 1;
        p++;
        m--;
    }
    if (eq(p, m, ".inf") || eq(p, m, ".Inf") || eq(p, m, ".INF")) {
        r->kind = RK_FLOAT;
        r->f = sign * INFINITY;
        return true;
    }
    if (eq(s, n, "<<")) {
        r->kind = RK_MERGE;
        return true;
    }
    return false;
}

static int digit_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Go's strconv.ParseUint(s, 0, 64) on text without underscores: 0b, 0o,
 * 0x and leading-0 octal prefixes (either case), overflow is failure. */
static bool go_parse_uint(const char *s, size_t n, uint64_t *out)
{
    if (n == 0)
        return false;
    int base = 10;
    if (s[0] == '0') {
        char c1 = n >= 3 ? (char)(s[1] | 0x20) : 0;
        if (c1 == 'b' || c1 == 'o' || c1 == 'x') {
            base = c1 == 'b' ? 2 : c1 == 'o' ? 8 : 16;
            s += 2;
            n -= 2;
        } else {
            base = 8;
            s++;
            n--;
        }
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = digit_val(s[i]);
        if (d >= base)
            return false;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *out = v;
    return true;
}

/* Go's strconv.ParseInt(s, 0, 64). */
static bool go_parse_int(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    uint64_t u;
    if (!go_parse_uint(s, n, &u))
        return false;
    if (neg) {
        if (u > (uint64_t)INT64_MAX + 1)
            return false;
        *out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)u;
    }
    return true;
}

/* resolve.go's yamlStyleFloat:
 * ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t d0 = i;
    if (i < n && s[i] == '.') {
        i++;
        size_t f0 = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == f0)
            return false;
    } else {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d0)
            return false;
        if (i < n && s[i] == '.') {
            i++;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e0)
            return false;
    }
    return i == n;
}

/* Go's syntax for a decimal float that starts with '.' (what resolve.go
 * hands to strconv.ParseFloat for the '.' hint): digits may be separated by
 * single underscores, in the fraction and in the exponent. */
static bool go_dot_float(const char *s, size_t n)
{
    size_t i = 1;
    bool digit = false;
    for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++) {
        if (s[i] == '_' && (!digit || i + 1 >= n || s[i + 1] < '0' || s[i + 1] > '9'))
            return false;
        digit = true;
    }
    if (!digit)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        bool ed = false;
        for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++) {
            if (s[i] == '_' && (!ed || i + 1 >= n || s[i + 1] < '0' || s[i + 1] > '9'))
                return false;
            ed = true;
        }
        if (!ed)
            return false;
    }
    return i == n;
}

/* strtod on N bytes of a float already checked for Go's syntax, without
 * underscores, in the C locale whatever the host program set.  *OK is
 * false on overflow, as Go's ParseFloat (ErrRange); an underflow to zero is
 * a value, as in Go.  glibc's newlocale returns its static C locale without
 * allocating; elsewhere it may allocate and fail: then no float. */
static int parse_double(const char *s, size_t n, double *out, bool *ok)
{
    char small[128];
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf)
        return RP_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            buf[k++] = s[i];
    buf[k] = '\0';
    *ok = false;
    *out = 0;
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (c) {
        errno = 0;
        double d = strtod_l(buf, NULL, c);
        *ok = !(errno == ERANGE && isinf(d));
        *out = d;
        freelocale(c);
    }
    if (buf != small)
        free(buf);
    return 0;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

/* Read 1 or 2 digits (Go's time getnum(s, false)). */
static bool getnum12(const char **p, const char *e, int *v)
{
    const char *s = *p;
    if (s >= e || *s < '0' || *s > '9')
        return false;
    *v = *s++ - '0';
    if (s < e && *s >= '0' && *s <= '9')
        *v = *v * 10 + (*s++ - '0');
    *p = s;
    return true;
}

static int days_in(int month, int year)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
        return 29;
    return d[month - 1];
}

/* resolve.go's parseTimestamp: time.Parse with "2006-1-2T15:4:5.999999999Z07:00",
 * the same with a lower-case t, "2006-1-2 15:4:5.999999999" and "2006-1-2". */
static bool parse_timestamp(const char *s, size_t n)
{
    const char *e = s + n, *p = s + 5;
    int mon, day, h, mi, sec;
    if (n < 5 || !all_digits(s, 4) || s[4] != '-')
        return false;
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    if (!getnum12(&p, e, &mon) || p >= e || *p++ != '-' || !getnum12(&p, e, &day))
        return false;
    if (mon < 1 || mon > 12 || day < 1 || day > days_in(mon, year))
        return false;
    if (p == e)
        return true;
    char sep = *p++;
    if (sep != 'T' && sep != 't' && sep != ' ')
        return false;
    if (!getnum12(&p, e, &h) || p >= e || *p++ != ':' || !getnum12(&p, e, &mi) || p >= e ||
        *p++ != ':' || !getnum12(&p, e, &sec))
        return false;
    if (h > 23 || mi > 59 || sec > 59)
        return false;
    if (p + 1 < e && (*p == '.' || *p == ',') && p[1] >= '0' && p[1] <= '9') {
        p++;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if (sep == ' ')
        return p == e;
    if (p < e && *p == 'Z')
        return p + 1 == e;
    return e - p == 6 && (*p == '+' || *p == '-') && all_digits(p + 1, 2) && p[3] == ':' &&
           all_digits(p + 4, 2);
}

/* Go's base64.StdEncoding.DecodeString: padded, '\r' and '\n' ignored. */
static int base64_decode(const char *s, size_t n, char **out, size_t *out_len, bool *ok)
{
    char *o = malloc(n / 4 * 3 + 4);
    if (!o)
        return RP_ENOMEM;
    size_t k = 0, q = 0, pad = 0;
    uint32_t acc = 0;
    *ok = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v;
        if (c == '\r' || c == '\n')
            continue;
        if (pad) {
            if (c != '=' || pad > 1 || q != 3)
                goto done;
            pad++;
            q = 0;
            continue;
        }
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+')
            v = 62;
        else if (c == '/')
            v = 63;
        else if (c == '=' && (q == 2 || q == 3)) {
            if (q == 2) {
                o[k++] = (char)(acc >> 4);
                pad = 1;
                q = 3;
            } else {
                o[k++] = (char)(acc >> 10);
                o[k++] = (char)(acc >> 2);
                pad = 2;
                q = 0;
            }
            continue;
        } else
            goto done;
        acc = acc << 6 | (uint32_t)v;
        if (++q == 4) {
            o[k++] = (char)(acc >> 16);
            o[k++] = (char)(acc >> 8);
            o[k++] = (char)acc;
            q = 0;
            acc = 0;
        }
    }
    *ok = q == 0 && pad != 1;
done:
    if (!*ok) {
        free(o);
        return 0;
    }
    *out = o;
    *out_len = k;
    return 0;
}

typedef struct scalar_in {
    const char *s;
    size_t n;
    const char *tag;        /* NULL when none */
    bool plain_implicit;
} scalar_in;

/* Resolve a scalar as go-yaml v2 decodes it into interface{} (decode.go:
 * scalar, resolve.go: resolve).  Tags on collections are ignored there, so
 * they are here.  Returns 0, RP_ENOMEM, or 1
 * with MSG filled when the tag and the text disagree. */
static int resolve_scalar(const scalar_in *in, resolved *r, char *msg, size_t msgsz)
{
    const char *tag = in->tag ? in->tag : "";
    const char *s = in->s;
    size_t n = in->n;
    memset(r, 0, sizeof *r);
    r->kind = RK_STR;
    if (!in->tag && !in->plain_implicit)        /* quoted, untagged */
        return 0;
    if (strcmp(tag, TAG_BINARY) == 0) {
        bool ok;
        if (base64_decode(s, n, &r->bin, &r->bin_len, &ok) != 0)
            return RP_ENOMEM;
        if (!ok) {
            snprintf(msg, msgsz, "!!binary value contains invalid base64 data");
            return 1;
        }
        r->kind = RK_BINARY;
        return 0;
    }
    bool tag_empty = *tag == '\0', tag_str = strcmp(tag, TAG_STR) == 0;
    bool tag_ts = strcmp(tag, TAG_TIMESTAMP) == 0;
    if (!tag_empty && !tag_str && strcmp(tag, TAG_BOOL) != 0 && strcmp(tag, TAG_INT) != 0 &&
        strcmp(tag, TAG_FLOAT) != 0 && strcmp(tag, TAG_NULL) != 0 && !tag_ts)
        return 0;                               /* not resolvable: the text */
    char hint = 'N';
    if (n > 0) {
        char c = s[0];
        hint = (c == '+' || c == '-') ? 'S' : (c >= '0' && c <= '9') ? 'D' :
               strchr("yYnNtTfFoO~", c) ? 'M' : c == '.' ? '.' : 0;
    }
    if (hint && !tag_str && !resolve_map(s, n, r)) {
        if (hint == '.') {
            if (go_dot_float(s, n)) {
                bool ok;
                double d;
                if (parse_double(s, n, &d, &ok) != 0)
                    return RP_ENOMEM;
                if (ok) {
                    r->kind = RK_FLOAT;
                    r->f = d;
                }
            }
        } else if (hint == 'D' || hint == 'S') {
            if ((tag_empty || tag_ts) && parse_timestamp(s, n)) {
                r->kind = RK_TIMESTAMP;
            } else {
                char small[128];
                char *plain = n < sizeof small ? small : malloc(n + 1);
                if (!plain)
                    return RP_ENOMEM;
                size_t m = 0;
                for (size_t i = 0; i < n; i++)
                    if (s[i] != '_')
                        plain[m++] = s[i];
                plain[m] = '\0';
                int64_t iv;
                uint64_t uv;
                int rc = 0;
                if (go_parse_int(plain, m, &iv)) {
                    r->kind = RK_INT;
                    r->i = iv;
                } else if (go_parse_uint(plain, m, &uv)) {
                    r->kind = RK_UINT;
                    r->u = uv;
                } else if (yaml_style_float(plain, m)) {
                    bool ok;
                    double d;
                    rc = parse_double(plain, m, &d, &ok);
                    if (rc == 0 && ok) {
                        r->kind = RK_FLOAT;
                        r->f = d;
                    }
                }
                if (plain != small)
                    free(plain);
                if (rc != 0)
                    return rc;
            }
        }
    }
    /* the check of resolve()'s deferred function */
    if (tag_empty || tag_str)
        return 0;
    const char *want = strcmp(tag, TAG_BOOL) == 0 ? "!!bool" : strcmp(tag, TAG_INT) == 0 ? "!!int" :
                       strcmp(tag, TAG_FLOAT) == 0 ? "!!float" :
                       strcmp(tag, TAG_NULL) == 0 ? "!!null" : "!!timestamp";
    if (strcmp(short_tag(r->kind), want) == 0)
        return 0;
    if (strcmp(tag, TAG_FLOAT) == 0 && r->kind == RK_INT) {
        r->kind = RK_FLOAT;
        r->f = (double)r->i;
        return 0;
    }
    snprintf(msg, msgsz, "cannot decode %s `%.*s` as a %s", short_tag(r->kind),
             n > 60 ? 60 : (int)n, s, want);
    return 1;
}

/* Go's json.Marshal coerces a string to valid UTF-8, each bad byte becoming
 * U+FFFD; a !!binary value decoded to arbitrary bytes goes through it. */
static json_t *json_from_bytes(const char *s, size_t n)
{
    char *o = malloc(n * 3 + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t w = (size_t)utf8_len(u[i]);
        bool good = u[i] < 0x80;
        if (!good && (u[i] & 0xc0) != 0x80 && u[i] < 0xf8 && i + w <= n) {
            uint32_t v = w == 2 ? u[i] & 0x1f : w == 3 ? u[i] & 0x0f : u[i] & 0x07;
            good = true;
            for (size_t j = 1; j < w; j++) {
                good = good && (u[i + j] & 0xc0) == 0x80;
                v = v << 6 | (u[i + j] & 0x3f);
            }
            good = good && !((w == 2 && v < 0x80) || (w == 3 && v < 0x800) ||
                             (w == 4 && v < 0x10000) || (v >= 0xd800 && v <= 0xdfff) ||
                             v > 0x10ffff);
        }
        if (good) {
            memcpy(o + k, s + i, w);
            k += w;
            i += w;
        } else {
            memcpy(o + k, "\xef\xbf\xbd", 3);
            k += 3;
            i++;
        }
    }
    json_t *j = json_stringn_nocheck(o, k);
    free(o);
    return j;
}

/* The JSON value sigs.k8s.io/yaml's round trip makes of R: encoding/json
 * writes an integral float64 without a fraction, and Kubernetes reads a
 * number that parses as int64 as an integer; a uint64 beyond int64 is read
 * back as a float64.  Infinities and NaN cannot be written ("json:
 * unsupported value").  Returns NULL with MSG filled, or NULL and an empty
 * MSG when out of memory. */
static json_t *json_from_resolved(const resolved *r, const char *s, size_t n, char *msg,
                                  size_t msgsz)
{
    msg[0] = '\0';
    switch (r->kind) {
    case RK_NULL:
        return json_null();
    case RK_BOOL:
        return json_boolean(r->b);
    case RK_INT:
        return json_integer((json_int_t)r->i);
    case RK_UINT:
        return json_real((double)r->u);
    case RK_FLOAT:
        if (isnan(r->f) || isinf(r->f)) {
            snprintf(msg, msgsz, "unsupported value: %s (JSON has no infinity or NaN)",
                     isnan(r->f) ? "NaN" : r->f > 0 ? "+Inf" : "-Inf");
            return NULL;
        }
        if (r->f == trunc(r->f) && r->f >= -9223372036854775808.0 && r->f < 9223372036854775808.0)
            return json_integer((json_int_t)r->f);
        return json_real(r->f);
    case RK_BINARY:
        return json_from_bytes(r->bin, r->bin_len);
    case RK_STR:
    case RK_MERGE:
    case RK_TIMESTAMP:
        break;
    }
    return json_stringn_nocheck(s, n);
}

/* strconv.FormatFloat(f, 'g', -1, 32): the shortest digits that read back
 * as the same float32, in %e form when the exponent is < -4 or >= 6
 * (sigs.k8s.io/yaml formats float map keys so). */
static void format_float32(double d, char *out, size_t outsz)
{
    float f = (float)d;
    if (isnan(f)) {
        snprintf(out, outsz, ".nan");
        return;
    }
    if (isinf(f)) {
        snprintf(out, outsz, f > 0 ? ".inf" : "-.inf");
        return;
    }
    char buf[64], digs[32];
    int nd = 0, dp = 0;
    bool neg = signbit(f) != 0;
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (f != 0) {
        for (int p = 1; p <= 9; p++) {
            snprintf(buf, sizeof buf, "%.*e", p - 1, (double)f);
            for (char *q = buf; *q; q++)    /* the locale's decimal point */
                if (!((*q >= '0' && *q <= '9') || *q == '-' || *q == '+' || *q == 'e'))
                    *q = '.';
            if (!c || strtof_l(buf, NULL, c) == f)
                break;
        }
        const char *q = buf + (buf[0] == '-');
        for (; *q && *q != 'e'; q++)
            if (*q >= '0' && *q <= '9')
                digs[nd++] = *q;
        dp = atoi(q + 1) + 1;
        while (nd > 1 && digs[nd - 1] == '0')
            nd--;
    }
    if (c)
        freelocale(c);
    size_t k = 0;
    char o[80];
    if (neg)
        o[k++] = '-';
    int eprec = 6;
    if (eprec > nd && nd >= dp)
        eprec = nd;
    int exp = dp - 1;
    if (nd == 0)
        exp = 0;
    if (exp < -4 || exp >= eprec) {
        o[k++] = nd ? digs[0] : '0';
        if (nd > 1) {
            o[k++] = '.';
            for (int i = 1; i < nd; i++)
                o[k++] = digs[i];
        }
        k += (size_t)snprintf(o + k, sizeof o - k, "e%c%02d", exp < 0 ? '-' : '+',
                              exp < 0 ? -exp : exp);
    } else {
        if (dp > 0) {
            for (int i = 0; i < dp; i++)
                o[k++] = i < nd ? digs[i] : '0';
        } else {
            o[k++] = '0';
        }
        int prec = nd - dp > 0 ? nd - dp : 0;
        if (prec > 0) {
            o[k++] = '.';
            for (int i = 0; i < prec; i++) {
                int j = dp + i;
                o[k++] = j >= 0 && j < nd ? digs[j] : '0';
            }
        }
        o[k] = '\0';
    }
    snprintf(out, outsz, "%s", o);
}

/* ==== The builder ========================================================================= */

/* An anchor of the current document, holding a reference to its node;
 * SIZE and HEIGHT are what an alias to it expands to. */
typedef struct anchor {
    char *name;
    json_t *node;           /* NULL when the anchored scalar has no JSON form */
    char *bad;              /* why not (malloc'd), when node is NULL */
    bool complete;          /* false while its collection is still open */
    bool scalar;
    resolved res;           /* a scalar's resolution (for use as a key) */
    char *text;             /* a scalar's text (for use as a key) */
    size_t text_len;
    uint64_t size;
    unsigned height;
} anchor;

typedef struct frame {
    json_t *node;           /* the object or array being filled (owned) */
    bool is_map;
    rpi_pos pos;
    size_t anchor;          /* 1 + its index in the anchor table; 0: none */
    uint64_t size;          /* nodes so far, itself included */
    unsigned height;
    long block_indent;      /* libyaml's indentation inside it (-1: none) */
    /* a mapping's key, waiting for its value */
    bool have_key, merge_key;
    const char *key;        /* in the position map's arena */
    size_t key_len;
    unsigned key_line, key_column;
    json_t **merges;        /* `<<` values, in the order met (owned refs) */
    size_t nmerges, cap_merges;
} frame;

typedef struct reader {
    text t;
    size_t max_alias;
    unsigned max_depth;
    size_t max_documents;
    size_t alias_nodes;     /* per stream */
    rpi_docset *out;
    size_t cap_docs;
    rpi_posmap *map;
    /* the current document */
    bool in_doc, failed;
    size_t doc;             /* its index in out->docs */
    frame *frames;
    size_t depth, cap_frames;
    anchor *anchors;
    size_t nanchors, cap_anchors;
    json_t *root;
    bool have_root, empty;
    rpi_pos root_pos;
    size_t skip_depth;      /* open collections of a failed document */
    bool stop;              /* nothing more is read */
    bool last_explicit_end; /* the last document ended with `...` */
} reader;

typedef struct value_info {
    json_t *v;              /* reference handed over */
    rpi_pos pos;
    uint64_t size;
    unsigned height;
    bool from_alias;
} value_info;

static void resolved_clear(resolved *r)
{
    free(r->bin);
    r->bin = NULL;
}

static void anchors_clear(reader *rd)
{
    for (size_t i = 0; i < rd->nanchors; i++) {
        json_decref(rd->anchors[i].node);
        free(rd->anchors[i].name);
        free(rd->anchors[i].bad);
        free(rd->anchors[i].text);
        resolved_clear(&rd->anchors[i].res);
    }
    rd->nanchors = 0;
}

/* The newest anchor of that name (a later definition hides an earlier). */
static anchor *anchor_find(reader *rd, const char *name)
{
    for (size_t i = rd->nanchors; i > 0; i--)
        if (strcmp(rd->anchors[i - 1].name, name) == 0)
            return &rd->anchors[i - 1];
    return NULL;
}

/* A new anchor record; *IDX receives 1 + its index. */
static int anchor_add(reader *rd, const char *name, size_t *idx)
{
    if (rd->nanchors == rd->cap_anchors) {
        size_t ncap = rd->cap_anchors ? rd->cap_anchors * 2 : 8;
        anchor *na = realloc(rd->anchors, ncap * sizeof *na);
        if (!na)
            return RP_ENOMEM;
        rd->anchors = na;
        rd->cap_anchors = ncap;
    }
    anchor *a = &rd->anchors[rd->nanchors];
    memset(a, 0, sizeof *a);
    a->name = strdup(name);
    if (!a->name)
        return RP_ENOMEM;
    rd->nanchors++;
    *idx = rd->nanchors;
    return 0;
}

static size_t mark_off(reader *rd, yaml_mark_t m)
{
    return text_offset(&rd->t, m.index);
}

static void pos_of_off(reader *rd, size_t off, size_t hint, unsigned *line, unsigned *col)
{
    text_pos(&rd->t, off, hint, line, col);
}

/* Where a node's own text starts: libyaml's event starts at the node's
 * anchor or tag, when it has one; skip them (and the blanks, breaks and
 * comments after them), never past END. */
static size_t skip_properties(reader *rd, size_t off, size_t end)
{
    const char *s = rd->t.p;
    size_t len = rd->t.full_len;
    while (off < end && off < len) {
        char c = s[off];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            off++;
        } else if (c == '#') {
            while (off < len && s[off] != '\n' && s[off] != '\r')
                off++;
        } else if (c == '&' || c == '!') {
            while (off < len && s[off] != ' ' && s[off] != '\t' && s[off] != '\n' &&
                   s[off] != '\r')
                off++;
        } else {
            break;
        }
    }
    return off < end ? off : end;
}

/* The position of a block scalar whose indicator ('|' or '>') is at byte
 * OFF: the line after its header (the value's first line) and the column of
 * its content indentation, found as libyaml's scanner finds it
 * (scanner.c: yaml_parser_scan_block_scalar and _breaks).  PARENT_INDENT is
 * libyaml's current indentation, -1 at the top. */
static void block_scalar_pos(reader *rd, size_t off, size_t end, long parent_indent,
                             size_t hint, rpi_pos *pos)
{
    const char *s = rd->t.p;
    size_t len = rd->t.full_len;
    size_t p = off + 1;
    long increment = 0;
    while (p < len && (s[p] == '+' || s[p] == '-' || (s[p] >= '1' && s[p] <= '9'))) {
        if (s[p] != '+' && s[p] != '-')
            increment = s[p] - '0';
        p++;
    }
    while (p < len && !break_len(s, len, p))
        p++;
    if (p < len)
        p += break_len(s, len, p);
    size_t first = p;
    long indent;
    if (increment) {
        indent = parent_indent >= 0 ? parent_indent + increment : increment;
    } else {
        long max_blank = 0;
        indent = -1;
        while (p < end && p < len) {
            size_t sp = 0;
            while (p + sp < len && s[p + sp] == ' ')
                sp++;
            size_t b = p + sp < len ? break_len(s, len, p + sp) : 0;
            if (p + sp < len && !b) {
                indent = (long)sp;
                break;
            }
            if ((long)sp > max_blank)
                max_blank = (long)sp;
            if (!b)
                break;
            p += sp + b;
        }
        if (indent < max_blank)
            indent = max_blank;
        if (indent < parent_indent + 1)
            indent = parent_indent + 1;
        if (indent < 1)
            indent = 1;
    }
    unsigned line, col;
    pos_of_off(rd, first, hint, &line, &col);
    pos->line = line;
    pos->column = (unsigned)indent + 1;
}

/* The current document fails with MSG at LINE:COLUMN: its partial tree is
 * dropped (kept alive in the map), and its remaining events are skipped. */
static int doc_fail(reader *rd, unsigned line, unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int doc_fail(reader *rd, unsigned line, unsigned column, const char *fmt, ...)
{
    rpi_doc *d = &rd->out->docs[rd->doc];
    int rc = 0;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(d->error);
    d->error = strdup(buf);
    if (!d->error)
        rc = RP_ENOMEM;
    d->error_line = line;
    d->error_column = column;
    d->error_code = 0;
    for (size_t i = rd->depth; i > 0; i--) {
        frame *f = &rd->frames[i - 1];
        for (size_t k = 0; k < f->nmerges; k++)
            json_decref(f->merges[k]);
        f->nmerges = 0;
        if (pm_keep(rd->map, f->node) != 0)
            rc = RP_ENOMEM;
        f->node = NULL;
    }
    rd->skip_depth = rd->depth;
    rd->depth = 0;
    if (rd->have_root && pm_keep(rd->map, rd->root) != 0)
        rc = RP_ENOMEM;
    rd->root = NULL;
    rd->have_root = false;
    rd->failed = true;
    return rc;
}

/* doc_fail for a limit: the document's error_code says so. */
static int limit_fail(reader *rd, unsigned line, unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int limit_fail(reader *rd, unsigned line, unsigned column, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int rc = doc_fail(rd, line, column, "%s", buf);
    rd->out->docs[rd->doc].error_code = RP_ELIMIT;
    return rc;
}

/* Turn a resolved scalar into a map key as sigs.k8s.io/yaml does
 * (yaml.go: convertToJSONableObject).  Returns 0 with *KEY in the arena,
 * RP_ENOMEM, or 1 with MSG filled. */
static int key_string(reader *rd, const resolved *r, const char *s, size_t n, const char **key,
                      size_t *key_len, char *msg, size_t msgsz)
{
    char buf[80];
    const char *k = s;
    size_t kl = n;
    switch (r->kind) {
    case RK_NULL:
        snprintf(msg, msgsz, "unsupported map key: null");
        return 1;
    case RK_UINT:
        snprintf(msg, msgsz, "unsupported map key: %llu (an unsigned 64-bit integer)",
                 (unsigned long long)r->u);
        return 1;
    case RK_BOOL:
        k = r->b ? "true" : "false";
        kl = strlen(k);
        break;
    case RK_INT:
        kl = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)r->i);
        k = buf;
        break;
    case RK_FLOAT:
        format_float32(r->f, buf, sizeof buf);
        k = buf;
        kl = strlen(buf);
        break;
    case RK_BINARY: {
        json_t *j = json_from_bytes(r->bin, r->bin_len);
        if (!j)
            return RP_ENOMEM;
        *key = pm_strdup(rd->map, json_string_value(j), json_string_length(j));
        *key_len = json_string_length(j);
        json_decref(j);
        return *key ? 0 : RP_ENOMEM;
    }
    case RK_STR:
    case RK_MERGE:
    case RK_TIMESTAMP:
        break;
    }
    *key = pm_strdup(rd->map, k, kl);
    *key_len = kl;
    return *key ? 0 : RP_ENOMEM;
}

/* A mapping's key is known: check that it is new and keep it. */
static int set_key(reader *rd, frame *f, const char *key, size_t key_len, const rpi_pos *pos)
{
    if (json_object_getn(f->node, key, key_len))
        return doc_fail(rd, pos->line, pos->column, "duplicate key \"%.*s\"",
                        key_len > 200 ? 200 : (int)key_len, key);
    f->have_key = true;
    f->merge_key = false;
    f->key = key;
    f->key_len = key_len;
    f->key_line = pos->line;
    f->key_column = pos->column;
    return 0;
}

/* Copy the members of SRC that DST lacks into DST, with their positions
 * (the mapping's own keys, and merges met earlier, win). */
static int merge_from(reader *rd, json_t *dst, json_t *src)
{
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(src, k, klen, v) {
        if (json_object_getn(dst, k, klen))
            continue;
        if (json_object_setn_nocheck(dst, k, klen, v) != 0)
            return RP_ENOMEM;
        const pm_entry *e = pm_find(rd->map, src, k, klen, 0);
        if (e) {
            rpi_pos pos = e->pos;
            if (pm_put(rd->map, dst, e->key, klen, 0, &pos) != 0)
                return RP_ENOMEM;
        }
    }
    return 0;
}

/* Hand a finished value to its parent (or make it the document's root). */
static int add_value(reader *rd, value_info *vi)
{
    if (rd->depth == 0) {
        rd->root = vi->v;
        rd->root_pos = vi->pos;
        rd->have_root = true;
        return 0;
    }
    frame *f = &rd->frames[rd->depth - 1];
    f->size += vi->size;
    if (vi->height + 1 > f->height)
        f->height = vi->height + 1;
    if (!f->is_map) {
        size_t idx = json_array_size(f->node);
        if (json_array_append_new(f->node, vi->v) != 0)
            return RP_ENOMEM;
        vi->pos.key_line = vi->pos.key_column = 0;
        return pm_put(rd->map, f->node, NULL, 0, idx, &vi->pos);
    }
    if (!f->have_key) {
        /* keys never come here (on_scalar and on_alias take them) */
        json_decref(vi->v);
        return 0;
    }
    f->have_key = false;
    if (f->merge_key) {
        bool ok = json_is_object(vi->v);
        if (json_is_array(vi->v) && !vi->from_alias) {
            ok = true;
            for (size_t i = 0; i < json_array_size(vi->v); i++)
                ok = ok && json_is_object(json_array_get(vi->v, i));
        }
        if (!ok) {
            json_decref(vi->v);
            return doc_fail(rd, vi->pos.line, vi->pos.column,
                            "map merge requires map or sequence of maps as the value");
        }
        if (f->nmerges == f->cap_merges) {
            size_t ncap = f->cap_merges ? f->cap_merges * 2 : 4;
            json_t **nm = realloc(f->merges, ncap * sizeof *nm);
            if (!nm) {
                json_decref(vi->v);
                return RP_ENOMEM;
            }
            f->merges = nm;
            f->cap_merges = ncap;
        }
        f->merges[f->nmerges++] = vi->v;
        return 0;
    }
    if (json_object_setn_new_nocheck(f->node, f->key, f->key_len, vi->v) != 0)
        return RP_ENOMEM;
    vi->pos.key_line = f->key_line;
    vi->pos.key_column = f->key_column;
    return pm_put(rd->map, f->node, f->key, f->key_len, 0, &vi->pos);
}

static bool want_key(const reader *rd)
{
    return rd->depth > 0 && rd->frames[rd->depth - 1].is_map && !rd->frames[rd->depth - 1].have_key;
}

static int on_scalar(reader *rd, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *anchor_name = (const char *)ev->data.scalar.anchor;
    size_t start = mark_off(rd, ev->start_mark);
    size_t end = mark_off(rd, ev->end_mark);
    rpi_pos pos = {0, 0, 0, 0, RPI_STYLE_PLAIN};
    size_t off = (tag || anchor_name) ? skip_properties(rd, start, end) : start;
    pos_of_off(rd, off, ev->start_mark.line, &pos.line, &pos.column);
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: pos.style = RPI_STYLE_SINGLE_QUOTED; break;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: pos.style = RPI_STYLE_DOUBLE_QUOTED; break;
    case YAML_LITERAL_SCALAR_STYLE: pos.style = RPI_STYLE_LITERAL; break;
    case YAML_FOLDED_SCALAR_STYLE: pos.style = RPI_STYLE_FOLDED; break;
    default: break;
    }
    if ((pos.style == RPI_STYLE_LITERAL || pos.style == RPI_STYLE_FOLDED) && off < rd->t.full_len &&
        (rd->t.p[off] == '|' || rd->t.p[off] == '>')) {
        long parent_indent = rd->depth ? rd->frames[rd->depth - 1].block_indent : -1;
        block_scalar_pos(rd, off, end, parent_indent, ev->start_mark.line, &pos);
    }

    /* an empty document: `---` and nothing, or only comments */
    if (rd->depth == 0 && n == 0 && !tag && !anchor_name && start == end &&
        ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        rd->empty = true;
        return 0;
    }

    bool is_key = want_key(rd);
    if (is_key && n == 2 && s[0] == '<' && s[1] == '<' &&
        ((!tag && ev->data.scalar.plain_implicit) || (tag && strcmp(tag, TAG_MERGE) == 0))) {
        frame *f = &rd->frames[rd->depth - 1];
        f->have_key = true;
        f->merge_key = true;
        f->size++;
        return 0;
    }

    scalar_in in = {s, n, tag, ev->data.scalar.plain_implicit != 0};
    resolved r;
    char msg[200];
    int rc = resolve_scalar(&in, &r, msg, sizeof msg);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        resolved_clear(&r);
        return doc_fail(rd, pos.line, pos.column, "%s", msg);
    }
    json_t *v = NULL;
    if (!is_key || anchor_name) {
        v = json_from_resolved(&r, s, n, msg, sizeof msg);
        if (!v && !msg[0]) {
            resolved_clear(&r);
            return RP_ENOMEM;
        }
        if (!v && !is_key) {
            resolved_clear(&r);
            return doc_fail(rd, pos.line, pos.column, "%s", msg);
        }
    }
    if (anchor_name) {
        size_t idx;
        if (anchor_add(rd, anchor_name, &idx) != 0) {
            json_decref(v);
            resolved_clear(&r);
            return RP_ENOMEM;
        }
        anchor *a = &rd->anchors[idx - 1];
        a->node = json_incref(v);
        a->complete = true;
        a->scalar = true;
        a->size = 1;
        a->res = r;
        r.bin = NULL;               /* now the anchor's */
        a->text = malloc(n + 1);
        if (!a->text) {
            json_decref(v);
            return RP_ENOMEM;
        }
        memcpy(a->text, s, n);
        a->text[n] = '\0';
        a->text_len = n;
        if (!v && !(a->bad = strdup(msg)))
            return RP_ENOMEM;
    }
    if (is_key) {
        json_decref(v);             /* an anchored key's value: the anchor's alone now */
        const char *key;
        size_t key_len;
        rc = key_string(rd, anchor_name ? &rd->anchors[rd->nanchors - 1].res : &r, s, n, &key,
                        &key_len, msg, sizeof msg);
        resolved_clear(&r);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return doc_fail(rd, pos.line, pos.column, "%s", msg);
        rd->frames[rd->depth - 1].size++;
        return set_key(rd, &rd->frames[rd->depth - 1], key, key_len, &pos);
    }
    resolved_clear(&r);
    value_info vi = {v, pos, 1, 0, false};
    return add_value(rd, &vi);
}

static int on_alias(reader *rd, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    rpi_pos pos = {0, 0, 0, 0, RPI_STYLE_NONE};
    pos_of_off(rd, mark_off(rd, ev->start_mark), ev->start_mark.line, &pos.line, &pos.column);
    anchor *a = anchor_find(rd, name);
    if (!a)
        return doc_fail(rd, pos.line, pos.column, "unknown anchor '%s' referenced", name);
    if (!a->complete)
        return doc_fail(rd, pos.line, pos.column, "anchor '%s' value contains itself", name);
    if (a->size > rd->max_alias - rd->alias_nodes)
        return limit_fail(rd, pos.line, pos.column,
                          "nodes from aliases exceed limit max_yaml_alias_nodes (%zu)",
                          rd->max_alias);
    rd->alias_nodes += a->size;
    if (rd->depth + a->height > rd->max_depth)
        return limit_fail(rd, pos.line, pos.column, "nesting exceeds limit max_input_depth (%u)",
                          rd->max_depth);
    if (want_key(rd)) {
        frame *f = &rd->frames[rd->depth - 1];
        char msg[200];
        const char *key;
        size_t key_len;
        if (!a->scalar)
            return doc_fail(rd, pos.line, pos.column, "invalid map key: a %s",
                            json_is_object(a->node) ? "mapping" : "sequence");
        int rc = key_string(rd, &a->res, a->text, a->text_len, &key, &key_len, msg, sizeof msg);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return doc_fail(rd, pos.line, pos.column, "%s", msg);
        f->size += a->size;
        return set_key(rd, f, key, key_len, &pos);
    }
    if (!a->node)
        return doc_fail(rd, pos.line, pos.column, "%s", a->bad ? a->bad : "bad anchored value");
    value_info vi = {json_incref(a->node), pos, a->size, a->height, true};
    return add_value(rd, &vi);
}

static int on_collection_start(reader *rd, const yaml_event_t *ev, bool is_map)
{
    const char *anchor_name = (const char *)(is_map ? ev->data.mapping_start.anchor
                                                    : ev->data.sequence_start.anchor);
    const char *tag = (const char *)(is_map ? ev->data.mapping_start.tag
                                            : ev->data.sequence_start.tag);
    bool block = is_map ? ev->data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE
                        : ev->data.sequence_start.style == YAML_BLOCK_SEQUENCE_STYLE;
    size_t off = mark_off(rd, ev->start_mark);
    if (anchor_name || tag)
        off = skip_properties(rd, off, rd->t.full_len);
    rpi_pos pos = {0, 0, 0, 0, RPI_STYLE_NONE};
    pos_of_off(rd, off, ev->start_mark.line, &pos.line, &pos.column);
    if (want_key(rd))
        return doc_fail(rd, pos.line, pos.column, "invalid map key: a %s",
                        is_map ? "mapping" : "sequence");
    if (rd->depth + 1 > rd->max_depth) {
        /* libyaml's cost per token grows with flow nesting: stop here */
        rd->stop = true;
        rd->out->truncated = true;
        return limit_fail(rd, pos.line, pos.column,
                          "nesting exceeds limit max_input_depth (%u)" TRUNCATED_NOTE,
                          rd->max_depth);
    }
    if (rd->depth == 0) {
        rd->out->docs[rd->doc].line = pos.line;
        rd->out->docs[rd->doc].column = pos.column;
    }
    if (rd->depth == rd->cap_frames) {
        size_t ncap = rd->cap_frames ? rd->cap_frames * 2 : 16;
        frame *nf = realloc(rd->frames, ncap * sizeof *nf);
        if (!nf)
            return RP_ENOMEM;
        memset(nf + rd->cap_frames, 0, (ncap - rd->cap_frames) * sizeof *nf);
        rd->frames = nf;
        rd->cap_frames = ncap;
    }
    json_t *node = is_map ? json_object() : json_array();
    if (!node)
        return RP_ENOMEM;
    long parent_indent = rd->depth ? rd->frames[rd->depth - 1].block_indent : -1;
    frame *f = &rd->frames[rd->depth++];
    f->node = node;
    f->is_map = is_map;
    f->pos = pos;
    f->anchor = 0;
    f->size = 1;
    f->height = 1;
    f->block_indent = block ? (long)pos.column - 1 : parent_indent;
    f->have_key = f->merge_key = false;
    f->nmerges = 0;
    if (anchor_name) {
        size_t idx;
        if (anchor_add(rd, anchor_name, &idx) != 0)
            return RP_ENOMEM;
        rd->anchors[idx - 1].node = json_incref(node);
        f->anchor = idx;
    }
    return 0;
}

static int on_collection_end(reader *rd)
{
    if (rd->depth == 0)
        return 0;
    frame *f = &rd->frames[rd->depth - 1];
    int rc = 0;
    for (size_t g = f->nmerges; g > 0 && rc == 0; g--) {
        json_t *m = f->merges[g - 1];
        if (json_is_object(m)) {
            rc = merge_from(rd, f->node, m);
        } else {
            for (size_t i = 0; i < json_array_size(m) && rc == 0; i++)
                rc = merge_from(rd, f->node, json_array_get(m, i));
        }
    }
    for (size_t g = 0; g < f->nmerges; g++)
        json_decref(f->merges[g]);
    f->nmerges = 0;
    if (rc != 0)
        return rc;
    json_t *v = f->node;
    f->node = NULL;
    if (f->anchor) {
        anchor *a = &rd->anchors[f->anchor - 1];
        a->complete = true;
        a->size = f->size;
        a->height = f->height;
    }
    value_info vi = {v, f->pos, f->size, f->height, false};
    rd->depth--;
    return add_value(rd, &vi);
}

/* ==== Documents and the stream ========================================================== */

static int doc_begin(reader *rd, unsigned line, unsigned column)
{
    rpi_docset *out = rd->out;
    bool too_many = out->n >= rd->max_documents;
    if (out->n == rd->cap_docs) {
        size_t ncap = rd->cap_docs ? rd->cap_docs * 2 : 4;
        rpi_doc *nd = realloc(out->docs, ncap * sizeof *nd);
        if (!nd)
            return RP_ENOMEM;
        out->docs = nd;
        rd->cap_docs = ncap;
    }
    rpi_doc *d = &out->docs[out->n];
    memset(d, 0, sizeof *d);
    d->index = (unsigned)out->n;
    d->line = line;
    d->column = column;
    rd->doc = out->n++;
    rd->in_doc = true;
    rd->failed = false;
    rd->empty = false;
    rd->have_root = false;
    rd->root = NULL;
    rd->depth = 0;
    anchors_clear(rd);
    if (too_many) {
        /* one document more than the limit carries the error, and the
         * stream ends there */
        rd->stop = true;
        out->truncated = true;
        return limit_fail(rd, line, column,
                          "documents exceed limit max_input_documents (%zu)" TRUNCATED_NOTE,
                          rd->max_documents);
    }
    return 0;
}

static int doc_end(reader *rd, bool explicit_end)
{
    rpi_doc *d = &rd->out->docs[rd->doc];
    int rc = 0;
    if (!rd->failed && rd->have_root) {
        d->root = rd->root;
        d->line = rd->root_pos.line;
        d->column = rd->root_pos.column;
        rpi_pos p = rd->root_pos;
        p.key_line = p.key_column = 0;
        rc = pm_put(rd->map, NULL, NULL, 0, d->index, &p);
        if (rc == 0 && (json_is_object(d->root) || json_is_array(d->root)))
            rc = pm_put(rd->map, d->root, NULL, 0, ROOT_INDEX, &p);
    } else if (!rd->failed) {
        d->empty = true;
    }
    rd->root = NULL;
    rd->have_root = false;
    rd->in_doc = false;
    rd->last_explicit_end = explicit_end;
    anchors_clear(rd);
    return rc;
}

/* A finished document D turns out bad (the byte that ends the stream is
 * in it). */
static int finished_doc_fail(reader *rd, rpi_doc *d, const char *msg, unsigned line,
                             unsigned column)
{
    int rc = 0;
    if (d->root)
        rc = pm_keep(rd->map, d->root);
    d->root = NULL;
    d->empty = false;
    free(d->error);
    d->error = strdup(msg);
    d->error_line = line;
    d->error_column = column;
    return d->error ? rc : RP_ENOMEM;
}

/* A byte libyaml's reader refuses ended the text handed to it (text_scan);
 * now that everything before it is read, it becomes the error of the
 * document it is in: the last one, unless that one was closed by `...` or
 * the bad line starts a new one with `---`. */
static int reader_error(reader *rd)
{
    const text *t = &rd->t;
    unsigned line, col;
    char msg[200];
    pos_of_off(rd, t->bad_off, 0, &line, &col);
    snprintf(msg, sizeof msg, "%s" TRUNCATED_NOTE, t->bad_msg);
    rd->out->truncated = true;
    bool new_doc = rd->out->n == 0 || rd->last_explicit_end ||
                   (t->full_len - t->len >= 3 && memcmp(t->p + t->len, "---", 3) == 0 &&
                    (t->len + 3 == t->bad_off ||
                     strchr(" \t\r\n", t->p[t->len + 3]) != NULL));
    if (!new_doc)
        return finished_doc_fail(rd, &rd->out->docs[rd->out->n - 1], msg, line, col);
    int rc = doc_begin(rd, line, col);
    if (rc == 0)
        rc = doc_fail(rd, line, col, "%s", msg);
    rd->in_doc = false;
    return rc;
}

/* libyaml stopped with an error: the document it was in (or a new one,
 * between documents) carries it, and the stream ends there. */
static int parse_error(reader *rd, const yaml_parser_t *parser)
{
    if (parser->error == YAML_MEMORY_ERROR)
        return RP_ENOMEM;
    size_t off;
    if (parser->error == YAML_READER_ERROR)
        off = parser->problem_offset < rd->t.full_len ? parser->problem_offset : rd->t.full_len;
    else
        off = mark_off(rd, parser->problem_mark);
    unsigned line, col;
    if (rd->t.bad && off >= rd->t.len) {
        /* libyaml met the cut before a refused byte, not a fault of the
         * text: the refused byte is the error of the document it is in */
        if (!rd->in_doc)
            return reader_error(rd);
        pos_of_off(rd, rd->t.bad_off, 0, &line, &col);
        rd->out->truncated = true;
        int rc = doc_fail(rd, line, col, "%s" TRUNCATED_NOTE, rd->t.bad_msg);
        rd->in_doc = false;
        anchors_clear(rd);
        return rc;
    }
    pos_of_off(rd, off, parser->problem_mark.line, &line, &col);
    if (!rd->in_doc) {
        int rc = doc_begin(rd, line, col);
        if (rc != 0)
            return rc;
    }
    rd->out->truncated = true;
    const char *problem = parser->problem ? parser->problem : "unknown problem parsing YAML content";
    int rc;
    if (parser->context)
        rc = doc_fail(rd, line, col, "%s %s" TRUNCATED_NOTE, problem, parser->context);
    else
        rc = doc_fail(rd, line, col, "%s" TRUNCATED_NOTE, problem);
    rd->in_doc = false;
    anchors_clear(rd);
    return rc;
}

/* The rest of a failed document is skipped, but its nesting is still
 * bounded: past max_depth the stream stops, as on_collection_start does. */
static int skip_event(reader *rd, const yaml_event_t *ev)
{
    if (ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT) {
        if (rd->skip_depth > 0)
            rd->skip_depth--;
        return 0;
    }
    if (ev->type != YAML_SEQUENCE_START_EVENT && ev->type != YAML_MAPPING_START_EVENT)
        return 0;
    if (++rd->skip_depth <= rd->max_depth)
        return 0;
    rpi_doc *d = &rd->out->docs[rd->doc];
    size_t n = strlen(d->error);
    char *e = realloc(d->error, n + sizeof TRUNCATED_NOTE);
    if (!e)
        return RP_ENOMEM;
    memcpy(e + n, TRUNCATED_NOTE, sizeof TRUNCATED_NOTE);
    d->error = e;
    rd->out->truncated = true;
    rd->stop = true;
    return 0;
}

static int on_event(reader *rd, const yaml_event_t *ev)
{
    if (rd->in_doc && rd->failed && ev->type != YAML_DOCUMENT_END_EVENT)
        return skip_event(rd, ev);
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT: {
        unsigned line, col;
        pos_of_off(rd, mark_off(rd, ev->start_mark), ev->start_mark.line, &line, &col);
        return doc_begin(rd, line, col);
    }
    case YAML_DOCUMENT_END_EVENT:
        return doc_end(rd, !ev->data.document_end.implicit);
    case YAML_SCALAR_EVENT:
        return on_scalar(rd, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(rd, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_collection_start(rd, ev, false);
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(rd, ev, true);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_collection_end(rd);
    default:
        return 0;
    }
}

static void reader_free(reader *rd)
{
    for (size_t i = 0; i < rd->cap_frames; i++) {
        frame *f = &rd->frames[i];
        if (i < rd->depth) {
            json_decref(f->node);
            for (size_t k = 0; k < f->nmerges; k++)
                json_decref(f->merges[k]);
        }
        free(f->merges);
    }
    free(rd->frames);
    json_decref(rd->root);
    anchors_clear(rd);
    free(rd->anchors);
    free(rd->t.lines);
}

/* Parse the prepared text, event by event, into RD->out. */
static int read_stream(reader *rd)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return RP_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)rd->t.p, rd->t.len);
    int rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = parse_error(rd, &parser);
            break;
        }
        yaml_event_type_t type = ev.type;
        rc = on_event(rd, &ev);
        yaml_event_delete(&ev);
        if (rc != 0 || rd->stop)
            break;
        if (type == YAML_STREAM_END_EVENT) {
            if (rd->t.bad)
                rc = reader_error(rd);
            break;
        }
    }
    yaml_parser_delete(&parser);
    return rc;
}

int rpi_yaml_read(const char *text_in, size_t len, const char *source,
                  const rpi_yaml_limits *limits, rpi_docset *out, rp_error *err)
{
    if (!out || (!text_in && len)) {
        rpi_error_set(err, RP_EINVAL, source, 0, 0, "no text or no output for the YAML reader");
        return RP_EINVAL;
    }
    memset(out, 0, sizeof *out);
    reader rd;
    memset(&rd, 0, sizeof rd);
    rd.out = out;
    rd.max_alias = limits && limits->max_alias_nodes ? limits->max_alias_nodes
                                                     : DEFAULT_MAX_ALIAS_NODES;
    rd.max_depth = limits && limits->max_depth ? limits->max_depth : DEFAULT_MAX_DEPTH;
    rd.max_documents = limits && limits->max_documents ? limits->max_documents
                                                       : DEFAULT_MAX_DOCUMENTS;
    size_t max_bytes = limits && limits->max_bytes ? limits->max_bytes : DEFAULT_MAX_BYTES;
    if (len > max_bytes) {
        const char *option = limits && limits->bytes_option ? limits->bytes_option
                                                            : "max_input_bytes";
        rpi_error_set(err, RP_ELIMIT, source, 0, 0, "%s: input exceeds limit %s (%zu bytes): %zu bytes",
                      source, option, max_bytes, len);
        return RP_ELIMIT;
    }

    const unsigned char *u = (const unsigned char *)text_in;
    char *converted = NULL;
    const char *conv_bad = NULL;
    int rc = 0;
    rd.t.p = text_in ? text_in : "";
    rd.t.full_len = len;
    if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff))) {
        rc = utf16_to_utf8(u, len, u[0] == 0xfe, &converted, &rd.t.full_len, &conv_bad);
        rd.t.p = converted;
    } else if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
        rd.t.bom = 3;
    }
    out->pos = calloc(1, sizeof *out->pos);
    if (rc == 0 && !out->pos)
        rc = RP_ENOMEM;
    rd.map = out->pos;
    if (rd.map)
        rd.map->text_len = rd.t.full_len;
    if (rc == 0)
        rc = text_scan(&rd.t);
    if (rc == 0 && conv_bad && !rd.t.bad) {
        rd.t.bad = true;
        rd.t.bad_off = rd.t.full_len;
        rd.t.bad_msg = conv_bad;
        rd.t.len = rd.t.lines[rd.t.nlines - 1];
    }
    if (rc == 0)
        rc = read_stream(&rd);
    reader_free(&rd);
    free(converted);
    if (rc != 0) {
        rpi_docset_free(out);
        rpi_error_set(err, rc, source, 0, 0, "%s", rc == RP_ENOMEM ? "out of memory" : "cannot read YAML");
        return rc;
    }
    return 0;
}

void rpi_docset_free(rpi_docset *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        json_decref(set->docs[i].root);
        free(set->docs[i].error);
    }
    free(set->docs);
    pm_free(set->pos);
    memset(set, 0, sizeof *set);
}

void rpi_yaml_limits_of(const rp_env *env, rpi_yaml_limits *out)
{
    memset(out, 0, sizeof *out);
    if (!env)
        return;
    out->max_alias_nodes = env->max_yaml_alias_nodes;
    out->max_depth = env->max_input_depth;
    out->max_bytes = env->max_input_bytes;
    out->max_documents = env->max_input_documents;
}
