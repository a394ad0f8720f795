/* fuzz_yaml.c -- libFuzzer target: the YAML/JSON document reader.
 *
 * Reads arbitrary bytes with rpi_yaml_read (libraypolicy/policy/yaml_doc.h)
 * under small limits, then looks up a few field paths in every document
 * that was read (rpi_posmap_path), including paths with indexes, quoted
 * keys and a malformed one, and frees the set.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/yaml_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const paths[] = {
    "metadata.name",
    "object.spec.containers[0].image",
    "spec.headGroupSpec.template.spec.containers[0].ports[1]",
    "metadata.labels['app.kubernetes.io/name']",
    "a[1][0].b",
    "spec[",
    "['x'",
    "",
    NULL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rpi_yaml_limits limits = {.max_alias_nodes = 10000, .max_depth = 100};
    rpi_docset set;
    rp_error err = {0};
    if (rpi_yaml_read((const char *)data, size, "<fuzz>", &limits, &set, &err) != 0)
        return 0;
    for (size_t i = 0; i < set.n; i++) {
        (void)rpi_posmap_get(set.pos, NULL, NULL, i);
        if (set.docs[i].root == NULL)
            continue;
        for (size_t p = 0; paths[p] != NULL; p++) {
            bool exact;
            (void)rpi_posmap_path(set.pos, set.docs[i].root, paths[p], &exact);
        }
    }
    rpi_docset_free(&set);
    return 0;
}
