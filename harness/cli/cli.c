#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "usage.h"
#include "visible.h"
#include "xalloc.h"

/* The choice one libc row's use makes. */
static struct libc_choice choice_of_use(const struct option_use *u, bool allow_missing)
{
    const char *name = u->row->name;
    if (strcmp(name, "--musl") == 0) /* a flag: the value is implied */
        return (struct libc_choice){LIBC_CHOICE_RELEASE, "musl", allow_missing};
    return (struct libc_choice){strcmp(name, "--glibc") == 0       ? LIBC_CHOICE_RELEASE
                                : strcmp(name, "--libc-tree") == 0 ? LIBC_CHOICE_TREE
                                                                   : LIBC_CHOICE_ROOT,
                                u->value, allow_missing};
}

/* --glibc, --musl, --libc-root or --libc-tree: the rows that name a build. */
static bool names_a_build(const struct option_row *r)
{
    for (size_t i = 0; libc_option_rows[i]; i++)
        if (r == libc_option_rows[i])
            return r->alternative;
    return false;
}

struct libc_choice *libc_choices_of(const struct args *a, size_t *n)
{
    bool allow_missing = arg_given(a, "--allow-missing");
    struct libc_choice *choices = NULL;
    *n = 0;
    for (size_t i = 0; i < a->nuses; i++)
        if (names_a_build(a->uses[i].row))
            *XAPPEND(&choices, n) = choice_of_use(&a->uses[i], allow_missing);
    return choices;
}

struct libc_choice libc_choice_of(const struct args *a)
{
    size_t n;
    struct libc_choice *choices = libc_choices_of(a, &n);
    struct libc_choice c = {LIBC_CHOICE_HOST, NULL, arg_given(a, "--allow-missing")};
    if (n > 1)
        usage_error(a->command, "only one --glibc, --musl, --libc-root or --libc-tree per run");
    if (n)
        c = choices[0];
    free(choices);
    return c;
}

bool strict_mode(const struct args *a)
{
    return a->settings.strict || arg_given(a, "--strict");
}

char *libc_choice_text(const struct libc_choice *c)
{
    switch (c->how) {
    case LIBC_CHOICE_HOST:
        return xstrdup("host libc");
    case LIBC_CHOICE_RELEASE:
        return strcmp(c->value, "musl") == 0 ? xstrdup("musl") : xasprintf("glibc %s", c->value);
    case LIBC_CHOICE_ROOT:
        return xasprintf("the --libc-root %s", c->value);
    case LIBC_CHOICE_TREE:
        return xasprintf("the --libc-tree %s", c->value);
    }
    return xstrdup("?");
}

/* "run a.case b.case": the command and what it was given to check, cut
   to fit one line. */
static char *run_text(const struct args *a)
{
    char *text = xstrdup(a->command->name);
    for (size_t i = 0; i < a->noperands && strlen(text) < 200; i++) {
        char *more = xasprintf("%s %s", text, a->operands[i]);
        free(text);
        text = more;
    }
    return text;
}

int skip_exit_code(const struct args *a, const char *build, const char *why, bool allowed)
{
    char *shown = visible(why); /* a path or a case's text: the user's bytes */
    if (!strict_mode(a)) {
        fprintf(stderr, "statictls: %s%s\n", shown, allowed ? " (skipped: --allow-missing)" : "");
        free(shown);
        return EXIT_SKIP;
    }
    char *run = run_text(a), *run_shown = visible(run);
    fprintf(stderr, "statictls: strict: coverage lost: `statictls %s` on %s checked nothing: %s "
                    "(exit %d, not judged, in place of the skip %d)\n",
            run_shown, build, shown, EXIT_NOT_JUDGED, EXIT_SKIP);
    free(run);
    free(run_shown);
    free(shown);
    return EXIT_NOT_JUDGED;
}

int case_set_exit(const struct args *a, const struct case_set *s, const struct libc_build *b,
                  bool skip_passes)
{
    int code = case_set_exit_code(s);
    if (code == EXIT_SKIP && skip_passes)
        code = EXIT_PASS;
    if (!s->skipped || !strict_mode(a) || (code != EXIT_PASS && code != EXIT_SKIP))
        return code;
    for (size_t i = 0; i < s->n; i++) {
        if (s->results[i].verdict != VERDICT_SKIP)
            continue;
        char *path = visible(s->defs[i].path), *why = visible(s->results[i].reason);
        fprintf(stderr, "statictls: strict: coverage lost: %s on %s was skipped: %s\n", path,
                b->name, why);
        free(path);
        free(why);
    }
    fprintf(stderr, "statictls: strict: %u of %zu cases skipped on %s: not judged (exit %d, in "
                    "place of %d)\n", s->skipped, s->n, b->name, EXIT_NOT_JUDGED, code);
    return EXIT_NOT_JUDGED;
}

void libc_open_or_exit(const struct args *a, const struct libc_choice *c,
                       struct libc_build *out)
{
    char why[1024];
    enum libc_open status = libc_build_open(c, out, why, sizeof why);
    if (status == LIBC_OPEN_OK)
        return;
    bool allowed = status == LIBC_OPEN_NOT_BUILT && c->allow_missing;
    if (!allowed && status != LIBC_OPEN_ABSENT)
        die_input("%s", why);
    char *build = libc_choice_text(c);
    int code = skip_exit_code(a, build, why, allowed);
    free(build);
    exit(code);
}

void session_open(struct session *s, const struct args *a, const struct libc_choice *c,
                  bool from_user)
{
    const struct settings *settings = &a->settings;
    memset(s, 0, sizeof *s);
    libc_open_or_exit(a, c, &s->build);
    if (from_user)
        run_env_from_user(&s->env, &s->build, settings, PROBE_TIMEOUT_S);
    else
        run_env_empty(&s->env, &s->build, settings, PROBE_TIMEOUT_S);
    kit_open(&s->kit, s->build.dir, settings);
}

void session_close(struct session *s)
{
    kit_close(&s->kit);
    run_env_free(&s->env);
    libc_build_free(&s->build);
}

/* Why path cannot be written (a file, or with as_dir a directory that
   make_dirs may create), or NULL. */
static const char *unwritable(const char *path, bool as_dir)
{
    struct stat st;
    if (stat(path, &st) != 0 && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        return "a symbolic link to nothing"; /* mkdir would find it there, open would fail */
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode) != as_dir)
            return as_dir ? "not a directory" : "a directory";
        if (as_dir)
            return access(path, W_OK | X_OK) == 0 ? NULL : "not writable";
    }
    /* the nearest directory that is there must let us create the rest */
    char *dir = xstrdup(path);
    const char *why = NULL;
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (!slash) {
            free(dir);
            dir = xstrdup(".");
        } else {
            *slash = '\0';
            if (slash == dir)
                strcpy(dir, "/");
        }
        if (stat(dir, &st) == 0) {
            why = !S_ISDIR(st.st_mode)                 ? "a file stands where a directory must"
                  : access(dir, W_OK | X_OK) != 0 ? "its directory is not writable"
                                                  : NULL;
            break;
        }
        if (!as_dir) {
            why = "its directory does not exist";
            break;
        }
    }
    free(dir);
    return why;
}

void output_path_check(const struct args *a, const char *option, bool as_dir)
{
    const char *path = arg_string(a, option);
    const char *why = path ? unwritable(path, as_dir) : NULL;
    if (why)
        usage_error(a->command, "%s %s: %s", option, path, why);
}

void case_vars_of(const struct args *a, struct case_vars *out)
{
    *out = (struct case_vars){.environment = a->settings.user_env};
    char err[512];
    for (const struct option_use *u = NULL; (u = arg_next(a, "--define", u));)
        if (!case_vars_define(out, u->value, err, sizeof err))
            die_input("%s", err);
}

void die_replay(const struct replay_error *e)
{
    char text[1400];
    replay_error_text(e, text, sizeof text);
    if (e->input)
        die_input("%s", text);
    die("%s", text);
}
