/* raypolicy-webhook.c -- a Kubernetes validating admission webhook that
 * enforces libraypolicy policy packs (built on libmicrohttpd and jansson).
 *
 *   raypolicy-webhook [--pack NAME|FILE]... [--params FILE] [--context FILE]...
 *                     [--skip-rule ID]... (--cert FILE --key FILE | --insecure-http)
 *                     [--bind ADDR] [--port N] [--max-body BYTES]
 *                     [--max-concurrency N]
 *
 * The API server POSTs an admission.k8s.io/v1 AdmissionReview to /validate;
 * the webhook checks request.object with the packs and answers an
 * AdmissionReview whose response allows or denies it:
 *
 *   finding of a rule whose action is deny   -> denied: 403, the findings'
 *                                               "RULE: message"s joined
 *   finding of a warn rule                   -> allowed, a warning
 *   finding of an audit rule                 -> allowed, an audit annotation
 *   bypassed finding (break-glass annotation) -> allowed, a warning naming
 *                                               the break-glass reason
 *   a rule that cannot be evaluated          -> denied (fail closed, as a
 *                                               ValidatingAdmissionPolicy
 *                                               with failurePolicy: Fail)
 *
 * Requests without an object to check (DELETE, most CONNECTs) are allowed.
 *
 * The packs, the parameters and the context objects are read once at
 * start-up and never change: every request builds its own rp_checker over
 * them, so worker threads share nothing mutable but a count of requests in
 * progress (for the graceful shutdown).  Concurrency is bounded by
 * libmicrohttpd's thread pool (--max-concurrency threads, each checking one
 * request at a time) and its connection limit; the body size is bounded
 * while the body is read.  Each request gives one line on stderr.
 *
 * A webhook sees one object at a time, while some rules look across objects
 * (the `inventory`: a NetworkPolicy or a ResourceQuota in the namespace).
 * --context files stand for those other objects: they are part of every
 * check, and only the findings about the object under review count.
 * --skip-rule ignores a rule's findings where no context can be given.
 *
 * SIGTERM or SIGINT: stop accepting connections, let the requests in
 * progress finish (at most SHUTDOWN_GRACE_MS), exit 0.
 *
 * It uses only the public header of libraypolicy, as any program would.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include <raypolicy.h>

#define PROGRAM "raypolicy-webhook"
#define DEFAULT_PACK "ray-hardening"
#define DEFAULT_PORT 8443
/* The API server's own limit on a request body (k8s.io/apiserver,
 * MaxRequestBodyBytes): no AdmissionReview it sends about an object it
 * accepted needs more, except an UPDATE of a very large object (two copies). */
#define DEFAULT_MAX_BODY ((size_t)3 * 1024 * 1024)
#define DEFAULT_CONCURRENCY 4u
/* Open connections per worker thread: the API server keeps connections
 * alive, so idle ones must not use up the limit while others work. */
#define CONNECTIONS_PER_THREAD 16u
/* Kubernetes' longest webhook timeout (timeoutSeconds) is 30 s: a
 * connection idle for longer is of no use to it. */
#define CONNECTION_TIMEOUT_S 30u
/* How long a graceful shutdown waits for requests in progress. */
#define SHUTDOWN_GRACE_MS 10000
/* Start-up files (packs are read by the library): a pack-sized bound. */
#define MAX_FILE_BYTES ((size_t)64 * 1024 * 1024)
/* The name the object under review has in the checker, so that its
 * findings can be told from those about context objects. */
#define REVIEW_SOURCE "<admission-request>"
/* TLS 1.2 and 1.3 only, as the API server's client does. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
/* 413, by number: libmicrohttpd renamed its constant (PAYLOAD -> CONTENT) in 0.9.74. */
#define HTTP_CONTENT_TOO_LARGE 413u

/* ---- Start-up state: read once, then shared read-only by every thread ---- */

typedef struct context_file {
    const char *name;
    char *text;
    size_t len;
} context_file;

typedef struct webhook {
    rp_env *env;
    rp_pack **packs;
    size_t n_packs;
    char *params;                 /* NULL: the packs' defaults */
    size_t params_len;
    const char *params_source;
    context_file *context;
    size_t n_context;
    const char **skip_rules;
    size_t n_skip_rules;
    size_t max_body;
    atomic_uint in_flight;        /* requests between first call and completion */
} webhook;

/* ---- Small helpers ------------------------------------------------------- */

/* A growing string; after a failed allocation it stays as it was and
 * records the failure in OOM, so that callers check once at the end. */
typedef struct strbuf {
    char *p;
    size_t len, cap;
    bool oom;
} strbuf;

static void sb_addn(strbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_add(strbuf *b, const char *s) { sb_addn(b, s, strlen(s)); }

static void sb_free(strbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* The whole of file PATH, NUL-terminated (certificates and keys are handed
 * to libmicrohttpd as C strings); NULL after printing why. */
static char *read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, PROGRAM ": %s: %s\n", path, strerror(errno));
        return NULL;
    }
    strbuf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !b.oom && b.len <= MAX_FILE_BYTES)
        sb_addn(&b, chunk, n);
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed || b.oom || b.len > MAX_FILE_BYTES) {
        fprintf(stderr, PROGRAM ": %s: %s\n", path,
                failed ? "read error" : b.oom ? "out of memory" : "file too large");
        sb_free(&b);
        return NULL;
    }
    if (!b.p) {
        b.p = calloc(1, 1);
        if (!b.p)
            fprintf(stderr, PROGRAM ": out of memory\n");
    }
    *len_out = b.len;
    return b.p;
}

/* Copy untrusted text for the log: at most N-1 bytes, control characters
 * (and spaces, unless SPACES) replaced, so that one request is always one
 * line of space-separated fields. */
static void log_copy(char *dst, size_t n, const char *src, bool spaces)
{
    size_t i = 0;
    for (; src && src[i] && i + 1 < n; i++) {
        unsigned char ch = (unsigned char)src[i];
        dst[i] = (ch < ' ' || ch == 0x7f || (ch == ' ' && !spaces)) ? '_' : (char)ch;
    }
    dst[i] = '\0';
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One line on stderr, prefixed with the UTC time; a single write per line
 * so that lines from different threads do not interleave. */
static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void log_line(const char *fmt, ...)
{
    char line[2048];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ " PROGRAM ": ", &tm);
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (k < 0)
        k = 0;
    n += (size_t)k < sizeof line - n - 1 ? (size_t)k : sizeof line - n - 2;
    line[n++] = '\n';
    fwrite(line, 1, n, stderr);
}

/* ---- Checking an object -------------------------------------------------- */

/* What the packs say about one object. */
typedef struct verdict {
    bool allowed;
    strbuf message;       /* "RULE: message; RULE: message" of the denials */
    strbuf denied_rules;  /* "RULE,RULE", for the log */
    json_t *warnings;     /* array of strings */
    json_t *audit;        /* object: rule -> message(s) */
    bool oom;
} verdict;

static void verdict_free(verdict *v)
{
    sb_free(&v->message);
    sb_free(&v->denied_rules);
    json_decref(v->warnings);
    json_decref(v->audit);
}

static bool is_skipped(const webhook *w, const char *rule)
{
    for (size_t i = 0; i < w->n_skip_rules; i++)
        if (strcmp(w->skip_rules[i], rule) == 0)
            return true;
    return false;
}

static void deny(verdict *v, const char *rule, const char *message)
{
    v->allowed = false;
    if (v->message.len)
        sb_add(&v->message, "; ");
    sb_add(&v->message, rule);
    sb_add(&v->message, ": ");
    sb_add(&v->message, message);
    if (v->denied_rules.len)
        sb_add(&v->denied_rules, ",");
    sb_add(&v->denied_rules, rule);
}

static void warn(verdict *v, const char *text)
{
    if (json_array_append_new(v->warnings, json_string(text)))
        v->oom = true;
}

/* An audit annotation's key is RULE (the API server prefixes the webhook's
 * name); a key must be a qualified name's name part: 1-63 characters of
 * [A-Za-z0-9._-], alphanumeric at both ends.  Rule IDs almost always are;
 * the others go under "finding".  Several findings of a rule are joined. */
static void audit(verdict *v, const char *rule, const char *message)
{
    size_t n = strlen(rule);
    static const char name_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "abcdefghijklmnopqrstuvwxyz0123456789._-";
    bool ok = n > 0 && n <= 63 && strspn(rule, name_chars) == n;
    ok = ok && strchr("._-", rule[0]) == NULL && strchr("._-", rule[n - 1]) == NULL;
    const char *key = ok ? rule : "finding";
    strbuf b = {0};
    const char *old = json_string_value(json_object_get(v->audit, key));
    if (old) {
        sb_add(&b, old);
        sb_add(&b, "; ");
    }
    if (!ok) {
        sb_add(&b, rule);
        sb_add(&b, ": ");
    }
    sb_add(&b, message);
    if (b.oom || json_object_set_new(v->audit, key, json_string(b.p)))
        v->oom = true;
    sb_free(&b);
}

/* The rule IDs of the report's errors, which the C API does not give
 * (rp_report_error_* has no rule accessor): from the report's JSON form,
 * index by index; NULL when unavailable. */
static json_t *error_rules(const rp_report *r)
{
    char *text = rp_report_to_json(r);
    if (!text)
        return NULL;
    json_t *root = json_loads(text, 0, NULL);
    rp_free(text);
    json_t *errors = json_incref(json_object_get(root, "errors"));
    json_decref(root);
    return errors;
}

/* Turn report R into V: only findings and errors about the object under
 * review count (context objects are checked too, and their findings are
 * theirs).  An error about the object denies it, since a rule that cannot be
 * evaluated has not shown the object to be safe. */
static void judge(const webhook *w, const rp_report *r, verdict *v)
{
    size_t nf = rp_report_finding_count(r);
    for (size_t i = 0; i < nf && !v->oom; i++) {
        const char *file = rp_report_finding_get(r, i, RP_FINDING_FILE);
        const char *rule = rp_report_finding_get(r, i, RP_FINDING_RULE);
        const char *action = rp_report_finding_get(r, i, RP_FINDING_ACTION);
        const char *msg = rp_report_finding_get(r, i, RP_FINDING_MESSAGE);
        if (!file || strcmp(file, REVIEW_SOURCE) != 0 || !rule || is_skipped(w, rule))
            continue;
        if (!action)
            action = "deny";
        if (!msg)
            msg = "";
        if (rp_report_finding_bypassed(r, i)) {
            const char *why = rp_report_finding_get(r, i, RP_FINDING_BREAK_GLASS);
            strbuf b = {0};
            sb_add(&b, rule);
            sb_add(&b, " (");
            sb_add(&b, action);
            sb_add(&b, ", bypassed by break-glass: ");
            sb_add(&b, why ? why : "");
            sb_add(&b, "): ");
            sb_add(&b, msg);
            if (b.oom)
                v->oom = true;
            else
                warn(v, b.p);
            sb_free(&b);
        } else if (strcmp(action, "deny") == 0) {
            deny(v, rule, msg);
        } else if (strcmp(action, "warn") == 0) {
            strbuf b = {0};
            sb_add(&b, rule);
            sb_add(&b, ": ");
            sb_add(&b, msg);
            if (b.oom)
                v->oom = true;
            else
                warn(v, b.p);
            sb_free(&b);
        } else {
            audit(v, rule, msg);
        }
    }
    size_t ne = rp_report_error_count(r);
    json_t *rules = NULL;
    for (size_t i = 0; i < ne && !v->oom; i++) {
        const char *file = rp_report_error_file(r, i);
        if (file && strcmp(file, REVIEW_SOURCE) != 0)
            continue;
        if (!rules)
            rules = error_rules(r);
        const char *rule = json_string_value(json_object_get(json_array_get(rules, i), "rule"));
        const char *kind = rp_report_error_kind(r, i);
        if (rule && is_skipped(w, rule))
            continue;
        const char *msg = rp_report_error_message(r, i);
        strbuf b = {0};
        sb_add(&b, kind && strcmp(kind, "eval") == 0 ? "rule could not be evaluated: "
                                                      : "object could not be checked: ");
        sb_add(&b, msg ? msg : "");
        if (b.oom)
            v->oom = true;
        else
            deny(v, rule ? rule : "error", b.p);
        sb_free(&b);
    }
    json_decref(rules);
    if (v->message.oom || v->denied_rules.oom)
        v->oom = true;
}

/* A new checker over the start-up state: the packs, the parameters and the
 * context objects; NULL after logging why (out of memory: the start-up
 * check has shown that everything else loads). */
static rp_checker *new_checker(const webhook *w)
{
    rp_error err = {0};
    rp_checker *c = rp_checker_new(&err);
    for (size_t i = 0; c && i < w->n_packs; i++)
        if (rp_checker_add_pack(c, w->packs[i], &err) != RP_OK)
            goto fail;
    if (c && w->params &&
        rp_checker_set_params(c, w->params, w->params_len, w->params_source, &err) != RP_OK)
        goto fail;
    for (size_t i = 0; c && i < w->n_context; i++)
        if (rp_checker_add_input(c, w->context[i].name, w->context[i].text, w->context[i].len,
                                 &err) == RP_ENOMEM)
            goto fail;
    if (c)
        return c;
fail:
    log_line("cannot set up a check: %s", err.message[0] ? err.message : rp_strerror(err.code));
    rp_checker_free(c);
    return NULL;
}

/* Check OBJECT (JSON text) into V; -1 when the check could not run. */
static int check_object(const webhook *w, const char *object, size_t len, verdict *v)
{
    v->allowed = true;
    v->warnings = json_array();
    v->audit = json_object();
    if (!v->warnings || !v->audit)
        return -1;
    rp_checker *c = new_checker(w);
    if (!c)
        return -1;
    rp_error err = {0};
    /* an object that cannot be read is an error entry of the report */
    if (rp_checker_add_input(c, REVIEW_SOURCE, object, len, &err) == RP_ENOMEM) {
        rp_checker_free(c);
        return -1;
    }
    rp_report *r = rp_checker_run(c, &err);
    rp_checker_free(c);
    if (!r) {
        log_line("check failed: %s", err.message[0] ? err.message : rp_strerror(err.code));
        return -1;
    }
    judge(w, r, v);
    rp_report_free(r);
    return v->oom ? -1 : 0;
}

/* ---- AdmissionReview ----------------------------------------------------- */

/* The parts of an admission.k8s.io/v1 AdmissionReview request the webhook
 * uses; pointers borrowed from the parsed document. */
typedef struct review {
    const char *uid;
    const char *operation;
    const char *namespace_;
    const char *name;
    json_t *object;          /* NULL or JSON null for DELETE */
    const char *group, *version, *kind;  /* request.kind */
} review;

static const char *str_at(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Decode ROOT into RV; -1 with WHY (a message for the HTTP 400) when ROOT
 * is not an AdmissionReview request this webhook can answer. */
static int review_decode(json_t *root, review *rv, char *why, size_t n)
{
    memset(rv, 0, sizeof *rv);
    if (!json_is_object(root)) {
        snprintf(why, n, "the body is not a JSON object");
        return -1;
    }
    const char *api = str_at(root, "apiVersion"), *kind = str_at(root, "kind");
    if (!api || strcmp(api, "admission.k8s.io/v1") != 0) {
        snprintf(why, n, "apiVersion must be admission.k8s.io/v1, not %s",
                 api ? api : "missing");
        return -1;
    }
    if (!kind || strcmp(kind, "AdmissionReview") != 0) {
        snprintf(why, n, "kind must be AdmissionReview, not %s", kind ? kind : "missing");
        return -1;
    }
    json_t *req = json_object_get(root, "request");
    if (!json_is_object(req)) {
        snprintf(why, n, "request is missing or not an object");
        return -1;
    }
    rv->uid = str_at(req, "uid");
    if (!rv->uid || !rv->uid[0]) {
        snprintf(why, n, "request.uid is missing or empty");
        return -1;
    }
    rv->operation = str_at(req, "operation");
    static const char *const ops[] = {"CREATE", "UPDATE", "DELETE", "CONNECT"};
    bool known = false;
    for (size_t i = 0; rv->operation && i < sizeof ops / sizeof *ops; i++)
        known = known || strcmp(rv->operation, ops[i]) == 0;
    if (!known) {
        snprintf(why, n, "request.operation must be CREATE, UPDATE, DELETE or CONNECT");
        return -1;
    }
    rv->namespace_ = str_at(req, "namespace");
    rv->name = str_at(req, "name");
    json_t *k = json_object_get(req, "kind");
    rv->group = str_at(k, "group");
    rv->version = str_at(k, "version");
    rv->kind = str_at(k, "kind");
    rv->object = json_object_get(req, "object");
    bool has_object = rv->object && !json_is_null(rv->object);
    if (has_object && !json_is_object(rv->object)) {
        snprintf(why, n, "request.object is not an object");
        return -1;
    }
    if (!has_object && (strcmp(rv->operation, "CREATE") == 0 ||
                        strcmp(rv->operation, "UPDATE") == 0)) {
        snprintf(why, n, "request.object is missing for %s", rv->operation);
        return -1;
    }
    if (!has_object)
        rv->object = NULL;
    return 0;
}

/* On CREATE the object may not carry its namespace yet (the API server
 * fills it from the URL); the rules need it, so take request.namespace. */
static int fill_namespace(review *rv)
{
    if (!rv->namespace_ || !rv->namespace_[0])
        return 0;
    json_t *meta = json_object_get(rv->object, "metadata");
    if (!meta) {
        meta = json_object();
        if (json_object_set_new(rv->object, "metadata", meta))
            return -1;
    }
    if (!json_is_object(meta))
        return 0;  /* left as it is: the rules report what they find */
    const char *ns = str_at(meta, "namespace");
    if (ns && ns[0])
        return 0;
    return json_object_set_new(meta, "namespace", json_string(rv->namespace_));
}

/* The AdmissionReview answering RV with V (V NULL: allowed, nothing to
 * say); NULL when out of memory. */
static json_t *review_response(const review *rv, const verdict *v)
{
    json_t *resp = json_object(), *root = json_object();
    bool ok = resp && root;
    ok = ok && !json_object_set_new(root, "apiVersion", json_string("admission.k8s.io/v1"));
    ok = ok && !json_object_set_new(root, "kind", json_string("AdmissionReview"));
    ok = ok && !json_object_set_new(resp, "uid", json_string(rv->uid));
    ok = ok && !json_object_set_new(resp, "allowed", json_boolean(!v || v->allowed));
    if (ok && v && !v->allowed) {
        json_t *st = json_object();
        ok = st && !json_object_set_new(resp, "status", st);
        ok = ok && !json_object_set_new(st, "code", json_integer(403));
        ok = ok && !json_object_set_new(st, "reason", json_string("Forbidden"));
        ok = ok && !json_object_set_new(st, "message",
                                        json_string(v->message.p ? v->message.p : ""));
    }
    if (ok && v && json_array_size(v->warnings))
        ok = !json_object_set(resp, "warnings", v->warnings);
    if (ok && v && json_object_size(v->audit))
        ok = !json_object_set(resp, "auditAnnotations", v->audit);
    ok = ok && !json_object_set(root, "response", resp);
    json_decref(resp);
    if (!ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}

/* ---- HTTP ---------------------------------------------------------------- */

typedef enum route { ROUTE_VALIDATE, ROUTE_HEALTH, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD } route;

/* One request, from its first call to its completion. */
typedef struct request {
    struct timespec start;
    route route;
    char method[16];
    char path[128];
    char *body;
    size_t len, cap;
    bool too_large;
    bool logged;
} request;

/* Queue STATUS with BODY (copied) of content type TYPE. */
static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *type,
                               const char *body, size_t len, const char *allow)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    enum MHD_Result ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (ok == MHD_YES && allow)
        ok = MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    if (ok == MHD_YES)
        ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* A plain-text answer (errors, health), logged. */
static enum MHD_Result respond_text(struct MHD_Connection *conn, request *rq, unsigned status,
                                    const char *text, const char *allow)
{
    char body[1100];
    int n = snprintf(body, sizeof body, "%s\n", text);
    if (n < 0 || (size_t)n >= sizeof body)
        n = (int)sizeof body - 1;
    char note[512];
    log_copy(note, sizeof note, text, true);
    log_line("%s %s %u %.1fms%s%s", rq->method, rq->path, status, ms_since(&rq->start),
             status == MHD_HTTP_OK ? "" : " ", status == MHD_HTTP_OK ? "" : note);
    rq->logged = true;
    return respond(conn, status, "text/plain; charset=utf-8", body, (size_t)n, allow);
}

/* The answer to a complete POST /validate. */
static enum MHD_Result answer_review(const webhook *w, struct MHD_Connection *conn, request *rq)
{
    char why[600];
    json_error_t jerr;
    json_t *root = json_loadb(rq->body ? rq->body : "", rq->len,
                              JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!root) {
        snprintf(why, sizeof why, "malformed JSON: line %d column %d: %s", jerr.line,
                 jerr.column, jerr.text);
        return respond_text(conn, rq, MHD_HTTP_BAD_REQUEST, why, NULL);
    }
    review rv;
    if (review_decode(root, &rv, why, sizeof why) != 0) {
        enum MHD_Result r = respond_text(conn, rq, MHD_HTTP_BAD_REQUEST, why, NULL);
        json_decref(root);
        return r;
    }
    verdict v = {0};
    int rc = 0;
    if (rv.object) {
        char *text = NULL;
        rc = fill_namespace(&rv);
        if (rc == 0)
            text = json_dumps(rv.object, JSON_COMPACT);
        rc = text ? check_object(w, text, strlen(text), &v) : -1;
        free(text);
    }
    json_t *answer = rc == 0 ? review_response(&rv, rv.object ? &v : NULL) : NULL;
    char *body = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
    json_decref(answer);

    char uid[80], op[16], what[256], ns[80], name[160], rules[400];
    log_copy(uid, sizeof uid, rv.uid, false);
    log_copy(op, sizeof op, rv.operation, false);
    snprintf(what, sizeof what, "%s%s%s/%s", rv.group ? rv.group : "",
             rv.group && rv.group[0] ? "/" : "", rv.version ? rv.version : "",
             rv.kind ? rv.kind : "");
    log_copy(what, sizeof what, what, false);
    log_copy(ns, sizeof ns, rv.namespace_ && rv.namespace_[0] ? rv.namespace_ : "-", false);
    log_copy(name, sizeof name, rv.name && rv.name[0] ? rv.name : "-", false);
    log_copy(rules, sizeof rules, v.denied_rules.p ? v.denied_rules.p : "", false);
    enum MHD_Result r;
    if (!body) {
        r = respond_text(conn, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
                         "internal error: the check could not run (out of memory)", NULL);
    } else {
        log_line("%s %s 200 %.1fms uid=%s op=%s %s %s/%s %s%s%s warnings=%zu audit=%zu",
                 rq->method, rq->path, ms_since(&rq->start), uid, op, what, ns, name,
                 !rv.object || v.allowed ? "allowed" : "denied", rules[0] ? " " : "", rules,
                 json_array_size(v.warnings), json_object_size(v.audit));
        rq->logged = true;
        r = respond(conn, MHD_HTTP_OK, "application/json", body, strlen(body), NULL);
    }
    free(body);
    verdict_free(&v);
    json_decref(root);
    return r;
}

/* Keep the next part of the body, unless that would pass the limit: then
 * the body is dropped and the rest is read and thrown away (libmicrohttpd
 * lets a response be queued only before the body or after all of it), and
 * the answer is 413. */
static void take_body(const webhook *w, request *rq, const char *data, size_t n)
{
    if (rq->too_large)
        return;
    if (n > w->max_body - rq->len) {
        rq->too_large = true;
        free(rq->body);
        rq->body = NULL;
        rq->len = rq->cap = 0;
        return;
    }
    if (rq->len + n > rq->cap) {
        size_t cap = rq->cap ? rq->cap : 16384;
        while (cap < rq->len + n)
            cap *= 2;
        if (cap > w->max_body)
            cap = w->max_body;
        char *np = realloc(rq->body, cap);
        if (!np) {
            rq->too_large = true;  /* cannot hold it: answered as too large */
            free(rq->body);
            rq->body = NULL;
            rq->len = rq->cap = 0;
            return;
        }
        rq->body = np;
        rq->cap = cap;
    }
    memcpy(rq->body + rq->len, data, n);
    rq->len += n;
}

/* Which route serves METHOD and URL. */
static route route_of(const char *method, const char *url)
{
    if (strcmp(url, "/validate") == 0)
        return strcmp(method, MHD_HTTP_METHOD_POST) == 0 ? ROUTE_VALIDATE : ROUTE_BAD_METHOD;
    if (strcmp(url, "/healthz") == 0 || strcmp(url, "/readyz") == 0)
        return strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0
                   ? ROUTE_HEALTH
                   : ROUTE_BAD_METHOD;
    return ROUTE_NOT_FOUND;
}

/* libmicrohttpd's access handler: called once when the headers are in,
 * once per piece of body, and once when the body is complete (*UPLOAD_SIZE
 * 0).  Everything but a /validate POST of acceptable size is answered at
 * the first call, before any body is read. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    webhook *w = cls;
    request *rq = *con_cls;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rq->start);
        log_copy(rq->method, sizeof rq->method, method, false);
        log_copy(rq->path, sizeof rq->path, url, false);
        rq->route = route_of(method, url);
        *con_cls = rq;
        atomic_fetch_add(&w->in_flight, 1);
        switch (rq->route) {
        case ROUTE_NOT_FOUND:
            return respond_text(conn, rq, MHD_HTTP_NOT_FOUND, "not found", NULL);
        case ROUTE_BAD_METHOD:
            return respond_text(conn, rq, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                                strcmp(url, "/validate") == 0 ? "POST" : "GET, HEAD");
        case ROUTE_HEALTH:
            return respond_text(conn, rq, MHD_HTTP_OK, "ok", NULL);
        case ROUTE_VALIDATE:
            break;
        }
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                      MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            errno = 0;
            char *end;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || end == cl || n > w->max_body) {
                rq->too_large = true;
                return respond_text(conn, rq, HTTP_CONTENT_TOO_LARGE,
                                    "request body too large", NULL);
            }
        }
        return MHD_YES;
    }
    if (rq->logged) {  /* answered early: whatever body follows is dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        take_body(w, rq, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (rq->too_large)
        return respond_text(conn, rq, HTTP_CONTENT_TOO_LARGE, "request body too large", NULL);
    return answer_review(w, conn, rq);
}

/* Called when a request is over (answered, or the client went away). */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode how)
{
    (void)conn;
    webhook *w = cls;
    request *rq = *con_cls;
    if (!rq)
        return;
    if (!rq->logged)
        log_line("%s %s aborted (%s) %.1fms", rq->method, rq->path,
                 how == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timeout"
                 : how == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? "shutdown"
                 : how == MHD_REQUEST_TERMINATED_CLIENT_ABORT ? "client closed the connection"
                                                               : "error",
                 ms_since(&rq->start));
    free(rq->body);
    free(rq);
    *con_cls = NULL;
    atomic_fetch_sub(&w->in_flight, 1);
}

/* libmicrohttpd's own messages (TLS handshake failures, connection limit),
 * in the log's format. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_line("libmicrohttpd: %s", msg);
}

/* ---- Start-up ------------------------------------------------------------ */

typedef struct options {
    const char **packs;
    size_t n_packs;
    const char *params;
    const char **context;
    size_t n_context;
    const char **skip;
    size_t n_skip;
    const char *cert, *key;
    bool insecure_http;
    const char *bind;
    unsigned port;
    size_t max_body;
    unsigned concurrency;
} options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROGRAM " [--pack NAME|FILE]... [--params FILE] [--context FILE]...\n"
            "           [--skip-rule ID]... (--cert FILE --key FILE | --insecure-http)\n"
            "           [--bind ADDR] [--port N] [--max-body BYTES] [--max-concurrency N]\n"
            "\n"
            "A Kubernetes validating admission webhook: POST /validate checks the\n"
            "AdmissionReview's object with policy packs; GET /healthz answers ok.\n"
            "\n"
            "  --pack NAME|FILE     a built-in pack or a pack file; repeatable\n"
            "                       (default: the built-in " DEFAULT_PACK " pack)\n"
            "  --params FILE        parameters (YAML or JSON) merged over the packs' defaults\n"
            "  --context FILE       objects that rules looking across objects see beside\n"
            "                       the one under review (NetworkPolicies, ResourceQuotas,\n"
            "                       Namespaces); repeatable\n"
            "  --skip-rule ID       ignore the findings of rule ID; repeatable\n"
            "  --cert FILE          TLS certificate chain (PEM)\n"
            "  --key FILE           TLS private key (PEM)\n"
            "  --insecure-http      serve plain HTTP instead of TLS (local testing only)\n"
            "  --bind ADDR          the IPv4 or IPv6 address to listen on (default: all IPv4)\n"
            "  --port N             the port (default %d; 0: any free port, logged)\n"
            "  --max-body BYTES     largest request body (default %zu)\n"
            "  --max-concurrency N  requests checked at once (worker threads; default %u);\n"
            "                       at most %u open connections per thread\n"
            "  -h, --help           this help\n"
            "      --version        the versions of " PROGRAM " and libraypolicy\n"
            "\n"
            "Exit status: 0 after a clean shutdown (SIGTERM, SIGINT), 1 when the server\n"
            "cannot start, 2 bad usage or an unreadable pack, parameter or context file.\n",
            DEFAULT_PORT, DEFAULT_MAX_BODY, DEFAULT_CONCURRENCY, CONNECTIONS_PER_THREAD);
}

/* A whole number in [MIN, MAX] from TEXT, or -1 after printing why. */
static int parse_number(const char *opt, const char *text, unsigned long long min,
                        unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v < min || v > max) {
        fprintf(stderr, PROGRAM ": %s: '%s' is not a number from %llu to %llu\n", opt, text, min,
                max);
        return -1;
    }
    *out = v;
    return 0;
}

enum { OPT_PACK = 256, OPT_PARAMS, OPT_CONTEXT, OPT_SKIP, OPT_CERT, OPT_KEY, OPT_INSECURE,
       OPT_BIND, OPT_PORT, OPT_MAX_BODY, OPT_CONCURRENCY, OPT_VERSION };

/* Fill O from ARGV; 0 to go on, 1 to exit 0 (help, version), 2 bad usage. */
static int parse_options(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {
        {"pack", required_argument, NULL, OPT_PACK},
        {"params", required_argument, NULL, OPT_PARAMS},
        {"context", required_argument, NULL, OPT_CONTEXT},
        {"skip-rule", required_argument, NULL, OPT_SKIP},
        {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},
        {"insecure-http", no_argument, NULL, OPT_INSECURE},
        {"bind", required_argument, NULL, OPT_BIND},
        {"port", required_argument, NULL, OPT_PORT},
        {"max-body", required_argument, NULL, OPT_MAX_BODY},
        {"max-concurrency", required_argument, NULL, OPT_CONCURRENCY},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    o->port = DEFAULT_PORT;
    o->max_body = DEFAULT_MAX_BODY;
    o->concurrency = DEFAULT_CONCURRENCY;
    /* every list holds at most one entry per argument */
    o->packs = calloc((size_t)argc, sizeof *o->packs);
    o->context = calloc((size_t)argc, sizeof *o->context);
    o->skip = calloc((size_t)argc, sizeof *o->skip);
    if (!o->packs || !o->context || !o->skip) {
        fprintf(stderr, PROGRAM ": out of memory\n");
        return 2;
    }
    int ch;
    unsigned long long v;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case OPT_PACK: o->packs[o->n_packs++] = optarg; break;
        case OPT_PARAMS: o->params = optarg; break;
        case OPT_CONTEXT: o->context[o->n_context++] = optarg; break;
        case OPT_SKIP: o->skip[o->n_skip++] = optarg; break;
        case OPT_CERT: o->cert = optarg; break;
        case OPT_KEY: o->key = optarg; break;
        case OPT_INSECURE: o->insecure_http = true; break;
        case OPT_BIND: o->bind = optarg; break;
        case OPT_PORT:
            if (parse_number("--port", optarg, 0, 65535, &v))
                return 2;
            o->port = (unsigned)v;
            break;
        case OPT_MAX_BODY:
            if (parse_number("--max-body", optarg, 1, (unsigned long long)1 << 30, &v))
                return 2;
            o->max_body = (size_t)v;
            break;
        case OPT_CONCURRENCY:
            if (parse_number("--max-concurrency", optarg, 1, 1024, &v))
                return 2;
            o->concurrency = (unsigned)v;
            break;
        case 'h': usage(stdout); return 1;
        case OPT_VERSION:
            printf(PROGRAM " (libraypolicy %s)\n", rp_version());
            return 1;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, PROGRAM ": unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (!o->insecure_http && (!o->cert || !o->key)) {
        fprintf(stderr, PROGRAM ": TLS needs --cert FILE and --key FILE "
                        "(or --insecure-http for plain HTTP, for local testing only)\n");
        return 2;
    }
    if (o->insecure_http && (o->cert || o->key)) {
        fprintf(stderr, PROGRAM ": --insecure-http and --cert/--key exclude each other\n");
        return 2;
    }
    return 0;
}

/* Whether SPEC names a pack file rather than a built-in pack (as rpeval). */
static bool is_pack_file(const char *spec)
{
    size_t n = strlen(spec);
    return strchr(spec, '/') || (n > 5 && strcmp(spec + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(spec + n - 4, ".yml") == 0) ||
           (n > 5 && strcmp(spec + n - 5, ".json") == 0);
}

static void print_error(const char *what, const rp_error *err)
{
    fprintf(stderr, PROGRAM ": %s: %s\n", what,
            err->message[0] ? err->message : rp_strerror(err->code));
}

/* Load the packs, parameters and context of O into W, and run one check
 * with them and no object: a parameter no pack declares, a context document
 * that cannot be read, or a rule ID to skip that no pack has, is a start-up
 * error rather than a surprise on the first request.  0, or 2 after
 * printing why. */
static int load(const options *o, webhook *w)
{
    rp_error err = {0};
    rp_env_options eo;
    rp_env_options_init(&eo);
    eo.profile = RP_PROFILE_EXTENDED;  /* each pack compiles in the profile it declares */
    w->env = rp_env_new(&eo, &err);
    if (!w->env) {
        print_error("environment", &err);
        return 2;
    }
    static const char *const default_pack[] = {DEFAULT_PACK};
    const char *const *specs = o->n_packs ? o->packs : default_pack;
    size_t n_specs = o->n_packs ? o->n_packs : 1;
    w->packs = calloc(n_specs, sizeof *w->packs);
    w->context = calloc(o->n_context ? o->n_context : 1, sizeof *w->context);
    if (!w->packs || !w->context) {
        fprintf(stderr, PROGRAM ": out of memory\n");
        return 2;
    }
    for (size_t i = 0; i < n_specs; i++) {
        memset(&err, 0, sizeof err);
        rp_pack *p = is_pack_file(specs[i]) ? rp_pack_load_file(w->env, specs[i], &err)
                                            : rp_pack_load_builtin(w->env, specs[i], &err);
        if (!p) {
            print_error(specs[i], &err);
            return 2;
        }
        w->packs[w->n_packs++] = p;
    }
    if (o->params) {
        w->params = read_file(o->params, &w->params_len);
        if (!w->params)
            return 2;
        w->params_source = o->params;
    }
    for (size_t i = 0; i < o->n_context; i++) {
        w->context[i].name = o->context[i];
        w->context[i].text = read_file(o->context[i], &w->context[i].len);
        if (!w->context[i].text)
            return 2;
        w->n_context++;
    }
    w->max_body = o->max_body;
    w->skip_rules = o->skip;
    w->n_skip_rules = o->n_skip;
    for (size_t s = 0; s < o->n_skip; s++) {
        bool found = false;
        for (size_t p = 0; p < w->n_packs && !found; p++)
            for (size_t r = 0; r < rp_pack_rule_count(w->packs[p]) && !found; r++)
                found = strcmp(rp_pack_rule_id(w->packs[p], r), o->skip[s]) == 0;
        if (!found) {
            fprintf(stderr, PROGRAM ": --skip-rule %s: no pack has this rule\n", o->skip[s]);
            return 2;
        }
    }

    rp_checker *c = rp_checker_new(&err);
    for (size_t i = 0; c && i < w->n_packs; i++)
        if (rp_checker_add_pack(c, w->packs[i], &err) != RP_OK) {
            print_error(rp_pack_source(w->packs[i]), &err);
            rp_checker_free(c);
            return 2;
        }
    if (c && w->params &&
        rp_checker_set_params(c, w->params, w->params_len, w->params_source, &err) != RP_OK) {
        print_error(w->params_source, &err);
        rp_checker_free(c);
        return 2;
    }
    for (size_t i = 0; c && i < w->n_context; i++)
        rp_checker_add_input(c, w->context[i].name, w->context[i].text, w->context[i].len, NULL);
    rp_report *r = c ? rp_checker_run(c, &err) : NULL;
    rp_checker_free(c);
    if (!r) {
        print_error("start-up check", &err);
        return 2;
    }
    int status = 0;
    for (size_t i = 0; i < rp_report_error_count(r); i++) {
        const char *kind = rp_report_error_kind(r, i);
        const char *file = rp_report_error_file(r, i);
        bool fatal = kind && (strcmp(kind, "params") == 0 || strcmp(kind, "input") == 0);
        fprintf(stderr, PROGRAM ": %s%s%s:%u: %s\n", fatal ? "" : "warning: context ",
                file ? file : "", file ? "" : "(check)", rp_report_error_line(r, i),
                rp_report_error_message(r, i));
        if (fatal)
            status = 2;
    }
    rp_report_free(r);
    return status;
}

static void unload(webhook *w)
{
    for (size_t i = 0; i < w->n_packs; i++)
        rp_pack_free(w->packs[i]);
    free(w->packs);
    for (size_t i = 0; i < w->n_context; i++)
        free(w->context[i].text);
    free(w->context);
    free(w->params);
    rp_env_free(w->env);
}

/* A PEM file for libmicrohttpd; the key is wiped before it is freed. */
static void free_secret(char *p, size_t len)
{
    if (p)
        explicit_bzero(p, len);
    free(p);
}

/* Start the daemon; NULL after printing why. */
static struct MHD_Daemon *start(const options *o, webhook *w, const char *cert, const char *key)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (!o->insecure_http) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            fprintf(stderr, PROGRAM ": this libmicrohttpd has no TLS support\n");
            return NULL;
        }
        flags |= MHD_USE_TLS;
    }
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    memset(&sin, 0, sizeof sin);
    memset(&sin6, 0, sizeof sin6);
    const struct sockaddr *addr = (const struct sockaddr *)&sin;
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)o->port);
    sin.sin_addr.s_addr = htonl(INADDR_ANY);
    if (o->bind) {
        if (inet_pton(AF_INET6, o->bind, &sin6.sin6_addr) == 1) {
            sin6.sin6_family = AF_INET6;
            sin6.sin6_port = htons((uint16_t)o->port);
            addr = (const struct sockaddr *)&sin6;
            flags |= MHD_USE_IPv6;
        } else if (inet_pton(AF_INET, o->bind, &sin.sin_addr) != 1) {
            fprintf(stderr, PROGRAM ": --bind %s: not an IPv4 or IPv6 address\n", o->bind);
            return NULL;
        }
    }
    /* the options as one array: which ones are given depends on O */
    struct MHD_OptionItem opts[16];
    size_t k = 0;
#define OPT(o_, v_, p_) (opts[k++] = (struct MHD_OptionItem){(o_), (intptr_t)(v_), (void *)(p_)})
    OPT(MHD_OPTION_SOCK_ADDR, 0, addr);
    if (o->concurrency > 1)  /* one thread is libmicrohttpd's default, without a pool */
        OPT(MHD_OPTION_THREAD_POOL_SIZE, o->concurrency, NULL);
    OPT(MHD_OPTION_CONNECTION_LIMIT, o->concurrency * CONNECTIONS_PER_THREAD, NULL);
    OPT(MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S, NULL);
    if (!o->insecure_http) {
        OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, cert);
        OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, key);
        OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, TLS_PRIORITIES);
    }
    OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, on_request, w,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,  /* first, to take every message */
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
        MHD_OPTION_ARRAY, opts,
        MHD_OPTION_END);
    if (!d)
        fprintf(stderr, PROGRAM ": cannot start the server on %s port %u%s\n",
                o->bind ? o->bind : "0.0.0.0", o->port,
                o->insecure_http ? "" : " (check the certificate and key)");
    return d;
}

/* Wait for SIGTERM or SIGINT, then shut down gracefully: no new
 * connections, the requests in progress finish (a second signal or the
 * grace period cuts that short), then the daemon stops. */
static void serve_until_signal(struct MHD_Daemon *d, webhook *w, const sigset_t *sigs)
{
    int sig = 0;
    while (sigwait(sigs, &sig) != 0)
        ;
    log_line("%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    MHD_socket ls = MHD_quiesce_daemon(d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    struct timespec t0, step = {0, 20 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (atomic_load(&w->in_flight) > 0 && ms_since(&t0) < SHUTDOWN_GRACE_MS) {
        if (sigtimedwait(sigs, NULL, &step) > 0) {
            log_line("second signal: stopping now");
            break;
        }
    }
    unsigned left = atomic_load(&w->in_flight);
    MHD_stop_daemon(d);
    log_line("stopped%s", left ? " (requests in progress were cut off)" : "");
}

int main(int argc, char **argv)
{
    options o = {0};
    int st = parse_options(argc, argv, &o);
    if (st) {
        free(o.packs);
        free(o.context);
        free(o.skip);
        return st == 1 ? 0 : 2;
    }
    webhook w = {0};
    atomic_init(&w.in_flight, 0);
    int status = load(&o, &w);
    char *cert = NULL, *key = NULL;
    size_t cert_len = 0, key_len = 0;
    if (status == 0 && !o.insecure_http) {
        cert = read_file(o.cert, &cert_len);
        key = cert ? read_file(o.key, &key_len) : NULL;
        if (!key)
            status = 2;
    }
    if (status == 0) {
        /* the signals are taken by sigwait() in this thread: block them
         * before libmicrohttpd's threads start, which inherit the mask */
        sigset_t sigs;
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGINT);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);
        signal(SIGPIPE, SIG_IGN);
        struct MHD_Daemon *d = start(&o, &w, cert, key);
        if (!d) {
            status = 1;
        } else {
            const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
            log_line("listening on %s port %u (%s, pid %ld, %zu pack%s, %u worker%s)",
                     o.bind ? o.bind : "0.0.0.0", info ? info->port : o.port,
                     o.insecure_http ? "plain HTTP" : "TLS", (long)getpid(), w.n_packs,
                     w.n_packs == 1 ? "" : "s", o.concurrency, o.concurrency == 1 ? "" : "s");
            serve_until_signal(d, &w, &sigs);
        }
    }
    free_secret(key, key_len);
    free(cert);
    unload(&w);
    free(o.packs);
    free(o.context);
    free(o.skip);
    return status;
}
