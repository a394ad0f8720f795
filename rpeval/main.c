/* main.c -- rpeval's entry point: global options and the subcommand table.
 *
 * `rpeval CMD ARGS...` runs the subcommand CMD with its own argv; `rpeval
 * --help` lists the subcommands, `rpeval help CMD` and `rpeval CMD --help`
 * print one subcommand's usage, `rpeval --version` prints the versions of
 * the program and of the library it is linked with.  An unknown subcommand
 * is a usage error (exit 2).  Adding a subcommand is one row in `commands`
 * and one cmd_<name>.c file.
 */
#include <stdio.h>
#include <string.h>

#include "raypolicy.h"
#include "cmd.h"

static const rpeval_cmd commands[] = {
    {"eval", "evaluate one CEL expression, or a batch of them, against JSON",
     cmd_eval_run, cmd_eval_usage},
    {"check", "check Kubernetes manifests against policy packs", cmd_check_run,
     cmd_check_usage},
    {"test", "run policy test suites", cmd_test_run, cmd_test_usage},
    {"lint", "compile every expression of packs, warn about rules that never match",
     cmd_lint_run, cmd_lint_usage},
    {"export", "write a pack as Kubernetes ValidatingAdmissionPolicies",
     cmd_export_run, cmd_export_usage},
    {"bench", "time compile and evaluation of expressions, or a whole check",
     cmd_bench_run, cmd_bench_usage},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const rpeval_cmd *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: rpeval COMMAND [OPTIONS...]\n"
            "       rpeval help COMMAND\n"
            "       rpeval --help | --version\n"
            "\n"
            "Compile and evaluate CEL expressions (Kubernetes' dialect) against JSON.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nSee rpeval(1), or `rpeval help COMMAND`.\n");
}

/* The header this program was compiled with and the library it runs
 * with can differ (a shared library upgraded underneath): show both. */
static void version(void)
{
    printf("rpeval %s (libraypolicy %s)\n", RP_VERSION_STRING, rp_version());
}

static int help(int argc, char **argv)
{
    if (argc < 2) {
        usage(stdout);
        return RPEVAL_EXIT_OK;
    }
    const rpeval_cmd *cmd = find_command(argv[1]);
    if (!cmd) {
        fprintf(stderr, "rpeval: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return RPEVAL_EXIT_USAGE;
    }
    cmd->usage(stdout);
    return RPEVAL_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return RPEVAL_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return RPEVAL_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        version();
        return RPEVAL_EXIT_OK;
    }
    if (strcmp(name, "help") == 0)
        return help(argc - 1, argv + 1);
    const rpeval_cmd *cmd = find_command(name);
    if (!cmd) {
        if (name[0] == '-')
            fprintf(stderr, "rpeval: unknown option '%s' (options follow the command)\n", name);
        else
            fprintf(stderr, "rpeval: unknown command '%s'\n", name);
        usage(stderr);
        return RPEVAL_EXIT_USAGE;
    }
    int status = cmd->run(argc - 1, argv + 1);
    /* A full disk or a closed pipe must not look like success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "rpeval: error writing the output\n");
        return RPEVAL_EXIT_USAGE;
    }
    return status;
}
