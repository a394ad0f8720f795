/* params.c -- parameters: reading a user's parameter file and merging it
 * over a pack's defaults.
 *
 * A parameter file is YAML or JSON: either a plain mapping of parameter
 * names to values, or a Kubernetes-style object whose `spec` holds them
 * (the shape of the parameter custom resource a ValidatingAdmissionPolicy
 * reads as params.spec, seed 003), so that one file serves both offline
 * checks and the cluster.  Merging is by key: a mapping merges into a
 * mapping, anything else replaces the default.  Which names are unknown is
 * the engine's business (it knows every pack of the check).
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int rpi_params_read(const char *text, size_t len, const char *source, json_t **out, rp_error *err)
{
    return rpi_params_read_limited(text, len, source, NULL, out, err);
}

int rpi_params_read_limited(const char *text, size_t len, const char *source,
                            const rpi_yaml_limits *limits, json_t **out, rp_error *err)
{
    *out = NULL;
    rpi_docset ds = {0};
    int rc = rpi_yaml_read(text, len, source, limits, &ds, err);
    if (rc)
        return rc;
    const rpi_doc *doc = NULL;
    for (size_t i = 0; i < ds.n && rc == RP_OK; i++) {
        const rpi_doc *d = &ds.docs[i];
        if (d->empty)
            continue;
        if (d->error) {
            rc = d->error_code ? d->error_code : RP_EYAML;
            rpi_error_set(err, rc, source, d->error_line, d->error_column, "%s:%u:%u: %s",
                          source, d->error_line, d->error_column, d->error);
        } else if (doc) {
            rpi_error_set(err, RP_EPACK, source, d->line, d->column,
                          "%s:%u:%u: a parameter file holds one document; this is a second one",
                          source, d->line, d->column);
            rc = RP_EPACK;
        } else {
            doc = d;
        }
    }
    if (rc == RP_OK && !doc) {
        /* an empty file: no parameters */
        *out = json_object();
        rpi_docset_free(&ds);
        if (!*out) {
            rpi_error_set(err, RP_ENOMEM, source, 0, 0, "out of memory");
            return RP_ENOMEM;
        }
        return RP_OK;
    }
    if (rc == RP_OK) {
        const json_t *root = doc->root;
        if (json_is_object(root) && json_is_string(json_object_get(root, "kind")) &&
            json_object_get(root, "spec")) {
            const json_t *spec = json_object_get(root, "spec");
            if (!json_is_object(spec)) {
                const rpi_pos *p = rpi_posmap_get(ds.pos, root, "spec", 0);
                rpi_error_set(err, RP_EPACK, source, p ? p->line : 0, p ? p->column : 0,
                              "%s:%u:%u: spec of a parameter object must be a mapping", source,
                              p ? p->line : 0, p ? p->column : 0);
                rc = RP_EPACK;
            }
            root = spec;
        } else if (!json_is_object(root)) {
            rpi_error_set(err, RP_EPACK, source, doc->line, doc->column,
                          "%s:%u:%u: parameters must be a mapping of names to values", source,
                          doc->line, doc->column);
            rc = RP_EPACK;
        }
        if (rc == RP_OK) {
            *out = json_deep_copy(root);
            if (!*out) {
                rpi_error_set(err, RP_ENOMEM, source, 0, 0, "out of memory");
                rc = RP_ENOMEM;
            }
        }
    }
    rpi_docset_free(&ds);
    return rc;
}

/* Merge SRC into DST (both objects) in place. */
static int merge_into(json_t *dst, const json_t *src)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)src, key, v) {
        json_t *d = json_object_get(dst, key);
        if (json_is_object(d) && json_is_object(v)) {
            if (merge_into(d, v))
                return -1;
            continue;
        }
        json_t *copy = json_deep_copy(v);
        if (!copy || json_object_set_new(dst, key, copy))
            return -1;
    }
    return 0;
}

json_t *rpi_params_merge(const json_t *defaults, const json_t *user)
{
    json_t *out = defaults ? json_deep_copy(defaults) : json_object();
    if (!out)
        return NULL;
    if (user && merge_into(out, user)) {
        json_decref(out);
        return NULL;
    }
    return out;
}
