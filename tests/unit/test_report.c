/* test_report.c -- the report of a check (policy/report.c) and its writers
 * (report_text.c, report_json.c, report_sarif.c, report_junit.c).
 *
 * Expected values come from the contracts: DESIGN.md's `check --format
 * json` fields, report.h's summary and fail-on rules, SARIF 2.1.0 (levels,
 * suppressions, artifact URIs as RFC 3986 references, executionSuccessful)
 * and XML 1.0's escaping rules.  JSON and SARIF are parsed back with
 * jansson; the full SARIF schema and XML well-formedness are checked by
 * tests/policy/check-report-formats.sh. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy/report.h"

#define FAILED ((size_t)-1)

/* ---- Building fixtures ---------------------------------------------------------------- */

static size_t add_rule(rp_report *r, const char *id, rpi_severity sev, rpi_action act)
{
    rpi_report_rule ru = {
        .id = (char *)id,
        .title = "a title",
        .pack = "test-pack",
        .severity = sev,
        .action = act,
    };
    return rpi_report_add_rule(r, &ru);
}

static size_t add_object(rp_report *r, const char *file, unsigned doc, const char *kind,
                         const char *ns, const char *name, const char *break_glass)
{
    rpi_report_object o = {
        .file = (char *)file,
        .document = doc,
        .line = doc * 10 + 1,
        .api_version = "v1",
        .kind = (char *)kind,
        .namespace_ = (char *)ns,
        .name = (char *)name,
        .break_glass = (char *)break_glass,
    };
    return rpi_report_add_object(r, &o);
}

static size_t add_result(rp_report *r, size_t obj, size_t rule, rpi_outcome out)
{
    rpi_report_result res = {.object = obj, .rule = rule, .outcome = out};
    return rpi_report_add_result(r, &res);
}

static size_t add_finding(rp_report *r, size_t obj, size_t rule, bool bypassed,
                          const char *msg, const char *path, unsigned line, unsigned col)
{
    rpi_report_finding f = {
        .object = obj,
        .rule = rule,
        .bypassed = bypassed,
        .message = (char *)msg,
        .path = (char *)path,
        .line = line,
        .column = col,
    };
    return rpi_report_add_finding(r, &f);
}

/* The report most tests read:
 *   rules   0 RAY-A-001 critical deny, 1 RAY-B-002 high deny,
 *           2 RAY-C-003 medium warn, 3 RAY-D-004 low audit
 *   objects 0 ray.yaml#0 RayCluster ml/rc,  1 ray.yaml#1 Service ml/svc
 *           (break-glass "INC-1 <ok> & \"go\""), 2 "dir/a b.yaml"#0 Namespace ml
 *   results (0,A) fail, (0,B) fail, (0,C) pass, (0,D) error, (1,A) bypassed,
 *           (2,C) fail
 *   findings (0,A) critical, (0,B) x2 high, (1,A) bypassed, (2,C) medium
 *   errors  eval on (0,D); input ray/bad.yaml:3:7 */
static rp_report *fixture(void)
{
    rp_report *r = rpi_report_new();
    cr_assert_not_null(r);
    cr_assert_eq(add_rule(r, "RAY-A-001", RPI_SEV_CRITICAL, RPI_ACT_DENY), 0);
    cr_assert_eq(add_rule(r, "RAY-B-002", RPI_SEV_HIGH, RPI_ACT_DENY), 1);
    cr_assert_eq(add_rule(r, "RAY-C-003", RPI_SEV_MEDIUM, RPI_ACT_WARN), 2);
    cr_assert_eq(add_rule(r, "RAY-D-004", RPI_SEV_LOW, RPI_ACT_AUDIT), 3);
    rpi_report_count_file(r);
    rpi_report_count_file(r);
    rpi_report_count_file(r);
    for (int i = 0; i < 4; i++)
        rpi_report_count_document(r);
    cr_assert_eq(add_object(r, "ray.yaml", 0, "RayCluster", "ml", "rc", NULL), 0);
    cr_assert_eq(add_object(r, "ray.yaml", 1, "Service", "ml", "svc",
                            "INC-1 <ok> & \"go\""), 1);
    cr_assert_eq(add_object(r, "dir/a b.yaml", 0, "Namespace", NULL, "ml", NULL), 2);

    cr_assert_eq(add_result(r, 0, 0, RPI_OUT_FAIL), 0);
    cr_assert_eq(add_result(r, 0, 1, RPI_OUT_FAIL), 1);
    cr_assert_eq(add_result(r, 0, 2, RPI_OUT_PASS), 2);
    cr_assert_eq(add_result(r, 0, 3, RPI_OUT_ERROR), 3);
    cr_assert_eq(add_result(r, 1, 0, RPI_OUT_BYPASSED), 4);
    cr_assert_eq(add_result(r, 2, 2, RPI_OUT_FAIL), 5);

    cr_assert_eq(add_finding(r, 0, 0, false, "exposed \"head\" <svc> & more",
                             "spec.headGroupSpec.serviceType", 12, 5), 0);
    cr_assert_eq(add_finding(r, 0, 1, false, "runs as root", "spec.a", 20, 0), 1);
    cr_assert_eq(add_finding(r, 0, 1, false, "worker runs as root", NULL, 0, 0), 2);
    cr_assert_eq(add_finding(r, 1, 0, true, "LoadBalancer", "spec.type", 15, 3), 3);
    cr_assert_eq(add_finding(r, 2, 2, false, "unpinned", NULL, 0, 0), 4);

    rpi_report_error e = {
        .kind = RPI_ERRK_EVAL,
        .code = RP_EEVAL,
        .has_object = true,
        .object = 0,
        .has_rule = true,
        .rule = 3,
        .message = "no such key: metrics",
    };
    cr_assert_eq(rpi_report_add_error(r, &e), 0);
    e = (rpi_report_error){
        .kind = RPI_ERRK_INPUT,
        .code = RP_EYAML,
        .file = "ray/bad.yaml",
        .has_document = true,
        .document = 2,
        .line = 3,
        .column = 7,
        .message = "could not find expected ':'",
    };
    cr_assert_eq(rpi_report_add_error(r, &e), 1);
    return r;
}

static json_t *parse(const char *text)
{
    cr_assert_not_null(text);
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    cr_assert_not_null(j, "not JSON: %s (line %d)", jerr.text, jerr.line);
    return j;
}

static const char *str_at(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    cr_assert(json_is_string(v), "%s is not a string", key);
    return json_string_value(v);
}

static json_int_t int_at(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    cr_assert(json_is_integer(v), "%s is not an integer", key);
    return json_integer_value(v);
}

static size_t count_substr(const char *s, const char *sub)
{
    size_t n = 0;
    for (const char *p = strstr(s, sub); p; p = strstr(p + strlen(sub), sub))
        n++;
    return n;
}

/* ---- Names ----------------------------------------------------------------------------- */

Test(report_names, names_and_parsing)
{
    cr_expect_str_eq(rpi_severity_name(RPI_SEV_CRITICAL), "critical");
    cr_expect_str_eq(rpi_severity_name(RPI_SEV_HIGH), "high");
    cr_expect_str_eq(rpi_severity_name(RPI_SEV_MEDIUM), "medium");
    cr_expect_str_eq(rpi_severity_name(RPI_SEV_LOW), "low");
    cr_expect_str_eq(rpi_severity_name(RPI_SEV_INFO), "info");
    cr_expect_null(rpi_severity_name(RPI_SEV__COUNT));
    cr_expect_null(rpi_severity_name((rpi_severity)-1));
    cr_expect_str_eq(rpi_action_name(RPI_ACT_DENY), "deny");
    cr_expect_str_eq(rpi_action_name(RPI_ACT_WARN), "warn");
    cr_expect_str_eq(rpi_action_name(RPI_ACT_AUDIT), "audit");
    cr_expect_null(rpi_action_name(RPI_ACT__COUNT));
    cr_expect_str_eq(rpi_outcome_name(RPI_OUT_PASS), "pass");
    cr_expect_str_eq(rpi_outcome_name(RPI_OUT_FAIL), "fail");
    cr_expect_str_eq(rpi_outcome_name(RPI_OUT_BYPASSED), "bypassed");
    cr_expect_str_eq(rpi_outcome_name(RPI_OUT_ERROR), "error");
    cr_expect_null(rpi_outcome_name((rpi_outcome)4));

    cr_expect_eq(rpi_severity_parse("critical"), RPI_SEV_CRITICAL);
    cr_expect_eq(rpi_severity_parse("info"), RPI_SEV_INFO);
    cr_expect_eq(rpi_severity_parse("High"), -1);   /* pack format: lower case only */
    cr_expect_eq(rpi_severity_parse(""), -1);
    cr_expect_eq(rpi_severity_parse("warning"), -1);
    cr_expect_eq(rpi_severity_parse(NULL), -1);
    cr_expect_eq(rpi_action_parse("deny"), RPI_ACT_DENY);
    cr_expect_eq(rpi_action_parse("audit"), RPI_ACT_AUDIT);
    cr_expect_eq(rpi_action_parse("block"), -1);
    cr_expect_eq(rpi_action_parse(NULL), -1);
}

/* ---- Building ------------------------------------------------------------------------- */

Test(report_build, new_and_free)
{
    rp_report *r = rpi_report_new();
    cr_assert_not_null(r);
    cr_expect_str_eq(r->tool_version, rp_version());
    cr_expect_eq(r->n_rules + r->n_objects + r->n_results + r->n_findings + r->n_errors, 0);
    rpi_report_free(r);
    rpi_report_free(NULL);
}

Test(report_build, adds_copy_their_strings)
{
    rp_report *r = rpi_report_new();
    char id[] = "RAY-X-001", title[] = "title", ref[] = "https://example.org/a";
    char *refs[] = {ref};
    rpi_report_rule ru = {.id = id, .title = title, .references = refs, .n_references = 1};
    cr_assert_eq(rpi_report_add_rule(r, &ru), 0);
    char file[] = "a.yaml", name[] = "x";
    rpi_report_object o = {.file = file, .name = name};
    cr_assert_eq(rpi_report_add_object(r, &o), 0);
    char msg[] = "message", path[] = "spec.x";
    rpi_report_finding f = {.message = msg, .path = path};
    cr_assert_eq(rpi_report_add_finding(r, &f), 0);

    memset(id, 'z', sizeof id - 1);
    memset(title, 'z', sizeof title - 1);
    memset(ref, 'z', sizeof ref - 1);
    memset(file, 'z', sizeof file - 1);
    memset(msg, 'z', sizeof msg - 1);
    memset(path, 'z', sizeof path - 1);
    cr_expect_str_eq(r->rules[0].id, "RAY-X-001");
    cr_expect_str_eq(r->rules[0].title, "title");
    cr_expect_str_eq(r->rules[0].references[0], "https://example.org/a");
    cr_expect_str_eq(r->objects[0].file, "a.yaml");
    cr_expect_str_eq(r->objects[0].name, "x");
    cr_expect_null(r->objects[0].kind);
    cr_expect_null(r->objects[0].namespace_);
    cr_expect_str_eq(r->findings[0].message, "message");
    cr_expect_str_eq(r->findings[0].path, "spec.x");
    cr_expect_null(r->rules[0].remediation);
    rpi_report_free(r);
}

Test(report_build, invalid_utf8_becomes_replacement_character)
{
    rp_report *r = rpi_report_new();
    cr_assert_eq(add_rule(r, "R", RPI_SEV_LOW, RPI_ACT_DENY), 0);
    /* a stray continuation byte, an overlong NUL, a surrogate, a truncated
     * sequence at the end; valid text around them stays as it is */
    cr_assert_eq(add_object(r, "a\x80" "b\xc0\x80" "c\xed\xa0\x80" "d\xc3\xbc\xe2\x82", 0,
                            NULL, NULL, NULL, NULL), 0);
    cr_expect_str_eq(r->objects[0].file,
                     "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
                     "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                     "d\xc3\xbc\xef\xbf\xbd\xef\xbf\xbd");
    cr_expect(rpi_utf8_valid(r->objects[0].file, strlen(r->objects[0].file)));
    rpi_report_free(r);
}

Test(report_build, invalid_entries_are_refused_and_change_nothing)
{
    rp_report *r = fixture();
    rpi_report_summary before = r->summary;
    size_t nr = r->n_rules, no = r->n_objects, nres = r->n_results, nf = r->n_findings,
           ne = r->n_errors;

    cr_expect_eq(add_rule(r, NULL, RPI_SEV_LOW, RPI_ACT_DENY), FAILED);
    cr_expect_eq(add_rule(r, "R", RPI_SEV__COUNT, RPI_ACT_DENY), FAILED);
    cr_expect_eq(add_rule(r, "R", RPI_SEV_LOW, RPI_ACT__COUNT), FAILED);
    char *refs[] = {"ok", NULL};
    rpi_report_rule ru = {.id = "R", .references = refs, .n_references = 2};
    cr_expect_eq(rpi_report_add_rule(r, &ru), FAILED);
    ru.references = NULL;
    cr_expect_eq(rpi_report_add_rule(r, &ru), FAILED);
    cr_expect_eq(rpi_report_add_rule(r, NULL), FAILED);
    cr_expect_eq(rpi_report_add_object(r, NULL), FAILED);
    cr_expect_eq(add_result(r, 3, 0, RPI_OUT_PASS), FAILED);     /* object out of range */
    cr_expect_eq(add_result(r, 0, 4, RPI_OUT_PASS), FAILED);     /* rule out of range */
    cr_expect_eq(add_result(r, 0, 0, (rpi_outcome)4), FAILED);
    cr_expect_eq(add_finding(r, 3, 0, false, "m", NULL, 0, 0), FAILED);
    cr_expect_eq(add_finding(r, 0, 9, false, "m", NULL, 0, 0), FAILED);
    rpi_report_error e = {.kind = RPI_ERRK_EVAL, .has_object = true, .object = 3};
    cr_expect_eq(rpi_report_add_error(r, &e), FAILED);
    e = (rpi_report_error){.kind = RPI_ERRK_EVAL, .has_rule = true, .rule = 4};
    cr_expect_eq(rpi_report_add_error(r, &e), FAILED);
    e = (rpi_report_error){.kind = (rpi_error_kind)4};
    cr_expect_eq(rpi_report_add_error(r, &e), FAILED);
    /* an index is only checked when its has_ flag says it is there */
    e = (rpi_report_error){.kind = RPI_ERRK_PACK, .object = 99, .rule = 99};
    cr_expect_eq(rpi_report_add_error(r, &e), ne);
    ne++;
    before.errors++;

    cr_expect_eq(rpi_report_add_rule(NULL, &ru), FAILED);
    cr_expect_eq(r->n_rules, nr);
    cr_expect_eq(r->n_objects, no);
    cr_expect_eq(r->n_results, nres);
    cr_expect_eq(r->n_findings, nf);
    cr_expect_eq(r->n_errors, ne);
    cr_expect_eq(memcmp(&before, &r->summary, sizeof before), 0);
    rpi_report_free(r);
}

Test(report_build, summary_is_kept_up_to_date)
{
    rp_report *r = fixture();
    const rpi_report_summary *s = &r->summary;
    cr_expect_eq(s->files, 3);
    cr_expect_eq(s->documents, 4);
    cr_expect_eq(s->objects, 3);
    cr_expect_eq(s->rules, 4);
    cr_expect_eq(s->results, 6);
    cr_expect_eq(s->passed, 1);
    cr_expect_eq(s->failed, 3);
    cr_expect_eq(s->bypassed, 1);
    cr_expect_eq(s->errored, 1);
    cr_expect_eq(s->findings_by_severity[RPI_SEV_CRITICAL], 1);  /* the bypassed one not */
    cr_expect_eq(s->findings_by_severity[RPI_SEV_HIGH], 2);
    cr_expect_eq(s->findings_by_severity[RPI_SEV_MEDIUM], 1);
    cr_expect_eq(s->findings_by_severity[RPI_SEV_LOW], 0);
    cr_expect_eq(s->findings_by_severity[RPI_SEV_INFO], 0);
    cr_expect_eq(s->errors, 2);
    rpi_report_count_file(NULL);
    rpi_report_count_document(NULL);
    rpi_report_free(r);
}

Test(report_build, many_entries_grow_the_arrays)
{
    rp_report *r = rpi_report_new();
    cr_assert_eq(add_rule(r, "R", RPI_SEV_HIGH, RPI_ACT_DENY), 0);
    for (size_t i = 0; i < 5000; i++) {
        cr_assert_eq(add_object(r, "f.yaml", (unsigned)i, "Pod", "ns", "p", NULL), i);
        cr_assert_eq(add_result(r, i, 0, i % 2 ? RPI_OUT_FAIL : RPI_OUT_PASS), i);
        if (i % 2)
            cr_assert_eq(add_finding(r, i, 0, false, "m", NULL, 0, 0), i / 2);
    }
    cr_expect_eq(r->summary.passed, 2500);
    cr_expect_eq(r->summary.failed, 2500);
    cr_expect_eq(r->summary.findings_by_severity[RPI_SEV_HIGH], 2500);
    cr_expect_eq(r->objects[4999].document, 4999);
    char *text = rpi_report_to_text(r, NULL);
    cr_assert_not_null(text);
    cr_expect_eq(count_substr(text, "  high      R  m\n"), 2500);
    free(text);
    rpi_report_free(r);
}

/* ---- Failing --------------------------------------------------------------------------- */

Test(report_fails, severity_threshold_and_actions)
{
    rp_report *r = fixture();
    /* critical deny (0,A) and high deny (0,B) fail; the medium one is warn */
    cr_expect(rpi_report_fails(r, RPI_SEV_CRITICAL, false));
    cr_expect(rpi_report_fails(r, RPI_SEV_LOW, false));
    rpi_report_free(r);

    r = rpi_report_new();
    add_rule(r, "W", RPI_SEV_CRITICAL, RPI_ACT_WARN);
    add_rule(r, "D", RPI_SEV_MEDIUM, RPI_ACT_DENY);
    add_rule(r, "B", RPI_SEV_CRITICAL, RPI_ACT_DENY);
    add_object(r, "f", 0, "Pod", "ns", "p", "reason");
    cr_expect_not(rpi_report_fails(r, RPI_SEV_INFO, true));     /* no findings */
    add_finding(r, 0, 2, true, "bypassed", NULL, 0, 0);
    cr_expect_not(rpi_report_fails(r, RPI_SEV_INFO, true));     /* bypassed never fails */
    add_finding(r, 0, 0, false, "warned", NULL, 0, 0);
    cr_expect_not(rpi_report_fails(r, RPI_SEV_CRITICAL, false)); /* warn is not deny */
    cr_expect(rpi_report_fails(r, RPI_SEV_CRITICAL, true));
    add_finding(r, 0, 1, false, "denied", NULL, 0, 0);
    cr_expect_not(rpi_report_fails(r, RPI_SEV_CRITICAL, false));
    cr_expect_not(rpi_report_fails(r, RPI_SEV_HIGH, false));
    cr_expect(rpi_report_fails(r, RPI_SEV_MEDIUM, false));
    cr_expect(rpi_report_fails(r, RPI_SEV_INFO, false));
    cr_expect(rpi_report_fails(r, RPI_SEV__COUNT, false));      /* taken as info */
    cr_expect_not(rpi_report_fails(NULL, RPI_SEV_INFO, true));
    rpi_report_free(r);
}

/* ---- JSON ------------------------------------------------------------------------------- */

Test(report_json, contract_fields)
{
    rp_report *r = fixture();
    char *text = rpi_report_to_json(r);
    json_t *j = parse(text);
    free(text);

    json_t *findings = json_object_get(j, "findings");
    cr_assert(json_is_array(findings));
    cr_assert_eq(json_array_size(findings), 5);
    json_t *f = json_array_get(findings, 0);
    cr_expect_str_eq(str_at(f, "rule"), "RAY-A-001");
    cr_expect_str_eq(str_at(f, "title"), "a title");
    cr_expect_str_eq(str_at(f, "severity"), "critical");
    cr_expect_str_eq(str_at(f, "action"), "deny");
    cr_expect_str_eq(str_at(f, "message"), "exposed \"head\" <svc> & more");
    cr_expect_str_eq(str_at(f, "file"), "ray.yaml");
    cr_expect_eq(int_at(f, "document"), 0);
    cr_expect_eq(int_at(f, "line"), 12);
    cr_expect_eq(int_at(f, "column"), 5);
    cr_expect_str_eq(str_at(f, "apiVersion"), "v1");
    cr_expect_str_eq(str_at(f, "kind"), "RayCluster");
    cr_expect_str_eq(str_at(f, "namespace"), "ml");
    cr_expect_str_eq(str_at(f, "name"), "rc");
    cr_expect_str_eq(str_at(f, "path"), "spec.headGroupSpec.serviceType");
    cr_expect(json_is_false(json_object_get(f, "bypassed")));
    cr_expect_null(json_object_get(f, "breakGlassReason"));

    f = json_array_get(findings, 2);            /* no path, no line */
    cr_expect(json_is_null(json_object_get(f, "path")));
    cr_expect(json_is_null(json_object_get(f, "line")));
    cr_expect_eq(int_at(f, "validation"), 0);

    f = json_array_get(findings, 3);            /* bypassed */
    cr_expect(json_is_true(json_object_get(f, "bypassed")));
    cr_expect_str_eq(str_at(f, "breakGlassReason"), "INC-1 <ok> & \"go\"");
    cr_expect_eq(int_at(f, "document"), 1);

    f = json_array_get(findings, 4);            /* cluster-scoped: namespace null */
    cr_expect(json_is_null(json_object_get(f, "namespace")));
    cr_expect_str_eq(str_at(f, "file"), "dir/a b.yaml");

    json_t *errors = json_object_get(j, "errors");
    cr_assert_eq(json_array_size(errors), 2);
    json_t *e = json_array_get(errors, 0);
    cr_expect_str_eq(str_at(e, "kind"), "eval");
    cr_expect_str_eq(str_at(e, "rule"), "RAY-D-004");
    cr_expect_str_eq(str_at(e, "message"), "no such key: metrics");
    cr_expect_str_eq(str_at(e, "file"), "ray.yaml");        /* placed at its object */
    json_t *eo = json_object_get(e, "object");
    cr_expect_str_eq(str_at(eo, "kind"), "RayCluster");
    cr_expect_str_eq(str_at(eo, "name"), "rc");
    e = json_array_get(errors, 1);
    cr_expect_str_eq(str_at(e, "kind"), "input");
    cr_expect_str_eq(str_at(e, "file"), "ray/bad.yaml");
    cr_expect_eq(int_at(e, "document"), 2);
    cr_expect_eq(int_at(e, "line"), 3);
    cr_expect_eq(int_at(e, "column"), 7);
    cr_expect(json_is_null(json_object_get(e, "rule")));
    cr_expect(json_is_null(json_object_get(e, "object")));
    cr_expect_eq(int_at(e, "code"), RP_EYAML);

    json_t *results = json_object_get(j, "results");
    cr_assert_eq(json_array_size(results), 6);
    cr_expect_str_eq(str_at(json_array_get(results, 2), "outcome"), "pass");
    cr_expect_str_eq(str_at(json_array_get(results, 3), "outcome"), "error");
    cr_expect_str_eq(str_at(json_array_get(results, 4), "outcome"), "bypassed");

    json_t *s = json_object_get(j, "summary");
    cr_expect_eq(int_at(s, "objects"), 3);
    cr_expect_eq(int_at(s, "rules"), 4);
    cr_expect_eq(int_at(s, "files"), 3);
    cr_expect_eq(int_at(s, "documents"), 4);
    cr_expect_eq(int_at(s, "results"), 6);
    cr_expect_eq(int_at(s, "failed"), 3);
    cr_expect_eq(int_at(s, "errors"), 2);
    cr_expect_eq(int_at(s, "bypassedFindings"), 1);
    json_t *by = json_object_get(s, "findings");
    cr_expect_eq(int_at(by, "critical"), 1);
    cr_expect_eq(int_at(by, "high"), 2);
    cr_expect_eq(int_at(by, "medium"), 1);
    cr_expect_eq(int_at(by, "low"), 0);
    cr_expect_eq(int_at(by, "info"), 0);

    /* the top-level keys in DESIGN.md's order */
    const char *order[] = {"findings", "errors", "results", "summary"};
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        (void)v;
        cr_assert_lt(k, 4);
        cr_expect_str_eq(key, order[k]);
        k++;
    }
    json_decref(j);
    rpi_report_free(r);
}

Test(report_json, hard_strings_round_trip)
{
    rp_report *r = rpi_report_new();
    add_rule(r, "R", RPI_SEV_HIGH, RPI_ACT_DENY);
    add_object(r, "f.yaml", 0, NULL, NULL, NULL, NULL);
    const char *msg = "q\"uote\\ <tag> & \xc3\xbc \xf0\x9f\x90\xb1 \x01\x1b[31m\x7f\ttab\nnl";
    add_finding(r, 0, 0, false, msg, NULL, 0, 0);
    add_finding(r, 0, 0, false, "bad \xff byte", NULL, 0, 0);
    add_finding(r, 0, 0, false, NULL, NULL, 0, 0);
    char *text = rpi_report_to_json(r);
    json_t *j = parse(text);
    free(text);
    json_t *findings = json_object_get(j, "findings");
    cr_expect_str_eq(str_at(json_array_get(findings, 0), "message"), msg);
    cr_expect_str_eq(str_at(json_array_get(findings, 1), "message"), "bad \xef\xbf\xbd byte");
    /* no message: the rule's title stands in */
    cr_expect_str_eq(str_at(json_array_get(findings, 2), "message"), "a title");
    json_t *f = json_array_get(findings, 0);
    cr_expect(json_is_null(json_object_get(f, "kind")));
    cr_expect(json_is_null(json_object_get(f, "name")));
    cr_expect(json_is_null(json_object_get(f, "line")));
    json_decref(j);
    rpi_report_free(r);
}

Test(report_json, empty_report)
{
    rp_report *r = rpi_report_new();
    char *text = rpi_report_to_json(r);
    json_t *j = parse(text);
    free(text);
    cr_expect_eq(json_array_size(json_object_get(j, "findings")), 0);
    cr_expect_eq(json_array_size(json_object_get(j, "errors")), 0);
    cr_expect_eq(int_at(json_object_get(j, "summary"), "objects"), 0);
    json_decref(j);
    rpi_report_free(r);
    cr_expect_null(rpi_report_to_json(NULL));
}

/* ---- Text -------------------------------------------------------------------------------- */

Test(report_text, grouped_lines_and_summary)
{
    rp_report *r = fixture();
    char *t = rpi_report_to_text(r, &(rpi_text_options){0});
    cr_assert_not_null(t);
    cr_expect_null(strchr(t, '\033'), "ANSI codes without color:\n%s", t);
    const char *expect[] = {
        "ray.yaml (document 0, line 1) RayCluster ml/rc\n"
        "  critical  RAY-A-001  exposed \"head\" <svc> & more"
        " (at spec.headGroupSpec.serviceType, line 12)\n"
        "  high      RAY-B-002  runs as root (at spec.a, line 20)\n"
        "  high      RAY-B-002  worker runs as root\n",
        "ray.yaml (document 1, line 11) Service ml/svc\n"
        "  critical  RAY-A-001  LoadBalancer (at spec.type, line 15)"
        "  bypassed (break-glass: INC-1 <ok> & \"go\")\n",
        "dir/a b.yaml (document 0, line 1) Namespace ml\n"
        "  medium    RAY-C-003 [warn]  unpinned\n",
        "errors:\n"
        "  ray.yaml:1: eval error: RAY-D-004 on RayCluster ml/rc: no such key: metrics\n"
        "  ray/bad.yaml:3:7: input error: could not find expected ':'\n",
        "\n3 objects, 4 rules: 1 critical, 2 high, 1 medium, 0 low findings; "
        "1 bypassed; 2 errors\n",
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        cr_expect_not_null(strstr(t, expect[i]), "missing:\n%s\nin:\n%s", expect[i], t);
    /* findings come before errors, errors before the summary */
    cr_expect_lt(strstr(t, "RAY-C-003"), strstr(t, "errors:"));
    /* the summary is the last line */
    const char *last = strstr(t, "3 objects");
    cr_expect_eq(strchr(last, '\n')[1], '\0');
    cr_expect_null(strstr(t, "pass "));
    free(t);
    rpi_report_free(r);
}

Test(report_text, colour_only_when_asked)
{
    rp_report *r = fixture();
    char *t = rpi_report_to_text(r, &(rpi_text_options){.color = true});
    cr_assert_not_null(t);
    cr_expect_not_null(strstr(t, "\033[1;31mcritical"));
    cr_expect_not_null(strstr(t, "\033[0m"));
    free(t);
    t = rpi_report_to_text(r, NULL);
    cr_assert_not_null(t);
    cr_expect_null(strchr(t, '\033'));
    free(t);
    rpi_report_free(r);
}

Test(report_text, show_passed)
{
    rp_report *r = fixture();
    char *t = rpi_report_to_text(r, &(rpi_text_options){.show_passed = true});
    cr_assert_not_null(t);
    cr_expect_not_null(strstr(t, "  pass      RAY-C-003 [warn]  a title\n"));
    free(t);
    rpi_report_free(r);
}

Test(report_text, control_characters_cannot_reach_the_terminal)
{
    rp_report *r = rpi_report_new();
    add_rule(r, "R", RPI_SEV_LOW, RPI_ACT_DENY);
    add_object(r, "f\x1b[2J.yaml", 0, "Pod", "ns", "a\x1b]0;title\x07", NULL);
    add_finding(r, 0, 0, false, "one\ntwo\rthree\tfour\x7f \xe2\x80\xae evil \xc2\x9b", NULL,
                0, 0);
    char *t = rpi_report_to_text(r, NULL);
    cr_assert_not_null(t);
    cr_expect_null(strchr(t, '\033'));
    cr_expect_null(strchr(t, '\r'));
    cr_expect_null(strchr(t, '\x07'));
    cr_expect_null(strchr(t, '\x7f'));
    cr_expect_null(strstr(t, "\xe2\x80\xae"));          /* RIGHT-TO-LEFT OVERRIDE */
    cr_expect_null(strstr(t, "\xc2\x9b"));              /* C1 CSI */
    cr_expect_not_null(strstr(t, "f\\x1b[2J.yaml (document 0, line 1) "
                                 "Pod ns/a\\x1b]0;title\\x07\n"), "%s", t);
    cr_expect_not_null(strstr(t, "  low       R  one\\ntwo\\rthree\\tfour\\x7f "
                                 "\\u202e evil \\u009b\n"), "%s", t);
    free(t);
    rpi_report_free(r);
}

Test(report_text, null_fields_and_empty_report)
{
    rp_report *r = rpi_report_new();
    char *t = rpi_report_to_text(r, NULL);
    cr_expect_str_eq(t, "0 objects, 0 rules: 0 critical, 0 high, 0 medium, 0 low findings; "
                        "0 bypassed; 0 errors\n");
    free(t);
    rpi_report_rule ru = {.id = "R", .severity = RPI_SEV_INFO};
    rpi_report_add_rule(r, &ru);
    rpi_report_object o = {.document = 3, .in_list = true, .item = 2};
    rpi_report_add_object(r, &o);
    add_finding(r, 0, 0, true, NULL, NULL, 0, 0);
    add_finding(r, 0, 0, false, NULL, NULL, 0, 0);
    rpi_report_error e = {.kind = RPI_ERRK_PARAMS, .code = RP_EJSON};
    rpi_report_add_error(r, &e);
    t = rpi_report_to_text(r, NULL);
    cr_assert_not_null(t);
    cr_expect_not_null(strstr(t, "(unknown file) (document 3, item 2) (no kind) (unnamed)\n"),
                       "%s", t);
    cr_expect_not_null(strstr(t, "  info      R  (no message)  "
                                 "bypassed (break-glass: no reason given)\n"), "%s", t);
    cr_expect_not_null(strstr(t, "  params error: invalid JSON\n"), "%s", t);
    cr_expect_not_null(strstr(t, "1 object, 1 rule: 0 critical, 0 high, 0 medium, 0 low, 1 info "
                                 "findings; 1 bypassed; 1 error\n"), "%s", t);
    free(t);
    rpi_report_free(r);
    cr_expect_null(rpi_report_to_text(NULL, NULL));
}

/* ---- SARIF -------------------------------------------------------------------------------- */

static json_t *sarif_of(const rp_report *r)
{
    char *text = rpi_report_to_sarif(r);
    json_t *j = parse(text);
    free(text);
    cr_assert_str_eq(str_at(j, "version"), "2.1.0");
    cr_assert_str_eq(str_at(j, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
    cr_assert_eq(json_array_size(json_object_get(j, "runs")), 1);
    return j;
}

static json_t *run_of(json_t *log)
{
    return json_array_get(json_object_get(log, "runs"), 0);
}

static json_t *uri_of(json_t *result)
{
    json_t *loc = json_array_get(json_object_get(result, "locations"), 0);
    json_t *phys = json_object_get(loc, "physicalLocation");
    return json_object_get(json_object_get(phys, "artifactLocation"), "uri");
}

Test(report_sarif, structure)
{
    rp_report *r = fixture();
    json_t *log = sarif_of(r);
    json_t *run = run_of(log);
    json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
    cr_expect_str_eq(str_at(driver, "name"), "rpeval");
    cr_expect_str_eq(str_at(driver, "version"), rp_version());
    json_t *rules = json_object_get(driver, "rules");
    cr_assert_eq(json_array_size(rules), 4);
    json_t *rule0 = json_array_get(rules, 0);
    cr_expect_str_eq(str_at(rule0, "id"), "RAY-A-001");
    cr_expect_str_eq(str_at(rule0, "name"), "ATitle");
    cr_expect_str_eq(str_at(json_object_get(rule0, "shortDescription"), "text"), "a title");
    cr_expect_str_eq(str_at(json_object_get(rule0, "defaultConfiguration"), "level"), "error");
    json_t *props = json_object_get(rule0, "properties");
    cr_expect_str_eq(str_at(props, "severity"), "critical");
    cr_expect_str_eq(str_at(props, "action"), "deny");
    cr_expect(json_is_array(json_object_get(props, "tags")));
    /* medium -> warning, low -> note */
    cr_expect_str_eq(str_at(json_object_get(json_array_get(rules, 2), "defaultConfiguration"),
                            "level"), "warning");
    cr_expect_str_eq(str_at(json_object_get(json_array_get(rules, 3), "defaultConfiguration"),
                            "level"), "note");

    json_t *results = json_object_get(run, "results");
    cr_assert_eq(json_array_size(results), 5);
    json_t *res = json_array_get(results, 0);
    cr_expect_str_eq(str_at(res, "ruleId"), "RAY-A-001");
    cr_expect_eq(int_at(res, "ruleIndex"), 0);
    cr_expect_str_eq(str_at(res, "level"), "error");
    cr_expect_str_eq(str_at(json_object_get(res, "message"), "text"),
                     "exposed \"head\" <svc> & more");
    json_t *loc = json_array_get(json_object_get(res, "locations"), 0);
    json_t *region = json_object_get(json_object_get(loc, "physicalLocation"), "region");
    cr_expect_eq(int_at(region, "startLine"), 12);
    cr_expect_eq(int_at(region, "startColumn"), 5);
    cr_expect_str_eq(json_string_value(uri_of(res)), "ray.yaml");
    json_t *logical = json_array_get(json_object_get(loc, "logicalLocations"), 0);
    cr_expect_str_eq(str_at(logical, "name"), "rc");
    cr_expect_str_eq(str_at(logical, "fullyQualifiedName"), "RayCluster/ml/rc");
    cr_expect_str_eq(str_at(json_object_get(res, "properties"), "path"),
                     "spec.headGroupSpec.serviceType");
    cr_expect_eq(int_at(json_object_get(res, "properties"), "document"), 0);
    cr_expect_null(json_object_get(res, "suppressions"));

    res = json_array_get(results, 1);           /* high -> error */
    cr_expect_eq(int_at(res, "ruleIndex"), 1);
    cr_expect_str_eq(str_at(res, "level"), "error");
    res = json_array_get(results, 2);           /* no line of its own: the object's */
    region = json_object_get(json_object_get(json_array_get(json_object_get(res, "locations"), 0),
                                             "physicalLocation"), "region");
    cr_expect_eq(int_at(region, "startLine"), 1);
    cr_expect_null(json_object_get(region, "startColumn"));

    res = json_array_get(results, 3);           /* bypassed */
    json_t *sup = json_array_get(json_object_get(res, "suppressions"), 0);
    cr_assert_not_null(sup);
    cr_expect_str_eq(str_at(sup, "justification"), "INC-1 <ok> & \"go\"");
    cr_expect_str_eq(str_at(sup, "kind"), "inSource");

    res = json_array_get(results, 4);           /* medium -> warning, escaped URI */
    cr_expect_str_eq(str_at(res, "level"), "warning");
    cr_expect_str_eq(json_string_value(uri_of(res)), "dir/a%20b.yaml");

    json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
    cr_expect(json_is_false(json_object_get(inv, "executionSuccessful")));
    json_t *notes = json_object_get(inv, "toolExecutionNotifications");
    cr_assert_eq(json_array_size(notes), 2);
    json_t *note = json_array_get(notes, 1);
    cr_expect_str_eq(str_at(note, "level"), "error");
    cr_expect_str_eq(str_at(json_object_get(note, "message"), "text"),
                     "could not find expected ':'");
    json_t *nloc = json_array_get(json_object_get(note, "locations"), 0);
    json_t *nphys = json_object_get(nloc, "physicalLocation");
    cr_expect_str_eq(str_at(json_object_get(nphys, "artifactLocation"), "uri"), "ray/bad.yaml");
    cr_expect_eq(int_at(json_object_get(nphys, "region"), "startLine"), 3);
    cr_expect_eq(int_at(json_object_get(nphys, "region"), "startColumn"), 7);
    note = json_array_get(notes, 0);
    cr_expect_str_eq(str_at(json_object_get(note, "associatedRule"), "id"), "RAY-D-004");
    cr_expect_eq(int_at(json_object_get(note, "associatedRule"), "index"), 3);
    json_decref(log);
    rpi_report_free(r);
}

Test(report_sarif, levels_for_every_severity)
{
    static const char *const level[] = {"error", "error", "warning", "note", "note"};
    rp_report *r = rpi_report_new();
    add_object(r, "f.yaml", 0, "Pod", "ns", "p", NULL);
    for (int s = 0; s < RPI_SEV__COUNT; s++) {
        char id[8];
        snprintf(id, sizeof id, "R%d", s);
        add_rule(r, id, (rpi_severity)s, RPI_ACT_DENY);
        add_finding(r, 0, (size_t)s, false, "m", NULL, 0, 0);
    }
    json_t *log = sarif_of(r);
    json_t *results = json_object_get(run_of(log), "results");
    for (int s = 0; s < RPI_SEV__COUNT; s++)
        cr_expect_str_eq(str_at(json_array_get(results, (size_t)s), "level"), level[s]);
    json_t *inv = json_array_get(json_object_get(run_of(log), "invocations"), 0);
    cr_expect(json_is_true(json_object_get(inv, "executionSuccessful")));
    cr_expect_eq(json_array_size(json_object_get(inv, "toolExecutionNotifications")), 0);
    json_decref(log);
    rpi_report_free(r);
}

Test(report_sarif, artifact_uris)
{
    rp_report *r = rpi_report_new();
    add_rule(r, "R", RPI_SEV_LOW, RPI_ACT_DENY);
    const char *files[] = {"./a/b.yaml", "/abs/p q.yaml", "c:d#e?f%g.yaml", "-",
                           "\xc3\xbc.yaml", "<stdin>"};
    for (size_t i = 0; i < 6; i++) {
        add_object(r, files[i], 0, "Pod", NULL, "p", NULL);
        add_finding(r, i, 0, false, "m", NULL, 3, 0);
    }
    json_t *log = sarif_of(r);
    json_t *results = json_object_get(run_of(log), "results");
    cr_expect_str_eq(json_string_value(uri_of(json_array_get(results, 0))), "a/b.yaml");
    cr_expect_str_eq(json_string_value(uri_of(json_array_get(results, 1))),
                     "file:///abs/p%20q.yaml");
    cr_expect_str_eq(json_string_value(uri_of(json_array_get(results, 2))),
                     "c%3Ad%23e%3Ff%25g.yaml");
    /* stdin names no artifact: a logical location only */
    cr_expect_null(uri_of(json_array_get(results, 3)));
    cr_expect_not_null(json_object_get(
        json_array_get(json_object_get(json_array_get(results, 3), "locations"), 0),
        "logicalLocations"));
    cr_expect_str_eq(json_string_value(uri_of(json_array_get(results, 4))), "%C3%BC.yaml");
    cr_expect_null(uri_of(json_array_get(results, 5)));
    json_decref(log);
    rpi_report_free(r);
}

Test(report_sarif, identical_rules_share_a_descriptor)
{
    rp_report *r = rpi_report_new();
    add_rule(r, "R", RPI_SEV_LOW, RPI_ACT_DENY);
    add_rule(r, "S", RPI_SEV_LOW, RPI_ACT_DENY);
    add_rule(r, "R", RPI_SEV_LOW, RPI_ACT_DENY);    /* the same pack given twice */
    add_object(r, "f.yaml", 0, "Pod", NULL, "p", NULL);
    add_finding(r, 0, 2, false, "m", NULL, 0, 0);
    json_t *log = sarif_of(r);
    json_t *driver = json_object_get(json_object_get(run_of(log), "tool"), "driver");
    cr_expect_eq(json_array_size(json_object_get(driver, "rules")), 2);
    json_t *res = json_array_get(json_object_get(run_of(log), "results"), 0);
    cr_expect_eq(int_at(res, "ruleIndex"), 0);
    json_decref(log);
    rpi_report_free(r);
}

Test(report_sarif, help_and_references)
{
    rp_report *r = rpi_report_new();
    char *refs[] = {"CIS 5.2.1 <benchmark>", "https://example.org/guide#x"};
    rpi_report_rule ru = {
        .id = "R",
        .title = "do not run as root",
        .remediation = "set runAsNonRoot",
        .references = refs,
        .n_references = 2,
        .severity = RPI_SEV_HIGH,
    };
    rpi_report_add_rule(r, &ru);
    json_t *log = sarif_of(r);
    json_t *rule = json_array_get(
        json_object_get(json_object_get(json_object_get(run_of(log), "tool"), "driver"), "rules"),
        0);
    cr_expect_str_eq(str_at(rule, "name"), "DoNotRunAsRoot");
    cr_expect_str_eq(str_at(json_object_get(rule, "fullDescription"), "text"), "set runAsNonRoot");
    json_t *help = json_object_get(rule, "help");
    cr_expect_str_eq(str_at(help, "text"),
                     "set runAsNonRoot\n\nReferences:\n- CIS 5.2.1 <benchmark>\n"
                     "- https://example.org/guide#x");
    cr_expect_str_eq(str_at(help, "markdown"),
                     "set runAsNonRoot\n\n**References**\n\n- CIS 5.2.1 \\<benchmark\\>\n"
                     "- <https://example.org/guide#x>");
    cr_expect_str_eq(str_at(rule, "helpUri"), "https://example.org/guide#x");
    json_decref(log);
    rpi_report_free(r);
    cr_expect_null(rpi_report_to_sarif(NULL));
}

/* ---- JUnit -------------------------------------------------------------------------------- */

Test(report_junit, suites_cases_and_counts)
{
    rp_report *r = fixture();
    char *x = rpi_report_to_junit(r);
    cr_assert_not_null(x);
    cr_expect_eq(strncmp(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 50), 0);
    /* 6 results + 1 input error; 3 fail; 1 result error + 1 input error; 1 bypassed */
    cr_expect_not_null(strstr(x, "<testsuites name=\"rpeval\" tests=\"7\" failures=\"3\" "
                                 "errors=\"2\" skipped=\"1\">"), "%s", x);
    cr_expect_not_null(strstr(x, "<testsuite name=\"RAY-A-001\" tests=\"2\" failures=\"1\" "
                                 "errors=\"0\" skipped=\"1\">"), "%s", x);
    cr_expect_not_null(strstr(x, "<testsuite name=\"RAY-B-002\" tests=\"1\" failures=\"1\" "
                                 "errors=\"0\" skipped=\"0\">"));
    cr_expect_not_null(strstr(x, "<testsuite name=\"RAY-C-003\" tests=\"2\" failures=\"1\" "
                                 "errors=\"0\" skipped=\"0\">"));
    cr_expect_not_null(strstr(x, "<testsuite name=\"RAY-D-004\" tests=\"1\" failures=\"0\" "
                                 "errors=\"1\" skipped=\"0\">"));
    cr_expect_not_null(strstr(x, "<testsuite name=\"input\" tests=\"1\" failures=\"0\" "
                                 "errors=\"1\" skipped=\"0\">"));
    cr_expect_eq(count_substr(x, "<testcase "), 7);
    cr_expect_eq(count_substr(x, "<failure "), 3);
    cr_expect_eq(count_substr(x, "<error "), 2);
    cr_expect_eq(count_substr(x, "<skipped "), 1);
    cr_expect_not_null(strstr(x, "<testcase classname=\"RAY-A-001\" "
                                 "name=\"ray.yaml#0 RayCluster ml/rc\">"));
    cr_expect_not_null(strstr(x, "<testcase classname=\"RAY-C-003\" "
                                 "name=\"dir/a b.yaml#0 Namespace ml\">"));
    cr_expect_not_null(strstr(x, "<failure message=\"exposed &quot;head&quot; &lt;svc&gt; "
                                 "&amp; more\" type=\"critical\">"), "%s", x);
    cr_expect_not_null(strstr(x, "<skipped message=\"break-glass: INC-1 &lt;ok&gt; &amp; "
                                 "&quot;go&quot;\">"), "%s", x);
    cr_expect_not_null(strstr(x, "<error message=\"no such key: metrics\" type=\"eval\">"));
    cr_expect_not_null(strstr(x, "<error message=\"could not find expected &apos;:&apos;\" "
                                 "type=\"input\">"), "%s", x);
    /* both findings of (rc, RAY-B-002) are in its one failure */
    const char *b = strstr(x, "<failure message=\"runs as root\"");
    cr_assert_not_null(b);
    const char *end = strstr(b, "</failure>");
    const char *second = strstr(b, "worker runs as root");
    cr_expect(second && second < end);
    free(x);
    rpi_report_free(r);
}

Test(report_junit, xml_escaping_of_forbidden_characters)
{
    rp_report *r = rpi_report_new();
    add_rule(r, "R\"<&>'", RPI_SEV_LOW, RPI_ACT_DENY);
    add_object(r, "f.yaml", 0, "Pod", "ns", "p\x01q", NULL);
    add_result(r, 0, 0, RPI_OUT_FAIL);
    add_finding(r, 0, 0, false, "a\x02" "b\x1b" "c\td\ne\rf \xef\xbf\xbe \xef\xbf\xbf \xc3\xbc]]>",
                NULL, 0, 0);
    char *x = rpi_report_to_junit(r);
    cr_assert_not_null(x);
    for (const unsigned char *p = (const unsigned char *)x; *p; p++)
        cr_expect(*p >= 0x20 || *p == '\n' || *p == '\t', "byte 0x%02x in XML", *p);
    cr_expect_null(strstr(x, "\xef\xbf\xbe"));      /* U+FFFE: not an XML character */
    cr_expect_null(strstr(x, "\xef\xbf\xbf"));      /* U+FFFF */
    cr_expect_null(strstr(x, "]]>"));
    cr_expect_not_null(strstr(x, "<testsuite name=\"R&quot;&lt;&amp;&gt;&apos;\""), "%s", x);
    cr_expect_not_null(strstr(x, "name=\"f.yaml#0 Pod ns/p\xef\xbf\xbdq\""), "%s", x);
    /* in an attribute, tab, newline and CR are references (normalisation
     * would turn them into spaces); in text, tab and newline stay */
    cr_expect_not_null(strstr(x, "message=\"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c&#9;d&#10;e&#13;f "
                                 "\xef\xbf\xbd \xef\xbf\xbd \xc3\xbc]]&gt;\""), "%s", x);
    cr_expect_not_null(strstr(x, ">a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\td\ne&#13;f "), "%s", x);
    free(x);
    rpi_report_free(r);
}

Test(report_junit, errors_tied_to_nothing_and_empty_report)
{
    rp_report *r = rpi_report_new();
    char *x = rpi_report_to_junit(r);
    cr_expect_str_eq(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<testsuites name=\"rpeval\" tests=\"0\" failures=\"0\" errors=\"0\" "
                        "skipped=\"0\">\n</testsuites>\n");
    free(x);
    add_rule(r, "R", RPI_SEV_LOW, RPI_ACT_DENY);
    add_object(r, "f.yaml", 0, "Pod", "ns", "p", NULL);
    /* an eval error whose result is not an error: reported on its own */
    add_result(r, 0, 0, RPI_OUT_PASS);
    rpi_report_error e = {.kind = RPI_ERRK_EVAL, .has_object = true, .object = 0,
                          .has_rule = true, .rule = 0, .message = "late"};
    rpi_report_add_error(r, &e);
    e = (rpi_report_error){.kind = RPI_ERRK_PACK, .code = RP_EPACK};
    rpi_report_add_error(r, &e);
    e = (rpi_report_error){.kind = RPI_ERRK_PARAMS, .file = "p.yaml", .message = "bad"};
    rpi_report_add_error(r, &e);
    x = rpi_report_to_junit(r);
    cr_assert_not_null(x);
    cr_expect_not_null(strstr(x, "<testsuites name=\"rpeval\" tests=\"4\" failures=\"0\" "
                                 "errors=\"3\" skipped=\"0\">"), "%s", x);
    cr_expect_not_null(strstr(x, "<testsuite name=\"eval\" tests=\"1\""));
    cr_expect_not_null(strstr(x, "<testcase classname=\"eval\" name=\"f.yaml#0 Pod ns/p R\">"),
                       "%s", x);
    cr_expect_not_null(strstr(x, "<testcase classname=\"pack\" name=\"pack error 1\">"), "%s", x);
    cr_expect_not_null(strstr(x, "<error message=\"invalid policy pack\" type=\"pack\">"));
    cr_expect_not_null(strstr(x, "<testcase classname=\"params\" name=\"p.yaml\">"));
    free(x);
    rpi_report_free(r);
    cr_expect_null(rpi_report_to_junit(NULL));
}

/* ---- The shared buffer --------------------------------------------------------------------- */

Test(report_buf, grows_and_formats)
{
    rpi_report_buf b = {0};
    char *empty = rpi_report_buf_finish(&b);
    cr_expect_str_eq(empty, "");
    free(empty);
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rpi_report_buf_printf(&b, "%s|%d", big, 42);
    rpi_report_buf_put(&b, "abc", 2);
    rpi_report_buf_puts(&b, "!");
    char *s = rpi_report_buf_finish(&b);
    cr_assert_not_null(s);
    cr_expect_eq(strlen(s), 999 + 3 + 3);
    cr_expect_str_eq(s + 999, "|42ab!");
    free(s);
    cr_expect_null(b.p);
    b.oom = true;
    rpi_report_buf_puts(&b, "lost");
    cr_expect_null(rpi_report_buf_finish(&b));
}
