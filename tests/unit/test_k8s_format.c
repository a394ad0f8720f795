/* test_k8s_format.c -- the Kubernetes format library (lib/k8s_format.c),
 * run end to end through the public API in the Kubernetes profile.
 *
 * Expected values come from Kubernetes 1.33's own tests, each cited where
 * it is used:
 *   FT  staging/src/k8s.io/apiserver/pkg/cel/library/format_test.go TestFormat
 *   VT  staging/src/k8s.io/apimachinery/pkg/util/validation/validation_test.go
 *   GT  staging/src/k8s.io/apimachinery/pkg/api/validation/generic_test.go
 *       TestMaskTrailingDash
 *   kube-openapi pkg/validation/strfmt (date_test.go TestDate_IsDate,
 *       time_test.go testCases, default_test.go TestFormatUUID) and
 *       pkg/internal/third_party/govalidator/validator_test.go TestIsBase64
 * and the error texts from the functions those tests exercise
 * (apimachinery/pkg/util/validation/validation.go, Go's net/url). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "eval_helpers.h"

#define LABEL_MSG                                                                                \
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and " \
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "   \
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define SUBDOMAIN_MSG                                                                            \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or " \
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "    \
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_MSG                                                                               \
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an " \
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "        \
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define QNAME_MSG                                                                                \
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " \
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "      \
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define LABEL_VALUE_MSG                                                                          \
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or " \
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "          \
    "'my_value',  or '12345', regex used for validation is "                                    \
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

static eval_result run(const char *expr)
{
    return eval_in(RP_PROFILE_KUBERNETES, expr, NULL);
}

static void expect(const char *expr, const char *json)
{
    eval_result r = run(expr);
    cr_assert_eq(r.rc, 0, "%s: rc %d (%s)", expr, r.rc, r.err.message);
    cr_assert_str_eq(r.json, json, "%s", expr);
}

/* FORMAT().validate(S) gives no errors (null) or some (a JSON list). */
static void check(const char *format, const char *s, bool valid)
{
    char expr[1024];
    snprintf(expr, sizeof expr, "format.%s().validate(%s)", format, s);
    eval_result r = run(expr);
    cr_assert_eq(r.rc, 0, "%s: rc %d (%s)", expr, r.rc, r.err.message);
    if (valid)
        cr_assert_str_eq(r.json, "null", "%s", expr);
    else
        cr_assert(r.json[0] == '[' && r.json[1] == '"', "%s: %s", expr, r.json);
}

static void valid(const char *format, const char *const *values)
{
    for (size_t i = 0; values[i]; i++)
        check(format, values[i], true);
}

static void invalid(const char *format, const char *const *values)
{
    for (size_t i = 0; values[i]; i++)
        check(format, values[i], false);
}

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

/* FT: example_usage_* */
Test(k8s_format, examples)
{
    expect("format.dns1123Label().validate(\"my-label-name\")", "null");
    expect("format.dns1123Subdomain().validate(\"apiextensions.k8s.io\")", "null");
    expect("format.qualifiedName().validate(\"apiextensions.k8s.io/v1beta1\")", "null");
    expect("format.dns1123LabelPrefix().validate(\"my-label-prefix-\")", "null");
    expect("format.dns1123SubdomainPrefix().validate(\"mysubdomain.prefix.-\")", "null");
    expect("format.dns1035LabelPrefix().validate(\"my-label-prefix-\")", "null");
    expect("format.uri().validate(\"http://example.com\")", "null");
    expect("format.uuid().validate(\"123e4567-e89b-12d3-a456-426614174000\")", "null");
    expect("format.byte().validate(\"aGVsbG8=\")", "null");
    expect("format.date().validate(\"2021-01-01\")", "null");
    expect("format.datetime().validate(\"2021-01-01T00:00:00Z\")", "null");
}

/* FT: dns1123Label ... labelValue_failure, the messages word for word */
Test(k8s_format, messages)
{
    expect("format.dns1123Label().validate(\"contains a space\")", "[\"" LABEL_MSG "\"]");
    expect("format.dns1123Subdomain().validate(\"contains a space\")", "[\"" SUBDOMAIN_MSG "\"]");
    expect("format.dns1035Label().validate(\"contains a space\")", "[\"" DNS1035_MSG "\"]");
    expect("format.qualifiedName().validate(\"contains a space\")", "[\"name part " QNAME_MSG "\"]");
    expect("format.dns1123LabelPrefix().validate(\"contains a space-\")", "[\"" LABEL_MSG "\"]");
    expect("format.dns1123SubdomainPrefix().validate(\"contains a space-\")",
           "[\"" SUBDOMAIN_MSG "\"]");
    expect("format.dns1035LabelPrefix().validate(\"contains a space-\")", "[\"" DNS1035_MSG "\"]");
    expect("format.labelValue().validate(\"my-cool-label-Value!!\\n\\n!!!\")",
           "[\"" LABEL_VALUE_MSG "\"]");
    expect("format.byte().validate(\"aGVsbG8\")", "[\"invalid base64\"]");
    expect("format.date().validate(\"2020-01-32\")", "[\"invalid date\"]");
    expect("format.datetime().validate(\"2020-01-32T00:00:00Z\")", "[\"invalid datetime\"]");
}

/* FT: *_Success, byte_success, date_success, datetime_success, labelValue_success */
Test(k8s_format, successes)
{
    expect("format.dns1123Label().validate(\"my-label-name\")", "null");
    expect("format.dns1123Subdomain().validate(\"example.com\")", "null");
    expect("format.dns1035Label().validate(\"my-label-name\")", "null");
    expect("format.qualifiedName().validate(\"my.name\")", "null");
    expect("format.date().validate(\"2020-01-01\")", "null");
    expect("format.datetime().validate(\"2020-01-01T00:00:00Z\")", "null");
    expect("format.labelValue().validate(\"my-cool-label-Value\")", "null");
}

static const char *const names[] = {
    "dns1123Label", "dns1123Subdomain", "dns1035Label", "qualifiedName",
    "dns1123LabelPrefix", "dns1123SubdomainPrefix", "dns1035LabelPrefix", "labelValue",
    "uri", "uuid", "byte", "date", "datetime",
};
#define NNAMES (sizeof names / sizeof names[0])

/* FT: unknown_format, and the loop over library.ConstantFormats ("lookup
 * and comparison", "comparison with lookup succeeds", compare_<a>_<b>) */
Test(k8s_format, named_and_equality)
{
    char expr[256];
    expect("format.named(\"unknown\").hasValue()", "false");
    for (size_t i = 0; i < NNAMES; i++) {
        snprintf(expr, sizeof expr, "format.named(\"%s\").hasValue()", names[i]);
        expect(expr, "true");
        snprintf(expr, sizeof expr, "format.named(\"%s\").value() == format.%s()", names[i], names[i]);
        expect(expr, "true");
        for (size_t j = 0; j < NNAMES; j++) {
            if (i == j)
                continue;
            snprintf(expr, sizeof expr, "format.%s() == format.%s()", names[i], names[j]);
            expect(expr, "false");
        }
    }
}

/* VT TestIsDNS1123Label */
Test(k8s_format, dns1123_label)
{
    valid("dns1123Label", LIST("'a'", "'ab'", "'abc'", "'a1'", "'a-1'", "'a--1--2--b'", "'0'", "'01'",
                               "'012'", "'1a'", "'1-a'", "'1--a--b--2'"));
    invalid("dns1123Label",
            LIST("''", "'A'", "'ABC'", "'aBc'", "'A1'", "'A-1'", "'1-A'", "'-'", "'a-'", "'-a'",
                 "'1-'", "'-1'", "'_'", "'a_'", "'_a'", "'a_b'", "'1_'", "'_1'", "'1_2'", "'.'",
                 "'a.'", "'.a'", "'a.b'", "'1.'", "'.1'", "'1.2'", "' '", "'a '", "' a'", "'a b'",
                 "'1 '", "' 1'", "'1 2'"));
}

/* 'x'.repeat(n) is not CEL: build the long values by hand. */
static char *rep(char c, size_t n, const char *tail)
{
    static char buf[4][600];
    static int k;
    char *b = buf[k++ % 4];
    b[0] = '\'';
    memset(b + 1, c, n);
    snprintf(b + 1 + n, sizeof buf[0] - n - 1, "%s'", tail);
    return b;
}

/* VT TestIsDNS1123Label / TestIsDNS1123Subdomain / TestIsDNS1035Label: the
 * length limits, with the messages of validation.go (MaxLenError, and
 * "must not contain dots" for a valid subdomain that is not a label) */
Test(k8s_format, lengths)
{
    char expr[800];
    check("dns1123Label", rep('a', 63, ""), true);
    snprintf(expr, sizeof expr, "format.dns1123Label().validate(%s)", rep('a', 64, ""));
    expect(expr, "[\"must be no more than 63 characters\"]");
    check("dns1123Subdomain", rep('a', 253, ""), true);
    snprintf(expr, sizeof expr, "format.dns1123Subdomain().validate(%s)", rep('a', 254, ""));
    expect(expr, "[\"must be no more than 253 characters\"]");
    check("dns1035Label", rep('a', 63, ""), true);
    snprintf(expr, sizeof expr, "format.dns1035Label().validate(%s)", rep('a', 64, ""));
    expect(expr, "[\"must be no more than 63 characters\"]");
    expect("format.dns1123Label().validate('a.b')", "[\"must not contain dots\"]");
    check("labelValue", rep('a', 63, ""), true);
    snprintf(expr, sizeof expr, "format.labelValue().validate(%s)", rep('a', 64, ""));
    expect(expr, "[\"must be no more than 63 characters\"]");
}

/* VT TestIsDNS1123Subdomain */
Test(k8s_format, dns1123_subdomain)
{
    valid("dns1123Subdomain",
          LIST("'a'", "'ab'", "'abc'", "'a1'", "'a-1'", "'a--1--2--b'", "'0'", "'01'", "'012'", "'1a'",
               "'1-a'", "'1--a--b--2'", "'a.a'", "'ab.a'", "'abc.a'", "'a1.a'", "'a-1.a'",
               "'a--1--2--b.a'", "'a.1'", "'ab.1'", "'abc.1'", "'a1.1'", "'a-1.1'", "'a--1--2--b.1'",
               "'0.a'", "'01.a'", "'012.a'", "'1a.a'", "'1-a.a'", "'0.1'", "'01.1'", "'012.1'",
               "'1a.1'", "'1-a.1'", "'1--a--b--2.1'", "'a.b.c.d.e'", "'aa.bb.cc.dd.ee'",
               "'1.2.3.4.5'", "'11.22.33.44.55'"));
    invalid("dns1123Subdomain",
            LIST("''", "'A'", "'ABC'", "'aBc'", "'A1'", "'A-1'", "'1-A'", "'-'", "'a-'", "'-a'",
                 "'1-'", "'-1'", "'_'", "'a_'", "'_a'", "'a_b'", "'1_'", "'_1'", "'1_2'", "'.'",
                 "'a.'", "'.a'", "'a..b'", "'1.'", "'.1'", "'1..2'", "' '", "'a '", "' a'", "'a b'",
                 "'1 '", "' 1'", "'1 2'", "'A.a'", "'aB.a'", "'ab.A'", "'A1.a'", "'a1.A'", "'A.1'",
                 "'aB.1'", "'A1.1'", "'1A.1'", "'0.A'", "'01.A'", "'012.A'", "'1A.a'", "'1a.A'",
                 "'A.B.C.D.E'", "'AA.BB.CC.DD.EE'", "'a.B.c.d.e'", "'aa.bB.cc.dd.ee'", "'a@b'",
                 "'a,b'", "'a_b'", "'a;b'", "'a:b'", "'a%b'", "'a?b'", "'a$b'"));
}

/* VT TestIsDNS1035Label */
Test(k8s_format, dns1035_label)
{
    valid("dns1035Label", LIST("'a'", "'ab'", "'abc'", "'a1'", "'a-1'", "'a--1--2--b'"));
    invalid("dns1035Label",
            LIST("'0'", "'01'", "'012'", "'1a'", "'1-a'", "'1--a--b--2'", "''", "'A'", "'ABC'",
                 "'aBc'", "'A1'", "'A-1'", "'1-A'", "'-'", "'a-'", "'-a'", "'1-'", "'-1'", "'_'",
                 "'a_'", "'_a'", "'a_b'", "'1_'", "'_1'", "'1_2'", "'.'", "'a.'", "'.a'", "'a.b'",
                 "'1.'", "'.1'", "'1.2'", "' '", "'a '", "' a'", "'a b'", "'1 '", "' 1'", "'1 2'"));
}

/* VT TestIsQualifiedName, and the message of each way to fail
 * (validation.go IsQualifiedName) */
Test(k8s_format, qualified_name)
{
    char expr[800];
    valid("qualifiedName",
          LIST("'simple'", "'now-with-dashes'", "'1-starts-with-num'", "'1234'", "'simple/simple'",
               "'now-with-dashes/simple'", "'now-with-dashes/now-with-dashes'",
               "'now.with.dots/simple'", "'now-with.dashes-and.dots/simple'", "'1-num.2-num/3-num'",
               "'1234/5678'", "'1.2.3.4/5678'", "'Uppercase_Is_OK_123'",
               "'example.com/Uppercase_Is_OK_123'", "'requests.storage-foo'"));
    invalid("qualifiedName",
            LIST("'nospecialchars%^=@'", "'cantendwithadash-'", "'-cantstartwithadash-'",
                 "'only/one/slash'", "'Example.com/abc'", "'example_com/abc'", "'example.com/'",
                 "'/simple'"));
    check("qualifiedName", rep('a', 63, ""), true);
    check("qualifiedName", rep('a', 64, ""), false);
    snprintf(expr, sizeof expr, "%s", rep('a', 253, "/bbbbbbbbbb"));
    check("qualifiedName", expr, true);
    snprintf(expr, sizeof expr, "%s", rep('a', 254, "/abc"));
    check("qualifiedName", expr, false);

    expect("format.qualifiedName().validate('only/one/slash')",
           "[\"a qualified name " QNAME_MSG
           " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')\"]");
    expect("format.qualifiedName().validate('/simple')", "[\"prefix part must be non-empty\"]");
    expect("format.qualifiedName().validate('example.com/')",
           "[\"name part must be non-empty\",\"name part " QNAME_MSG "\"]");
    expect("format.qualifiedName().validate('Example.com/abc')", "[\"prefix part " SUBDOMAIN_MSG "\"]");
    snprintf(expr, sizeof expr, "format.qualifiedName().validate(%s)", rep('a', 64, ""));
    expect(expr, "[\"name part must be no more than 63 characters\"]");
}

/* VT TestIsValidLabelValue */
Test(k8s_format, label_value)
{
    valid("labelValue", LIST("'simple'", "'now-with-dashes'", "'1-starts-with-num'", "'end-with-num-1'",
                             "'1234'", "''"));
    invalid("labelValue", LIST("'nospecialchars%^=@'", "'Tama-nui-te-rā.is.Māori.sun'",
                               "'\\\\backslashes\\\\are\\\\bad'", "'-starts-with-dash'",
                               "'ends-with-dash-'", "'.starts.with.dot'", "'ends.with.dot.'"));
}

/* GT TestMaskTrailingDash: "-" stays "-", "b-" is checked as "a", "-foo-"
 * as "-foa" */
Test(k8s_format, prefix_masking)
{
    check("dns1123LabelPrefix", "'-'", false);
    check("dns1123LabelPrefix", "'b-'", true);
    check("dns1123LabelPrefix", "'-foo-'", false);
    check("dns1123LabelPrefix", "'ab'", true);
    check("dns1123LabelPrefix", "''", false);
    check("dns1035LabelPrefix", "'b-'", true);
    check("dns1123SubdomainPrefix", "'b-'", true);
}

/* kube-openapi strfmt date_test.go TestDate_IsDate */
Test(k8s_format, date)
{
    valid("date", LIST("'2017-12-22'", "'2000-02-29'", "'2400-02-29'"));
    invalid("date", LIST("'2017-1-1'", "'17-13-22'", "'2017-02-29'", "'1900-02-29'", "'2100-02-29'",
                         "'2017-13-22'", "'2017-12-32'", "'20171-12-32'", "'YYYY-MM-DD'",
                         "'20-17-2017'", "'2017-12-22T01:02:03Z'"));
}

/* kube-openapi strfmt time_test.go testCases (the marshalled forms are
 * checked with IsDateTime there) and TestParseDateTime_errorCases */
Test(k8s_format, datetime)
{
    valid("datetime", LIST("'2014-12-15T08:00:00.000Z'", "'2011-08-18T19:03:37.000+01:00'",
                           "'2014-12-15T19:30:20.000Z'", "'0001-01-01T00:00:00.000Z'",
                           "'1970-01-01T00:00:00.000Z'"));
    invalid("datetime", LIST("'yada'", "''"));
}

/* default_test.go TestFormatUUID ("not-a-uuid" is rejected) and FT */
Test(k8s_format, uuid)
{
    valid("uuid", LIST("'123e4567-e89b-12d3-a456-426614174000'"));
    expect("format.uuid().validate('not-a-uuid')", "[\"does not match the UUID format\"]");
}

/* govalidator validator_test.go TestIsBase64 */
Test(k8s_format, base64)
{
    valid("byte", LIST("'TG9yZW0gaXBzdW0gZG9sb3Igc2l0IGFtZXQsIGNvbnNlY3RldHVyIGFkaXBpc2NpbmcgZWxpdC4='",
                       "'Vml2YW11cyBmZXJtZW50dW0gc2VtcGVyIHBvcnRhLg=='", "'U3VzcGVuZGlzc2UgbGVjdHVzIGxlbw=='"));
    invalid("byte", LIST("'12345'", "''", "'Vml2YW11cyBmZXJtZtesting123'"));
}

/* url.ParseRequestURI's errors as url.Error prints them (Go's net/url:
 * "empty url", "invalid URI for request", the control-character check) */
Test(k8s_format, uri)
{
    expect("format.uri().validate('http://example.com')", "null");
    expect("format.uri().validate('/absolute/path')", "null");
    expect("format.uri().validate('')", "[\"parse \\\"\\\": empty url\"]");
    expect("format.uri().validate('example.com')",
           "[\"parse \\\"example.com\\\": invalid URI for request\"]");
    expect("format.uri().validate('http://a b.com/')",
           "[\"parse \\\"http://a b.com/\\\": invalid character \\\" \\\" in host name\"]");
}

/* The library is in the kubernetes and extended profiles only (base.go
 * enables library.Format from 1.31), and its functions type-check. */
Test(k8s_format, profiles)
{
    eval_result r = eval_in(RP_PROFILE_CEL, "format.dns1123Label()", NULL);
    cr_assert_neq(r.rc, 0);
    r = eval_in(RP_PROFILE_EXTENDED, "format.named('uri').hasValue()", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err.message);
    cr_assert_str_eq(r.json, "true");
    expect("type(format.uri()) == type(format.named('uuid').value())", "true");
}
