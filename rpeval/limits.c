/* limits.c -- `--limit NAME=VALUE`, shared by the subcommands that build an
 * environment (eval, check, test, lint): NAME is a limit field of
 * rp_env_options (docs/limits.md), VALUE a positive integer, optionally
 * followed by K, M or G (KiB, MiB, GiB).  The table below is the list of
 * names; it follows the header, field by field.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raypolicy.h"
#include "cmd.h"

typedef enum { T_SIZE, T_UNSIGNED, T_U64 } limit_type;

typedef struct limit_field {
    const char *name;
    size_t offset;
    limit_type type;
    const char *what;   /* for --help */
} limit_field;

#define FIELD(f, t, what) {#f, offsetof(rp_env_options, f), t, what}

static const limit_field fields[] = {
    FIELD(max_expression_length, T_SIZE, "bytes of one expression"),
    FIELD(max_nesting_depth, T_UNSIGNED, "nesting of one expression (at most 1000)"),
    FIELD(max_ast_nodes, T_SIZE, "syntax tree nodes of one expression"),
    FIELD(max_program_size, T_SIZE, "bytecode instructions of one expression"),
    FIELD(cost_budget, T_U64, "cost of one evaluation"),
    FIELD(rule_cost_budget, T_U64, "cost of one rule on one object"),
    FIELD(max_eval_memory, T_SIZE, "bytes one evaluation may use"),
    FIELD(max_string_size, T_SIZE, "bytes of a string an evaluation builds"),
    FIELD(max_list_size, T_SIZE, "elements of a list or map an evaluation builds"),
    FIELD(max_comprehension_iterations, T_U64, "loop iterations of one evaluation"),
    FIELD(max_regex_length, T_SIZE, "bytes of a regular expression"),
    FIELD(regex_match_limit, T_U64, "backtracking steps of one regex match"),
    FIELD(max_input_bytes, T_SIZE, "bytes of one JSON or YAML input"),
    FIELD(max_input_depth, T_UNSIGNED, "nesting of JSON and YAML input (at most 10000)"),
    FIELD(max_input_documents, T_SIZE, "documents of one YAML stream"),
    FIELD(max_yaml_alias_nodes, T_SIZE, "nodes YAML aliases may bring in"),
    FIELD(max_pack_bytes, T_SIZE, "bytes of one pack file"),
};

#define NFIELDS (sizeof fields / sizeof fields[0])

/* The value of VALUE ("123", "16M"): false when it is not a positive
 * integer with an optional K, M or G, or overflows. */
static bool parse_value(const char *value, uint64_t *out)
{
    if (value[0] < '0' || value[0] > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(value, &end, 10);
    if (errno || v == 0)
        return false;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift)
        end++;
    if (*end != '\0' || v > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

int rpeval_set_limit(rp_env_options *o, const char *arg, const char *cmd)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        fprintf(stderr, "rpeval %s: --limit wants NAME=VALUE, not '%s'\n", cmd, arg);
        return -1;
    }
    size_t n = (size_t)(eq - arg);
    const limit_field *f = NULL;
    for (size_t i = 0; i < NFIELDS && !f; i++)
        if (strlen(fields[i].name) == n && memcmp(fields[i].name, arg, n) == 0)
            f = &fields[i];
    if (!f) {
        fprintf(stderr, "rpeval %s: unknown limit '%.*s' (see `rpeval help %s`)\n", cmd, (int)n,
                arg, cmd);
        return -1;
    }
    uint64_t v;
    if (!parse_value(eq + 1, &v) || (f->type == T_UNSIGNED && v > UINT32_MAX) ||
        (f->type == T_SIZE && v > SIZE_MAX)) {
        fprintf(stderr, "rpeval %s: --limit %s wants a positive integer (K, M, G: KiB, MiB, GiB), "
                        "not '%s'\n", cmd, f->name, eq + 1);
        return -1;
    }
    char *p = (char *)o + f->offset;
    switch (f->type) {
    case T_SIZE: {
        size_t s = (size_t)v;
        memcpy(p, &s, sizeof s);
        break;
    }
    case T_UNSIGNED: {
        unsigned u = (unsigned)v;
        memcpy(p, &u, sizeof u);
        break;
    }
    case T_U64:
        memcpy(p, &v, sizeof v);
        break;
    }
    return 0;
}

void rpeval_limits_help(FILE *out)
{
    rp_env_options d;
    rp_env_options_init(&d);
    fprintf(out, "Limits (--limit NAME=VALUE; VALUE may end in K, M or G):\n");
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *p = (const char *)&d + fields[i].offset;
        unsigned long long v = 0;
        switch (fields[i].type) {
        case T_SIZE: {
            size_t s;
            memcpy(&s, p, sizeof s);
            v = s;
            break;
        }
        case T_UNSIGNED: {
            unsigned u;
            memcpy(&u, p, sizeof u);
            v = u;
            break;
        }
        case T_U64: {
            uint64_t u;
            memcpy(&u, p, sizeof u);
            v = u;
            break;
        }
        }
        fprintf(out, "  %-29s %s (default %llu)\n", fields[i].name, fields[i].what, v);
    }
}
