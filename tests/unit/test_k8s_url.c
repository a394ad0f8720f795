/* test_k8s_url.c -- the Kubernetes URL library (lib/k8s_url.c), run end to
 * end through the public API in the Kubernetes profile.  Expected values
 * are the examples of the doc comment of Kubernetes'
 * staging/src/k8s.io/apiserver/pkg/cel/library/urls.go; error texts are
 * urls.go's prefix around Go's net/url errors (url.Error: `parse "<url>":
 * <reason>`). */
#include <criterion/criterion.h>
#include <string.h>

#include "eval_helpers.h"

static void expect(const char *expr, const char *json)
{
    eval_result r = eval_in(RP_PROFILE_KUBERNETES, expr, NULL);
    cr_assert_eq(r.rc, 0, "%s: rc %d (%s)", expr, r.rc, r.err.message);
    cr_assert_str_eq(r.json, json, "%s", expr);
}

static void expect_error(const char *expr, const char *msg)
{
    eval_result r = eval_in(RP_PROFILE_KUBERNETES, expr, NULL);
    cr_assert_neq(r.rc, 0, "%s: no error, got %s", expr, r.json);
    cr_assert_not_null(strstr(r.err.message, msg), "%s: %s", expr, r.err.message);
}

/* urls.go doc comment: url, isURL */
Test(k8s_url, parse)
{
    expect("type(url('https://user:pass@example.com:80/path?query=val#fragment')) == "
           "type(url('/absolute-path'))",
           "true");
    expect_error("url('https://a:b:c/')", "URL parse error during conversion from string: "
                                          "parse \"https://a:b:c/\": invalid port \":c\" after host");
    expect_error("url('../relative-path')", "URL parse error during conversion from string");
    expect("isURL('https://user:pass@example.com:80/path?query=val#fragment')", "true");
    expect("isURL('/absolute-path')", "true");
    expect("isURL('https://a:b:c/')", "false");
    expect("isURL('../relative-path')", "false");
}

/* urls.go doc comment: getScheme, getHost, getHostname, getPort */
Test(k8s_url, host_parts)
{
    expect("url('/path').getScheme()", "\"\"");
    expect("url('https://example.com/').getScheme()", "\"https\"");
    expect("url('https://example.com:80/').getHost()", "\"example.com:80\"");
    expect("url('https://example.com/').getHost()", "\"example.com\"");
    expect("url('https://[::1]:80/').getHost()", "\"[::1]:80\"");
    expect("url('https://[::1]/').getHost()", "\"[::1]\"");
    expect("url('/path').getHost()", "\"\"");
    expect("url('https://example.com:80/').getHostname()", "\"example.com\"");
    expect("url('https://127.0.0.1:80/').getHostname()", "\"127.0.0.1\"");
    expect("url('https://[::1]:80/').getHostname()", "\"::1\"");
    expect("url('/path').getHostname()", "\"\"");
    expect("url('https://example.com:80/').getPort()", "\"80\"");
    expect("url('https://example.com/').getPort()", "\"\"");
    expect("url('/path').getPort()", "\"\"");
}

/* urls.go doc comment: getEscapedPath, getQuery */
Test(k8s_url, path_and_query)
{
    expect("url('https://example.com/path').getEscapedPath()", "\"/path\"");
    expect("url('https://example.com/path with spaces/').getEscapedPath()",
           "\"/path%20with%20spaces/\"");
    expect("url('https://example.com').getEscapedPath()", "\"\"");
    expect("url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == "
           "{'k1': ['a'], 'k2': ['b', 'c']}",
           "true");
    expect("url('https://example.com/path?key with spaces=value with spaces').getQuery() == "
           "{'key with spaces': ['value with spaces']}",
           "true");
    expect("url('https://example.com/path?').getQuery()", "{}");
    expect("url('https://example.com/path').getQuery()", "{}");
}
