/* internal.h -- declarations shared between the library's files (rpi_*).
 *
 * The pipeline, file by file:
 *   grammar/lexer.re   bytes -> tokens with byte spans
 *   grammar/parser.y   tokens -> AST (ast.h), syntax errors with spans
 *   macros.c           has/all/exists/exists_one/map/filter -> comprehensions
 *   check.c            declared names, known functions, arity, literal types
 *   compile.c          AST -> bytecode (opcodes.def), constant pool
 *   vm.c               runs bytecode against an activation
 *   registry.c         the function libraries (lib/ files) and the profiles
 *   api_expr.c         the public functions of raypolicy.h
 */
#ifndef RPI_INTERNAL_H
#define RPI_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "raypolicy.h"
#include "ast.h"
#include "value.h"

#define RPI_UNUSED(x) ((void)(x))

/* ---- Errors (error.c) ------------------------------------------------------ */

/* A compile diagnostic before it is rendered: code, span, message. */
typedef struct rpi_diag {
    int code;           /* RP_E* */
    rpi_span span;      /* where; {0,0} when unknown */
    bool has_span;
    char message[400];
} rpi_diag;

void rpi_diag_set(rpi_diag *d, int code, const rpi_span *span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fill ERR (may be NULL; first error wins: an ERR whose code is already
 * non-zero is left alone) with CODE, SOURCE and a formatted message. */
void rpi_error_set(rp_error *err, int code, const char *source, unsigned line,
                   unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Clear ERR to "no error" (code 0, empty strings). */
void rpi_error_clear(rp_error *err);

/* ---- Source text (source.c) ------------------------------------------------ */

/* The 1-based line and column (in code points) of byte OFFSET of TEXT. */
void rpi_source_locate(const char *text, size_t len, uint32_t offset,
                       unsigned *line, unsigned *column);
/* Render a diagnostic the cel-go way into ERR:
 *   ERROR: <expression>:1:9: found no matching overload for '_+_' ...
 *    | size(x) + "a"
 *    | ........^
 * message = "<source>:<line>:<col>: <msg>\n | <line text>\n | <dots>^"
 * (line and column also go into ERR's fields; code is D->code). */
void rpi_source_report(rp_error *err, const char *source_name, const char *text,
                       size_t len, const rpi_diag *d);

/* ---- Parsing (grammar/parser.y, grammar/lexer.re, literal.c) ---------------- */

typedef struct rpi_parse_options {
    size_t max_length;        /* bytes of expression text */
    unsigned max_depth;       /* nesting depth (parentheses, calls, members...) */
    bool enable_optional_syntax; /* a.?b, a[?b], [?x], {?k: v} (cel-go's
                                    EnableOptionalSyntax); when false these are
                                    syntax errors */
    /* added by front end: reject back-quoted field names (a.`b-c`,
     * Msg{`f`: 1}) with "unsupported syntax: '`'", as cel-go does unless
     * EnableIdentifierEscapeSyntax is set (Kubernetes does not set it; the
     * cel-spec conformance suite uses them).  false: accepted. */
    bool disable_escaped_idents;
} rpi_parse_options;

/* Parse TEXT into an AST allocated in B->pool.  Returns the root, or NULL
 * with DIAG filled (RP_ESYNTAX, RP_ELIMIT or RP_ENOMEM).  Reserved words,
 * invalid literals and escape sequences, and invalid UTF-8 are syntax errors.
 * Macros are not expanded here. */
ast_node *rpi_parse(rpi_ast_builder *b, const char *text, size_t len,
                    const rpi_parse_options *opts, rpi_diag *diag);

/* Decode the body of a string or bytes literal (without its quotes and
 * prefix) with CEL's escapes.  RAW: no escape processing.  IS_BYTES: \x and
 * octal escapes produce single bytes and \u is an error.  On success returns
 * a pool string and sets *OUT_LEN; on failure NULL, with *ERR_OFFSET the
 * offset in BODY of the bad escape and *ERR_MSG a static message. */
char *rpi_literal_string(rpi_pool *pool, const char *body, size_t len, bool raw,
                         bool is_bytes, size_t *out_len, size_t *err_offset,
                         const char **err_msg);
/* Decode integer literals (decimal or 0x hex, with optional leading '-'
 * handled by the parser as part of the literal for INT64_MIN).  0 on success;
 * -1 on overflow/invalid. */
int rpi_literal_int(const char *text, size_t len, bool negative, int64_t *out);
int rpi_literal_uint(const char *text, size_t len, uint64_t *out); /* without the u suffix */
int rpi_literal_double(const char *text, size_t len, double *out);

/* ---- Macros (macros.c) ------------------------------------------------------- */

/* Rewrite macro calls in place (a new root may be returned).  NULL + DIAG on
 * a malformed macro ("all() variable name must be a simple identifier"). */
ast_node *rpi_macros_expand(rpi_ast_builder *b, ast_node *root, int profile,
                            rpi_diag *diag);

/* ---- Function registry (registry.c and lib/) --------------------------------- */

/* Profile bits. */
#define RPI_PROF_CEL  0x1u
#define RPI_PROF_K8S  0x2u
#define RPI_PROF_EXT  0x4u
#define RPI_PROF_ALL  (RPI_PROF_CEL | RPI_PROF_K8S | RPI_PROF_EXT)
#define RPI_PROF_K8S_EXT (RPI_PROF_K8S | RPI_PROF_EXT)

/* How a function may be called. */
#define RPI_GLOBAL   0x1u   /* f(a, b) */
#define RPI_RECEIVER 0x2u   /* a.f(b): args[0] is a */

/* One callable: a name, a call style and an arity (receiver counted).  The
 * implementation dispatches on the run-time kinds of its arguments; SIGS
 * lists the typed overloads for the checker and the documentation, in the
 * form "<overload id>: <param types> -> <result type>", e.g.
 *   "contains_string: string, string -> bool"
 * with types int uint double bool string bytes null_type type dyn timestamp
 * duration list(T) map(K,V) optional(T), and single capital letters as type
 * parameters ("size_list: list(A) -> int").  For receiver style the first
 * param is the receiver. */
typedef struct rpi_func {
    const char *name;
    uint8_t style;          /* RPI_GLOBAL | RPI_RECEIVER */
    uint8_t argc;           /* including the receiver */
    uint8_t profiles;       /* RPI_PROF_* bits; 0 means "those of the library" */
    rpi_fn impl;
    const char *const *sigs;   /* NULL-terminated */
    uint32_t cost;          /* fixed cost of a call, beyond any the function
                               adds itself through rpi_charge() */
    /* When several libraries define the same (name, style, argc) -- the
     * string and the list `indexOf`, the Quantity and the Semver
     * `isGreaterThan` -- each sets the type its first argument must have,
     * and the call is dispatched on it at run time.  NULL: any type (tried
     * after the typed entries). */
    const rpi_type *arg0_type;
} rpi_func;

/* The entries a call site was bound to: one, or several dispatched on the
 * type of the first argument. */
#define RPI_MAX_CANDIDATES 6
typedef struct rpi_callable {
    const rpi_func *cand[RPI_MAX_CANDIDATES];
    unsigned n;
} rpi_callable;

typedef struct rpi_library {
    const char *name;       /* "std", "strings", "quantity", ... */
    uint8_t profiles;       /* default profile bits of its functions */
    const rpi_func *funcs;
    size_t nfuncs;
} rpi_library;

/* Charge COST units to the evaluation; false (and cx->limit_hit set) when
 * the budget is exceeded: the function should then return an error value
 * at once. */
bool rpi_charge(rpi_ctx *cx, uint64_t cost);

/* Find the function NAME callable with STYLE and ARGC in PROFILE; NULL if
 * none.  Within a profile (name, style, argc) is unique. */
const rpi_func *rpi_registry_find(unsigned profile_bit, const char *name,
                                  unsigned style, unsigned argc);
/* Every entry for (NAME, STYLE, ARGC) in PROFILE, typed ones first; returns
 * how many were written to OUT (at most MAX). */
size_t rpi_registry_find_all(unsigned profile_bit, const char *name, unsigned style,
                             unsigned argc, const rpi_func **out, size_t max);
/* Whether NAME exists at all in PROFILE (any style/arity), and the bits of
 * the profiles that have it in any form (for "only in extended" errors). */
bool rpi_registry_has_name(unsigned profile_bit, const char *name);
unsigned rpi_registry_profiles_of(const char *name);
/* Iterate every library (for docs and tests). */
const rpi_library *const *rpi_registry_libraries(size_t *count);

/* ---- Environments (env.c) ------------------------------------------------------ */

struct rp_env {
    rp_profile profile;
    unsigned profile_bit;       /* RPI_PROF_* */
    char **variables;           /* NULL-terminated, owned */
    size_t nvariables;
    unsigned max_name_parts;    /* dotted parts of the longest variable or
                                   type name (net.IP: 2): the compiler tries
                                   no longer prefix of a selection chain */
    uint64_t dotted_heads;      /* rpi_name_head_bit() of every dotted
                                   variable or type name: a chain whose
                                   first part has no bit here can only
                                   name a one-part variable */
    bool allow_undeclared;
    bool disable_macros;
    size_t max_expression_length;
    unsigned max_nesting_depth;
    uint64_t cost_budget;
    size_t max_eval_memory;
    /* added by limits: the rest of rp_env_options' limits, defaults
     * applied (never 0); docs/limits.md */
    size_t max_ast_nodes;
    size_t max_program_size;
    uint64_t rule_cost_budget;
    size_t max_string_size;
    size_t max_list_size;
    size_t max_regex_length;
    uint64_t regex_match_limit;
    uint64_t max_comprehension_iterations;
    size_t max_input_bytes;
    unsigned max_input_depth;
    size_t max_input_documents;
    size_t max_yaml_alias_nodes;
    size_t max_pack_bytes;
};

/* Whether NAME (LEN bytes) is a declared variable of ENV. */
bool rpi_env_has_variable(const rp_env *env, const char *name, size_t len);
/* The index of declared variable NAME in ENV's list, or -1: programs and
 * activations meet on these indices, so an evaluation finds its variables
 * without comparing names. */
int32_t rpi_env_variable_index(const rp_env *env, const char *name, size_t len);

/* ---- Arena (arena.c) ----------------------------------------------------------- */

rpi_arena *rpi_arena_new(size_t limit);
void rpi_arena_free(rpi_arena *a);
/* Forget every allocation but keep the chunks for reuse. */
void rpi_arena_reset(rpi_arena *a);
/* NULL on OOM or beyond the limit. */
void *rpi_arena_alloc(rpi_arena *a, size_t size);
/* Bytes handed out since the last reset, and heap allocations made ever
 * (for benchmarks). */
size_t rpi_arena_used(const rpi_arena *a);
uint64_t rpi_arena_mallocs(const rpi_arena *a);

/* ---- Regular expressions (regex.c) ------------------------------------------ */

typedef struct rpi_regex rpi_regex;
/* Compile an RE2-syntax PATTERN with PCRE2, rejecting what RE2 rejects
 * (backreferences, lookaround, possessive quantifiers, recursion, ...).
 * NULL with *ERRMSG (static or written into ERRBUF) on failure. */
rpi_regex *rpi_regex_compile(const char *pattern, size_t len, char *errbuf, size_t errlen);
/* A compiled regex is immutable and reference-counted (any thread): _ref
 * takes a reference, _free drops one and frees with the last. */
rpi_regex *rpi_regex_ref(rpi_regex *re);
void rpi_regex_free(rpi_regex *re);
/* As rpi_regex_compile, from this thread's cache of recently compiled
 * patterns: *OWNED says whether the caller must free the result (when it
 * is not in the cache).  A cached regex stays valid until this thread's
 * next call. */
rpi_regex *rpi_regex_compile_cached(const char *pattern, size_t len, char *errbuf, size_t errlen,
                                   bool *owned);
/* 1 match, 0 no match, -1 error (match limit hit: *ERRMSG set). */
int rpi_regex_search(const rpi_regex *re, const char *subject, size_t len,
                     const char **errmsg);

/* ---- Time (time.c) --------------------------------------------------------------- */

/* Valid timestamp range: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z */
#define RPI_TS_MIN_SECONDS (-62135596800LL)
#define RPI_TS_MAX_SECONDS (253402300799LL)
/* Parse an RFC 3339 timestamp.  0 on success. */
int rpi_time_parse_timestamp(const char *s, size_t len, int64_t *sec, int32_t *nanos);
/* Format as RFC 3339 UTC with 0, 3, 6 or 9 fractional digits as needed
 * ("2009-02-13T23:31:30Z"); BUF has at least 40 bytes; returns length. */
size_t rpi_time_format_timestamp(int64_t sec, int32_t nanos, char *buf);
/* Parse a Go-style duration string ("1h2m3.5s", "-1.5s", "300ms").  0 on success. */
int rpi_time_parse_duration(const char *s, size_t len, int64_t *sec, int32_t *nanos);
/* Format as protobuf JSON does ("1.500s", "-3s"); BUF >= 40 bytes. */
size_t rpi_time_format_duration(int64_t sec, int32_t nanos, char *buf);

/* added by time */
/* What the contract above leaves open, as cel-go (Kubernetes) does it:
 *   - rpi_time_format_timestamp / rpi_time_format_duration write the protobuf
 *     JSON forms (typed output).  CEL's string() conversions differ in cel-go
 *     and have their own functions below: string(timestamp) is Go's
 *     RFC3339Nano in the zone the timestamp was written with
 *     ("2009-02-13T23:31:30.5+01:00"), string(duration) is the seconds as Go's
 *     FormatFloat(secs, 'f', -1, 64) + "s" ("1.5s", "0.000000001s").
 *   - Parse functions return 0, RPI_TIME_ESYNTAX (not accepted by Go) or
 *     RPI_TIME_ERANGE (outside the timestamp range / int64 nanoseconds).
 *   - Durations are Go time.Durations: int64 nanoseconds.  Every duration this
 *     library makes satisfies that, so sec * 1e9 + nanos never overflows. */
#define RPI_TIME_ESYNTAX (-1)
#define RPI_TIME_ERANGE  (-2)
/* The largest duration, 9223372036.854775807s, and the smallest, -...808s. */
#define RPI_DUR_MAX_SECONDS 9223372036LL
#define RPI_DUR_MIN_SECONDS (-9223372036LL)

/* As rpi_time_parse_timestamp, and *OFFSET_SECONDS (may be NULL) = the UTC
 * offset written in S (0 for "Z"); *SEC is always the UTC instant. */
int rpi_time_parse_timestamp_at(const char *s, size_t len, int64_t *sec, int32_t *nanos,
                                int32_t *offset_seconds);
/* string(timestamp): Go's RFC3339Nano of the instant shown at OFFSET_SECONDS
 * east of UTC ("Z" when 0).  BUF >= 40 bytes; returns the length. */
size_t rpi_time_timestamp_string(int64_t sec, int32_t nanos, int32_t offset_seconds, char *buf);
/* string(duration), cel-go's way ("6347s", "1.5s", "-0.25s").  BUF >= 40 bytes. */
size_t rpi_time_duration_string(int64_t sec, int32_t nanos, char *buf);
/* Parse as rpi_time_parse_duration into int64 nanoseconds. */
int rpi_time_parse_duration_nanos(const char *s, size_t len, int64_t *out);
/* sec * 1e9 + nanos; false on int64 overflow (only for durations not made here). */
bool rpi_time_duration_nanos(int64_t sec, int32_t nanos, int64_t *out);
/* Nanoseconds -> seconds and nanoseconds of the same sign (Go's d/1e9, d%1e9). */
void rpi_time_duration_split(int64_t ns, int64_t *sec, int32_t *nanos);

/* A broken-down civil time (proleptic Gregorian). */
typedef struct rpi_civil {
    int64_t year;
    int month;          /* 1..12 */
    int day;            /* 1..31 */
    int yday;           /* 0..365 */
    int wday;           /* 0..6, 0 = Sunday */
    int hour, minute, second;
} rpi_civil;
/* The civil time of LOCAL_SECONDS (seconds since 1970-01-01T00:00:00 in the
 * zone of interest, i.e. UTC seconds + offset). */
void rpi_time_civil(int64_t local_seconds, rpi_civil *out);
/* Days from 1970-01-01 to year Y, month M (1..12), day D (1..31). */
int64_t rpi_time_days_from_civil(int64_t y, int m, int d);

/* Time zones (tz.c).  The offset, in seconds east of UTC, of zone TZ (LEN
 * bytes) at the instant UTC_SECONDS, read as cel-go reads the argument of
 * the timestamp getters: text with a ':' is a numeric offset ("+05:30",
 * "-08:00", "02:00": strconv.Atoi on each side of the colon); anything else
 * is a Go time.LoadLocation name: "" and "UTC" are UTC, "Local" is taken as
 * UTC (a server's zone must not change policy results), others are IANA
 * names read from TZif files in $RAYPOLICY_ZONEINFO, else $TZDIR, else
 * /usr/share/zoneinfo, with the file's POSIX TZ rule after its last
 * transition.  Names are checked before any file is opened (no "..", no
 * leading '/', only [A-Za-z0-9_+-/.]).  0 on success; -1 with ERRBUF (ERRLEN
 * bytes) holding cel-go's message ("unknown time zone Mars/Base", "time:
 * invalid location name", "strconv.Atoi: parsing \"x\": invalid syntax").
 * Thread-safe; parsed zones are cached process-wide (immutable, bounded). */
int rpi_tz_offset(const char *tz, size_t len, int64_t utc_seconds, int64_t *offset_seconds,
                  char *errbuf, size_t errlen);

/* ---- Programs (compile.c, program.c) ----------------------------------------- */

typedef struct rpi_insn {
    uint8_t op;         /* opcode (opcodes.def) */
    uint8_t x;          /* small operand (argc, flags) */
    uint16_t a;         /* operand: constant, slot, name index */
    int32_t b;          /* operand: jump offset, function index */
} rpi_insn;

struct rp_program {
    const rp_env *env;
    rpi_insn *code;
    uint32_t ncode;
    val *consts;                /* constant pool */
    uint32_t *khash;            /* rpi_str_hash32 of each string constant
                                   (field names), 0 for the others */
    uint32_t nconsts;
    rpi_callable *funcs;        /* functions called (CALL b), by index */
    uint32_t nfuncs;
    char **names;               /* variable names resolved against the activation
                                   (the strings in POOL) */
    int32_t *name_vars;         /* each name's rpi_env_variable_index, or -1 */
    uint32_t nnames;
    rpi_span *spans;            /* span of each instruction (for errors) */
    uint32_t max_stack;
    uint32_t nlocals;
    rpi_regex **regexes;        /* precompiled constant patterns (MATCH_CONST a) */
    uint32_t nregexes;
    rpi_pool *pool;             /* owns constant strings */
    char *source;               /* a copy of the expression text, in the
                                   program's own block */
    size_t source_len;
};

/* Compile ROOT (macros expanded) into PROG's code.  0 or an RP_E* with DIAG. */
int rpi_compile_ast(rp_program *prog, const ast_node *root, rpi_diag *diag);
/* Dotted parts of the longest type name the compiler knows (net.IP: 2). */
unsigned rpi_type_name_max_parts(void);
/* rpi_name_head_bit() of every dotted type name the compiler knows. */
uint64_t rpi_type_dotted_heads(void);
/* One of 64 bits for the first dotted part of NAME ("net" of "net.IP"). */
static inline uint64_t rpi_name_head_bit(const char *name, size_t len)
{
    const char *dot = memchr(name, '.', len);
    return (uint64_t)1 << (rpi_str_hash32(name, dot ? (size_t)(dot - name) : len) & 63);
}

/* The fields of one variable an expression reads (program.c). */
typedef struct rpi_refs {
    char **names;       /* ROOT.name selections, each once */
    size_t n;
    bool whole;         /* ROOT used other than as ROOT.field (passed whole,
                           indexed with []): any field may be read */
} rpi_refs;

/* rp_compile, and REFS filled with the fields of variable ROOT
 * ("variables") the expression selects.  Free REFS with rpi_refs_free(). */
int rpi_compile_refs(const rp_env *env, const char *expr, size_t len, const char *root,
                     rpi_refs *refs, rp_program **out, rp_error *err);
void rpi_refs_free(rpi_refs *refs);

/* Static checks (check.c): undeclared identifiers, unknown functions and
 * arities, functions outside the profile, literal type errors. */
int rpi_check(const rp_env *env, const ast_node *root, rpi_diag *diag);

/* ---- Activations and the VM (activation.c, vm.c) ------------------------------ */

typedef struct rpi_binding {
    char *name;
    json_t *doc;            /* owned jansson tree (NULL for typed bindings) */
    val v;
    rpi_arena *frozen;      /* V's maps and lists when DOC was frozen
                               (json_freeze.c); reset when NAME is bound
                               again, so rebinding reuses its memory */
} rpi_binding;

struct rp_activation {
    const rp_env *env;
    rpi_binding *bindings;
    size_t nbindings, cap;
    uint32_t *var_binding;  /* per declared variable of ENV: index + 1 of
                               its binding, 0 when it is not bound */
    struct rpi_list_index *indexes; /* of bound lists (list_index.c) */
    rpi_arena *bind_arena;  /* storage of typed bindings: lives until clear */
    rpi_arena *arena;       /* evaluation arena, reset per evaluation */
    val *frame;             /* VM stack, then locals, then variables:
                               grown to the largest program run */
    size_t frame_cap;       /* in vals */
    struct rpi_iter *iters; /* comprehension iterators, one per local */
    size_t iters_cap;
};

/* Bind NAME to V without parsing: V may view into DOC (a reference is
 * taken; DOC may be NULL) or into the activation's evaluation arena (then
 * it is valid until the arena is reset).  A jansson view (a REP_JSON map or
 * list) is frozen into the binding's own memory.  The policy engine binds
 * each object this way.  0 or RP_ENOMEM. */
int rpi_activation_bind_val(rp_activation *act, const char *name, json_t *doc, val v);

/* ---- Indexes of bound lists (list_index.c) ---------------------------------- */

/* INDEX_SUBSET: the elements of RANGE (the list bound at position BINDING
 * of ACT) that can satisfy conjunct i with KEYS[i] for every spec of PATHS:
 * [optional, D, f1, ..., fk] for PATH(x) == KEYS[i] (x.?f1...?fk.orValue(D)
 * when optional, else x.f1...fk), or [LIST, PATH] for LIST(x).exists(s,
 * PATH(s) == KEYS[i] && ...) (list_index.c says it all); RANGE itself when
 * no index applies.  The index is built on first use. */
val rpi_list_index_subset(rp_activation *act, size_t binding, const rpi_list *paths, val range,
                          const val *keys);
/* Free the indexes of the binding at position BINDING (SIZE_MAX: all). */
void rpi_list_index_drop(rp_activation *act, size_t binding);

/* Look up a bound variable; false if NAME is not bound. */
bool rpi_activation_lookup(const rp_activation *act, const char *name, val *out);

/* Run PROG.  Returns RP_OK with *RESULT (possibly an error value; its span in
 * *ERR_SPAN), or RP_ELIMIT/RP_ENOMEM with CX->limit_msg. */
int rpi_vm_run(const rp_program *prog, rp_activation *act, rpi_ctx *cx,
               val *result, rpi_span *err_span);

/* The bytecode as text, one instruction a line (opcodes.c); malloc'd. */
char *rpi_opcodes_disassemble(const rp_program *prog);

/* ---- Values handed to the caller (value_api.c) -------------------------------- */

/* A deep copy of V out of the arena into one malloc'd rp_value. */
rp_value *rpi_value_export(val v);

/* added by k8s libs */
/* The types of the Kubernetes libraries' opaque values (lib/k8s_*.c). */
extern const rpi_type rpi_type_k8s_quantity;
extern const rpi_type rpi_type_k8s_ip, rpi_type_k8s_cidr;
extern const rpi_type rpi_type_k8s_url;
extern const rpi_type rpi_type_k8s_semver;
/* string() of a net.IP or net.CIDR value (lib/k8s_ip.c): Go's
 * netip.Addr.String() / Prefix.String() into BUF (at least 64 bytes),
 * NUL-terminated; returns the length, or 0 when V is neither type. */
size_t rpi_k8s_ip_string(val v, char *buf);
/* regex.c: as rpi_regex_search, from byte offset START (earlier text still
 * seen by \b and ^), with the match's byte span in *MSTART, *MEND. */
int rpi_regex_find(const rpi_regex *re, const char *subject, size_t len, size_t start,
                   size_t *mstart, size_t *mend, const char **errmsg);

/* added by k8s format */
/* The type of format.named() / format.<name>() values (lib/k8s_format.c). */
extern const rpi_type rpi_type_k8s_format;
/* Go's url.ParseRequestURI(S) (lib/k8s_url.c), for format.uri(): the null
 * value when S parses, else the error as Go prints it, a string in CX's
 * arena ("parse \"x\": invalid URI for request"); an error value when
 * memory runs out or S is not a string. */
val rpi_k8s_url_request_uri_error(rpi_ctx *cx, val s);

/* added by reliability */
/* RC of an evaluation in CX whose result is RESULT, or RP_ENOMEM when it
 * ran out of memory: the VM stopped (RP_ELIMIT with limit_msg "out of
 * memory"), or a function returned the "out of memory" error value as
 * the result.  A failed allocation is neither a limit nor a CEL error. */
int rpi_eval_status(const rpi_ctx *cx, int rc, val result);

/* added by limits */
/* The limits of ENV (NULL: the defaults) in options made by
 * rp_env_options_init(): what a pack's own environment copies from the
 * caller's (env.c). */
void rpi_env_limits_to_options(const rp_env *env, rp_env_options *o);
/* Stop the evaluation in CX because a limit was hit (limits.c): limit_hit
 * is set and limit_msg formatted from FMT, unless a limit was hit before
 * (the first one is reported).  The VM then stops with RP_ELIMIT.
 * Returns an error value for the caller to give back.  Messages follow
 * "<what> exceeds limit <option> (<value>)". */
val rpi_limit_stop(rpi_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether the JSON text [TEXT, TEXT+LEN) opens more than MAX nested arrays
 * and objects; if so, *LINE and *COLUMN (1-based, code points) say where
 * the first one too deep opens.  A linear scan that builds nothing. */
bool rpi_json_too_deep(const char *text, size_t len, unsigned max, unsigned *line,
                       unsigned *column);
/* regex.c: rpi_regex_search and rpi_regex_find with BUDGET, the
 * regex_match_limit of the environment, in place of the default; they
 * return RPI_REGEX_ELIMIT (with *ERRMSG) when the match needs more work
 * than the budget allows, where the plain forms return -1. */
#define RPI_REGEX_ELIMIT (-2)
int rpi_regex_search_limited(const rpi_regex *re, const char *subject, size_t len,
                             uint64_t budget, const char **errmsg);
int rpi_regex_find_limited(const rpi_regex *re, const char *subject, size_t len, size_t start,
                           uint64_t budget, size_t *mstart, size_t *mend, const char **errmsg);

#endif /* RPI_INTERNAL_H */
