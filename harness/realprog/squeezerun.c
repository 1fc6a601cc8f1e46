#define _GNU_SOURCE
#include "squeezerun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "envvars.h"
#include "record.h"
#include "xalloc.h"
#include "xpath.h"

void squeezer_open(struct squeezer *s, char **command, int expect_exit,
                   const struct settings *settings)
{
    memset(s, 0, sizeof *s);
    s->command = command;
    s->expect_exit = expect_exit;
    s->settings = settings;
    s->dir = make_scratch_dir(settings->tmpdir, "statictls-squeeze");
    s->report = xasprintf("%s/report", s->dir);
    s->errfile = xasprintf("%s/stderr", s->dir);
}

void squeezer_close(struct squeezer *s)
{
    remove_tree(s->dir); /* the report, stderr, a helper's link */
    free(s->dir), free(s->report), free(s->errfile);
    memset(s, 0, sizeof *s);
}

void squeeze_run_free(struct squeeze_run *r)
{
    free(r->message);
    for (size_t i = 0; i < r->nloaded; i++)
        free(r->loaded[i]);
    free(r->loaded);
    memset(r, 0, sizeof *r);
}

static bool listed(char **paths, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(paths[i], path) == 0)
            return true;
    return false;
}

/* "NAME=VALUE" where the caller's own VALUE, if any, is kept after
   (LD_PRELOAD: ours first) or before (GLIBC_TUNABLES: ours win, last). */
static char *joined_var(char *const *user_env, const char *name, const char *ours,
                        bool ours_first)
{
    const char *theirs = env_lookup(user_env, name);
    if (!theirs || !*theirs)
        return xasprintf("%s=%s", name, ours);
    return ours_first ? xasprintf("%s=%s:%s", name, ours, theirs)
                      : xasprintf("%s=%s:%s", name, theirs, ours);
}

/* What the helper reported: its measurement and the objects with TLS that
   were loaded after startup and are still there at exit. */
static void read_report(const struct squeezer *s, pid_t pid, struct squeeze_run *out)
{
    size_t nrecords;
    struct record *records = command_records(s->report, pid, &nrecords);
    char **startup = NULL;
    size_t nstartup = 0;
    for (size_t i = 0; i < nrecords; i++) {
        const struct record *r = &records[i];
        const char *path = record_get(r, "path");
        long v;
        if (strcmp(r->kind, "squeeze") == 0 && record_get_long(r, "free", &v)) {
            out->squeezed = true;
            out->free_bytes = v;
        } else if (strcmp(r->kind, "startup") == 0 && path) {
            *XAPPEND(&startup, &nstartup) = xstrdup(path);
        } else if (strcmp(r->kind, "final") == 0 && path && !listed(startup, nstartup, path) &&
                   strncmp(path, s->dir, strlen(s->dir)) != 0) {
            *XAPPEND(&out->loaded, &out->nloaded) = xstrdup(path);
        }
    }
    for (size_t i = 0; i < nrecords; i++)
        record_free(&records[i]);
    free(records);
    for (size_t i = 0; i < nstartup; i++)
        free(startup[i]);
    free(startup);
}

void squeezer_run(struct squeezer *s, const struct squeeze_setup *setup, struct squeeze_run *out)
{
    memset(out, 0, sizeof *out);
    remove(s->report);
    char *extra[8];
    size_t n = 0;
    char *preload = NULL;
    if (setup->helper) {
        char *helper = xasprintf("%s/statictls-squeeze.so", self_dir());
        char *entry = loader_list_entry(helper, s->dir, "statictls-squeeze.so");
        preload = setup->preload ? xasprintf("%s:%s", entry, setup->preload) : xstrdup(entry);
        free(helper), free(entry);
        extra[n++] = xasprintf("STATICTLS_SQUEEZE_TEMPLATE=%s/fixtures/template-ie.so", self_dir());
        extra[n++] = xasprintf("STATICTLS_SQUEEZE_DIR=%s", s->dir);
        extra[n++] = xasprintf("STATICTLS_SQUEEZE_REPORT=%s", s->report);
        if (setup->leave >= 0)
            extra[n++] = xasprintf("STATICTLS_SQUEEZE_LEAVE=%ld", setup->leave);
        if (setup->fill >= 0)
            extra[n++] = xasprintf("STATICTLS_SQUEEZE_FILL=%ld", setup->fill);
        if (setup->first)
            extra[n++] = xasprintf("STATICTLS_SQUEEZE_FIRST=%s", setup->first);
    } else if (setup->preload) {
        preload = xstrdup(setup->preload);
    }
    if (preload)
        extra[n++] = joined_var(s->settings->user_env, "LD_PRELOAD", preload, true);
    if (setup->tunables)
        extra[n++] = joined_var(s->settings->user_env, "GLIBC_TUNABLES", setup->tunables, false);
    pid_t pid;
    int status = run_command(s->command, extra, n, &(struct command_streams){.err = s->errfile}, &pid);
    s->runs++;
    out->exit_code = command_exit_code(status);
    char *err = command_stderr(s->errfile, setup->echo);
    out->message = static_tls_message(err);
    free(err);
    if (setup->helper)
        read_report(s, pid, out);
    for (size_t i = 0; i < n; i++)
        free(extra[i]);
    free(preload);
}

void squeezer_run_left(struct squeezer *s, long leave, struct squeeze_run *out)
{
    /* Only the unsqueezed run's stderr is the command's own business. */
    struct squeeze_setup setup = {.helper = true, .leave = leave, .fill = -1, .echo = leave < 0};
    squeezer_run(s, &setup, out);
}

bool squeeze_succeeds(const struct squeezer *s, const struct squeeze_run *r, bool helper)
{
    return (r->squeezed || !helper) && r->exit_code == s->expect_exit;
}
