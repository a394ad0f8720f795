/* test_std_strings.c -- contains, startsWith, endsWith and matches (the
 * dynamic-pattern path: compile, search, free) as cel-spec defines them;
 * cases from the conformance vectors (string.json), cel-go's runtime costs
 * (interpreter/runtimecost.go). */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"

extern const rpi_library rpi_lib_std_strings;

static rpi_ctx cx;

static void setup(void)
{
    memset(&cx, 0, sizeof cx);
    cx.arena = rpi_arena_new(0);
}

static void teardown(void) { rpi_arena_free(cx.arena); }

TestSuite(strings, .init = setup, .fini = teardown);

static val S(const char *s) { return val_string(s, (uint32_t)strlen(s)); }

static const rpi_func *func(const char *name)
{
    for (size_t i = 0; i < rpi_lib_std_strings.nfuncs; i++)
        if (strcmp(rpi_lib_std_strings.funcs[i].name, name) == 0)
            return &rpi_lib_std_strings.funcs[i];
    cr_assert_fail("no function %s", name);
    return NULL;
}

static val call2(const char *name, val a, val b)
{
    val args[2] = {a, b};
    return func(name)->impl(&cx, args, 2);
}

static void expect_call(const char *name, const char *s, const char *arg, bool want)
{
    val r = call2(name, S(s), S(arg));
    cr_assert_eq(r.kind, VK_BOOL, "'%s'.%s('%s'): kind %d (%.*s)", s, name, arg, r.kind,
                 r.kind == VK_ERROR ? (int)r.aux : 0, r.kind == VK_ERROR ? r.u.s : "");
    cr_expect_eq(r.u.b, want, "'%s'.%s('%s')", s, name, arg);
}

Test(strings, contains)
{
    expect_call("contains", "hello", "he", true);
    expect_call("contains", "hello", "", true);
    expect_call("contains", "hello", "ol", false);
    expect_call("contains", "abababc", "ababc", true);
    expect_call("contains", "Stra\xc3\x9f" "e", "a\xc3\x9f", true);
    expect_call("contains", "\xf0\x9f\x90\xb1\xf0\x9f\x98\x80\xf0\x9f\x98\x81",
                "\xf0\x9f\x98\x80", true);
    expect_call("contains", "", "something", false);
    expect_call("contains", "", "", true);
    expect_call("contains", "aaa", "aaaa", false);
    expect_call("contains", "xxxy", "xy", true);
}

Test(strings, starts_with)
{
    expect_call("startsWith", "foobar", "foo", true);
    expect_call("startsWith", "foobar", "bar", false);
    expect_call("startsWith", "", "foo", false);
    expect_call("startsWith", "foobar", "", true);
    expect_call("startsWith", "", "", true);
    expect_call("startsWith", "\xd0\xb7\xd0\xb0\xd0\xb2\xd1\x82\xd1\x80\xd0\xb0",
                "\xd0\xb7\xd0\xb0", true);
}

Test(strings, ends_with)
{
    expect_call("endsWith", "foobar", "bar", true);
    expect_call("endsWith", "foobar", "foo", false);
    expect_call("endsWith", "", "foo", false);
    expect_call("endsWith", "foobar", "", true);
    expect_call("endsWith", "", "", true);
    expect_call("endsWith", "fort\xc3\xa9", "t\xc3\xa9", true);
    expect_call("endsWith", "ab", "abc", false);
}

Test(strings, matches_searches_anywhere)
{
    expect_call("matches", "hubba", "ubb", true);
    expect_call("matches", "", "foo|bar", false);
    expect_call("matches", "cows", "", true);
    expect_call("matches", "", "", true);
    expect_call("matches", "grey", "gr(a|e)y", true);
    expect_call("matches", "banana", "ba(na)*", true);
    expect_call("matches", "banana", "^na", false);
    expect_call("matches", "ma\xc3\xb1" "ana", "a+\xc3\xb1+a+", true);
    expect_call("matches", "\xf0\x9f\x90\xb1\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
                "(a|\xf0\x9f\x98\x80){2}", true);
    expect_call("matches", "abc", "^a.c$", true);
}

Test(strings, matches_reports_bad_patterns)
{
    val r = call2("matches", S("abc"), S("["));
    cr_assert_eq(r.kind, VK_ERROR);
    cr_expect_gt(r.aux, 0);
    r = call2("matches", S("aa"), S("(a)\\1"));     /* backreferences are not RE2 */
    cr_expect_eq(r.kind, VK_ERROR);
}

Test(strings, non_strings_have_no_overload)
{
    const char *names[] = {"contains", "startsWith", "endsWith", "matches"};
    for (size_t i = 0; i < 4; i++) {
        val r = call2(names[i], S("a"), val_int(1));
        cr_assert_eq(r.kind, VK_ERROR, "%s", names[i]);
        cr_expect(memcmp(r.u.s, "no such overload", 16) == 0, "%.*s", (int)r.aux, r.u.s);
        r = call2(names[i], val_bytes("a", 1), S("a"));
        cr_expect_eq(r.kind, VK_ERROR, "%s", names[i]);
    }
}

Test(strings, call_styles)
{
    cr_expect_eq(func("contains")->style, RPI_RECEIVER);
    cr_expect_eq(func("startsWith")->style, RPI_RECEIVER);
    cr_expect_eq(func("endsWith")->style, RPI_RECEIVER);
    cr_expect_eq(func("matches")->style, RPI_RECEIVER | RPI_GLOBAL);
    cr_expect_eq(func("matches")->argc, 2);
}

Test(strings, costs_follow_cel_go)
{
    char big[1000];
    memset(big, 'x', sizeof big);
    val s = val_string(big, sizeof big);
    cx.cost = 0;
    call2("startsWith", s, S("x"));
    cr_expect_eq(cx.cost, 100);         /* 1000 bytes x 0.1 */
    cx.cost = 0;
    call2("contains", s, val_string(big, 20));
    cr_expect_eq(cx.cost, 200);         /* (1000 x 0.1) x (20 x 0.1) */
    cx.cost = 0;
    call2("matches", s, S("x+y"));
    cr_expect_eq(cx.cost, 101);         /* ceil(1001 x 0.1) x ceil(3 x 0.25) */
    cx.cost = 0;
    cx.cost_budget = 50;
    val r = call2("endsWith", s, S("x"));
    cr_expect_eq(r.kind, VK_ERROR);
    cr_expect_eq(cx.limit_hit, 1);
}
