/* engine.h -- struct rp_checker: what a check is made of before it runs
 * (engine.c fills and runs it; api_policy.c adds files and directories). */
#ifndef RPI_POLICY_ENGINE_H
#define RPI_POLICY_ENGINE_H

#include "policy/policy.h"

typedef struct rpi_input {
    char *name;             /* file name as given, or the caller's source */
    rpi_docset docs;        /* its documents (empty when unreadable) */
    char *error;            /* NULL, or why the input could not be read */
    int error_code;
} rpi_input;

typedef struct rpi_param_pos {
    unsigned line, column;  /* of each user parameter, in object order */
} rpi_param_pos;

struct rp_checker {
    const rp_pack **packs;  /* borrowed: they must outlive the checker */
    size_t n_packs;
    rpi_input *inputs;
    size_t n_inputs, cap_inputs;
    json_t *user_params;    /* NULL: the packs' defaults */
    char *params_source;
    rpi_param_pos *param_pos;
    /* added by limits: what inputs and parameters are read within (the
     * environment of rp_checker_new_v2, else the defaults) */
    rpi_yaml_limits limits;
};

/* Record an input that could not even be read (a missing file), so that
 * the report lists it among the others.  0 or RP_ENOMEM. */
int rpi_checker_add_unreadable(rp_checker *c, const char *source, int code, const char *message);

#endif
