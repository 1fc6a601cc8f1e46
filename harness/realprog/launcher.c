#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envvars.h"
#include "shellquote.h"
#include "visible.h"
#include "xalloc.h"

/* What env's options do to the environment; an option doctor does not
   read makes the command opaque (it still runs, as given). */
struct env_words {
    bool clears;         /* -i, --ignore-environment, - */
    char **unset;        /* -u NAME, --unset=NAME */
    size_t nunset;
    const char *opaque;  /* the first option not read */
};

static bool is_env(const char *word)
{
    const char *base = strrchr(word, '/');
    return strcmp(base ? base + 1 : word, "env") == 0;
}

/* GNU env's options that leave the environment and the program alone. */
static bool harmless_long(const char *w)
{
    static const char *const names[] = {"--null", "--debug", "--default-signal",
                                        "--ignore-signal", "--block-signal", NULL};
    for (size_t i = 0; names[i]; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(w, names[i], n) == 0 && (w[n] == '\0' || w[n] == '='))
            return true;
    }
    return false;
}

/* env's options from argv[1]: the index of the first word after them. */
static size_t read_options(char **argv, struct env_words *e)
{
    size_t i = 1;
    for (; argv[i] && argv[i][0] == '-' && !e->opaque; i++) {
        const char *w = argv[i];
        if (strcmp(w, "--") == 0)
            return i + 1;
        if (strcmp(w, "-") == 0 || strcmp(w, "--ignore-environment") == 0) {
            e->clears = true;
        } else if (strncmp(w, "--unset=", 8) == 0) {
            *XAPPEND(&e->unset, &e->nunset) = argv[i] + 8;
        } else if (strcmp(w, "--unset") == 0) {
            if (!argv[i + 1])
                e->opaque = w;
            else
                *XAPPEND(&e->unset, &e->nunset) = argv[++i];
        } else if (w[1] == '-') {
            if (!harmless_long(w))
                e->opaque = w;
        } else {
            for (const char *c = w + 1; *c && !e->opaque; c++) {
                if (*c == 'i') {
                    e->clears = true;
                } else if (*c == 'u') {
                    if (c[1])
                        *XAPPEND(&e->unset, &e->nunset) = (char *)c + 1;
                    else if (argv[i + 1])
                        *XAPPEND(&e->unset, &e->nunset) = argv[++i];
                    else
                        e->opaque = w;
                    break;
                } else if (*c != '0' && *c != 'v') {
                    e->opaque = w;
                }
            }
        }
    }
    return i;
}

/* env reads every word holding '=' as a variable, "=x" (an empty name) too. */
static bool is_assignment(const char *w)
{
    return strchr(w, '=') != NULL;
}

static bool named(const char *var, const char *name)
{
    size_t n = strlen(name);
    return strncmp(var, name, n) == 0 && var[n] == '=';
}

static void env_remove(struct launch *l, const char *name)
{
    size_t k = 0;
    for (size_t i = 0; i < l->nenvp; i++) {
        if (named(l->envp[i], name))
            free(l->envp[i]);
        else
            l->envp[k++] = l->envp[i];
    }
    l->nenvp = k;
    l->envp[k] = NULL;
}

static void env_put(struct launch *l, const char *assignment)
{
    char *name = xasprintf("%.*s", (int)strcspn(assignment, "="), assignment);
    env_remove(l, name);
    free(name);
    l->envp = xrealloc(l->envp, (l->nenvp + 2) * sizeof *l->envp);
    l->envp[l->nenvp++] = xstrdup(assignment);
    l->envp[l->nenvp] = NULL;
}

static bool fail(char *why, size_t whylen, const char *fmt, const char *word, const char *more)
{
    char *shown = visible(word);
    snprintf(why, whylen, fmt, shown, more);
    free(shown);
    return false;
}

/* The program's file as execvp finds it: a name with '/' is a path, else
   the first executable regular file of that name along PATH. */
static bool find_program(struct launch *l, const char *name, char *why, size_t whylen)
{
    struct stat st;
    if (strchr(name, '/')) {
        if (stat(name, &st) != 0)
            return fail(why, whylen, "cannot run %s: %s", name, strerror(errno));
        if (!S_ISREG(st.st_mode))
            return fail(why, whylen, "cannot run %s: %s", name, "not a regular file");
        if (access(name, X_OK) != 0)
            return fail(why, whylen, "cannot run %s: not executable (%s)", name,
                        strerror(errno));
        l->program = xstrdup(name);
        return true;
    }
    const char *path = launch_getenv(l, "PATH");
    char *dirs = xstrdup(path ? path : "/bin:/usr/bin");
    bool seen = false; /* a file of that name that cannot be executed */
    for (char *save = NULL, *dir = strtok_r(dirs, ":", &save); dir && !l->program;
         dir = strtok_r(NULL, ":", &save)) {
        char *file = xasprintf("%s/%s", *dir ? dir : ".", name);
        if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(file, X_OK) == 0)
                l->program = file, file = NULL;
            else
                seen = true;
        }
        free(file);
    }
    free(dirs);
    if (l->program)
        return true;
    return fail(why, whylen, "cannot run %s: %s", name,
                seen ? "found in PATH, but not executable" : "not found in PATH");
}

/* A launcher that drops the helper: said before anything runs. */
static bool drops_helper(const struct env_words *e, char *why, size_t whylen)
{
    const char *how = e->clears ? "`env -i` starts the program with an empty environment"
                                : NULL;
    for (size_t i = 0; !how && i < e->nunset; i++)
        if (strcmp(e->unset[i], "LD_PRELOAD") == 0)
            how = "`env -u LD_PRELOAD` starts the program without LD_PRELOAD";
    if (!how)
        return false;
    snprintf(why, whylen, "nothing measured: %s, and so without statictls' helper, "
             "which statictls preloads to measure inside the program: nothing was run; put the "
             "variables before the program (NAME=VALUE ... PROGRAM) or use env without -i "
             "and -u LD_PRELOAD", how);
    return true;
}

bool launch_read(char **argv, char *const *user_env, struct launch *out, char *why,
                 size_t whylen)
{
    memset(out, 0, sizeof *out);
    out->argv = argv;
    out->user_env = user_env;
    out->envp = xcalloc(1, sizeof *out->envp);
    struct env_words e = {0};
    size_t at = is_env(argv[0]) ? read_options(argv, &e) : 0;
    if (at && drops_helper(&e, why, whylen)) {
        free(e.unset);
        return false;
    }
    for (size_t i = 0; user_env && user_env[i]; i++)
        if (!e.clears)
            env_put(out, user_env[i]);
    if (at && !e.opaque) {
        size_t prog = at;
        while (argv[prog] && is_assignment(argv[prog]))
            prog++;
        if (argv[prog]) { /* env with no program prints its environment: run as given */
            out->env_form = true;
            out->assign_at = at;
            out->prog_at = prog;
            for (size_t i = 0; i < e.nunset; i++)
                env_remove(out, e.unset[i]);
            for (size_t i = at; i < prog; i++)
                env_put(out, argv[i]);
        }
    } else if (e.opaque) {
        out->opaque_option = xstrdup(e.opaque);
    }
    free(e.unset);
    /* env's own file first: a launcher that is not there is named too. */
    if (out->env_form && !find_program(out, argv[0], why, whylen))
        return launch_free(out), false;
    free(out->program);
    out->program = NULL;
    if (!find_program(out, argv[out->prog_at], why, whylen))
        return launch_free(out), false;
    return true;
}

void launch_free(struct launch *l)
{
    for (size_t i = 0; i < l->nenvp; i++)
        free(l->envp[i]);
    free(l->envp);
    free(l->program);
    free(l->opaque_option);
    memset(l, 0, sizeof *l);
}

const char *launch_getenv(const struct launch *l, const char *name)
{
    return env_lookup(l->envp, name);
}

/* Whether env's options unset the variable. */
static bool env_options_unset(const struct launch *l, const char *name)
{
    for (size_t i = 1; i < l->assign_at; i++) {
        const char *w = l->argv[i];
        if (strcmp(w, name) == 0 || (strncmp(w, "-u", 2) == 0 && strcmp(w + 2, name) == 0) ||
            (strncmp(w, "--unset=", 8) == 0 && strcmp(w + 8, name) == 0))
            return true;
    }
    return false;
}

/* Whether env's own words name the variable (set or unset it). */
static bool env_words_name(const struct launch *l, const char *name)
{
    for (size_t i = l->assign_at; i < l->prog_at; i++)
        if (named(l->argv[i], name))
            return true;
    return env_options_unset(l, name);
}

void launch_change(const struct launch *l, const struct launch_change *c,
                   struct launch_command *out)
{
    memset(out, 0, sizeof *out);
    size_t argc = 0;
    while (l->argv[argc])
        argc++;
    char **words = xcalloc(argc + 6, sizeof *words);
    size_t n = 0;
    bool in_words = l->env_form && c->set_name && env_words_name(l, c->set_name);
    char *assign = c->set_name ? xasprintf("%s=%s", c->set_name, c->set_value) : NULL;
    if (!l->env_form) {
        if (c->drop && launch_getenv(l, c->drop)) {
            words[n++] = "env", words[n++] = "-u", words[n++] = (char *)c->drop;
        }
        for (size_t i = 0; i < argc; i++)
            words[n++] = l->argv[i];
    } else {
        /* Options end at "--": an -u added goes before it. A program
           named "-..." read after the variables would be read as an option
           once they are gone, or after an -u added: "--" is put there. */
        bool dashes = strcmp(l->argv[l->assign_at - 1], "--") == 0;
        bool added = !dashes && l->argv[l->prog_at][0] == '-';
        for (size_t i = 0; i < l->assign_at - dashes; i++)
            words[n++] = l->argv[i];
        /* What env passes on of the user's own: unset there too. */
        if (c->drop && env_lookup(l->user_env, c->drop) && !env_options_unset(l, c->drop))
            words[n++] = "-u", words[n++] = (char *)c->drop;
        if (dashes || added)
            words[n++] = "--";
        for (size_t i = l->assign_at; i < l->prog_at; i++)
            if (!(c->drop && named(l->argv[i], c->drop)) &&
                !(in_words && named(l->argv[i], c->set_name)))
                words[n++] = l->argv[i];
        if (in_words) {
            words[n++] = out->word = assign;
            assign = NULL;
        }
        for (size_t i = l->prog_at; i < argc; i++)
            words[n++] = l->argv[i];
        /* env with nothing left to do: the program alone */
        size_t env_words = n - (argc - l->prog_at);
        if (env_words == 1 || (added && env_words == 2)) {
            memmove(words, words + env_words, (n - env_words) * sizeof *words);
            n -= env_words;
        }
    }
    words[n] = NULL;
    out->argv = words;
    out->assign = assign;
}

char *launch_change_line(const struct launch_command *cmd)
{
    if (!cmd->assign)
        return shell_line(NULL, NULL, cmd->argv);
    char *name = xasprintf("%.*s", (int)strcspn(cmd->assign, "="), cmd->assign);
    char *line = shell_line(name, cmd->assign + strlen(name) + 1, cmd->argv);
    free(name);
    return line;
}

void launch_command_free(struct launch_command *cmd)
{
    free(cmd->argv), free(cmd->assign), free(cmd->word);
    memset(cmd, 0, sizeof *cmd);
}
