/* cmd_bench.c -- `rpeval bench`: how fast compile and evaluation are, and
 * how many objects a whole check gets through per second.
 *
 *   rpeval bench --expressions FILE.json [--object FILE] [--params FILE]
 *                [--format text|json] [--min-time MS]
 *   rpeval bench -e EXPR [--object FILE] [--params FILE] [--profile P] ...
 *   rpeval bench --pack NAME|FILE [--params FILE] [--format text|json] PATH...
 *
 * Expressions: FILE.json has the shape of the benchmark workload
 * ({"object": "raycluster.json", "params": "params.json", "expressions":
 * [{"id", "expr", "expected": <cel.expr.Value JSON>}]}; object and params
 * are file names relative to FILE unless --object/--params are given).
 * Each expression is compiled and evaluated once and its result compared
 * with `expected` before anything is timed.  Evaluation is timed in
 * batches calibrated to last at least --min-time / 10 (default 20 ms),
 * repeated 11 times with one activation bound once (as an embedder does):
 * the figures are the median, minimum and maximum ns per evaluation.
 * Boolean expressions are evaluated with rp_eval_bool(), others with
 * rp_eval() (which allocates the returned value).  allocs_per_eval counts
 * the heap allocations of the evaluation: the activation's arena growth
 * plus the returned value.
 *
 * Pack: the files are read once; rp_checker_run() is repeated and timed.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "raypolicy.h"
#include "cmd.h"

#define REPEATS 11

void cmd_bench_usage(FILE *out)
{
    fprintf(out,
            "usage: rpeval bench --expressions FILE.json [--object FILE] [--params FILE]\n"
            "                    [--format text|json] [--min-time MS]\n"
            "       rpeval bench -e EXPR [--object FILE] [--params FILE] [--profile P]\n"
            "       rpeval bench --pack NAME|FILE [--params FILE] [--format text|json] PATH...\n"
            "\n"
            "Time compile and evaluation of expressions (each result checked first), or\n"
            "a whole check of manifests with a pack (objects per second).\n");
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

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(fp);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0)
            break;
    }
    fclose(fp);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* PATH relative to the directory of BASE (unless absolute). */
static char *relative_to(const char *base, const char *path)
{
    const char *slash = strrchr(base, '/');
    if (path[0] == '/' || !slash)
        return strdup(path);
    size_t dl = (size_t)(slash - base) + 1;
    char *out = malloc(dl + strlen(path) + 1);
    if (out) {
        memcpy(out, base, dl);
        strcpy(out + dl, path);
    }
    return out;
}

typedef struct bench_args {
    const char *expressions, *expr, *object, *params, *pack, *profile;
    bool json;
    double min_time_ms;
} bench_args;

typedef struct result {
    const char *id;
    bool ok;
    char detail[640];
    double compile_ns, eval_ns, eval_min, eval_max, allocs;
} result;

static int bind_file(rp_activation *act, const char *name, const char *path)
{
    size_t len;
    char *text = slurp(path, &len);
    if (!text) {
        fprintf(stderr, "rpeval bench: cannot read %s\n", path);
        return -1;
    }
    rp_error err = {0};
    int rc = rp_activation_bind_json(act, name, text, len, &err);
    free(text);
    if (rc)
        fprintf(stderr, "rpeval bench: %s: %s\n", path, err.message);
    return rc ? -1 : 0;
}

/* N evaluations of PROG: rp_eval_bool() for a boolean expression (what a
 * policy check does), rp_eval() otherwise. */
static void eval_batch(const rp_program *prog, rp_activation *act, bool is_bool, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int b;
        if (is_bool) {
            rp_eval_bool(prog, act, &b, NULL);
        } else {
            rp_value *x = NULL;
            rp_eval(prog, act, &x, NULL);
            rp_value_free(x);
        }
    }
}

/* One expression: check, then time compile and evaluation. */
static void bench_one(const rp_env *env, rp_activation *act, const char *expr,
                      const json_t *expected, double min_time_ms, result *r)
{
    rp_error err = {0};
    rp_program *prog = NULL;
    if (rp_compile(env, expr, strlen(expr), &prog, &err) != RP_OK) {
        snprintf(r->detail, sizeof r->detail, "does not compile: %s", err.message);
        return;
    }
    /* the check, and whether the result is a bool */
    rp_value *v = NULL;
    memset(&err, 0, sizeof err);
    if (rp_eval(prog, act, &v, &err) != RP_OK) {
        snprintf(r->detail, sizeof r->detail, "evaluation error: %s", err.message);
        rp_program_free(prog);
        return;
    }
    bool is_bool = rp_value_kind(v) == RP_KIND_BOOL;
    r->ok = true;
    if (expected) {
        char *got = rp_value_to_json(v, RP_JSON_TYPED);
        json_t *gj = got ? json_loads(got, 0, NULL) : NULL;
        r->ok = gj && json_equal(gj, expected);
        if (!r->ok)
            snprintf(r->detail, sizeof r->detail, "result %s is not the expected one",
                     got ? got : "?");
        json_decref(gj);
        rp_free(got);
    }
    rp_value_free(v);

    /* compile: repeated for about a tenth of the time budget */
    uint64_t budget = (uint64_t)(min_time_ms * 1e6 / 10);
    uint64_t t0 = now_ns();
    size_t n = 0;
    do {
        rp_program *p2 = NULL;
        rp_compile(env, expr, strlen(expr), &p2, NULL);
        rp_program_free(p2);
        n++;
    } while (now_ns() - t0 < budget && n < 100000);
    r->compile_ns = (double)(now_ns() - t0) / (double)n;

    /* calibrate a batch to budget/REPEATS-ish, then REPEATS batches */
    size_t batch = 1;
    for (;;) {
        uint64_t s = now_ns();
        eval_batch(prog, act, is_bool, batch);
        if (now_ns() - s >= budget / 2 || batch >= (1u << 24))
            break;
        batch *= 2;
    }
    double per[REPEATS];
    uint64_t allocs0 = rp_activation_allocations(act);
    for (int k = 0; k < REPEATS; k++) {
        uint64_t s = now_ns();
        eval_batch(prog, act, is_bool, batch);
        per[k] = (double)(now_ns() - s) / (double)batch;
    }
    uint64_t allocs = rp_activation_allocations(act) - allocs0;
    qsort(per, REPEATS, sizeof per[0], cmp_double);
    r->eval_ns = per[REPEATS / 2];
    r->eval_min = per[0];
    r->eval_max = per[REPEATS - 1];
    r->allocs = (double)allocs / (double)(batch * REPEATS) + (is_bool ? 0 : 1);
    rp_program_free(prog);
}

static void print_results(const result *rs, size_t n, bool json)
{
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            const result *r = &rs[i];
            json_array_append_new(
                arr, json_pack("{sssbsisisisisf}", "id", r->id, "ok", r->ok, "compile_ns",
                               (json_int_t)r->compile_ns, "eval_ns", (json_int_t)r->eval_ns,
                               "eval_ns_min", (json_int_t)r->eval_min, "eval_ns_max",
                               (json_int_t)r->eval_max, "allocs_per_eval", r->allocs));
        }
        json_t *root = json_pack("{so}", "results", arr);
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            puts(s);
        free(s);
        json_decref(root);
        return;
    }
    printf("%-30s %4s %11s %11s %11s %11s %7s\n", "expression", "ok", "compile ns", "eval ns",
           "min", "max", "allocs");
    for (size_t i = 0; i < n; i++) {
        const result *r = &rs[i];
        printf("%-30s %4s %11.0f %11.0f %11.0f %11.0f %7.2f\n", r->id, r->ok ? "yes" : "NO",
               r->compile_ns, r->eval_ns, r->eval_min, r->eval_max, r->allocs);
        if (!r->ok)
            printf("    %s\n", r->detail);
    }
}

static int bench_expressions(const bench_args *a)
{
    json_t *file = NULL;
    if (a->expressions) {
        json_error_t je;
        file = json_load_file(a->expressions, 0, &je);
        if (!file || !json_is_array(json_object_get(file, "expressions"))) {
            fprintf(stderr, "rpeval bench: %s:%d: %s\n", a->expressions, je.line,
                    file ? "no \"expressions\" list" : je.text);
            json_decref(file);
            return RPEVAL_EXIT_USAGE;
        }
    }
    rp_env_options o;
    rp_env_options_init(&o);
    if (a->profile && strcmp(a->profile, "extended") == 0)
        o.profile = RP_PROFILE_EXTENDED;
    else if (a->profile && strcmp(a->profile, "cel") == 0)
        o.profile = RP_PROFILE_CEL;
    rp_error err = {0};
    rp_env *env = rp_env_new(&o, &err);
    rp_activation *act = env ? rp_activation_new(env, &err) : NULL;
    int status = RPEVAL_EXIT_OK;
    if (!act) {
        fprintf(stderr, "rpeval bench: %s\n", err.message);
        status = RPEVAL_EXIT_USAGE;
        goto out;
    }
    const char *names[2] = {"object", "params"};
    const char *given[2] = {a->object, a->params};
    for (int k = 0; k < 2; k++) {
        char *path = given[k] ? strdup(given[k]) : NULL;
        const char *in_file = file ? json_string_value(json_object_get(file, names[k])) : NULL;
        if (!path && in_file)
            path = relative_to(a->expressions, in_file);
        if (path && bind_file(act, names[k], path) != 0)
            status = RPEVAL_EXIT_USAGE;
        free(path);
    }
    if (status != RPEVAL_EXIT_OK)
        goto out;
    const json_t *list = file ? json_object_get(file, "expressions") : NULL;
    size_t n = file ? json_array_size(list) : 1;
    result *rs = calloc(n ? n : 1, sizeof *rs);
    if (!rs) {
        status = RPEVAL_EXIT_USAGE;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *e = file ? json_array_get(list, i) : NULL;
        const char *expr = e ? json_string_value(json_object_get(e, "expr")) : a->expr;
        rs[i].id = e ? json_string_value(json_object_get(e, "id")) : "expression";
        if (!rs[i].id)
            rs[i].id = "?";
        if (!expr) {
            snprintf(rs[i].detail, sizeof rs[i].detail, "no \"expr\"");
            continue;
        }
        bench_one(env, act, expr, e ? json_object_get(e, "expected") : NULL, a->min_time_ms,
                  &rs[i]);
        if (!rs[i].ok)
            status = RPEVAL_EXIT_FAIL;
    }
    print_results(rs, n, a->json);
    free(rs);
out:
    rp_activation_free(act);
    rp_env_free(env);
    json_decref(file);
    return status;
}

static int bench_pack(const bench_args *a, int npaths, char **paths)
{
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = RP_PROFILE_EXTENDED;
    rp_error err = {0};
    rp_env *env = rp_env_new(&o, &err);
    uint64_t t0 = now_ns();
    size_t pl = strlen(a->pack);
    bool is_file = strchr(a->pack, '/') || (pl > 5 && strcmp(a->pack + pl - 5, ".yaml") == 0) ||
                   (pl > 5 && strcmp(a->pack + pl - 5, ".json") == 0);
    rp_pack *pack = !env ? NULL
                    : is_file ? rp_pack_load_file(env, a->pack, &err)
                              : rp_pack_load_builtin(env, a->pack, &err);
    double load_ms = (double)(now_ns() - t0) / 1e6;
    rp_checker *c = pack ? rp_checker_new(&err) : NULL;
    int status = RPEVAL_EXIT_OK;
    if (!c || rp_checker_add_pack(c, pack, &err) != RP_OK) {
        fprintf(stderr, "rpeval bench: %s\n", err.message);
        status = RPEVAL_EXIT_USAGE;
        goto out;
    }
    if (a->params) {
        size_t len;
        char *text = slurp(a->params, &len);
        if (!text || rp_checker_set_params(c, text, len, a->params, &err) != RP_OK) {
            fprintf(stderr, "rpeval bench: %s\n", text ? err.message : "cannot read params");
            free(text);
            status = RPEVAL_EXIT_USAGE;
            goto out;
        }
        free(text);
    }
    t0 = now_ns();
    for (int i = 0; i < npaths; i++)
        rp_checker_add_path(c, paths[i], NULL);
    double read_ms = (double)(now_ns() - t0) / 1e6;
    rp_report *first = rp_checker_run(c, &err);
    if (!first) {
        fprintf(stderr, "rpeval bench: %s\n", err.message);
        status = RPEVAL_EXIT_USAGE;
        goto out;
    }
    char *js = rp_report_to_json(first);
    json_t *rj = js ? json_loads(js, 0, NULL) : NULL;
    json_int_t objects = json_integer_value(json_object_get(json_object_get(rj, "summary"), "objects"));
    size_t findings = rp_report_finding_count(first);
    json_decref(rj);
    rp_free(js);
    rp_report_free(first);
    double per[REPEATS];
    for (int k = 0; k < REPEATS; k++) {
        uint64_t s = now_ns();
        rp_report_free(rp_checker_run(c, NULL));
        per[k] = (double)(now_ns() - s) / 1e6;
    }
    qsort(per, REPEATS, sizeof per[0], cmp_double);
    double med = per[REPEATS / 2];
    double ops = med > 0 ? (double)objects / (med / 1e3) : 0;
    if (a->json)
        printf("{\"pack\": \"%s\", \"rules\": %zu, \"objects\": %lld, \"findings\": %zu, "
               "\"pack_load_ms\": %.3f, \"read_ms\": %.3f, \"check_ms\": %.3f, "
               "\"check_ms_min\": %.3f, \"check_ms_max\": %.3f, \"objects_per_second\": %.0f}\n",
               rp_pack_name(pack), rp_pack_rule_count(pack), (long long)objects, findings, load_ms,
               read_ms, med, per[0], per[REPEATS - 1], ops);
    else
        printf("pack %s: %zu rules, loaded and compiled in %.2f ms\n"
               "inputs: %lld objects read in %.2f ms\n"
               "check: %.2f ms median (%.2f-%.2f), %.0f objects/s, %zu findings\n",
               rp_pack_name(pack), rp_pack_rule_count(pack), load_ms, (long long)objects, read_ms,
               med, per[0], per[REPEATS - 1], ops, findings);
out:
    rp_checker_free(c);
    rp_pack_free(pack);
    rp_env_free(env);
    return status;
}

int cmd_bench_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"expressions", required_argument, NULL, 'x'},
        {"expr", required_argument, NULL, 'e'},
        {"object", required_argument, NULL, 'o'},
        {"params", required_argument, NULL, 'p'},
        {"pack", required_argument, NULL, 'k'},
        {"profile", required_argument, NULL, 'P'},
        {"format", required_argument, NULL, 'f'},
        {"min-time", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bench_args a = {.min_time_ms = 200};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":e:h", opts, NULL)) != -1) {
        switch (c) {
        case 'x': a.expressions = optarg; break;
        case 'e': a.expr = optarg; break;
        case 'o': a.object = optarg; break;
        case 'p': a.params = optarg; break;
        case 'k': a.pack = optarg; break;
        case 'P': a.profile = optarg; break;
        case 'f':
            if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
                fprintf(stderr, "rpeval bench: --format wants text or json\n");
                return RPEVAL_EXIT_USAGE;
            }
            a.json = strcmp(optarg, "json") == 0;
            break;
        case 't':
            a.min_time_ms = atof(optarg);
            if (a.min_time_ms <= 0 || a.min_time_ms > 600000) {
                fprintf(stderr, "rpeval bench: --min-time wants milliseconds (1 to 600000)\n");
                return RPEVAL_EXIT_USAGE;
            }
            break;
        case 'h':
            cmd_bench_usage(stdout);
            return RPEVAL_EXIT_OK;
        default:
            fprintf(stderr, "rpeval bench: bad option '%s'\n", argv[optind - 1]);
            return RPEVAL_EXIT_USAGE;
        }
    }
    int modes = (a.expressions != NULL) + (a.expr != NULL) + (a.pack != NULL);
    if (modes != 1) {
        fprintf(stderr, "rpeval bench: give one of --expressions, -e or --pack\n");
        return RPEVAL_EXIT_USAGE;
    }
    if (a.pack) {
        if (optind >= argc) {
            fprintf(stderr, "rpeval bench: --pack needs manifests to check\n");
            return RPEVAL_EXIT_USAGE;
        }
        return bench_pack(&a, argc - optind, argv + optind);
    }
    if (optind < argc) {
        fprintf(stderr, "rpeval bench: unexpected argument '%s'\n", argv[optind]);
        return RPEVAL_EXIT_USAGE;
    }
    return bench_expressions(&a);
}
