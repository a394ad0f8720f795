/* match.c -- whether a rule looks at an object: its resources (API group,
 * version, kind, operation, name), its namespaces, and label selectors on
 * the object and on its namespace.  The semantics are a
 * ValidatingAdmissionPolicy's matchConstraints, with kinds in place of
 * resource names (offline there is no API discovery to map one to the
 * other):
 *   - resources: any entry may select; in an entry every given list must
 *     hold the object's value or "*"; an empty list selects everything;
 *   - operations: an offline check is a CREATE;
 *   - namespaces: include/exclude lists by name; a cluster-scoped object
 *     is not filtered by them, except a Namespace, which is filtered by
 *     its own name (as namespaceSelector treats Namespace objects);
 *   - namespaceSelector: the labels of the object's Namespace from the
 *     same check, or else just kubernetes.io/metadata.name (the label the
 *     API server sets on every namespace);
 *   - objectSelector: the object's own labels.
 * An object without metadata.namespace is in "default", where kubectl
 * would create it without -n.
 */
#include <string.h>

#include "policy/policy.h"

static bool list_has(char *const *list, size_t n, const char *value)
{
    if (n == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], "*") == 0 || (value && strcmp(list[i], value) == 0))
            return true;
    return false;
}

static bool list_names(char *const *list, size_t n, const char *value)
{
    for (size_t i = 0; i < n; i++)
        if (value && strcmp(list[i], value) == 0)
            return true;
    return false;
}

static bool resource_matches(const rpi_resource_rule *r, const rpi_object *obj)
{
    return list_has(r->api_groups, r->n_api_groups, obj->group) &&
           list_has(r->api_versions, r->n_api_versions, obj->version) &&
           list_has(r->kinds, r->n_kinds, obj->kind) &&
           list_has(r->operations, r->n_operations, "CREATE") &&
           list_has(r->names, r->n_names, obj->name);
}

bool rpi_selector_matches(const rpi_selector *sel, const json_t *labels)
{
    if (!sel->present)
        return true;
    for (size_t i = 0; i < sel->n_reqs; i++) {
        const rpi_sel_req *r = &sel->reqs[i];
        const json_t *v = json_object_get(labels, r->key);
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;
        switch (r->op) {
        case RPI_SEL_IN:
            if (!s || !list_names(r->values, r->n_values, s))
                return false;
            break;
        case RPI_SEL_NOT_IN:
            if (s && list_names(r->values, r->n_values, s))
                return false;
            break;
        case RPI_SEL_EXISTS:
            if (!v)
                return false;
            break;
        case RPI_SEL_DOES_NOT_EXIST:
            if (v)
                return false;
            break;
        }
    }
    return true;
}

bool rpi_match_object(const rpi_match *m, const rpi_object *obj, const json_t *ns_obj)
{
    if (m->n_resources) {
        bool any = false;
        for (size_t i = 0; i < m->n_resources && !any; i++)
            any = resource_matches(&m->resources[i], obj);
        if (!any)
            return false;
    }
    bool is_namespace = obj->kind && strcmp(obj->kind, "Namespace") == 0 && obj->group[0] == '\0';
    bool cluster = rpi_kind_cluster_scoped(obj->group, obj->kind);
    const char *ns = is_namespace ? obj->name : obj->namespace_ ? obj->namespace_ : "default";
    if (!cluster || is_namespace) {
        if (m->n_ns_include && !list_names(m->ns_include, m->n_ns_include, ns))
            return false;
        if (list_names(m->ns_exclude, m->n_ns_exclude, ns))
            return false;
        if (m->namespace_selector.present) {
            const json_t *labels =
                json_object_get(json_object_get(is_namespace ? obj->json : ns_obj, "metadata"),
                                "labels");
            json_t *implied = NULL;
            if (!json_is_object(labels)) {
                implied = json_pack("{ss}", "kubernetes.io/metadata.name", ns);
                labels = implied;
            }
            bool ok = rpi_selector_matches(&m->namespace_selector, labels);
            json_decref(implied);
            if (!ok)
                return false;
        }
    }
    const json_t *labels = json_object_get(json_object_get(obj->json, "metadata"), "labels");
    return rpi_selector_matches(&m->object_selector, json_is_object(labels) ? labels : NULL);
}
