/* cmd_eval.c -- `rpeval eval`: compile one CEL expression, bind JSON files
 * to variables, evaluate, and print the result as JSON; or, with --batch,
 * do the same for every line of a JSON Lines file (the shape of the
 * cel-spec conformance vectors), one result line per input line.
 *
 * Single expression:
 *   rpeval eval -e EXPR [--object FILE] [--params FILE] [--var NAME=FILE]...
 *               [--typed] [--profile cel|kubernetes|extended] [--limit NAME=VALUE]...
 * Each bound name is also declared, so `--var x=FILE` works in every
 * profile.  The result is printed as plain JSON, or as cel.expr.Value JSON
 * with --typed.  Exit 0 with the result printed, 1 when the evaluation
 * produced an error (or hit a limit), 2 for bad usage, unreadable or
 * malformed input, or an expression that does not compile.
 *
 * Batch (--batch FILE, "-" for standard input), each input line:
 *   {"expr": "...", "bindings": {"x": {"value": <cel.expr.Value JSON>}},
 *    "variables": ["y"], "disableMacros": false, "disableCheck": false,
 *    "container": ""}
 * and each output line, in order, exactly one per input line:
 *   {"value": <Value JSON, or plain JSON without --typed>}
 *   {"error": {"kind": "compile"|"eval"|"input", "message": "..."}}
 * A bad line gives an "input" error line and the batch goes on.
 * "variables" (an extension of DESIGN.md's contract) declares names that
 * are not bound, so that referring to them is an evaluation error rather
 * than a compile error; "container" is not supported yet and any value
 * but "" gives an input error.  Environments are built once per distinct
 * (flags, declared names) and reused.
 *
 * Only the public API (raypolicy.h) and jansson are used here.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raypolicy.h"
#include "cmd.h"

/* Long options without a short form. */
enum {
    OPT_OBJECT = 256,
    OPT_PARAMS,
    OPT_VAR,
    OPT_TYPED,
    OPT_PROFILE,
    OPT_BATCH,
    OPT_LIMIT,
};

static const struct option long_options[] = {
    {"expr", required_argument, NULL, 'e'},
    {"object", required_argument, NULL, OPT_OBJECT},
    {"params", required_argument, NULL, OPT_PARAMS},
    {"var", required_argument, NULL, OPT_VAR},
    {"typed", no_argument, NULL, OPT_TYPED},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One --object, --params or --var: variable NAME from the JSON file PATH. */
typedef struct file_binding {
    char *name;
    const char *path;
} file_binding;

typedef struct eval_args {
    const char *expr;
    const char *batch;
    file_binding *bindings;
    size_t nbindings;
    bool typed;
    rp_profile profile;
    rp_env_options limits;  /* the defaults, and --limit's */
} eval_args;

void cmd_eval_usage(FILE *out)
{
    fprintf(out,
            "usage: rpeval eval -e EXPR [--object FILE] [--params FILE] [--var NAME=FILE]...\n"
            "                   [--typed] [--profile cel|kubernetes|extended] [--limit NAME=VALUE]...\n"
            "       rpeval eval --batch FILE.jsonl [--typed] [--profile cel|kubernetes|extended]\n"
            "                   [--limit NAME=VALUE]...\n"
            "\n"
            "Compile the CEL expression EXPR, bind JSON files to variables, evaluate it and\n"
            "print the result as JSON (with --typed, as cel.expr.Value JSON).\n"
            "\n"
            "  -e, --expr EXPR       the expression\n"
            "      --object FILE     bind the JSON document in FILE to `object`\n"
            "      --params FILE     bind the JSON document in FILE to `params`\n"
            "      --var NAME=FILE   bind the JSON document in FILE to NAME (repeatable)\n"
            "      --typed           print the result as cel.expr.Value JSON\n"
            "      --profile P       cel, kubernetes (the default) or extended\n"
            "      --batch FILE      evaluate every JSON line of FILE, one result line each\n"
            "      --limit NAME=VALUE  set a limit (repeatable; see below)\n"
            "  -h, --help            this help\n"
            "\n"
            "FILE may be - for standard input.  Exit status: 0 the result was printed,\n"
            "1 the evaluation produced an error (or hit a limit), 2 bad usage, unreadable\n"
            "input, or an expression that does not compile.\n"
            "\n");
    rpeval_limits_help(out);
}

/* ---- Input ------------------------------------------------------------------ */

/* The whole of PATH ("-": standard input), NUL-terminated, length in *LEN.
 * NULL with a message on stderr when it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "rpeval: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    bool failed = !buf || ferror(f);
    int saved = errno;
    if (!is_stdin)
        fclose(f);
    if (failed) {
        fprintf(stderr, "rpeval: cannot read %s: %s\n", path,
                buf ? strerror(saved) : "out of memory");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ---- Errors ------------------------------------------------------------------- */

/* Print ERR on stderr as "<source>:line:column: message" (the library's
 * compile messages already start that way and carry a caret snippet). */
static void print_error(const rp_error *err)
{
    const char *src = err->source[0] ? err->source : "<expression>";
    size_t n = strlen(src);
    if (strncmp(err->message, src, n) == 0 && err->message[n] == ':')
        fprintf(stderr, "%s\n", err->message);
    else if (err->line)
        fprintf(stderr, "%s:%u:%u: %s\n", src, err->line, err->column, err->message);
    else
        fprintf(stderr, "%s: %s\n", src, err->message[0] ? err->message : rp_strerror(err->code));
}

/* ERR's message, or the text of CODE when the library left it empty. */
static const char *err_text(const rp_error *err, int code)
{
    return err->message[0] ? err->message : rp_strerror(code);
}

/* ---- Arguments ------------------------------------------------------------- */

static bool parse_profile(const char *s, rp_profile *out)
{
    if (strcmp(s, "kubernetes") == 0)
        *out = RP_PROFILE_KUBERNETES;
    else if (strcmp(s, "cel") == 0)
        *out = RP_PROFILE_CEL;
    else if (strcmp(s, "extended") == 0)
        *out = RP_PROFILE_EXTENDED;
    else
        return false;
    return true;
}

/* Add NAME (LEN bytes) bound to PATH; false (with a message) when NAME is
 * bound twice or memory runs out. */
static bool add_binding(eval_args *a, const char *name, size_t len, const char *path)
{
    for (size_t i = 0; i < a->nbindings; i++)
        if (strlen(a->bindings[i].name) == len && memcmp(a->bindings[i].name, name, len) == 0) {
            fprintf(stderr, "rpeval: variable '%.*s' is bound twice\n", (int)len, name);
            return false;
        }
    file_binding *nb = realloc(a->bindings, (a->nbindings + 1) * sizeof *nb);
    char *copy = nb ? strndup(name, len) : NULL;
    if (nb)
        a->bindings = nb;
    if (!copy) {
        fprintf(stderr, "rpeval: out of memory\n");
        return false;
    }
    a->bindings[a->nbindings].name = copy;
    a->bindings[a->nbindings].path = path;
    a->nbindings++;
    return true;
}

static void free_args(eval_args *a)
{
    for (size_t i = 0; i < a->nbindings; i++)
        free(a->bindings[i].name);
    free(a->bindings);
}

/* Fill A from ARGV.  RPEVAL_EXIT_OK to go on, or the status to exit with
 * (after --help, or a usage error already reported). */
static int parse_args(int argc, char **argv, eval_args *a, bool *done)
{
    *done = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":e:h", long_options, NULL)) != -1) {
        switch (c) {
        case 'e':
            a->expr = optarg;
            break;
        case OPT_OBJECT:
            if (!add_binding(a, "object", 6, optarg))
                return RPEVAL_EXIT_USAGE;
            break;
        case OPT_PARAMS:
            if (!add_binding(a, "params", 6, optarg))
                return RPEVAL_EXIT_USAGE;
            break;
        case OPT_VAR: {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1]) {
                fprintf(stderr, "rpeval: --var wants NAME=FILE, not '%s'\n", optarg);
                return RPEVAL_EXIT_USAGE;
            }
            if (!add_binding(a, optarg, (size_t)(eq - optarg), eq + 1))
                return RPEVAL_EXIT_USAGE;
            break;
        }
        case OPT_TYPED:
            a->typed = true;
            break;
        case OPT_PROFILE:
            if (!parse_profile(optarg, &a->profile)) {
                fprintf(stderr, "rpeval: unknown profile '%s' (cel, kubernetes or extended)\n",
                        optarg);
                return RPEVAL_EXIT_USAGE;
            }
            break;
        case OPT_BATCH:
            a->batch = optarg;
            break;
        case OPT_LIMIT:
            if (rpeval_set_limit(&a->limits, optarg, "eval") != 0)
                return RPEVAL_EXIT_USAGE;
            break;
        case 'h':
            cmd_eval_usage(stdout);
            *done = true;
            return RPEVAL_EXIT_OK;
        case ':':
            fprintf(stderr, "rpeval eval: option '%s' needs a value\n", argv[optind - 1]);
            return RPEVAL_EXIT_USAGE;
        default:
            fprintf(stderr, "rpeval eval: unknown option '%s'\n", argv[optind - 1]);
            return RPEVAL_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "rpeval eval: unexpected argument '%s'\n", argv[optind]);
        return RPEVAL_EXIT_USAGE;
    }
    if (a->batch && (a->expr || a->nbindings)) {
        fprintf(stderr, "rpeval eval: --batch takes its expressions and bindings from the file\n");
        return RPEVAL_EXIT_USAGE;
    }
    if (!a->batch && !a->expr) {
        fprintf(stderr, "rpeval eval: no expression (-e EXPR or --batch FILE)\n");
        return RPEVAL_EXIT_USAGE;
    }
    size_t from_stdin = 0;
    for (size_t i = 0; i < a->nbindings; i++)
        from_stdin += strcmp(a->bindings[i].path, "-") == 0;
    if (from_stdin > 1) {
        fprintf(stderr, "rpeval eval: only one file can be read from standard input\n");
        return RPEVAL_EXIT_USAGE;
    }
    return RPEVAL_EXIT_OK;
}

/* ---- One expression ------------------------------------------------------- */

static int eval_single(const eval_args *a)
{
    int status = RPEVAL_EXIT_USAGE;
    rp_error err = {0};
    rp_env *env = NULL;
    rp_program *prog = NULL;
    rp_activation *act = NULL;
    rp_value *result = NULL;
    const char **names = calloc(a->nbindings + 1, sizeof *names);
    if (!names) {
        fprintf(stderr, "rpeval: out of memory\n");
        return RPEVAL_EXIT_USAGE;
    }
    for (size_t i = 0; i < a->nbindings; i++)
        names[i] = a->bindings[i].name;

    rp_env_options opts = a->limits;
    opts.profile = a->profile;
    opts.variables = names;
    env = rp_env_new(&opts, &err);
    if (!env) {
        print_error(&err);
        goto done;
    }
    if (rp_compile(env, a->expr, strlen(a->expr), &prog, &err) != RP_OK) {
        print_error(&err);
        goto done;
    }
    act = rp_activation_new(env, &err);
    if (!act) {
        print_error(&err);
        goto done;
    }
    for (size_t i = 0; i < a->nbindings; i++) {
        size_t len;
        char *text = read_file(a->bindings[i].path, &len);
        if (!text)
            goto done;
        int rc = rp_activation_bind_json(act, a->bindings[i].name, text, len, &err);
        free(text);
        if (rc != RP_OK) {
            fprintf(stderr, "rpeval: %s (bound to %s): %s\n", a->bindings[i].path,
                    a->bindings[i].name, err_text(&err, rc));
            goto done;
        }
    }
    int rc = rp_eval(prog, act, &result, &err);
    if (rc != RP_OK) {
        print_error(&err);
        if (rc == RP_EEVAL || rc == RP_ELIMIT)
            status = RPEVAL_EXIT_FAIL;
        goto done;
    }
    char *json = rp_value_to_json(result, a->typed ? RP_JSON_TYPED : 0);
    if (!json) {
        fprintf(stderr, "rpeval: out of memory\n");
        goto done;
    }
    printf("%s\n", json);
    rp_free(json);
    status = RPEVAL_EXIT_OK;
done:
    rp_value_free(result);
    rp_activation_free(act);
    rp_program_free(prog);
    rp_env_free(env);
    free(names);
    return status;
}

/* ---- Batch ---------------------------------------------------------------------- */

/* Environments of one batch, keyed by their flags and declared names: the
 * conformance files need a handful of distinct ones for hundreds of lines. */
#define ENV_CACHE_SIZE 32

typedef struct env_entry {
    char *key;          /* flags and sorted names, '\0'-separated */
    size_t key_len;
    rp_env *env;
} env_entry;

typedef struct env_cache {
    env_entry entries[ENV_CACHE_SIZE];
    size_t n, next_evict;
} env_cache;

static void env_cache_free(env_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->entries[i].key);
        rp_env_free(c->entries[i].env);
    }
}

static int compare_names(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The environment for PROFILE, the flags and NAMES (NULL-terminated, sorted
 * here), from the cache or new.  NULL with ERR filled on failure.  The
 * cache owns it. */
static rp_env *env_for(env_cache *c, const rp_env_options *limits, rp_profile profile,
                       bool disable_check, bool disable_macros, const char **names,
                       size_t nnames, rp_error *err)
{
    qsort(names, nnames, sizeof *names, compare_names);
    size_t key_len = 2;
    for (size_t i = 0; i < nnames; i++)
        key_len += strlen(names[i]) + 1;
    char *key = malloc(key_len);
    if (!key) {
        snprintf(err->message, sizeof err->message, "out of memory");
        err->code = RP_ENOMEM;
        return NULL;
    }
    key[0] = disable_check ? 'c' : '-';
    key[1] = disable_macros ? 'm' : '-';
    size_t off = 2;
    for (size_t i = 0; i < nnames; i++) {
        size_t l = strlen(names[i]) + 1;
        memcpy(key + off, names[i], l);
        off += l;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->entries[i].key_len == key_len && memcmp(c->entries[i].key, key, key_len) == 0) {
            free(key);
            return c->entries[i].env;
        }

    rp_env_options opts = *limits;
    opts.profile = profile;
    opts.variables = names;
    opts.allow_undeclared = disable_check;
    opts.disable_macros = disable_macros;
    rp_env *env = rp_env_new(&opts, err);
    if (!env) {
        free(key);
        return NULL;
    }
    size_t slot = c->n;
    if (c->n == ENV_CACHE_SIZE) {
        /* Full: replace the oldest; no program of it is alive between lines. */
        slot = c->next_evict;
        c->next_evict = (c->next_evict + 1) % ENV_CACHE_SIZE;
        free(c->entries[slot].key);
        rp_env_free(c->entries[slot].env);
    } else {
        c->n++;
    }
    c->entries[slot] = (env_entry){key, key_len, env};
    return env;
}

/* A JSON string of MESSAGE; bytes that are not valid UTF-8 (a message cut
 * inside a character) become '?'. */
static json_t *message_string(const char *message)
{
    json_t *s = json_string(message);
    if (s)
        return s;
    char *copy = strdup(message);
    if (!copy)
        return NULL;
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    s = json_string(copy);
    free(copy);
    return s;
}

static void print_error_line(const char *kind, const char *message)
{
    json_t *line = json_pack("{s:{s:s,s:o*}}", "error", "kind", kind, "message",
                             message_string(message));
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    if (text)
        printf("%s\n", text);
    else
        printf("{\"error\":{\"kind\":\"%s\",\"message\":\"out of memory\"}}\n", kind);
    free(text);
    json_decref(line);
}

/* A boolean member NAME of LINE: false when absent; -1 when not a bool. */
static int bool_member(const json_t *line, const char *name)
{
    const json_t *v = json_object_get(line, name);
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return -1;
    return json_is_true(v);
}

/* Evaluate one batch line (TEXT, LEN bytes, without its newline) and print
 * its one output line. */
static void eval_batch_line(env_cache *cache, const eval_args *a, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *line = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
    const char **names = NULL;
    rp_program *prog = NULL;
    rp_activation *act = NULL;
    rp_value *result = NULL;
    char msg[600];
    rp_error err = {0};
    if (!line) {
        snprintf(msg, sizeof msg, "line is not JSON: %s (column %d)", jerr.text, jerr.column);
        print_error_line("input", msg);
        return;
    }

    const json_t *expr = json_object_get(line, "expr");
    const json_t *bindings = json_object_get(line, "bindings");
    const json_t *variables = json_object_get(line, "variables");
    const json_t *container = json_object_get(line, "container");
    int disable_check = bool_member(line, "disableCheck");
    int disable_macros = bool_member(line, "disableMacros");
    const char *bad = NULL;
    if (!json_is_object(line))
        bad = "line is not a JSON object";
    else if (!json_is_string(expr))
        bad = "\"expr\" is missing or not a string";
    else if (bindings && !json_is_object(bindings))
        bad = "\"bindings\" is not an object";
    else if (variables && !json_is_array(variables))
        bad = "\"variables\" is not an array";
    else if (disable_check < 0 || disable_macros < 0)
        bad = "\"disableCheck\" and \"disableMacros\" must be booleans";
    else if (container && (!json_is_string(container) || json_string_length(container) != 0))
        bad = "\"container\" is not supported";
    if (bad) {
        print_error_line("input", bad);
        goto done;
    }

    /* Declared names: every binding and every "variables" entry. */
    size_t nnames = 0;
    names = calloc(json_object_size(bindings) + json_array_size(variables) + 1, sizeof *names);
    if (!names) {
        print_error_line("input", "out of memory");
        goto done;
    }
    const char *key;
    json_t *value;
    size_t i;
    json_object_foreach((json_t *)bindings, key, value) {
        if (!json_is_object(value) || !json_object_get(value, "value")) {
            snprintf(msg, sizeof msg, "binding '%s' is not {\"value\": <Value JSON>}", key);
            print_error_line("input", msg);
            goto done;
        }
        names[nnames++] = key;
    }
    json_array_foreach(variables, i, value) {
        if (!json_is_string(value)) {
            print_error_line("input", "\"variables\" holds something else than names");
            goto done;
        }
        names[nnames++] = json_string_value(value);
    }

    rp_env *env = env_for(cache, &a->limits, a->profile, disable_check, disable_macros, names,
                          nnames, &err);
    if (!env) {
        print_error_line("input", err_text(&err, RP_EINVAL));
        goto done;
    }
    int rc = rp_compile(env, json_string_value(expr), json_string_length(expr), &prog, &err);
    if (rc != RP_OK) {
        print_error_line("compile", err_text(&err, rc));
        goto done;
    }
    act = rp_activation_new(env, &err);
    if (!act) {
        print_error_line("eval", err_text(&err, RP_ENOMEM));
        goto done;
    }
    json_object_foreach((json_t *)bindings, key, value) {
        char *vtext = json_dumps(json_object_get(value, "value"), JSON_COMPACT | JSON_ENCODE_ANY);
        rc = vtext ? rp_activation_bind_typed_json(act, key, vtext, strlen(vtext), &err)
                   : RP_ENOMEM;
        free(vtext);
        if (rc != RP_OK) {
            snprintf(msg, sizeof msg, "binding '%s': %s", key, err_text(&err, rc));
            print_error_line("input", msg);
            goto done;
        }
    }
    rc = rp_eval(prog, act, &result, &err);
    if (rc != RP_OK) {
        print_error_line("eval", err_text(&err, rc));
        goto done;
    }
    char *out = rp_value_to_json(result, a->typed ? RP_JSON_TYPED : 0);
    if (out)
        printf("{\"value\":%s}\n", out);
    else
        print_error_line("eval", "out of memory converting the result to JSON");
    rp_free(out);
done:
    rp_value_free(result);
    rp_activation_free(act);
    rp_program_free(prog);
    free(names);
    json_decref(line);
}

static int eval_batch(const eval_args *a)
{
    bool is_stdin = strcmp(a->batch, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(a->batch, "rb");
    if (!f) {
        fprintf(stderr, "rpeval: cannot open %s: %s\n", a->batch, strerror(errno));
        return RPEVAL_EXIT_USAGE;
    }
    env_cache cache = {0};
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&buf, &cap, f)) >= 0) {
        size_t len = (size_t)n;
        if (len && buf[len - 1] == '\n')
            len--;
        if (len && buf[len - 1] == '\r')
            len--;
        eval_batch_line(&cache, a, buf, len);
    }
    int status = RPEVAL_EXIT_OK;
    if (ferror(f)) {
        fprintf(stderr, "rpeval: cannot read %s: %s\n", a->batch, strerror(errno));
        status = RPEVAL_EXIT_USAGE;
    }
    free(buf);
    env_cache_free(&cache);
    if (!is_stdin)
        fclose(f);
    return status;
}

int cmd_eval_run(int argc, char **argv)
{
    eval_args a = {.profile = RP_PROFILE_KUBERNETES};
    rp_env_options_init(&a.limits);
    bool done;
    int status = parse_args(argc, argv, &a, &done);
    if (status != RPEVAL_EXIT_OK)
        fprintf(stderr, "Try 'rpeval help eval'.\n");
    else if (!done)
        status = a.batch ? eval_batch(&a) : eval_single(&a);
    free_args(&a);
    return status;
}
