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
    unsigned max_nesting_depth;    /* parser recursion; default 250 */
    uint64_t cost_budget;          /* per evaluation; default 1000000
                                      (Kubernetes' per-expression limit) */
    size_t max_eval_memory;        /* bytes the evaluation arena may use;
                                      default 64 MiB */
} rp_env_options;

RP_API void rp_env_options_init(rp_env_options *opts);

/* A new environment.  OPTS may be NULL for the Kubernetes defaults.
 * Returns NULL on failure with ERR filled (RP_EINVAL, RP_ENOMEM).
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
 * replaces the earlier value.  Codes: RP_EJSON RP_ENOMEM RP_EINVAL */
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

#ifdef __cplusplus
}
#endif
#endif /* RAYPOLICY_H */
