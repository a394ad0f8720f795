/* fuzz_pack.c -- libFuzzer target: policy packs.
 *
 * Loads arbitrary bytes as a pack (rp_pack_load_string: YAML reading,
 * pack schema validation, compilation of every CEL expression) and, when
 * it loads, checks a small fixed manifest with it (rp_pack_check: matching,
 * parameters, evaluation) and renders the report in all four formats.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "raypolicy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char manifest[] =
    "apiVersion: ray.io/v1\n"
    "kind: RayCluster\n"
    "metadata:\n"
    "  name: demo\n"
    "  namespace: team-a\n"
    "  labels: {app: ray}\n"
    "spec:\n"
    "  rayVersion: '2.9.0'\n"
    "  headGroupSpec:\n"
    "    rayStartParams: {dashboard-host: 0.0.0.0}\n"
    "    template:\n"
    "      spec:\n"
    "        containers:\n"
    "        - name: ray-head\n"
    "          image: rayproject/ray:2.9.0\n"
    "          ports: [{containerPort: 6379}, {containerPort: 8265}]\n"
    "          resources: {limits: {cpu: '1', memory: 2Gi}}\n"
    "  workerGroupSpecs:\n"
    "  - groupName: w\n"
    "    replicas: 2\n"
    "    template:\n"
    "      spec:\n"
    "        containers:\n"
    "        - name: w\n"
    "          image: rayproject/ray:2.9.0\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Service\n"
    "metadata: {name: svc, namespace: team-a}\n"
    "spec: {type: LoadBalancer, ports: [{port: 8265}]}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rp_env_options opts;
    rp_env_options_init(&opts);
    opts.cost_budget = 100000;
    opts.max_eval_memory = 16u << 20;
    rp_error err = {0};
    rp_env *env = rp_env_new(&opts, &err);
    if (env == NULL)
        return 0;
    rp_pack *pack = rp_pack_load_string(env, (const char *)data, size, "<fuzz>", &err);
    if (pack != NULL) {
        rp_report *r = rp_pack_check(pack, manifest, strlen(manifest), NULL, &err);
        if (r != NULL) {
            static const rp_report_format formats[] = {
                RP_REPORT_TEXT, RP_REPORT_JSON, RP_REPORT_SARIF, RP_REPORT_JUNIT,
            };
            for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
                rp_free(rp_report_render(r, formats[i], 0));
            (void)rp_report_fails(r, "low");
            rp_report_free(r);
        }
        rp_pack_free(pack);
    }
    rp_env_free(env);
    return 0;
}
