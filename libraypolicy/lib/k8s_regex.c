/* lib/k8s_regex.c -- Kubernetes' regex library
 * (k8s.io/apiserver/pkg/cel/library/regex.go): string.find(regex) (the
 * first match, or "" when there is none) and string.findAll(regex[, limit])
 * (the matches as Go's Regexp.FindAllString gives them: an empty match
 * right after a match is skipped, and the search then moves on by one
 * character; a negative limit means all).
 */
#include <string.h>

#include "../internal.h"

static bool charge(rpi_ctx *cx, val s, val pat)
{
    return rpi_charge(cx, (1 + (uint64_t)s.aux / 16) * (1 + (uint64_t)pat.aux / 4));
}

static val compile_error(rpi_ctx *cx, const char *errbuf)
{
    return rpi_err(cx, "Illegal regex: %s", errbuf[0] ? errbuf : "invalid regular expression");
}

/* PAT compiled (*OWNED: the caller frees it), or NULL with *ERR (a limit,
 * or the compile error). */
static rpi_regex *compile(rpi_ctx *cx, val pat, bool *owned, val *err)
{
    if (cx->env && pat.aux > cx->env->max_regex_length) {
        *err = rpi_limit_stop(cx, "regex exceeds limit max_regex_length (%zu bytes): %u bytes",
                              cx->env->max_regex_length, pat.aux);
        return NULL;
    }
    char errbuf[256];
    errbuf[0] = '\0';
    rpi_regex *re = rpi_regex_compile_cached(pat.u.s, pat.aux, errbuf, sizeof errbuf, owned);
    if (!re)
        *err = compile_error(cx, errbuf);
    return re;
}

static uint64_t budget(const rpi_ctx *cx) { return cx->env ? cx->env->regex_match_limit : 0; }

/* The error of a failed match: a limit stops the evaluation. */
static val match_error(rpi_ctx *cx, int r, const char *msg)
{
    if (r == RPI_REGEX_ELIMIT)
        return rpi_limit_stop(cx, "regex match exceeds limit regex_match_limit (%llu steps)",
                              (unsigned long long)budget(cx));
    return rpi_err(cx, "%s", msg ? msg : "regex match failed");
}

static val fn_find(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0], pat = args[1];
    if (s.kind != VK_STRING || pat.kind != VK_STRING)
        return rpi_err_no_overload(cx, "find", args, argc);
    if (!charge(cx, s, pat))
        return rpi_err_oom(cx);
    bool owned;
    val err;
    rpi_regex *re = compile(cx, pat, &owned, &err);
    if (!re)
        return err;
    size_t a = 0, b = 0;
    const char *msg = NULL;
    int r = rpi_regex_find_limited(re, s.u.s, s.aux, 0, budget(cx), &a, &b, &msg);
    if (owned)
        rpi_regex_free(re);
    if (r < 0)
        return match_error(cx, r, msg);
    return r ? val_string(s.u.s + a, (uint32_t)(b - a)) : val_string("", 0);
}

/* The length of the UTF-8 character at S[0..N) (1 for a stray byte). */
static size_t rune_len(const char *s, size_t n)
{
    uint32_t cp;
    if (n == 0 || (unsigned char)s[0] < 0x80)
        return 1;
    int l = rpi_utf8_decode(s, n, &cp);
    return l > 0 && (size_t)l <= n ? (size_t)l : 1;
}

static val fn_find_all(rpi_ctx *cx, const val *args, unsigned argc)
{
    val s = args[0], pat = args[1];
    if (s.kind != VK_STRING || pat.kind != VK_STRING || (argc == 3 && args[2].kind != VK_INT))
        return rpi_err_no_overload(cx, "findAll", args, argc);
    int64_t limit = argc == 3 ? args[2].u.i : -1;
    if (!charge(cx, s, pat))
        return rpi_err_oom(cx);
    bool owned;
    val err;
    rpi_regex *re = compile(cx, pat, &owned, &err);
    if (!re)
        return err;
    uint64_t cap = limit < 0 || (uint64_t)limit > (uint64_t)s.aux + 1 ? (uint64_t)s.aux + 1
                                                                        : (uint64_t)limit;
    val *found = cap ? rpi_alloc(cx, sizeof(val) * cap) : NULL;
    if (cap && !found) {
        if (owned)
            rpi_regex_free(re);
        return rpi_err_oom(cx);
    }
    uint32_t n = 0;
    size_t pos = 0, end = s.aux;
    bool have_prev = false;
    size_t prev_end = 0;
    while (n < cap && pos <= end) {
        size_t a, b;
        const char *msg = NULL;
        int r = rpi_regex_find_limited(re, s.u.s, s.aux, pos, budget(cx), &a, &b, &msg);
        if (r < 0) {
            if (owned)
                rpi_regex_free(re);
            return match_error(cx, r, msg);
        }
        if (r == 0)
            break;
        bool accept = true;
        if (b == pos) {
            if (have_prev && a == prev_end)
                accept = false;
            pos += pos < end ? rune_len(s.u.s + pos, end - pos) : 1;
        } else {
            pos = b;
        }
        have_prev = true;
        prev_end = b;
        if (accept)
            found[n++] = val_string(s.u.s + a, (uint32_t)(b - a));
    }
    if (owned)
        rpi_regex_free(re);
    rpi_list *l = rpi_list_new(cx, n);
    if (!l)
        return rpi_err_oom(cx);
    if (n)
        memcpy(l->items, found, sizeof(val) * n);
    return val_list(l);
}

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

static const rpi_func funcs[] = {
    {"find", RPI_RECEIVER, 2, 0, fn_find, SIGS("string_find_string: string, string -> string"), 1,
     &rpi_type_string},
    {"findAll", RPI_RECEIVER, 2, 0, fn_find_all,
     SIGS("string_find_all_string: string, string -> list(string)"), 1, &rpi_type_string},
    {"findAll", RPI_RECEIVER, 3, 0, fn_find_all,
     SIGS("string_find_all_string_int: string, string, int -> list(string)"), 1, &rpi_type_string},
};

const rpi_library rpi_lib_k8s_regex = {
    "kubernetes.regex", RPI_PROF_K8S_EXT, funcs, sizeof funcs / sizeof funcs[0],
};
