/* registry.c -- the one list of function libraries and the profiles that
 * have them (as Lua's linit.c and Kubernetes' library/libraries.go), and
 * lookup of a callable by (name, call style, arity) within a profile.
 *
 * Lookup happens at compile time only: the compiler binds each call to its
 * rpi_func, so nothing here runs during evaluation.  A compile looks up
 * every call and operator, several times (checker and code generator), so
 * the entries are found through an index by name (sorted once per
 * process) rather than a scan of every library.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

extern const rpi_library rpi_lib_std_operators;
extern const rpi_library rpi_lib_std_conversions;
extern const rpi_library rpi_lib_std_strings;
extern const rpi_library rpi_lib_std_time;
extern const rpi_library rpi_lib_optional;
extern const rpi_library rpi_lib_k8s_quantity;
extern const rpi_library rpi_lib_k8s_ip;
extern const rpi_library rpi_lib_k8s_url;
extern const rpi_library rpi_lib_k8s_semver;
extern const rpi_library rpi_lib_k8s_format;
extern const rpi_library rpi_lib_k8s_regex;
extern const rpi_library rpi_lib_lists_ext;
extern const rpi_library rpi_lib_k8s_lists;
extern const rpi_library rpi_lib_sets;
extern const rpi_library rpi_lib_comprehensions;
extern const rpi_library rpi_lib_strings_ext;
extern const rpi_library rpi_lib_encoders;
extern const rpi_library rpi_lib_math_ext;

static const rpi_library *const libraries[] = {
    &rpi_lib_std_operators,
    &rpi_lib_std_conversions,
    &rpi_lib_std_strings,
    &rpi_lib_std_time,
    &rpi_lib_optional,
    &rpi_lib_k8s_quantity,
    &rpi_lib_k8s_ip,
    &rpi_lib_k8s_url,
    &rpi_lib_k8s_semver,
    &rpi_lib_k8s_format,
    &rpi_lib_k8s_regex,
    &rpi_lib_lists_ext,
    &rpi_lib_k8s_lists,
    &rpi_lib_sets,
    &rpi_lib_comprehensions,
    &rpi_lib_strings_ext,
    &rpi_lib_encoders,
    &rpi_lib_math_ext,
};

#define NLIBS (sizeof libraries / sizeof libraries[0])

const rpi_library *const *rpi_registry_libraries(size_t *count)
{
    *count = NLIBS;
    return libraries;
}

static unsigned func_profiles(const rpi_library *lib, const rpi_func *f)
{
    return f->profiles ? f->profiles : lib->profiles;
}

/* ---- The index by name ---------------------------------------------------------- */

/* Enough for every library today (about 600 entries); were it ever too
 * small, lookups fall back to scanning the libraries. */
#define MAX_ENTRIES 4096

typedef struct entry {
    const rpi_func *f;
    const rpi_library *lib;
    uint32_t order;         /* position in the libraries, for ties */
} entry;

static entry by_name[MAX_ENTRIES];
static size_t nentries;
static bool indexed;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

/* By name; within a name, the entries for a given first-argument type
 * first (rpi_registry_find_all's order), then by position. */
static int entry_cmp(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    int c = strcmp(a->f->name, b->f->name);
    if (c)
        return c;
    bool ta = a->f->arg0_type != NULL, tb = b->f->arg0_type != NULL;
    if (ta != tb)
        return ta ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static void build_index(void)
{
    size_t n = 0;
    for (size_t l = 0; l < NLIBS; l++) {
        const rpi_library *lib = libraries[l];
        for (size_t i = 0; i < lib->nfuncs; i++) {
            if (n == MAX_ENTRIES)
                return; /* not indexed: scan */
            by_name[n] = (entry){&lib->funcs[i], lib, (uint32_t)n};
            n++;
        }
    }
    qsort(by_name, n, sizeof by_name[0], entry_cmp);
    nentries = n;
    indexed = true;
}

/* The entries named NAME: [*FIRST, *END) of by_name; false when there is
 * no index (scan the libraries instead). */
static bool named(const char *name, size_t *first, size_t *end)
{
    pthread_once(&index_once, build_index);
    if (!indexed)
        return false;
    size_t lo = 0, hi = nentries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(by_name[mid].f->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t e = lo;
    while (e < nentries && strcmp(by_name[e].f->name, name) == 0)
        e++;
    *first = lo;
    *end = e;
    return true;
}

static bool fits(const rpi_library *lib, const rpi_func *f, unsigned profile_bit, unsigned style,
                 unsigned argc)
{
    return (f->style & style) && f->argc == argc && (func_profiles(lib, f) & profile_bit);
}

/* ---- Lookups ----------------------------------------------------------------------- */

const rpi_func *rpi_registry_find(unsigned profile_bit, const char *name, unsigned style,
                                  unsigned argc)
{
    size_t first, end;
    if (named(name, &first, &end)) {
        /* the first in the libraries' order, whatever its argument type */
        const entry *best = NULL;
        for (size_t k = first; k < end; k++)
            if (fits(by_name[k].lib, by_name[k].f, profile_bit, style, argc) &&
                (!best || by_name[k].order < best->order))
                best = &by_name[k];
        return best ? best->f : NULL;
    }
    for (size_t l = 0; l < NLIBS; l++) {
        const rpi_library *lib = libraries[l];
        for (size_t i = 0; i < lib->nfuncs; i++) {
            const rpi_func *f = &lib->funcs[i];
            if (fits(lib, f, profile_bit, style, argc) && strcmp(f->name, name) == 0)
                return f;
        }
    }
    return NULL;
}

size_t rpi_registry_find_all(unsigned profile_bit, const char *name, unsigned style,
                             unsigned argc, const rpi_func **out, size_t max)
{
    size_t n = 0, first, end;
    if (named(name, &first, &end)) {
        for (size_t k = first; k < end && n < max; k++)
            if (fits(by_name[k].lib, by_name[k].f, profile_bit, style, argc))
                out[n++] = by_name[k].f;
        return n;
    }
    /* two passes: entries for a given first-argument type, then the rest */
    for (int pass = 0; pass < 2; pass++)
        for (size_t l = 0; l < NLIBS; l++) {
            const rpi_library *lib = libraries[l];
            for (size_t i = 0; i < lib->nfuncs && n < max; i++) {
                const rpi_func *f = &lib->funcs[i];
                if ((f->arg0_type != NULL) != (pass == 0))
                    continue;
                if (fits(lib, f, profile_bit, style, argc) && strcmp(f->name, name) == 0)
                    out[n++] = f;
            }
        }
    return n;
}

bool rpi_registry_has_name(unsigned profile_bit, const char *name)
{
    size_t first, end;
    if (named(name, &first, &end)) {
        for (size_t k = first; k < end; k++)
            if (func_profiles(by_name[k].lib, by_name[k].f) & profile_bit)
                return true;
        return false;
    }
    for (size_t l = 0; l < NLIBS; l++) {
        const rpi_library *lib = libraries[l];
        for (size_t i = 0; i < lib->nfuncs; i++)
            if ((func_profiles(lib, &lib->funcs[i]) & profile_bit) &&
                strcmp(lib->funcs[i].name, name) == 0)
                return true;
    }
    return false;
}

unsigned rpi_registry_profiles_of(const char *name)
{
    unsigned bits = 0;
    for (size_t l = 0; l < NLIBS; l++) {
        const rpi_library *lib = libraries[l];
        for (size_t i = 0; i < lib->nfuncs; i++)
            if (strcmp(lib->funcs[i].name, name) == 0)
                bits |= func_profiles(lib, &lib->funcs[i]);
    }
    return bits;
}
