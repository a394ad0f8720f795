/* report.h -- the findings of one check (struct rp_report) and the writers
 * that turn them into text, JSON, SARIF 2.1.0 and JUnit XML.
 *
 * A report owns copies of everything it holds (strings, rule descriptions),
 * so it outlives the packs and inputs it was made from.  It is built by the
 * engine (engine.c) in a fixed order -- inputs in the order given, documents
 * in stream order, rules in pack order -- so every writer's output is
 * deterministic.
 *
 * What is in it:
 *   rules     every rule of every pack of the check (for SARIF's
 *             tool.driver.rules and for help text)
 *   objects   every object that was checked (one per document, or per item
 *             of a `kind: List`)
 *   results   one per (object, rule) whose match selected the object: the
 *             outcome (pass, fail, bypassed, error); JUnit makes one test
 *             case of each
 *   findings  one per failing validation (fail or bypassed outcomes):
 *             what `check` prints
 *   errors    everything that could not be checked or evaluated: unreadable
 *             files and documents, bad parameters, evaluation errors (with
 *             the object and rule they belong to)
 */
#ifndef RPI_POLICY_REPORT_H
#define RPI_POLICY_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "raypolicy.h"

typedef enum rpi_severity {
    RPI_SEV_CRITICAL = 0,
    RPI_SEV_HIGH,
    RPI_SEV_MEDIUM,
    RPI_SEV_LOW,
    RPI_SEV_INFO,
    RPI_SEV__COUNT
} rpi_severity;

typedef enum rpi_action {
    RPI_ACT_DENY = 0,
    RPI_ACT_WARN,
    RPI_ACT_AUDIT,
    RPI_ACT__COUNT
} rpi_action;

typedef enum rpi_outcome {
    RPI_OUT_PASS = 0,       /* every validation true */
    RPI_OUT_FAIL,           /* some validation false */
    RPI_OUT_BYPASSED,       /* would fail, but the object is break-glassed */
    RPI_OUT_ERROR           /* a matchCondition, variable or validation
                               could not be evaluated */
} rpi_outcome;

/* "critical", "deny", "fail", ...; NULL for out-of-range values. */
const char *rpi_severity_name(rpi_severity s);
const char *rpi_action_name(rpi_action a);
const char *rpi_outcome_name(rpi_outcome o);
/* Parse a name; -1 when unknown. */
int rpi_severity_parse(const char *name);
int rpi_action_parse(const char *name);

typedef struct rpi_report_rule {
    char *id;               /* "RAY-NET-001" */
    char *title;
    char *pack;             /* metadata.name of its pack */
    char *remediation;      /* may be NULL */
    char **references;      /* n_references strings */
    size_t n_references;
    rpi_severity severity;
    rpi_action action;
} rpi_report_rule;

typedef struct rpi_report_object {
    char *file;             /* as given: a path, or "-" / "<stdin>" */
    unsigned document;      /* 0-based document index in its file */
    unsigned item;          /* index in a List's items, else 0 */
    bool in_list;           /* came from a `kind: List` / *List object */
    unsigned line;          /* where the object starts; 0 unknown */
    char *api_version, *kind, *namespace_, *name;  /* NULL when absent */
    char *break_glass;      /* the raypolicy/break-glass reason, or NULL */
} rpi_report_object;

typedef struct rpi_report_result {
    size_t object;          /* index into objects */
    size_t rule;            /* index into rules */
    rpi_outcome outcome;
} rpi_report_result;

typedef struct rpi_report_finding {
    size_t object;          /* index into objects */
    size_t rule;            /* index into rules */
    bool bypassed;          /* break-glass: reported, does not fail */
    unsigned validation;    /* 0-based index of the failing validation */
    char *message;
    char *path;             /* the offending field, or NULL */
    unsigned line, column;  /* of the offending field when path resolves,
                               else of the object; 0 unknown */
} rpi_report_finding;

typedef enum rpi_error_kind {
    RPI_ERRK_INPUT = 0,     /* a file or document could not be read */
    RPI_ERRK_PARAMS,        /* the parameter file is bad */
    RPI_ERRK_EVAL,          /* a rule could not be evaluated on an object */
    RPI_ERRK_PACK           /* a pack problem found while checking */
} rpi_error_kind;

typedef struct rpi_report_error {
    rpi_error_kind kind;
    int code;               /* RP_E* */
    char *file;             /* NULL when not about a file */
    unsigned document;      /* valid when has_document */
    bool has_document;
    unsigned line, column;  /* 0 unknown */
    size_t object;          /* valid when has_object */
    bool has_object;
    size_t rule;            /* valid when has_rule */
    bool has_rule;
    char *message;
} rpi_report_error;

typedef struct rpi_report_summary {
    size_t files, documents, objects, rules;
    size_t results;         /* (object, rule) pairs evaluated */
    size_t passed, failed, bypassed, errored;  /* results by outcome */
    size_t findings_by_severity[RPI_SEV__COUNT]; /* not bypassed */
    size_t errors;
} rpi_report_summary;

struct rp_report {
    rpi_report_rule *rules;       size_t n_rules,    cap_rules;
    rpi_report_object *objects;   size_t n_objects,  cap_objects;
    rpi_report_result *results;   size_t n_results,  cap_results;
    rpi_report_finding *findings; size_t n_findings, cap_findings;
    rpi_report_error *errors;     size_t n_errors,   cap_errors;
    rpi_report_summary summary;   /* kept up to date by the add functions */
    char *tool_version;           /* rp_version() at creation */
};

/* ---- Building (report.c) ---------------------------------------------------- */

rp_report *rpi_report_new(void);
void rpi_report_free(rp_report *r);
/* Each add copies its strings; returns the new index, or (size_t)-1 when out
 * of memory (the report stays valid and consistent). */
size_t rpi_report_add_rule(rp_report *r, const rpi_report_rule *rule);
size_t rpi_report_add_object(rp_report *r, const rpi_report_object *obj);
size_t rpi_report_add_result(rp_report *r, const rpi_report_result *res);
size_t rpi_report_add_finding(rp_report *r, const rpi_report_finding *f);
size_t rpi_report_add_error(rp_report *r, const rpi_report_error *e);
/* Count a file / document as seen (for the summary). */
void rpi_report_count_file(rp_report *r);
void rpi_report_count_document(rp_report *r);

/* Would the check fail at FAIL_ON: any non-bypassed finding of a severity at
 * least as severe as FAIL_ON (RPI_SEV_CRITICAL is the most severe) whose
 * rule's action is deny, or, when any_action, of any action. */
bool rpi_report_fails(const rp_report *r, rpi_severity fail_on, bool any_action);

/* ---- Writers (report_text.c, report_json.c, report_sarif.c, report_junit.c) -- */

typedef struct rpi_text_options {
    bool color;             /* ANSI colours (the caller decides: a terminal) */
    bool show_passed;       /* also list (object, rule) pairs that passed */
} rpi_text_options;

/* Each returns a malloc'd NUL-terminated string, or NULL when out of memory. */
char *rpi_report_to_text(const rp_report *r, const rpi_text_options *opts);
/* {"findings": [...], "errors": [...], "summary": {...}} as DESIGN.md says;
 * also "results" (every (object, rule) outcome). */
char *rpi_report_to_json(const rp_report *r);
char *rpi_report_to_sarif(const rp_report *r);
char *rpi_report_to_junit(const rp_report *r);

/* added by report: what the add functions guarantee the writers.  An add
 * also returns (size_t)-1, changing nothing, for an entry that would break
 * the report: an object or rule index out of range, a value outside its
 * enum, a rule without an id, a NULL in references.  Every string is
 * stored as valid UTF-8 (each byte that is not part of a valid sequence
 * becomes U+FFFD), so the writers never meet text JSON cannot carry. */

/* added by report: a growable text buffer the writers share (report.c).
 * Start from {0}; after an allocation fails every call is a no-op and
 * oom stays set, so a writer checks once, at the end. */
typedef struct rpi_report_buf {
    char *p;
    size_t len, cap;
    bool oom;
} rpi_report_buf;

void rpi_report_buf_put(rpi_report_buf *b, const char *s, size_t n);
void rpi_report_buf_puts(rpi_report_buf *b, const char *s);
void rpi_report_buf_printf(rpi_report_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The NUL-terminated text (the caller frees it), or NULL when an
 * allocation failed; B is empty again either way. */
char *rpi_report_buf_finish(rpi_report_buf *b);
/* ROOT as indented JSON text with a final newline (the JSON and SARIF
 * writers); NULL when an allocation failed. */
char *rpi_report_json_text(const json_t *root);

/* added by reliability */
/* json_dumps(J, FLAGS) into our own memory; NULL when memory runs out.
 * jansson 2.14's json_dumps can drop an object key when an allocation
 * fails and still return the text (dump.c ignores dump_string's result);
 * a sink that remembers the failure does not. */
char *rpi_report_json_dumps(const json_t *j, size_t flags);

#endif
