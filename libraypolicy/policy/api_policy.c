/* api_policy.c -- the public functions of raypolicy.h for packs, checks and
 * reports that are not the engine itself: loading packs from files and
 * from the library, reading files and directories into a check, and the
 * report's accessors and renderers.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/policy.h"
#include "policy/engine.h"

/* Directories deeper than this are not descended into (symlink loops are
 * avoided anyway: symlinks to directories are not followed). */
#define MAX_DIR_DEPTH 64

/* ---- Files ---------------------------------------------------------------------- */

/* Read PATH ("-": standard input), at most MAX bytes (the limit OPTION).
 * NULL with ERR filled (RP_EIO; RP_ELIMIT when PATH holds more). */
static char *read_path(const char *path, size_t max, const char *option, size_t *len,
                       rp_error *err)
{
    errno = 0;
    char *text = rpi_read_file(path, max, len);
    int e = errno;
    if (!text && e == EFBIG)
        rpi_error_set(err, RP_ELIMIT, path, 0, 0, "%s: input exceeds limit %s (%zu bytes)", path,
                      option, max);
    else if (!text)
        rpi_error_set(err, e == ENOMEM ? RP_ENOMEM : RP_EIO, path, 0, 0, "%s: %s", path,
                      strerror(e ? e : EIO));
    return text;
}

/* ---- Packs ---------------------------------------------------------------------- */

rp_pack *rp_pack_load_string(const rp_env *env, const char *text, size_t len, const char *source,
                             rp_error *err)
{
    if (!text && len) {
        rpi_error_set(err, RP_EINVAL, "<pack>", 0, 0, "text must not be NULL");
        return NULL;
    }
    return rpi_pack_load(env, text ? text : "", len, source, err);
}

rp_pack *rp_pack_load_file(const rp_env *env, const char *path, rp_error *err)
{
    if (!path) {
        rpi_error_set(err, RP_EINVAL, "<pack>", 0, 0, "path must not be NULL");
        return NULL;
    }
    size_t len = 0;
    rp_env_options lim;
    rpi_env_limits_to_options(env, &lim);
    char *text = read_path(path, lim.max_pack_bytes, "max_pack_bytes", &len, err);
    if (!text)
        return NULL;
    rp_pack *p = rpi_pack_load(env, text, len, path, err);
    free(text);
    return p;
}

rp_pack *rp_pack_load_builtin(const rp_env *env, const char *name, rp_error *err)
{
    size_t len = 0;
    const char *text = name ? rpi_pack_builtin_text(name, &len) : NULL;
    if (!text) {
        rpi_error_set(err, RP_ENOTFOUND, "<pack>", 0, 0, "no built-in pack named \"%s\"",
                      name ? name : "(null)");
        return NULL;
    }
    char source[200];
    snprintf(source, sizeof source, "builtin:%s", name);
    return rpi_pack_load(env, text, len, source, err);
}

const char *const *rp_pack_builtin_names(void) { return rpi_pack_builtin_names(); }

const char *rp_pack_name(const rp_pack *p) { return p ? p->name : NULL; }
const char *rp_pack_version(const rp_pack *p) { return p ? (p->version ? p->version : "") : NULL; }
const char *rp_pack_source(const rp_pack *p) { return p ? p->source : NULL; }
rp_profile rp_pack_profile(const rp_pack *p) { return p ? p->profile : RP_PROFILE_KUBERNETES; }
size_t rp_pack_rule_count(const rp_pack *p) { return p ? p->n_rules : 0; }

const char *rp_pack_rule_id(const rp_pack *p, size_t i)
{
    return p && i < p->n_rules ? p->rules[i].id : NULL;
}

/* ---- Inputs from paths ------------------------------------------------------------- */

static bool has_manifest_suffix(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
           (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

typedef struct path_list {
    char **v;
    size_t n, cap;
} path_list;

static int path_list_add(path_list *l, char *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return RP_ENOMEM;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = p;
    return RP_OK;
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every manifest file under DIR.  Unreadable subdirectories are recorded
 * as unreadable inputs of C. */
static int walk_dir(rp_checker *c, const char *dir, unsigned depth, path_list *out)
{
    if (depth > MAX_DIR_DEPTH)
        return rpi_checker_add_unreadable(c, dir, RP_EIO, "directory nesting is too deep");
    DIR *d = opendir(dir);
    if (!d && errno == ENOMEM)
        return RP_ENOMEM;
    if (!d) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s: %s", dir, strerror(errno));
        return rpi_checker_add_unreadable(c, dir, RP_EIO, msg);
    }
    int rc = RP_OK;
    struct dirent *e;
    while (rc == RP_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ., .., and hidden files such as .git */
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        if (!p) {
            rc = RP_ENOMEM;
            break;
        }
        snprintf(p, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        struct stat st;
        if (lstat(p, &st) != 0) {
            /* vanished or unreadable: listed in the report, not dropped */
            char msg[300];
            snprintf(msg, sizeof msg, "%s: %s", p, strerror(errno));
            rc = rpi_checker_add_unreadable(c, p, RP_EIO, msg);
            free(p);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(c, p, depth + 1, out);
            free(p);
        } else if (has_manifest_suffix(e->d_name) && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
            rc = path_list_add(out, p);
            if (rc)
                free(p);
        } else {
            free(p);
        }
    }
    closedir(d);
    return rc;
}

/* Forget the inputs of C from the FIRSTth on: what a call that ran out of
 * memory had added, so that it has no effect. */
static void drop_inputs(rp_checker *c, size_t first)
{
    while (c->n_inputs > first) {
        rpi_input *in = &c->inputs[--c->n_inputs];
        free(in->name);
        free(in->error);
        rpi_docset_free(&in->docs);
    }
}

/* Add file PATH to C; RP_ENOMEM leaves C as it was. */
static int add_file(rp_checker *c, const char *path, rp_error *err)
{
    size_t len = 0;
    rp_error ferr = {0};
    size_t max = c->limits.max_bytes;
    if (max == 0) {
        rp_env_options lim;
        rpi_env_limits_to_options(NULL, &lim);
        max = lim.max_input_bytes;
    }
    char *text = read_path(path, max, "max_input_bytes", &len, &ferr);
    if (!text && ferr.code == RP_ENOMEM) {
        if (err && !err->code)
            *err = ferr;
        return RP_ENOMEM;
    }
    if (!text) {
        int rc = rpi_checker_add_unreadable(c, path, ferr.code, ferr.message);
        if (err && !err->code)
            *err = ferr;
        return rc ? rc : ferr.code;
    }
    int rc = rp_checker_add_input(c, strcmp(path, "-") == 0 ? "<stdin>" : path, text, len, err);
    free(text);
    return rc;
}

int rp_checker_add_path(rp_checker *c, const char *path, rp_error *err)
{
    if (!c || !path) {
        rpi_error_set(err, RP_EINVAL, "<checker>", 0, 0, "checker and path must not be NULL");
        return RP_EINVAL;
    }
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t before = c->n_inputs;
        path_list l = {0};
        int rc = walk_dir(c, path, 0, &l);
        if (rc == RP_OK)
            qsort(l.v, l.n, sizeof *l.v, cmp_paths);
        int first = RP_OK;
        for (size_t i = 0; i < l.n; i++) {
            if (rc == RP_OK) {
                int r = add_file(c, l.v[i], err);
                if (r == RP_ENOMEM)
                    rc = r;
                else if (r && !first)
                    first = r;
            }
            free(l.v[i]);
        }
        free(l.v);
        if (rc) {
            drop_inputs(c, before);
            rpi_error_set(err, rc, path, 0, 0, "%s: %s", path, rp_strerror(rc));
        }
        return rc ? rc : first;
    }
    return add_file(c, path, err);
}

rp_report *rp_pack_check(const rp_pack *pack, const char *objects, size_t len, const char *params,
                         rp_error *err)
{
    if (!pack || (!objects && len)) {
        rpi_error_set(err, RP_EINVAL, "<check>", 0, 0, "pack and objects must not be NULL");
        return NULL;
    }
    rp_checker *c = rp_checker_new_v2(pack->env, err);
    if (!c)
        return NULL;
    rp_report *r = NULL;
    if (rp_checker_add_pack(c, pack, err) == RP_OK &&
        (!params || rp_checker_set_params(c, params, strlen(params), "<params>", err) == RP_OK)) {
        /* unreadable documents are in the report; only OOM stops here */
        rp_error ierr = {0};
        int rc = rp_checker_add_input(c, "<input>", objects ? objects : "", len, &ierr);
        if (rc == RP_ENOMEM) {
            if (err && !err->code)
                *err = ierr;
        } else {
            r = rp_checker_run(c, err);
        }
    }
    rp_checker_free(c);
    return r;
}

/* ---- Reports --------------------------------------------------------------------- */

void rp_report_free(rp_report *r) { rpi_report_free(r); }

char *rp_report_render(const rp_report *r, rp_report_format format, unsigned flags)
{
    if (!r)
        return NULL;
    switch (format) {
    case RP_REPORT_TEXT: {
        rpi_text_options o = {.color = (flags & RP_REPORT_COLOR) != 0};
        return rpi_report_to_text(r, &o);
    }
    case RP_REPORT_JSON: return rpi_report_to_json(r);
    case RP_REPORT_SARIF: return rpi_report_to_sarif(r);
    case RP_REPORT_JUNIT: return rpi_report_to_junit(r);
    }
    return NULL;
}

char *rp_report_to_json(const rp_report *r) { return r ? rpi_report_to_json(r) : NULL; }

size_t rp_report_finding_count(const rp_report *r) { return r ? r->n_findings : 0; }

const char *rp_report_finding_get(const rp_report *r, size_t i, rp_finding_field f)
{
    if (!r || i >= r->n_findings)
        return NULL;
    const rpi_report_finding *fd = &r->findings[i];
    const rpi_report_rule *rule = &r->rules[fd->rule];
    const rpi_report_object *o = &r->objects[fd->object];
    switch (f) {
    case RP_FINDING_RULE: return rule->id;
    case RP_FINDING_SEVERITY: return rpi_severity_name(rule->severity);
    case RP_FINDING_ACTION: return rpi_action_name(rule->action);
    case RP_FINDING_MESSAGE: return fd->message;
    case RP_FINDING_FILE: return o->file;
    case RP_FINDING_API_VERSION: return o->api_version;
    case RP_FINDING_KIND: return o->kind;
    case RP_FINDING_NAMESPACE: return o->namespace_;
    case RP_FINDING_NAME: return o->name;
    case RP_FINDING_PATH: return fd->path;
    case RP_FINDING_BREAK_GLASS: return fd->bypassed ? o->break_glass : NULL;
    }
    return NULL;
}

unsigned rp_report_finding_document(const rp_report *r, size_t i)
{
    return r && i < r->n_findings ? r->objects[r->findings[i].object].document : 0;
}

unsigned rp_report_finding_line(const rp_report *r, size_t i)
{
    return r && i < r->n_findings ? r->findings[i].line : 0;
}

int rp_report_finding_bypassed(const rp_report *r, size_t i)
{
    return r && i < r->n_findings ? r->findings[i].bypassed : 0;
}

size_t rp_report_error_count(const rp_report *r) { return r ? r->n_errors : 0; }

const char *rp_report_error_message(const rp_report *r, size_t i)
{
    return r && i < r->n_errors ? r->errors[i].message : NULL;
}

const char *rp_report_error_kind(const rp_report *r, size_t i)
{
    if (!r || i >= r->n_errors)
        return NULL;
    switch (r->errors[i].kind) {
    case RPI_ERRK_INPUT: return "input";
    case RPI_ERRK_PARAMS: return "params";
    case RPI_ERRK_EVAL: return "eval";
    case RPI_ERRK_PACK: return "pack";
    }
    return "input";
}

const char *rp_report_error_file(const rp_report *r, size_t i)
{
    return r && i < r->n_errors ? r->errors[i].file : NULL;
}

unsigned rp_report_error_line(const rp_report *r, size_t i)
{
    return r && i < r->n_errors ? r->errors[i].line : 0;
}

unsigned rp_report_error_column(const rp_report *r, size_t i)
{
    return r && i < r->n_errors ? r->errors[i].column : 0;
}

int rp_report_fails(const rp_report *r, const char *fail_on)
{
    if (!r)
        return 0;
    if (!fail_on)
        return rpi_report_fails(r, RPI_SEV_INFO, false);
    int s = rpi_severity_parse(fail_on);
    if (s < 0)
        return -1;
    return rpi_report_fails(r, (rpi_severity)s, true);
}
