/* check.c -- check Kubernetes manifests (files or directories named on the
 * command line) with the built-in ray-hardening pack and print the findings,
 * the errors and a count.
 *   usage: check PATH...   (exit 0 no failing finding and no error, 1 a
 *   finding fails the check or an input could not be checked, 2 usage or
 *   the check could not run) */
#include <stdio.h>

#include <raypolicy.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: check PATH...\n");
        return 2;
    }
    rp_error err = {0};
    rp_pack *pack = rp_pack_load_builtin(NULL, "ray-hardening", &err);
    rp_checker *chk = pack ? rp_checker_new(&err) : NULL;
    if (!chk || rp_checker_add_pack(chk, pack, &err) != RP_OK) {
        fprintf(stderr, "%s\n", err.message);
        rp_checker_free(chk);
        rp_pack_free(pack);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        rp_checker_add_path(chk, argv[i], NULL); /* unreadable input: a report error */
    rp_report *rep = rp_checker_run(chk, &err);
    if (!rep) {
        fprintf(stderr, "%s\n", err.message);
        rp_checker_free(chk);
        rp_pack_free(pack);
        return 2;
    }

    size_t nf = rp_report_finding_count(rep), ne = rp_report_error_count(rep);
    for (size_t i = 0; i < nf; i++) {
        printf("%s:%u: %s %s %s/%s: %s%s\n", rp_report_finding_get(rep, i, RP_FINDING_FILE),
               rp_report_finding_line(rep, i), rp_report_finding_get(rep, i, RP_FINDING_SEVERITY),
               rp_report_finding_get(rep, i, RP_FINDING_RULE),
               rp_report_finding_get(rep, i, RP_FINDING_KIND),
               rp_report_finding_get(rep, i, RP_FINDING_NAME),
               rp_report_finding_get(rep, i, RP_FINDING_MESSAGE),
               rp_report_finding_bypassed(rep, i) ? " [bypassed]" : "");
    }
    for (size_t i = 0; i < ne; i++) {
        const char *file = rp_report_error_file(rep, i);
        unsigned line = rp_report_error_line(rep, i);
        printf("%s", file ? file : "-");
        if (line)
            printf(":%u", line);
        printf(": %s error: %s\n", rp_report_error_kind(rep, i), rp_report_error_message(rep, i));
    }
    printf("%zu findings, %zu errors\n", nf, ne);

    int status = rp_report_fails(rep, NULL) || ne ? 1 : 0;
    rp_report_free(rep);
    rp_checker_free(chk);
    rp_pack_free(pack);
    return status;
}
