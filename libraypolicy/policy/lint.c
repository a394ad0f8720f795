/* lint.c -- warnings about a pack that loads but has rules that can never
 * select anything.  Loading already rejects what is wrong (pack.c); this
 * finds what is useless:
 *   - a resources entry whose kinds are all built-in kinds of other API
 *     groups than the ones it names ({apiGroups: [apps], kinds: [Pod]});
 *   - a resources entry whose operations leave out CREATE (an offline
 *     check is a CREATE; such a rule only ever runs in a cluster);
 *   - namespaces.include entries that are all excluded as well;
 *   - a matchCondition that is false whatever the object: it is
 *     evaluated with nothing bound, and a constant false result (no error)
 *     means the rule never applies.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

/* Built-in kinds and the API group that serves them. */
static const struct {
    const char *kind, *group;
} builtin_kinds[] = {
    {"Pod", ""}, {"Service", ""}, {"ConfigMap", ""}, {"Secret", ""}, {"Namespace", ""},
    {"ServiceAccount", ""}, {"PersistentVolumeClaim", ""}, {"PersistentVolume", ""},
    {"ResourceQuota", ""}, {"LimitRange", ""}, {"Endpoints", ""}, {"Node", ""},
    {"Deployment", "apps"}, {"StatefulSet", "apps"}, {"DaemonSet", "apps"},
    {"ReplicaSet", "apps"}, {"Job", "batch"}, {"CronJob", "batch"},
    {"Role", "rbac.authorization.k8s.io"}, {"RoleBinding", "rbac.authorization.k8s.io"},
    {"ClusterRole", "rbac.authorization.k8s.io"},
    {"ClusterRoleBinding", "rbac.authorization.k8s.io"},
    {"NetworkPolicy", "networking.k8s.io"}, {"Ingress", "networking.k8s.io"},
    {"PodDisruptionBudget", "policy"},
    {"RayCluster", "ray.io"}, {"RayJob", "ray.io"}, {"RayService", "ray.io"},
    {"RayCronJob", "ray.io"},
};

static const char *group_of_kind(const char *kind)
{
    for (size_t i = 0; i < sizeof builtin_kinds / sizeof builtin_kinds[0]; i++)
        if (strcmp(builtin_kinds[i].kind, kind) == 0)
            return builtin_kinds[i].group;
    return NULL;
}

static bool has(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

typedef struct out_buf {
    FILE *fp;
    char *text;
    size_t len;
} out_buf;

static void warn(out_buf *o, const rp_pack *p, const rpi_rule *r, unsigned line, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));
static void warn(out_buf *o, const rp_pack *p, const rpi_rule *r, unsigned line, const char *fmt,
                 ...)
{
    fprintf(o->fp, "%s:%u: warning: %s: ", p->source, line ? line : r->line, r->id);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o->fp, fmt, ap);
    va_end(ap);
    fputc('\n', o->fp);
}

/* Can resources entry RR select anything offline? */
static void lint_resources(out_buf *o, const rp_pack *p, const rpi_rule *r)
{
    for (size_t i = 0; i < r->match.n_resources; i++) {
        const rpi_resource_rule *rr = &r->match.resources[i];
        if (rr->n_operations && !has(rr->operations, rr->n_operations, "CREATE") &&
            !has(rr->operations, rr->n_operations, "*"))
            warn(o, p, r, 0,
                 "match.resources[%zu] leaves out CREATE: an offline check never selects it", i);
        if (rr->n_kinds == 0 || rr->n_api_groups == 0 || has(rr->api_groups, rr->n_api_groups, "*"))
            continue;
        bool any = false;
        for (size_t k = 0; k < rr->n_kinds && !any; k++) {
            const char *g = group_of_kind(rr->kinds[k]);
            any = !g || strcmp(rr->kinds[k], "*") == 0 || has(rr->api_groups, rr->n_api_groups, g);
        }
        if (!any)
            warn(o, p, r, 0,
                 "match.resources[%zu]: none of its kinds is served by its apiGroups, so it "
                 "never matches (kind %s is in API group \"%s\")",
                 i, rr->kinds[0], group_of_kind(rr->kinds[0]));
    }
    const rpi_match *m = &r->match;
    if (m->n_ns_include) {
        bool all_excluded = true;
        for (size_t i = 0; i < m->n_ns_include; i++)
            all_excluded &= has(m->ns_exclude, m->n_ns_exclude, m->ns_include[i]);
        if (all_excluded)
            warn(o, p, r, 0, "every namespace in match.namespaces.include is also excluded");
    }
}

/* A matchCondition that is false with nothing bound is false always. */
static void lint_conditions(out_buf *o, const rp_pack *p, const rpi_rule *r, rp_activation *act)
{
    for (size_t i = 0; i < r->n_conditions; i++) {
        const rpi_pexpr *e = &r->conditions[i].expr;
        rpi_arena_reset(act->arena);
        rpi_ctx cx = {0};
        cx.arena = act->arena;
        cx.env = e->prog->env;
        cx.cost_budget = e->prog->env->cost_budget;
        cx.program = e->prog;
        val v;
        rpi_span span;
        if (rpi_vm_run(e->prog, act, &cx, &v, &span) == RP_OK && v.kind == VK_BOOL && !v.u.b)
            warn(o, p, r, e->line,
                 "matchConditions[%zu] (%s) is false for every object: the rule never applies", i,
                 r->conditions[i].name);
    }
}

char *rp_pack_lint(const rp_pack *p)
{
    if (!p)
        return NULL;
    out_buf o = {0};
    o.fp = open_memstream(&o.text, &o.len);
    if (!o.fp)
        return NULL;
    rp_activation *act = rp_activation_new(p->env, NULL);
    for (size_t i = 0; i < p->n_rules; i++) {
        lint_resources(&o, p, &p->rules[i]);
        if (act)
            lint_conditions(&o, p, &p->rules[i], act);
    }
    rp_activation_free(act);
    if (fclose(o.fp) != 0 || !act) {
        free(o.text);
        return NULL;
    }
    return o.text;
}
