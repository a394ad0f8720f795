/* cmd_check.c -- `rpeval check`: check Kubernetes manifests against policy
 * packs and print the findings.
 *
 *   rpeval check [--pack NAME|FILE]... [--params FILE]
 *                [--format text|json|sarif|junit] [--fail-on SEVERITY]
 *                [--color auto|always|never] [--output FILE]
 *                [--limit NAME=VALUE]... PATH|-...
 *
 * PATH is a file, a directory (its .yaml/.yml/.json files, recursively, in
 * byte order) or "-" for standard input.  --pack may be given many times:
 * a built-in pack's name ("ray-hardening", the default when no --pack is
 * given) or a pack file (anything containing '/' or ending in .yaml, .yml
 * or .json).  Every pack is compiled in the profile it declares.
 *
 * Nothing bad hides anything good: a pack that does not load, a parameter
 * file that cannot be read (the packs' defaults are used) and a document
 * that cannot be read are each reported with file:line:column, and every
 * other input is still checked and reported.
 *
 * Exit status: 2 when a pack, the parameter file or an input could not be
 * read (or bad usage); else 1 when a finding fails the check (its rule's
 * action is deny, or with --fail-on, its severity is SEVERITY or worse) or
 * a rule could not be evaluated; else 0.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "raypolicy.h"
#include "cmd.h"

#define DEFAULT_PACK "ray-hardening"

enum {
    OPT_PACK = 256,
    OPT_PARAMS,
    OPT_FORMAT,
    OPT_FAIL_ON,
    OPT_COLOR,
    OPT_OUTPUT,
    OPT_LIMIT,
};

static const struct option long_options[] = {
    {"pack", required_argument, NULL, OPT_PACK},
    {"params", required_argument, NULL, OPT_PARAMS},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void cmd_check_usage(FILE *out)
{
    fprintf(out,
            "usage: rpeval check [--pack NAME|FILE]... [--params FILE]\n"
            "                    [--format text|json|sarif|junit] [--fail-on SEVERITY]\n"
            "                    [--color auto|always|never] [--output FILE]\n"
            "                    [--limit NAME=VALUE]... PATH|-...\n"
            "\n"
            "Check Kubernetes manifests (YAML or JSON files, directories, - for standard\n"
            "input) against policy packs, offline.\n"
            "\n"
            "  --pack NAME|FILE  a built-in pack or a pack file; repeatable\n"
            "                    (default: the built-in " DEFAULT_PACK " pack)\n"
            "  --params FILE     parameters (YAML or JSON) merged over the packs' defaults\n"
            "  --format F        text (default), json, sarif (SARIF 2.1.0) or junit (XML)\n"
            "  --fail-on SEV     fail on findings of severity SEV or worse (critical, high,\n"
            "                    medium, low, info) whatever their action; by default only\n"
            "                    findings of rules whose action is deny fail\n"
            "  --color WHEN      colour the text format: auto (on a terminal), always, never\n"
            "  --output FILE     write the report to FILE instead of standard output\n"
            "  --limit NAME=VALUE  set a limit for the packs and the inputs (repeatable)\n"
            "\n"
            "Exit status: 0 no failing finding, 1 failing findings or evaluation errors,\n"
            "2 bad usage or unreadable input (pack, parameters, manifests; an input\n"
            "beyond a limit).\n"
            "\n");
    rpeval_limits_help(out);
}

typedef struct check_args {
    const char **packs;
    size_t n_packs;
    const char *params;
    rp_report_format format;
    const char *fail_on;
    int color; /* -1 auto, 0 never, 1 always */
    const char *output;
    rp_env_options limits;  /* the defaults, and --limit's */
} check_args;

/* Whether SPEC names a pack file rather than a built-in pack. */
static bool is_pack_file(const char *spec)
{
    size_t n = strlen(spec);
    return strchr(spec, '/') || (n > 5 && strcmp(spec + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(spec + n - 4, ".yml") == 0) ||
           (n > 5 && strcmp(spec + n - 5, ".json") == 0);
}

/* Load the pack SPEC, or NULL after printing why. */
static rp_pack *load_pack(const rp_env *env, const char *spec)
{
    rp_error err = {0};
    rp_pack *p = is_pack_file(spec) ? rp_pack_load_file(env, spec, &err)
                                    : rp_pack_load_builtin(env, spec, &err);
    if (!p) {
        fprintf(stderr, "rpeval check: %s\n", err.message);
        if (err.code == RP_ENOTFOUND) {
            fprintf(stderr, "rpeval check: built-in packs:");
            for (const char *const *n = rp_pack_builtin_names(); *n; n++)
                fprintf(stderr, " %s", *n);
            fprintf(stderr, "\n");
        }
    }
    return p;
}

/* Read FILE ("-": standard input) whole; NULL after printing why. */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!fp) {
        perror(path);
        return NULL;
    }
    size_t cap = 1 << 14, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0)
            break;
    }
    bool bad = !buf || ferror(fp);
    if (fp != stdin)
        fclose(fp);
    if (bad) {
        fprintf(stderr, "rpeval check: cannot read %s\n", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int parse_args(int argc, char **argv, check_args *a, bool *done)
{
    *done = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_PACK: {
            const char **np = realloc(a->packs, (a->n_packs + 1) * sizeof *np);
            if (!np) {
                fprintf(stderr, "rpeval check: out of memory\n");
                return RPEVAL_EXIT_USAGE;
            }
            a->packs = np;
            a->packs[a->n_packs++] = optarg;
            break;
        }
        case OPT_PARAMS:
            a->params = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                a->format = RP_REPORT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                a->format = RP_REPORT_JSON;
            else if (strcmp(optarg, "sarif") == 0)
                a->format = RP_REPORT_SARIF;
            else if (strcmp(optarg, "junit") == 0)
                a->format = RP_REPORT_JUNIT;
            else {
                fprintf(stderr, "rpeval check: unknown format '%s' (text, json, sarif or junit)\n",
                        optarg);
                return RPEVAL_EXIT_USAGE;
            }
            break;
        case OPT_FAIL_ON:
            if (strcmp(optarg, "critical") && strcmp(optarg, "high") && strcmp(optarg, "medium") &&
                strcmp(optarg, "low") && strcmp(optarg, "info")) {
                fprintf(stderr,
                        "rpeval check: unknown severity '%s' (critical, high, medium, low or info)\n",
                        optarg);
                return RPEVAL_EXIT_USAGE;
            }
            a->fail_on = optarg;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0)
                a->color = -1;
            else if (strcmp(optarg, "always") == 0)
                a->color = 1;
            else if (strcmp(optarg, "never") == 0)
                a->color = 0;
            else {
                fprintf(stderr, "rpeval check: --color wants auto, always or never\n");
                return RPEVAL_EXIT_USAGE;
            }
            break;
        case OPT_OUTPUT:
            a->output = optarg;
            break;
        case OPT_LIMIT:
            if (rpeval_set_limit(&a->limits, optarg, "check") != 0)
                return RPEVAL_EXIT_USAGE;
            break;
        case 'h':
            cmd_check_usage(stdout);
            *done = true;
            return RPEVAL_EXIT_OK;
        case ':':
            fprintf(stderr, "rpeval check: option '%s' needs a value\n", argv[optind - 1]);
            return RPEVAL_EXIT_USAGE;
        default:
            fprintf(stderr, "rpeval check: unknown option '%s'\n", argv[optind - 1]);
            return RPEVAL_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "rpeval check: no manifests to check (give files, directories or -)\n");
        return RPEVAL_EXIT_USAGE;
    }
    return RPEVAL_EXIT_OK;
}

int cmd_check_run(int argc, char **argv)
{
    check_args a = {0};
    a.color = -1;
    rp_env_options_init(&a.limits);
    bool done = false;
    int status = parse_args(argc, argv, &a, &done);
    if (status != RPEVAL_EXIT_OK || done) {
        free(a.packs);
        return status;
    }
    bool input_error = false;
    rp_error err = {0};
    rp_env_options opts = a.limits;
    opts.profile = RP_PROFILE_EXTENDED; /* each pack compiles in the profile it declares */
    rp_env *env = rp_env_new(&opts, &err);
    rp_checker *chk = env ? rp_checker_new_v2(env, &err) : NULL;
    rp_pack **packs = calloc(a.n_packs ? a.n_packs : 1, sizeof *packs);
    size_t n_loaded = 0;
    if (!env || !chk || !packs) {
        fprintf(stderr, "rpeval check: %s\n", err.message[0] ? err.message : "out of memory");
        status = RPEVAL_EXIT_USAGE;
        goto out;
    }
    static const char *default_pack[] = {DEFAULT_PACK};
    const char **specs = a.n_packs ? a.packs : default_pack;
    size_t n_specs = a.n_packs ? a.n_packs : 1;
    for (size_t i = 0; i < n_specs; i++) {
        rp_pack *p = load_pack(env, specs[i]);
        if (!p) {
            input_error = true;
            continue;
        }
        memset(&err, 0, sizeof err);
        if (rp_checker_add_pack(chk, p, &err) != RP_OK) {
            fprintf(stderr, "rpeval check: %s\n", err.message);
            rp_pack_free(p);
            input_error = true;
            continue;
        }
        packs[n_loaded++] = p;
    }
    if (n_loaded == 0) {
        fprintf(stderr, "rpeval check: no pack could be loaded\n");
        status = RPEVAL_EXIT_USAGE;
        goto out;
    }
    if (a.params) {
        size_t len = 0;
        char *text = slurp(a.params, &len);
        memset(&err, 0, sizeof err);
        if (!text) {
            input_error = true;
        } else if (rp_checker_set_params(chk, text, len, a.params, &err) != RP_OK) {
            fprintf(stderr, "rpeval check: %s (checking with the packs' default parameters)\n",
                    err.message);
            input_error = true;
        }
        free(text);
    }
    for (int i = optind; i < argc; i++) {
        memset(&err, 0, sizeof err);
        int rc = rp_checker_add_path(chk, argv[i], &err);
        if (rc == RP_ENOMEM) {
            fprintf(stderr, "rpeval check: out of memory\n");
            status = RPEVAL_EXIT_USAGE;
            goto out;
        }
        /* other failures are listed in the report */
    }
    memset(&err, 0, sizeof err);
    rp_report *rep = rp_checker_run(chk, &err);
    if (!rep) {
        fprintf(stderr, "rpeval check: %s\n", err.message);
        status = RPEVAL_EXIT_USAGE;
        goto out;
    }
    FILE *out = stdout;
    if (a.output && !(out = fopen(a.output, "w"))) {
        perror(a.output);
        rp_report_free(rep);
        status = RPEVAL_EXIT_USAGE;
        goto out;
    }
    bool color = a.color == 1 || (a.color == -1 && a.format == RP_REPORT_TEXT && !a.output &&
                                  isatty(fileno(stdout)) && !getenv("NO_COLOR"));
    char *text = rp_report_render(rep, a.format, color ? RP_REPORT_COLOR : 0);
    if (!text) {
        fprintf(stderr, "rpeval check: out of memory\n");
        status = RPEVAL_EXIT_USAGE;
    } else {
        fputs(text, out);
        size_t tl = strlen(text);
        if (tl && text[tl - 1] != '\n')
            fputc('\n', out);
        rp_free(text);
    }
    if (out != stdout && fclose(out) != 0) {
        perror(a.output);
        status = RPEVAL_EXIT_USAGE;
    }
    /* errors of the report: unreadable input -> 2, evaluation errors -> 1 */
    bool eval_error = false;
    for (size_t i = 0; i < rp_report_error_count(rep); i++) {
        if (strcmp(rp_report_error_kind(rep, i), "eval") == 0)
            eval_error = true;
        else
            input_error = true;
    }
    if (status == RPEVAL_EXIT_OK) {
        if (input_error)
            status = RPEVAL_EXIT_USAGE;
        else if (rp_report_fails(rep, a.fail_on) > 0 || eval_error)
            status = RPEVAL_EXIT_FAIL;
    }
    rp_report_free(rep);
out:
    for (size_t i = 0; i < n_loaded; i++)
        rp_pack_free(packs[i]);
    free(packs);
    rp_checker_free(chk);
    rp_env_free(env);
    free(a.packs);
    return status;
}
