#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"

long option_number(const char *option, const char *value, long min, long max)
{
    char *end;
    errno = 0;
    long v = value ? strtol(value, &end, 0) : 0;
    if (!value || !*value || *end || errno == ERANGE || v < min || v > max)
        die_input("%s: expected a number from %ld to %ld, got \"%s\"", option, min, max,
                  value ? value : "");
    return v;
}

bool libc_option(int argc, char **argv, int *i, struct libc_choice *c)
{
    const char *opt = argv[*i];
    if (strcmp(opt, "--allow-missing") == 0) {
        c->allow_missing = true;
        return true;
    }
    bool musl = strcmp(opt, "--musl") == 0;
    bool release = musl || strcmp(opt, "--glibc") == 0;
    bool tree = strcmp(opt, "--libc-tree") == 0;
    if (!release && !tree && strcmp(opt, "--libc-root") != 0)
        return false;
    if (c->how != LIBC_CHOICE_HOST)
        die_input("%s: only one --glibc, --musl, --libc-root or --libc-tree per run", opt);
    if (musl) { /* a flag: the value is implied */
        *c = (struct libc_choice){LIBC_CHOICE_RELEASE, "musl", c->allow_missing};
        return true;
    }
    if (*i + 1 >= argc || !argv[*i + 1][0])
        die_input("%s needs a value", opt);
    *c = (struct libc_choice){release ? LIBC_CHOICE_RELEASE
                              : tree  ? LIBC_CHOICE_TREE
                                      : LIBC_CHOICE_ROOT,
                              argv[++*i], c->allow_missing};
    return true;
}

void libc_open_or_exit(const struct libc_choice *c, struct libc_build *out)
{
    char why[1024];
    switch (libc_build_open(c, out, why, sizeof why)) {
    case LIBC_OPEN_OK:
        return;
    case LIBC_OPEN_ABSENT:
        fprintf(stderr, "statictls: %s\n", why);
        exit(EXIT_SKIP);
    case LIBC_OPEN_NOT_BUILT:
        if (c->allow_missing) {
            fprintf(stderr, "statictls: %s (skipped: --allow-missing)\n", why);
            exit(EXIT_SKIP);
        }
        die_input("%s", why);
    case LIBC_OPEN_BAD_INPUT:
        die_input("%s", why);
    }
}

void session_open(struct session *s, const struct libc_choice *c, bool from_user)
{
    memset(s, 0, sizeof *s);
    libc_open_or_exit(c, &s->build);
    if (from_user)
        run_env_from_user(&s->env, &s->build, PROBE_TIMEOUT_S);
    else
        run_env_empty(&s->env, &s->build, PROBE_TIMEOUT_S);
    kit_open(&s->kit, s->build.dir);
}

void session_close(struct session *s)
{
    kit_close(&s->kit);
    run_env_free(&s->env);
    libc_build_free(&s->build);
}
