/* eval.c -- libraypolicy's hello world: compile one CEL expression and
 * evaluate it with a JSON file bound to `object`; print the result as JSON.
 *   usage: eval EXPRESSION FILE.json   (exit 0 result printed, 1 error, 2 usage) */
#include <stdio.h>
#include <string.h>

#include <raypolicy.h>

int main(int argc, char **argv)
{
    static char json[1 << 20];
    FILE *fp = argc == 3 ? fopen(argv[2], "rb") : NULL;
    if (!fp) {
        fprintf(stderr, "usage: eval EXPRESSION FILE.json (a readable file)\n");
        return 2;
    }
    size_t len = fread(json, 1, sizeof json, fp);
    fclose(fp);

    rp_error err = {0};
    rp_env *env = rp_env_new(NULL, &err); /* the Kubernetes profile and limits */
    rp_activation *act = rp_activation_new(env, &err);
    rp_program *prog = NULL;
    rp_value *result = NULL;
    if (rp_compile(env, argv[1], strlen(argv[1]), &prog, &err) == RP_OK &&
        rp_activation_bind_json(act, "object", json, len, &err) == RP_OK &&
        rp_eval(prog, act, &result, &err) == RP_OK) {
        char *text = rp_value_to_json(result, 0);
        printf("%s\n", text ? text : "(out of memory)");
        rp_free(text);
    } else {
        fprintf(stderr, "%s\n", err.message);
    }
    int status = result ? 0 : 1;
    rp_value_free(result);
    rp_program_free(prog);
    rp_activation_free(act);
    rp_env_free(env);
    return status;
}
