/* cmd_export.c -- `rpeval export`: a policy pack as Kubernetes objects.
 *
 *   rpeval export --format vap [--params FILE] [--output FILE] [--json] PACK
 *
 * PACK is a pack file or a built-in pack's name.  The output is what
 * rp_pack_export_vap() writes: a CustomResourceDefinition for the pack's
 * parameters, the parameter object (the defaults with FILE merged over
 * them), and a ValidatingAdmissionPolicy with its binding for every rule
 * that can run in a cluster; rules that cannot are left out, each with a
 * YAML comment saying why.  --json prints the same objects as one JSON
 * array (no comments).  `vap` is the only format so far.
 * Exit status: 0 written, 2 bad usage, an unreadable or malformed pack or
 * parameter file, or an output that cannot be written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raypolicy.h"
#include "cmd.h"

void cmd_export_usage(FILE *out)
{
    fprintf(out,
            "usage: rpeval export --format vap [--params FILE] [--output FILE] [--json] PACK\n"
            "\n"
            "Write PACK (a file or a built-in pack's name) as Kubernetes objects: a\n"
            "CustomResourceDefinition for its parameters, the parameter object, and a\n"
            "ValidatingAdmissionPolicy with its binding for every single-object rule.\n"
            "Rules that cannot run in a cluster are left out with a comment saying why.\n"
            "\n"
            "      --format vap      ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1)\n"
            "      --params FILE     parameters (YAML or JSON) merged over the pack's defaults\n"
            "  -o, --output FILE     write to FILE instead of standard output\n"
            "      --json            the objects as one JSON array instead of YAML\n"
            "\n"
            "Exit status: 0 written, 2 bad usage or unreadable input.\n");
}

enum { OPT_FORMAT = 256, OPT_PARAMS, OPT_JSON };

static bool is_file(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(s + n - 4, ".yml") == 0) || (n > 5 && strcmp(s + n - 5, ".json") == 0);
}

/* The whole file PATH ("-": standard input), malloc'd; NULL with a message
 * printed. */
static char *read_file(const char *path, size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "rpeval export: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 14, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = cap < ((size_t)1 << 30) ? realloc(buf, cap * 2) : NULL;
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
    bool bad = ferror(fp);
    if (!is_stdin)
        fclose(fp);
    if (!buf || bad) {
        fprintf(stderr, "rpeval export: %s: %s\n", path, buf ? "read error" : "out of memory");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int write_output(const char *path, const char *text)
{
    FILE *fp = path ? fopen(path, "wb") : stdout;
    if (!fp) {
        fprintf(stderr, "rpeval export: %s: %s\n", path, strerror(errno));
        return RPEVAL_EXIT_USAGE;
    }
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, fp) == n;
    if (path)
        ok = fclose(fp) == 0 && ok;
    if (!ok) {
        fprintf(stderr, "rpeval export: %s: write error\n", path ? path : "<stdout>");
        return RPEVAL_EXIT_USAGE;
    }
    return RPEVAL_EXIT_OK;
}

int cmd_export_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, OPT_FORMAT},
        {"params", required_argument, NULL, OPT_PARAMS},
        {"output", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = NULL, *params_path = NULL, *output = NULL;
    bool json = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (c) {
        case OPT_FORMAT: format = optarg; break;
        case OPT_PARAMS: params_path = optarg; break;
        case 'o': output = optarg; break;
        case OPT_JSON: json = true; break;
        case 'h': cmd_export_usage(stdout); return RPEVAL_EXIT_OK;
        default:
            fprintf(stderr, "rpeval export: %s '%s'\n",
                    c == ':' ? "option needs a value:" : "unknown option", argv[optind - 1]);
            return RPEVAL_EXIT_USAGE;
        }
    }
    if (!format) {
        fprintf(stderr, "rpeval export: say which format: --format vap\n");
        return RPEVAL_EXIT_USAGE;
    }
    if (strcmp(format, "vap") != 0) {
        fprintf(stderr, "rpeval export: unknown format '%s' (vap is the one there is)\n", format);
        return RPEVAL_EXIT_USAGE;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "rpeval export: %s\n",
                optind >= argc ? "no pack to export" : "one pack at a time");
        return RPEVAL_EXIT_USAGE;
    }
    const char *pack_name = argv[optind];
    rp_error err = {0};
    rp_pack *p = is_file(pack_name) ? rp_pack_load_file(NULL, pack_name, &err)
                                    : rp_pack_load_builtin(NULL, pack_name, &err);
    if (!p) {
        fprintf(stderr, "rpeval export: %s\n", err.message);
        return RPEVAL_EXIT_USAGE;
    }
    char *params = NULL;
    size_t params_len = 0;
    if (params_path && !(params = read_file(params_path, &params_len))) {
        rp_pack_free(p);
        return RPEVAL_EXIT_USAGE;
    }
    const char *source = params_path && strcmp(params_path, "-") == 0 ? "<stdin>" : params_path;
    memset(&err, 0, sizeof err);
    char *text = json ? rp_pack_export_vap_json(p, params, params_len, source, &err)
                      : rp_pack_export_vap(p, params, params_len, source, &err);
    int status = RPEVAL_EXIT_USAGE;
    if (text)
        status = write_output(output, text);
    else
        fprintf(stderr, "rpeval export: %s\n", err.message);
    rp_free(text);
    free(params);
    rp_pack_free(p);
    return status;
}
