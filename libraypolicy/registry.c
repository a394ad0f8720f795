/* registry.c -- the one list of function libraries and the profiles that
 * have them (as Lua's linit.c and Kubernetes' library/libraries.go), and
 * lookup of a callable by (name, call style, arity) within a profile.
 *
 * Lookup happens at compile time only: the compiler binds each call to its
 * rpi_func, so the linear scan here never runs during evaluation.
 */
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

const rpi_func *rpi_registry_find(unsigned profile_bit, const char *name, unsigned style,
                                  unsigned argc)
{
    for (size_t l = 0; l < NLIBS; l++) {
        const rpi_library *lib = libraries[l];
        for (size_t i = 0; i < lib->nfuncs; i++) {
            const rpi_func *f = &lib->funcs[i];
            if ((f->style & style) && f->argc == argc && (func_profiles(lib, f) & profile_bit) &&
                strcmp(f->name, name) == 0)
                return f;
        }
    }
    return NULL;
}

size_t rpi_registry_find_all(unsigned profile_bit, const char *name, unsigned style,
                             unsigned argc, const rpi_func **out, size_t max)
{
    size_t n = 0;
    /* two passes: entries for a given first-argument type, then the rest */
    for (int pass = 0; pass < 2; pass++)
        for (size_t l = 0; l < NLIBS; l++) {
            const rpi_library *lib = libraries[l];
            for (size_t i = 0; i < lib->nfuncs && n < max; i++) {
                const rpi_func *f = &lib->funcs[i];
                if ((f->arg0_type != NULL) != (pass == 0))
                    continue;
                if ((f->style & style) && f->argc == argc &&
                    (func_profiles(lib, f) & profile_bit) && strcmp(f->name, name) == 0)
                    out[n++] = f;
            }
        }
    return n;
}

bool rpi_registry_has_name(unsigned profile_bit, const char *name)
{
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
