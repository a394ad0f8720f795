/* baseline.c -- the fifteen benchmark expressions written by hand in C, the
 * floor libraypolicy's evaluation is measured against.
 *
 *   bench/baseline --expressions bench/expressions.json [--format text|json]
 *                  [--min-time MS] [--only ID]
 *   bench/baseline --expressions FILE --check
 *   bench/baseline --expressions FILE --only ID --callgrind-iterations K
 *
 * Each function below is the check a competent C programmer would write for
 * one expression of bench/expressions.json, directly over the jansson tree
 * the object and params are parsed into once: json_object_get() chains, the
 * PCRE2 patterns compiled once up front with JIT (and one match block), the
 * message built into a buffer allocated once.  Nothing is cached across
 * evaluations.  Each does the work the expression describes, CEL semantics
 * included: a missing field is an error, && and || absorb an error when the
 * other side decides, all()/exists() return false/true on the first element
 * that decides and an error only when none does, == between different types
 * is false, size() counts code points, ints are checked for overflow, and a
 * map() over the worker groups looks up every group's pod spec even when
 * all() is already decided (the list is built before all() runs).  What a
 * hand-written check does not do is build lists: it walks them.
 *
 * Before anything is timed each function's result is compared with the
 * expression's `expected` value (cel.expr.Value JSON); --check stops there.
 * Timing is rpeval bench's: batches calibrated to last at least
 * --min-time / 20 ms, repeated 11 times; median, minimum and maximum ns per
 * evaluation.  --callgrind-iterations K runs exactly K evaluations of the
 * --only expression inside bench_loop() and nothing else, so that
 *   valgrind --tool=callgrind --toggle-collect=bench_loop bench/baseline ...
 * gives the instructions of one evaluation as Ir / K.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define REPEATS 11

/* A CEL boolean that may also be an error. */
typedef enum tri { F = 0, T = 1, E = 2 } tri;

typedef enum rkind { R_BOOL, R_INT, R_STRING, R_ERROR } rkind;

/* What one evaluation produced: a bool, an int, or a string borrowed from
 * the context's message buffer. */
typedef struct outcome {
    rkind kind;
    bool b;
    int64_t i;
    const char *s;
    size_t len;
} outcome;

/* Everything an evaluation may use, set up once. */
typedef struct ctx {
    const json_t *object, *params;
    pcre2_code *dns1123, *credential;
    pcre2_match_data *md;
    char *buf; /* the message's buffer, grown (never shrunk) when too small */
    size_t cap;
} ctx;

typedef void (*expr_fn)(ctx *c, outcome *o);

/* ---- CEL building blocks over jansson -------------------------------------- */

/* m.k: NULL (an error) when M is not a map or has no K. */
static const json_t *sel(const json_t *m, const char *k)
{
    return json_is_object(m) ? json_object_get(m, k) : NULL;
}

/* has(m.k): an error when M is not a map. */
static tri has(const json_t *m, const char *k)
{
    if (!json_is_object(m))
        return E;
    return json_object_get(m, k) ? T : F;
}

static tri not(tri a)
{
    return a == E ? E : a == T ? F : T;
}

/* The value of a finished && / || whose operands were all evaluated. */
static tri and2(tri a, tri b)
{
    if (a == F || b == F)
        return F;
    return a == E || b == E ? E : T;
}

static tri or2(tri a, tri b)
{
    if (a == T || b == T)
        return T;
    return a == E || b == E ? E : F;
}

/* v == 'lit' (heterogeneous equality: a value of another type is unequal). */
static tri str_eq(const json_t *v, const char *lit, size_t n)
{
    if (!v)
        return E;
    return json_is_string(v) && json_string_length(v) == n &&
                   memcmp(json_string_value(v), lit, n) == 0
               ? T
               : F;
}
#define STR_EQ(v, lit) str_eq((v), (lit), sizeof(lit) - 1)

static tri bool_eq(const json_t *v, bool want)
{
    if (!v)
        return E;
    return json_is_boolean(v) && json_is_true(v) == want ? T : F;
}

/* v != N for an int N: an int compares as an int, a double numerically,
 * anything else is unequal. */
static tri int_ne(const json_t *v, json_int_t n)
{
    if (!v)
        return E;
    if (json_is_integer(v))
        return json_integer_value(v) != n ? T : F;
    if (json_is_real(v))
        return json_real_value(v) != (double)n ? T : F;
    return T;
}

/* 'lit' in v: a list's elements or a map's keys. */
static tri str_in(const char *lit, size_t n, const json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        const json_t *x;
        json_array_foreach(v, i, x) {
            if (str_eq(x, lit, n) == T)
                return T;
        }
        return F;
    }
    if (json_is_object(v))
        return json_object_getn(v, lit, n) ? T : F;
    return E;
}
#define STR_IN(lit, v) str_in((lit), sizeof(lit) - 1, (v))

/* s.startsWith(p): both must be strings. */
static tri starts_with(const json_t *s, const json_t *p)
{
    if (!json_is_string(s) || !json_is_string(p))
        return E;
    size_t pl = json_string_length(p);
    return json_string_length(s) >= pl && memcmp(json_string_value(s), json_string_value(p), pl) == 0
               ? T
               : F;
}

/* s.matches(re), the pattern compiled once with JIT. */
static tri matches(ctx *c, const pcre2_code *re, const json_t *s)
{
    if (!json_is_string(s))
        return E;
    int rc = pcre2_jit_match(re, (PCRE2_SPTR)json_string_value(s), json_string_length(s), 0, 0,
                             c->md, NULL);
    if (rc >= 0)
        return T;
    return rc == PCRE2_ERROR_NOMATCH ? F : E;
}

/* size(v): code points of a string, elements of a list, entries of a map. */
static bool size_of(const json_t *v, int64_t *out)
{
    if (json_is_string(v)) {
        const unsigned char *p = (const unsigned char *)json_string_value(v);
        size_t n = json_string_length(v);
        int64_t cps = 0;
        for (size_t i = 0; i < n; i++)
            cps += (p[i] & 0xC0) != 0x80;
        *out = cps;
        return true;
    }
    if (json_is_array(v)) {
        *out = (int64_t)json_array_size(v);
        return true;
    }
    if (json_is_object(v)) {
        *out = (int64_t)json_object_size(v);
        return true;
    }
    return false;
}

/* int(v): an int as it is, a double truncated when in range, a string in
 * base 10 with an optional sign (Go's strconv.ParseInt, as cel-go). */
static bool int_of(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
            return false;
        *out = (int64_t)d;
        return true;
    }
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v), i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == n)
        return false;
    uint64_t acc = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (acc > (UINT64_MAX - d) / 10)
            return false;
        acc = acc * 10 + d;
    }
    if (neg ? acc > (uint64_t)INT64_MAX + 1 : acc > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return true;
}

static void set_tri(outcome *o, tri t)
{
    o->kind = t == E ? R_ERROR : R_BOOL;
    o->b = t == T;
}

/* all() and exists() over a JSON list: false (true) on the first element
 * that decides, an error if an element erred and none decided.  A map or a
 * scalar where the expression expects a list is an error. */
#define ALL_OVER(list, elem, pred_expr)                                                       \
    do {                                                                                       \
        if (!json_is_array(list))                                                              \
            return E;                                                                          \
        tri acc_ = T;                                                                          \
        size_t i_;                                                                             \
        const json_t *elem;                                                                    \
        json_array_foreach(list, i_, elem) {                                                   \
            tri r_ = (pred_expr);                                                              \
            if (r_ == F)                                                                       \
                return F;                                                                      \
            if (r_ == E)                                                                       \
                acc_ = E;                                                                      \
        }                                                                                      \
        return acc_;                                                                           \
    } while (0)

#define EXISTS_OVER(list, elem, pred_expr)                                                    \
    do {                                                                                       \
        if (!json_is_array(list))                                                              \
            return E;                                                                          \
        tri acc_ = F;                                                                          \
        size_t i_;                                                                             \
        const json_t *elem;                                                                    \
        json_array_foreach(list, i_, elem) {                                                   \
            tri r_ = (pred_expr);                                                              \
            if (r_ == T)                                                                       \
                return T;                                                                      \
            if (r_ == E)                                                                       \
                acc_ = E;                                                                      \
        }                                                                                      \
        return acc_;                                                                           \
    } while (0)

/* ---- Shared walks -------------------------------------------------------------- */

static const json_t *head_group(const ctx *c)
{
    return sel(sel(c->object, "spec"), "headGroupSpec");
}

static const json_t *pod_containers(const json_t *group)
{
    return sel(sel(sel(group, "template"), "spec"), "containers");
}

typedef tri (*spec_pred)(ctx *c, const json_t *spec);

/* ([head.template.spec] + workerGroupSpecs.map(g, g.template.spec)).all(s, P(s)),
 * without building the list: every worker's pod spec is still looked up
 * (an error there makes the list, and so the whole expression, an error),
 * P runs until an element decides. */
static tri all_pod_specs(ctx *c, spec_pred p)
{
    const json_t *spec = sel(c->object, "spec");
    const json_t *head = sel(sel(sel(spec, "headGroupSpec"), "template"), "spec");
    const json_t *workers = sel(spec, "workerGroupSpecs");
    if (!head || !json_is_array(workers))
        return E;
    tri acc = p(c, head);
    size_t i;
    const json_t *g;
    json_array_foreach(workers, i, g) {
        const json_t *s = sel(sel(g, "template"), "spec");
        if (!s)
            return E;
        if (acc != F) {
            tri r = p(c, s);
            acc = r == F ? F : r == E ? E : acc;
        }
    }
    return acc;
}

/* ---- The fifteen expressions ------------------------------------------------------ */

/* object.spec.headGroupSpec.serviceType == 'ClusterIP' */
static void x_service_type_eq(ctx *c, outcome *o)
{
    set_tri(o, STR_EQ(sel(head_group(c), "serviceType"), "ClusterIP"));
}

/* !has(hg.serviceType) || hg.serviceType == 'ClusterIP' */
static void x_service_type_has(ctx *c, outcome *o)
{
    const json_t *hg = head_group(c);
    tri a = not(has(hg, "serviceType"));
    if (a == T) {
        set_tri(o, T);
        return;
    }
    set_tri(o, or2(a, STR_EQ(sel(hg, "serviceType"), "ClusterIP")));
}

/* metadata.labels['app.kubernetes.io/name'] == 'ray' && metadata.namespace != 'default' */
static void x_labels_namespace(ctx *c, outcome *o)
{
    const json_t *md = sel(c->object, "metadata");
    tri a = STR_EQ(sel(sel(md, "labels"), "app.kubernetes.io/name"), "ray");
    if (a == F) {
        set_tri(o, F);
        return;
    }
    set_tri(o, and2(a, not(STR_EQ(sel(md, "namespace"), "default"))));
}

/* !('dashboard-host' in rsp) || rsp['dashboard-host'] != '0.0.0.0' */
static void x_dashboard_host(ctx *c, outcome *o)
{
    const json_t *rsp = sel(head_group(c), "rayStartParams");
    tri a = not(STR_IN("dashboard-host", rsp));
    if (a == T) {
        set_tri(o, T);
        return;
    }
    set_tri(o, or2(a, not(STR_EQ(sel(rsp, "dashboard-host"), "0.0.0.0"))));
}

/* size(name) <= 63 && name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$') */
static void x_name_dns1123(ctx *c, outcome *o)
{
    const json_t *name = sel(sel(c->object, "metadata"), "name");
    int64_t n;
    tri a = size_of(name, &n) ? (n <= 63 ? T : F) : E;
    if (a == F) {
        set_tri(o, F);
        return;
    }
    set_tri(o, and2(a, matches(c, c->dns1123, name)));
}

/* 'cluster ' + name + ' exposes ' + serviceType */
static void x_message(ctx *c, outcome *o)
{
    const json_t *name = sel(sel(c->object, "metadata"), "name");
    const json_t *st = sel(head_group(c), "serviceType");
    if (!json_is_string(name) || !json_is_string(st)) {
        o->kind = R_ERROR;
        return;
    }
    static const char p1[] = "cluster ", p2[] = " exposes ";
    size_t nl = json_string_length(name), sl = json_string_length(st);
    size_t len = sizeof p1 - 1 + nl + sizeof p2 - 1 + sl;
    if (len + 1 > c->cap) {
        char *nb = realloc(c->buf, len + 1);
        if (!nb) {
            o->kind = R_ERROR;
            return;
        }
        c->buf = nb;
        c->cap = len + 1;
    }
    char *w = c->buf;
    memcpy(w, p1, sizeof p1 - 1);
    w += sizeof p1 - 1;
    memcpy(w, json_string_value(name), nl);
    w += nl;
    memcpy(w, p2, sizeof p2 - 1);
    w += sizeof p2 - 1;
    memcpy(w, json_string_value(st), sl);
    w[sl] = '\0';
    o->kind = R_STRING;
    o->s = c->buf;
    o->len = len;
}

/* has(c.securityContext) && has(c.securityContext.runAsNonRoot) &&
 * c.securityContext.runAsNonRoot == true */
static tri run_as_non_root(const json_t *ct)
{
    tri a = has(ct, "securityContext");
    if (a == F)
        return F;
    const json_t *sc = sel(ct, "securityContext");
    tri b = has(sc, "runAsNonRoot");
    if (b == F)
        return F;
    return and2(and2(a, b), bool_eq(sel(sc, "runAsNonRoot"), true));
}

static tri all_run_as_non_root(const json_t *containers)
{
    ALL_OVER(containers, ct, run_as_non_root(ct));
}

static tri workers_run_as_non_root(const json_t *workers)
{
    ALL_OVER(workers, g, all_run_as_non_root(pod_containers(g)));
}

/* head containers.all(...) && workerGroupSpecs.all(g, containers.all(...)) */
static void x_run_as_non_root(ctx *c, outcome *o)
{
    tri a = all_run_as_non_root(pod_containers(head_group(c)));
    if (a == F) {
        set_tri(o, F);
        return;
    }
    set_tri(o, and2(a, workers_run_as_non_root(sel(sel(c->object, "spec"), "workerGroupSpecs"))));
}

static tri ports_not_8265(const json_t *ports)
{
    ALL_OVER(ports, p, int_ne(sel(p, "containerPort"), 8265));
}

/* !has(c.ports) || c.ports.all(p, p.containerPort != 8265) */
static tri container_no_8265(const json_t *ct)
{
    tri a = not(has(ct, "ports"));
    if (a == T)
        return T;
    return or2(a, ports_not_8265(sel(ct, "ports")));
}

static tri containers_no_8265(const json_t *containers)
{
    ALL_OVER(containers, ct, container_no_8265(ct));
}

static tri workers_no_8265(const json_t *workers)
{
    ALL_OVER(workers, g, containers_no_8265(pod_containers(g)));
}

static void x_no_dashboard_port(ctx *c, outcome *o)
{
    set_tri(o, workers_no_8265(sel(sel(c->object, "spec"), "workerGroupSpecs")));
}

/* e.name == 'RAY_USE_TLS' && has(e.value) && e.value == '1' */
static tri env_tls(const json_t *e)
{
    tri a = STR_EQ(sel(e, "name"), "RAY_USE_TLS");
    if (a == F)
        return F;
    tri b = has(e, "value");
    if (b == F)
        return F;
    return and2(and2(a, b), STR_EQ(sel(e, "value"), "1"));
}

static tri env_has_tls(const json_t *env)
{
    EXISTS_OVER(env, e, env_tls(e));
}

/* c.name == 'ray-head' && has(c.env) && c.env.exists(e, ...) */
static tri head_container_tls(const json_t *ct)
{
    tri a = STR_EQ(sel(ct, "name"), "ray-head");
    if (a == F)
        return F;
    tri b = has(ct, "env");
    if (b == F)
        return F;
    return and2(and2(a, b), env_has_tls(sel(ct, "env")));
}

static tri containers_tls(const json_t *containers)
{
    EXISTS_OVER(containers, ct, head_container_tls(ct));
}

/* !params.requireTLS || head containers.exists(...) */
static void x_require_tls(ctx *c, outcome *o)
{
    const json_t *rt = sel(c->params, "requireTLS");
    tri a = json_is_boolean(rt) ? (json_is_true(rt) ? F : T) : E;
    if (a == T) {
        set_tri(o, T);
        return;
    }
    set_tri(o, or2(a, containers_tls(pod_containers(head_group(c)))));
}

/* The securityContext conjunction of container-hardening. */
static tri container_hardened(const json_t *ct)
{
    tri a = has(ct, "securityContext");
    if (a == F)
        return F;
    const json_t *sc = sel(ct, "securityContext");
    tri b = has(sc, "allowPrivilegeEscalation");
    if (b == F)
        return F;
    tri d = bool_eq(sel(sc, "allowPrivilegeEscalation"), false);
    if (d == F)
        return F;
    tri e = not(has(sc, "privileged"));
    if (e != T)
        e = or2(e, bool_eq(sel(sc, "privileged"), false));
    if (e == F)
        return F;
    tri f = has(sc, "capabilities");
    if (f == F)
        return F;
    const json_t *caps = sel(sc, "capabilities");
    tri g = has(caps, "drop");
    if (g == F)
        return F;
    tri h = STR_IN("ALL", sel(caps, "drop"));
    return and2(and2(and2(a, b), and2(d, e)), and2(and2(f, g), h));
}

static tri spec_hardened(ctx *c, const json_t *spec)
{
    (void)c;
    ALL_OVER(sel(spec, "containers"), ct, container_hardened(ct));
}

static void x_container_hardening(ctx *c, outcome *o)
{
    set_tri(o, all_pod_specs(c, spec_hardened));
}

/* params.allowedRegistries.exists(r, c.image.startsWith(r)) */
static tri image_allowed(const json_t *image, const json_t *registries)
{
    EXISTS_OVER(registries, r, starts_with(image, r));
}

static tri spec_registries(ctx *c, const json_t *spec)
{
    const json_t *registries = sel(c->params, "allowedRegistries");
    ALL_OVER(sel(spec, "containers"), ct, image_allowed(sel(ct, "image"), registries));
}

static void x_allowed_registries(ctx *c, outcome *o)
{
    set_tri(o, all_pod_specs(c, spec_registries));
}

static tri path_allowed(const json_t *path, const json_t *prefixes)
{
    EXISTS_OVER(prefixes, p, starts_with(path, p));
}

/* !has(v.hostPath) || prefixes.exists(p, v.hostPath.path.startsWith(p)) */
static tri volume_ok(const json_t *v, const json_t *prefixes)
{
    tri a = not(has(v, "hostPath"));
    if (a == T)
        return T;
    return or2(a, path_allowed(sel(sel(v, "hostPath"), "path"), prefixes));
}

static tri volumes_ok(const json_t *volumes, const json_t *prefixes)
{
    ALL_OVER(volumes, v, volume_ok(v, prefixes));
}

/* !has(s.volumes) || s.volumes.all(v, ...) */
static tri spec_hostpaths(ctx *c, const json_t *spec)
{
    tri a = not(has(spec, "volumes"));
    if (a == T)
        return T;
    return or2(a, volumes_ok(sel(spec, "volumes"), sel(c->params, "allowedHostPathPrefixes")));
}

static void x_hostpath_prefixes(ctx *c, outcome *o)
{
    set_tri(o, all_pod_specs(c, spec_hostpaths));
}

/* !e.name.matches('PASSWORD|SECRET|TOKEN|API_?KEY|ACCESS_KEY') || !has(e.value) */
static tri env_no_literal(ctx *c, const json_t *e)
{
    tri a = not(matches(c, c->credential, sel(e, "name")));
    if (a == T)
        return T;
    return or2(a, not(has(e, "value")));
}

static tri env_list_ok(ctx *c, const json_t *env)
{
    ALL_OVER(env, e, env_no_literal(c, e));
}

/* !has(c.env) || c.env.all(e, ...) */
static tri container_no_literal(ctx *c, const json_t *ct)
{
    tri a = not(has(ct, "env"));
    if (a == T)
        return T;
    return or2(a, env_list_ok(c, sel(ct, "env")));
}

static tri spec_credentials(ctx *c, const json_t *spec)
{
    ALL_OVER(sel(spec, "containers"), ct, container_no_literal(c, ct));
}

static void x_no_literal_credentials(ctx *c, outcome *o)
{
    set_tri(o, all_pod_specs(c, spec_credentials));
}

/* workerGroupSpecs.map(g, g.replicas * g.template.spec.containers.map(c,
 *     has(c.resources.limits) && 'nvidia.com/gpu' in c.resources.limits
 *         ? int(c.resources.limits['nvidia.com/gpu']) : 0).sum()).sum(),
 * summed as it goes instead of building the two lists; false on an error. */
static bool gpu_total(const ctx *c, int64_t *out)
{
    const json_t *workers = sel(sel(c->object, "spec"), "workerGroupSpecs");
    if (!json_is_array(workers))
        return false;
    int64_t total = 0;
    size_t i;
    const json_t *g;
    json_array_foreach(workers, i, g) {
        const json_t *replicas = sel(g, "replicas");
        const json_t *containers = pod_containers(g);
        if (!json_is_integer(replicas) || !json_is_array(containers))
            return false;
        int64_t per_pod = 0;
        size_t j;
        const json_t *ct;
        json_array_foreach(containers, j, ct) {
            const json_t *res = sel(ct, "resources");
            tri a = has(res, "limits");
            const json_t *limits = sel(res, "limits");
            tri cond = a == F ? F : and2(a, STR_IN("nvidia.com/gpu", limits));
            int64_t n = 0;
            if (cond == E || (cond == T && !int_of(sel(limits, "nvidia.com/gpu"), &n)))
                return false;
            if (__builtin_add_overflow(per_pod, n, &per_pod))
                return false;
        }
        int64_t prod;
        if (__builtin_mul_overflow((int64_t)json_integer_value(replicas), per_pod, &prod) ||
            __builtin_add_overflow(total, prod, &total))
            return false;
    }
    *out = total;
    return true;
}

/* ... <= params.maxGPUsPerCluster */
static void x_gpu_quota(ctx *c, outcome *o)
{
    int64_t total;
    const json_t *max = sel(c->params, "maxGPUsPerCluster");
    if (!gpu_total(c, &total) || !max) {
        o->kind = R_ERROR;
        return;
    }
    if (json_is_integer(max))
        set_tri(o, total <= json_integer_value(max) ? T : F);
    else if (json_is_real(max))
        set_tri(o, (double)total <= json_real_value(max) ? T : F);
    else
        o->kind = R_ERROR;
}

static void x_gpu_total(ctx *c, outcome *o)
{
    int64_t total;
    if (!gpu_total(c, &total)) {
        o->kind = R_ERROR;
        return;
    }
    o->kind = R_INT;
    o->i = total;
}

static const struct {
    const char *id;
    expr_fn fn;
} exprs[] = {
    {"service-type-eq", x_service_type_eq},
    {"service-type-has", x_service_type_has},
    {"labels-namespace", x_labels_namespace},
    {"dashboard-host", x_dashboard_host},
    {"name-dns1123", x_name_dns1123},
    {"message", x_message},
    {"run-as-non-root", x_run_as_non_root},
    {"no-dashboard-port-on-workers", x_no_dashboard_port},
    {"require-tls", x_require_tls},
    {"container-hardening", x_container_hardening},
    {"allowed-registries", x_allowed_registries},
    {"hostpath-prefixes", x_hostpath_prefixes},
    {"no-literal-credentials", x_no_literal_credentials},
    {"gpu-quota", x_gpu_quota},
    {"gpu-total", x_gpu_total},
};

static expr_fn find_fn(const char *id)
{
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++)
        if (strcmp(exprs[i].id, id) == 0)
            return exprs[i].fn;
    return NULL;
}

/* ---- Set-up, result check, timing ------------------------------------------------- */

static pcre2_code *compile_re(const char *pattern)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &ec, &eo, NULL);
    if (!re)
        return NULL;
    if (pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) != 0) {
        /* pcre2_jit_match() needs the JIT code: no JIT, no baseline */
        pcre2_code_free(re);
        return NULL;
    }
    return re;
}

/* Whether O is the cel.expr.Value EXPECTED; DETAIL says what it was. */
static bool outcome_is(const outcome *o, const json_t *expected, char *detail, size_t dn)
{
    const json_t *b = json_object_get(expected, "boolValue");
    const json_t *i = json_object_get(expected, "int64Value");
    const json_t *s = json_object_get(expected, "stringValue");
    switch (o->kind) {
    case R_BOOL:
        snprintf(detail, dn, "{\"boolValue\": %s}", o->b ? "true" : "false");
        return json_is_boolean(b) && json_is_true(b) == o->b;
    case R_INT:
        snprintf(detail, dn, "{\"int64Value\": \"%lld\"}", (long long)o->i);
        return json_is_string(i) && strtoll(json_string_value(i), NULL, 10) == o->i;
    case R_STRING:
        snprintf(detail, dn, "{\"stringValue\": \"%.*s\"}", (int)(o->len > 200 ? 200 : o->len),
                 o->s);
        return json_is_string(s) && json_string_length(s) == o->len &&
               memcmp(json_string_value(s), o->s, o->len) == 0;
    case R_ERROR:
    default:
        snprintf(detail, dn, "an error");
        return false;
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* N evaluations, and nothing else: the function callgrind's
 * --toggle-collect=bench_loop counts.  The results go to a volatile sink so
 * that no evaluation can be optimised away. */
static volatile unsigned sink;

__attribute__((noinline, noclone)) static void bench_loop(expr_fn fn, ctx *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        outcome o = {0};
        fn(c, &o);
        sink += (unsigned)o.b + (unsigned)o.kind;
    }
}

typedef struct result {
    const char *id;
    bool ok;
    char detail[400];
    double eval_ns, eval_min, eval_max;
} result;

/* rpeval bench's method: a batch calibrated to last budget/2, then REPEATS. */
static void time_one(expr_fn fn, ctx *c, double min_time_ms, result *r)
{
    uint64_t budget = (uint64_t)(min_time_ms * 1e6 / 10);
    size_t batch = 1;
    for (;;) {
        uint64_t s = now_ns();
        bench_loop(fn, c, batch);
        if (now_ns() - s >= budget / 2 || batch >= (1u << 24))
            break;
        batch *= 2;
    }
    double per[REPEATS];
    for (int k = 0; k < REPEATS; k++) {
        uint64_t s = now_ns();
        bench_loop(fn, c, batch);
        per[k] = (double)(now_ns() - s) / (double)batch;
    }
    qsort(per, REPEATS, sizeof per[0], cmp_double);
    r->eval_ns = per[REPEATS / 2];
    r->eval_min = per[0];
    r->eval_max = per[REPEATS - 1];
}

static void print_results(const result *rs, size_t n, bool json, bool timed)
{
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            const result *r = &rs[i];
            json_t *o = json_pack("{sssb}", "id", r->id, "ok", r->ok);
            if (o && timed && r->ok) {
                json_object_set_new(o, "eval_ns", json_real(r->eval_ns));
                json_object_set_new(o, "eval_ns_min", json_real(r->eval_min));
                json_object_set_new(o, "eval_ns_max", json_real(r->eval_max));
            }
            if (o && !r->ok)
                json_object_set_new(o, "detail", json_string(r->detail));
            json_array_append_new(arr, o);
        }
        json_t *root = json_pack("{ssso}", "engine", "hand-written C (jansson, PCRE2 JIT)",
                                 "results", arr);
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            puts(s);
        free(s);
        json_decref(root);
        return;
    }
    printf("%-30s %4s %11s %11s %11s\n", "expression", "ok", "eval ns", "min", "max");
    for (size_t i = 0; i < n; i++) {
        const result *r = &rs[i];
        if (timed && r->ok)
            printf("%-30s %4s %11.1f %11.1f %11.1f\n", r->id, "yes", r->eval_ns, r->eval_min,
                   r->eval_max);
        else
            printf("%-30s %4s %11s %11s %11s\n", r->id, r->ok ? "yes" : "NO", "-", "-", "-");
        if (!r->ok)
            printf("    %s\n", r->detail);
    }
}

/* PATH relative to the directory of BASE (unless absolute). */
static json_t *load_relative(const char *base, const char *path)
{
    const char *slash = strrchr(base, '/');
    size_t dl = path[0] == '/' || !slash ? 0 : (size_t)(slash - base) + 1;
    char *full = malloc(dl + strlen(path) + 1);
    if (!full)
        return NULL;
    memcpy(full, base, dl);
    strcpy(full + dl, path);
    json_error_t je;
    json_t *j = json_load_file(full, 0, &je);
    if (!j)
        fprintf(stderr, "baseline: %s:%d: %s\n", full, je.line, je.text);
    free(full);
    return j;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: baseline --expressions FILE.json [--format text|json] [--min-time MS]\n"
            "                [--only ID] [--check] [--callgrind-iterations K]\n"
            "\n"
            "The benchmark expressions written by hand in C: results checked against\n"
            "`expected`, then timed (--check: only checked).  --callgrind-iterations K\n"
            "runs K evaluations of the --only expression inside bench_loop().\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"expressions", required_argument, NULL, 'x'},
        {"format", required_argument, NULL, 'f'},
        {"min-time", required_argument, NULL, 't'},
        {"only", required_argument, NULL, 'n'},
        {"check", no_argument, NULL, 'c'},
        {"callgrind-iterations", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *file = NULL, *only = NULL;
    bool json = false, check_only = false;
    double min_time_ms = 200;
    long iterations = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'x': file = optarg; break;
        case 'n': only = optarg; break;
        case 'c': check_only = true; break;
        case 'f':
            if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
                fprintf(stderr, "baseline: --format wants text or json\n");
                return 2;
            }
            json = strcmp(optarg, "json") == 0;
            break;
        case 't':
            min_time_ms = atof(optarg);
            if (min_time_ms <= 0 || min_time_ms > 600000) {
                fprintf(stderr, "baseline: --min-time wants milliseconds (1 to 600000)\n");
                return 2;
            }
            break;
        case 'k':
            iterations = atol(optarg);
            if (iterations <= 0) {
                fprintf(stderr, "baseline: --callgrind-iterations wants a positive count\n");
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!file || optind < argc || (iterations && !only)) {
        usage(stderr);
        return 2;
    }
    json_error_t je;
    json_t *spec = json_load_file(file, 0, &je);
    const json_t *list = json_object_get(spec, "expressions");
    if (!json_is_array(list)) {
        fprintf(stderr, "baseline: %s:%d: %s\n", file, je.line,
                spec ? "no \"expressions\" list" : je.text);
        json_decref(spec);
        return 2;
    }
    const char *of = json_string_value(json_object_get(spec, "object"));
    const char *pf = json_string_value(json_object_get(spec, "params"));
    json_t *object = of ? load_relative(file, of) : NULL;
    json_t *params = pf ? load_relative(file, pf) : NULL;
    ctx c = {
        .object = object,
        .params = params,
        .dns1123 = compile_re("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"),
        .credential = compile_re("PASSWORD|SECRET|TOKEN|API_?KEY|ACCESS_KEY"),
        .md = pcre2_match_data_create(1, NULL),
        .cap = 256,
    };
    c.buf = malloc(c.cap);
    size_t n = json_array_size(list);
    result *rs = calloc(n ? n : 1, sizeof *rs);
    int status = 0;
    if (!object || !params || !c.dns1123 || !c.credential || !c.md || !c.buf || !rs) {
        fprintf(stderr, "baseline: cannot set up (data, PCRE2 with JIT, memory)\n");
        status = 2;
        goto out;
    }
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(list, i);
        result *r = &rs[done];
        r->id = json_string_value(json_object_get(e, "id"));
        if (!r->id || (only && strcmp(only, r->id) != 0))
            continue;
        done++;
        expr_fn fn = find_fn(r->id);
        if (!fn) {
            snprintf(r->detail, sizeof r->detail, "no hand-written function for this expression");
            status = 1;
            continue;
        }
        outcome o = {0};
        fn(&c, &o);
        char got[300];
        r->ok = outcome_is(&o, json_object_get(e, "expected"), got, sizeof got);
        if (!r->ok) {
            snprintf(r->detail, sizeof r->detail, "result %s is not the expected one", got);
            status = 1;
            continue;
        }
        if (iterations) {
            for (int w = 0; w < 16; w++) /* warm, outside bench_loop() */
                fn(&c, &o);
            bench_loop(fn, &c, (size_t)iterations);
        } else if (!check_only) {
            time_one(fn, &c, min_time_ms, r);
        }
    }
    if (only && done == 0) {
        fprintf(stderr, "baseline: no expression with id %s\n", only);
        status = 2;
        goto out;
    }
    if (iterations)
        printf("{\"id\": \"%s\", \"ok\": %s, \"iterations\": %ld}\n", only,
               rs[0].ok ? "true" : "false", iterations);
    else
        print_results(rs, done, json, !check_only);
out:
    free(rs);
    free(c.buf);
    pcre2_match_data_free(c.md);
    pcre2_code_free(c.dns1123);
    pcre2_code_free(c.credential);
    json_decref(object);
    json_decref(params);
    json_decref(spec);
    return status;
}
