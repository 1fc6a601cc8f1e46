#define _GNU_SOURCE
#include "tracerun.h"

#include <stdio.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "command.h"
#include "elfinfo.h"
#include "envvars.h"
#include "protocol.h"
#include "record.h"
#include "die.h"
#include "xalloc.h"
#include "xpath.h"

static char *joined(char **argv)
{
    char *s = xstrdup("");
    for (size_t i = 0; argv[i]; i++) {
        char *next = xasprintf("%s%s%s", s, i ? " " : "", argv[i]);
        free(s);
        s = next;
    }
    for (char *p = s; *p; p++)
        if (*p == '\t' || *p == '\n')
            *p = ' ';
    return s;
}

/* What the ELF file says, and glibc's module id, modelled: the lowest id
   no loaded TLS module holds (ids come back on dlclose). */
static void describe(struct trace_event *e, bool *ids, size_t nids)
{
    struct elf_tls t;
    char err[512];
    if (strcmp(e->path, PROTO_MAIN_NAME) == 0 || !elf_tls_read(e->path, &t, err, sizeof err))
        return; /* no file to read: counted as an object without TLS */
    if (t.has_tls) {
        e->tls_size = t.tls_memsz;
        e->tls_align = t.tls_align;
        e->access = elf_tls_access(&t);
        for (size_t id = 1; id < nids; id++)
            if (!ids[id]) {
                ids[id] = true;
                e->modid = (long)id;
                break;
            }
    }
    elf_tls_free(&t);
}

/* ld.so closes everything at exit: that trailing run of the last
   process's events is no dlclose (a process exec'd away closes nothing). */
static void drop_closes_at_exit(struct trace *t)
{
    while (t->nevents && t->events[t->nevents - 1].close)
        free(t->events[--t->nevents].path);
}

/* A program the process now runs, with module ids and glibc's
   multi-threaded flag of its own (exec leaves one thread; the closes
   before it were dlcloses: exec runs no destructors). */
static void start_process(struct trace *t, long pid, const char *program, bool *ids,
                          size_t nids, bool *multithreaded)
{
    *XAPPEND(&t->processes, &t->nprocesses) =
        (struct trace_process){pid, program && *program ? xstrdup(program) : NULL};
    memset(ids, 0, nids * sizeof *ids);
    *multithreaded = false;
}

static void read_raw(const char *rawfile, pid_t pid, struct trace *t)
{
    size_t nrecords;
    struct record *records = command_records(rawfile, pid, &nrecords);
    enum { MAX_IDS = 65536 };
    bool *ids = xcalloc(MAX_IDS, sizeof *ids);
    bool multithreaded = false;
    size_t first = t->nevents; /* the current process's first event */
    for (size_t k = 0; k < nrecords; k++) {
        const struct record *r = &records[k];
        const char *path = record_get(r, "path");
        long v;
        if (strcmp(r->kind, "process") == 0 || (path && !t->nprocesses)) {
            start_process(t, pid, record_get(r, "program"), ids, MAX_IDS, &multithreaded);
            first = t->nevents;
        }
        if (path) {
            struct trace_event *e = XAPPEND(&t->events, &t->nevents);
            memset(e, 0, sizeof *e);
            e->process = t->nprocesses - 1;
            e->close = strcmp(r->kind, "close") == 0;
            e->path = xstrdup(path);
            e->seq = record_get_long(r, "seq", &v) ? v : 0;
            e->lmid = record_get_long(r, "lmid", &v) ? v : 0;
            e->threads = record_get_long(r, "threads", &v) ? v : 0;
            /* glibc's flag where the tracer could read it (2.32+), else
               the highest thread count so far; never cleared. */
            bool flag = record_get_long(r, "multithreaded", &v) && v == 1;
            multithreaded |= flag || e->threads > 1;
            e->multithreaded = multithreaded && strcmp(r->kind, "close") != 0;
            const char *phase = record_get(r, "phase");
            e->dlopen = phase && strcmp(phase, "dlopen") == 0;
            if (!e->close) {
                describe(e, ids, MAX_IDS);
            } else {
                /* the id of the latest open object of that path, in this process */
                for (size_t i = t->nevents - 1; i-- > first;)
                    if (!t->events[i].close && strcmp(t->events[i].path, path) == 0) {
                        e->modid = t->events[i].modid;
                        break;
                    }
                if (e->modid > 0 && e->modid < MAX_IDS)
                    ids[e->modid] = false;
            }
        }
        record_free(&records[k]);
    }
    free(records);
    drop_closes_at_exit(t);
    free(ids);
}

enum trace_end trace_command(char **command, const struct settings *s, double timeout_s,
                             bool echo, struct trace *out, char *err, size_t errlen)
{
    char *dir = make_scratch_dir(s->tmpdir, "statictls-trace");
    char *raw = xasprintf("%s/raw", dir);
    const char *audit = env_lookup(s->user_env, "LD_AUDIT");
    char *helper = xasprintf("%s/statictls-tracer.so", self_dir());
    char *entry = loader_list_entry(helper, dir, "statictls-tracer.so");
    char *extra[] = {
        xasprintf("LD_AUDIT=%s%s%s", entry, audit && *audit ? ":" : "", audit ? audit : ""),
        xasprintf("STATICTLS_TRACE_FILE=%s", raw)};
    free(helper), free(entry);
    struct command_outcome o;
    command_watch(&(struct command_spec){command, extra, 2, timeout_s, echo}, &o);
    enum trace_end end = TRACE_DONE;
    if (o.timed_out) {
        snprintf(err, errlen, "%s did not end within %g s: killed with its process group, "
                 "nothing traced; raise --timeout or STATICTLS_TIMEOUT_FACTOR", command[0],
                 timeout_s);
        end = TRACE_TIMED_OUT;
    } else {
        struct trace t = {0};
        struct utsname u;
        if (uname(&u) != 0)
            die_errno("uname");
        t.command = joined(command);
#ifdef __GLIBC__
        t.libc = xasprintf("glibc-%s", gnu_get_libc_version());
#else
        t.libc = xstrdup("musl"); /* no version call; replay needs only the name */
#endif
        t.machine = xstrdup(u.machine);
        t.exit_status = command_exit_code(o.status);
        t.error = o.message, o.message = NULL;
        read_raw(raw, o.pid, &t);
        /* 127 and nothing traced: the shell's "command not found" */
        bool ran = t.nevents || t.exit_status != 127;
        if (!ran)
            snprintf(err, errlen, "cannot run %s", command[0]);
        else if (!t.nevents)
            die("trace: the tracer wrote nothing: %s did not run under LD_AUDIT "
                "(a static or setuid program?)", command[0]);
        if (ran)
            *out = t;
        else
            trace_free(&t);
        end = ran ? TRACE_DONE : TRACE_NOT_RUN;
    }
    command_outcome_free(&o);
    remove_tree(dir); /* the raw records, a helper's link */
    free(raw), free(dir), free(extra[0]), free(extra[1]);
    return end;
}
