/* test_registry.c -- the function table is consistent: every entry has an
 * implementation and typed signatures, and (name, style, arity) is unique
 * within each profile up to the type of the first argument, which is what
 * makes compile-time binding (and the run-time choice among typed entries)
 * exact. */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"

Test(registry, entries_are_complete_and_unique)
{
    size_t nlibs;
    const rpi_library *const *libs = rpi_registry_libraries(&nlibs);
    cr_assert_gt(nlibs, 0);
    const unsigned profiles[] = {RPI_PROF_CEL, RPI_PROF_K8S, RPI_PROF_EXT};
    for (size_t l = 0; l < nlibs; l++) {
        for (size_t i = 0; i < libs[l]->nfuncs; i++) {
            const rpi_func *f = &libs[l]->funcs[i];
            cr_assert_not_null(f->impl, "%s has no implementation", f->name);
            cr_assert_not_null(f->sigs, "%s has no signatures", f->name);
            cr_assert_not_null(f->sigs[0], "%s has no signatures", f->name);
            cr_assert(f->style & (RPI_GLOBAL | RPI_RECEIVER), "%s: no call style", f->name);
            for (size_t p = 0; p < 3; p++) {
                unsigned bits = f->profiles ? f->profiles : libs[l]->profiles;
                if (!(bits & profiles[p]))
                    continue;
                for (unsigned style = RPI_GLOBAL; style <= RPI_RECEIVER; style <<= 1) {
                    if (!(f->style & style))
                        continue;
                    const rpi_func *all[RPI_MAX_CANDIDATES];
                    size_t n = rpi_registry_find_all(profiles[p], f->name, style, f->argc, all,
                                                     RPI_MAX_CANDIDATES);
                    bool found = false;
                    for (size_t k = 0; k < n; k++) {
                        found |= all[k] == f;
                        /* entries sharing a call shape differ in their first argument's type */
                        for (size_t m = k + 1; m < n; m++)
                            cr_assert_neq(all[k]->arg0_type, all[m]->arg0_type,
                                          "%s/%u: two entries for the same first-argument type",
                                          f->name, f->argc);
                    }
                    cr_assert(found, "%s/%u: not reachable by lookup", f->name, f->argc);
                }
            }
        }
    }
}

Test(registry, lookup)
{
    cr_assert_not_null(rpi_registry_find(RPI_PROF_CEL, "size", RPI_GLOBAL, 1));
    cr_assert_not_null(rpi_registry_find(RPI_PROF_CEL, "size", RPI_RECEIVER, 1));
    cr_assert_not_null(rpi_registry_find(RPI_PROF_CEL, "contains", RPI_RECEIVER, 2));
    cr_assert_null(rpi_registry_find(RPI_PROF_CEL, "contains", RPI_GLOBAL, 2));
    cr_assert_null(rpi_registry_find(RPI_PROF_CEL, "no_such_function", RPI_GLOBAL, 1));
    cr_assert(rpi_registry_has_name(RPI_PROF_CEL, "timestamp"));
    cr_assert_eq(rpi_registry_profiles_of("no_such_function"), 0);
}
