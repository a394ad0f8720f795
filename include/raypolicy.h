/* raypolicy.h -- the public, stable C ABI of libraypolicy.
 *
 * libraypolicy compiles expressions of the Common Expression Language (CEL), in
 * the dialect Kubernetes uses for ValidatingAdmissionPolicy, into bytecode and
 * evaluates them against JSON documents.  This header is the manual: every
 * function says what it returns, who owns what, and which thread may call it.
 *
 * Conventions
 *   - Handles are opaque.  Each has one constructor family and one *_free();
 *     *_free(NULL) does nothing.
 *   - Text arguments are (const char *p, size_t len) and need not be
 *     NUL-terminated.  The library copies what it keeps.
 *   - Functions that can fail return 0 or a negative RP_E* code, and fill the
 *     optional rp_error (which may be NULL) with where and why.
 *   - Strings returned as `char *` are freed with rp_free(), never free().
 *   - rp_env and rp_program are immutable once built and may be shared by any
 *     number of threads.  An rp_activation belongs to one thread at a time.
 */
#ifndef RAYPOLICY_H
#define RAYPOLICY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                  */
/* ------------------------------------------------------------------------ */

#define RP_VERSION_MAJOR 0
#define RP_VERSION_MINOR 1
#define RP_VERSION_PATCH 0
#define RP_VERSION_STRING "0.1.0"
/* MAJOR*1000000 + MINOR*1000 + PATCH, for compile-time comparisons. */
#define RP_VERSION_NUMBER 1000

#if defined(__GNUC__) && !defined(RP_STATIC_BUILD_NO_VISIBILITY)
#define RP_API __attribute__((visibility("default")))
#else
#define RP_API
#endif

/* The version of the library actually linked ("0.1.0"); static storage.
 * Compare rp_version_number() with RP_VERSION_NUMBER to detect a header that
 * does not match the library. */
RP_API const char *rp_version(void);
RP_API int rp_version_number(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* Return codes.  Never renumbered; new codes are appended. */
#define RP_OK        0    /* success */
#define RP_EINVAL   (-1)  /* misuse: NULL handle, bad option size, bad argument */
#define RP_ENOMEM   (-2)  /* out of memory */
#define RP_ESYNTAX  (-3)  /* the expression does not parse */
#define RP_ECHECK   (-4)  /* the expression parses but is rejected by the checker
                             (undeclared reference, unknown function, no matching
                             overload, feature outside the profile) */
#define RP_ELIMIT   (-5)  /* a configured limit was exceeded (length, depth,
                             cost budget, sizes); the message names the limit */
#define RP_EEVAL    (-6)  /* evaluation produced a CEL error value
                             ("no such key", "division by zero", ...) */
#define RP_EJSON    (-7)  /* JSON text could not be parsed or has the wrong shape */
#define RP_EIO      (-8)  /* a file could not be read */
#define RP_ETYPE    (-9)  /* a value was asked for as a type it does not have */
#define RP_ENOTFOUND (-10) /* a named thing (builtin pack, variable) does not exist */
#define RP_EPACK    (-11) /* a policy pack is malformed */
#define RP_EYAML    (-12) /* YAML text could not be parsed */
#define RP__ECOUNT   13   /* number of codes, RP_OK included */

/* Static text describing CODE ("syntax error"); never NULL. */
RP_API const char *rp_strerror(int code);

/* Filled on failure.  line and column are 1-based (column counts Unicode code
 * points), 0 when unknown.  source names the input: a file name, or
 * "<expression>".  message is one lower-case line without a final period;
 * for expression errors it is followed by the source line and a caret on
 * the next lines, in cel-go's layout. The first error reported wins. */
typedef struct rp_error {
    int code;
    unsigned line, column;
    char source[256];
    char message[512];
} rp_error;

/* ------------------------------------------------------------------------ */
/* Environments                                                              */
/* ------------------------------------------------------------------------ */

typedef struct rp_env rp_env;

/* Profiles: which libraries an expression may use. */
typedef enum rp_profile {
    RP_PROFILE_KUBERNETES = 0, /* exactly what a Kubernetes 1.33+ API server offers
                                  a ValidatingAdmissionPolicy (the default) */
    RP_PROFILE_CEL = 1,        /* the cel-spec standard definitions alone */
    RP_PROFILE_EXTENDED = 2    /* everything: Kubernetes plus cel-go's extras */
} rp_profile;

/* Options for rp_env_new().  Initialise with rp_env_options_init(), which
 * sets `size` and every default; a field left 0 means its default.  Fields
 * are only ever appended. */
typedef struct rp_env_options {
    size_t size;              /* sizeof(rp_env_options), set by _init */
    rp_profile profile;       /* default RP_PROFILE_KUBERNETES */
    /* Variables an expression may name, in addition to the profile's own
     * (kubernetes and extended declare object, oldObject, params, request,
     * namespaceObject, variables and inventory; cel declares none).
     * NULL-terminated array of names; copied. */
    const char *const *variables;
    /* Compile undeclared identifiers as run-time lookups instead of
     * rejecting them (cel-go's disableCheck); default 0: reject. */
    int allow_undeclared;
    /* Disable the macros has/all/exists/exists_one/map/filter; default 0. */
    int disable_macros;
    size_t max_expression_length;  /* bytes; default 100000 */
    unsigned max_nesting_depth;    /* parser recursion; default 250,
                                      at most 1000 */
    uint64_t cost_budget;          /* per evaluation; default 1000000
                                      (Kubernetes' per-expression limit) */
    size_t max_eval_memory;        /* bytes the evaluation arena may use;
                                      default 64 MiB */
    /* Limits added in 0.1 (docs/limits.md says why each default is what it
     * is).  Exceeding one is RP_ELIMIT, or an error entry of a report, with
     * a message naming the field, e.g. "expression nesting exceeds limit
     * max_nesting_depth (250)".  0 means the default, as above. */
    size_t max_ast_nodes;          /* syntax tree nodes of one expression,
                                      macros expanded; default 200000 */
    size_t max_program_size;       /* bytecode instructions of one program;
                                      default 500000 */
    uint64_t rule_cost_budget;     /* total cost of one rule's expressions
                                      (matchConditions, variables,
                                      validations, messageExpressions) on
                                      one object: what Kubernetes'
                                      RuntimeCELCostBudget bounds for one
                                      policy on one request; default 10000000 */
    size_t max_string_size;        /* bytes of a string or bytes value an
                                      evaluation builds; default 4 MiB */
    size_t max_list_size;          /* elements of a list, entries of a map
                                      an evaluation builds; default 1000000 */
    size_t max_regex_length;       /* bytes of a regular expression;
                                      default 100000 */
    uint64_t regex_match_limit;    /* backtracking steps of one regex match
                                      (PCRE2's match limit, shared by all
                                      start positions); default 1000000 */
    uint64_t max_comprehension_iterations; /* loop iterations of one
                                      evaluation, all comprehensions
                                      together; default 1000000 */
    size_t max_input_bytes;        /* bytes of one JSON or YAML input: a
                                      bound variable, a manifest file or
                                      text, a parameter file; default 16 MiB */
    unsigned max_input_depth;      /* nesting of objects/arrays (mappings/
                                      sequences) in JSON and YAML input;
                                      default 1000, at most 10000 (bound
                                      JSON: jansson stops at 2048 anyway) */
    size_t max_input_documents;    /* documents of one YAML stream;
                                      default 10000 */
    size_t max_yaml_alias_nodes;   /* nodes YAML aliases may bring into one
                                      stream (billion laughs); default 1000000 */
    size_t max_pack_bytes;         /* bytes of one pack file; default 4 MiB */
} rp_env_options;

RP_API void rp_env_options_init(rp_env_options *opts);

/* A new environment.  OPTS may be NULL for the Kubernetes defaults.
 * Returns NULL on failure with ERR filled (RP_EINVAL, RP_ENOMEM; RP_EINVAL
 * names a limit set above its ceiling: max_nesting_depth above 1000 or
 * max_input_depth above 10000, which would let recursion overrun a
 * thread's stack).
 * Free with rp_env_free() after every program compiled in it is freed.
 * Immutable: any thread may use it. */
RP_API rp_env *rp_env_new(const rp_env_options *opts, rp_error *err);
RP_API void rp_env_free(rp_env *env);

/* ------------------------------------------------------------------------ */
/* Programs                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct rp_program rp_program;

/* Compile EXPR (LEN bytes of UTF-8, need not be NUL-terminated) in ENV.
 * 0: *OUT is a new program, free it with rp_program_free().  <0: an RP_E*
 * code, *OUT = NULL, ERR (if not NULL) says where and why.  Keeps no pointer
 * to EXPR.  ENV and the program may be shared by threads.
 * Codes: RP_ESYNTAX RP_ECHECK RP_ELIMIT RP_ENOMEM RP_EINVAL */
RP_API int rp_compile(const rp_env *env, const char *expr, size_t len,
                      rp_program **out, rp_error *err);
RP_API void rp_program_free(rp_program *prog);

/* The program's bytecode, one instruction a line, for debugging.
 * Free with rp_free().  NULL only when out of memory. */
RP_API char *rp_program_disassemble(const rp_program *prog);

/* ------------------------------------------------------------------------ */
/* Activations: the variables of one evaluation                              */
/* ------------------------------------------------------------------------ */

typedef struct rp_activation rp_activation;

/* A new, empty activation for programs of ENV.  One thread at a time.
 * Reusing one activation for many evaluations is what makes evaluation
 * allocation-free: its arena is reset, not freed, between evaluations. */
RP_API rp_activation *rp_activation_new(const rp_env *env, rp_error *err);
RP_API void rp_activation_free(rp_activation *act);

/* Bind variable NAME to the JSON text JSON (LEN bytes).  The document is
 * parsed once and evaluated in place.  JSON numbers are CEL int when they
 * are integral and fit int64, otherwise double.  Binding a name again
 * replaces the earlier value.  Codes: RP_EJSON RP_ELIMIT (more than the
 * environment's max_input_bytes or max_input_depth) RP_ENOMEM RP_EINVAL */
RP_API int rp_activation_bind_json(rp_activation *act, const char *name,
                                   const char *json, size_t len, rp_error *err);

/* Like rp_activation_bind_json() but JSON is a cel.expr.Value in its JSON
 * form ({"int64Value":"1"}, {"uint64Value":"2"}, {"bytesValue":"<base64>"},
 * {"listValue":{"values":[...]}}, {"mapValue":{"entries":[...]}}, ...). */
RP_API int rp_activation_bind_typed_json(rp_activation *act, const char *name,
                                         const char *json, size_t len, rp_error *err);

/* Forget every binding. */
RP_API void rp_activation_clear(rp_activation *act);

/* ------------------------------------------------------------------------ */
/* Evaluation and values                                                     */
/* ------------------------------------------------------------------------ */

typedef struct rp_value rp_value;

/* Evaluate PROG with the variables of ACT.  0: *OUT is the result, owned by
 * the caller (rp_value_free()).  When the expression evaluates to a CEL error
 * ("no such key", ...) the return is RP_EEVAL, *OUT is NULL and ERR holds the
 * message and the position of the failing sub-expression.  RP_ELIMIT when the
 * cost budget or the memory limit is exceeded.  ACT must have been created for
 * the same environment as PROG. */
RP_API int rp_eval(const rp_program *prog, rp_activation *act,
                   rp_value **out, rp_error *err);

/* Evaluate a boolean expression without allocating: *RESULT is 1 or 0.
 * The hot path of policy checks (a validation is a bool): in steady state
 * it makes no heap allocation at all.  RP_ETYPE when the result is not a
 * bool; otherwise the codes and ERR of rp_eval(). */
RP_API int rp_eval_bool(const rp_program *prog, rp_activation *act, int *result,
                        rp_error *err);

/* Heap allocations ACT's evaluation memory has made since it was created
 * (it grows in chunks and then reuses them): constant once warm.  For
 * benchmarks that count allocations per evaluation. */
RP_API uint64_t rp_activation_allocations(const rp_activation *act);

/* The kinds of CEL values. */
typedef enum rp_kind {
    RP_KIND_NULL = 0,
    RP_KIND_BOOL,
    RP_KIND_INT,
    RP_KIND_UINT,
    RP_KIND_DOUBLE,
    RP_KIND_STRING,
    RP_KIND_BYTES,
    RP_KIND_LIST,
    RP_KIND_MAP,
    RP_KIND_TYPE,
    RP_KIND_TIMESTAMP,
    RP_KIND_DURATION,
    RP_KIND_OPTIONAL,
    RP_KIND_OPAQUE       /* Kubernetes' Quantity, URL, IP, CIDR, Semver, ... */
} rp_kind;

RP_API void rp_value_free(rp_value *v);
RP_API rp_kind rp_value_kind(const rp_value *v);
/* Scalar accessors: 0 and *OUT set when V has that kind, else RP_ETYPE. */
RP_API int rp_value_bool(const rp_value *v, int *out);
RP_API int rp_value_int(const rp_value *v, int64_t *out);
RP_API int rp_value_uint(const rp_value *v, uint64_t *out);
RP_API int rp_value_double(const rp_value *v, double *out);
/* STRING, BYTES and TYPE (the type's name): *P borrowed from V, valid until
 * rp_value_free(V); NUL-terminated as a convenience (bytes may hold NULs). */
RP_API int rp_value_string(const rp_value *v, const char **p, size_t *len);
/* Number of elements of a LIST or entries of a MAP; 0 for other kinds. */
RP_API size_t rp_value_count(const rp_value *v);
/* Element I of a list, key/value I of a map: borrowed from V. */
RP_API const rp_value *rp_value_list_at(const rp_value *v, size_t i);
RP_API const rp_value *rp_value_map_key_at(const rp_value *v, size_t i);
RP_API const rp_value *rp_value_map_value_at(const rp_value *v, size_t i);

/* Flags for rp_value_to_json(). */
#define RP_JSON_TYPED   0x1u  /* cel.expr.Value JSON form instead of plain JSON */
#define RP_JSON_COMPACT 0x2u  /* no indentation (the default is compact too;
                                 reserved so that pretty printing can be added) */

/* V as JSON text.  Plain form: ints, uints and doubles as JSON numbers
 * (NaN and infinities as the strings "NaN", "Infinity", "-Infinity"), bytes
 * as base64, timestamps and durations as their RFC 3339 / "1.5s" strings,
 * types as their names.  Typed form: cel.expr.Value.  Free with rp_free(). */
RP_API char *rp_value_to_json(const rp_value *v, unsigned flags);

/* Free a string returned by the library. */
RP_API void rp_free(void *p);

/* ------------------------------------------------------------------------ */
/* Policy packs                                                              */
/* ------------------------------------------------------------------------ */

/* A compiled policy pack (docs/DESIGN.md, "Policy packs"): rules matched
 * against Kubernetes objects, each with CEL matchConditions, variables and
 * validations, all compiled at load.  Immutable after load: any thread may
 * use it.  ENV supplies the limits (NULL: the defaults); the expressions
 * are compiled in the profile the pack names (spec.profile, default
 * kubernetes).  Errors name file:line:column and, for expressions, the
 * position inside them.  Codes: RP_EPACK RP_EYAML RP_EIO RP_ENOMEM
 * RP_ENOTFOUND (no such built-in pack) RP_ELIMIT (ENV's max_pack_bytes,
 * max_input_depth or max_yaml_alias_nodes; docs/limits.md). */
typedef struct rp_pack rp_pack;

RP_API rp_pack *rp_pack_load_file(const rp_env *env, const char *path, rp_error *err);
/* TEXT: LEN bytes of YAML or JSON; SOURCE names it in errors. */
RP_API rp_pack *rp_pack_load_string(const rp_env *env, const char *text, size_t len,
                                    const char *source, rp_error *err);
/* A pack compiled into the library: "ray-hardening". */
RP_API rp_pack *rp_pack_load_builtin(const rp_env *env, const char *name, rp_error *err);
/* The names of the built-in packs, NULL-terminated, static. */
RP_API const char *const *rp_pack_builtin_names(void);
RP_API void rp_pack_free(rp_pack *pack);

/* metadata.name, metadata.version ("" when absent), the file it came from. */
RP_API const char *rp_pack_name(const rp_pack *pack);
RP_API const char *rp_pack_version(const rp_pack *pack);
RP_API const char *rp_pack_source(const rp_pack *pack);
RP_API rp_profile rp_pack_profile(const rp_pack *pack);
RP_API size_t rp_pack_rule_count(const rp_pack *pack);
/* ID of rule I (0 <= I < count), or NULL. */
RP_API const char *rp_pack_rule_id(const rp_pack *pack, size_t i);

/* ------------------------------------------------------------------------ */
/* Checks                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct rp_report rp_report;   /* the findings of one check */
typedef struct rp_checker rp_checker; /* one check being put together */

/* A check: packs, parameters and inputs, then rp_checker_run().  One
 * thread at a time.  Packs are borrowed and must outlive the checker. */
RP_API rp_checker *rp_checker_new(rp_error *err);
/* A checker whose inputs (objects and parameters) are read within ENV's
 * limits: max_input_bytes, max_input_depth, max_input_documents,
 * max_yaml_alias_nodes (NULL: the defaults; rp_checker_new() is
 * rp_checker_new_v2(NULL, err)).  The limits are copied: ENV may be freed
 * before the checker.  Each pack's expressions run within the limits of
 * the environment the pack was loaded with (cost_budget, rule_cost_budget,
 * ...).  An input beyond a limit is an error entry of the report. */
RP_API rp_checker *rp_checker_new_v2(const rp_env *env, rp_error *err);
RP_API void rp_checker_free(rp_checker *c);
/* Add a pack.  RP_EPACK when one of its rule IDs is in a pack already added. */
RP_API int rp_checker_add_pack(rp_checker *c, const rp_pack *pack, rp_error *err);
/* Parameters (YAML or JSON: a mapping of names to values, or an object
 * with such a `spec`), merged over every pack's defaults.  Names no pack
 * declares are reported as errors in the report.  Replaces earlier ones. */
RP_API int rp_checker_set_params(rp_checker *c, const char *text, size_t len,
                                 const char *source, rp_error *err);
/* Objects to check: LEN bytes of YAML (any number of documents) or JSON;
 * `kind: List` and *List objects are expanded.  SOURCE names the input in
 * the report.  A document that cannot be read is an error entry of the
 * report; the others are still checked.  Text longer than the checker's
 * max_input_bytes is not read: RP_ELIMIT, and an error entry. */
RP_API int rp_checker_add_input(rp_checker *c, const char *source, const char *text, size_t len,
                                rp_error *err);
/* A file, "-" for standard input, or a directory (its *.yaml, *.yml and
 * *.json files, recursively, in byte order of their paths).  A file that
 * cannot be read is returned as RP_EIO and also listed in the report. */
RP_API int rp_checker_add_path(rp_checker *c, const char *path, rp_error *err);
/* Run the check.  The checker can be run again (the same inputs). */
RP_API rp_report *rp_checker_run(rp_checker *c, rp_error *err);

/* One-call check of OBJECTS (YAML or JSON text) with one pack.
 * PARAMS: YAML or JSON text, NULL for the pack's defaults. */
RP_API rp_report *rp_pack_check(const rp_pack *pack, const char *objects, size_t len,
                                const char *params, rp_error *err);

/* ------------------------------------------------------------------------ */
/* Reports                                                                   */
/* ------------------------------------------------------------------------ */

RP_API void rp_report_free(rp_report *r);

typedef enum rp_report_format {
    RP_REPORT_TEXT = 0,   /* for people: grouped by file and object, a summary line */
    RP_REPORT_JSON = 1,   /* {"findings": [...], "errors": [...], "summary": {...}} */
    RP_REPORT_SARIF = 2,  /* SARIF 2.1.0 */
    RP_REPORT_JUNIT = 3   /* JUnit XML: one test case per object and rule */
} rp_report_format;
#define RP_REPORT_COLOR 0x1u  /* text: ANSI colours */

/* The report as text in FORMAT.  Free with rp_free().  NULL on OOM or a bad format. */
RP_API char *rp_report_render(const rp_report *r, rp_report_format format, unsigned flags);
/* rp_report_render(r, RP_REPORT_JSON, 0). */
RP_API char *rp_report_to_json(const rp_report *r);

/* Findings: failing validations (and bypassed ones, of break-glassed objects). */
RP_API size_t rp_report_finding_count(const rp_report *r);

typedef enum rp_finding_field {
    RP_FINDING_RULE = 0,      /* "RAY-NET-001" */
    RP_FINDING_SEVERITY,      /* critical | high | medium | low | info */
    RP_FINDING_ACTION,        /* deny | warn | audit */
    RP_FINDING_MESSAGE,
    RP_FINDING_FILE,
    RP_FINDING_API_VERSION,
    RP_FINDING_KIND,
    RP_FINDING_NAMESPACE,     /* NULL when the object has none */
    RP_FINDING_NAME,
    RP_FINDING_PATH,          /* the offending field, or NULL */
    RP_FINDING_BREAK_GLASS    /* the bypass reason, or NULL when not bypassed */
} rp_finding_field;

/* A string field of finding I, borrowed from R; NULL when absent or out of range. */
RP_API const char *rp_report_finding_get(const rp_report *r, size_t i, rp_finding_field f);
/* 0-based document index, 1-based line (0 unknown), bypassed (0/1). */
RP_API unsigned rp_report_finding_document(const rp_report *r, size_t i);
RP_API unsigned rp_report_finding_line(const rp_report *r, size_t i);
RP_API int rp_report_finding_bypassed(const rp_report *r, size_t i);

/* Errors: unreadable inputs, bad parameters, evaluation errors. */
RP_API size_t rp_report_error_count(const rp_report *r);
/* Error I's message and file (borrowed from R; the file is NULL when the
 * error is not about one; both NULL out of range), and its 1-based line
 * and column (0 unknown). */
RP_API const char *rp_report_error_message(const rp_report *r, size_t i);
/* "input" (a file or document could not be read), "params", "pack", or
 * "eval" (a rule could not be evaluated on an object); NULL out of range. */
RP_API const char *rp_report_error_kind(const rp_report *r, size_t i);
RP_API const char *rp_report_error_file(const rp_report *r, size_t i);
RP_API unsigned rp_report_error_line(const rp_report *r, size_t i);
RP_API unsigned rp_report_error_column(const rp_report *r, size_t i);

/* Whether the check fails: any finding that is not bypassed whose rule's
 * action is deny (FAIL_ON NULL), or whose severity is FAIL_ON or more
 * severe, whatever its action.  -1 when FAIL_ON is not a severity name. */
RP_API int rp_report_fails(const rp_report *r, const char *fail_on);

/* ------------------------------------------------------------------------ */
/* Linting packs and running policy test suites                              */
/* ------------------------------------------------------------------------ */

/* Warnings about PACK that loading does not reject: rules that can never
 * match (a kind paired only with an API group that does not serve it, a
 * namespace both included and excluded, operations without CREATE, a
 * matchCondition that is constant false).  One warning a line,
 * "file:line: warning: RULE: ...", "" when there is none.  Free with
 * rp_free(); NULL on OOM. */
RP_API char *rp_pack_lint(const rp_pack *pack);

/* PACK as Kubernetes objects that enforce its single-object rules in a
 * cluster (docs/policy.md, "Exporting to Kubernetes"): a multi-document
 * YAML stream holding a CustomResourceDefinition for the pack's parameter
 * kind (<Name>Params in group raypolicy.io, version v1, cluster-scoped),
 * the parameter object (the pack's defaults with PARAMS merged over them),
 * and per exported rule a ValidatingAdmissionPolicy
 * (admissionregistration.k8s.io/v1) and its ValidatingAdmissionPolicyBinding
 * (validationActions Deny, Warn or Audit after the rule's action).
 * Expressions are rewritten for a cluster (params -> params.spec, cel.bind
 * inlined, variables inlined into matchConditions) and each must compile in
 * the kubernetes profile; a rule that reads inventory (a cross-object rule)
 * or whose expressions do not compile there is left out, with a YAML comment
 * saying why.  PARAMS: PARAMS_LEN bytes of YAML or JSON as for
 * rp_checker_set_params(), or NULL for the defaults; PARAMS_SOURCE names it
 * in errors.  Free with rp_free().  NULL with ERR filled: RP_EINVAL (no
 * pack), RP_EPACK or RP_EYAML (an unreadable parameter file, a parameter the
 * pack does not declare, or one whose type differs from its default; with
 * file:line:column), RP_ENOMEM. */
RP_API char *rp_pack_export_vap(const rp_pack *pack, const char *params, size_t params_len,
                                const char *params_source, rp_error *err);
/* The same objects as one JSON array (without the comments). */
RP_API char *rp_pack_export_vap_json(const rp_pack *pack, const char *params, size_t params_len,
                                     const char *params_source, rp_error *err);

/* The outcome of one policy test suite (docs/policy-tests.md). */
typedef struct rp_test_run rp_test_run;

/* Run the suite in file PATH; packs are compiled with ENV's limits.
 * NULL with ERR filled when the suite cannot be run: RP_ENOTFOUND when
 * PATH is YAML but not a PolicyTest (directory walkers skip those),
 * RP_EPACK/RP_EYAML/RP_EIO with file:line:column otherwise. */
RP_API rp_test_run *rp_test_suite_run(const rp_env *env, const char *path, rp_error *err);
RP_API void rp_test_run_free(rp_test_run *t);
RP_API const char *rp_test_run_suite_name(const rp_test_run *t);
RP_API size_t rp_test_run_case_count(const rp_test_run *t);
RP_API const char *rp_test_run_case_name(const rp_test_run *t, size_t i);
RP_API int rp_test_run_case_passed(const rp_test_run *t, size_t i);
/* Why case I failed (file:line, objects, what happened); NULL when it passed. */
RP_API const char *rp_test_run_case_detail(const rp_test_run *t, size_t i);

#ifdef __cplusplus
}
#endif
#endif /* RAYPOLICY_H */
