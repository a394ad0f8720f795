/* objects.c -- what the engine needs to know about one Kubernetes object:
 * its identity (apiVersion split into group and version, kind, namespace,
 * name), its break-glass annotation, and whether its kind is cluster-scoped.
 *
 * The identity fields are views into the object's JSON, which the object
 * holds a reference to; only the group needs its own copy (apiVersion
 * "ray.io/v1" has no NUL after "ray.io").
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define BREAK_GLASS_ANNOTATION "raypolicy/break-glass"

static const char *string_at(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int rpi_object_describe(rpi_object *obj)
{
    const json_t *j = obj->json;
    const json_t *md = json_object_get(j, "metadata");
    obj->api_version = string_at(j, "apiVersion");
    obj->kind = string_at(j, "kind");
    obj->namespace_ = string_at(md, "namespace");
    obj->name = string_at(md, "name");
    if (obj->name == NULL)
        obj->name = string_at(md, "generateName");
    const char *bg = string_at(json_object_get(md, "annotations"), BREAK_GLASS_ANNOTATION);
    obj->break_glass = bg && bg[0] ? bg : NULL;
    free(obj->group_buf);
    obj->group_buf = NULL;
    obj->group = "";
    obj->version = obj->api_version ? obj->api_version : "";
    const char *slash = obj->api_version ? strchr(obj->api_version, '/') : NULL;
    if (slash) {
        size_t n = (size_t)(slash - obj->api_version);
        obj->group_buf = malloc(n + 1);
        if (!obj->group_buf)
            return RP_ENOMEM;
        memcpy(obj->group_buf, obj->api_version, n);
        obj->group_buf[n] = '\0';
        obj->group = obj->group_buf;
        obj->version = slash + 1;
    }
    return RP_OK;
}

void rpi_object_release(rpi_object *obj)
{
    if (!obj)
        return;
    free(obj->group_buf);
    obj->group_buf = NULL;
    json_decref(obj->json);
    obj->json = NULL;
}

/* The cluster-scoped kinds of Kubernetes' built-in API groups (kubectl
 * api-resources --namespaced=false) that manifests carry; anything else is
 * taken to be namespaced, as custom resources usually are. */
static const struct {
    const char *group, *kind;
} cluster_kinds[] = {
    {"", "Namespace"},
    {"", "Node"},
    {"", "PersistentVolume"},
    {"", "ComponentStatus"},
    {"rbac.authorization.k8s.io", "ClusterRole"},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding"},
    {"apiextensions.k8s.io", "CustomResourceDefinition"},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicy"},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"},
    {"admissionregistration.k8s.io", "MutatingAdmissionPolicy"},
    {"admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"},
    {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration"},
    {"admissionregistration.k8s.io", "MutatingWebhookConfiguration"},
    {"apiregistration.k8s.io", "APIService"},
    {"storage.k8s.io", "StorageClass"},
    {"storage.k8s.io", "CSIDriver"},
    {"storage.k8s.io", "CSINode"},
    {"storage.k8s.io", "VolumeAttachment"},
    {"scheduling.k8s.io", "PriorityClass"},
    {"node.k8s.io", "RuntimeClass"},
    {"policy", "PodSecurityPolicy"},
    {"networking.k8s.io", "IngressClass"},
    {"certificates.k8s.io", "CertificateSigningRequest"},
    {"flowcontrol.apiserver.k8s.io", "FlowSchema"},
    {"flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"},
    {"kueue.x-k8s.io", "ClusterQueue"},
    {"kueue.x-k8s.io", "ResourceFlavor"},
};

bool rpi_kind_cluster_scoped(const char *api_group, const char *kind)
{
    if (!kind)
        return false;
    if (!api_group)
        api_group = "";
    for (size_t i = 0; i < sizeof cluster_kinds / sizeof cluster_kinds[0]; i++)
        if (strcmp(cluster_kinds[i].kind, kind) == 0 && strcmp(cluster_kinds[i].group, api_group) == 0)
            return true;
    return false;
}
