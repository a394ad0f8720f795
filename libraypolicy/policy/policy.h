/* policy.h -- the policy layer's internal contracts: compiled packs, the
 * objects of a check, matching, parameters, and the engine.
 *
 * The files, in the order a check goes through them:
 *   yaml_doc.c      YAML/JSON text -> documents with positions (yaml_doc.h)
 *   pack.c          a pack document -> struct rp_pack (every expression
 *                   compiled once, every error with file:line:column)
 *   pack_builtin.c  the packs compiled into the library
 *   objects.c       documents -> the objects of a check (List expansion,
 *                   identity, break-glass)
 *   params.c        pack defaults + user parameter file -> params per pack
 *   match.c         does a rule select an object (resources, namespaces,
 *                   label selectors, operations)
 *   engine.c        struct rp_checker: inputs, packs, params -> rp_report
 *   report*.c       the report and its writers (report.h)
 *   api_policy.c    the public rp_pack_* / rp_checker_* / rp_report_* API
 *   file_read.c     a file or standard input, whole, within a size limit
 */
#ifndef RPI_POLICY_POLICY_H
#define RPI_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "internal.h"
#include "policy/report.h"
#include "policy/yaml_doc.h"

/* ---- Files (file_read.c) ---------------------------------------------------- */

/* The whole of file PATH ("-": standard input), malloc'd and
 * NUL-terminated, its length in *LEN.  NULL with errno set: EFBIG when it
 * holds more than MAX bytes (a regular file is refused before it is read;
 * of a stream at most MAX + 1 bytes are held), ENOMEM, or what open(),
 * fstat() or read() said (EISDIR for a directory). */
char *rpi_read_file(const char *path, size_t max, size_t *len);

/* ---- Compiled packs (pack.c) ------------------------------------------------ */

/* A compiled expression and where it came from, for errors. */
typedef struct rpi_pexpr {
    rp_program *prog;
    char *text;             /* the expression as written */
    unsigned line, column;  /* of the expression in the pack file */
    char *where;            /* "validations[0].expression", for messages */
    /* Indexes (into the rule's variables) of the variables this expression
     * reads, directly or through other variables, in definition order. */
    unsigned *needs;
    size_t n_needs;
    /* `variables` is used whole (passed, indexed, iterated), not only as
     * variables.name: the engine then binds a map of just the variables
     * computed so far. */
    bool reads_all_variables;
} rpi_pexpr;

typedef struct rpi_named_expr {
    char *name;
    rpi_pexpr expr;
} rpi_named_expr;

typedef struct rpi_validation {
    rpi_pexpr expr;
    char *message;              /* NULL: "failed expression: <expr>" */
    rpi_pexpr message_expr;     /* prog NULL when absent */
    char *path;                 /* NULL when absent */
    char *reason;               /* NULL when absent */
} rpi_validation;

/* A label selector (matchLabels + matchExpressions), as metav1.LabelSelector. */
typedef enum rpi_sel_op { RPI_SEL_IN, RPI_SEL_NOT_IN, RPI_SEL_EXISTS, RPI_SEL_DOES_NOT_EXIST } rpi_sel_op;
typedef struct rpi_sel_req {
    char *key;
    rpi_sel_op op;
    char **values;
    size_t n_values;
} rpi_sel_req;
typedef struct rpi_selector {
    bool present;           /* false: selects everything */
    rpi_sel_req *reqs;      /* matchLabels become In requirements */
    size_t n_reqs;
} rpi_selector;

typedef struct rpi_resource_rule {
    char **api_groups;  size_t n_api_groups;   /* empty: any */
    char **api_versions; size_t n_api_versions;
    char **kinds;       size_t n_kinds;
    char **operations;  size_t n_operations;
    char **names;       size_t n_names;        /* resourceNames */
} rpi_resource_rule;

typedef struct rpi_match {
    rpi_resource_rule *resources;   /* any of them; none: every object */
    size_t n_resources;
    char **ns_include;  size_t n_ns_include;   /* empty: every namespace */
    char **ns_exclude;  size_t n_ns_exclude;
    rpi_selector namespace_selector;
    rpi_selector object_selector;
} rpi_match;

typedef struct rpi_rule {
    char *id, *title, *description, *remediation;
    char **references;  size_t n_references;
    rpi_severity severity;
    rpi_action action;
    unsigned line;                  /* of the rule in the pack file */
    rpi_match match;
    rpi_named_expr *conditions;     size_t n_conditions;
    rpi_named_expr *variables;      size_t n_variables;
    rpi_validation *validations;    size_t n_validations;
} rpi_rule;

struct rp_pack {
    char *name, *version, *description;
    char *source;                   /* file name, or "builtin:<name>" */
    rp_profile profile;             /* what its expressions need */
    rp_env *env;                    /* the environment they were compiled in
                                       (owned: the pack's profile, the
                                       caller's limits) */
    json_t *params;                 /* defaults (object, owned) */
    rpi_rule *rules;
    size_t n_rules;
};

/* Load a pack from TEXT.  SOURCE names it in errors. */
rp_pack *rpi_pack_load(const rp_env *env, const char *text, size_t len, const char *source,
                       rp_error *err);

/* The YAML text of a built-in pack, or NULL. */
const char *rpi_pack_builtin_text(const char *name, size_t *len);
/* The names of the built-in packs, NULL-terminated. */
const char *const *rpi_pack_builtin_names(void);

/* ---- Objects of a check (objects.c) ---------------------------------------- */

typedef struct rpi_object {
    json_t *json;               /* the object (a reference is held) */
    const rpi_docset *docs;     /* its stream (for positions) */
    const json_t *root;         /* the document root it lies in */
    size_t input;               /* index of its input */
    unsigned document;
    unsigned item;
    bool in_list;
    unsigned line;
    const char *api_version, *kind, *namespace_, *name;  /* views into json */
    const char *group, *version;  /* split apiVersion (owned by the object) */
    char *group_buf;
    const char *break_glass;    /* the annotation's value, or NULL */
    size_t report_index;        /* its index in the report's objects */
} rpi_object;

/* Fill OBJ's identity fields from OBJ->json. 0 or RP_ENOMEM. */
int rpi_object_describe(rpi_object *obj);
void rpi_object_release(rpi_object *obj);
/* Whether KIND is cluster-scoped among the kinds this library knows. */
bool rpi_kind_cluster_scoped(const char *api_group, const char *kind);

/* ---- Parameters (params.c) --------------------------------------------------- */

/* Read a parameter file (YAML or JSON; a plain mapping of parameter names,
 * or an object with a `spec` mapping).  0 and *OUT (a new object), or an
 * RP_E* code with ERR filled (file:line:column). */
int rpi_params_read(const char *text, size_t len, const char *source, json_t **out,
                    rp_error *err);
/* added by limits: rpi_params_read within LIMITS (NULL: the defaults). */
int rpi_params_read_limited(const char *text, size_t len, const char *source,
                            const rpi_yaml_limits *limits, json_t **out, rp_error *err);
/* DEFAULTS with USER merged over them (objects merge key by key, anything
 * else replaces).  NULL on OOM. */
json_t *rpi_params_merge(const json_t *defaults, const json_t *user);

/* ---- Matching (match.c) ------------------------------------------------------ */

/* Does M select OBJ (NS_OBJ: the object's Namespace, or NULL)? */
bool rpi_match_object(const rpi_match *m, const rpi_object *obj, const json_t *ns_obj);
/* Does SEL select an object with LABELS (a JSON object or NULL)? */
bool rpi_selector_matches(const rpi_selector *sel, const json_t *labels);
void rpi_match_clear(rpi_match *m);

#endif
