/* test_threads.c -- many threads share one environment, its programs and
 * one loaded pack, and evaluate and check at once.
 *
 * raypolicy.h promises that rp_env, rp_program and rp_pack are immutable
 * once built and may be used by any number of threads, while activations
 * and checkers belong to one thread at a time.  Here THREADS threads each
 * take their own activation and checkers, start together (a barrier), and
 * for ITERATIONS rounds bind objects, evaluate every shared program
 * (constant and run-time regular expressions, time zones, Kubernetes
 * quantities and URLs, comprehensions, an evaluation error), compile a
 * program of their own in the shared environment, and check manifests with
 * the shared built-in pack.  Every result must equal the one computed on
 * one thread beforehand.
 *
 * It is a correctness test in every build; configure --enable-tsan builds
 * the library and this test with ThreadSanitizer, which then reports any
 * data race the library has (tests/sanitizer-run.sh fails the test on a
 * report).  RP_THREADS and RP_ITERATIONS override the sizes.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <raypolicy.h>

#ifndef RP_SRCDIR
#define RP_SRCDIR "."
#endif

#define THREADS 8
#define ITERATIONS 40
#define NOBJECTS 4

/* ---- What is shared ---------------------------------------------------------------- */

static const char *const exprs[] = {
    "object.spec.containers.map(c, c.image).filter(i, i.matches('^registry\\\\.example\\\\.com/'))",
    "object.metadata.name.matches(params.pattern)",
    "timestamp(object.metadata.creationTimestamp).getHours('America/New_York')",
    "timestamp(object.metadata.creationTimestamp).getDayOfWeek('+05:30')",
    "quantity(object.spec.containers[0].resources.limits.memory).isGreaterThan(quantity('1Gi'))",
    "object.spec.containers.exists(c, has(c.securityContext) && c.securityContext.runAsNonRoot)",
    "size(object.metadata.labels) + size(object.spec.containers)",
    "object.metadata.namespace + '/' + object.metadata.name + ':' + "
    "object.spec.containers.map(c, c.name).join(',')",
    "object.spec.containers.all(c, url('https://' + c.image).getHostname().endsWith('.com') || "
    "url('https://' + c.image).getHostname().endsWith('.io'))",
    "cidr('10.0.0.0/8').containsIP(ip('10.0.0.' + string(size(object.spec.containers))))",
    "object.metadata.labels.filter(k, k.startsWith('app')).map(k, object.metadata.labels[k])",
    "object.metadata.missing",
    "object.spec.containers.map(c, c.image.find('[a-z]+:[0-9.]+'))",
};
#define NEXPRS (sizeof exprs / sizeof exprs[0])

static char objects[NOBJECTS][1024];
static const char params_json[] = "{\"pattern\": \"^web-[0-9]+$\"}";

static rp_env *env;
static rp_program *progs[NEXPRS];
static rp_pack *pack;
static char *manifests[2];
static size_t manifest_len[2];

/* What one thread computed alone: per object, per expression. */
static char *want_eval[NOBJECTS][NEXPRS];
static char *want_check[2];

static atomic_int mismatches;
static pthread_barrier_t start;

static void make_objects(void)
{
    static const char *const names[NOBJECTS] = {"web-1", "web-22", "db-0", "web-x"};
    static const char *const images[NOBJECTS][2] = {
        {"registry.example.com/web:1.2", "docker.io/sidecar:3"},
        {"registry.example.com/web:2.0", "registry.example.com/log:1"},
        {"docker.io/postgres:16.1", "quay.io/exporter:0.9"},
        {"registry.example.com/web:3", "ghcr.io/tool:1"},
    };
    static const char *const memory[NOBJECTS] = {"512Mi", "2Gi", "8Gi", "1Gi"};
    for (int i = 0; i < NOBJECTS; i++)
        snprintf(objects[i], sizeof objects[i],
                 "{\"apiVersion\": \"v1\", \"kind\": \"Pod\","
                 " \"metadata\": {\"name\": \"%s\", \"namespace\": \"team-%d\","
                 "   \"creationTimestamp\": \"2024-0%d-1%dT0%d:30:00Z\","
                 "   \"labels\": {\"app\": \"%s\", \"app.kubernetes.io/part-of\": \"shop\"%s}},"
                 " \"spec\": {\"containers\": ["
                 "   {\"name\": \"main\", \"image\": \"%s\", \"resources\": {\"limits\": {\"memory\": \"%s\"}}%s},"
                 "   {\"name\": \"side\", \"image\": \"%s\"}]}}",
                 names[i], i, i + 1, i, i * 2, names[i], i % 2 ? ", \"tier\": \"x\"" : "",
                 images[i][0], memory[i],
                 i % 2 ? ", \"securityContext\": {\"runAsNonRoot\": true}" : "", images[i][1]);
}

static char *slurp(const char *rel, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", RP_SRCDIR, rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "test_threads: cannot read %s\n", path);
        exit(99);
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (!buf)
        exit(99);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ---- One unit of work, on any thread --------------------------------------------- */

/* PROG evaluated in ACT, as text: the value's JSON, or "error: <message>". */
static char *eval_text(const rp_program *prog, rp_activation *act)
{
    rp_value *v = NULL;
    rp_error err = {0};
    int rc = rp_eval(prog, act, &v, &err);
    char *out;
    if (rc != RP_OK) {
        out = malloc(strlen(err.message) + 32);
        if (out)
            sprintf(out, "error %d: %s", rc, err.message);
    } else {
        char *json = rp_value_to_json(v, RP_JSON_TYPED);
        out = json ? strdup(json) : NULL;
        rp_free(json);
    }
    rp_value_free(v);
    if (!out) {
        fprintf(stderr, "test_threads: out of memory\n");
        exit(99);
    }
    return out;
}

static bool bind(rp_activation *act, int obj)
{
    rp_error err = {0};
    if (rp_activation_bind_json(act, "object", objects[obj], strlen(objects[obj]), &err) != RP_OK ||
        rp_activation_bind_json(act, "params", params_json, strlen(params_json), &err) != RP_OK) {
        fprintf(stderr, "test_threads: binding object %d: %s\n", obj, err.message);
        return false;
    }
    return true;
}

/* The check of manifest file M with the shared pack, as JSON. */
static char *check_text(int m)
{
    rp_error err = {0};
    rp_checker *c = rp_checker_new(&err);
    rp_report *r = NULL;
    char *out = NULL;
    if (c && rp_checker_add_pack(c, pack, &err) == RP_OK &&
        rp_checker_add_input(c, m ? "raycluster.json" : "hardened.yaml", manifests[m],
                             manifest_len[m], &err) == RP_OK)
        r = rp_checker_run(c, &err);
    if (r) {
        char *json = rp_report_to_json(r);
        out = json ? strdup(json) : NULL;
        rp_free(json);
    }
    if (!out)
        fprintf(stderr, "test_threads: the check of manifest %d failed: %s\n", m, err.message);
    rp_report_free(r);
    rp_checker_free(c);
    return out;
}

static void compare(const char *what, int t, const char *want, const char *got)
{
    if (want && got && strcmp(want, got) == 0)
        return;
    if (atomic_fetch_add(&mismatches, 1) < 10)
        fprintf(stderr, "test_threads: thread %d: %s differs:\n  alone:  %.300s\n  shared: %.300s\n",
                t, what, want ? want : "(null)", got ? got : "(null)");
}

/* ---- The threads ------------------------------------------------------------------- */

typedef struct worker {
    int id;
    int iterations;
} worker;

static void *work(void *arg)
{
    const worker *w = arg;
    rp_error err = {0};
    rp_activation *act = rp_activation_new(env, &err);
    if (!act) {
        fprintf(stderr, "test_threads: rp_activation_new: %s\n", err.message);
        atomic_fetch_add(&mismatches, 1);
        return NULL;
    }
    pthread_barrier_wait(&start);
    for (int it = 0; it < w->iterations; it++) {
        int obj = (w->id + it) % NOBJECTS;
        if (!bind(act, obj)) {
            atomic_fetch_add(&mismatches, 1);
            break;
        }
        for (size_t e = 0; e < NEXPRS; e++) {
            size_t k = (e + (size_t)w->id) % NEXPRS; /* threads differ in their order */
            char *got = eval_text(progs[k], act);
            char what[64];
            snprintf(what, sizeof what, "expression %zu on object %d", k, obj);
            compare(what, w->id, want_eval[obj][k], got);
            free(got);
        }
        /* a program of its own, compiled in the shared environment */
        rp_program *mine = NULL;
        const char *src = exprs[(size_t)(w->id + it) % NEXPRS];
        memset(&err, 0, sizeof err);
        if (rp_compile(env, src, strlen(src), &mine, &err) != RP_OK) {
            compare("a compile", w->id, "ok", err.message);
        } else {
            char *got = eval_text(mine, act);
            compare("a program compiled in the thread", w->id,
                    want_eval[obj][(size_t)(w->id + it) % NEXPRS], got);
            free(got);
        }
        rp_program_free(mine);
        if (it % 8 == 0) {
            int m = (w->id + it / 8) % 2;
            char *got = check_text(m);
            compare(m ? "the check of raycluster.json" : "the check of hardened.yaml", w->id,
                    want_check[m], got);
            free(got);
        }
        rp_activation_clear(act);
    }
    rp_activation_free(act);
    return NULL;
}

static int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    return v && atoi(v) > 0 ? atoi(v) : dflt;
}

int main(void)
{
    int nthreads = env_int("RP_THREADS", THREADS);
    int iterations = env_int("RP_ITERATIONS", ITERATIONS);
    make_objects();
    manifests[0] = slurp("examples/ray-team-a-hardened.yaml", &manifest_len[0]);
    manifests[1] = slurp("examples/raycluster.json", &manifest_len[1]);

    /* The shared handles, and what one thread computes with them. */
    rp_error err = {0};
    env = rp_env_new(NULL, &err);
    pack = env ? rp_pack_load_builtin(env, "ray-hardening", &err) : NULL;
    if (!pack) {
        fprintf(stderr, "test_threads: setting up: %s\n", err.message);
        return 1;
    }
    for (size_t e = 0; e < NEXPRS; e++)
        if (rp_compile(env, exprs[e], strlen(exprs[e]), &progs[e], &err) != RP_OK) {
            fprintf(stderr, "test_threads: expression %zu: %s\n", e, err.message);
            return 1;
        }
    rp_activation *act = rp_activation_new(env, &err);
    for (int o = 0; o < NOBJECTS; o++) {
        if (!act || !bind(act, o))
            return 1;
        for (size_t e = 0; e < NEXPRS; e++)
            want_eval[o][e] = eval_text(progs[e], act);
    }
    rp_activation_free(act);
    for (int m = 0; m < 2; m++)
        if (!(want_check[m] = check_text(m)))
            return 1;
    /* The results themselves, from the definitions, for a few of them. */
    static const struct {
        int obj;
        size_t expr;
        const char *want;
    } spot[] = {
        {0, 1, "{\"boolValue\":true}"},
        {3, 1, "{\"boolValue\":false}"},
        {0, 2, "{\"int64Value\":\"19\"}"}, /* 00:30Z on 2024-01-10 is 19:30 the day before in New York */
        {1, 4, "{\"boolValue\":true}"},
        {0, 4, "{\"boolValue\":false}"},
        {1, 5, "{\"boolValue\":true}"},
        {2, 9, "{\"boolValue\":true}"},
    };
    for (size_t i = 0; i < sizeof spot / sizeof spot[0]; i++)
        if (strcmp(want_eval[spot[i].obj][spot[i].expr], spot[i].want) != 0) {
            fprintf(stderr, "test_threads: expression %zu on object %d is %s, want %s\n",
                    spot[i].expr, spot[i].obj, want_eval[spot[i].obj][spot[i].expr], spot[i].want);
            return 1;
        }

    pthread_t tids[64];
    worker ws[64];
    if (nthreads > 64)
        nthreads = 64;
    pthread_barrier_init(&start, NULL, (unsigned)nthreads);
    for (int t = 0; t < nthreads; t++) {
        ws[t] = (worker){t, iterations};
        if (pthread_create(&tids[t], NULL, work, &ws[t]) != 0) {
            fprintf(stderr, "test_threads: cannot start thread %d\n", t);
            return 99;
        }
    }
    for (int t = 0; t < nthreads; t++)
        pthread_join(tids[t], NULL);
    pthread_barrier_destroy(&start);

    int bad = atomic_load(&mismatches);
    printf("test_threads: %d threads x %d rounds of %zu evaluations, a compile and a check "
           "every 8th round: %d differences\n",
           nthreads, iterations, NEXPRS, bad);

    for (size_t e = 0; e < NEXPRS; e++)
        rp_program_free(progs[e]);
    for (int o = 0; o < NOBJECTS; o++)
        for (size_t e = 0; e < NEXPRS; e++)
            free(want_eval[o][e]);
    free(want_check[0]);
    free(want_check[1]);
    free(manifests[0]);
    free(manifests[1]);
    rp_pack_free(pack);
    rp_env_free(env);
    return bad ? 1 : 0;
}
