/* cmd_bench.c -- `rpeval bench`: how fast compile and evaluation are, and
 * how many objects a whole check gets through per second.
 *
 *   rpeval bench --expressions FILE.json [--object FILE] [--params FILE]
 *                [--only ID] [--format text|json] [--min-time MS]
 *                [--callgrind-iterations K]
 *   rpeval bench -e EXPR [--object FILE] [--params FILE] [--profile P] ...
 *   rpeval bench --pack NAME|FILE [--params FILE] [--copies N]
 *                [--format text|json] PATH...
 *
 * Expressions: FILE.json has the shape of the benchmark workload
 * ({"object": "raycluster.json", "params": "params.json", "expressions":
 * [{"id", "expr", "expected": <cel.expr.Value JSON>}]}; object and params
 * are file names relative to FILE unless --object/--params are given;
 * --only ID keeps one).  Each expression is compiled and evaluated once and
 * its result compared with `expected` before anything is timed.  Compile
 * and evaluation are timed the same way: batches calibrated to last at
 * least --min-time / 20 (default 10 ms), then 11 batches, with one
 * activation bound once (as an embedder does): the figures are the median,
 * minimum and maximum ns per compile or evaluation.  Boolean expressions
 * are evaluated with rp_eval_bool(), others with rp_eval() (which returns
 * the value in one malloc'd block).  allocs_per_eval counts the heap
 * allocations of an evaluation: the activation's arena growth
 * (arena_allocs_per_eval) plus that block.
 *
 * --callgrind-iterations K replaces the timing: after the check, exactly K
 * evaluations run inside bench_loop() and nothing else is evaluated there,
 * so that
 *   valgrind --tool=callgrind --toggle-collect=bench_loop rpeval bench ...
 * counts the instructions of K evaluations (with --only, of one expression).
 *
 * Pack: the files are read once; rp_checker_run() runs once (the first
 * run, reported on its own: it also takes the heap's memory from the
 * system, which the runs after it reuse), then is repeated and timed: at
 * least 3 runs, up to 11 while the runs took less than 10 s in all; the
 * median of those.
 * --copies N adds every input N times, copy i with each object's
 * metadata.namespace rewritten to "<namespace>-copy<i>" ("copy<i>" when it
 * has none, cluster-scoped kinds included), so that the cost of a check can
 * be measured as the number of objects grows while each copy stays a
 * separate world for the cross-object rules: the findings of N copies are
 * N times those of one.  YAML is rewritten as text (the top-level,
 * block-style `metadata:` of each document), JSON through jansson.
 */
#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "raypolicy.h"
#include "cmd.h"

#define REPEATS 11
/* Timed pack runs stop repeating once they took this long in all (after
 * PACK_RUNS_MIN of them). */
#define PACK_RUNS_BUDGET_NS 10000000000u
#define PACK_RUNS_MIN 3
#define MAX_COPIES 100000

void cmd_bench_usage(FILE *out)
{
    fprintf(out,
            "usage: rpeval bench --expressions FILE.json [--object FILE] [--params FILE]\n"
            "                    [--only ID] [--format text|json] [--min-time MS]\n"
            "                    [--callgrind-iterations K]\n"
            "       rpeval bench -e EXPR [--object FILE] [--params FILE] [--profile P]\n"
            "       rpeval bench --pack NAME|FILE [--params FILE] [--copies N]\n"
            "                    [--format text|json] PATH...\n"
            "\n"
            "Time compile and evaluation of expressions (each result checked first), or\n"
            "a whole check of manifests with a pack (objects per second; --copies N\n"
            "checks N copies of the inputs, each in namespaces of its own).\n"
            "--callgrind-iterations K runs K evaluations inside bench_loop() instead of\n"
            "timing, for valgrind --tool=callgrind --toggle-collect=bench_loop.\n");
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
    const char *expressions, *expr, *object, *params, *pack, *profile, *only;
    bool json;
    double min_time_ms;
    unsigned long iterations; /* --callgrind-iterations, 0: time */
    unsigned long copies;     /* --copies, 0: the inputs as they are */
} bench_args;

typedef struct result {
    const char *id;
    bool ok, is_bool;
    char detail[640];
    double compile_ns, compile_min, compile_max;
    double eval_ns, eval_min, eval_max, arena_allocs;
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

/* ---- Timing ---------------------------------------------------------------------- */

/* N evaluations of PROG and nothing else: rp_eval_bool() for a boolean
 * expression (what a policy check does), rp_eval() otherwise.  Not inlined
 * and not cloned, so that callgrind's --toggle-collect=bench_loop finds it
 * under this name. */
__attribute__((noinline, noclone)) static void bench_loop(const rp_program *prog,
                                                          rp_activation *act, bool is_bool,
                                                          size_t n)
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

/* A few evaluations outside bench_loop(), so that the arena has grown to
 * what the expression needs before anything is counted. */
static void warm_up(const rp_program *prog, rp_activation *act, bool is_bool)
{
    for (int i = 0; i < 16; i++) {
        int b;
        rp_value *x = NULL;
        if (is_bool)
            rp_eval_bool(prog, act, &b, NULL);
        else if (rp_eval(prog, act, &x, NULL) == RP_OK)
            rp_value_free(x);
    }
}

/* What measure() repeats: N evaluations or N compiles. */
typedef struct work {
    const rp_env *env;
    const char *expr;
    const rp_program *prog;
    rp_activation *act;
    bool is_bool, compile;
} work;

static void run_work(const work *w, size_t n)
{
    if (!w->compile) {
        bench_loop(w->prog, w->act, w->is_bool, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        rp_program *p = NULL;
        rp_compile(w->env, w->expr, strlen(w->expr), &p, NULL);
        rp_program_free(p);
    }
}

/* Time W: a batch calibrated (by doubling) to last at least a twentieth
 * of MIN_TIME_MS, then REPEATS batches.  OUT: median, minimum, maximum ns
 * per unit of work.  Returns how many units ran in all. */
static uint64_t measure(const work *w, double min_time_ms, double out[3])
{
    uint64_t budget = (uint64_t)(min_time_ms * 1e6 / 10);
    uint64_t total = 0;
    size_t batch = 1;
    for (;;) {
        uint64_t s = now_ns();
        run_work(w, batch);
        total += batch;
        if (now_ns() - s >= budget / 2 || batch >= (1u << 24))
            break;
        batch *= 2;
    }
    double per[REPEATS];
    for (int k = 0; k < REPEATS; k++) {
        uint64_t s = now_ns();
        run_work(w, batch);
        per[k] = (double)(now_ns() - s) / (double)batch;
    }
    total += (uint64_t)batch * REPEATS;
    qsort(per, REPEATS, sizeof per[0], cmp_double);
    out[0] = per[REPEATS / 2];
    out[1] = per[0];
    out[2] = per[REPEATS - 1];
    return total;
}

/* One expression: check, then time compile and evaluation (or, with
 * ITERATIONS, run that many evaluations in bench_loop()). */
static void bench_one(const rp_env *env, rp_activation *act, const char *expr,
                      const json_t *expected, const bench_args *a, result *r)
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
    r->is_bool = rp_value_kind(v) == RP_KIND_BOOL;
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
    if (!r->ok) {
        rp_program_free(prog);
        return;
    }
    warm_up(prog, act, r->is_bool);
    if (a->iterations) {
        bench_loop(prog, act, r->is_bool, a->iterations);
        rp_program_free(prog);
        return;
    }
    double t[3];
    work cw = {.env = env, .expr = expr, .compile = true};
    measure(&cw, a->min_time_ms, t);
    r->compile_ns = t[0];
    r->compile_min = t[1];
    r->compile_max = t[2];

    work ew = {.prog = prog, .act = act, .is_bool = r->is_bool};
    uint64_t allocs0 = rp_activation_allocations(act);
    uint64_t evals = measure(&ew, a->min_time_ms, t);
    r->arena_allocs = (double)(rp_activation_allocations(act) - allocs0) / (double)evals;
    r->eval_ns = t[0];
    r->eval_min = t[1];
    r->eval_max = t[2];
    rp_program_free(prog);
}

static void print_results(const result *rs, size_t n, const bench_args *a)
{
    if (a->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            const result *r = &rs[i];
            const char *how = r->is_bool ? "rp_eval_bool" : "rp_eval";
            json_t *o;
            if (a->iterations || !r->ok)
                o = json_pack("{sssbsssI}", "id", r->id, "ok", r->ok, "evaluator", how,
                              "iterations", (json_int_t)a->iterations);
            else
                o = json_pack(
                    "{sssbsssIsIsIsIsIsIsfsf}", "id", r->id, "ok", r->ok, "evaluator", how,
                    "compile_ns", (json_int_t)r->compile_ns, "compile_ns_min",
                    (json_int_t)r->compile_min, "compile_ns_max", (json_int_t)r->compile_max,
                    "eval_ns", (json_int_t)r->eval_ns, "eval_ns_min", (json_int_t)r->eval_min,
                    "eval_ns_max", (json_int_t)r->eval_max, "allocs_per_eval",
                    r->arena_allocs + (r->is_bool ? 0 : 1), "arena_allocs_per_eval",
                    r->arena_allocs);
            if (o && !r->ok)
                json_object_set_new(o, "detail", json_string(r->detail));
            json_array_append_new(arr, o);
        }
        json_t *root = json_pack("{so}", "results", arr);
        char *s = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        if (s)
            puts(s);
        free(s);
        json_decref(root);
        return;
    }
    if (a->iterations) {
        for (size_t i = 0; i < n; i++)
            printf("%-30s %4s %lu evaluations in bench_loop\n", rs[i].id, rs[i].ok ? "yes" : "NO",
                   a->iterations);
        return;
    }
    printf("%-30s %4s %11s %11s %11s %11s %7s\n", "expression", "ok", "compile ns", "eval ns",
           "min", "max", "allocs");
    for (size_t i = 0; i < n; i++) {
        const result *r = &rs[i];
        printf("%-30s %4s %11.0f %11.0f %11.0f %11.0f %7.2f\n", r->id, r->ok ? "yes" : "NO",
               r->compile_ns, r->eval_ns, r->eval_min, r->eval_max,
               r->arena_allocs + (r->is_bool ? 0 : 1));
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
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = file ? json_array_get(list, i) : NULL;
        const char *expr = e ? json_string_value(json_object_get(e, "expr")) : a->expr;
        result *r = &rs[done];
        r->id = e ? json_string_value(json_object_get(e, "id")) : "expression";
        if (!r->id)
            r->id = "?";
        if (a->only && strcmp(a->only, r->id) != 0)
            continue;
        done++;
        if (!expr) {
            snprintf(r->detail, sizeof r->detail, "no \"expr\"");
            status = RPEVAL_EXIT_FAIL;
            continue;
        }
        bench_one(env, act, expr, e ? json_object_get(e, "expected") : NULL, a, r);
        if (!r->ok)
            status = RPEVAL_EXIT_FAIL;
    }
    if (a->only && done == 0) {
        fprintf(stderr, "rpeval bench: no expression with id %s\n", a->only);
        status = RPEVAL_EXIT_USAGE;
    } else {
        print_results(rs, done, a);
    }
    free(rs);
out:
    rp_activation_free(act);
    rp_env_free(env);
    json_decref(file);
    return status;
}

/* ---- Copies of the inputs, each in namespaces of its own ------------------------- */

/* A growing byte buffer; ok turns false once an allocation failed. */
typedef struct strbuf {
    char *p;
    size_t len, cap;
    bool ok;
} strbuf;

static void sb_add(strbuf *b, const char *s, size_t n)
{
    if (!b->ok)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->ok = false;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* The namespace copy I gets for OLD (LEN bytes, 0: none). */
static void sb_add_namespace(strbuf *b, const char *old, size_t len, unsigned long i)
{
    char tail[32];
    int tn = snprintf(tail, sizeof tail, "%scopy%lu", len ? "-" : "", i);
    sb_add(b, old, len);
    sb_add(b, tail, (size_t)tn);
}

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

static const char *next_line(const char *eol, const char *end)
{
    return eol < end ? eol + 1 : end;
}

/* LINE starts with WORD (a key, with its colon). */
static bool starts_key(const char *line, const char *eol, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(eol - line) >= n && memcmp(line, word, n) == 0;
}

/* After "key:" only blanks and maybe a comment. */
static bool rest_is_empty(const char *p, const char *eol)
{
    while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p == eol || *p == '#';
}

/* The scalar after "namespace:" (plain or quoted, comment and blanks
 * dropped) as [*S, *S + *N). */
static void yaml_scalar(const char *p, const char *eol, const char **s, size_t *n)
{
    while (p < eol && (*p == ' ' || *p == '\t'))
        p++;
    if (p < eol && (*p == '"' || *p == '\'')) {
        const char *q = memchr(p + 1, *p, (size_t)(eol - p - 1));
        *s = p + 1;
        *n = q ? (size_t)(q - p - 1) : 0;
        return;
    }
    const char *e = p;
    while (e < eol && !(*e == '#' && (e == p || e[-1] == ' ' || e[-1] == '\t')))
        e++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    *s = p;
    *n = (size_t)(e - p);
    if (*n == 1 && *p == '~')
        *n = 0;
    if (*n == 4 && memcmp(p, "null", 4) == 0)
        *n = 0;
}

/* Copy I of the YAML stream TEXT into OUT, every document's top-level
 * block-style metadata given its namespace.  Text, not a YAML parser: the
 * rest of every document stays byte for byte what it was.  -1 (with
 * *WHY) for what this cannot rewrite: a flow-style top-level metadata, a
 * kind: List. */
static int copy_yaml(const char *text, size_t len, unsigned long i, strbuf *out, const char **why)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = line_end(p, end), *next = next_line(eol, end);
        if (starts_key(p, eol, "kind:")) {
            const char *v;
            size_t vn;
            yaml_scalar(p + 5, eol, &v, &vn);
            if (vn >= 4 && memcmp(v + vn - 4, "List", 4) == 0) {
                *why = "a kind: List document (its items keep their namespaces)";
                return -1;
            }
        }
        if (!starts_key(p, eol, "metadata:")) {
            sb_add(out, p, (size_t)(next - p));
            p = next;
            continue;
        }
        if (!rest_is_empty(p + 9, eol)) {
            *why = "a flow-style top-level metadata";
            return -1;
        }
        sb_add(out, p, (size_t)(next - p));
        /* the block: its indentation, and its namespace line if any */
        const char *q = next, *ns = NULL;
        size_t indent = 0;
        while (q < end) {
            const char *qe = line_end(q, end);
            size_t ind = 0;
            while (q + ind < qe && q[ind] == ' ')
                ind++;
            if (q + ind == qe || q[ind] == '#' || q[ind] == '\r') {
                q = next_line(qe, end);
                continue;
            }
            if (ind == 0)
                break;
            if (!indent)
                indent = ind;
            if (ind == indent && starts_key(q + ind, qe, "namespace:")) {
                ns = q;
                break;
            }
            q = next_line(qe, end);
        }
        if (!indent) {
            *why = "a top-level metadata without fields";
            return -1;
        }
        const char *old = "";
        size_t oldn = 0;
        if (ns) {
            sb_add(out, next, (size_t)(ns - next));
            const char *nse = line_end(ns, end);
            yaml_scalar(ns + indent + 10, nse, &old, &oldn);
            next = next_line(nse, end);
        }
        for (size_t k = 0; k < indent; k++)
            sb_add(out, " ", 1);
        sb_add(out, "namespace: ", 11);
        sb_add_namespace(out, old, oldn, i);
        sb_add(out, "\n", 1);
        p = next;
    }
    return 0;
}

static int set_json_namespace(json_t *obj, unsigned long i)
{
    json_t *md = json_object_get(obj, "metadata");
    if (!json_is_object(md))
        return 0;
    const char *old = json_string_value(json_object_get(md, "namespace"));
    strbuf b = {.ok = true};
    sb_add_namespace(&b, old ? old : "", old ? strlen(old) : 0, i);
    int rc = b.ok ? json_object_set_new(md, "namespace", json_string(b.p)) : -1;
    free(b.p);
    return rc;
}

/* Copy I of the JSON document TEXT: the object, or a List's items. */
static int copy_json(const char *text, size_t len, unsigned long i, strbuf *out, const char **why)
{
    json_t *doc = json_loadb(text, len, 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        *why = "JSON that is not one object";
        return -1;
    }
    int rc = set_json_namespace(doc, i);
    size_t k;
    json_t *item;
    json_array_foreach(json_object_get(doc, "items"), k, item) {
        if (rc == 0)
            rc = set_json_namespace(item, i);
    }
    char *s = rc == 0 ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (s)
        sb_add(out, s, strlen(s));
    free(s);
    json_decref(doc);
    if (!s)
        *why = "out of memory";
    return s ? 0 : -1;
}

typedef struct file_list {
    char **paths;
    size_t n, cap;
} file_list;

static int push_path(file_list *fl, const char *path)
{
    if (fl->n == fl->cap) {
        size_t cap = fl->cap ? fl->cap * 2 : 64;
        char **np = realloc(fl->paths, cap * sizeof *np);
        if (!np)
            return -1;
        fl->paths = np;
        fl->cap = cap;
    }
    char *p = strdup(path);
    if (!p)
        return -1;
    fl->paths[fl->n++] = p;
    return 0;
}

static bool is_manifest_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
           (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* DIR's *.yaml, *.yml and *.json files, recursively (as
 * rp_checker_add_path() walks a directory; sorted by the caller). */
static int walk_dir(file_list *fl, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        size_t dl = strlen(dir);
        char *full = malloc(dl + 1 + strlen(de->d_name) + 1);
        if (!full) {
            rc = -1;
            break;
        }
        sprintf(full, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode))
            rc = walk_dir(fl, full);
        else if (is_manifest_name(de->d_name))
            rc = push_path(fl, full);
        free(full);
    }
    closedir(d);
    return rc;
}

/* Add COPIES copies of the files and directories PATHS to C.  Returns the
 * number of bytes added, or -1 with a message printed. */
static long long add_copies(rp_checker *c, int npaths, char **paths, unsigned long copies)
{
    file_list fl = {0};
    long long bytes = 0;
    for (int k = 0; k < npaths && bytes >= 0; k++) {
        struct stat st;
        size_t first = fl.n;
        if (strcmp(paths[k], "-") == 0 || stat(paths[k], &st) != 0) {
            fprintf(stderr, "rpeval bench: --copies: cannot read %s\n", paths[k]);
            bytes = -1;
        } else if (S_ISDIR(st.st_mode)) {
            if (walk_dir(&fl, paths[k]) != 0) {
                fprintf(stderr, "rpeval bench: --copies: cannot walk %s\n", paths[k]);
                bytes = -1;
            }
            qsort(fl.paths + first, fl.n - first, sizeof *fl.paths, cmp_str);
        } else if (push_path(&fl, paths[k]) != 0) {
            fprintf(stderr, "rpeval bench: --copies: out of memory\n");
            bytes = -1;
        }
    }
    for (size_t f = 0; f < fl.n && bytes >= 0; f++) {
        size_t len;
        char *text = slurp(fl.paths[f], &len);
        if (!text) {
            fprintf(stderr, "rpeval bench: --copies: cannot read %s\n", fl.paths[f]);
            bytes = -1;
            break;
        }
        size_t pl = strlen(fl.paths[f]);
        bool json = pl > 5 && strcmp(fl.paths[f] + pl - 5, ".json") == 0;
        for (unsigned long i = 0; i < copies && bytes >= 0; i++) {
            strbuf b = {.ok = true};
            const char *why = NULL;
            int rc = json ? copy_json(text, len, i, &b, &why) : copy_yaml(text, len, i, &b, &why);
            char source[64];
            snprintf(source, sizeof source, "#copy%lu", i);
            strbuf src = {.ok = true};
            sb_add(&src, fl.paths[f], pl);
            sb_add(&src, source, strlen(source));
            if (rc != 0 || !b.ok || !src.ok) {
                fprintf(stderr, "rpeval bench: --copies: %s: cannot rewrite %s\n", fl.paths[f],
                        why ? why : "(out of memory)");
                bytes = -1;
            } else {
                rp_checker_add_input(c, src.p, b.p ? b.p : "", b.len, NULL);
                bytes += (long long)b.len;
            }
            free(src.p);
            free(b.p);
        }
        free(text);
    }
    for (size_t f = 0; f < fl.n; f++)
        free(fl.paths[f]);
    free(fl.paths);
    return bytes;
}

/* ---- Whole checks ---------------------------------------------------------------- */

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
    if (a->copies) {
        if (add_copies(c, npaths, paths, a->copies) < 0) {
            status = RPEVAL_EXIT_USAGE;
            goto out;
        }
    } else {
        for (int i = 0; i < npaths; i++)
            rp_checker_add_path(c, paths[i], NULL);
    }
    double read_ms = (double)(now_ns() - t0) / 1e6;
    /* a long check says how it goes on standard error */
    bool progress = a->copies > 1;
    if (progress)
        fprintf(stderr, "rpeval bench: %lu copies read in %.0f ms; checking...\n", a->copies,
                read_ms);
    uint64_t s0 = now_ns();
    rp_report *first = rp_checker_run(c, &err);
    double first_ms = (double)(now_ns() - s0) / 1e6;
    if (!first) {
        fprintf(stderr, "rpeval bench: %s\n", err.message);
        status = RPEVAL_EXIT_USAGE;
        goto out;
    }
    char *js = rp_report_to_json(first);
    json_t *rj = js ? json_loads(js, 0, NULL) : NULL;
    json_int_t objects =
        json_integer_value(json_object_get(json_object_get(rj, "summary"), "objects"));
    size_t findings = rp_report_finding_count(first);
    size_t errors = rp_report_error_count(first);
    json_decref(rj);
    rp_free(js);
    rp_report_free(first);
    if (progress)
        fprintf(stderr, "rpeval bench: %lu copies: first run took %.0f ms; timing...\n",
                a->copies, first_ms);
    double per[REPEATS];
    int runs = 0;
    uint64_t spent = 0;
    while (runs < REPEATS && (runs < PACK_RUNS_MIN || spent < PACK_RUNS_BUDGET_NS)) {
        uint64_t s = now_ns();
        rp_report *r = rp_checker_run(c, NULL);
        uint64_t d = now_ns() - s;
        if (!r) {
            fprintf(stderr, "rpeval bench: a check failed (out of memory)\n");
            status = RPEVAL_EXIT_USAGE;
            goto out;
        }
        rp_report_free(r);
        per[runs++] = (double)d / 1e6;
        spent += d;
        if (progress && per[runs - 1] > 2000)
            fprintf(stderr, "rpeval bench: %lu copies: run %d took %.0f ms\n", a->copies, runs,
                    per[runs - 1]);
    }
    qsort(per, (size_t)runs, sizeof per[0], cmp_double);
    double med = per[runs / 2];
    double ops = med > 0 ? (double)objects / (med / 1e3) : 0;
    double ns_obj = objects > 0 ? med * 1e6 / (double)objects : 0;
    if (a->json)
        printf("{\"pack\": \"%s\", \"rules\": %zu, \"copies\": %lu, \"objects\": %lld, "
               "\"findings\": %zu, \"errors\": %zu, \"pack_load_ms\": %.3f, \"read_ms\": %.3f, "
               "\"first_run_ms\": %.3f, \"runs\": %d, \"check_ms\": %.3f, \"check_ms_min\": %.3f, "
               "\"check_ms_max\": %.3f, \"ns_per_object\": %.0f, \"objects_per_second\": %.0f}\n",
               rp_pack_name(pack), rp_pack_rule_count(pack), a->copies ? a->copies : 1,
               (long long)objects, findings, errors, load_ms, read_ms, first_ms, runs, med,
               per[0], per[runs - 1], ns_obj, ops);
    else
        printf("pack %s: %zu rules, loaded and compiled in %.2f ms\n"
               "inputs: %lld objects%s read in %.2f ms\n"
               "first run: %.2f ms\n"
               "check: %.2f ms median of %d runs after it (%.2f-%.2f), %.0f objects/s, %.0f ns/object, "
               "%zu findings, %zu errors\n",
               rp_pack_name(pack), rp_pack_rule_count(pack), load_ms, (long long)objects,
               a->copies > 1 ? " (all copies)" : "", read_ms, first_ms, med, runs, per[0],
               per[runs - 1], ops, ns_obj, findings, errors);
out:
    rp_checker_free(c);
    rp_pack_free(pack);
    rp_env_free(env);
    return status;
}

/* A positive count no larger than MAX, or 0. */
static unsigned long parse_count(const char *s, unsigned long max)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    return *s && *s != '-' && *end == '\0' && v <= max ? v : 0;
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
        {"only", required_argument, NULL, 'n'},
        {"callgrind-iterations", required_argument, NULL, 'K'},
        {"copies", required_argument, NULL, 'C'},
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
        case 'n': a.only = optarg; break;
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
        case 'K':
            a.iterations = parse_count(optarg, 1000000000);
            if (!a.iterations) {
                fprintf(stderr, "rpeval bench: --callgrind-iterations wants a count (1 to 1e9)\n");
                return RPEVAL_EXIT_USAGE;
            }
            break;
        case 'C':
            a.copies = parse_count(optarg, MAX_COPIES);
            if (!a.copies) {
                fprintf(stderr, "rpeval bench: --copies wants a count (1 to %d)\n", MAX_COPIES);
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
    if (a.pack && (a.only || a.iterations)) {
        fprintf(stderr, "rpeval bench: --only and --callgrind-iterations are for expressions\n");
        return RPEVAL_EXIT_USAGE;
    }
    if (!a.pack && a.copies) {
        fprintf(stderr, "rpeval bench: --copies is for --pack\n");
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
