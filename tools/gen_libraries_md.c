/* gen_libraries_md.c -- writes docs/libraries.md, the table of every CEL
 * function libraypolicy knows, from the registry itself: library, name, call
 * style, signatures (cel-go overload ids) and the profiles that have it.
 * make check regenerates the table and fails when the committed file
 * differs (tests/check-libraries-doc.sh), so the documentation cannot drift
 * from the code. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *profiles(unsigned bits, char *buf, size_t cap)
{
    buf[0] = '\0';
    const struct { unsigned bit; const char *name; } p[] = {
        {RPI_PROF_CEL, "cel"}, {RPI_PROF_K8S, "kubernetes"}, {RPI_PROF_EXT, "extended"}};
    for (size_t i = 0; i < 3; i++)
        if (bits & p[i].bit) {
            if (buf[0])
                strncat(buf, ", ", cap - strlen(buf) - 1);
            strncat(buf, p[i].name, cap - strlen(buf) - 1);
        }
    return buf;
}

int main(void)
{
    size_t n;
    const rpi_library *const *libs = rpi_registry_libraries(&n);
    printf("# CEL function libraries\n\n"
           "Generated from the function registry by `tools/gen_libraries_md` (`make "
           "docs/libraries.md`); do not edit by hand.  Operators and the syntax of the\n"
           "optional types (`a.?b`, `a[?k]`, `[?x]`, `{?k: v}`) are compiled to VM "
           "instructions and listed under `std_operators` for their signatures.\n"
           "Macros (`has`, `all`, `exists`, `exists_one`, `map`, `filter`, the two-variable\n"
           "comprehensions, `optMap`, `optFlatMap`, `sortBy`, `cel.bind`, `math.greatest`,\n"
           "`math.least`) expand to comprehensions and to the helper functions below.\n\n"
           "Profiles: `cel` is the cel-spec standard definitions, `kubernetes` (the default)\n"
           "what a Kubernetes 1.33+ API server offers, `extended` everything.  Every function\n"
           "listed is implemented; what differs from Kubernetes is listed in\n"
           "`tests/conformance/known_failures.txt` with its reason.\n");
    for (size_t l = 0; l < n; l++) {
        const rpi_library *lib = libs[l];
        printf("\n## %s\n\n| function | call | signatures | profiles |\n|---|---|---|---|\n", lib->name);
        for (size_t i = 0; i < lib->nfuncs; i++) {
            const rpi_func *f = &lib->funcs[i];
            char pbuf[64];
            printf("| `%s` | %s%s%s/%u | ", f->name, (f->style & RPI_GLOBAL) ? "global" : "",
                   (f->style & RPI_GLOBAL) && (f->style & RPI_RECEIVER) ? ", " : "",
                   (f->style & RPI_RECEIVER) ? "receiver" : "", (unsigned)f->argc);
            for (const char *const *s = f->sigs; s && *s; s++)
                printf("%s`%s`", s == f->sigs ? "" : "<br>", *s);
            printf(" | %s |\n", profiles(f->profiles ? f->profiles : lib->profiles, pbuf, sizeof pbuf));
        }
    }
    return 0;
}
