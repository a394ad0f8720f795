/* test_oom.c -- out of memory, at every allocation: each heap allocation
 * that a compile, an evaluation, a pack load, a check and a policy test
 * suite make fails in turn, and each time the public function that made it
 * must either succeed with the same result as without the failure, or fail
 * with RP_ENOMEM and a message.  It must not crash; the same handles must
 * work afterwards (the call is retried and the scenario goes on, every
 * result compared with a run without failures); every handle must be
 * freeable; nothing may leak (the blocks alive return to what they were).
 *
 * How.  This program defines malloc, calloc, realloc, free, strdup and
 * friends itself; ELF interposition makes the library, jansson, PCRE2,
 * libyaml and libc's own callers use them.  They forward to the next
 * definition (glibc's, valgrind's replacement, or ASan's allocator: found
 * with dlsym(RTLD_NEXT)), count the blocks alive and, while a library call
 * is in progress ("armed"), count allocation calls and fail the chosen one.
 * Each run of a scenario is made in a thread of its own, so that what the
 * library keeps per thread (PCRE2 match data) is freed before the count.
 *
 * Two ways to visit every N, chosen per scenario by what is cheaper here:
 *   fork: the scenario runs once; at each allocation call the process
 *     forks, the child fails that allocation and carries the scenario to
 *     its end, checking as it goes, while the parent lets the allocation
 *     succeed and goes on.  Linear in the number of allocations (loading
 *     the built-in pack makes ~44000), but a process costs milliseconds on
 *     some virtual machines.
 *   sequential (always under valgrind, which would check leaks at the exit
 *     of every child): for N = 1, 2, ... a run fails the Nth allocation,
 *     until a run completes with no failure.
 * When visiting every N would take longer than a budget (25 s; 200 s under
 * valgrind) the scenarios that cost most are given a stride (every Kth N
 * from a varying start), and the output says so and how to repeat the run;
 * a scan that takes twice as long as planned doubles its stride.
 *
 * Environment: RP_OOM_ONLY=<scenario>, RP_OOM_MODE=fork|sequential,
 * RP_OOM_STRIDE=K (K=1: every N, whatever it costs), RP_OOM_OFFSET=<start>,
 * RP_OOM_BUDGET=<seconds>, RP_OOM_JOBS=<children at a time, default 2>.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define HAVE_VALGRIND_H 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define LSAN_DISABLE() __lsan_disable()
#define LSAN_ENABLE() __lsan_enable()
#else
#define LSAN_DISABLE() ((void)0)
#define LSAN_ENABLE() ((void)0)
#endif

#include <raypolicy.h>

/* ThreadSanitizer's runtime starts after the dynamic loader has allocated
 * and does not expect fork() inside malloc in a process with threads: in
 * such a build the allocation functions are not replaced and the test is
 * skipped (test_threads is that build's test). */
#if defined(__SANITIZE_THREAD__)
#define RP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RP_TSAN 1
#endif
#endif

/* AddressSanitizer's runtime, as gcc links it (libasan.so), looks up its
 * interceptors with dlsym() at start-up, which calls this program's malloc
 * before anything is set up: in a fresh CI build that recursed until the
 * stack ran out.  Such a build skips the test too; the plain and valgrind
 * builds run it. */
#if defined(__SANITIZE_ADDRESS__) && !defined(RP_TSAN)
#define RP_TSAN 1
#define RP_ASAN_SKIP 1
#endif

#ifndef RP_SRCDIR
#define RP_SRCDIR "."
#endif

/* ======================================================================== */
/* The failing allocator                                                     */
/* ======================================================================== */

/* The build hides symbols by default (-fvisibility=hidden); these must be
 * seen by the libraries to replace theirs.  The dynamic loader calls them
 * before AddressSanitizer is initialised: they and what they call are not
 * instrumented (HOOK). */
#define HOOK __attribute__((no_sanitize_address))
#define EXPORTED __attribute__((visibility("default"))) HOOK

#ifndef RP_TSAN
typedef void *(*malloc_fn)(size_t);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void (*free_fn)(void *);
typedef int (*posix_memalign_fn)(void **, size_t, size_t);
typedef void *(*aligned_alloc_fn)(size_t, size_t);

static struct {
    malloc_fn malloc;
    calloc_fn calloc;
    realloc_fn realloc;
    free_fn free;
    posix_memalign_fn posix_memalign;
    aligned_alloc_fn aligned_alloc;
    aligned_alloc_fn memalign;
} real;

/* dlsym() may allocate before the real functions are known: such early
 * blocks come from here, after a header holding their size, and are never
 * freed. */
static _Alignas(16) char boot_heap[1 << 16];
static size_t boot_used;
static bool resolving;

HOOK static bool in_boot(const void *p)
{
    return (const char *)p >= boot_heap && (const char *)p < boot_heap + sizeof boot_heap;
}

HOOK static void *boot_alloc(size_t n)
{
    size_t need = 16 + ((n + 15) & ~(size_t)15);
    if (n > sizeof boot_heap || need > sizeof boot_heap - boot_used)
        return NULL;
    char *p = boot_heap + boot_used;
    boot_used += need;
    memcpy(p, &n, sizeof n);
    return p + 16;
}

HOOK static size_t boot_size(const void *p)
{
    size_t n;
    memcpy(&n, (const char *)p - 16, sizeof n);
    return n;
}

/* Find the real functions, all at once: until they are, every allocation
 * comes from the boot heap. */
HOOK static void resolve(void)
{
    if (real.free || resolving)
        return;
    resolving = true;
    __typeof__(real) r;
    r.malloc = (malloc_fn)dlsym(RTLD_NEXT, "malloc");
    r.calloc = (calloc_fn)dlsym(RTLD_NEXT, "calloc");
    r.realloc = (realloc_fn)dlsym(RTLD_NEXT, "realloc");
    r.posix_memalign = (posix_memalign_fn)dlsym(RTLD_NEXT, "posix_memalign");
    r.aligned_alloc = (aligned_alloc_fn)dlsym(RTLD_NEXT, "aligned_alloc");
    r.memalign = (aligned_alloc_fn)dlsym(RTLD_NEXT, "memalign");
    r.free = (free_fn)dlsym(RTLD_NEXT, "free");
    if (!r.malloc || !r.calloc || !r.realloc || !r.free || !r.posix_memalign ||
        !r.aligned_alloc || !r.memalign) {
        static const char msg[] = "test_oom: cannot find the real malloc\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(99);
    }
    real = r;
    resolving = false;
}
#endif /* RP_TSAN */

enum { MODE_OFF, MODE_NTH, MODE_FORK };

static long live;             /* blocks allocated and not freed */
static unsigned long calls;   /* allocation calls while armed */
static bool armed;            /* a library call is in progress */
static int mode = MODE_OFF;
static unsigned long fail_at; /* MODE_NTH: the call that fails */
static unsigned long stride = 1, offset; /* fail calls offset+1, +stride, ... */
static double deadline;       /* past it, the stride doubles */
static unsigned long widened_at; /* the first call visited after the last doubling */
static bool injected;         /* this process failed an allocation */
static bool in_child;         /* MODE_FORK: this is a child */
#define MAX_CHILDREN 16
static unsigned max_children = 2, nchildren;
static struct {
    pid_t pid;
    unsigned long n; /* the allocation it fails */
} children[MAX_CHILDREN];
static unsigned long forks, child_failures, jansson_cases;
static void *inject_trace[32];
static int inject_depth;

static void reap(bool block);

HOOK static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#ifndef RP_TSAN
static bool in_hook; /* inside fork() from the hook */

/* Whether this allocation call fails.  Counts it while armed; in fork mode
 * forks a child that fails it. */
HOOK static bool fail_this(void)
{
    if (!armed || injected || mode == MODE_OFF || in_hook)
        return false;
    calls++;
    if (mode == MODE_NTH) {
        if (calls != fail_at)
            return false;
    } else {
        if ((calls - 1) % stride != offset)
            return false;
        if (now() > deadline) {
            stride *= 2;
            widened_at = calls;
            deadline = now() + 3600;
            if ((calls - 1) % stride != offset)
                return false;
        }
        in_hook = true;
        while (nchildren >= max_children)
            reap(true);
        pid_t pid = fork();
        in_hook = false;
        if (pid < 0) {
            static const char msg[] = "test_oom: fork failed\n";
            (void)!write(2, msg, sizeof msg - 1);
            _exit(99);
        }
        if (pid > 0) {
            forks++;
            for (unsigned i = 0; i < MAX_CHILDREN; i++)
                if (children[i].pid == 0) {
                    children[i].pid = pid;
                    children[i].n = calls;
                    break;
                }
            nchildren++;
            return false;
        }
        in_child = true;
        nchildren = 0;
        alarm(120); /* a child that hangs is killed, and counted as failed */
    }
    injected = true;
    inject_depth = backtrace(inject_trace, 32);
    errno = ENOMEM;
    return true;
}

EXPORTED void *malloc(size_t n)
{
    resolve();
    if (!real.free)
        return boot_alloc(n);
    if (fail_this())
        return NULL;
    void *p = real.malloc(n);
    if (p)
        live++;
    return p;
}

EXPORTED void *calloc(size_t a, size_t b)
{
    resolve();
    if (!real.free)
        return a && b > SIZE_MAX / a ? NULL : boot_alloc(a * b); /* zeroed: static storage */
    if (fail_this())
        return NULL;
    void *p = real.calloc(a, b);
    if (p)
        live++;
    return p;
}

EXPORTED void *realloc(void *old, size_t n)
{
    resolve();
    if (in_boot(old) || !real.free) {
        void *p = malloc(n);
        if (p && old) {
            size_t keep = boot_size(old);
            memcpy(p, old, keep < n ? keep : n);
        }
        return p;
    }
    if (fail_this())
        return NULL;
    void *p = real.realloc(old, n);
    if (!old && p)
        live++;
    else if (old && n == 0 && !p)
        live--;
    return p;
}

EXPORTED void free(void *p)
{
    if (!p || in_boot(p))
        return;
    live--;
    real.free(p);
}

EXPORTED int posix_memalign(void **out, size_t align, size_t n)
{
    resolve();
    if (!real.free)
        return align <= 16 && (*out = boot_alloc(n)) ? 0 : ENOMEM;
    if (fail_this())
        return ENOMEM;
    int rc = real.posix_memalign(out, align, n);
    if (rc == 0)
        live++;
    return rc;
}

EXPORTED void *aligned_alloc(size_t align, size_t n)
{
    resolve();
    if (!real.free)
        return align <= 16 ? boot_alloc(n) : NULL;
    if (fail_this())
        return NULL;
    void *p = real.aligned_alloc(align, n);
    if (p)
        live++;
    return p;
}

EXPORTED void *memalign(size_t align, size_t n)
{
    resolve();
    if (!real.free)
        return align <= 16 ? boot_alloc(n) : NULL;
    if (fail_this())
        return NULL;
    void *p = real.memalign(align, n);
    if (p)
        live++;
    return p;
}

/* The sanitizers give strdup its own allocation; these keep it ours. */
EXPORTED char *strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

EXPORTED char *strndup(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}
#endif /* RP_TSAN */

/* ======================================================================== */
/* Checking                                                                  */
/* ======================================================================== */

static const char *scenario = "";
static int problems;       /* in this process */
static bool recording;     /* the reference run: results are stored */

/* The results of the current scenario's reference run. */
#define MAX_REFS 512
typedef struct refset {
    char *v[MAX_REFS];
    size_t n;
} refset;
static refset *refs;
static size_t next_ref;
static bool desync;        /* a result differed: stop comparing */
static int tolerated;      /* differences that are jansson's (see below) */

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
    problems++;
    if (child_failures >= 50)
        return; /* enough said: the parent counts the rest */
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (injected)
        fprintf(stderr, "test_oom: %s: allocation %lu failed: %s\n", scenario,
                mode == MODE_NTH ? fail_at : calls, msg);
    else
        fprintf(stderr, "test_oom: %s: %s\n", scenario, msg);
    if (injected && problems == 1 && child_failures < 5) {
        fprintf(stderr, "  the failed allocation was made at:\n");
        backtrace_symbols_fd(inject_trace, inject_depth, 2);
    }
}

/* Arm around each library call, so that only the library's allocations
 * count (and fail), not the test's own. */
#define LIB(call)                                                                                \
    ({                                                                                           \
        armed = true;                                                                            \
        __typeof__(call) lib_r_ = (call);                                                        \
        armed = false;                                                                           \
        lib_r_;                                                                                  \
    })
#define LIBV(call)                                                                               \
    do {                                                                                         \
        armed = true;                                                                            \
        call;                                                                                    \
        armed = false;                                                                           \
    } while (0)

/* RC and ERR from WHAT: false when it succeeded; true when it failed, after
 * checking that the failure is an honest, reported out-of-memory. */
static bool failed(const char *what, int rc, const rp_error *err)
{
    if (rc == RP_OK)
        return false;
    if (!injected)
        problem("%s failed (%d) with no failed allocation: %s", what, rc, err->message);
    else if (rc != RP_ENOMEM)
        problem("%s returned %d (%s), not RP_ENOMEM: %s", what, rc, rp_strerror(rc), err->message);
    else if (err->code != rc)
        problem("%s returned %d but rp_error says %d", what, rc, err->code);
    else if (!err->message[0])
        problem("%s failed with an empty message", what);
    return true;
}

/* For the functions that return NULL on OOM without an rp_error. */
static bool failed_null(const char *what, const void *p)
{
    if (p)
        return false;
    if (!injected)
        problem("%s returned NULL with no failed allocation", what);
    return true;
}

/* Whether the failed allocation was made inside jansson's json_loadb.
 * jansson 2.14 ignores a failed allocation while it collects a token
 * (lex_save drops the character), so json_loadb can return a document
 * that is not the text's: no caller can tell, and a result that differs
 * after such a failure is jansson's limitation, counted apart. */
static bool jansson_parse_failed(void)
{
    for (int i = 0; i < inject_depth; i++) {
        Dl_info info;
        if (dladdr(inject_trace[i], &info) && info.dli_sname &&
            strcmp(info.dli_sname, "json_loadb") == 0)
            return true;
    }
    return false;
}

/* The next result of the scenario: stored in the reference run, compared
 * with the stored one afterwards.  After the first difference the rest is
 * not compared. */
static void result(const char *what, const char *got)
{
    if (!got)
        got = "(null)";
    if (recording) {
        if (refs->n == MAX_REFS) {
            fprintf(stderr, "test_oom: too many results\n");
            exit(99);
        }
        refs->v[refs->n] = strdup(got);
        if (!refs->v[refs->n])
            exit(99);
        refs->n++;
        return;
    }
    if (next_ref >= refs->n) {
        problem("%s: one result more than the reference run", what);
        return;
    }
    const char *want = refs->v[next_ref++];
    if (desync || strcmp(want, got) == 0)
        return;
    desync = true; /* the results after this one would all differ */
    if (jansson_parse_failed()) {
        tolerated++;
        return;
    }
    /* Show where they part, from two lines before. */
    size_t at = 0;
    while (want[at] && want[at] == got[at])
        at++;
    size_t from = at;
    for (int lines = 0; from > 0 && lines < 3; from--)
        if (want[from - 1] == '\n')
            lines++;
    problem("%s differs from the run without failures at byte %zu:\n--- want\n%.600s\n--- got\n%.600s",
            what, at, want + from, got + from);
}

static void resultf(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void resultf(const char *what, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    result(what, buf);
}

/* A library string result (freed here). */
static void result_owned(const char *what, char *got)
{
    result(what, got);
    rp_free(got);
}

static char *slurp(const char *rel, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", RP_SRCDIR, rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "test_oom: cannot read %s\n", path);
        exit(99);
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb)
                exit(99);
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ======================================================================== */
/* Scenario 1: environments, programs, activations, evaluation, values       */
/* ======================================================================== */

static const char object_json[] =
    "{\"apiVersion\": \"ray.io/v1\", \"kind\": \"RayCluster\","
    " \"metadata\": {\"name\": \"rc-prod\", \"namespace\": \"team-a\","
    "                \"labels\": {\"app\": \"ray\", \"tier\": \"ml\"}},"
    " \"spec\": {\"workerGroupSpecs\": ["
    "   {\"groupName\": \"cpu-group\", \"replicas\": 2, \"resources\": {\"memory\": \"4Gi\"}},"
    "   {\"groupName\": \"gpu-group\", \"replicas\": 1, \"resources\": {\"memory\": \"512Mi\"}}],"
    "  \"containers\": [{\"name\": \"main\", \"image\": \"registry.example.com/ray:2.9\"},"
    "                  {\"name\": \"side\", \"image\": \"docker.io/busybox\"}]}}";

/* A cel.expr.Value bound to `extra`. */
static const char extra_json[] =
    "{\"listValue\": {\"values\": [{\"stringValue\": \"^rc-[a-z]+$\"},"
    " {\"int64Value\": \"7\"}, {\"bytesValue\": \"YWJj\"}]}}";

/* Each expression with its result, as plain JSON, from the CEL
 * definitions (cel-spec, cel-go's extensions, Kubernetes' libraries).
 * "!" starts the message of an expected evaluation error. */
static const struct {
    const char *expr;
    const char *want;
} exprs[] = {
    {"object.spec.workerGroupSpecs.map(g, g.groupName).filter(n, n.matches('^[a-z]+-group$'))",
     "[\"cpu-group\",\"gpu-group\"]"},
    {"object.metadata.name + '/' + object.metadata.namespace + ':' + "
     "string(size(object.spec.workerGroupSpecs))",
     "\"rc-prod/team-a:2\""},
    {"{'replicas': object.spec.workerGroupSpecs.map(g, g.replicas), "
     "'labels': object.metadata.labels.filter(k, k != 'tier')}",
     "{\"replicas\":[2,1],\"labels\":[\"app\"]}"},
    {"object.spec.workerGroupSpecs.all(g, quantity(g.resources.memory).isGreaterThan(quantity('256Mi')))",
     "true"},
    {"object.spec.containers.exists_one(c, c.image.startsWith('registry.example.com/'))", "true"},
    {"object.spec.containers.map(c, c.image.split('/')[0]).join(',')",
     "\"registry.example.com,docker.io\""},
    {"ip('10.1.2.3').family() == 4 && cidr('10.0.0.0/8').containsIP(ip('10.1.2.3'))", "true"},
    {"url('https://' + object.spec.containers[0].image).getHostname()", "\"registry.example.com\""},
    {"object.metadata.name.matches(extra[0]) && extra[1] == 7 && extra[2] == b'abc'", "true"},
    {"object.metadata.labels.missing", "!no such key: missing"},
    {"'%s has %d groups'.format([object.metadata.name, size(object.spec.workerGroupSpecs)])",
     "\"rc-prod has 2 groups\""},
    {"base64.encode(b'abc') + '|' + string(timestamp('2024-01-01T00:00:00Z') + duration('1h30m'))",
     "\"YWJj|2024-01-01T01:30:00Z\""},
    {"cel.bind(ws, object.spec.workerGroupSpecs, ws.map(w, w.replicas).sum())", "3"},
    {"sets.contains([1, 2, 3], [2]) && math.greatest([1, 5, 3]) == 5", "true"},
    {"object.metadata.?annotations.orValue({}).size() == 0 && "
     "object.spec.workerGroupSpecs.exists(g, g.groupName.endsWith('-group'))",
     "true"},
    {"[object.metadata.labels.app.upperAscii(), '  x '.trim(), object.kind.lowerAscii()]",
     "[\"RAY\",\"x\",\"raycluster\"]"},
};
#define NEXPRS (sizeof exprs / sizeof exprs[0])

/* Evaluate PROG in ACT and record the result (retrying once after a failed
 * allocation: the same activation must then give the right answer). */
static void eval_and_record(const rp_program *prog, rp_activation *act, size_t i)
{
    char what[64];
    snprintf(what, sizeof what, "rp_eval of expression %zu", i);
    rp_value *v = NULL;
    rp_error err = {0};
    int rc = LIB(rp_eval(prog, act, &v, &err));
    if (rc != RP_OK && rc != RP_EEVAL && failed(what, rc, &err)) {
        memset(&err, 0, sizeof err);
        rc = LIB(rp_eval(prog, act, &v, &err));
    }
    if (rc == RP_EEVAL) {
        resultf(what, "!%s", err.message);
        if (recording && exprs[i].want[0] != '!')
            problem("expression %zu: %s", i, err.message);
        return;
    }
    if (rc != RP_OK) {
        problem("%s fails again: %s", what, err.message);
        return;
    }
    char *plain = LIB(rp_value_to_json(v, 0));
    if (failed_null("rp_value_to_json", plain))
        plain = LIB(rp_value_to_json(v, 0));
    if (recording && (!plain || strcmp(plain, exprs[i].want) != 0))
        problem("expression %zu is %s, want %s", i, plain ? plain : "(null)", exprs[i].want);
    result_owned(what, plain);
    char *typed = LIB(rp_value_to_json(v, RP_JSON_TYPED));
    if (failed_null("rp_value_to_json typed", typed))
        typed = LIB(rp_value_to_json(v, RP_JSON_TYPED));
    result_owned(what, typed);
    if (rp_value_kind(v) == RP_KIND_BOOL) {
        int b = -1;
        memset(&err, 0, sizeof err);
        rc = LIB(rp_eval_bool(prog, act, &b, &err));
        if (failed("rp_eval_bool", rc, &err)) {
            memset(&err, 0, sizeof err);
            rc = LIB(rp_eval_bool(prog, act, &b, &err));
        }
        resultf("rp_eval_bool", "%d %d", rc, b);
    }
    resultf("rp_value_count", "%zu", rp_value_count(v));
    rp_value_free(v);
}

static void scenario_exprs(void)
{
    const char *const vars[] = {"extra", NULL};
    rp_env_options o;
    rp_env_options_init(&o);
    o.profile = RP_PROFILE_EXTENDED;
    o.variables = vars;
    rp_program *progs[NEXPRS] = {0};
    rp_activation *act = NULL;
    rp_error err = {0};

    rp_env *env = LIB(rp_env_new(&o, &err));
    if (!env && failed("rp_env_new", err.code ? err.code : RP_ENOMEM, &err)) {
        memset(&err, 0, sizeof err);
        env = LIB(rp_env_new(&o, &err));
    }
    if (!env) {
        problem("rp_env_new: %s", err.message);
        return;
    }
    memset(&err, 0, sizeof err);
    act = LIB(rp_activation_new(env, &err));
    if (!act && failed("rp_activation_new", err.code ? err.code : RP_ENOMEM, &err)) {
        memset(&err, 0, sizeof err);
        act = LIB(rp_activation_new(env, &err));
    }
    if (!act) {
        problem("rp_activation_new: %s", err.message);
        goto out;
    }
    for (int pass = 0; pass < 2; pass++) {
        memset(&err, 0, sizeof err);
        int rc = LIB(rp_activation_bind_json(act, "object", object_json, strlen(object_json), &err));
        if (failed("rp_activation_bind_json", rc, &err)) {
            memset(&err, 0, sizeof err);
            rc = LIB(rp_activation_bind_json(act, "object", object_json, strlen(object_json), &err));
        }
        memset(&err, 0, sizeof err);
        rc = LIB(rp_activation_bind_typed_json(act, "extra", extra_json, strlen(extra_json), &err));
        if (failed("rp_activation_bind_typed_json", rc, &err)) {
            memset(&err, 0, sizeof err);
            rc = LIB(rp_activation_bind_typed_json(act, "extra", extra_json, strlen(extra_json), &err));
        }
        if (rc != RP_OK) {
            problem("binding fails again: %s", err.message);
            goto out;
        }
        for (size_t i = 0; i < NEXPRS; i++) {
            if (!progs[i]) {
                char what[64];
                snprintf(what, sizeof what, "rp_compile of expression %zu", i);
                memset(&err, 0, sizeof err);
                rc = LIB(rp_compile(env, exprs[i].expr, strlen(exprs[i].expr), &progs[i], &err));
                if (failed(what, rc, &err)) {
                    if (progs[i])
                        problem("%s failed but set *out", what);
                    memset(&err, 0, sizeof err);
                    rc = LIB(rp_compile(env, exprs[i].expr, strlen(exprs[i].expr), &progs[i], &err));
                }
                if (rc != RP_OK) {
                    problem("%s fails again: %s", what, err.message);
                    goto out;
                }
                char *dis = LIB(rp_program_disassemble(progs[i]));
                if (failed_null("rp_program_disassemble", dis))
                    dis = LIB(rp_program_disassemble(progs[i]));
                result_owned("rp_program_disassemble", dis);
            }
            eval_and_record(progs[i], act, i);
        }
        LIBV(rp_activation_clear(act));
    }
    /* A compile error is reported as such whatever the allocations do. */
    {
        rp_program *bad = NULL;
        memset(&err, 0, sizeof err);
        int rc = LIB(rp_compile(env, "object.spec +", 13, &bad, &err));
        if (rc == RP_ENOMEM && failed("rp_compile (syntax error)", rc, &err)) {
            memset(&err, 0, sizeof err);
            rc = LIB(rp_compile(env, "object.spec +", 13, &bad, &err));
        }
        resultf("rp_compile (syntax error)", "%d %s", rc, err.message);
        rp_program_free(bad);
    }

out:
    for (size_t i = 0; i < NEXPRS; i++)
        LIBV(rp_program_free(progs[i]));
    LIBV(rp_activation_free(act));
    LIBV(rp_env_free(env));
}

/* ======================================================================== */
/* Scenario 2: loading the built-in pack                                     */
/* ======================================================================== */

static void record_pack(const char *what, const rp_pack *pack)
{
    resultf(what, "%s %s %s %d %zu", rp_pack_name(pack), rp_pack_version(pack),
            rp_pack_source(pack), (int)rp_pack_profile(pack), rp_pack_rule_count(pack));
    char ids[4096];
    size_t n = 0;
    ids[0] = '\0';
    for (size_t i = 0; i < rp_pack_rule_count(pack) && n < sizeof ids; i++)
        n += (size_t)snprintf(ids + n, sizeof ids - n, "%s,", rp_pack_rule_id(pack, i));
    result(what, ids);
}

static void scenario_builtin(void)
{
    rp_error err = {0};
    rp_pack *pack = LIB(rp_pack_load_builtin(NULL, "ray-hardening", &err));
    if (!pack) {
        /* Loading again costs as much as the whole scan: the failure is
         * checked, and the next scenario loads it without failures. */
        failed("rp_pack_load_builtin", err.code ? err.code : RP_ENOMEM, &err);
        return;
    }
    record_pack("rp_pack_load_builtin", pack);
    LIBV(rp_pack_free(pack));
}

/* ======================================================================== */
/* Scenario 3: a check with the built-in pack and a small one                */
/* ======================================================================== */

static rp_pack *builtin_pack; /* loaded before the scenario */
static char *demo_text;
static size_t demo_len;

static const char manifests_yaml[] =
    "apiVersion: ray.io/v1\n"
    "kind: RayCluster\n"
    "metadata:\n"
    "  name: rc-small\n"
    "  namespace: team-a\n"
    "spec:\n"
    "  headGroupSpec:\n"
    "    serviceType: LoadBalancer\n"
    "    rayStartParams:\n"
    "      dashboard-host: 0.0.0.0\n"
    "    template:\n"
    "      spec:\n"
    "        containers:\n"
    "        - name: ray-head\n"
    "          image: rayproject/ray:2.9.0\n"
    "  workerGroupSpecs:\n"
    "  - groupName: cpu\n"
    "    replicas: 5\n"
    "    template:\n"
    "      spec:\n"
    "        containers:\n"
    "        - name: worker\n"
    "          image: docker.io/evil/ray:latest\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: List\n"
    "items:\n"
    "- apiVersion: v1\n"
    "  kind: Service\n"
    "  metadata: {name: head, namespace: team-a}\n"
    "  spec: {type: LoadBalancer}\n"
    "- apiVersion: apps/v1\n"
    "  kind: Deployment\n"
    "  metadata: {name: big, namespace: team-a}\n"
    "  spec: {replicas: 5}\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata: {name: bad, namespace: team-a}\n"
    "spec:\n"
    "  containers:\n"
    "  - {name: c, image: docker.io/evil}\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata: {name: broken\n";

static const char secret_json[] =
    "{\"apiVersion\": \"v1\", \"kind\": \"Secret\","
    " \"metadata\": {\"name\": \"s\", \"namespace\": \"team-a\"}, \"data\": {\"password\": \"eA==\"}}";

static const char params_yaml[] = "maxReplicas: 2\nallowedRegistries: [registry.example.com/]\n";

/* REP in every format (ALL_FORMATS) or as JSON only, and its counts. */
static void record_report(const char *what, const rp_report *rep, bool all_formats)
{
    static const struct {
        rp_report_format format;
        unsigned flags;
    } formats[] = {
        {RP_REPORT_JSON, 0}, {RP_REPORT_TEXT, 0}, {RP_REPORT_TEXT, RP_REPORT_COLOR},
        {RP_REPORT_SARIF, 0}, {RP_REPORT_JUNIT, 0},
    };
    for (size_t f = 0; f < (all_formats ? sizeof formats / sizeof formats[0] : 1); f++) {
        char *text = LIB(rp_report_render(rep, formats[f].format, formats[f].flags));
        if (failed_null("rp_report_render", text))
            text = LIB(rp_report_render(rep, formats[f].format, formats[f].flags));
        result_owned(what, text);
    }
    resultf(what, "%zu findings %zu errors fails %d %d", rp_report_finding_count(rep),
            rp_report_error_count(rep), rp_report_fails(rep, NULL), rp_report_fails(rep, "low"));
}

/* rp_checker_* calls: ARGS after the checker and before the error. */
#define CHECKER_CALL(what, call)                                                                 \
    do {                                                                                         \
        memset(&err, 0, sizeof err);                                                             \
        int rc_ = LIB(call);                                                                     \
        if (failed(what, rc_, &err)) {                                                           \
            memset(&err, 0, sizeof err);                                                         \
            rc_ = LIB(call);                                                                     \
        }                                                                                        \
        if (rc_ != RP_OK) {                                                                      \
            problem("%s fails again: %s", what, err.message);                                    \
            goto out;                                                                            \
        }                                                                                        \
    } while (0)

static void scenario_check(void)
{
    rp_error err = {0};
    rp_checker *chk = NULL;
    rp_report *rep = NULL;

    rp_pack *demo = LIB(rp_pack_load_string(NULL, demo_text, demo_len, "demo.yaml", &err));
    if (!demo && failed("rp_pack_load_string", err.code ? err.code : RP_ENOMEM, &err)) {
        memset(&err, 0, sizeof err);
        demo = LIB(rp_pack_load_string(NULL, demo_text, demo_len, "demo.yaml", &err));
    }
    if (!demo) {
        problem("rp_pack_load_string: %s", err.message);
        return;
    }
    record_pack("rp_pack_load_string", demo);

    memset(&err, 0, sizeof err);
    chk = LIB(rp_checker_new(&err));
    if (!chk && failed("rp_checker_new", err.code ? err.code : RP_ENOMEM, &err)) {
        memset(&err, 0, sizeof err);
        chk = LIB(rp_checker_new(&err));
    }
    if (!chk) {
        problem("rp_checker_new: %s", err.message);
        goto out;
    }
    CHECKER_CALL("rp_checker_add_pack (builtin)", rp_checker_add_pack(chk, builtin_pack, &err));
    CHECKER_CALL("rp_checker_add_pack (demo)", rp_checker_add_pack(chk, demo, &err));
    CHECKER_CALL("rp_checker_set_params",
                 rp_checker_set_params(chk, params_yaml, strlen(params_yaml), "params.yaml", &err));
    CHECKER_CALL("rp_checker_add_input (YAML)",
                 rp_checker_add_input(chk, "manifests.yaml", manifests_yaml,
                                      strlen(manifests_yaml), &err));
    CHECKER_CALL("rp_checker_add_input (JSON)",
                 rp_checker_add_input(chk, "secret.json", secret_json, strlen(secret_json), &err));
    CHECKER_CALL("rp_checker_add_path",
                 rp_checker_add_path(chk, RP_SRCDIR "/tests/data/manifests/mixed.yaml", &err));
    memset(&err, 0, sizeof err);
    rep = LIB(rp_checker_run(chk, &err));
    if (!rep && failed("rp_checker_run", err.code ? err.code : RP_ENOMEM, &err)) {
        memset(&err, 0, sizeof err);
        rep = LIB(rp_checker_run(chk, &err));
    }
    if (!rep) {
        problem("rp_checker_run fails again: %s", err.message);
        goto out;
    }
    record_report("rp_checker_run", rep, true);

out:
    LIBV(rp_report_free(rep));
    LIBV(rp_checker_free(chk));
    LIBV(rp_pack_free(demo));
}

/* ======================================================================== */
/* Scenario 4: one-call checks                                               */
/* ======================================================================== */

static rp_pack *demo_pack; /* loaded before the scenario */

static void scenario_pack_check(void)
{
    static const struct {
        rp_pack **pack;
        const char *objects;
        const char *params;
    } checks[] = {
        {&demo_pack, manifests_yaml, params_yaml},
        {&builtin_pack, secret_json, NULL},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        const rp_pack *pack = *checks[i].pack;
        size_t len = strlen(checks[i].objects);
        rp_error err = {0};
        rp_report *rep = LIB(rp_pack_check(pack, checks[i].objects, len, checks[i].params, &err));
        if (!rep && failed("rp_pack_check", err.code ? err.code : RP_ENOMEM, &err)) {
            memset(&err, 0, sizeof err);
            rep = LIB(rp_pack_check(pack, checks[i].objects, len, checks[i].params, &err));
        }
        if (!rep) {
            problem("rp_pack_check fails again: %s", err.message);
            return;
        }
        record_report("rp_pack_check", rep, false);
        LIBV(rp_report_free(rep));
    }
}

/* ======================================================================== */
/* Scenario 5: a pack from a file, lint and export                           */
/* ======================================================================== */

static const char export_params[] = "maxReplicas: 5\norgName: example\n";

static void scenario_tools(void)
{
    rp_error err = {0};
    const char *path = RP_SRCDIR "/tests/data/packs/export.yaml";
    rp_pack *pack = LIB(rp_pack_load_file(NULL, path, &err));
    if (!pack && failed("rp_pack_load_file", err.code ? err.code : RP_ENOMEM, &err)) {
        memset(&err, 0, sizeof err);
        pack = LIB(rp_pack_load_file(NULL, path, &err));
    }
    if (!pack) {
        problem("rp_pack_load_file: %s", err.message);
        return;
    }
    record_pack("rp_pack_load_file", pack);

    char *lint = LIB(rp_pack_lint(pack));
    if (failed_null("rp_pack_lint", lint))
        lint = LIB(rp_pack_lint(pack));
    result_owned("rp_pack_lint", lint);

    for (int json = 0; json < 2; json++) {
        const char *what = json ? "rp_pack_export_vap_json" : "rp_pack_export_vap";
        memset(&err, 0, sizeof err);
        char *out = json ? LIB(rp_pack_export_vap_json(pack, export_params, strlen(export_params),
                                                       "params.yaml", &err))
                         : LIB(rp_pack_export_vap(pack, export_params, strlen(export_params),
                                                  "params.yaml", &err));
        if (!out && failed(what, err.code ? err.code : RP_ENOMEM, &err)) {
            memset(&err, 0, sizeof err);
            out = json ? LIB(rp_pack_export_vap_json(pack, export_params, strlen(export_params),
                                                     "params.yaml", &err))
                       : LIB(rp_pack_export_vap(pack, export_params, strlen(export_params),
                                                "params.yaml", &err));
        }
        if (!out)
            problem("%s fails again: %s", what, err.message);
        result_owned(what, out);
    }
    LIBV(rp_pack_free(pack));
}

/* ======================================================================== */
/* Scenario 6: a policy test suite                                           */
/* ======================================================================== */

static void scenario_suite(void)
{
    rp_error err = {0};
    const char *path = RP_SRCDIR "/tests/data/suites/demo.yaml";
    rp_test_run *t = LIB(rp_test_suite_run(NULL, path, &err));
    if (!t && failed("rp_test_suite_run", err.code ? err.code : RP_ENOMEM, &err)) {
        memset(&err, 0, sizeof err);
        t = LIB(rp_test_suite_run(NULL, path, &err));
    }
    if (!t) {
        problem("rp_test_suite_run fails again: %s", err.message);
        return;
    }
    resultf("rp_test_run_suite_name", "%s %zu", rp_test_run_suite_name(t),
            rp_test_run_case_count(t));
    for (size_t i = 0; i < rp_test_run_case_count(t); i++) {
        const char *detail = rp_test_run_case_detail(t, i);
        resultf("rp_test_run case", "%s %d %s", rp_test_run_case_name(t, i),
                rp_test_run_case_passed(t, i), detail ? detail : "-");
        if (recording && !rp_test_run_case_passed(t, i))
            problem("suite case %s fails: %s", rp_test_run_case_name(t, i), detail);
    }
    LIBV(rp_test_run_free(t));
}

/* ======================================================================== */
/* Driver                                                                    */
/* ======================================================================== */

static const struct {
    const char *name;
    void (*run)(void);
    bool stops; /* ends at the failure (does not go on after it) */
} scenarios[] = {
    {"expressions", scenario_exprs, false},
    {"builtin-pack", scenario_builtin, true},
    {"check", scenario_check, false},
    {"pack-check", scenario_pack_check, false},
    {"tools", scenario_tools, false},
    {"suite", scenario_suite, false},
};
#define NSCENARIOS (sizeof scenarios / sizeof scenarios[0])

/* How each scenario is scanned. */
static struct plan {
    refset refs;
    bool skip, broken;
    unsigned long allocs;   /* allocation calls of one run */
    double run_time;        /* seconds for one run */
    bool fork;              /* fork mode, else sequential */
    bool fixed;             /* the stride was asked for: never widened */
    unsigned long stride, offset;
} plans[NSCENARIOS];

/* The verdict on a run: the leak check.  The reference run may leave
 * blocks behind (caches made on first use); the others may not. */
static long run_baseline;

static int verdict(void)
{
    armed = false;
    if (!recording && live != run_baseline)
        problem("%ld blocks leaked", live - run_baseline);
    return problems;
}

/* A child of fork mode ends when the scenario's thread, its last, exits:
 * exit() runs this after the thread's own destructors. */
static void child_verdict(void)
{
    if (in_child)
        _exit(verdict() ? 1 : tolerated ? 3 : 0);
}

static void *scenario_thread(void *arg)
{
    ((void (*)(void))(uintptr_t)arg)();
    armed = false;
    return NULL;
}

/* Run the scenario once, in a thread of its own: the memory the library
 * keeps per thread (PCRE2's match data) is freed when it exits, so that
 * what is left afterwards is a leak.  Returns the problems found. */
static int run_once(void (*fn)(void), long baseline)
{
    problems = 0;
    tolerated = 0;
    next_ref = 0;
    desync = false;
    run_baseline = baseline;
    pthread_t t;
    if (pthread_create(&t, NULL, scenario_thread, (void *)(uintptr_t)fn) != 0) {
        fprintf(stderr, "test_oom: cannot start a thread\n");
        exit(99);
    }
    pthread_join(t, NULL);
    return verdict();
}

/* Wait for a child of fork mode (BLOCK: for one at least) and count it. */
static void reap(bool block)
{
    int st;
    pid_t pid;
    while (nchildren > 0 && (pid = waitpid(-1, &st, block ? 0 : WNOHANG)) > 0) {
        nchildren--;
        block = false;
        unsigned long n = 0;
        for (unsigned i = 0; i < MAX_CHILDREN; i++)
            if (children[i].pid == pid) {
                n = children[i].n;
                children[i].pid = 0;
            }
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
            continue;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
            jansson_cases++;
            continue;
        }
        child_failures++;
        if (WIFSIGNALED(st))
            fprintf(stderr, "test_oom: %s: allocation %lu failed: died of signal %d (%s)\n",
                    scenario, n, WTERMSIG(st), strsignal(WTERMSIG(st)));
    }
}

static bool on_valgrind(void)
{
#ifdef HAVE_VALGRIND_H
    return RUNNING_ON_VALGRIND != 0;
#else
    const char *p = getenv("LD_PRELOAD");
    return p && strstr(p, "vgpreload") != NULL;
#endif
}

/* The wall time a child of fork mode costs when it does nothing: fork,
 * exit and wait, MAX_CHILDREN at a time.  Process teardown alone takes
 * milliseconds on some virtual machines. */
static double fork_cost(void)
{
    enum { N = 16 };
    fflush(stdout);
    fflush(stderr);
    double t0 = now();
    unsigned out = 0;
    for (int i = 0; i < N; i++) {
        if (out >= max_children && wait(NULL) > 0)
            out--;
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid > 0)
            out++;
    }
    while (out > 0 && wait(NULL) > 0)
        out--;
    return (now() - t0) / N;
}

/* The projected seconds of scanning scenario K as planned. */
static double projected(size_t k, double child_cost)
{
    const struct plan *p = &plans[k];
    double runs = (double)p->allocs / (double)p->stride;
    /* A run goes on to the end of the scenario after the failure: on
     * average half of it in a child, all of it sequentially; unless the
     * scenario stops there. */
    double rest = scenarios[k].stops ? p->run_time / 20 : p->run_time / 2;
    return p->fork ? runs * (child_cost + rest) : runs * (p->run_time / 2 + rest);
}

/* Scan scenario K: fail each planned allocation in turn, within twice the
 * time planned: past that the stride doubles (once; *WIDENED says from
 * which allocation on), so that a machine slower than measured still
 * ends in time.  Returns the failing runs. */
static unsigned long scan(size_t k, double planned, unsigned long *visited, unsigned long *jansson,
                          unsigned long *widened)
{
    struct plan *p = &plans[k];
    unsigned long failures = 0;
    *visited = 0;
    jansson_cases = 0;
    stride = p->stride;
    offset = p->offset;
    widened_at = 0;
    deadline = p->fixed ? now() + 1e9 : now() + 2 * planned + 2;
    if (p->fork) {
        fflush(stdout);
        fflush(stderr);
        mode = MODE_FORK;
        calls = 0;
        forks = 0;
        child_failures = 0;
        int problems_here = run_once(scenarios[k].run, live);
        mode = MODE_OFF;
        while (nchildren > 0)
            reap(true);
        *visited = forks;
        failures = child_failures + (problems_here ? 1 : 0);
        if (calls != p->allocs) {
            fprintf(stderr, "test_oom: %s: %lu allocations, %lu in the run before\n", scenario,
                    calls, p->allocs);
            failures++;
        }
    } else {
        for (unsigned long n = 1 + offset;; n += stride) {
            if (now() > deadline) {
                stride *= 2;
                deadline = now() + 3600;
                n = ((n - 1 - offset + stride - 1) / stride) * stride + offset + 1;
                widened_at = n;
            }
            mode = MODE_NTH;
            fail_at = n;
            calls = 0;
            injected = false;
            if (run_once(scenarios[k].run, live))
                failures++;
            else if (tolerated)
                jansson_cases++;
            bool done = !injected;
            injected = false;
            if (done)
                break;
            ++*visited;
            if (failures >= 20) {
                fprintf(stderr, "test_oom: %s: stopping after 20 failures\n", scenario);
                break;
            }
        }
        mode = MODE_OFF;
    }
    *jansson = jansson_cases;
    *widened = widened_at;
    return failures;
}

static unsigned long env_ulong(const char *name, unsigned long dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoul(v, NULL, 10) : dflt;
}

int main(void)
{
#ifdef RP_ASAN_SKIP
    printf("test_oom: not under AddressSanitizer (its start-up calls this program's malloc "
           "before main): skipped; the plain and valgrind builds run it\n");
    return 77;
#elif defined(RP_TSAN)
    printf("test_oom: not under ThreadSanitizer (test_threads is its test): skipped\n");
    return 77;
#endif
    /* backtrace() loads libgcc on first use: not inside the hook.  What
     * the dynamic loader allocates then stays (LeakSanitizer knows the
     * loader's allocations by their caller, here this program's malloc). */
    LSAN_DISABLE();
    inject_depth = backtrace(inject_trace, 32);
    LSAN_ENABLE();
    atexit(child_verdict);

    bool valgrind = on_valgrind();
    const char *m = getenv("RP_OOM_MODE");
    const char *only = getenv("RP_OOM_ONLY");
    unsigned long forced_stride = env_ulong("RP_OOM_STRIDE", 0);
    double budget = (double)env_ulong("RP_OOM_BUDGET", valgrind ? 200 : 25);
    max_children = (unsigned)env_ulong("RP_OOM_JOBS", 2);
    if (max_children < 1 || max_children > MAX_CHILDREN)
        max_children = 2;

    demo_text = slurp("tests/data/packs/demo.yaml", &demo_len);
    rp_error err = {0};
    builtin_pack = rp_pack_load_builtin(NULL, "ray-hardening", &err);
    demo_pack = rp_pack_load_string(NULL, demo_text, demo_len, "demo.yaml", &err);
    if (!builtin_pack || !demo_pack) {
        fprintf(stderr, "test_oom: the packs do not load: %s\n", err.message);
        return 1;
    }

    /* Interposition must work, or nothing below means anything. */
    armed = true;
    mode = MODE_NTH;
    fail_at = 1;
    calls = 0;
    rp_env *probe = rp_env_new(NULL, &err);
    armed = false;
    mode = MODE_OFF;
    if (probe || !injected) {
        printf("test_oom: the allocation functions cannot be replaced here: skipped\n");
        rp_env_free(probe);
        rp_pack_free(builtin_pack);
        rp_pack_free(demo_pack);
        free(demo_text);
        return 77;
    }
    injected = false;

    /* Each scenario twice without failures: the reference results, then
     * the same results, no leak, and what a run costs. */
    int status = 0;
    for (size_t k = 0; k < NSCENARIOS; k++) {
        struct plan *p = &plans[k];
        p->skip = only && strcmp(only, scenarios[k].name) != 0;
        if (p->skip)
            continue;
        scenario = scenarios[k].name;
        refs = &p->refs;
        recording = true;
        mode = MODE_NTH;
        fail_at = 0;
        calls = 0;
        if (run_once(scenarios[k].run, live) == 0) {
            recording = false;
            calls = 0;
            double t0 = now();
            run_once(scenarios[k].run, live);
            p->run_time = now() - t0;
            p->allocs = calls;
        }
        recording = false;
        mode = MODE_OFF;
        p->broken = problems != 0;
        if (p->broken)
            status = 1;
    }

    /* The plan: per scenario the cheaper mode, and every allocation unless
     * that would take longer than the budget; then the scenario that costs
     * most is given a stride, doubled until the whole fits. */
    bool sequential_only = valgrind || (m && strcmp(m, "sequential") == 0);
    bool fork_only = m && strcmp(m, "fork") == 0;
    double child_cost = sequential_only ? 0 : fork_cost();
    unsigned long seed = env_ulong("RP_OOM_OFFSET", (unsigned long)time(NULL));
    double total = 0;
    for (size_t k = 0; k < NSCENARIOS; k++) {
        struct plan *p = &plans[k];
        p->stride = forced_stride ? forced_stride : 1;
        p->fixed = forced_stride != 0;
        p->fork = false;
        double seq = projected(k, child_cost);
        p->fork = true;
        double forked = projected(k, child_cost);
        p->fork = !sequential_only && (fork_only || forked < seq);
        if (!p->skip && !p->broken)
            total += projected(k, child_cost);
    }
    while (!forced_stride && total > budget) {
        size_t worst = NSCENARIOS;
        for (size_t k = 0; k < NSCENARIOS; k++)
            if (!plans[k].skip && !plans[k].broken && plans[k].stride < plans[k].allocs &&
                (worst == NSCENARIOS || projected(k, child_cost) > projected(worst, child_cost)))
                worst = k;
        if (worst == NSCENARIOS)
            break;
        total -= projected(worst, child_cost);
        plans[worst].stride *= 2;
        total += projected(worst, child_cost);
    }
    if (sequential_only)
        printf("test_oom: budget %.0f s; sequential runs only%s\n", budget,
               valgrind ? " (under valgrind)" : "");
    else
        printf("test_oom: budget %.0f s; a child process costs %.2f ms here\n", budget,
               child_cost * 1e3);

    for (size_t k = 0; k < NSCENARIOS; k++) {
        struct plan *p = &plans[k];
        if (p->skip || p->broken)
            continue;
        scenario = scenarios[k].name;
        refs = &p->refs;
        p->offset = p->stride > 1 ? seed % p->stride : 0;
        double t0 = now();
        unsigned long visited, jansson, widened;
        unsigned long failures = scan(k, projected(k, child_cost), &visited, &jansson, &widened);
        printf("test_oom: %-12s %6lu allocations, %6lu failed in turn (%s): %s (%.1fs)\n",
               scenario, p->allocs, visited, p->fork ? "fork" : "sequential",
               failures ? "FAILED" : "ok", now() - t0);
        if (p->stride > 1)
            printf("test_oom: %-12s   to keep within the budget, only allocations %lu, %lu, %lu, "
                   "... failed (stride %lu); RP_OOM_ONLY=%s RP_OOM_STRIDE=%lu RP_OOM_OFFSET=%lu "
                   "repeats this, RP_OOM_STRIDE=1 fails every one\n",
                   scenario, p->offset + 1, p->offset + 1 + p->stride,
                   p->offset + 1 + 2 * p->stride, p->stride, scenario, p->stride, p->offset);
        if (widened)
            printf("test_oom: %-12s   slower than planned: from allocation %lu on, stride %lu\n",
                   scenario, widened, stride);
        if (jansson)
            printf("test_oom: %-12s   %lu runs got another document from json_loadb, which "
                   "ignores some failed allocations (jansson 2.14's lex_save): not failures\n",
                   scenario, jansson);
        fflush(stdout);
        if (failures)
            status = 1;
    }
    rp_pack_free(builtin_pack);
    rp_pack_free(demo_pack);
    free(demo_text);
    for (size_t k = 0; k < NSCENARIOS; k++)
        for (size_t i = 0; i < plans[k].refs.n; i++)
            free(plans[k].refs.v[i]);
    return status;
}
