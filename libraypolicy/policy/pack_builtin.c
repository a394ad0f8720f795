/* pack_builtin.c -- the packs compiled into the library.
 *
 * the packs/ YAML files are embedded at build time (tools/embed-packs.sh writes
 * builtin_packs.h into the build directory), so rp_pack_load_builtin()
 * works without any installed data file and cannot pick up a stale copy
 * from another installation.  The YAML is still compiled at load time,
 * through the same loader as any user's pack.
 */
#include <stddef.h>
#include <string.h>

#include "policy/policy.h"
#include "builtin_packs.h"

const char *rpi_pack_builtin_text(const char *name, size_t *len)
{
    for (const struct builtin_pack *p = builtin_packs; p->name; p++)
        if (strcmp(p->name, name) == 0) {
            *len = p->len;
            return (const char *)p->text;
        }
    return NULL;
}

const char *const *rpi_pack_builtin_names(void) { return builtin_pack_names; }
