#define _GNU_SOURCE
#include "squeezerun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "envvars.h"
#include "record.h"
#include "tunesearch.h"
#include "visible.h"
#include "xalloc.h"
#include "xpath.h"

void squeezer_open(struct squeezer *s, char **command, int expect_exit,
                   const struct settings *settings, double timeout_s)
{
    memset(s, 0, sizeof *s);
    s->command = command;
    s->expect_exit = expect_exit;
    s->settings = settings;
    s->timeout_s = timeout_s;
    s->dir = make_scratch_dir(settings->tmpdir, "statictls-squeeze");
    s->report = xasprintf("%s/report", s->dir);
}

void squeezer_close(struct squeezer *s)
{
    remove_tree(s->dir); /* the report, a helper's link */
    free(s->dir), free(s->report);
    memset(s, 0, sizeof *s);
}

void squeeze_run_free(struct squeeze_run *r)
{
    free(r->message), free(r->stderr_tail), free(r->left_from), free(r->left_for);
    for (size_t i = 0; i < r->nloaded; i++)
        free(r->loaded[i]);
    free(r->loaded);
    for (size_t i = 0; i < r->nstartup; i++)
        free(r->startup[i]);
    free(r->startup);
    memset(r, 0, sizeof *r);
}

static bool listed(char **paths, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(paths[i], path) == 0)
            return true;
    return false;
}

/* LD_PRELOAD=ours, with the caller's own preloads after (the helper first). */
static char *preload_var(char *const *user_env, const char *ours)
{
    const char *theirs = env_lookup(user_env, "LD_PRELOAD");
    return theirs && *theirs ? xasprintf("LD_PRELOAD=%s:%s", ours, theirs)
                             : xasprintf("LD_PRELOAD=%s", ours);
}

/* GLIBC_TUNABLES with ours merged into the caller's own (theirs kept, but
   for the names ours sets). */
static char *tunables_var(char *const *user_env, const char *ours)
{
    char *merged = tunables_merge(env_lookup(user_env, "GLIBC_TUNABLES"), ours);
    char *var = xasprintf("GLIBC_TUNABLES=%s", merged);
    free(merged);
    return var;
}

static void free_list(char **list, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free(list[i]);
    *n = 0;
}

/* A process of the command other than the measured one that exec'd a
   program without the helper in LD_PRELOAD (a forked child running
   `env -i`), and whether any process that kept the helper loaded an object
   with TLS that no process of the command started with: that loading is
   the work headroom squeezes.  The rule: such a drop means nothing was
   measured, unless a process with the helper did that work. */
struct child_drop {
    const struct record *exec; /* the last drop that did not return, or NULL */
    bool helper_loaded;
};

static void find_child_drop(const struct squeezer *s, pid_t pid, const struct record *records,
                            size_t nrecords, struct child_drop *out)
{
    memset(out, 0, sizeof *out);
    char **startup = NULL;
    size_t nstartup = 0;
    for (size_t i = 0; i < nrecords; i++) {
        const char *path = record_get(&records[i], "path");
        if (strcmp(records[i].kind, "startup") == 0 && path)
            *XAPPEND(&startup, &nstartup) = xstrdup(path);
    }
    long main_pid = (long)pid, p, keeps;
    for (size_t i = 0; i < nrecords; i++) {
        const struct record *r = &records[i];
        const char *path = record_get(r, "path");
        if (!record_get_long(r, "pid", &p))
            continue;
        if (strcmp(r->kind, "final") == 0 && path && !listed(startup, nstartup, path) &&
            strncmp(path, s->dir, strlen(s->dir)) != 0)
            out->helper_loaded = true;
        if (p == main_pid)
            continue; /* read_report follows the measured process's execs */
        if (strcmp(r->kind, "exec") == 0 && record_get_long(r, "keeps", &keeps) && keeps == 0)
            out->exec = r;
        else if (strcmp(r->kind, "execfail") == 0 && out->exec &&
                 strcmp(record_get(out->exec, "pid"), record_get(r, "pid")) == 0)
            out->exec = NULL; /* it returned: the same program goes on */
    }
    free_list(startup, &nstartup);
    free(startup);
}

/* One program the measured process ran, as the helper said it: a wrapper
   (`sh -c 'exec ...'`, env) execs the next program in the same process, and
   each program's objects are its own. */
struct program_seen {
    bool squeezed;
    long free_bytes;
    char **startup, **final; /* objects with TLS at its startup, and at its exit */
    size_t nstartup, nfinal;
    const struct record *exec; /* an exec it said that did not return, or NULL */
};

static void program_free(struct program_seen *p)
{
    free_list(p->startup, &p->nstartup);
    free_list(p->final, &p->nfinal);
    free(p->startup), free(p->final);
}

/* The measured process's programs, in the order it ran them: a "process"
   record starts one (and, from a helper that says none, a startup or
   measurement after an exec that did not return). */
static struct program_seen *programs_of(const struct record *records, size_t nrecords,
                                        pid_t pid, size_t *n)
{
    struct program_seen *progs = NULL;
    *n = 0;
    long p;
    for (size_t i = 0; i < nrecords; i++) {
        const struct record *r = &records[i];
        const char *path = record_get(r, "path");
        long v;
        if (!record_get_long(r, "pid", &p) || p != (long)pid)
            continue;
        struct program_seen *cur = *n ? &progs[*n - 1] : NULL;
        bool starts = strcmp(r->kind, "process") == 0 ||
                      ((strcmp(r->kind, "startup") == 0 || strcmp(r->kind, "squeeze") == 0) &&
                       (!cur || cur->exec));
        if (starts || !cur) {
            cur = XAPPEND(&progs, n);
            memset(cur, 0, sizeof *cur);
        }
        if (strcmp(r->kind, "squeeze") == 0 && record_get_long(r, "free", &v)) {
            cur->squeezed = true;
            cur->free_bytes = v;
        } else if (strcmp(r->kind, "exec") == 0) {
            cur->exec = r;
        } else if (strcmp(r->kind, "execfail") == 0) {
            cur->exec = NULL; /* it returned: the same program goes on */
        } else if (strcmp(r->kind, "startup") == 0 && path) {
            *XAPPEND(&cur->startup, &cur->nstartup) = xstrdup(path);
        } else if (strcmp(r->kind, "final") == 0 && path) {
            *XAPPEND(&cur->final, &cur->nfinal) = xstrdup(path);
        }
    }
    return progs;
}

/* What the helper reported from the last program the process ran (the one
   that ran to the end, unless it exec'd one that did not load the helper):
   its measurement, and the objects with TLS that were loaded after its
   startup and are still there at exit.  One that exec'd a program without
   the helper leaves a measurement of a program that is gone. */
static void read_report(const struct squeezer *s, pid_t pid, struct squeeze_run *out)
{
    size_t nrecords, nprogs;
    struct record *records = command_records(s->report, 0, &nrecords);
    struct program_seen *progs = programs_of(records, nrecords, pid, &nprogs);
    struct program_seen *last = nprogs ? &progs[nprogs - 1] : NULL;
    const struct record *exec = last ? last->exec : NULL;
    if (last) {
        out->squeezed = last->squeezed;
        out->free_bytes = last->free_bytes;
        for (size_t i = 0; i < last->nfinal; i++)
            if (!listed(last->startup, last->nstartup, last->final[i]) &&
                strncmp(last->final[i], s->dir, strlen(s->dir)) != 0)
                *XAPPEND(&out->loaded, &out->nloaded) = xstrdup(last->final[i]);
        out->startup = last->startup, out->nstartup = last->nstartup;
        last->startup = NULL, last->nstartup = 0;
    }
    struct child_drop child;
    find_child_drop(s, pid, records, nrecords, &child);
    if (out->squeezed && !exec && child.exec && !child.helper_loaded) {
        exec = child.exec;
        out->left_child = true;
    }
    if (out->squeezed && exec) {
        const char *to = record_get(exec, "path"), *from = record_get(exec, "self");
        long keeps;
        out->squeezed = false;
        out->left_from = xstrdup(from ? from : s->command[0]);
        out->left_for = xstrdup(to ? to : "another program");
        out->left_keeps = record_get_long(exec, "keeps", &keeps) && keeps == 1;
        long preload;
        out->left_replaced = !out->left_keeps && record_get_long(exec, "preload", &preload) &&
                             preload == 1;
    }
    for (size_t i = 0; i < nprogs; i++)
        program_free(&progs[i]);
    free(progs);
    for (size_t i = 0; i < nrecords; i++)
        record_free(&records[i]);
    free(records);
}

void squeezer_run(struct squeezer *s, const struct squeeze_setup *setup, struct squeeze_run *out)
{
    memset(out, 0, sizeof *out);
    if (s->timed_out) { /* what it would measure could not count */
        out->timed_out = true;
        out->exit_code = -1;
        return;
    }
    remove(s->report);
    char *extra[9];
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
        extra[n++] = preload_var(s->settings->user_env, preload);
    if (setup->tunables)
        extra[n++] = tunables_var(s->settings->user_env, setup->tunables);
    if (setup->library_path)
        extra[n++] = xasprintf("LD_LIBRARY_PATH=%s", setup->library_path);
    struct command_outcome o;
    command_watch(&(struct command_spec){s->command, extra, n, s->timeout_s, setup->echo}, &o);
    s->runs++;
    out->timed_out = o.timed_out;
    if (o.timed_out)
        s->timed_out = s->runs;
    out->exit_code = o.timed_out ? -1 : command_exit_code(o.status);
    out->message = o.message, o.message = NULL;
    out->stderr_tail = o.tail, o.tail = NULL;
    if (setup->helper && !o.timed_out)
        read_report(s, o.pid, out);
    command_outcome_free(&o);
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
    return !r->timed_out && (r->squeezed || !helper) && r->exit_code == s->expect_exit;
}

bool squeeze_measured(const struct squeezer *s, const struct squeeze_run *r, char *why,
                      size_t whylen)
{
    if (r->squeezed)
        return true;
    char *cmd = visible(s->command[0]);
    char *from = r->left_from ? visible(r->left_from) : NULL;
    char *to = r->left_for ? visible(r->left_for) : NULL;
    if (r->left_child)
        snprintf(why, whylen, "nothing measured: a process of %s (%s) exec'd %s without the "
                 "helper in LD_PRELOAD (a launcher such as `env -i` or `env -u LD_PRELOAD` "
                 "drops it), and no process that kept the helper loaded an object with TLS: run "
                 "the program itself, or through a launcher that keeps LD_PRELOAD", cmd, from, to);
    else if (r->left_replaced)
        snprintf(why, whylen, "nothing measured: statictls' helper measured %s, which then "
                 "exec'd %s with an LD_PRELOAD of the command's own that replaces the helper's "
                 "(`env LD_PRELOAD=...`, or a script that sets LD_PRELOAD): put your preloads in "
                 "LD_PRELOAD before statictls (statictls keeps them after its helper), or run "
                 "the program itself", from, to);
    else if (r->left_for && !r->left_keeps)
        snprintf(why, whylen, "nothing measured: statictls' helper measured %s, which then "
                 "exec'd %s without the helper in LD_PRELOAD (a launcher such as `env -i` or "
                 "`env -u LD_PRELOAD` drops it): run the program itself, or through a launcher "
                 "that keeps LD_PRELOAD", from, to);
    else if (r->left_for)
        snprintf(why, whylen, "nothing measured: statictls' helper measured %s, which then "
                 "exec'd %s, which did not load the helper (a static or setuid program?)",
                 from, to);
    else if (r->exit_code == 127)
        snprintf(why, whylen, "cannot run %s", cmd);
    else
        snprintf(why, whylen, "nothing measured: statictls' helper never reported from the "
                 "process of %s: it does not run with LD_PRELOAD (a static or setuid program?) "
                 "or drops it before its loader starts", cmd);
    free(cmd), free(from), free(to);
    return false;
}

void squeezer_timeout(const struct squeezer *s, char *why, size_t whylen)
{
    char *cmd = visible(s->command[0]);
    snprintf(why, whylen, "%s did not end within %g s (run %u of it): killed with its process "
             "group, nothing measured; raise --timeout or STATICTLS_TIMEOUT_FACTOR",
             cmd, s->timeout_s, s->timed_out);
    free(cmd);
}
