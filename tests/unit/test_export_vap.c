/* test_export_vap.c -- rp_pack_export_vap() (libraypolicy/policy/export_vap.c)
 * on tests/data/packs/export.yaml and demo.yaml.
 *
 * The expected rewrites follow from the rules the exporter implements
 * (docs/policy.md, "Exporting to Kubernetes"): params.<x> becomes
 * params.spec.<x> except where params is a comprehension variable, in
 * strings or in comments; cel.bind(x, init, body) becomes (body) with x
 * replaced by (init); matchConditions get (<variable expression>) for
 * variables.<name>; rules reading inventory, or with expressions that do
 * not compile in the kubernetes profile, are left out with a comment.  The
 * object shapes are those of the Kubernetes API (admissionregistration/v1,
 * apiextensions/v1).  Every YAML stream is read back with the library's
 * own YAML reader and must hold exactly the objects of the JSON form.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define DATA RP_SRCDIR "/tests/data/"

static rp_pack *load(const char *name)
{
    rp_error err = {0};
    char path[512];
    snprintf(path, sizeof path, DATA "packs/%s", name);
    rp_pack *p = rp_pack_load_file(NULL, path, &err);
    cr_assert_not_null(p, "%s", err.message);
    return p;
}

/* The JSON form of PACK's export (with PARAMS), parsed. */
static json_t *export_json(const rp_pack *p, const char *params)
{
    rp_error err = {0};
    char *s = rp_pack_export_vap_json(p, params, params ? strlen(params) : 0, "params.yaml", &err);
    cr_assert_not_null(s, "%s", err.message);
    json_error_t je;
    json_t *a = json_loads(s, 0, &je);
    cr_assert_not_null(a, "%s", je.text);
    cr_assert(json_is_array(a));
    rp_free(s);
    return a;
}

/* The YAML form must read back (rpi_yaml_read) as the objects of the JSON
 * form, in order, with no document in between. */
static void yaml_matches_json(const rp_pack *p, const char *params, char **yaml_out)
{
    rp_error err = {0};
    char *y = rp_pack_export_vap(p, params, params ? strlen(params) : 0, "params.yaml", &err);
    cr_assert_not_null(y, "%s", err.message);
    json_t *objs = export_json(p, params);
    rpi_docset ds = {0};
    cr_assert_eq(rpi_yaml_read(y, strlen(y), "export.yaml", NULL, &ds, &err), RP_OK, "%s",
                 err.message);
    cr_assert_not(ds.truncated);
    cr_assert_eq(ds.n, json_array_size(objs), "%zu documents, %zu objects", ds.n,
                 json_array_size(objs));
    for (size_t i = 0; i < ds.n; i++) {
        cr_assert_null(ds.docs[i].error, "document %zu: %s", i, ds.docs[i].error);
        cr_assert_not(ds.docs[i].empty, "document %zu is empty", i);
        if (!json_equal(ds.docs[i].root, json_array_get(objs, i))) {
            char *a = json_dumps(ds.docs[i].root, JSON_INDENT(1));
            char *b = json_dumps(json_array_get(objs, i), JSON_INDENT(1));
            cr_assert_fail("document %zu differs:\nYAML: %s\nJSON: %s", i, a, b);
        }
    }
    rpi_docset_free(&ds);
    json_decref(objs);
    if (yaml_out)
        *yaml_out = y;
    else
        rp_free(y);
}

/* The object of KIND named NAME (metadata.name), or NULL. */
static json_t *find(json_t *objs, const char *kind, const char *name)
{
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o) {
        if (strcmp(json_string_value(json_object_get(o, "kind")), kind) == 0 &&
            strcmp(json_string_value(json_object_get(json_object_get(o, "metadata"), "name")),
                   name) == 0)
            return o;
    }
    return NULL;
}

/* The node at PATH (dotted keys, [i] indexes) under O, or NULL. */
static const json_t *at(const json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL;
    for (char *part = strtok_r(buf, ".", &save); part && o; part = strtok_r(NULL, ".", &save)) {
        char *br = strchr(part, '[');
        if (br) {
            *br = '\0';
            o = json_array_get(json_object_get(o, part), strtoul(br + 1, NULL, 10));
        } else {
            o = json_object_get(o, part);
        }
    }
    return o;
}

static const char *str_at(const json_t *o, const char *path)
{
    return json_string_value(at(o, path));
}

static void expect_json(const json_t *got, const char *want_text)
{
    json_error_t je;
    json_t *want = json_loads(want_text, JSON_DECODE_ANY, &je);
    cr_assert_not_null(want, "%s", je.text);
    char *g = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
    cr_expect(json_equal(got, want), "got %s, want %s", g ? g : "(none)", want_text);
    free(g);
    json_decref(want);
}

Test(export_vap, yaml_reads_back_as_the_json_objects)
{
    rp_pack *e = load("export.yaml"), *d = load("demo.yaml");
    yaml_matches_json(e, NULL, NULL);
    yaml_matches_json(e, "maxReplicas: 5\nweird: {x: \"\\u2029 \\t\"}\n", NULL);
    yaml_matches_json(d, NULL, NULL);
    rp_pack_free(e);
    rp_pack_free(d);
}

Test(export_vap, cel_bind_is_inlined_and_params_read_spec)
{
    rp_pack *p = load("export.yaml");
    json_t *objs = export_json(p, NULL);
    json_t *vap = find(objs, "ValidatingAdmissionPolicy", "exp-bind-001.raypolicy.io");
    cr_assert_not_null(vap);
    cr_expect_str_eq(str_at(vap, "apiVersion"), "admissionregistration.k8s.io/v1");
    cr_expect_str_eq(str_at(vap, "spec.validations[0].expression"),
                     "(object.metadata.name.startsWith((params.spec.orgName + '-')))");
    cr_expect_str_eq(str_at(vap, "spec.validations[0].messageExpression"),
                     "'name must start with ' + params.spec.orgName + '-'");
    cr_expect_str_eq(str_at(vap, "spec.validations[0].message"),
                     "the name lacks the organisation prefix");
    cr_expect_str_eq(str_at(vap, "spec.validations[0].reason"), "Forbidden");
    cr_expect_str_eq(str_at(vap, "spec.failurePolicy"), "Fail");
    expect_json(at(vap, "spec.paramKind"),
                "{\"apiVersion\": \"raypolicy.io/v1\", \"kind\": \"ExportTestParams\"}");
    expect_json(at(vap, "spec.matchConstraints.resourceRules"),
                "[{\"apiGroups\": [\"\"], \"apiVersions\": [\"*\"], "
                "\"operations\": [\"CREATE\", \"UPDATE\"], \"resources\": [\"pods\"]}]");
    expect_json(at(vap, "spec.matchConstraints.namespaceSelector"),
                "{\"matchExpressions\": ["
                "{\"key\": \"kubernetes.io/metadata.name\", \"operator\": \"In\", "
                "\"values\": [\"team-a\", \"team-b\"]},"
                "{\"key\": \"kubernetes.io/metadata.name\", \"operator\": \"NotIn\", "
                "\"values\": [\"team-b-sys\"]},"
                "{\"key\": \"tier\", \"operator\": \"In\", \"values\": [\"prod\"]}]}");
    expect_json(at(vap, "spec.matchConstraints.objectSelector"),
                "{\"matchExpressions\": [{\"key\": \"skip\", \"operator\": \"DoesNotExist\"}]}");
    json_t *b = find(objs, "ValidatingAdmissionPolicyBinding", "exp-bind-001.raypolicy.io");
    cr_assert_not_null(b);
    expect_json(at(b, "spec"),
                "{\"policyName\": \"exp-bind-001.raypolicy.io\", \"validationActions\": [\"Deny\"],"
                " \"paramRef\": {\"name\": \"export-test\", \"parameterNotFoundAction\": \"Deny\"}}");
    json_decref(objs);
    rp_pack_free(p);
}

Test(export_vap, params_bound_by_comprehensions_strings_and_comments_stay)
{
    rp_pack *p = load("export.yaml");
    json_t *objs = export_json(p, NULL);
    json_t *vap = find(objs, "ValidatingAdmissionPolicy", "exp-shadow-001.raypolicy.io");
    cr_assert_not_null(vap);
    cr_expect_str_eq(str_at(vap, "spec.validations[0].expression"),
                     "!params.spec.enabled || object.spec.containers.all(params, has(params.name))");
    cr_expect_str_eq(str_at(vap, "spec.validations[1].expression"),
                     "'params.orgName' != params.spec.orgName // params.orgName stays in a comment\n"
                     "&& object.metadata.labels.all(params, v, params != v)");
    json_t *b = find(objs, "ValidatingAdmissionPolicyBinding", "exp-shadow-001.raypolicy.io");
    expect_json(at(b, "spec.validationActions"), "[\"Warn\"]");
    json_decref(objs);
    rp_pack_free(p);
}

Test(export_vap, match_conditions_get_variables_inlined)
{
    rp_pack *p = load("export.yaml");
    json_t *objs = export_json(p, NULL);
    json_t *vap = find(objs, "ValidatingAdmissionPolicy", "exp-vars-001.raypolicy.io");
    cr_assert_not_null(vap);
    /* names made qualified names; variables.isPod is (variables.kind ==
     * 'Pod') with variables.kind inlined in turn; `(a) && b` keeps its
     * leading parenthesis */
    expect_json(at(vap, "spec.matchConditions"),
                "[{\"name\": \"is-pod\", "
                "\"expression\": \"((object.kind) == 'Pod') && params.spec.enabled\"},"
                " {\"name\": \"has-spec\", "
                "\"expression\": \"((object.kind == 'Pod') && has(object.spec))\"}]");
    /* variables and validations still read variables */
    expect_json(at(vap, "spec.variables"),
                "[{\"name\": \"kind\", \"expression\": \"object.kind\"},"
                " {\"name\": \"isPod\", \"expression\": \"variables.kind == 'Pod'\"},"
                " {\"name\": \"pod\", \"expression\": \"(object.kind == 'Pod') && has(object.spec)\"}]");
    /* Unauthorized is not a reason Kubernetes takes */
    expect_json(at(vap, "spec.validations"),
                "[{\"expression\": \"variables.isPod\", \"message\": \"not a pod\"}]");
    json_t *b = find(objs, "ValidatingAdmissionPolicyBinding", "exp-vars-001.raypolicy.io");
    expect_json(at(b, "spec.validationActions"), "[\"Audit\"]");
    json_decref(objs);
    rp_pack_free(p);
}

Test(export_vap, rules_left_out_have_a_comment_saying_why)
{
    rp_pack *p = load("export.yaml");
    json_t *objs = export_json(p, NULL);
    cr_expect_null(find(objs, "ValidatingAdmissionPolicy", "exp-cross-001.raypolicy.io"));
    cr_expect_null(find(objs, "ValidatingAdmissionPolicy", "exp-math-001.raypolicy.io"));
    cr_expect_null(find(objs, "ValidatingAdmissionPolicy", "exp-capture-001.raypolicy.io"));
    cr_expect_null(find(objs, "ValidatingAdmissionPolicyBinding", "exp-cross-001.raypolicy.io"));
    /* 1 CRD + 1 parameter object + 7 exported rules x 2 */
    cr_expect_eq(json_array_size(objs), 16);
    char *y = NULL;
    yaml_matches_json(p, NULL, &y);
    cr_expect(strstr(y, "\n# EXP-CROSS-001 (A quota in the namespace) is not exported:\n"
                        "# a cross-object rule: validations[0].expression reads inventory"),
              "%s", y);
    cr_expect(strstr(y, "\n# EXP-MATH-001 (Uses the math extension) is not exported:\n"
                        "# validations[0].expression does not compile in the kubernetes profile"));
    cr_expect(strstr(y, "undeclared reference to 'math'"));
    cr_expect(strstr(y, "\n# EXP-CAPTURE-001 (A cel.bind that cannot be inlined) is not exported:\n"
                        "# validations[0].expression cannot be rewritten: the cel.bind() variable x "
                        "reads 'params'"));
    cr_expect(strstr(y, "7 of 10 rules exported, 3 left out"));
    cr_expect(strstr(y, "# EXP-VARS-001: validations[0].reason \"Unauthorized\" is left out"));
    rp_free(y);
    json_decref(objs);
    rp_pack_free(p);
}

Test(export_vap, kinds_become_resources)
{
    rp_pack *p = load("export.yaml");
    json_t *objs = export_json(p, NULL);
    json_t *vap = find(objs, "ValidatingAdmissionPolicy", "exp-kind-001.raypolicy.io");
    cr_assert_not_null(vap);
    expect_json(at(vap, "spec.matchConstraints.resourceRules"),
                "[{\"apiGroups\": [\"*\"], \"apiVersions\": [\"*\"], \"operations\": [\"CREATE\"],"
                "  \"resources\": [\"networkpolicies\", \"ingresses\", \"gateways\", \"endpoints\","
                "                \"podsecuritypolicies\", \"meshes\", \"boxes\", \"policies\", \"foos\"]},"
                " {\"apiGroups\": [\"*\"], \"apiVersions\": [\"*\"], \"operations\": [\"*\"],"
                "  \"resources\": [\"*\"], \"resourceNames\": [\"one\"]}]");
    json_t *b = find(objs, "ValidatingAdmissionPolicyBinding", "exp-kind-001.raypolicy.io");
    expect_json(at(b, "spec.validationActions"), "[\"Warn\"]");
    json_decref(objs);
    rp_pack_free(p);
}

Test(export_vap, names_are_dns_names_and_unique)
{
    rp_pack *p = load("export.yaml");
    json_t *objs = export_json(p, NULL);
    json_t *upper = find(objs, "ValidatingAdmissionPolicy", "exp-dup-001.raypolicy.io");
    json_t *lower = find(objs, "ValidatingAdmissionPolicy", "exp-dup-001-2.raypolicy.io");
    cr_assert_not_null(upper);
    cr_assert_not_null(lower);
    cr_expect_str_eq(json_string_value(json_object_get(at(upper, "metadata.annotations"),
                                                       "raypolicy.io/rule")),
                     "EXP-DUP-001");
    cr_expect_str_eq(json_string_value(json_object_get(at(lower, "metadata.annotations"),
                                                       "raypolicy.io/rule")),
                     "exp-dup-001");
    json_t *b = find(objs, "ValidatingAdmissionPolicyBinding", "exp-dup-001-2.raypolicy.io");
    cr_expect_str_eq(str_at(b, "spec.policyName"), "exp-dup-001-2.raypolicy.io");
    json_decref(objs);
    rp_pack_free(p);
}

Test(export_vap, the_crd_types_the_parameters)
{
    rp_pack *p = load("export.yaml");
    json_t *objs = export_json(p, NULL);
    json_t *crd = find(objs, "CustomResourceDefinition", "exporttestparams.raypolicy.io");
    cr_assert_not_null(crd);
    cr_expect_str_eq(str_at(crd, "apiVersion"), "apiextensions.k8s.io/v1");
    expect_json(at(crd, "spec.names"),
                "{\"kind\": \"ExportTestParams\", \"listKind\": \"ExportTestParamsList\","
                " \"plural\": \"exporttestparams\", \"singular\": \"exporttestparams\"}");
    cr_expect_str_eq(str_at(crd, "spec.group"), "raypolicy.io");
    cr_expect_str_eq(str_at(crd, "spec.scope"), "Cluster");
    const json_t *v = at(crd, "spec.versions[0]");
    cr_expect_str_eq(str_at(v, "name"), "v1");
    cr_expect(json_is_true(at(v, "served")));
    cr_expect(json_is_true(at(v, "storage")));
    const json_t *root = at(v, "schema.openAPIV3Schema");
    cr_expect_str_eq(str_at(root, "type"), "object");
    const json_t *s = at(root, "properties.spec.properties");
    cr_assert_not_null(s);
    expect_json(at(s, "orgName"), "{\"type\": \"string\"}");
    expect_json(at(s, "enabled"), "{\"type\": \"boolean\"}");
    expect_json(at(s, "maxReplicas"), "{\"type\": \"integer\"}");
    expect_json(at(s, "ratio"), "{\"type\": \"number\"}");
    expect_json(at(s, "registries"), "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}");
    expect_json(at(s, "ports"), "{\"type\": \"array\", \"items\": {\"type\": \"integer\"}}");
    /* 1 and 2.5: numbers */
    expect_json(at(s, "limits"),
                "{\"type\": \"object\", \"additionalProperties\": {\"type\": \"number\"}}");
    expect_json(at(s, "labels"),
                "{\"type\": \"object\", \"additionalProperties\": {\"type\": \"string\"}}");
    expect_json(at(s, "owner"),
                "{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\"},"
                " \"id\": {\"type\": \"integer\"}}, \"x-kubernetes-preserve-unknown-fields\": true}");
    expect_json(at(s, "servers"),
                "{\"type\": \"array\", \"items\": {\"type\": \"object\", \"properties\": {"
                "\"name\": {\"type\": \"string\"}, \"port\": {\"type\": \"integer\"},"
                " \"tls\": {\"type\": \"boolean\"}}, \"x-kubernetes-preserve-unknown-fields\": true}}");
    expect_json(at(s, "anything"),
                "{\"type\": \"array\", \"items\": {\"x-kubernetes-preserve-unknown-fields\": true}}");
    expect_json(at(s, "mixed"),
                "{\"type\": \"array\", \"items\": {\"x-kubernetes-preserve-unknown-fields\": true}}");
    expect_json(at(s, "nothing"),
                "{\"nullable\": true, \"x-kubernetes-preserve-unknown-fields\": true}");
    /* the parameter object: the defaults, as they are */
    json_t *po = find(objs, "ExportTestParams", "export-test");
    cr_assert_not_null(po);
    cr_expect_str_eq(str_at(po, "apiVersion"), "raypolicy.io/v1");
    cr_expect_null(at(po, "metadata.namespace"));
    cr_expect(json_equal(json_object_get(po, "spec"), p->params));
    json_decref(objs);
    rp_pack_free(p);
}

Test(export_vap, user_parameters_merge_over_the_defaults)
{
    rp_pack *p = load("export.yaml");
    json_t *objs = export_json(p, "maxReplicas: 5\nlabels: {env: prod}\nnothing: [1]\n");
    json_t *po = find(objs, "ExportTestParams", "export-test");
    cr_assert_not_null(po);
    expect_json(at(po, "spec.maxReplicas"), "5");
    expect_json(at(po, "spec.labels"), "{\"team\": \"blue\", \"env\": \"prod\"}");
    expect_json(at(po, "spec.nothing"), "[1]");
    expect_json(at(po, "spec.orgName"), "\"acme\"");
    json_decref(objs);
    /* a parameter object (kind + spec) is read the same way */
    objs = export_json(p, "apiVersion: raypolicy.io/v1\nkind: ExportTestParams\n"
                          "spec:\n  orgName: other\n");
    expect_json(at(find(objs, "ExportTestParams", "export-test"), "spec.orgName"), "\"other\"");
    json_decref(objs);
    rp_pack_free(p);
}

Test(export_vap, bad_parameters_are_errors)
{
    rp_pack *p = load("export.yaml");
    rp_error err = {0};
    const char *unknown = "maxReplicas: 5\nbogus: 1\n";
    cr_expect_null(rp_pack_export_vap(p, unknown, strlen(unknown), "p.yaml", &err));
    cr_expect_eq(err.code, RP_EPACK);
    cr_expect_eq(err.line, 2);
    cr_expect(strstr(err.message, "p.yaml:2:1: unknown parameter \"bogus\""), "%s", err.message);

    memset(&err, 0, sizeof err);
    const char *type = "registries: [a/, 1]\n";
    cr_expect_null(rp_pack_export_vap_json(p, type, strlen(type), "p.yaml", &err));
    cr_expect_eq(err.code, RP_EPACK);
    cr_expect(strstr(err.message, "registries[1] is an integer; the pack's default is a string"),
              "%s", err.message);

    memset(&err, 0, sizeof err);
    const char *null = "orgName: null\n";
    cr_expect_null(rp_pack_export_vap(p, null, strlen(null), "p.yaml", &err));
    cr_expect(strstr(err.message, "orgName is null"), "%s", err.message);

    memset(&err, 0, sizeof err);
    const char *ratio = "ratio: 2\n";   /* an integer is a number */
    char *ok = rp_pack_export_vap(p, ratio, strlen(ratio), "p.yaml", &err);
    cr_expect_not_null(ok, "%s", err.message);
    rp_free(ok);

    memset(&err, 0, sizeof err);
    const char *broken = "a: [1\n";
    cr_expect_null(rp_pack_export_vap(p, broken, strlen(broken), "p.yaml", &err));
    cr_expect_neq(err.code, 0);

    memset(&err, 0, sizeof err);
    cr_expect_null(rp_pack_export_vap(NULL, NULL, 0, NULL, &err));
    cr_expect_eq(err.code, RP_EINVAL);
    rp_pack_free(p);
}

Test(export_vap, demo_pack)
{
    rp_pack *p = load("demo.yaml");
    json_t *objs = export_json(p, NULL);
    /* DEMO-NS-001 reads inventory; the other four are exported */
    cr_expect_eq(json_array_size(objs), 2 + 4 * 2);
    json_t *dep = find(objs, "ValidatingAdmissionPolicy", "demo-dep-001.raypolicy.io");
    cr_assert_not_null(dep);
    cr_expect_str_eq(str_at(dep, "spec.validations[0].expression"),
                     "object.spec.replicas <= params.spec.maxReplicas");
    cr_expect_str_eq(str_at(dep, "spec.matchConditions[0].expression"), "has(object.spec.replicas)");
    expect_json(at(find(objs, "ValidatingAdmissionPolicyBinding", "demo-dep-001.raypolicy.io"),
                   "spec.validationActions"),
                "[\"Warn\"]");
    /* no apiGroups in the pack: any group */
    json_t *err_rule = find(objs, "ValidatingAdmissionPolicy", "demo-err-001.raypolicy.io");
    expect_json(at(err_rule, "spec.matchConstraints.resourceRules[0].apiGroups"), "[\"*\"]");
    expect_json(at(find(objs, "ValidatingAdmissionPolicyBinding", "demo-err-001.raypolicy.io"),
                   "spec.validationActions"),
                "[\"Audit\"]");
    cr_expect_null(find(objs, "ValidatingAdmissionPolicy", "demo-ns-001.raypolicy.io"));
    json_decref(objs);
    rp_pack_free(p);
}

/* Every exported expression compiles in a kubernetes-profile environment. */
Test(export_vap, exported_expressions_compile_in_kubernetes)
{
    rp_pack *p = load("export.yaml");
    json_t *objs = export_json(p, NULL);
    rp_error err = {0};
    rp_env *k8s = rp_env_new(NULL, &err);
    cr_assert_not_null(k8s);
    size_t i, n = 0;
    json_t *o;
    json_array_foreach(objs, i, o) {
        if (strcmp(json_string_value(json_object_get(o, "kind")), "ValidatingAdmissionPolicy"))
            continue;
        static const char *const lists[] = {"matchConditions", "variables", "validations"};
        for (size_t l = 0; l < 3; l++) {
            size_t j;
            json_t *e;
            json_array_foreach(json_object_get(json_object_get(o, "spec"), lists[l]), j, e) {
                static const char *const keys[] = {"expression", "messageExpression"};
                for (size_t k = 0; k < 2; k++) {
                    const char *text = json_string_value(json_object_get(e, keys[k]));
                    if (!text)
                        continue;
                    rp_program *prog = NULL;
                    memset(&err, 0, sizeof err);
                    cr_expect_eq(rp_compile(k8s, text, strlen(text), &prog, &err), RP_OK,
                                 "%s: %s", text, err.message);
                    rp_program_free(prog);
                    n++;
                }
            }
        }
    }
    /* BIND 2 (with messageExpression), SHADOW 2, VARS 2 + 3 + 1, KIND 1,
     * QUOTE 1, the two DUPs 1 each */
    cr_expect_eq(n, 14);
    rp_env_free(k8s);
    json_decref(objs);
    rp_pack_free(p);
}
