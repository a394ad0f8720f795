/* test_regex.c -- matches() patterns (regex.c): Go regexp (RE2) syntax and
 * semantics on top of PCRE2.  Every expected result and error message is
 * what Go's regexp.Compile / MatchString give (cel-go and so Kubernetes run
 * matches() with Go's regexp); they were checked with Go, apart from the
 * (?<name>re) forms that Go accepts since 1.22 (regexp/syntax parse.go). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KELVIN "\xe2\x84\xaa"   /* U+212A KELVIN SIGN */
#define LONG_S "\xc5\xbf"       /* U+017F LATIN SMALL LETTER LONG S */
#define E_ACUTE "\xc3\xa9"      /* U+00E9 */
#define ARABIC_3 "\xd9\xa3"     /* U+0663 ARABIC-INDIC DIGIT THREE */
#define ALPHA "\xce\xb1"        /* U+03B1 */
#define BETA "\xce\xb2"         /* U+03B2 */

typedef struct match_case {
    const char *pattern;
    const char *subject;
    bool want;
} match_case;

static const match_case matches[] = {
    /* Kubernetes-style patterns */
    {"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "my-service-1", true},
    {"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "My-service", false},
    {"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "bad-", false},
    {"(?P<year>\\d{4})-(?P<month>\\d{2})", "2024-01", true},
    {"(?<name>a+)", "aa", true},
    /* unanchored search (RE2 PartialMatch) */
    {"foo", "xfoox", true},
    {"^foo", "xfoo", false},
    /* newlines: . and $ and (?m) as in Go */
    {"a.c", "a\nc", false},
    {"(?s)a.c", "a\nc", true},
    {"a$", "a\n", false},               /* $ is \z outside (?m) */
    {"(?m)a$", "a\nb", true},
    {"(?m)^b", "a\nb", true},
    {"(?m)^$", "a\n", true},            /* an empty line after the final \n */
    {"^$", "", true},
    /* ASCII classes: \s has no \v, [[:space:]] has */
    {"\\s", "\v", false},
    {"[[:space:]]", "\v", true},
    {"\\s", "\t", true},
    {"\\v", "\v", true},
    {"\\d", ARABIC_3, false},
    {"\\pN", ARABIC_3, true},
    {"\\w", E_ACUTE, false},
    {"\\bfoo\\b", "a foo b", true},
    {"\\bfoo\\b", "afoob", false},
    /* escapes: octal, hex, \Q..\E */
    {"\\12", "\n", true},
    {"\\0", "", false},
    {"\\x41", "A", true},
    {"\\x{1F600}", "\xf0\x9f\x98\x80", true},
    {"\\Qa.b\\E", "a.b", true},
    {"\\Qa.b\\E", "axb", false},
    {"\\Qa.b", "a.b", true},
    /* case folding, Go's simple folding */
    {"(?i)k", KELVIN, true},
    {"(?i)\\w", LONG_S, true},
    {"(?i)\\W", KELVIN, false},
    {"(?i)[[:upper:]]", KELVIN, true},
    {"(?i)stra\xc3\x9f" "e", "STRASSE", false},
    {"(?i)CAF\\x{C9}", "caf" E_ACUTE, true},
    /* classes and braces */
    {"[^a]", "\n", true},
    {"[]a]", "]", true},
    {"[a-]", "-", true},
    {"a{,3}", "a{,3}", true},           /* not a repeat: literal text */
    {"x{2}", "xx", true},
    {"(?U)a+", "aaa", true},
    /* Go repeats assertions and, after a flag group, a repeated item */
    {"^*a", "a", true},
    {"\\b+a", "a", true},
    {"a(?i)*", "aaa", true},
    {"a*(?i)*b", "aab", true},
    {"\\p{Greek}+", ALPHA BETA, true},
    {"\\P{Greek}", ALPHA, false},
    {"\\p{^Greek}", "a", true},
    {"[\\x{D800}-\\x{E000}]", "\xee\x80\x80", true},
    /* catastrophic for backtracking, linear for Go: still Go's answers */
    {"^(a|a)*$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", false},
    {"^(a|aa)*$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true},
    {"(x+x+)+y", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", false},
};

Test(regex, matches_as_go)
{
    for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++) {
        const match_case *c = &matches[i];
        char err[256];
        rpi_regex *re = rpi_regex_compile(c->pattern, strlen(c->pattern), err, sizeof err);
        cr_assert_not_null(re, "%s: %s", c->pattern, err);
        const char *msg = NULL;
        int r = rpi_regex_search(re, c->subject, strlen(c->subject), &msg);
        cr_expect_eq(r, c->want ? 1 : 0, "%s on \"%s\": %d (%s)", c->pattern, c->subject, r,
                     msg ? msg : "");
        rpi_regex_free(re);
    }
}

/* Subjects and patterns are (pointer, length): NUL bytes are ordinary. */
Test(regex, embedded_nul)
{
    char err[256];
    rpi_regex *re = rpi_regex_compile("\\0", 2, err, sizeof err);
    cr_assert_not_null(re);
    const char *msg;
    cr_expect_eq(rpi_regex_search(re, "a\0b", 3, &msg), 1);
    cr_expect_eq(rpi_regex_search(re, "ab", 2, &msg), 0);
    rpi_regex_free(re);
    re = rpi_regex_compile("a\0b", 3, err, sizeof err);
    cr_assert_not_null(re);
    cr_expect_eq(rpi_regex_search(re, "xa\0by", 5, &msg), 1);
    cr_expect_eq(rpi_regex_search(re, "ab", 2, &msg), 0);
    rpi_regex_free(re);
}

typedef struct error_case {
    const char *pattern;
    const char *message;
} error_case;

static const error_case errors[] = {
    /* what RE2 lacks and PCRE2 would accept */
    {"(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`"},
    {"(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
    {"(?!a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"},
    {"(?<=a)b", "error parsing regexp: invalid named capture: `(?<=a)b`"},
    {"(?<!a)b", "error parsing regexp: invalid named capture: `(?<!a)b`"},
    {"(?>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?>`"},
    {"a*+", "error parsing regexp: invalid nested repetition operator: `*+`"},
    {"a++", "error parsing regexp: invalid nested repetition operator: `++`"},
    {"a**", "error parsing regexp: invalid nested repetition operator: `**`"},
    {"(?R)", "error parsing regexp: invalid or unsupported Perl syntax: `(?R`"},
    {"(?1)", "error parsing regexp: invalid or unsupported Perl syntax: `(?1`"},
    {"(?&n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?&`"},
    {"(?(1)a|b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?(`"},
    {"\\C", "error parsing regexp: invalid escape sequence: `\\C`"},
    {"\\K", "error parsing regexp: invalid escape sequence: `\\K`"},
    {"\\G", "error parsing regexp: invalid escape sequence: `\\G`"},
    {"\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"},
    {"\\X", "error parsing regexp: invalid escape sequence: `\\X`"},
    {"\\R", "error parsing regexp: invalid escape sequence: `\\R`"},
    {"\\h", "error parsing regexp: invalid escape sequence: `\\h`"},
    {"\\e", "error parsing regexp: invalid escape sequence: `\\e`"},
    {"\\cA", "error parsing regexp: invalid escape sequence: `\\c`"},
    {"\\N", "error parsing regexp: invalid escape sequence: `\\N`"},
    {"\\g1", "error parsing regexp: invalid escape sequence: `\\g`"},
    {"\\k<n>", "error parsing regexp: invalid escape sequence: `\\k`"},
    {"(?P=n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`"},
    {"(?'n'a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?'`"},
    {"(?#c)", "error parsing regexp: invalid or unsupported Perl syntax: `(?#`"},
    {"(?x)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"},
    {"(*FAIL)", "error parsing regexp: missing argument to repetition operator: `*`"},
    /* malformed */
    {"(?-)", "error parsing regexp: invalid or unsupported Perl syntax: `(?-)`"},
    {"(?i-)", "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`"},
    {"*a", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"(*)", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"a|*", "error parsing regexp: missing argument to repetition operator: `*`"},
    {"a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"},
    {"(a{2}){501}", "error parsing regexp: invalid repeat count: `{501}`"},
    {"a{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`"},
    {"a{2}{3}", "error parsing regexp: invalid nested repetition operator: `{2}{3}`"},
    {"[z-a]", "error parsing regexp: invalid character class range: `z-a`"},
    {"[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`"},
    {"[a-\\d]", "error parsing regexp: invalid escape sequence: `\\d`"},
    {"[\\b]", "error parsing regexp: invalid escape sequence: `\\b`"},
    {"\\p{greek}", "error parsing regexp: invalid character class range: `\\p{greek}`"},
    {"\\pX", "error parsing regexp: invalid character class range: `\\pX`"},
    {"\\p{Greek", "error parsing regexp: invalid character class range: `\\p{Greek`"},
    {"\\x{110000}", "error parsing regexp: invalid escape sequence: `\\x{110000`"},
    {"\\x{}", "error parsing regexp: invalid escape sequence: `\\x{}`"},
    {"\\xg1", "error parsing regexp: invalid escape sequence: `\\xg1`"},
    {"\\8", "error parsing regexp: invalid escape sequence: `\\8`"},
    {"\\1", "error parsing regexp: invalid escape sequence: `\\1`"},
    {"\\" E_ACUTE, "error parsing regexp: invalid escape sequence: `\\" E_ACUTE "`"},
    {"a\\", "error parsing regexp: trailing backslash at end of expression: ``"},
    {"(a", "error parsing regexp: missing closing ): `(a`"},
    {"a)", "error parsing regexp: unexpected ): `a)`"},
    {"[a", "error parsing regexp: missing closing ]: `[a`"},
    {"[]", "error parsing regexp: missing closing ]: `[]`"},
    {"(?P<a-b>c)", "error parsing regexp: invalid named capture: `(?P<a-b>`"},
    {"(?P<>a)", "error parsing regexp: invalid named capture: `(?P<>`"},
    {"(?P<a", "error parsing regexp: invalid named capture: `(?P<a`"},
    /* Go quotes the bytes from the bad one on; here they are shown escaped,
     * so that the message stays valid UTF-8 */
    {"\xff", "error parsing regexp: invalid UTF-8: `\\xff...`"},
    {"a\xc3(", "error parsing regexp: invalid UTF-8: `\\xc3...`"},
};

Test(regex, rejects_as_go)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        const error_case *c = &errors[i];
        char err[256] = "";
        rpi_regex *re = rpi_regex_compile(c->pattern, strlen(c->pattern), err, sizeof err);
        cr_expect_null(re, "%s: accepted", c->pattern);
        rpi_regex_free(re);
        cr_expect_str_eq(err, c->message);
    }
}

/* Deep nesting ends in an error, not a crash. */
Test(regex, nesting_limit)
{
    size_t n = 5000;
    char *p = malloc(2 * n + 2);
    cr_assert_not_null(p);
    memset(p, '(', n);
    p[n] = 'a';
    memset(p + n + 1, ')', n);
    char err[256];
    rpi_regex *re = rpi_regex_compile(p, 2 * n + 1, err, sizeof err);
    cr_expect_null(re);
    cr_expect(strstr(err, "expression nests too deeply") != NULL, "%s", err);
    free(p);
}

/* Long subjects stay linear (the DFA fallback) and give Go's answers. */
Test(regex, long_subjects)
{
    size_t n = 200000;
    char *s = malloc(n);
    cr_assert_not_null(s);
    memset(s, 'a', n);
    static const struct { const char *p; int want; } cases[] = {
        {"(?:a|b)*[cd]", 0},
        {"(a|b)*$", 1},
        {"^(a|aa)*$", 1},
        {"a{1000}", 1},
        {"[ab]c", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256];
        rpi_regex *re = rpi_regex_compile(cases[i].p, strlen(cases[i].p), err, sizeof err);
        cr_assert_not_null(re, "%s", err);
        const char *msg = NULL;
        cr_expect_eq(rpi_regex_search(re, s, n, &msg), cases[i].want, "%s: %s", cases[i].p,
                     msg ? msg : "");
        rpi_regex_free(re);
    }
    free(s);
}

static rpi_regex *shared;

static void *search_many(void *arg)
{
    intptr_t bad = 0;
    RPI_UNUSED(arg);
    for (int i = 0; i < 20000; i++) {
        const char *msg;
        const char *subject = i % 2 ? "my-service-1" : "Bad_Name";
        if (rpi_regex_search(shared, subject, strlen(subject), &msg) != (i % 2))
            bad++;
    }
    return (void *)bad;
}

/* One compiled pattern, many threads. */
Test(regex, shared_between_threads)
{
    const char *p = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
    char err[256];
    shared = rpi_regex_compile(p, strlen(p), err, sizeof err);
    cr_assert_not_null(shared);
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, search_many, NULL), 0);
    for (int i = 0; i < 8; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        cr_expect_eq((intptr_t)bad, 0);
    }
    rpi_regex_free(shared);
}

Test(regex, free_null)
{
    rpi_regex_free(NULL);
}

/* A constant pattern is shared, through the thread's regex cache, by every
 * program that compiles it (reference-counted): a program keeps working
 * after another one with the same pattern is freed, and after the cache
 * has evicted the pattern. */
Test(regex, shared_constant_pattern_outlives_program_and_cache)
{
    rp_env_options o;
    rp_env_options_init(&o);
    const char *names[] = {"s", NULL};
    o.variables = names;
    rp_error err;
    rp_env *env = rp_env_new(&o, &err);
    cr_assert_not_null(env, "%s", err.message);
    const char *expr = "s.matches('^(ab)+$')";
    rp_program *a = NULL, *b = NULL;
    cr_assert_eq(rp_compile(env, expr, strlen(expr), &a, &err), 0, "%s", err.message);
    cr_assert_eq(rp_compile(env, expr, strlen(expr), &b, &err), 0, "%s", err.message);
    rp_program_free(a);
    /* push the pattern out of this thread's cache (32 entries) */
    for (int i = 0; i < 40; i++) {
        char other[64];
        snprintf(other, sizeof other, "s.matches('^x%d$')", i);
        rp_program *p = NULL;
        cr_assert_eq(rp_compile(env, other, strlen(other), &p, &err), 0, "%s", err.message);
        rp_program_free(p);
    }
    rp_activation *act = rp_activation_new(env, &err);
    cr_assert_not_null(act);
    const char *subjects[] = {"\"abab\"", "\"aba\""};
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(rp_activation_bind_json(act, "s", subjects[i], strlen(subjects[i]), &err), 0);
        int r = -1;
        cr_assert_eq(rp_eval_bool(b, act, &r, &err), 0, "%s", err.message);
        cr_assert_eq(r, i == 0, "%s on %s", expr, subjects[i]);
    }
    rp_activation_free(act);
    rp_program_free(b);
    rp_env_free(env);
}
