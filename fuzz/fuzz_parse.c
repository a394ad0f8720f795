/* fuzz_parse.c -- libFuzzer target: arbitrary bytes as a CEL expression.
 *
 * Covers the lexer, the parser, macro expansion, the checker and the
 * compiler (everything rp_compile does), in the kubernetes profile with
 * declarations enforced and in the extended profile with
 * allow_undeclared, so that both the checked and the unchecked paths run.
 * Everything built is freed: LeakSanitizer reports what is not.
 */
#include <stddef.h>
#include <stdint.h>

#include "raypolicy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Compile DATA in one environment; the result is irrelevant, only that it
 * returns (an error or a program) without a sanitizer report. */
static void compile_in(rp_profile profile, int allow_undeclared, const uint8_t *data, size_t size)
{
    rp_env_options opts;
    rp_env_options_init(&opts);
    opts.profile = profile;
    opts.allow_undeclared = allow_undeclared;
    rp_error err = {0};
    rp_env *env = rp_env_new(&opts, &err);
    if (env == NULL)
        return;
    rp_program *prog = NULL;
    if (rp_compile(env, (const char *)data, size, &prog, &err) == 0) {
        char *dis = rp_program_disassemble(prog);
        rp_free(dis);
    }
    rp_program_free(prog);
    rp_env_free(env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    compile_in(RP_PROFILE_KUBERNETES, 0, data, size);
    compile_in(RP_PROFILE_EXTENDED, 1, data, size);
    return 0;
}
