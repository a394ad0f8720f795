/* cmd_lint.c -- `rpeval lint`: compile every expression of the given packs
 * and warn about rules that can never match.
 *
 *   rpeval lint [--profile kubernetes|extended] [--limit NAME=VALUE]... PACK...
 *
 * PACK is a pack file or a built-in pack's name.  With --profile
 * kubernetes every expression is compiled as a Kubernetes API server
 * would, whatever profile the pack declares: that tells whether the pack
 * would run in a cluster.  Errors are printed as file:line:column.
 * Exit status: 0 every pack loads, 1 a pack has errors, 2 bad usage.
 * Warnings do not change the exit status.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raypolicy.h"
#include "cmd.h"

void cmd_lint_usage(FILE *out)
{
    fprintf(out,
            "usage: rpeval lint [--profile kubernetes|extended] [--limit NAME=VALUE]... PACK...\n"
            "\n"
            "Compile every expression of each pack (a file or a built-in pack's name),\n"
            "print errors as file:line:column and warn about rules that can never match.\n"
            "--profile kubernetes compiles as a Kubernetes API server would, whatever\n"
            "profile the pack declares (default: the pack's own profile).  --limit sets a\n"
            "limit (repeatable; see below).\n"
            "\n"
            "Exit status: 0 every pack is valid, 1 a pack has errors, 2 bad usage.\n"
            "\n");
    rpeval_limits_help(out);
}

static bool is_file(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(s + n - 4, ".yml") == 0) || (n > 5 && strcmp(s + n - 5, ".json") == 0);
}

int cmd_lint_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"profile", required_argument, NULL, 'p'},
        {"limit", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    rp_profile profile = RP_PROFILE_EXTENDED;
    rp_env_options o;
    rp_env_options_init(&o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == 'p') {
            if (strcmp(optarg, "kubernetes") == 0)
                profile = RP_PROFILE_KUBERNETES;
            else if (strcmp(optarg, "extended") == 0)
                profile = RP_PROFILE_EXTENDED;
            else {
                fprintf(stderr, "rpeval lint: a pack runs in profile kubernetes or extended, not '%s'\n",
                        optarg);
                return RPEVAL_EXIT_USAGE;
            }
        } else if (c == 'l') {
            if (rpeval_set_limit(&o, optarg, "lint") != 0)
                return RPEVAL_EXIT_USAGE;
        } else if (c == 'h') {
            cmd_lint_usage(stdout);
            return RPEVAL_EXIT_OK;
        } else {
            fprintf(stderr, "rpeval lint: %s '%s'\n", c == ':' ? "option needs a value:" : "unknown option",
                    argv[optind - 1]);
            return RPEVAL_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "rpeval lint: no packs to lint\n");
        return RPEVAL_EXIT_USAGE;
    }
    o.profile = profile;
    rp_error err = {0};
    rp_env *env = rp_env_new(&o, &err);
    if (!env) {
        fprintf(stderr, "rpeval lint: %s\n", err.message);
        return RPEVAL_EXIT_USAGE;
    }
    int status = RPEVAL_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        memset(&err, 0, sizeof err);
        rp_pack *p = is_file(argv[i]) ? rp_pack_load_file(env, argv[i], &err)
                                      : rp_pack_load_builtin(env, argv[i], &err);
        if (!p) {
            printf("%s\n", err.message);
            status = RPEVAL_EXIT_FAIL;
            continue;
        }
        char *w = rp_pack_lint(p);
        if (w)
            fputs(w, stdout);
        printf("%s: %s %s: %zu rules compile\n", rp_pack_source(p), rp_pack_name(p),
               rp_pack_version(p), rp_pack_rule_count(p));
        rp_free(w);
        rp_pack_free(p);
    }
    rp_env_free(env);
    return status;
}
