/* test_parser.c -- the grammar (grammar/parser.y): tree shapes in the
 * debug-string form of ast.c (precedence, associativity, cel-go's special
 * cases), every syntax error of tests/data/syntax_errors.txt with its exact
 * message and caret, spans, the length and nesting limits, and the
 * conformance suite's parse, basic and string expressions as a smoke test.
 *
 * Expected trees come from cel-spec's grammar and cel-go's parser_test.go
 * (its P: lines, without ids).
 *
 * Files are found through RP_SRCDIR (the source tree, defined by the
 * build; default "."); the conformance vectors through RP_CONFORMANCE_DIR
 * (environment) or RP_SRCDIR/../shared/cel-conformance, and their test is
 * skipped when neither exists.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifndef RP_SRCDIR
#define RP_SRCDIR "."
#endif

typedef struct parsed {
    rpi_pool *pool;
    rpi_ast_builder b;
    rpi_diag diag;
    ast_node *root;
} parsed;

static void parse_opts(parsed *ps, const char *expr, size_t len, const rpi_parse_options *o)
{
    memset(ps, 0, sizeof *ps);
    ps->pool = rpi_pool_new();
    cr_assert_not_null(ps->pool);
    ps->b.pool = ps->pool;
    ps->b.next_id = 1;
    ps->root = rpi_parse(&ps->b, expr, len, o, &ps->diag);
}

static void parse(parsed *ps, const char *expr, bool optional)
{
    rpi_parse_options o = {.max_length = 0, .max_depth = 0, .enable_optional_syntax = optional};
    parse_opts(ps, expr, strlen(expr), &o);
}

/* EXPR (optional syntax on) must parse to the debug string WANT. */
static void check_tree(const char *expr, const char *want)
{
    parsed ps;
    parse(&ps, expr, true);
    cr_assert_not_null(ps.root, "%s: %s", expr, ps.diag.message);
    char *got = rpi_ast_debug_string(ps.root);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, want, "%s\n  got:  %s\n  want: %s", expr, got, want);
    free(got);
    rpi_pool_free(ps.pool);
}

/* EXPR must fail with CODE and a message containing WANT. */
static void check_fails(const char *expr, const rpi_parse_options *o, int code, const char *want)
{
    parsed ps;
    parse_opts(&ps, expr, strlen(expr), o);
    cr_expect_null(ps.root, "%s parsed", expr);
    cr_expect_eq(ps.diag.code, code, "%s: code %d, want %d (%s)", expr, ps.diag.code, code,
                 ps.diag.message);
    cr_expect(strstr(ps.diag.message, want) != NULL, "%s: message '%s' lacks '%s'", expr,
              ps.diag.message, want);
    rpi_pool_free(ps.pool);
}

/* ---- Precedence and associativity ------------------------------------- */

Test(parser, logic_precedence_and_balance)
{
    check_tree("a || b && c", "_||_(a, _&&_(b, c))");
    check_tree("a && b || c", "_||_(_&&_(a, b), c)");
    check_tree("a || b || c", "_||_(_||_(a, b), c)");
    check_tree("a || b || c || d", "_||_(_||_(a, b), _||_(c, d))");
    /* cel-go parser_test.go: balanced trees of && */
    check_tree("a && b && c && d && e && f && g",
               "_&&_(_&&_(_&&_(a, b), _&&_(c, d)), _&&_(_&&_(e, f), g))");
    check_tree("a && b && c && d || e && f && g && h",
               "_||_(_&&_(_&&_(a, b), _&&_(c, d)), _&&_(_&&_(e, f), _&&_(g, h)))");
}

Test(parser, relations_are_left_associative)
{
    check_tree("1 < 2 == true", "_==_(_<_(1, 2), true)");
    check_tree("a == b != c", "_!=_(_==_(a, b), c)");
    check_tree("a in b in c", "@in(@in(a, b), c)");
    check_tree("a < b <= c > d >= e", "_>=_(_>_(_<=_(_<_(a, b), c), d), e)");
    check_tree("a > 5 && a < 10", "_&&_(_>_(a, 5), _<_(a, 10))");
}

Test(parser, arithmetic)
{
    check_tree("a + b * c", "_+_(a, _*_(b, c))");
    check_tree("a - b - c", "_-_(_-_(a, b), c)");
    check_tree("a / b % c * d", "_*_(_%_(_/_(a, b), c), d)");
    check_tree("1 + 2 * 3 - 1 / 2 == 6 % 1",
               "_==_(_-_(_+_(1, _*_(2, 3)), _/_(1, 2)), _%_(6, 1))");
    check_tree("a + b < c * d && e", "_&&_(_<_(_+_(a, b), _*_(c, d)), e)");
    check_tree("(a + b) * c", "_*_(_+_(a, b), c)");
}

Test(parser, ternary)
{
    check_tree("a ? b : c", "_?_:_(a, b, c)");
    check_tree("a ? b : c ? d : e", "_?_:_(a, b, _?_:_(c, d, e))");
    check_tree("a || b ? c : d", "_?_:_(_||_(a, b), c, d)");
    check_tree("false && !true || false ? 2 : 3",
               "_?_:_(_||_(_&&_(false, !_(true)), false), 2, 3)");
    check_tree("a ? (b ? c : d) : e", "_?_:_(a, _?_:_(b, c, d), e)");
}

Test(parser, unary_runs)
{
    check_tree("!a", "!_(a)");
    check_tree("!!a", "a");
    check_tree("!!!a", "!_(a)");
    check_tree("!a && b", "_&&_(!_(a), b)");
    check_tree("-a", "-_(a)");
    check_tree("--a", "a");
    check_tree("-a.b", "-_(a.b)");
    check_tree("-a[0]", "-_(_[_](a, 0))");
    check_tree("-x.y()", "-_(x.y())");
    check_tree("!a.b(c)", "!_(a.b(c))");
}

/* cel-go reads one '-' directly before an int or double literal as part of
 * the literal (CEL.g4: literal : sign=MINUS? NUM_INT), also at the head of a
 * member chain; a longer run of '-' is all operators. */
Test(parser, negative_literals)
{
    check_tree("-1", "-1");
    check_tree("- 1", "-1");
    check_tree("4--4", "_-_(4, -4)");
    check_tree("4--4.1", "_-_(4, -4.1)");
    check_tree("-1.5", "-1.5");
    check_tree("-0x10", "-16");
    check_tree("-9223372036854775808", "-9223372036854775808");
    check_tree("-1.abs()", "-1.abs()");
    check_tree("-1u", "-_(1u)");
    check_tree("-(1)", "-_(1)");
    check_tree("--1", "1");
    check_tree("---1", "-_(1)");
    check_tree("--------------------------------19", "19");
    check_tree("x * -1", "_*_(x, -1)");
}

/* ---- Members and primaries ------------------------------------------------ */

Test(parser, members)
{
    check_tree("a.b.c", "a.b.c");
    check_tree("a[b][c]", "_[_](_[_](a, b), c)");
    check_tree("a.b[c].d(e)", "_[_](a.b, c).d(e)");
    check_tree("a.b(5)", "a.b(5)");
    check_tree("a.b()", "a.b()");
    check_tree("a()", "a()");
    check_tree("a(b, c)", "a(b, c)");
    check_tree("size(x) == x.size()", "_==_(size(x), x.size())");
    check_tree("x[\"a\"].single_int32 == 23", "_==_(_[_](x, \"a\").single_int32, 23)");
    check_tree("[1,3,4][0]", "_[_]([1, 3, 4], 0)");
}

Test(parser, leading_dot)
{
    check_tree(".a", ".a");
    check_tree(". a", ".a");
    check_tree(".a.b", ".a.b");
    check_tree(".f(x)", ".f(x)");
    check_tree(".pkg.Msg{f: 1}", ".pkg.Msg{f: 1}");
}

Test(parser, reserved_words_as_selectors)
{
    /* cel-spec: reserved words may be selectors and receiver functions. */
    check_tree("a.while", "a.while");
    check_tree("a.while() || true", "_||_(a.while(), true)");
    check_tree("{ 'as': 1 }.as", "{\"as\": 1}.as");
    check_tree("Msg{package: 1}", "Msg{package: 1}");
}

Test(parser, escaped_identifiers)
{
    check_tree("a.`b-c`", "a.b-c");
    check_tree("a.`b c`", "a.b c");
    check_tree("a.`in`", "a.in");
    check_tree("a.`/foo`", "a./foo");
    check_tree("Message{`in`: true}", "Message{in: true}");
}

/* Kubernetes' cel-go does not enable back-quoted names. */
Test(parser, escaped_identifiers_can_be_disabled)
{
    rpi_parse_options o = {.enable_optional_syntax = true, .disable_escaped_idents = true};
    check_fails("a.`b-c`", &o, RP_ESYNTAX, "unsupported syntax: '`'");
    check_fails("Msg{`f`: 1}", &o, RP_ESYNTAX, "unsupported syntax: '`'");
    check_fails("a.?`f`", &o, RP_ESYNTAX, "unsupported syntax: '`'");
    parsed ps;
    parse_opts(&ps, "a.`b-c`", 7, &o);
    cr_expect_eq(ps.diag.span.start, 2);
    rpi_pool_free(ps.pool);
}

Test(parser, aggregates)
{
    check_tree("[]", "[]");
    check_tree("[,]", "[]");
    check_tree("[a]", "[a]");
    check_tree("[3, 4, 5,]", "[3, 4, 5]");
    check_tree("{}", "{}");
    check_tree("{,}", "{}");
    check_tree("{a: b, c: d}", "{a: b, c: d}");
    check_tree("{foo: 5, bar: \"xyz\", }", "{foo: 5, bar: \"xyz\"}");
    check_tree("{1:2u, 2:3u}", "{1: 2u, 2: 3u}");
    check_tree("foo{ }", "foo{}");
    check_tree("foo{ a:b, c:d }", "foo{a: b, c: d}");
    check_tree("a.b.Msg{f: 1, g: x,}", "a.b.Msg{f: 1, g: x}");
    check_tree("TestAllTypes{single_int32: 1, single_int64: 2}",
               "TestAllTypes{single_int32: 1, single_int64: 2}");
    check_tree("Msg{}.f", "Msg{}.f");
    check_tree("[] + [1,2,3,] + [4]", "_+_(_+_([], [1, 2, 3]), [4])");
}

Test(parser, literals)
{
    check_tree("0", "0");
    check_tree("42", "42");
    check_tree("0xF", "15");
    check_tree("0u", "0u");
    check_tree("23u", "23u");
    check_tree("0xFu", "15u");
    check_tree("18446744073709551615u", "18446744073709551615u");
    check_tree("9223372036854775807", "9223372036854775807");
    check_tree("23.39", "23.39");
    check_tree("1e3", "1000.0");
    check_tree(".5", "0.5");
    check_tree("1.5e-3", "0.0015");
    check_tree("true", "true");
    check_tree("false", "false");
    check_tree("null", "null");
    check_tree("\"A\"", "\"A\"");
    check_tree("'\\''", "\"'\"");
    check_tree("b\"abc\"", "b\"abc\"");
    check_tree("b\"abc\" + B\"def\"", "_+_(b\"abc\", b\"def\")");
    check_tree("\"\\xC3\\XBF\"", "\"\xc3\x83\xc2\xbf\"");
    check_tree("\"\\303\\277\"", "\"\xc3\x83\xc2\xbf\"");
    check_tree("\"hi\\u263A \\u263Athere\"", "\"hi\xe2\x98\xba \xe2\x98\xbathere\"");
    check_tree("\"\\U000003A8\\?\"", "\"\xce\xa8?\"");
    check_tree("b'\\xff\\000'", "b\"\\xff\\x00\"");
    check_tree("r'\\n'", "\"\\\\n\"");
    check_tree("'''a\nb'''", "\"a\\nb\"");
    check_tree("\"\"\"x\"\"y\"\"\"", "\"x\\\"\\\"y\"");
    check_tree("'\xf0\x9f\x98\x81' in ['\xf0\x9f\x98\x81']",
               "@in(\"\xf0\x9f\x98\x81\", [\"\xf0\x9f\x98\x81\"])");
}

Test(parser, optional_syntax)
{
    check_tree("a.?b", "_?._(a, \"b\")");
    check_tree("a[?0]", "_[?_](a, 0)");
    check_tree("a.?b[?0] && a[?c]", "_&&_(_[?_](_?._(a, \"b\"), 0), _[?_](a, c))");
    check_tree("{?'key': value}", "{?\"key\": value}");
    check_tree("[?a, ?b]", "[?a, ?b]");
    check_tree("[?a[?b]]", "[?_[?_](a, b)]");
    check_tree("[a, ?b]", "[a, ?b]");
    check_tree("Msg{?field: value}", "Msg{?field: value}");
    check_tree("a.?`b-c`", "_?._(a, \"b-c\")");
}

Test(parser, comments_and_whitespace)
{
    check_tree("a // comment\n + b", "_+_(a, b)");
    check_tree("\t a\r\n+\fb // end", "_+_(a, b)");
    check_tree("// c\n1", "1");
}

/* ---- Spans and error positions ---------------------------------------------------- */

Test(parser, spans_and_positions)
{
    parsed ps;
    parse(&ps, "a + b.c.d(1)", false);
    ast_node *r = ps.root;
    cr_assert_not_null(r);
    cr_expect_eq(r->span.start, 0);
    cr_expect_eq(r->span.end, 12);
    cr_expect_eq(r->op_pos, 2);                    /* the '+' */
    ast_node *call = r->u.call.args[1];
    cr_expect_eq(call->kind, AST_CALL);
    cr_expect_str_eq(call->u.call.fn, "d");
    cr_expect_eq(call->span.start, 4);
    cr_expect_eq(call->span.end, 12);
    cr_expect_eq(call->op_pos, 9);                 /* the '(' */
    ast_node *sel = call->u.call.target;
    cr_expect_eq(sel->kind, AST_SELECT);
    cr_expect_eq(sel->op_pos, 5);                  /* the '.' */
    cr_expect_eq(sel->span.start, 4);
    cr_expect_eq(sel->span.end, 7);
    rpi_span e = rpi_ast_error_span(r);
    cr_expect_eq(e.start, 2);
    cr_expect_eq(e.end, 3);
    rpi_pool_free(ps.pool);

    parse(&ps, "x - -1", false);
    cr_assert_not_null(ps.root);
    ast_node *lit = ps.root->u.call.args[1];
    cr_expect_eq(lit->kind, AST_LITERAL);
    cr_expect_eq(lit->u.lit.u.i, -1);
    cr_expect_eq(lit->span.start, 4);
    cr_expect_eq(lit->span.end, 6);
    rpi_pool_free(ps.pool);
}

Test(parser, ids_are_unique)
{
    parsed ps;
    parse(&ps, "[a, b.c, f(1, 2), {1: x}][0]", false);
    cr_assert_not_null(ps.root);
    /* 1 list, a, b, b.c, f(...), 1, 2, map, 1, x, 0, index: 12 nodes */
    cr_expect_eq(ps.b.next_id, 13);
    cr_expect_gt(ps.root->id, 0);
    rpi_pool_free(ps.pool);
}

/* ---- Syntax errors from tests/data/syntax_errors.txt -------------------------- */

/* Decode the C escapes of a syntax_errors.txt "expr:" line. */
static size_t unescape(const char *in, char *out)
{
    size_t o = 0;
    for (const char *p = in; *p; p++) {
        if (*p != '\\') {
            out[o++] = *p;
            continue;
        }
        switch (*++p) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case '0': out[o++] = '\0'; break;
        case '\\': out[o++] = '\\'; break;
        case 'x': {
            char h[3] = {p[1], p[2], 0};
            out[o++] = (char)strtol(h, NULL, 16);
            p += 2;
            break;
        }
        default:
            cr_assert_fail("bad escape \\%c in syntax_errors.txt", *p);
        }
    }
    return o;
}

static void run_error_case(const char *expr_line, bool optional, unsigned depth,
                           const char *code, const char *want, int lineno)
{
    char text[1024];
    size_t len = unescape(expr_line, text);
    rpi_parse_options o = {.max_length = 0, .max_depth = depth, .enable_optional_syntax = optional};
    parsed ps;
    parse_opts(&ps, text, len, &o);
    cr_expect_null(ps.root, "line %d: %s parsed", lineno, expr_line);
    int want_code = !strcmp(code, "ELIMIT") ? RP_ELIMIT : RP_ESYNTAX;
    cr_expect_eq(ps.diag.code, want_code, "line %d: %s: code %d", lineno, expr_line,
                 ps.diag.code);
    rp_error err = {0};
    rpi_source_report(&err, "<expression>", text, len, &ps.diag);
    cr_expect_str_eq(err.message, want, "line %d: %s\n--- got:\n%s\n--- want:\n%s", lineno,
                     expr_line, err.message, want);
    rpi_pool_free(ps.pool);
}

Test(parser, syntax_errors_file)
{
    const char *path = RP_SRCDIR "/tests/data/syntax_errors.txt";
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    char line[1024], expr[1024] = "", code[1024] = "", want[2048] = "";
    bool in_case = false, in_message = false, optional = false;
    unsigned depth = 0;
    int cases = 0, lineno = 0, case_line = 0;
    for (;;) {
        char *got = fgets(line, sizeof line, f);
        if (got) {
            lineno++;
            line[strcspn(line, "\n")] = '\0';
        }
        if (!got || line[0] == '\0') {
            if (in_case) {
                cr_assert(in_message, "line %d: case without a message", case_line);
                run_error_case(expr, optional, depth, code, want, case_line);
                cases++;
            }
            in_case = in_message = optional = false;
            depth = 0;
            if (!got)
                break;
            continue;
        }
        if (!in_case && line[0] == '#')
            continue;
        if (!in_case) {
            cr_assert(!strncmp(line, "expr: ", 6), "line %d: expected 'expr: '", lineno);
            snprintf(expr, sizeof expr, "%s", line + 6);
            in_case = true;
            case_line = lineno;
            want[0] = '\0';
        } else if (!in_message && !strcmp(line, "optional: on")) {
            optional = true;
        } else if (!in_message && !strncmp(line, "depth: ", 7)) {
            depth = (unsigned)atoi(line + 7);
        } else if (!in_message && !strncmp(line, "code: ", 6)) {
            snprintf(code, sizeof code, "%s", line + 6);
            in_message = true;
        } else {
            cr_assert(in_message, "line %d: unexpected line", lineno);
            size_t n = strlen(want);
            snprintf(want + n, sizeof want - n, "%s%s", n ? "\n" : "", line);
        }
    }
    fclose(f);
    cr_expect_gt(cases, 50, "only %d cases read", cases);
}

/* ---- Limits -------------------------------------------------------------------------- */

static char *repeat(const char *pre, const char *unit, size_t n, const char *mid,
                    const char *unit2, size_t n2, const char *post)
{
    size_t len = strlen(pre) + strlen(unit) * n + strlen(mid) + strlen(unit2) * n2 +
                 strlen(post) + 1;
    char *s = malloc(len);
    cr_assert_not_null(s);
    char *p = s;
    p += sprintf(p, "%s", pre);
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s", unit);
    p += sprintf(p, "%s", mid);
    for (size_t i = 0; i < n2; i++)
        p += sprintf(p, "%s", unit2);
    sprintf(p, "%s", post);
    return s;
}

Test(parser, length_limit)
{
    rpi_parse_options o = {.max_length = 10, .max_depth = 0, .enable_optional_syntax = false};
    check_fails("1 + 2 + 3 + 4", &o, RP_ELIMIT,
                "expression size exceeds limit: 13 bytes (limit 10)");
    parsed ps;
    parse_opts(&ps, "1 + 2 + 34", 10, &o);
    cr_expect_not_null(ps.root);
    rpi_pool_free(ps.pool);
}

Test(parser, depth_limit_counts_tree_height)
{
    rpi_parse_options o = {.max_length = 0, .max_depth = 10, .enable_optional_syntax = false};
    parsed ps;
    parse_opts(&ps, "[[[[[[[[[1]]]]]]]]]", 19, &o);     /* height 10 */
    cr_expect_not_null(ps.root, "%s", ps.diag.message);
    rpi_pool_free(ps.pool);
    check_fails("[[[[[[[[[[1]]]]]]]]]]", &o, RP_ELIMIT, "expression nesting exceeds limit: 10");
    check_fails("a.b.c.d.e.f.g.h.i.j.k", &o, RP_ELIMIT, "exceeds limit: 10");
    check_fails("((((((((((1))))))))))", &o, RP_ELIMIT, "exceeds limit: 10");
    check_fails("f(f(f(f(f(f(f(f(f(f(1))))))))))", &o, RP_ELIMIT, "exceeds limit: 10");
    check_fails("1+1+1+1+1+1+1+1+1+1+1", &o, RP_ELIMIT, "exceeds limit: 10");
}

Test(parser, default_depth_is_250)
{
    char *ok = repeat("", "[", 249, "1", "]", 249, "");
    parsed ps;
    parse(&ps, ok, false);
    cr_expect_not_null(ps.root, "%s", ps.diag.message);
    rpi_pool_free(ps.pool);
    free(ok);
    char *deep = repeat("", "[", 250, "1", "]", 250, "");
    check_fails(deep, NULL, RP_ELIMIT, "expression nesting exceeds limit: 250");
    free(deep);
}

/* Deep input is refused without deep recursion or a huge parser stack:
 * openers are counted as they are read, everything else as it is built. */
Test(parser, hostile_nesting)
{
    rpi_parse_options o = {.max_length = 1u << 24, .max_depth = 0, .enable_optional_syntax = false};
    char *s = repeat("", "(", 200000, "1", ")", 200000, "");
    check_fails(s, &o, RP_ELIMIT, "expression nesting exceeds limit: 250");
    parsed ps;
    parse_opts(&ps, s, strlen(s), &o);
    cr_expect_eq(ps.diag.span.start, 250, "error at the 251st '('");
    rpi_pool_free(ps.pool);
    free(s);

    s = repeat("1", "+1", 100000, "", "", 0, "");
    check_fails(s, &o, RP_ELIMIT, "exceeds limit: 250");
    free(s);
    s = repeat("", "a?b:", 60000, "c", "", 0, "");
    check_fails(s, &o, RP_ELIMIT, "exceeds limit: 250");
    free(s);
    s = repeat("", "-", 100001, "x", "", 0, "");
    parse_opts(&ps, s, strlen(s), &o);
    cr_expect_not_null(ps.root);
    rpi_pool_free(ps.pool);
    free(s);
}

/* Long flat constructs are not nesting: && chains become balanced trees,
 * lists and argument lists are flat. */
Test(parser, long_flat_constructs)
{
    rpi_parse_options o = {.max_length = 1u << 24, .max_depth = 0, .enable_optional_syntax = false};
    char *s = repeat("true", " && true", 50000, "", "", 0, "");
    parsed ps;
    parse_opts(&ps, s, strlen(s), &o);
    cr_expect_not_null(ps.root, "%s", ps.diag.message);
    rpi_pool_free(ps.pool);
    free(s);
    s = repeat("[0", ", 1", 50000, "]", "", 0, "");
    parse_opts(&ps, s, strlen(s), &o);
    cr_assert_not_null(ps.root, "%s", ps.diag.message);
    cr_expect_eq(ps.root->u.list.n, 50001);
    rpi_pool_free(ps.pool);
    free(s);
}

Test(parser, text_need_not_be_terminated)
{
    parsed ps;
    rpi_parse_options o = {.max_length = 0, .max_depth = 0, .enable_optional_syntax = false};
    parse_opts(&ps, "1+2", 1, &o);
    cr_assert_not_null(ps.root);
    char *got = rpi_ast_debug_string(ps.root);
    cr_expect_str_eq(got, "1");
    free(got);
    rpi_pool_free(ps.pool);
    parse_opts(&ps, "'a\0b'", 5, &o);                    /* a NUL inside a string */
    cr_assert_not_null(ps.root);
    cr_expect_eq(ps.root->u.lit.aux, 3);
    rpi_pool_free(ps.pool);
}

Test(parser, null_options_mean_defaults)
{
    parsed ps;
    parse_opts(&ps, "a.?b", 4, NULL);
    cr_expect_null(ps.root);
    cr_expect_str_eq(ps.diag.message, "unsupported syntax '.?'");
    rpi_pool_free(ps.pool);
}

/* ---- The conformance suite's expressions all parse ----------------------- */

static char *conformance_dir(void)
{
    const char *env = getenv("RP_CONFORMANCE_DIR");
    const char *cands[] = {env, RP_SRCDIR "/../shared/cel-conformance",
                           RP_SRCDIR "/tests/conformance/cel-conformance"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        if (!cands[i])
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/parse.json", cands[i]);
        FILE *f = fopen(path, "r");
        if (f) {
            fclose(f);
            return strdup(cands[i]);
        }
    }
    return NULL;
}

Test(parser, conformance_expressions_parse)
{
    char *dir = conformance_dir();
    if (!dir)
        cr_skip_test("conformance vectors not found (set RP_CONFORMANCE_DIR)");
    const char *files[] = {"parse.json", "basic.json", "string.json"};
    int total = 0;
    for (size_t i = 0; i < 3; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        json_error_t je;
        json_t *root = json_load_file(path, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &je);
        cr_assert_not_null(root, "%s: %s", path, je.text);
        size_t k;
        json_t *t;
        json_array_foreach(root, k, t) {
            json_t *e = json_object_get(t, "expr");
            rpi_parse_options o = {.max_length = 0, .max_depth = 0, .enable_optional_syntax = true};
            parsed ps;
            parse_opts(&ps, json_string_value(e), json_string_length(e), &o);
            cr_expect_not_null(ps.root, "%s %s: %s: %s", files[i],
                               json_string_value(json_object_get(t, "name")),
                               json_string_value(e), ps.diag.message);
            rpi_pool_free(ps.pool);
            total++;
        }
        json_decref(root);
    }
    cr_expect_gt(total, 250);
    free(dir);
}
