/* test_engine.c -- the policy engine end to end through the public API:
 * tests/data/packs/demo.yaml against the files of tests/data/manifests.  The
 * expected findings come from reading the pack and the manifests (each
 * object's comment in this file says why it must or must not fire). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define DATA RP_SRCDIR "/tests/data/"

static rp_pack *demo_pack(void)
{
    rp_error err = {0};
    rp_pack *p = rp_pack_load_file(NULL, DATA "packs/demo.yaml", &err);
    cr_assert_not_null(p, "%s", err.message);
    return p;
}

static rp_report *check_files(const rp_pack *p, const char *params_file, const char *const *files)
{
    rp_error err = {0};
    rp_checker *c = rp_checker_new(&err);
    cr_assert_not_null(c);
    cr_assert_eq(rp_checker_add_pack(c, p, &err), RP_OK, "%s", err.message);
    if (params_file) {
        FILE *fp = fopen(params_file, "rb");
        cr_assert_not_null(fp);
        char buf[4096];
        size_t n = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        cr_assert_eq(rp_checker_set_params(c, buf, n, params_file, &err), RP_OK, "%s", err.message);
    }
    for (; *files; files++) {
        memset(&err, 0, sizeof err);
        rp_checker_add_path(c, *files, &err);
    }
    memset(&err, 0, sizeof err);
    rp_report *r = rp_checker_run(c, &err);
    cr_assert_not_null(r, "%s", err.message);
    rp_checker_free(c);
    return r;
}

/* Index of the finding of RULE on object NAME, or -1. */
static long find(const rp_report *r, const char *rule, const char *name)
{
    for (size_t i = 0; i < rp_report_finding_count(r); i++)
        if (strcmp(rp_report_finding_get(r, i, RP_FINDING_RULE), rule) == 0 &&
            strcmp(rp_report_finding_get(r, i, RP_FINDING_NAME), name) == 0)
            return (long)i;
    return -1;
}

/* The outcome of RULE on object NAME ("pass", "fail", ..., or NULL: not selected). */
static const char *outcome(const rp_report *r, const char *rule, const char *name)
{
    for (size_t i = 0; i < r->n_results; i++) {
        const rpi_report_result *res = &r->results[i];
        if (strcmp(r->rules[res->rule].id, rule) == 0 && r->objects[res->object].name &&
            strcmp(r->objects[res->object].name, name) == 0)
            return rpi_outcome_name(res->outcome);
    }
    return NULL;
}

Test(engine, demo_pack_loads_with_its_rules)
{
    rp_pack *p = demo_pack();
    cr_assert_str_eq(rp_pack_name(p), "demo");
    cr_assert_str_eq(rp_pack_version(p), "0.1.0");
    cr_assert_eq(rp_pack_rule_count(p), 5);
    cr_assert_str_eq(rp_pack_rule_id(p, 0), "DEMO-IMG-001");
    cr_assert_null(rp_pack_rule_id(p, 5));
    rp_pack_free(p);
}

Test(engine, findings_of_the_mixed_manifest)
{
    rp_pack *p = demo_pack();
    const char *files[] = {DATA "manifests/mixed.yaml", NULL};
    rp_report *r = check_files(p, NULL, files);

    /* Pod good: its one image is from the allowed registry. */
    cr_assert_str_eq(outcome(r, "DEMO-IMG-001", "good"), "pass");
    /* Pod bad: container sidecar pulls from docker.io; the message comes
     * from messageExpression; path spec.containers is on line 19. */
    long f = find(r, "DEMO-IMG-001", "bad");
    cr_assert_geq(f, 0);
    cr_assert_str_eq(rp_report_finding_get(r, f, RP_FINDING_MESSAGE),
                     "container sidecar uses image docker.io/evil:latest");
    cr_assert_str_eq(rp_report_finding_get(r, f, RP_FINDING_PATH), "spec.containers");
    cr_assert_eq(rp_report_finding_line(r, f), 19);
    cr_assert_eq(rp_report_finding_document(r, f), 1);
    cr_assert_str_eq(rp_report_finding_get(r, f, RP_FINDING_SEVERITY), "high");
    cr_assert_str_eq(rp_report_finding_get(r, f, RP_FINDING_ACTION), "deny");
    cr_assert_str_eq(rp_report_finding_get(r, f, RP_FINDING_NAMESPACE), "team-a");
    cr_assert_str_eq(rp_report_finding_get(r, f, RP_FINDING_KIND), "Pod");
    cr_assert_str_eq(rp_report_finding_get(r, f, RP_FINDING_API_VERSION), "v1");
    /* Both Pods are in team-a, which has a ResourceQuota (cross-object). */
    cr_assert_str_eq(outcome(r, "DEMO-NS-001", "good"), "pass");
    cr_assert_str_eq(outcome(r, "DEMO-NS-001", "bad"), "pass");
    /* Service head is a LoadBalancer but break-glassed: bypassed. */
    f = find(r, "DEMO-SVC-001", "head");
    cr_assert_geq(f, 0);
    cr_assert(rp_report_finding_bypassed(r, f));
    cr_assert_str_eq(rp_report_finding_get(r, f, RP_FINDING_BREAK_GLASS), "INC-42 temporary demo");
    cr_assert_str_eq(outcome(r, "DEMO-SVC-001", "head"), "bypassed");
    /* The List's items are objects; big has 5 replicas, above the default 3. */
    f = find(r, "DEMO-DEP-001", "big");
    cr_assert_geq(f, 0);
    cr_assert_str_eq(rp_report_finding_get(r, f, RP_FINDING_MESSAGE), "replicas is 5, above 3");
    /* skipped: objectSelector demo/skip DoesNotExist excludes it. */
    cr_assert_null(outcome(r, "DEMO-DEP-001", "skipped"));
    /* noreplicas: its matchCondition is false, so the rule does not apply. */
    cr_assert_null(outcome(r, "DEMO-DEP-001", "noreplicas"));
    /* Secret s has no data: an evaluation error, reported, not a pass. */
    cr_assert_str_eq(outcome(r, "DEMO-ERR-001", "s"), "error");
    cr_assert_eq(rp_report_error_count(r), 1);
    cr_assert_str_eq(rp_report_error_kind(r, 0), "eval");
    cr_assert(strstr(rp_report_error_message(r, 0), "no such key: data"),
              "%s", rp_report_error_message(r, 0));
    /* Deny findings (bad, a high-severity deny rule) fail the check; with
     * --fail-on critical only the bypassed critical one would, and it is
     * bypassed. */
    cr_assert_eq(rp_report_fails(r, NULL), 1);
    cr_assert_eq(rp_report_fails(r, "critical"), 0);
    cr_assert_eq(rp_report_fails(r, "medium"), 1);
    cr_assert_eq(rp_report_fails(r, "urgent"), -1);
    /* 3 findings: bad, head (bypassed), big. */
    cr_assert_eq(rp_report_finding_count(r), 3);
    rp_report_free(r);
    rp_pack_free(p);
}

Test(engine, params_file_merges_over_defaults)
{
    rp_pack *p = demo_pack();
    const char *files[] = {DATA "manifests/mixed.yaml", NULL};
    rp_report *r = check_files(p, DATA "manifests/params-good.yaml", files);
    cr_assert_str_eq(outcome(r, "DEMO-DEP-001", "big"), "pass"); /* 5 <= 10 */
    cr_assert_eq(find(r, "DEMO-IMG-001", "bad") >= 0, 1);          /* registries: default */
    rp_report_free(r);
    rp_pack_free(p);
}

Test(engine, unknown_parameter_is_an_error_with_its_line)
{
    rp_pack *p = demo_pack();
    const char *files[] = {DATA "manifests/mixed.yaml", NULL};
    rp_report *r = check_files(p, DATA "manifests/params-unknown.yaml", files);
    size_t params_errors = 0;
    for (size_t i = 0; i < rp_report_error_count(r); i++)
        if (strcmp(rp_report_error_kind(r, i), "params") == 0) {
            params_errors++;
            cr_assert(strstr(rp_report_error_message(r, i), "\"maxReplica\""));
            cr_assert_eq(rp_report_error_line(r, i), 5);
        }
    cr_assert_eq(params_errors, 1);
    /* the known one still applies: spec of a parameter object */
    cr_assert_str_eq(outcome(r, "DEMO-DEP-001", "big"), "pass");
    rp_report_free(r);
    rp_pack_free(p);
}

Test(engine, bad_documents_do_not_hide_good_ones)
{
    rp_pack *p = demo_pack();
    const char *files[] = {DATA "manifests/broken.yaml", DATA "manifests/does-not-exist.yaml", NULL};
    rp_report *r = check_files(p, NULL, files);
    /* documents 0 and 3 are LoadBalancer Services */
    cr_assert_geq(find(r, "DEMO-SVC-001", "lb"), 0);
    cr_assert_geq(find(r, "DEMO-SVC-001", "after"), 0);
    bool dup = false, not_object = false, syntax = false, missing = false;
    for (size_t i = 0; i < rp_report_error_count(r); i++) {
        const char *m = rp_report_error_message(r, i);
        const char *file = rp_report_error_file(r, i);
        cr_assert_str_eq(rp_report_error_kind(r, i), "input", "%s", m);
        if (strstr(m, "duplicate key")) {
            dup = true;
            cr_assert_eq(rp_report_error_line(r, i), 9);
        } else if (strstr(m, "not a Kubernetes object")) {
            not_object = true;
        } else if (strstr(file, "does-not-exist")) {
            missing = true;
        } else {
            syntax = true;
            cr_assert_geq(rp_report_error_line(r, i), 18, "%s", m);
        }
    }
    cr_assert(dup && not_object && syntax && missing);
    rp_report_free(r);
    rp_pack_free(p);
}

Test(engine, one_call_check_with_inline_params)
{
    rp_pack *p = demo_pack();
    const char *objs = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                       "\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":2}}";
    rp_error err = {0};
    rp_report *r = rp_pack_check(p, objs, strlen(objs), "{\"maxReplicas\": 1}", &err);
    cr_assert_not_null(r, "%s", err.message);
    cr_assert_eq(rp_report_finding_count(r), 1);
    cr_assert_str_eq(rp_report_finding_get(r, 0, RP_FINDING_MESSAGE), "replicas is 2, above 1");
    char *json = rp_report_to_json(r);
    cr_assert_not_null(json);
    json_error_t je;
    json_t *doc = json_loads(json, 0, &je);
    cr_assert_not_null(doc, "%s", je.text);
    cr_assert_eq(json_array_size(json_object_get(doc, "findings")), 1);
    json_decref(doc);
    rp_free(json);
    rp_report_free(r);
    rp_pack_free(p);
}

/* ---- Pack loading errors: each names file:line:column -------------------------- */

static void expect_pack_error(const char *yaml, unsigned line, unsigned column, const char *needle)
{
    rp_error err = {0};
    rp_pack *p = rp_pack_load_string(NULL, yaml, strlen(yaml), "t.yaml", &err);
    cr_assert_null(p, "loaded: %s", yaml);
    cr_assert_eq(err.code, RP_EPACK, "code %d: %s", err.code, err.message);
    cr_assert(strstr(err.message, needle), "message: %s (want %s)", err.message, needle);
    cr_assert_str_eq(err.source, "t.yaml");
    cr_assert_eq(err.line, line, "line %u, want %u: %s", err.line, line, err.message);
    if (column)
        cr_assert_eq(err.column, column, "column %u, want %u: %s", err.column, column, err.message);
}

#define HEAD "apiVersion: raypolicy/v1\nkind: PolicyPack\nmetadata: {name: t}\nspec:\n  policies:\n"

Test(pack, unknown_field_is_an_error_at_its_key)
{
    expect_pack_error(HEAD "  - id: A\n    title: a\n    severity: low\n    sevrity: low\n"
                           "    validations: [{expression: 'true'}]\n",
                      9, 5, "unknown field \"sevrity\"");
}

Test(pack, unknown_severity_and_action)
{
    expect_pack_error(HEAD "  - id: A\n    title: a\n    severity: urgent\n"
                           "    validations: [{expression: 'true'}]\n",
                      8, 15, "unknown severity \"urgent\"");
    expect_pack_error(HEAD "  - id: A\n    title: a\n    severity: low\n    action: block\n"
                           "    validations: [{expression: 'true'}]\n",
                      9, 13, "unknown action \"block\"");
}

Test(pack, duplicate_rule_id)
{
    expect_pack_error(HEAD "  - id: A\n    title: a\n    severity: low\n"
                           "    validations: [{expression: 'true'}]\n"
                           "  - id: A\n    title: b\n    severity: low\n"
                           "    validations: [{expression: 'true'}]\n",
                      10, 9, "duplicate rule id \"A\"");
}

Test(pack, expression_error_points_into_the_expression)
{
    /* the '+' of `1 + 'a'` is column 22 of line 10: the quote is column
     * 19, and '+' is the expression's 3rd character */
    expect_pack_error(HEAD "  - id: A\n    title: a\n    severity: low\n"
                           "    validations:\n    - expression: \"1 + 'a' == 2\"\n",
                      10, 22, "found no matching overload for '_+_'");
    /* a literal block: line 2 of the expression is line 11 of the file */
    expect_pack_error(HEAD "  - id: A\n    title: a\n    severity: low\n"
                           "    validations:\n    - expression: |\n        true &&\n        nosuch.x\n",
                      12, 9, "undeclared reference to 'nosuch'");
}

Test(pack, kubernetes_profile_rejects_extended_functions)
{
    expect_pack_error(HEAD "  - id: A\n    title: a\n    severity: low\n"
                           "    validations:\n    - expression: \"math.greatest(1, 2) == 2\"\n",
                      10, 0, "math.greatest");
}

Test(pack, variables_see_only_earlier_ones)
{
    expect_pack_error(HEAD "  - id: A\n    title: a\n    severity: low\n"
                           "    variables:\n    - {name: a, expression: 'variables.b'}\n"
                           "    - {name: b, expression: '1'}\n"
                           "    validations: [{expression: 'variables.a == 1'}]\n",
                      10, 0, "undefined variable \"b\"");
}

/* Kubernetes compiles matchConditions with the composited compiler after
 * storing the variables (validating/plugin.go compilePolicy), so they may
 * read variables. */
Test(engine, match_conditions_may_use_variables)
{
    const char *y = HEAD "  - id: A\n    title: a\n    severity: low\n"
                         "    matchConditions: [{name: c, expression: 'variables.count > 1'}]\n"
                         "    variables: [{name: count, expression: 'object.spec.replicas'}]\n"
                         "    validations: [{expression: 'variables.count < 3'}]\n";
    rp_error err = {0};
    rp_pack *p = rp_pack_load_string(NULL, y, strlen(y), "t.yaml", &err);
    cr_assert_not_null(p, "%s", err.message);
    const char *objs = "{\"apiVersion\":\"v1\",\"kind\":\"X\",\"metadata\":{\"name\":\"a\"},\"spec\":{\"replicas\":1}}\n"
                       "---\n{\"apiVersion\":\"v1\",\"kind\":\"X\",\"metadata\":{\"name\":\"b\"},\"spec\":{\"replicas\":5}}\n";
    rp_report *r = rp_pack_check(p, objs, strlen(objs), NULL, &err);
    cr_assert_not_null(r, "%s", err.message);
    cr_assert_null(outcome(r, "A", "a")); /* 1 > 1 is false: not applied */
    cr_assert_str_eq(outcome(r, "A", "b"), "fail");
    rp_report_free(r);
    rp_pack_free(p);
}

Test(pack, missing_fields_and_wrong_types)
{
    expect_pack_error(HEAD "  - id: A\n    severity: low\n    validations: [{expression: 'true'}]\n",
                      6, 0, "missing required field \"title\"");
    expect_pack_error(HEAD "  - id: A\n    title: a\n    severity: low\n    validations: {}\n", 9, 0,
                      "field \"validations\" must be a list");
    expect_pack_error("apiVersion: raypolicy/v2\nkind: PolicyPack\n", 1, 13, "raypolicy/v1");
}

Test(pack, builtin_unknown_name)
{
    rp_error err = {0};
    cr_assert_null(rp_pack_load_builtin(NULL, "no-such-pack", &err));
    cr_assert_eq(err.code, RP_ENOTFOUND);
}

Test(pack, lint_warns_about_rules_that_never_match)
{
    const char *y = HEAD "  - id: A\n    title: a\n    severity: low\n"
                         "    match:\n      resources: [{apiGroups: [apps], kinds: [Pod]}]\n"
                         "    validations: [{expression: 'true'}]\n"
                         "  - id: B\n    title: b\n    severity: low\n"
                         "    matchConditions: [{name: never, expression: '1 == 2'}]\n"
                         "    validations: [{expression: 'true'}]\n"
                         "  - id: C\n    title: c\n    severity: low\n"
                         "    matchConditions: [{name: depends, expression: 'has(object.spec)'}]\n"
                         "    validations: [{expression: 'true'}]\n";
    rp_error err = {0};
    rp_pack *p = rp_pack_load_string(NULL, y, strlen(y), "t.yaml", &err);
    cr_assert_not_null(p, "%s", err.message);
    char *w = rp_pack_lint(p);
    cr_assert_not_null(w);
    cr_assert(strstr(w, "t.yaml:6: warning: A: match.resources[0]"), "%s", w);
    cr_assert(strstr(w, "warning: B: matchConditions[0] (never) is false"), "%s", w);
    cr_assert_null(strstr(w, "C:"), "%s", w);
    rp_free(w);
    rp_pack_free(p);
}

/* A variable's error surfaces where a validation reads it, with a position
 * in the validation (the variable's program is longer than the validation:
 * its own pc must not be used to index the validation's positions). */
Test(engine, variable_error_is_reported_in_the_reading_expression)
{
    const char *y = HEAD "  - id: A\n    title: a\n    severity: low\n"
                         "    variables:\n"
                         "    - {name: big, expression: \"[1, 2, 3, 4, 5, 6, 7, 8].map(x, x * 2).size() + object.missing\"}\n"
                         "    validations: [{expression: 'variables.big > 0'}]\n";
    rp_error err = {0};
    rp_pack *p = rp_pack_load_string(NULL, y, strlen(y), "t.yaml", &err);
    cr_assert_not_null(p, "%s", err.message);
    const char *objs = "{\"apiVersion\":\"v1\",\"kind\":\"X\",\"metadata\":{\"name\":\"a\"}}";
    rp_report *r = rp_pack_check(p, objs, strlen(objs), NULL, &err);
    cr_assert_not_null(r, "%s", err.message);
    cr_assert_str_eq(outcome(r, "A", "a"), "error");
    cr_assert_eq(rp_report_error_count(r), 1);
    const char *m = rp_report_error_message(r, 0);
    cr_assert(strstr(m, "no such key: missing"), "%s", m);
    cr_assert(strstr(m, "of the expression)"), "%s", m);
    rp_report_free(r);
    rp_pack_free(p);
}
