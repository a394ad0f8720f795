/* test_yaml_doc.c -- the YAML/JSON manifest reader (policy/yaml_doc.c).
 *
 * Expected values are Kubernetes': a manifest is read by sigs.k8s.io/yaml,
 * which decodes with go-yaml v2 and converts to JSON.  The sources cited:
 *   resolve.go   go-yaml v2 (branch v2): resolveMap, resolve(), yamlStyleFloat,
 *                parseTimestamp
 *   decode.go    go-yaml v2: prepare() (!!null), scalar() (!!binary, timestamps
 *                into interface{} stay text), alias() ("value contains
 *                itself"), merge() and failWantMap(), mapping() ("invalid map key")
 *   parserc.go   go-yaml v2 / libyaml parser.c: documents, implicit and explicit
 *   yaml.go      sigs.k8s.io/yaml: convertToJSONableObject (int, bool and float
 *                keys become strings, float keys via FormatFloat(f,'g',-1,32),
 *                other keys are unsupported), json.Marshal afterwards (no Inf
 *                or NaN; integral float64 printed without a fraction, which
 *                Kubernetes then reads back as int64; uint64 beyond int64 read
 *                back as float64)
 *   strconv      Go: ParseInt/ParseUint base 0 (0b/0o/0x/leading 0), ParseFloat
 *                (out of range is an error, underflow is 0)
 * The values and messages were checked against the real thing: Debian's
 * golang-k8s-sigs-yaml-dev 1.3.0 on golang-gopkg-yaml.v2-dev 2.4.0, through
 * YAMLToJSONStrict (tests/data/yaml/k8s_yaml_to_json.go).  Where this reader
 * knowingly differs: keys equal only after conversion ("1" and 1) are
 * duplicates here (Go keeps one of them at random); a merged key that the
 * mapping also sets is no error here (go-yaml v2's strict mode rejects it,
 * yaml_doc.h asks for YAML's merge rule); JSON's "\/" is accepted.
 * Positions are 1-based lines and byte columns (yaml_doc.h). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "policy/yaml_doc.h"

static rpi_docset set;

static void teardown(void)
{
    rpi_docset_free(&set);
}

TestSuite(yaml_doc, .fini = teardown);

static void read_lim(const char *text, size_t len, const rpi_yaml_limits *lim)
{
    rp_error err;
    memset(&err, 0, sizeof err);
    rpi_docset_free(&set);
    int rc = rpi_yaml_read(text, len, "test.yaml", lim, &set, &err);
    cr_assert_eq(rc, 0, "rpi_yaml_read: %d %s", rc, err.message);
}

static void read_text(const char *text)
{
    read_lim(text, strlen(text), NULL);
}

/* The single document of TEXT must read without error. */
static json_t *read_one(const char *text)
{
    read_text(text);
    cr_assert_eq(set.n, 1, "documents: %zu", set.n);
    cr_assert_null(set.docs[0].error, "error: %s", set.docs[0].error);
    cr_assert_not_null(set.docs[0].root);
    return set.docs[0].root;
}

static void assert_json(const json_t *got, const char *want)
{
    json_error_t jerr;
    json_t *w = json_loads(want, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    cr_assert_not_null(w, "bad expected JSON %s: %s", want, jerr.text);
    char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
    cr_assert(json_equal(got, w), "got %s, want %s", g ? g : "NULL", want);
    free(g);
    json_decref(w);
}

/* `v: VALUE` reads as { "v": WANT }. */
static void value_is(const char *value, const char *want)
{
    char buf[512];
    snprintf(buf, sizeof buf, "v: %s\n", value);
    json_t *root = read_one(buf);
    json_t *v = json_object_get(root, "v");
    cr_assert_not_null(v, "no v in %s", value);
    assert_json(v, want);
}

/* `v: VALUE` is a string equal to VALUE's text. */
static void value_is_text(const char *value)
{
    char buf[512];
    snprintf(buf, sizeof buf, "v: %s\n", value);
    json_t *root = read_one(buf);
    json_t *v = json_object_get(root, "v");
    cr_assert(json_is_string(v), "%s is not a string", value);
    cr_assert_str_eq(json_string_value(v), value);
}

static void value_is_real(const char *value, double want)
{
    char buf[512];
    snprintf(buf, sizeof buf, "v: %s\n", value);
    json_t *v = json_object_get(read_one(buf), "v");
    cr_assert(json_is_real(v), "%s is not a real", value);
    cr_assert_eq(json_real_value(v), want, "%s: %.17g", value, json_real_value(v));
}

/* Document DOC fails with MSG (a prefix is enough) at LINE:COLUMN. */
static void doc_error(size_t doc, const char *msg, unsigned line, unsigned column)
{
    cr_assert_gt(set.n, doc);
    const rpi_doc *d = &set.docs[doc];
    cr_assert_not_null(d->error, "document %zu has no error", doc);
    cr_assert_null(d->root);
    cr_assert_eq(strncmp(d->error, msg, strlen(msg)), 0, "error %s, want %s", d->error, msg);
    cr_assert_eq(d->error_line, line, "%s: line %u, want %u", d->error, d->error_line, line);
    cr_assert_eq(d->error_column, column, "%s: column %u, want %u", d->error, d->error_column,
                 column);
}

static void value_error(const char *value, const char *msg, unsigned column)
{
    char buf[512];
    snprintf(buf, sizeof buf, "v: %s\n", value);
    read_text(buf);
    cr_assert_eq(set.n, 1);
    doc_error(0, msg, 1, column);
}

/* The map key that KEY is written as becomes WANT. */
static void key_is(const char *key, const char *want)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s: x\n", key);
    json_t *root = read_one(buf);
    cr_assert_eq(json_object_size(root), 1);
    cr_assert_not_null(json_object_get(root, want), "key %s is not \"%s\"", key, want);
}

static const rpi_pos *path(const char *p, bool want_exact)
{
    bool exact = !want_exact;
    const rpi_pos *pos = rpi_posmap_path(set.pos, set.docs[0].root, p, &exact);
    cr_assert_not_null(pos, "no position for %s", p);
    cr_assert_eq(exact, want_exact, "%s: exact %d", p, exact);
    return pos;
}

static void pos_is(const rpi_pos *p, unsigned line, unsigned column, unsigned key_line,
                   unsigned key_column, rpi_scalar_style style)
{
    cr_assert_eq(p->line, line, "line %u, want %u", p->line, line);
    cr_assert_eq(p->column, column, "column %u, want %u", p->column, column);
    cr_assert_eq(p->key_line, key_line, "key line %u, want %u", p->key_line, key_line);
    cr_assert_eq(p->key_column, key_column, "key column %u, want %u", p->key_column, key_column);
    cr_assert_eq(p->style, style, "style %d, want %d", p->style, style);
}

/* ==== Scalars (resolve.go) ================================================================ */

Test(yaml_doc, bools_yaml11)
{
    /* resolve.go resolveMapList: the YAML 1.1 spellings, exactly these */
    const char *t[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    const char *f[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        value_is(t[i], "true");
        value_is(f[i], "false");
    }
    /* other casings are not in the map: strings */
    value_is_text("yES");
    value_is_text("tRUE");
    value_is_text("oN");
    value_is_text("nO");
}

Test(yaml_doc, nulls)
{
    /* resolveMapList null entry, and the empty plain scalar */
    value_is("~", "null");
    value_is("null", "null");
    value_is("Null", "null");
    value_is("NULL", "null");
    value_is("", "null");
    value_is_text("nULL");
    value_is("''", "\"\"");
}

Test(yaml_doc, integers)
{
    /* resolve(): underscores removed, then strconv.ParseInt(plain, 0, 64) */
    value_is("0", "0");
    value_is("-0", "0");
    value_is("42", "42");
    value_is("+12", "12");
    value_is("-17", "-17");
    value_is("0x1F", "31");
    value_is("0X1f", "31");
    value_is("-0x10", "-16");
    value_is("0o17", "15");
    value_is("0O17", "15");
    value_is("017", "15");
    value_is("0b101", "5");
    value_is("-0b101", "-5");
    value_is("1_000", "1000");
    value_is("1__0_0", "100");
    value_is("0x_1F", "31");
    value_is("9223372036854775807", "9223372036854775807");
    value_is("-9223372036854775808", "-9223372036854775808");
    /* "_1" has no hint in resolveTable: a string */
    value_is_text("_1");
    value_is_text("0x");
    value_is_text("0b");
    value_is_text("0xG");
    value_is_text("1-2");
}

Test(yaml_doc, octal_fallbacks_to_float)
{
    /* "08" is not octal: ParseInt and ParseUint fail, yamlStyleFloat
     * matches, ParseFloat gives 8.0, which JSON writes as 8 */
    value_is("08", "8");
    value_is("09", "9");
    value_is("-08", "-8");
}

Test(yaml_doc, big_integers)
{
    /* beyond int64: ParseUint succeeds (uint64), which Kubernetes reads back
     * from JSON as a float64 */
    value_is_real("9223372036854775808", 9223372036854775808.0);
    value_is_real("18446744073709551615", 18446744073709551615.0);
    value_is_real("0x8000000000000000", 9223372036854775808.0);
    /* beyond uint64: decimal digits match yamlStyleFloat */
    value_is_real("18446744073709551616", 18446744073709551616.0);
    value_is_real("123456789012345678901234567890", 123456789012345678901234567890.0);
    /* below int64: ParseFloat gives exactly -2^63, which is an int64 */
    value_is("-9223372036854775809", "-9223372036854775808");
    value_is_real("-9223372036854777856", -9223372036854777856.0);
    /* hex beyond uint64 matches nothing: the text */
    value_is_text("0xFFFFFFFFFFFFFFFFFF");
    /* ParseFloat out of range is an error in Go, so the text stays */
    value_is_text("1e400");
    value_is_text("-1e400");
}

Test(yaml_doc, floats)
{
    value_is_real("1.5", 1.5);
    value_is_real("-1.5e-3", -1.5e-3);
    value_is_real(".5", 0.5);
    value_is_real("+.5", 0.5);
    value_is_real("-.5", -0.5);
    value_is_real("1_000.5", 1000.5);
    value_is_real("6.02e+23", 6.02e23);
    value_is_real("1e21", 1e21);
    /* the '.' hint goes straight to ParseFloat, which takes Go's
     * underscores between digits */
    value_is_real(".1_2", 0.12);
    value_is_text("._5");
    value_is_text(".");
    value_is_text(".e3");
    /* integral floats: json.Marshal prints 1e3 as 1000, Kubernetes reads it as
     * an int64 */
    value_is("1e3", "1000");
    value_is("1.0", "1");
    value_is("1.", "1");
    value_is("-2.0e2", "-200");
    value_is("-0.0", "0");
    /* underflow is 0 (strconv.ParseFloat), not an error */
    value_is("1e-400", "0");
    /* not yamlStyleFloat, and not a Go integer: strings */
    value_is_text("0x1p3");
    value_is_text("1e");
    value_is_text("1.2.3");
    value_is_text("1e3.5");
}

Test(yaml_doc, infinity_and_nan_are_errors)
{
    /* resolveMapList floats; json.Marshal: "json: unsupported value" */
    value_error(".inf", "unsupported value: +Inf", 4);
    value_error("+.Inf", "unsupported value: +Inf", 4);
    value_error("-.INF", "unsupported value: -Inf", 4);
    value_error(".nan", "unsupported value: NaN", 4);
    value_error(".NaN", "unsupported value: NaN", 4);
    /* other spellings are strings */
    value_is_text(".Nan");
    value_is_text("inf");
    value_is_text("NaN");
    value_is_text(".infinity");
}

Test(yaml_doc, timestamps_stay_text)
{
    /* decode.go scalar(): a timestamp decoded into interface{} is n.value */
    value_is_text("2001-12-14");
    value_is_text("2001-12-14t21:59:43.10-05:00");
    value_is_text("2001-12-14T21:59:43Z");
    value_is_text("2001-12-14 21:59:43.10");
    value_is("!!timestamp 2001-12-14", "\"2001-12-14\"");
    value_error("!!timestamp 2001-13-14", "cannot decode !!str `2001-13-14` as a !!timestamp", 16);
    value_error("!!timestamp 12", "cannot decode !!int `12` as a !!timestamp", 16);
}

Test(yaml_doc, quoted_and_str_tagged)
{
    /* decode.go scalar(): untagged non-plain scalars are strings; !!str is
     * never resolved */
    value_is("'yes'", "\"yes\"");
    value_is("\"1\"", "\"1\"");
    value_is("\"~\"", "\"~\"");
    value_is("!!str 1", "\"1\"");
    value_is("!!str true", "\"true\"");
    value_is("!!str", "\"\"");
    /* tags go-yaml does not resolve leave the text */
    value_is("!custom 12", "\"12\"");
    value_is("! 12", "\"12\"");
    value_is("!!map 12", "\"12\"");
    /* "<<" as a value resolves to the merge tag, decoded as its text */
    value_is("<<", "\"<<\"");
    value_is("|\n  yes\n", "\"yes\\n\"");
}

Test(yaml_doc, explicit_tags)
{
    /* resolve(): the tag's kind must be what the text resolves to; an int
     * for !!float is widened */
    value_is("!!int \"12\"", "12");
    value_is("!!int 0x10", "16");
    value_is("!!float 1.5", "1.5");
    value_is("!!float 2", "2");
    value_is("!!bool yes", "true");
    value_is("!!bool 'off'", "false");
    value_error("!!int abc", "cannot decode !!str `abc` as a !!int", 10);
    value_error("!!int 1.5", "cannot decode !!float `1.5` as a !!int", 10);
    value_error("!!bool 1", "cannot decode !!int `1` as a !!bool", 11);
    value_error("!!int ~", "cannot decode !!null `~` as a !!int", 10);
    value_error("!!float 18446744073709551615",
                "cannot decode !!int `18446744073709551615` as a !!float", 12);
    /* !!null resolves like the others; on a collection a tag is ignored */
    value_is("!!null ~", "null");
    value_is("!!null ''", "null");
    value_error("!!null anything", "cannot decode !!str `anything` as a !!null", 11);
    value_is("!!null {a: 1}", "{\"a\": 1}");
}

Test(yaml_doc, binary)
{
    /* decode.go scalar(): base64 (StdEncoding, '\n' ignored) decoded to a
     * string; json.Marshal replaces each invalid UTF-8 byte with U+FFFD */
    value_is("!!binary aGVsbG8=", "\"hello\"");
    value_is("!!binary |\n  aGVs\n  bG8=\n", "\"hello\"");
    value_is("!!binary /w==", "\"\\ufffd\"");
    value_is("!!binary ''", "\"\"");
    value_error("!!binary aGVsbG8", "!!binary value contains invalid base64 data", 13);
    value_error("!!binary aGV sbG8=", "!!binary value contains invalid base64 data", 13);
}

Test(yaml_doc, strings_keep_bytes)
{
    value_is("\"tab\\there\"", "\"tab\\there\"");
    value_is("\"nul\\0in\"", "\"nul\\u0000in\"");
    value_is("\"\\u00e9\\x41\"", "\"\\u00e9A\"");
    value_is("caf\xc3\xa9", "\"caf\\u00e9\"");
    json_t *v = json_object_get(read_one("v: \"a\\0b\"\n"), "v");
    cr_assert_eq(json_string_length(v), 3);
}

/* ==== Map keys (yaml.go convertToJSONableObject) ============================================= */

Test(yaml_doc, keys_become_strings)
{
    key_is("on", "true");
    key_is("No", "false");
    key_is("1", "1");
    key_is("0x10", "16");
    key_is("-1_000", "-1000");
    key_is("'on'", "on");
    key_is("\"1\"", "1");
    key_is("2001-12-14", "2001-12-14");
    key_is("!!binary aGk=", "hi");
    /* float keys: strconv.FormatFloat(f, 'g', -1, 32), then .inf/.nan names */
    key_is("1.5", "1.5");
    key_is("0.1", "0.1");
    key_is("1e3", "1000");
    key_is("1e6", "1e+06");
    key_is("123456.0", "123456");
    key_is("1234567.0", "1.234567e+06");
    key_is("0.0001", "0.0001");
    key_is("0.00001", "1e-05");
    key_is("3.14159265358979", "3.1415927");
    key_is("-2.5e-10", "-2.5e-10");
    key_is(".inf", ".inf");
    key_is("-.inf", "-.inf");
    key_is(".nan", ".nan");
    key_is("08", "8");
    key_is("<<x", "<<x");
    key_is("\"<<\"", "<<");
}

Test(yaml_doc, unsupported_keys)
{
    /* a nil key and a uint64 key fall into convertToJSONableObject's default */
    read_text("~: 1\n");
    doc_error(0, "unsupported map key: null", 1, 1);
    /* an empty key is where libyaml puts it: after the `?` */
    read_text("a: 1\n? \n: 2\n");
    doc_error(0, "unsupported map key: null", 2, 2);
    read_text("18446744073709551615: x\n");
    doc_error(0, "unsupported map key: 18446744073709551615", 1, 1);
    /* decode.go mapping(): "invalid map key" for mappings and sequences */
    read_text("a: 1\n[x, y]: 2\n");
    doc_error(0, "invalid map key: a sequence", 2, 1);
    read_text("? {a: 1}\n: 2\n");
    doc_error(0, "invalid map key: a mapping", 1, 3);
    read_text("x: &s [1]\n*s : 2\n");
    doc_error(0, "invalid map key: a sequence", 2, 1);
}

Test(yaml_doc, alias_as_key)
{
    json_t *root = read_one("a: &k on\n*k : 1\nb: &f 1.5\n*f : 2\n");
    assert_json(root, "{\"a\": true, \"true\": 1, \"b\": 1.5, \"1.5\": 2}");
}

Test(yaml_doc, duplicate_keys)
{
    read_text("a: 1\nb: 2\na: 3\n");
    doc_error(0, "duplicate key \"a\"", 3, 1);
    /* duplicates after conversion to strings */
    read_text("on: 1\ntrue: 2\n");
    doc_error(0, "duplicate key \"true\"", 2, 1);
    read_text("1: a\n\"1\": b\n");
    doc_error(0, "duplicate key \"1\"", 2, 1);
    read_text("m:\n  x: 1\n  y: {z: 1, z: 2}\n");
    doc_error(0, "duplicate key \"z\"", 3, 13);
    /* the same key in two mappings is fine */
    assert_json(read_one("a: {k: 1}\nb: {k: 2}\n"), "{\"a\": {\"k\": 1}, \"b\": {\"k\": 2}}");
}

/* ==== Anchors, aliases and merges (decode.go) ============================================== */

Test(yaml_doc, aliases_expand)
{
    json_t *root = read_one("a: &x [1, {b: 2}]\nc: *x\nd: &s str\ne: *s\n");
    assert_json(root, "{\"a\": [1, {\"b\": 2}], \"c\": [1, {\"b\": 2}], \"d\": \"str\", "
                      "\"e\": \"str\"}");
    /* the alias's own place is where `*x` is; what it brings is where the
     * anchored node is written */
    pos_is(path("c", true), 2, 4, 2, 1, RPI_STYLE_NONE);
    pos_is(path("c[1].b", true), 1, 15, 1, 12, RPI_STYLE_PLAIN);
    pos_is(path("e", true), 4, 4, 4, 1, RPI_STYLE_NONE);
}

Test(yaml_doc, anchor_redefined)
{
    /* a later anchor of the same name hides the earlier one */
    json_t *root = read_one("a: &x 1\nb: *x\nc: &x 2\nd: *x\n");
    assert_json(root, "{\"a\": 1, \"b\": 1, \"c\": 2, \"d\": 2}");
}

Test(yaml_doc, alias_errors)
{
    read_text("a: *nope\n");
    doc_error(0, "unknown anchor 'nope' referenced", 1, 4);
    /* decode.go alias(): "anchor '%s' value contains itself" */
    read_text("a: &x [1, *x]\n");
    doc_error(0, "anchor 'x' value contains itself", 1, 11);
    read_text("a: &x\n  b: *x\n");
    doc_error(0, "anchor 'x' value contains itself", 2, 6);
    /* anchors belong to their document */
    read_text("a: &x 1\n---\nb: *x\n");
    cr_assert_eq(set.n, 2);
    cr_assert_null(set.docs[0].error);
    doc_error(1, "unknown anchor 'x' referenced", 3, 4);
    /* an anchored .inf key is fine as a key, not as a value */
    read_text("&i .inf: 1\nb: *i\n");
    doc_error(0, "unsupported value: +Inf", 2, 4);
}

Test(yaml_doc, merge_keys)
{
    const char *y = "base: &b {a: 1, b: 2}\n"
                    "m:\n"
                    "  <<: *b\n"
                    "  b: 3\n"
                    "p:\n"
                    "  b: 4\n"
                    "  <<: *b\n"
                    "o:\n"
                    "  <<: {x: 1}\n";
    json_t *root = read_one(y);
    /* the mapping's own keys win, before or after the merge */
    assert_json(json_object_get(root, "m"), "{\"a\": 1, \"b\": 3}");
    assert_json(json_object_get(root, "p"), "{\"a\": 1, \"b\": 4}");
    assert_json(json_object_get(root, "o"), "{\"x\": 1}");
    /* a merged member is where it is written */
    pos_is(path("m.a", true), 1, 14, 1, 11, RPI_STYLE_PLAIN);
    pos_is(path("m.b", true), 4, 6, 4, 3, RPI_STYLE_PLAIN);
}

Test(yaml_doc, merge_sequence)
{
    /* merge(): a sequence of maps, the earlier ones winning */
    json_t *root = read_one("x: &x {a: 1}\ny: &y {a: 2, c: 3}\n"
                            "m:\n  <<: [*x, *y, {d: 4}]\n  e: 5\n");
    assert_json(json_object_get(root, "m"), "{\"a\": 1, \"c\": 3, \"d\": 4, \"e\": 5}");
    /* a quoted "<<" is an ordinary key */
    root = read_one("x: &x {a: 1}\nm: {\"<<\": *x}\n");
    assert_json(json_object_get(root, "m"), "{\"<<\": {\"a\": 1}}");
    /* so is one tagged !!str; one tagged !!merge merges */
    root = read_one("x: &x {a: 1}\nm: {!!merge <<: *x}\n");
    assert_json(json_object_get(root, "m"), "{\"a\": 1}");
}

Test(yaml_doc, merge_errors)
{
    /* failWantMap(): "map merge requires map or sequence of maps as the value" */
    read_text("m:\n  <<: 1\n");
    doc_error(0, "map merge requires map or sequence of maps as the value", 2, 7);
    read_text("s: &s [{a: 1}]\nm:\n  <<: *s\n");
    doc_error(0, "map merge requires map or sequence of maps as the value", 3, 7);
    read_text("m:\n  <<: [{a: 1}, 2]\n");
    doc_error(0, "map merge requires map or sequence of maps as the value", 2, 7);
    read_text("m:\n  <<:\n");
    doc_error(0, "map merge requires map or sequence of maps as the value", 2, 6);
}

Test(yaml_doc, billion_laughs, .timeout = 10)
{
    const char *y = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    clock_t t0 = clock();
    read_text(y);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    cr_assert_eq(set.n, 1);
    cr_assert_not_null(set.docs[0].error);
    cr_assert(strstr(set.docs[0].error, "nodes from aliases exceed limit max_yaml_alias_nodes (1000000)"),
              "%s", set.docs[0].error);
    /* a..f bring in 672588 nodes; g's first alias (597871) passes the million */
    cr_assert_eq(set.docs[0].error_line, 7);
    cr_assert_lt(secs, 0.5);
}

Test(yaml_doc, alias_limit_counts_nodes)
{
    /* x is 4 nodes: the sequence and its three items */
    rpi_yaml_limits lim = {.max_alias_nodes = 8};
    const char *y = "a: &x [1, 2, 3]\nb: *x\nc: *x\n";
    read_lim(y, strlen(y), &lim);
    cr_assert_null(set.docs[0].error, "%s", set.docs[0].error);
    lim.max_alias_nodes = 7;
    read_lim(y, strlen(y), &lim);
    doc_error(0, "nodes from aliases exceed limit max_yaml_alias_nodes (7)", 3, 4);
    /* the count is per stream */
    const char *two = "a: &x [1, 2, 3]\nb: *x\n---\na: &x [1, 2, 3]\nb: *x\n";
    read_lim(two, strlen(two), &lim);
    cr_assert_eq(set.n, 2);
    cr_assert_null(set.docs[0].error);
    doc_error(1, "nodes from aliases exceed limit max_yaml_alias_nodes (7)", 5, 4);
}

Test(yaml_doc, depth_limit)
{
    rpi_yaml_limits lim = {.max_depth = 3};
    const char *ok = "a: {b: {c: 1}}\n";
    read_lim(ok, strlen(ok), &lim);
    cr_assert_null(set.docs[0].error, "%s", set.docs[0].error);
    const char *deep = "a: {b: {c: {d: 1}}}\n";
    read_lim(deep, strlen(deep), &lim);
    doc_error(0, "nesting exceeds limit max_input_depth (3)", 1, 12);
    /* an alias brings its height with it */
    const char *al = "a: &x {b: [1]}\nd:\n  e: *x\n";
    read_lim(al, strlen(al), &lim);
    doc_error(0, "nesting exceeds limit max_input_depth (3)", 3, 6);
}

Test(yaml_doc, deep_nesting_stops, .timeout = 10)
{
    size_t n = 1000000;
    char *s = malloc(n * 2 + 1);
    cr_assert_not_null(s);
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = '\0';
    read_lim(s, 2 * n, NULL);
    free(s);
    doc_error(0, "nesting exceeds limit max_input_depth (1000)", 1, 1001);
    cr_assert(strstr(set.docs[0].error, "the rest of the stream is not read"));
    cr_assert(set.truncated);
    /* 1000 levels are allowed */
    char *t = malloc(2001);
    memset(t, '[', 1000);
    memset(t + 1000, ']', 1000);
    t[2000] = '\0';
    read_text(t);
    free(t);
    cr_assert_null(set.docs[0].error, "%s", set.docs[0].error);
}

Test(yaml_doc, nesting_of_a_failed_document_is_bounded, .timeout = 10)
{
    /* the rest of a failed document is skipped, but libyaml still parses
     * it: past max_depth the stream stops */
    size_t n = 300000;
    char *s = malloc(n * 2 + 64);
    cr_assert_not_null(s);
    size_t k = (size_t)sprintf(s, "a: 1\na: 2\nb: ");
    memset(s + k, '[', n);
    memset(s + k + n, ']', n);
    memcpy(s + k + 2 * n, "\n---\nc: 3\n", 11);
    read_lim(s, k + 2 * n + 11, NULL);
    free(s);
    cr_assert_eq(set.n, 1);
    doc_error(0, "duplicate key \"a\"", 2, 1);
    cr_assert(strstr(set.docs[0].error, "the rest of the stream is not read"));
    cr_assert(set.truncated);
}

/* ==== Documents and streams ================================================================== */

Test(yaml_doc, multi_document_stream)
{
    read_text("a: 1\n---\n---\n# only a comment\n---\nb: 2\n...\n---\n  c: 3\n");
    cr_assert_eq(set.n, 5);
    for (unsigned i = 0; i < set.n; i++) {
        cr_assert_eq(set.docs[i].index, i);
        cr_assert_null(set.docs[i].error);
    }
    assert_json(set.docs[0].root, "{\"a\": 1}");
    cr_assert(set.docs[1].empty);
    cr_assert_null(set.docs[1].root);
    cr_assert_eq(set.docs[1].line, 2);
    cr_assert(set.docs[2].empty);
    cr_assert_eq(set.docs[2].line, 3);
    cr_assert(!set.docs[3].empty);
    assert_json(set.docs[3].root, "{\"b\": 2}");
    cr_assert_eq(set.docs[3].line, 6);
    cr_assert_eq(set.docs[3].column, 1);
    assert_json(set.docs[4].root, "{\"c\": 3}");
    cr_assert_eq(set.docs[4].line, 9);
    cr_assert_eq(set.docs[4].column, 3);
    cr_assert(!set.truncated);
    /* a root position is asked for with the document's index */
    const rpi_pos *p = rpi_posmap_get(set.pos, NULL, NULL, 4);
    cr_assert_not_null(p);
    pos_is(p, 9, 3, 0, 0, RPI_STYLE_NONE);
    cr_assert_null(rpi_posmap_get(set.pos, NULL, NULL, 1));
}

Test(yaml_doc, streams_without_documents)
{
    /* libyaml reports no document for these */
    read_text("");
    cr_assert_eq(set.n, 0);
    read_text("# just a comment\n\n");
    cr_assert_eq(set.n, 0);
    read_lim(NULL, 0, NULL);
    cr_assert_eq(set.n, 0);
    /* a leading comment and `---` make one document; so does a bare `---` */
    read_text("# header\n---\na: 1\n");
    cr_assert_eq(set.n, 1);
    read_text("---\n");
    cr_assert_eq(set.n, 1);
    cr_assert(set.docs[0].empty);
    /* a null document is not empty */
    read_text("--- ~\n");
    cr_assert(!set.docs[0].empty);
    assert_json(set.docs[0].root, "null");
    read_text("--- ''\n");
    assert_json(set.docs[0].root, "\"\"");
}

Test(yaml_doc, scalar_and_sequence_roots)
{
    read_text("hello\n---\n- 1\n- 2\n---\n42\n");
    cr_assert_eq(set.n, 3);
    assert_json(set.docs[0].root, "\"hello\"");
    assert_json(set.docs[1].root, "[1, 2]");
    assert_json(set.docs[2].root, "42");
}

Test(yaml_doc, not_nul_terminated)
{
    const char text[] = "a: 12345";
    read_lim(text, 4, NULL);
    assert_json(set.docs[0].root, "{\"a\": 1}");
}

Test(yaml_doc, semantic_error_keeps_the_stream)
{
    read_text("a: 1\n---\nb: 1\nb: 2\n---\nc: 3\n");
    cr_assert_eq(set.n, 3);
    assert_json(set.docs[0].root, "{\"a\": 1}");
    doc_error(1, "duplicate key \"b\"", 4, 1);
    assert_json(set.docs[2].root, "{\"c\": 3}");
    cr_assert_eq(set.docs[2].index, 2);
    cr_assert(!set.truncated);
}

Test(yaml_doc, syntax_error_mid_stream)
{
    read_text("a: 1\n---\nb: c: d\n---\ne: 5\n");
    cr_assert_eq(set.n, 2);
    assert_json(set.docs[0].root, "{\"a\": 1}");
    doc_error(1, "mapping values are not allowed in this context", 3, 5);
    cr_assert(strstr(set.docs[1].error, "the rest of the stream is not read"));
    cr_assert(set.truncated);

    read_text("a: 1\n---\nb: [1, 2\n---\nc: 3\n");
    cr_assert_eq(set.n, 2);
    doc_error(1, "did not find expected ',' or ']'", 4, 1);
    cr_assert(set.truncated);
}

Test(yaml_doc, syntax_error_between_documents)
{
    /* the error comes before libyaml starts a document: a new one holds it */
    read_text("a: 1\n...\n%YAML 2.0\n---\nb: 1\n");
    cr_assert_eq(set.n, 2);
    assert_json(set.docs[0].root, "{\"a\": 1}");
    doc_error(1, "found incompatible YAML document", 3, 1);
    cr_assert_eq(set.docs[1].index, 1);
    cr_assert(set.truncated);
}

Test(yaml_doc, syntax_errors)
{
    read_text("a: \"abc\n");
    doc_error(0, "found unexpected end of stream while scanning a quoted scalar", 2, 1);
    read_text("a: 'abc\nb: 1\n");
    doc_error(0, "found unexpected end of stream while scanning a quoted scalar", 3, 1);
    /* tabs cannot indent */
    read_text("a:\n\tb: 1\n");
    doc_error(0, "found character that cannot start any token", 2, 1);
    read_text("a: 1\n b: 2\n");
    doc_error(0, "mapping values are not allowed in this context", 2, 3);
    read_text("- a\nb: 1\n");
    doc_error(0, "did not find expected '-' indicator while parsing a block collection", 2, 1);
    cr_assert(set.truncated);
    for (size_t i = 0; i < set.n; i++)
        cr_assert_null(strchr(set.docs[i].error ? set.docs[i].error : "", '\n'));
}

Test(yaml_doc, bad_bytes)
{
    /* NUL and other control characters: libyaml's reader refuses them; the
     * documents before are kept */
    const char nul[] = "a: 1\n---\nb: x\0y\n---\nc: 3\n";
    read_lim(nul, sizeof nul - 1, NULL);
    cr_assert_eq(set.n, 2);
    assert_json(set.docs[0].root, "{\"a\": 1}");
    doc_error(1, "control characters are not allowed", 3, 5);
    cr_assert(strstr(set.docs[1].error, "the rest of the stream is not read"));
    cr_assert(set.truncated);

    read_text("a: \xff\n");
    doc_error(0, "invalid leading UTF-8 octet", 1, 4);
    read_text("a: 1\nb: \xc3");
    doc_error(0, "incomplete UTF-8 octet sequence", 2, 4);
    read_text("a: 1\nb: \xc3\n");
    doc_error(0, "invalid trailing UTF-8 octet", 2, 4);
    read_text("a: \xc3\x28\n");
    doc_error(0, "invalid trailing UTF-8 octet", 1, 4);
    read_text("a: \xc0\xaf\n");
    doc_error(0, "invalid length of a UTF-8 sequence", 1, 4);
    read_text("a: \xed\xa0\x80\n");
    doc_error(0, "invalid Unicode character", 1, 4);
    read_text("a: \x01\n");
    doc_error(0, "control characters are not allowed", 1, 4);
    /* the bad byte on a line that starts a document is in that document */
    read_text("a: 1\n--- \xff\n");
    cr_assert_eq(set.n, 2);
    assert_json(set.docs[0].root, "{\"a\": 1}");
    doc_error(1, "invalid leading UTF-8 octet", 2, 5);
    read_text("a: 1\n...\n\xff\n");
    cr_assert_eq(set.n, 2);
    doc_error(1, "invalid leading UTF-8 octet", 3, 1);
    /* inside a quoted scalar that the cut would leave open */
    read_text("a: 1\n---\nb: \"x\n\xff\"\n");
    cr_assert_eq(set.n, 2);
    doc_error(1, "invalid leading UTF-8 octet", 4, 1);
}

Test(yaml_doc, byte_order_marks)
{
    json_t *root = read_one("\xef\xbb\xbf" "a: 1\n");
    assert_json(root, "{\"a\": 1}");
    /* columns count from after the mark, as libyaml's do */
    pos_is(path("a", true), 1, 4, 1, 1, RPI_STYLE_PLAIN);
    /* UTF-16, little and big endian, as libyaml and go-yaml accept */
    const char le[] = "\xff\xfe" "a\0:\0 \0\xe9\0\n\0";
    read_lim(le, sizeof le - 1, NULL);
    cr_assert_eq(set.n, 1);
    assert_json(set.docs[0].root, "{\"a\": \"\\u00e9\"}");
    const char be[] = "\xfe\xff" "\0a\0:\0 \0" "1";
    read_lim(be, sizeof be - 1, NULL);
    assert_json(set.docs[0].root, "{\"a\": 1}");
    const char odd[] = "\xff\xfe" "a\0:\0 \0" "1";
    read_lim(odd, sizeof odd - 1, NULL);
    doc_error(0, "incomplete UTF-16 character", 1, 4);
}

Test(yaml_doc, huge_scalar, .timeout = 10)
{
    size_t n = 4 << 20;
    char *s = malloc(n + 8);
    cr_assert_not_null(s);
    memcpy(s, "v: ", 3);
    memset(s + 3, 'x', n);
    s[n + 3] = '\n';
    read_lim(s, n + 4, NULL);
    free(s);
    cr_assert_null(set.docs[0].error);
    cr_assert_eq(json_string_length(json_object_get(set.docs[0].root, "v")), n);
}

/* ==== Positions ============================================================================== */

static const char *pod = "apiVersion: v1\n"
                         "kind: Pod\n"
                         "metadata:\n"
                         "  labels:\n"
                         "    app.kubernetes.io/name: web\n"
                         "spec:\n"
                         "  containers:\n"
                         "  - name: app\n"
                         "    image: nginx\n"
                         "  -   name: side\n"
                         "      image: \"busybox\"\n"
                         "      ports: [80, 'x']\n";

Test(yaml_doc, positions_of_nested_fields)
{
    read_one(pod);
    pos_is(path("kind", true), 2, 7, 2, 1, RPI_STYLE_PLAIN);
    pos_is(path("spec", true), 7, 3, 6, 1, RPI_STYLE_NONE);
    pos_is(path("spec.containers", true), 8, 3, 7, 3, RPI_STYLE_NONE);
    pos_is(path("spec.containers[0]", true), 8, 5, 0, 0, RPI_STYLE_NONE);
    pos_is(path("spec.containers[0].image", true), 9, 12, 9, 5, RPI_STYLE_PLAIN);
    pos_is(path("object.spec.containers[1]", true), 10, 7, 0, 0, RPI_STYLE_NONE);
    pos_is(path("spec.containers[1].image", true), 11, 14, 11, 7, RPI_STYLE_DOUBLE_QUOTED);
    pos_is(path("spec.containers[1].ports[1]", true), 12, 19, 0, 0, RPI_STYLE_SINGLE_QUOTED);
    pos_is(path("metadata.labels['app.kubernetes.io/name']", true), 5, 29, 5, 5,
           RPI_STYLE_PLAIN);
    pos_is(path("metadata.labels[\"app.kubernetes.io/name\"]", true), 5, 29, 5, 5,
           RPI_STYLE_PLAIN);
    /* the whole document */
    pos_is(path("object", true), 1, 1, 0, 0, RPI_STYLE_NONE);
    pos_is(path("", true), 1, 1, 0, 0, RPI_STYLE_NONE);
}

Test(yaml_doc, longest_resolvable_prefix)
{
    read_one(pod);
    pos_is(path("spec.containers[5].image", false), 8, 3, 7, 3, RPI_STYLE_NONE);
    pos_is(path("spec.nodeName", false), 7, 3, 6, 1, RPI_STYLE_NONE);
    pos_is(path("object.spec.containers[0].image.x", false), 9, 12, 9, 5, RPI_STYLE_PLAIN);
    pos_is(path("spec.containers.name", false), 8, 3, 7, 3, RPI_STYLE_NONE);
    pos_is(path("spec.containers[0]['bad", false), 8, 5, 0, 0, RPI_STYLE_NONE);
    bool exact = true;
    cr_assert_null(rpi_posmap_path(set.pos, set.docs[0].root, "status.phase", &exact));
    cr_assert(!exact);
    cr_assert_null(rpi_posmap_path(set.pos, set.docs[0].root, "[0]", &exact));
}

Test(yaml_doc, posmap_get)
{
    json_t *root = read_one(pod);
    const rpi_pos *p = rpi_posmap_get(set.pos, root, "kind", 0);
    cr_assert_not_null(p);
    pos_is(p, 2, 7, 2, 1, RPI_STYLE_PLAIN);
    json_t *containers = json_object_get(json_object_get(root, "spec"), "containers");
    p = rpi_posmap_get(set.pos, containers, NULL, 1);
    cr_assert_not_null(p);
    pos_is(p, 10, 7, 0, 0, RPI_STYLE_NONE);
    cr_assert_null(rpi_posmap_get(set.pos, containers, NULL, 2));
    cr_assert_null(rpi_posmap_get(set.pos, root, "nope", 0));
    /* true is a jansson singleton: its place is found through its parent */
    json_t *m = read_one("a: true\nb: {c: true}\n");
    p = rpi_posmap_get(set.pos, json_object_get(m, "b"), "c", 0);
    cr_assert_not_null(p);
    pos_is(p, 2, 8, 2, 5, RPI_STYLE_PLAIN);
    pos_is(rpi_posmap_get(set.pos, m, "a", 0), 1, 4, 1, 1, RPI_STYLE_PLAIN);
}

Test(yaml_doc, block_scalar_positions)
{
    const char *y = "spec:\n"
                    "  script: |\n"
                    "    echo hi\n"
                    "    echo there\n"
                    "  folded: >-  # a comment\n"
                    "      deeper\n"
                    "      text\n"
                    "  keep: |2\n"
                    "      two more\n"
                    "  blank: |\n"
                    "\n"
                    "     after a blank line\n"
                    "  anchored: &a !!str |\n"
                    "    x\n";
    json_t *root = read_one(y);
    json_t *spec = json_object_get(root, "spec");
    assert_json(spec, "{\"script\": \"echo hi\\necho there\\n\", \"folded\": \"deeper text\","
                      " \"keep\": \"  two more\\n\", \"blank\": \"\\nafter a blank line\\n\","
                      " \"anchored\": \"x\\n\"}");
    /* the value's first line, at its content indentation */
    pos_is(path("spec.script", true), 3, 5, 2, 3, RPI_STYLE_LITERAL);
    pos_is(path("spec.folded", true), 6, 7, 5, 3, RPI_STYLE_FOLDED);
    /* |2 under a mapping at column 3: two more than its indentation */
    pos_is(path("spec.keep", true), 9, 5, 8, 3, RPI_STYLE_LITERAL);
    pos_is(path("spec.blank", true), 11, 6, 10, 3, RPI_STYLE_LITERAL);
    pos_is(path("spec.anchored", true), 14, 5, 13, 3, RPI_STYLE_LITERAL);
}

Test(yaml_doc, columns_are_bytes)
{
    read_one("\xc3\xa9t\xc3\xa9: x\nk: [\xc3\xbc, v]\n");
    pos_is(path("k[1]", true), 2, 9, 0, 0, RPI_STYLE_PLAIN);
    pos_is(path("['\xc3\xa9t\xc3\xa9']", true), 1, 8, 1, 1, RPI_STYLE_PLAIN);
    /* CR LF and lone CR end lines too */
    read_one("a: 1\r\nb: 2\r\n");
    pos_is(path("b", true), 2, 4, 2, 1, RPI_STYLE_PLAIN);
    read_one("a: 1\rb: [x, y]\r");
    pos_is(path("b[1]", true), 2, 8, 0, 0, RPI_STYLE_PLAIN);
    /* positions after properties point at the node itself */
    read_one("a: !!str &x  v\nb: &m\n  c: 1\n");
    pos_is(path("a", true), 1, 14, 1, 1, RPI_STYLE_PLAIN);
    pos_is(path("b", true), 3, 3, 2, 1, RPI_STYLE_NONE);
}

/* ==== JSON input ============================================================================= */

Test(yaml_doc, json_input)
{
    const char *j = "{\"a\": \"x\\/y\", \"n\": 12345678901234567890, \"f\": 1.5, \"i\": -3,\n"
                    " \"arr\": [1, {\"b\": null}], \"u\": \"\\u00e9\\n\", \"t\": true,\n"
                    " \"e\": 1.0e2, \"z\": 0, \"s\": \"yes\"}";
    json_t *root = read_one(j);
    cr_assert_str_eq(json_string_value(json_object_get(root, "a")), "x/y");
    cr_assert(json_is_real(json_object_get(root, "n")));
    cr_assert_eq(json_real_value(json_object_get(root, "n")), 12345678901234567890.0);
    assert_json(json_object_get(root, "f"), "1.5");
    assert_json(json_object_get(root, "i"), "-3");
    assert_json(json_object_get(root, "arr"), "[1, {\"b\": null}]");
    assert_json(json_object_get(root, "u"), "\"\\u00e9\\n\"");
    assert_json(json_object_get(root, "t"), "true");
    assert_json(json_object_get(root, "e"), "100");
    assert_json(json_object_get(root, "s"), "\"yes\"");
    pos_is(path("arr[1].b", true), 2, 19, 2, 14, RPI_STYLE_PLAIN);
    pos_is(path("a", true), 1, 7, 1, 2, RPI_STYLE_DOUBLE_QUOTED);
}

Test(yaml_doc, json_pretty_and_compact)
{
    const char *j = "{\n"
                    "  \"spec\": {\n"
                    "\t\"ports\": [80,443]\n"
                    "  }\n"
                    "}\n";
    json_t *root = read_one(j);
    assert_json(root, "{\"spec\": {\"ports\": [80, 443]}}");
    pos_is(path("spec.ports[1]", true), 3, 15, 0, 0, RPI_STYLE_PLAIN);
    pos_is(path("spec.ports", true), 3, 11, 3, 2, RPI_STYLE_NONE);
    assert_json(read_one("{\"a\":1,\"b\":[]}"), "{\"a\": 1, \"b\": []}");
    assert_json(read_one("[{\"k\":\"v\"}, 2.5e-1]"), "[{\"k\": \"v\"}, 0.25]");
    read_text("{\"a\": 1, \"a\": 2}");
    doc_error(0, "duplicate key \"a\"", 1, 10);
    read_text("{\"a\": 1,");
    cr_assert(set.truncated);
    cr_assert_not_null(set.docs[0].error);
}

/* ==== Real manifests (tests/data/yaml, from the team's corpus) ============================== */

static char *slurp(const char *name, size_t *len)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/tests/data/yaml/%s", RP_SRCDIR, name);
    FILE *f = fopen(p, "rb");
    cr_assert_not_null(f, "cannot open %s", p);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert_not_null(s);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return s;
}

static void read_file(const char *name, size_t docs)
{
    size_t len;
    char *s = slurp(name, &len);
    read_lim(s, len, NULL);
    free(s);
    cr_assert_eq(set.n, docs, "%s: %zu documents", name, set.n);
    cr_assert(!set.truncated);
    for (size_t i = 0; i < set.n; i++)
        cr_assert_null(set.docs[i].error, "%s: %s", name, set.docs[i].error);
}

Test(yaml_doc, corpus_ray_cluster_complete)
{
    read_file("ray-cluster.complete.yaml", 1);
    json_t *root = set.docs[0].root;
    cr_assert_str_eq(json_string_value(json_object_get(root, "kind")), "RayCluster");
    assert_json(json_object_get(json_object_get(root, "spec"), "rayVersion"), "\"2.52.0\"");
    pos_is(path("kind", true), 6, 7, 6, 1, RPI_STYLE_PLAIN);
    pos_is(path("spec.workerGroupSpecs[0].maxReplicas", true), 65, 18, 65, 5, RPI_STYLE_PLAIN);
    assert_json(json_object_get(json_array_get(json_object_get(json_object_get(root, "spec"),
                                                               "workerGroupSpecs"), 0),
                                "maxReplicas"), "10");
    /* the first document starts at its content, after the comments */
    cr_assert_eq(set.docs[0].line, 5);
}

Test(yaml_doc, corpus_anchor_and_aliases)
{
    read_file("historyserver-raycluster.yaml", 1);
    json_t *root = set.docs[0].root;
    json_t *c0 = json_array_get(json_object_get(json_object_get(json_object_get(json_object_get(
        json_object_get(root, "spec"), "headGroupSpec"), "template"), "spec"), "containers"), 0);
    assert_json(json_object_get(json_array_get(json_object_get(c0, "volumeMounts"), 0),
                                "mountPath"), "\"/tmp/ray\"");
    pos_is(path("spec.headGroupSpec.template.spec.containers[0].volumeMounts[0].mountPath", true),
           46, 24, 46, 13, RPI_STYLE_NONE);
    pos_is(path("spec.headGroupSpec.template.spec.containers[0].env[0].value", true),
           25, 32, 25, 13, RPI_STYLE_PLAIN);
    /* 0.0.0.0 is neither a Go integer nor yamlStyleFloat: text */
    json_t *params = json_object_get(json_object_get(json_object_get(root, "spec"),
                                                     "headGroupSpec"), "rayStartParams");
    assert_json(params, "{\"dashboard-host\": \"0.0.0.0\", \"num-cpus\": \"0\"}");
}

Test(yaml_doc, corpus_two_documents)
{
    read_file("static-ray-cluster-networkpolicy.yaml", 2);
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(set.docs[1].root, "metadata"), "name")),
                     "ray-cluster-egress");
    cr_assert_eq(set.docs[1].index, 1);
    cr_assert_eq(set.docs[1].line, 158);
}

Test(yaml_doc, corpus_block_scalar)
{
    read_file("ray-service.tpu-v6e-multihost.yaml", 1);
    pos_is(path("spec.serveConfigV2", true), 25, 5, 24, 3, RPI_STYLE_LITERAL);
    const char *cfg = json_string_value(json_object_get(json_object_get(set.docs[0].root, "spec"),
                                                        "serveConfigV2"));
    cr_assert_not_null(cfg);
    cr_assert_eq(strncmp(cfg, "http_options:\n  host: 0.0.0.0\n", 30), 0);
}

/* The whole team corpus, when it is beside the source tree (as in CI);
 * skipped elsewhere, since the project must test without it. */
Test(yaml_doc, whole_corpus_when_present)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/../shared/ray-corpus", RP_SRCDIR);
    DIR *d = opendir(dir);
    if (!d) {
        cr_log_info("no corpus at %s: nothing to read", dir);
        return;
    }
    struct dirent *e;
    size_t files = 0, docs = 0;
    double secs = 0;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 5, ".yaml") != 0)
            continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        FILE *f = fopen(p, "rb");
        cr_assert_not_null(f);
        char *buf = malloc(1 << 20);
        cr_assert_not_null(buf);
        size_t len = fread(buf, 1, 1 << 20, f);
        fclose(f);
        clock_t t0 = clock();
        read_lim(buf, len, NULL);
        secs += (double)(clock() - t0) / CLOCKS_PER_SEC;
        free(buf);
        cr_assert(!set.truncated, "%s", e->d_name);
        for (size_t i = 0; i < set.n; i++)
            cr_assert_null(set.docs[i].error, "%s: %s", e->d_name, set.docs[i].error);
        files++;
        docs += set.n;
    }
    closedir(d);
    cr_assert_gt(files, 0);
    cr_log_info("corpus: %zu files, %zu documents, %.2f ms", files, docs, secs * 1e3);
}

/* ==== The API ================================================================================ */

Test(yaml_doc, bad_arguments)
{
    rp_error err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(rpi_yaml_read(NULL, 3, "x", NULL, &set, &err), RP_EINVAL);
    cr_assert_eq(err.code, RP_EINVAL);
    cr_assert_eq(rpi_yaml_read("a", 1, "x", NULL, NULL, NULL), RP_EINVAL);
    rpi_docset_free(NULL);
    cr_assert_null(rpi_posmap_get(NULL, NULL, NULL, 0));
    cr_assert_null(rpi_posmap_path(NULL, NULL, "a", NULL));
}
