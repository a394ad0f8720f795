/* gen_pack_md.c -- writes the reference page of a built-in policy pack
 * (docs/ray-hardening.md) from the compiled pack itself: how to run it, a
 * table of the rules, a table of the parameters with the rules that read
 * them, and one section per rule (what it matches and checks, why, how to
 * fix it, its expressions).
 *
 * Usage: gen_pack_md [BUILTIN-NAME]   (default: ray-hardening), to stdout.
 *
 * make check regenerates the page and fails when the committed file differs
 * (tests/check-pack-doc.sh), so the documentation cannot drift from the
 * pack.  The output depends on the pack only: rules in pack order,
 * parameters in the order of spec.params. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

/* ---- Markdown escaping -------------------------------------------------------- */

static bool is_ident(int c) { return isalnum((unsigned char)c) || c == '_'; }

/* Prose from the pack (titles, messages, references, remediation), written
 * so that Markdown shows it verbatim: the characters that could start
 * emphasis, code, links or HTML are escaped.  An underscore inside a word
 * (RAY_USE_TLS) is left alone, as GitHub does not read it as emphasis.
 * IN_TABLE also escapes the cell separator and folds line breaks. */
static void put_text(const char *s, bool in_table)
{
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool escape = strchr("\\`*<>[]", c) != NULL || (in_table && c == '|');
        if (c == '_')
            escape = !(p > s && is_ident(p[-1]) && is_ident(p[1]));
        if (c == '\n' || c == '\r') {
            putchar(' ');
            continue;
        }
        if (escape)
            putchar('\\');
        putchar(c);
    }
}

/* The longest run of backticks in S, so that a code span or fence around
 * it can be one longer. */
static size_t longest_backtick_run(const char *s)
{
    size_t best = 0, run = 0;
    for (; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* S as an inline code span.  In a table cell `|` must be escaped even
 * inside code (GitHub splits cells first); line breaks become spaces. */
static void put_code(const char *s, bool in_table)
{
    size_t ticks = longest_backtick_run(s) + 1;
    bool pad = s[0] == '`' || (s[0] && s[strlen(s) - 1] == '`');
    for (size_t i = 0; i < ticks; i++)
        putchar('`');
    if (pad)
        putchar(' ');
    for (const char *p = s; *p; p++) {
        if (*p == '\n' || *p == '\r')
            putchar(' ');
        else if (in_table && *p == '|')
            fputs("\\|", stdout);
        else
            putchar(*p);
    }
    if (pad)
        putchar(' ');
    for (size_t i = 0; i < ticks; i++)
        putchar('`');
}

/* A fenced code block of language LANG holding the lines of TEXTS (with a
 * `// label` comment before each when LABELS is given). */
static void put_fence(const char *lang, const char *const *labels, const char *const *texts,
                      size_t n)
{
    size_t ticks = 3;
    for (size_t i = 0; i < n; i++) {
        size_t t = longest_backtick_run(texts[i]) + 1;
        if (t > ticks)
            ticks = t;
    }
    for (size_t i = 0; i < ticks; i++)
        putchar('`');
    printf("%s\n", lang);
    for (size_t i = 0; i < n; i++) {
        if (labels && labels[i])
            printf("%s// %s\n", i ? "\n" : "", labels[i]);
        size_t len = strlen(texts[i]);
        fputs(texts[i], stdout);
        if (len == 0 || texts[i][len - 1] != '\n')
            putchar('\n');
    }
    for (size_t i = 0; i < ticks; i++)
        putchar('`');
    putchar('\n');
}

/* GitHub's anchor for a heading: lower case, spaces to '-', every other
 * punctuation character except '-' and '_' dropped. */
static void put_slug(const char *id, const char *title)
{
    for (int part = 0; part < 2; part++) {
        const char *s = part ? title : id;
        if (part)
            putchar('-');
        for (; *s; s++) {
            unsigned char c = (unsigned char)*s;
            if (isalnum(c) || c == '-' || c == '_' || c >= 0x80)
                putchar(tolower(c));
            else if (c == ' ')
                putchar('-');
        }
    }
}

static void put_rule_link(const rpi_rule *r)
{
    printf("[%s](#", r->id);
    /* The heading is "ID: title"; the colon is dropped and the space kept. */
    put_slug(r->id, r->title ? r->title : "");
    putchar(')');
}

/* ---- What a rule matches -------------------------------------------------------- */

static bool list_has(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* The kinds a rule selects, each once, in pack order ("any" when an entry
 * names no kind, "every object" when there is no resources entry). */
static void put_kinds(const rpi_match *m, bool in_table)
{
    if (m->n_resources == 0) {
        fputs("every object", stdout);
        return;
    }
    bool first = true;
    for (size_t i = 0; i < m->n_resources; i++) {
        const rpi_resource_rule *rr = &m->resources[i];
        if (rr->n_kinds == 0 || list_has(rr->kinds, rr->n_kinds, "*")) {
            printf("%sany kind", first ? "" : ", ");
            first = false;
            continue;
        }
        for (size_t k = 0; k < rr->n_kinds; k++) {
            bool seen = false;
            for (size_t j = 0; j < i && !seen; j++)
                seen = list_has(m->resources[j].kinds, m->resources[j].n_kinds, rr->kinds[k]);
            seen = seen || list_has(rr->kinds, k, rr->kinds[k]);
            if (seen)
                continue;
            fputs(first ? "" : ", ", stdout);
            put_text(rr->kinds[k], in_table);
            first = false;
        }
    }
}

/* A list of names as code spans; the core API group "" is shown as such. */
static void put_names(char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", stdout);
        put_code(list[i][0] ? list[i] : "\"\"", false);
        if (!list[i][0])
            fputs(" (core)", stdout);
    }
}

static void put_selector(const char *what, const rpi_selector *sel)
{
    static const char *const ops[] = {"In", "NotIn", "Exists", "DoesNotExist"};
    if (!sel->present)
        return;
    printf("- %s: ", what);
    if (sel->n_reqs == 0)
        fputs("present but empty (selects everything)", stdout);
    for (size_t i = 0; i < sel->n_reqs; i++) {
        const rpi_sel_req *q = &sel->reqs[i];
        fputs(i ? ", " : "", stdout);
        put_code(q->key, false);
        printf(" %s", ops[q->op]);
        if (q->n_values) {
            fputs(" (", stdout);
            put_names(q->values, q->n_values);
            putchar(')');
        }
    }
    putchar('\n');
}

static void put_match(const rpi_rule *r)
{
    const rpi_match *m = &r->match;
    if (m->n_resources == 0)
        puts("- Objects: every object of the check");
    for (size_t i = 0; i < m->n_resources; i++) {
        const rpi_resource_rule *rr = &m->resources[i];
        fputs("- Objects: ", stdout);
        if (rr->n_kinds)
            put_names(rr->kinds, rr->n_kinds);
        else
            fputs("any kind", stdout);
        fputs(" in API group", stdout);
        if (rr->n_api_groups) {
            fputs(rr->n_api_groups > 1 ? "s " : " ", stdout);
            put_names(rr->api_groups, rr->n_api_groups);
        } else {
            fputs(": any", stdout);
        }
        if (rr->n_api_versions && !list_has(rr->api_versions, rr->n_api_versions, "*")) {
            fputs(", versions ", stdout);
            put_names(rr->api_versions, rr->n_api_versions);
        }
        if (rr->n_operations) {
            fputs(", operations ", stdout);
            put_names(rr->operations, rr->n_operations);
        }
        if (rr->n_names) {
            fputs(", named ", stdout);
            put_names(rr->names, rr->n_names);
        }
        putchar('\n');
    }
    if (m->n_ns_include) {
        fputs("- Namespaces: only ", stdout);
        put_names(m->ns_include, m->n_ns_include);
        putchar('\n');
    }
    if (m->n_ns_exclude) {
        fputs("- Namespaces: not ", stdout);
        put_names(m->ns_exclude, m->n_ns_exclude);
        putchar('\n');
    }
    put_selector("Namespace labels", &m->namespace_selector);
    put_selector("Object labels", &m->object_selector);
    if (r->n_conditions) {
        fputs("- Match conditions (all must hold): ", stdout);
        for (size_t i = 0; i < r->n_conditions; i++) {
            fputs(i ? ", " : "", stdout);
            put_code(r->conditions[i].name, false);
        }
        putchar('\n');
    }
}

/* ---- Parameters ------------------------------------------------------------------ */

/* Does TEXT read `params.NAME` (or `params.?NAME`), with both names whole
 * identifiers?  `xparams.NAME`, `a.params.NAME` and `params.NAMEx` do not
 * count. */
static bool text_reads_param(const char *text, const char *name)
{
    size_t nlen = strlen(name);
    if (!text)
        return false;
    for (const char *p = strstr(text, "params"); p; p = strstr(p + 1, "params")) {
        if (p > text && (is_ident(p[-1]) || p[-1] == '.'))
            continue;
        const char *q = p + 6;
        if (*q != '.')
            continue;
        q++;
        if (*q == '?')
            q++;
        if (strncmp(q, name, nlen) == 0 && !is_ident(q[nlen]))
            return true;
    }
    return false;
}

/* Whether any expression of R (conditions, variables, validations and
 * their messages) reads parameter NAME. */
static bool rule_reads_param(const rpi_rule *r, const char *name)
{
    for (size_t i = 0; i < r->n_conditions; i++)
        if (text_reads_param(r->conditions[i].expr.text, name))
            return true;
    for (size_t i = 0; i < r->n_variables; i++)
        if (text_reads_param(r->variables[i].expr.text, name))
            return true;
    for (size_t i = 0; i < r->n_validations; i++) {
        const rpi_validation *v = &r->validations[i];
        if (text_reads_param(v->expr.text, name) ||
            (v->message_expr.prog && text_reads_param(v->message_expr.text, name)))
            return true;
    }
    return false;
}

/* A parameter's default as one line of JSON; NULL on OOM. */
static char *param_json(const json_t *v)
{
    return json_dumps(v, JSON_ENCODE_ANY);
}

static int put_params_table(const rp_pack *pack)
{
    const char *name;
    json_t *value;
    puts("| parameter | default | read by |\n|---|---|---|");
    json_object_foreach(pack->params, name, value) {
        char *js = param_json(value);
        if (!js)
            return -1;
        fputs("| ", stdout);
        put_code(name, true);
        fputs(" | ", stdout);
        put_code(js, true);
        fputs(" | ", stdout);
        free(js);
        bool first = true;
        for (size_t i = 0; i < pack->n_rules; i++)
            if (rule_reads_param(&pack->rules[i], name)) {
                fputs(first ? "" : ", ", stdout);
                put_rule_link(&pack->rules[i]);
                first = false;
            }
        puts(first ? "(no rule) |" : " |");
    }
    return 0;
}

/* ---- The page ------------------------------------------------------------------------ */

/* What a reader needs to follow a pack's references that the compiled pack
 * cannot say: the legend of the source numbers, from the header comment of
 * packs/ray-hardening.yaml. */
static const struct {
    const char *pack, *text;
} reference_notes[] = {
    {"ray-hardening",
     "References of the form *seed NNN §x* cite the guidance the rules were derived\n"
     "from: 000/001 Google Cloud, \"How to secure Ray on GKE\"; 002 Alibaba Cloud ACK,\n"
     "\"Ray on ACK best practices\"; 003 Preferred Networks, multi-tenant authentication\n"
     "and authorization slides; 004 PLAID, GKE security blog.  The other references are\n"
     "public documentation.\n"},
};

static void put_intro(const rp_pack *pack, const char *name)
{
    bool is_default = strcmp(name, "ray-hardening") == 0;
    const char *sel = is_default ? "" : " --pack ";
    const char *selname = is_default ? "" : name;
    printf("# The `%s` policy pack\n\n", pack->name);
    printf("Generated from the built-in pack (`packs/%s.yaml`, version %s) by\n"
           "`tools/gen_pack_md` (`make update-pack-doc`); do not edit by hand.\n\n",
           name, pack->version ? pack->version : "unversioned");
    if (pack->description) {
        put_text(pack->description, false);
        puts("\n");
    }
    printf("The pack has %zu rules and is written for the `%s` profile, so each rule\n"
           "compiles as a Kubernetes API server would compile a ValidatingAdmissionPolicy.\n"
           "It is compiled into libraypolicy: no file needs to be installed.  The pack\n"
           "format, the variables an expression sees and the report formats are described\n"
           "in [policy.md](policy.md); [writing-packs.md](writing-packs.md) shows how to\n"
           "write a pack of your own.\n\n",
           pack->n_rules, pack->profile == RP_PROFILE_EXTENDED ? "extended" : "kubernetes");
    printf("## Running it\n\n"
           "```sh\n"
           "rpeval check%s%s manifests/                      # files and directories\n"
           "helm template my-release chart/ | rpeval check%s%s -\n"
           "rpeval check%s%s --params params.yaml manifests/\n"
           "rpeval check%s%s --format sarif --output ray.sarif manifests/\n"
           "```\n\n",
           sel, selname, sel, selname, sel, selname, sel, selname);
    puts("- `rpeval check` reads YAML and JSON manifests (directories recursively, `-` for\n"
         "  standard input) and checks every object; `inventory` holds every object of\n"
         "  the check, so cross-object rules (a NetworkPolicy or a ResourceQuota for a\n"
         "  Ray cluster) see the whole rendered bundle.  Give the whole bundle in one run.\n"
         "- `--params FILE` (YAML or JSON: a mapping of the parameter names below) is\n"
         "  merged over the defaults; mappings merge key by key, anything else replaces\n"
         "  the default.  A name the pack does not declare is reported as an error.\n"
         "  Rules whose parameter default is empty or `false` can be switched on this way.\n"
         "- Break-glass: an object annotated `raypolicy/break-glass: \"<reason>\"` is\n"
         "  checked all the same, but its findings are reported as *bypassed* with the\n"
         "  reason and do not fail the check.\n"
         "- Exit status: 0 no failing finding; 1 a failing finding (its rule's action is\n"
         "  `deny`, or with `--fail-on SEVERITY` its severity is that or worse) or an\n"
         "  evaluation error; 2 bad usage or unreadable input (the report still lists\n"
         "  everything that could be checked).\n"
         "- `--format text|json|sarif|junit` chooses the report; see\n"
         "  [policy.md](policy.md#reports).\n");
    puts("```yaml\n"
         "# params.yaml: only the parameters that differ from the defaults\n"
         "allowedRegistries: [registry.example.com/]\n"
         "requireRayAuth: true\n"
         "```\n");
}

static void put_rules_table(const rp_pack *pack)
{
    puts("## Rules\n\n| ID | title | severity | default action | objects |\n|---|---|---|---|---|");
    for (size_t i = 0; i < pack->n_rules; i++) {
        const rpi_rule *r = &pack->rules[i];
        fputs("| ", stdout);
        put_rule_link(r);
        fputs(" | ", stdout);
        put_text(r->title ? r->title : "", true);
        printf(" | %s | %s | ", rpi_severity_name(r->severity), rpi_action_name(r->action));
        put_kinds(&r->match, true);
        puts(" |");
    }
    putchar('\n');
}

static void put_rule(const rp_pack *pack, const rpi_rule *r)
{
    printf("### %s: ", r->id);
    put_text(r->title ? r->title : "", false);
    printf("\n\nSeverity **%s**, default action **%s**.\n\n", rpi_severity_name(r->severity),
           rpi_action_name(r->action));

    puts("**What it matches**\n");
    put_match(r);
    putchar('\n');

    puts("**What it checks**\n");
    if (r->description) {
        put_text(r->description, false);
        puts("\n");
    }
    for (size_t i = 0; i < r->n_validations; i++) {
        const rpi_validation *v = &r->validations[i];
        fputs("- ", stdout);
        if (v->message)
            put_text(v->message, false);
        else
            fputs("The validation below does not hold.", stdout);
        if (v->path) {
            fputs(" (field: ", stdout);
            put_code(v->path, false);
            putchar(')');
        }
        putchar('\n');
    }
    putchar('\n');

    if (r->n_references) {
        puts("**Why**\n");
        for (size_t i = 0; i < r->n_references; i++) {
            fputs("- ", stdout);
            put_text(r->references[i], false);
            putchar('\n');
        }
        putchar('\n');
    }
    if (r->remediation) {
        puts("**How to fix**\n");
        put_text(r->remediation, false);
        puts("\n");
    }

    const char *name;
    json_t *value;
    bool first = true;
    json_object_foreach(pack->params, name, value) {
        if (!rule_reads_param(r, name))
            continue;
        fputs(first ? "**Parameters:** " : ", ", stdout);
        put_code(name, false);
        first = false;
    }
    if (!first)
        puts(" (see [Parameters](#parameters)).\n");

    puts("**Validation**\n");
    for (size_t i = 0; i < r->n_validations; i++) {
        const char *text = r->validations[i].expr.text ? r->validations[i].expr.text : "";
        put_fence("cel", NULL, &text, 1);
    }
    putchar('\n');
}

/* The match conditions and variables of R in one code block, folded away
 * (they are long, and the validation reads them by name).  -1 on OOM. */
static int put_definitions(const rpi_rule *r)
{
    size_t n = r->n_conditions + r->n_variables;
    if (n == 0)
        return 0;
    const char **labels = calloc(n, sizeof *labels);
    const char **texts = calloc(n, sizeof *texts);
    char **owned = calloc(n, sizeof *owned);
    int rc = 0;
    if (!labels || !texts || !owned) {
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        bool cond = i < r->n_conditions;
        const rpi_named_expr *e = cond ? &r->conditions[i] : &r->variables[i - r->n_conditions];
        size_t len = strlen(e->name) + 32;
        owned[i] = malloc(len);
        if (!owned[i]) {
            rc = -1;
            goto out;
        }
        snprintf(owned[i], len, cond ? "matchCondition %s" : "variables.%s", e->name);
        labels[i] = owned[i];
        texts[i] = e->expr.text ? e->expr.text : "";
    }
    printf("<details><summary>Match conditions and variables of %s</summary>\n\n", r->id);
    put_fence("cel", labels, texts, n);
    puts("\n</details>\n");
out:
    if (owned)
        for (size_t i = 0; i < n; i++)
            free(owned[i]);
    free(owned);
    free(labels);
    free(texts);
    return rc;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "ray-hardening";
    if (argc > 2) {
        fprintf(stderr, "usage: gen_pack_md [BUILTIN-PACK]\n");
        return 2;
    }
    rp_error err = {0};
    rp_pack *pack = rp_pack_load_builtin(NULL, name, &err);
    if (!pack) {
        fprintf(stderr, "gen_pack_md: %s:%u:%u: %s\n", err.source, err.line, err.column,
                err.message);
        return 1;
    }
    int rc = 0;
    put_intro(pack, name);
    put_rules_table(pack);
    puts("## Parameters\n");
    if (json_object_size(pack->params) == 0)
        puts("The pack has no parameters.\n");
    else if (put_params_table(pack) < 0)
        rc = 1;
    else
        putchar('\n');
    puts("## Rule reference\n");
    for (size_t i = 0; i < sizeof reference_notes / sizeof reference_notes[0]; i++)
        if (strcmp(reference_notes[i].pack, pack->name) == 0)
            puts(reference_notes[i].text);
    for (size_t i = 0; i < pack->n_rules && rc == 0; i++) {
        put_rule(pack, &pack->rules[i]);
        if (put_definitions(&pack->rules[i]) < 0)
            rc = 1;
    }
    rp_pack_free(pack);
    if (rc)
        fputs("gen_pack_md: out of memory\n", stderr);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("gen_pack_md: cannot write the output\n", stderr);
        rc = 1;
    }
    return rc;
}
