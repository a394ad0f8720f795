/* cmd.h -- rpeval's subcommands and what they share.
 *
 * main.c owns the table of subcommands (name, one-line summary, entry
 * point, usage printer), as ninja's kTools does; each cmd_<name>.c holds
 * one subcommand and exports exactly its two functions below.  A
 * subcommand receives its own argv: argv[0] is its name, options follow.
 *
 * Exit statuses are shared by every subcommand (docs/rpeval.1 lists them).
 */
#ifndef RPEVAL_CMD_H
#define RPEVAL_CMD_H

#include <stdio.h>

#include "raypolicy.h"

#define RPEVAL_EXIT_OK    0  /* done; for eval, the result was printed */
#define RPEVAL_EXIT_FAIL  1  /* the work ran and the answer is "no": an
                                evaluation error, failing findings */
#define RPEVAL_EXIT_USAGE 2  /* bad usage, unreadable or malformed input, an
                                expression that does not compile */

typedef struct rpeval_cmd {
    const char *name;
    const char *summary;                /* one line, for `rpeval --help` */
    int (*run)(int argc, char **argv);  /* returns an RPEVAL_EXIT_* status */
    void (*usage)(FILE *out);           /* full usage, for `rpeval help NAME` */
} rpeval_cmd;

int cmd_eval_run(int argc, char **argv);
void cmd_eval_usage(FILE *out);
int cmd_check_run(int argc, char **argv);
void cmd_check_usage(FILE *out);
int cmd_test_run(int argc, char **argv);
void cmd_test_usage(FILE *out);
int cmd_lint_run(int argc, char **argv);
void cmd_lint_usage(FILE *out);
int cmd_export_run(int argc, char **argv);
void cmd_export_usage(FILE *out);
int cmd_bench_run(int argc, char **argv);
void cmd_bench_usage(FILE *out);

/* limits.c: `--limit NAME=VALUE` for the subcommands that build an
 * environment.  Sets the field NAME of O; -1 (after a message naming CMD
 * on stderr) when NAME is no limit or VALUE no positive integer. */
int rpeval_set_limit(rp_env_options *o, const char *arg, const char *cmd);
/* The limits, their meaning and defaults, for a usage text. */
void rpeval_limits_help(FILE *out);

#endif /* RPEVAL_CMD_H */
