/* lib/std_strings.c -- the string functions of cel-spec's standard
 * definitions: contains, startsWith, endsWith (receiver style) and matches
 * (global and receiver style).
 *
 * Strings are valid UTF-8, so substring and prefix tests on bytes are tests
 * on code points.  `matches` is RE2 syntax, searched anywhere in the string
 * (not anchored), through regex.c.  The compiler precompiles constant
 * patterns (OP MATCH_CONST); the function here is the general case, which
 * compiles the pattern on every call.  Costs are cel-go's
 * (interpreter/runtimecost.go): 0.1 per byte traversed, and for matches the
 * product of the string's and the pattern's factors.
 */
#include <string.h>

#include "../internal.h"

#define SIGS(...) (const char *const[]){__VA_ARGS__, NULL}

/* cel-go's common.StringTraversalCostFactor (0.1) and
 * RegexStringLengthCostFactor (0.25), rounded up. */
static uint64_t traversal_cost(uint64_t bytes) { return (bytes + 9) / 10; }
static uint64_t regex_cost(uint64_t bytes) { return (bytes + 3) / 4; }

static val cost_exceeded(void) { return VAL_ERROR_LIT("cost limit exceeded"); }

/* Whether NEEDLE (1 <= N <= HN bytes) occurs in HAY: memchr finds the
 * candidates for the first byte, memcmp checks the rest. */
static bool find(const char *hay, size_t hn, const char *needle, size_t n)
{
    const char *p = hay, *last = hay + (hn - n);
    while (p <= last) {
        p = memchr(p, (unsigned char)needle[0], (size_t)(last - p) + 1);
        if (!p)
            return false;
        if (memcmp(p, needle, n) == 0)
            return true;
        p++;
    }
    return false;
}

static bool both_strings(const val *args)
{
    return args[0].kind == VK_STRING && args[1].kind == VK_STRING;
}

static val fn_contains(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (!both_strings(args))
        return rpi_err_no_overload(cx, "contains", args, argc);
    val s = args[0], sub = args[1];
    if (!rpi_charge(cx, traversal_cost(s.aux) * traversal_cost(sub.aux)))
        return cost_exceeded();
    if (sub.aux == 0)
        return val_bool(true);
    if (sub.aux > s.aux)
        return val_bool(false);
    return val_bool(find(s.u.s, s.aux, sub.u.s, sub.aux));
}

static val fn_starts_with(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (!both_strings(args))
        return rpi_err_no_overload(cx, "startsWith", args, argc);
    val s = args[0], pre = args[1];
    if (!rpi_charge(cx, traversal_cost(s.aux)))
        return cost_exceeded();
    return val_bool(pre.aux <= s.aux && memcmp(s.u.s, pre.u.s, pre.aux) == 0);
}

static val fn_ends_with(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (!both_strings(args))
        return rpi_err_no_overload(cx, "endsWith", args, argc);
    val s = args[0], suf = args[1];
    if (!rpi_charge(cx, traversal_cost(s.aux)))
        return cost_exceeded();
    return val_bool(suf.aux <= s.aux &&
                    memcmp(s.u.s + (s.aux - suf.aux), suf.u.s, suf.aux) == 0);
}

static val fn_matches(rpi_ctx *cx, const val *args, unsigned argc)
{
    if (!both_strings(args))
        return rpi_err_no_overload(cx, "matches", args, argc);
    val s = args[0], pat = args[1];
    if (!rpi_charge(cx, traversal_cost((uint64_t)s.aux + 1) * regex_cost(pat.aux)))
        return cost_exceeded();
    if (cx->env && pat.aux > cx->env->max_regex_length)
        return rpi_limit_stop(cx, "regex exceeds limit max_regex_length (%zu bytes): %u bytes",
                              cx->env->max_regex_length, pat.aux);
    char errbuf[256];
    errbuf[0] = '\0';
    bool owned;
    rpi_regex *re = rpi_regex_compile_cached(pat.u.s, pat.aux, errbuf, sizeof errbuf, &owned);
    if (!re)
        return rpi_err(cx, "%s", errbuf[0] ? errbuf : "invalid regular expression");
    const char *msg = NULL;
    uint64_t budget = cx->env ? cx->env->regex_match_limit : 0;
    int r = rpi_regex_search_limited(re, s.u.s, s.aux, budget, &msg);
    val out = r == RPI_REGEX_ELIMIT
                  ? rpi_limit_stop(cx, "regex match exceeds limit regex_match_limit (%llu steps)",
                                   (unsigned long long)budget)
              : r < 0 ? rpi_err(cx, "%s", msg ? msg : "regular expression match failed")
                      : val_bool(r == 1);
    if (owned)
        rpi_regex_free(re);
    return out;
}

static const rpi_func funcs[] = {
    {"contains", RPI_RECEIVER, 2, 0, fn_contains,
     SIGS("contains_string: string, string -> bool"), 0, NULL},
    {"startsWith", RPI_RECEIVER, 2, 0, fn_starts_with,
     SIGS("starts_with_string: string, string -> bool"), 0, NULL},
    {"endsWith", RPI_RECEIVER, 2, 0, fn_ends_with,
     SIGS("ends_with_string: string, string -> bool"), 0, NULL},
    {"matches", RPI_GLOBAL | RPI_RECEIVER, 2, 0, fn_matches,
     SIGS("matches: string, string -> bool", "matches_string: string, string -> bool"), 0, NULL},
};

const rpi_library rpi_lib_std_strings = {
    "std_strings", RPI_PROF_ALL, funcs, sizeof funcs / sizeof funcs[0],
};
