/* yaml_doc.h -- reading YAML and JSON streams into jansson documents, the
 * way Kubernetes reads manifests, and remembering where every node was.
 *
 * Kubernetes reads a manifest with sigs.k8s.io/yaml: go-yaml v2 decodes each
 * document into untyped values, which are then turned into JSON.  What that
 * means for the values (the contract this reader keeps):
 *   - scalar resolution is go-yaml v2's (YAML 1.1): plain y/Y/yes/Yes/YES/
 *     on/On/ON/true/True/TRUE are true, n/N/no/No/NO/off/Off/OFF/false/
 *     False/FALSE are false; ~, null, Null, NULL and the empty plain scalar
 *     are null; integers in decimal, 0x hex, 0o and leading-0 octal, 0b
 *     binary, with '_' separators and a sign; integers beyond int64 become
 *     uint64 or else double; floats include .inf/.nan spellings (which JSON
 *     cannot hold: an error, as in Kubernetes); quoted scalars and scalars
 *     with an explicit !!str tag are strings;
 *   - map keys that resolve to non-strings become their string form
 *     (a key `on:` is "true", `1:` is "1"), as sigs.k8s.io/yaml does;
 *   - a duplicate key in one mapping is an error;
 *   - anchors and aliases are expanded; merge keys (`<<: *a`, `<<: [*a, *b]`)
 *     merge, the mapping's own keys winning;
 *   - alias expansion is counted (every node an alias brings in counts, in
 *     O(1) per alias, with the size of the anchored tree precomputed) against
 *     max_alias_nodes, so "billion laughs" documents stop with an error
 *     instead of exhausting memory; nesting deeper than max_depth is an error.
 *
 * One input is a stream of documents, numbered from 0 in the order libyaml
 * reports them: a document that holds only comments, or `---` with nothing
 * after it, is still a document (empty = true, root = NULL).  A document
 * that cannot be read carries its error and position; the documents before
 * it are kept.  A syntax error ends the stream (libyaml cannot resume after
 * one), so nothing after it is read: the error says so.
 *
 * JSON input (text whose first non-blank character is '{' or '[') is read
 * with the same reader -- JSON is YAML's flow subset -- so that JSON gets
 * positions too; JSON escapes YAML 1.1 lacks ("\/") are accepted.
 *
 * Positions are 1-based lines and columns (columns in bytes + 1).  Because
 * jansson shares the true/false/null singletons, a position is looked up by
 * its parent container and the key or index under it, never by node alone.
 */
#ifndef RPI_POLICY_YAML_DOC_H
#define RPI_POLICY_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "raypolicy.h"

/* How a scalar was written; used to map an offset inside a scalar (an
 * expression in a pack) back to a line and column of the file. */
typedef enum rpi_scalar_style {
    RPI_STYLE_NONE = 0,     /* not a scalar: a mapping or a sequence */
    RPI_STYLE_PLAIN,
    RPI_STYLE_SINGLE_QUOTED,
    RPI_STYLE_DOUBLE_QUOTED,
    RPI_STYLE_LITERAL,      /* | */
    RPI_STYLE_FOLDED        /* > */
} rpi_scalar_style;

typedef struct rpi_pos {
    unsigned line, column;      /* where the node starts (for a block scalar:
                                   the line of its first content line and the
                                   column of its content indentation) */
    unsigned key_line, key_column; /* where its key starts (mapping values);
                                      0 for sequence items and roots */
    rpi_scalar_style style;
} rpi_pos;

typedef struct rpi_posmap rpi_posmap;  /* opaque: hash of (parent, key|index) */

typedef struct rpi_doc {
    json_t *root;           /* the document (owned); NULL when empty or bad */
    unsigned index;         /* 0-based document number in its stream */
    unsigned line, column;  /* where the document's content starts (for an
                               empty document: where it was seen) */
    bool empty;             /* no content: only comments, or a bare `---` */
    char *error;            /* NULL, or why this document could not be read
                               (malloc'd, one line, no position inside) */
    unsigned error_line, error_column;
    /* added by limits: RP_ELIMIT when the error is a limit of
     * rpi_yaml_limits (the message names the rp_env_options field), 0 for
     * a document that is not valid YAML */
    int error_code;
} rpi_doc;

typedef struct rpi_docset {
    rpi_doc *docs;          /* n documents, in stream order */
    size_t n;
    rpi_posmap *pos;        /* positions of every node of every document */
    bool truncated;         /* a syntax error ended the stream early */
} rpi_docset;

typedef struct rpi_yaml_limits {
    size_t max_alias_nodes; /* nodes aliases may bring in, per stream;
                               0: default 1000000 */
    unsigned max_depth;     /* nesting of collections; 0: default 1000 */
    /* added by limits */
    size_t max_bytes;       /* bytes of TEXT; 0: default 16 MiB */
    const char *bytes_option; /* the option max_bytes comes from, for the
                               message; NULL: "max_input_bytes" */
    size_t max_documents;   /* documents of the stream; 0: default 10000 */
} rpi_yaml_limits;

/* Read every document of TEXT (LEN bytes; need not be NUL-terminated).
 * LIMITS may be NULL for the defaults.  Returns 0 with OUT filled -- even
 * when some documents are bad: each carries its error -- or RP_ENOMEM /
 * RP_EINVAL with ERR filled, or RP_ELIMIT (added by limits) when TEXT is
 * longer than max_bytes, before anything is read.  A document past
 * max_alias_nodes fails; one past max_depth or max_documents fails and
 * ends the stream; either way its error_code is RP_ELIMIT.  SOURCE names
 * the input in messages. */
int rpi_yaml_read(const char *text, size_t len, const char *source,
                  const rpi_yaml_limits *limits, rpi_docset *out, rp_error *err);

/* added by limits */
/* The limits of ENV (NULL: the defaults) for input: max_input_bytes,
 * max_input_depth, max_input_documents, max_yaml_alias_nodes. */
void rpi_yaml_limits_of(const rp_env *env, rpi_yaml_limits *out);

void rpi_docset_free(rpi_docset *set);

/* The position of PARENT[KEY] (a mapping member: KEY not NULL) or
 * PARENT[INDEX] (a sequence item: KEY NULL).  PARENT NULL with KEY NULL and
 * INDEX the document index asks for a document's root.  NULL when unknown. */
const rpi_pos *rpi_posmap_get(const rpi_posmap *map, const json_t *parent,
                              const char *key, size_t index);

/* The position of the node that PATH names under ROOT.  PATH is a field
 * path as ValidatingAdmissionPolicy writes them: "spec.containers[0].image",
 * "metadata.labels['app.kubernetes.io/name']", "spec.ports[2]"; a leading
 * "object." is skipped.  When the full path does not resolve, the position
 * of its longest prefix that does (so the finding still points near the
 * problem); *EXACT says whether the whole path resolved.  Returns NULL
 * when not even the first step resolves. */
const rpi_pos *rpi_posmap_path(const rpi_posmap *map, const json_t *root,
                               const char *path, bool *exact);

#endif
