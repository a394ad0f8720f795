/* report_sample.c -- build a representative report through the rpi_report_*
 * API and print it, for check-report-formats.sh to validate (the SARIF
 * schema, well-formed JUnit XML, the JSON contract).
 *
 * Usage: report_sample text|text-color|text-passed|json|sarif|junit [empty]
 *
 * The sample holds what the writers must get right: every severity, action,
 * outcome and error kind; several findings on one result; a bypassed
 * finding; an evaluation error tied to its result and one tied to none;
 * a List item; stdin; a file name with a space, '&' and a non-ASCII letter;
 * messages with quotes, <>&, apostrophes, non-ASCII text, control characters
 * (ESC, BEL, DEL, a lone invalid UTF-8 byte) and a bidirectional override;
 * NULL identity fields, paths, remediation and messages.  "empty" prints a
 * report with nothing in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy/report.h"

static int failed_adds;

static size_t check(size_t idx)
{
    if (idx == (size_t)-1)
        failed_adds++;
    return idx;
}

static size_t rule(rp_report *r, const char *id, const char *title, rpi_severity sev,
                   rpi_action act, const char *remediation, const char **refs, size_t nrefs)
{
    rpi_report_rule ru = {
        .id = (char *)id,
        .title = (char *)title,
        .pack = "ray-hardening",
        .remediation = (char *)remediation,
        .references = (char **)refs,
        .n_references = nrefs,
        .severity = sev,
        .action = act,
    };
    return check(rpi_report_add_rule(r, &ru));
}

static size_t object(rp_report *r, const char *file, unsigned doc, unsigned line,
                     const char *api, const char *kind, const char *ns, const char *name,
                     const char *break_glass)
{
    rpi_report_object o = {
        .file = (char *)file,
        .document = doc,
        .line = line,
        .api_version = (char *)api,
        .kind = (char *)kind,
        .namespace_ = (char *)ns,
        .name = (char *)name,
        .break_glass = (char *)break_glass,
    };
    rpi_report_count_document(r);
    return check(rpi_report_add_object(r, &o));
}

static void result(rp_report *r, size_t obj, size_t ru, rpi_outcome out)
{
    rpi_report_result res = {.object = obj, .rule = ru, .outcome = out};
    check(rpi_report_add_result(r, &res));
}

static void finding(rp_report *r, size_t obj, size_t ru, unsigned validation, bool bypassed,
                    const char *message, const char *path, unsigned line, unsigned column)
{
    rpi_report_finding f = {
        .object = obj,
        .rule = ru,
        .bypassed = bypassed,
        .validation = validation,
        .message = (char *)message,
        .path = (char *)path,
        .line = line,
        .column = column,
    };
    check(rpi_report_add_finding(r, &f));
}

static rp_report *sample(void)
{
    rp_report *r = rpi_report_new();
    if (!r)
        return NULL;
    const char *net_refs[] = {
        "https://docs.ray.io/en/latest/cluster/kubernetes/user-guides/config.html",
        "Ray security guide: do not expose the dashboard",
    };
    size_t net = rule(r, "RAY-NET-001", "Head service must not be exposed by a LoadBalancer",
                      RPI_SEV_CRITICAL, RPI_ACT_DENY,
                      "Use serviceType: ClusterIP and reach the dashboard through "
                      "`kubectl port-forward`.",
                      net_refs, 2);
    size_t sec = rule(r, "RAY-SEC-002", "Containers must not run as root", RPI_SEV_HIGH,
                      RPI_ACT_DENY, "Set securityContext.runAsNonRoot: true.", NULL, 0);
    size_t img = rule(r, "RAY-IMG-003", "Images are pinned by digest <sha256> & \"tag\"",
                      RPI_SEV_MEDIUM, RPI_ACT_WARN, NULL, NULL, 0);
    size_t obs = rule(r, "RAY-OBS-004", "Metrics are exported", RPI_SEV_LOW, RPI_ACT_AUDIT,
                      NULL, NULL, 0);
    size_t inf = rule(r, "RAY-INF-005", "Namespaces carry an owner label", RPI_SEV_INFO,
                      RPI_ACT_DENY, NULL, NULL, 0);

    rpi_report_count_file(r);   /* ray/cluster.yaml */
    size_t cluster = object(r, "ray/cluster.yaml", 0, 1, "ray.io/v1", "RayCluster", "ml",
                            "raycluster-a", NULL);
    size_t svc = object(r, "./ray/cluster.yaml", 1, 40, "v1", "Service", "ml", "head-svc",
                        "INC-1234: approved by <sec> & \"ops\" \xe2\x80\x94 until Friday");
    rpi_report_count_file(r);   /* the file with a difficult name */
    rpi_report_object item = {
        .file = "manifests/with space & \xc3\xbc:1.yaml",
        .document = 0,
        .item = 1,
        .in_list = true,
        .line = 7,
        .api_version = "v1",
        .kind = "ConfigMap",
        .name = "cm-\x1b[31mred\x1b[0m",
    };
    rpi_report_count_document(r);
    size_t cm = check(rpi_report_add_object(r, &item));
    rpi_report_count_file(r);   /* stdin */
    size_t ns = object(r, "-", 0, 0, "v1", "Namespace", NULL, "ml", NULL);
    rpi_report_count_file(r);   /* ray/broken.yaml: unreadable */
    rpi_report_count_document(r);

    result(r, cluster, net, RPI_OUT_FAIL);
    finding(r, cluster, net, 0, false,
            "head service \"ray-head\" is type LoadBalancer: <reachable> from anywhere & more",
            "spec.headGroupSpec.serviceType", 12, 5);
    result(r, cluster, sec, RPI_OUT_FAIL);
    finding(r, cluster, sec, 0, false, "container 'ray-head' runs as UID 0",
            "spec.headGroupSpec.template.spec.containers[0].securityContext.runAsUser", 20, 13);
    finding(r, cluster, sec, 1, false, "container 'ray-worker' runs as UID 0", NULL, 31, 0);
    result(r, cluster, img, RPI_OUT_PASS);
    result(r, cluster, obs, RPI_OUT_ERROR);
    result(r, svc, net, RPI_OUT_BYPASSED);
    finding(r, svc, net, 0, true, "service type LoadBalancer", "spec.type", 45, 9);
    result(r, svc, sec, RPI_OUT_PASS);
    result(r, cm, img, RPI_OUT_FAIL);
    finding(r, cm, img, 0, false,
            "image \xe2\x80\x9cray:latest\xe2\x80\x9d is not pinned \xe2\x86\x92 use a digest"
            "\x01\x07\x7f \xe2\x80\xae\xff end\nsecond line\tafter tab",
            NULL, 0, 0);
    result(r, ns, inf, RPI_OUT_FAIL);
    finding(r, ns, inf, 0, false, NULL, "metadata.labels", 0, 0);

    rpi_report_error e = {
        .kind = RPI_ERRK_EVAL,
        .code = RP_EEVAL,
        .has_object = true,
        .object = cluster,
        .has_rule = true,
        .rule = obs,
        .message = "no such key: metrics",
    };
    check(rpi_report_add_error(r, &e));
    e = (rpi_report_error){
        .kind = RPI_ERRK_INPUT,
        .code = RP_EYAML,
        .file = "ray/broken.yaml",
        .has_document = true,
        .document = 0,
        .line = 3,
        .column = 7,
        .message = "could not find expected ':' <here> & \"there\"",
    };
    check(rpi_report_add_error(r, &e));
    e = (rpi_report_error){
        .kind = RPI_ERRK_PARAMS,
        .code = RP_EJSON,
        .file = "params.yaml",
        .message = "allowedRegistries: expected a list",
    };
    check(rpi_report_add_error(r, &e));
    e = (rpi_report_error){.kind = RPI_ERRK_PACK, .code = RP_EPACK, .has_rule = true,
                           .rule = inf};
    check(rpi_report_add_error(r, &e));
    e = (rpi_report_error){
        .kind = RPI_ERRK_EVAL,
        .code = RP_ELIMIT,
        .file = "packs/ray-hardening.yaml",
        .line = 88,
        .column = 14,
        .has_object = true,
        .object = svc,
        .has_rule = true,
        .rule = obs,
        .message = "operation cancelled: actual cost limit exceeded",
    };
    check(rpi_report_add_error(r, &e));
    return r;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "empty") != 0)) {
        fprintf(stderr, "usage: report_sample text|text-color|text-passed|json|sarif|junit "
                        "[empty]\n");
        return 2;
    }
    rp_report *r = argc == 3 ? rpi_report_new() : sample();
    if (!r || failed_adds) {
        fprintf(stderr, "report_sample: building the report failed\n");
        rpi_report_free(r);
        return 1;
    }
    const char *fmt = argv[1];
    char *out = NULL;
    if (strcmp(fmt, "text") == 0)
        out = rpi_report_to_text(r, &(rpi_text_options){0});
    else if (strcmp(fmt, "text-color") == 0)
        out = rpi_report_to_text(r, &(rpi_text_options){.color = true});
    else if (strcmp(fmt, "text-passed") == 0)
        out = rpi_report_to_text(r, &(rpi_text_options){.show_passed = true});
    else if (strcmp(fmt, "json") == 0)
        out = rpi_report_to_json(r);
    else if (strcmp(fmt, "sarif") == 0)
        out = rpi_report_to_sarif(r);
    else if (strcmp(fmt, "junit") == 0)
        out = rpi_report_to_junit(r);
    else {
        fprintf(stderr, "report_sample: unknown format '%s'\n", fmt);
        rpi_report_free(r);
        return 2;
    }
    rpi_report_free(r);
    if (!out) {
        fprintf(stderr, "report_sample: writing %s failed\n", fmt);
        return 1;
    }
    fputs(out, stdout);
    free(out);
    return 0;
}
