/* cmd_test.c -- `rpeval test`: run policy test suites.
 *
 *   rpeval test [--verbose] [--limit NAME=VALUE]... PATH...
 *
 * PATH is a suite file or a directory searched recursively (byte order)
 * for *.yaml / *.yml files whose kind is PolicyTest; other YAML files in a
 * directory are skipped.  Prints one line per failing case (and per
 * passing case with --verbose) and ends with "N passed, N failed".
 * Exit status: 0 all passed, 1 a case failed, 2 a suite could not be run
 * or no suite was found.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "raypolicy.h"
#include "cmd.h"

void cmd_test_usage(FILE *out)
{
    fprintf(out,
            "usage: rpeval test [--verbose] [--limit NAME=VALUE]... PATH...\n"
            "\n"
            "Run policy test suites (files of kind PolicyTest; directories are searched\n"
            "recursively).  Ends with \"N passed, N failed\".  --limit sets a limit\n"
            "(repeatable; see below).\n"
            "\n"
            "Exit status: 0 every case passed, 1 a case failed, 2 a suite could not be run.\n"
            "\n");
    rpeval_limits_help(out);
}

typedef struct totals {
    size_t passed, failed, suites, broken;
    bool verbose;
    const rp_env *env;
} totals;

static void run_file(totals *t, const char *path, bool from_dir)
{
    rp_error err = {0};
    rp_test_run *run = rp_test_suite_run(t->env, path, &err);
    if (!run) {
        if (from_dir && err.code == RP_ENOTFOUND)
            return; /* a YAML file that is not a suite */
        fprintf(stderr, "rpeval test: %s\n", err.message);
        t->broken++;
        return;
    }
    t->suites++;
    for (size_t i = 0; i < rp_test_run_case_count(run); i++) {
        if (rp_test_run_case_passed(run, i)) {
            t->passed++;
            if (t->verbose)
                printf("PASS %s\n", rp_test_run_case_name(run, i));
        } else {
            t->failed++;
            printf("FAIL %s\n", rp_test_run_case_detail(run, i));
        }
    }
    rp_test_run_free(run);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void run_dir(totals *t, const char *dir, unsigned depth)
{
    if (depth > 64)
        return;
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        t->broken++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n])
            break;
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        size_t l = strlen(names[i]);
        if (lstat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
            run_dir(t, names[i], depth + 1);
        else if ((l > 5 && strcmp(names[i] + l - 5, ".yaml") == 0) ||
                 (l > 4 && strcmp(names[i] + l - 4, ".yml") == 0))
            run_file(t, names[i], true);
        free(names[i]);
    }
    free(names);
}

int cmd_test_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"verbose", no_argument, NULL, 'v'},
        {"limit", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    totals t = {0};
    rp_env_options o;
    rp_env_options_init(&o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":vh", opts, NULL)) != -1) {
        if (c == 'v') {
            t.verbose = true;
        } else if (c == 'l') {
            if (rpeval_set_limit(&o, optarg, "test") != 0)
                return RPEVAL_EXIT_USAGE;
        } else if (c == ':') {
            fprintf(stderr, "rpeval test: option '%s' needs a value\n", argv[optind - 1]);
            return RPEVAL_EXIT_USAGE;
        } else if (c == 'h') {
            cmd_test_usage(stdout);
            return RPEVAL_EXIT_OK;
        } else {
            fprintf(stderr, "rpeval test: unknown option '%s'\n", argv[optind - 1]);
            return RPEVAL_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "rpeval test: no suites (give files or directories)\n");
        return RPEVAL_EXIT_USAGE;
    }
    rp_error err = {0};
    o.profile = RP_PROFILE_EXTENDED; /* each pack compiles in the profile it declares */
    rp_env *env = rp_env_new(&o, &err);
    if (!env) {
        fprintf(stderr, "rpeval test: %s\n", err.message);
        return RPEVAL_EXIT_USAGE;
    }
    t.env = env;
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            run_dir(&t, argv[i], 0);
        else
            run_file(&t, argv[i], false);
    }
    rp_env_free(env);
    printf("%zu passed, %zu failed", t.passed, t.failed);
    if (t.broken)
        printf(", %zu suite%s could not be run", t.broken, t.broken == 1 ? "" : "s");
    printf(" (%zu suite%s)\n", t.suites, t.suites == 1 ? "" : "s");
    if (t.broken || t.suites == 0)
        return RPEVAL_EXIT_USAGE;
    return t.failed ? RPEVAL_EXIT_FAIL : RPEVAL_EXIT_OK;
}
