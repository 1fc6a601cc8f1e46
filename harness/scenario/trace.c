#include "trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "xalloc.h"
#include "xfile.h"

long trace_extra_threads(const struct trace_event *e)
{
    long running = e->threads > 1 ? e->threads - 1 : 0;
    return e->multithreaded && running < 1 ? 1 : running;
}

/* Writes "\tkey=value" with the value escaped as records have it. */
static void put_field(FILE *out, const char *key, const char *value)
{
    char *v = record_escape(value ? value : "");
    fprintf(out, "\t%s=%s", key, v);
    free(v);
}

/* Whether glibc's message names the object at path: the path itself, or
   its file name as a word before a ':' (a DT_NEEDED name, a dlopen of a
   bare name). */
static bool names_object(const char *message, const char *path)
{
    if (strstr(message, path))
        return true;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    for (const char *m = message; n && (m = strstr(m, base)); m++)
        if ((m == message || m[-1] == '/' || m[-1] == ' ') && m[n] == ':')
            return true;
    return false;
}

size_t trace_judged_process(const struct trace *t)
{
    for (size_t k = t->nevents; t->error && k-- > 0;) {
        const struct trace_event *e = &t->events[k];
        if (!e->close && e->tls_size > 0 && names_object(t->error, e->path))
            return e->process;
    }
    return t->nprocesses ? t->nprocesses - 1 : 0;
}

void trace_keep_judged(struct trace *t)
{
    t->judged = trace_judged_process(t);
    size_t kept = 0;
    for (size_t i = 0; i < t->nevents; i++) {
        if (t->events[i].process == t->judged)
            t->events[kept++] = t->events[i];
        else
            free(t->events[i].path);
    }
    t->nevents = kept;
}

static void write_event(FILE *out, const struct trace_event *e)
{
    if (e->close) {
        fprintf(out, "close\tseq=%ld\tmodid=%ld", e->seq, e->modid);
    } else {
        fprintf(out, "object\tseq=%ld\tphase=%s\tlmid=%ld\tthreads=%ld\tmultithreaded=%d"
                     "\tmodid=%ld\ttls_size=%llu\ttls_align=%llu\taccess=%s",
                e->seq, e->dlopen ? "dlopen" : "startup", e->lmid, e->threads, e->multithreaded,
                e->modid, (unsigned long long)e->tls_size, (unsigned long long)e->tls_align,
                tls_access_long_name(e->access));
    }
    put_field(out, "path", e->path);
    fputc('\n', out);
}

void trace_write(FILE *out, const struct trace *t)
{
    fprintf(out, "# statictls trace, format 2: see cases/README.md, \"Traces\".\n");
    fprintf(out, "trace\tformat=2");
    put_field(out, "libc", t->libc);
    put_field(out, "machine", t->machine);
    fprintf(out, "\texit=%d", t->exit_status);
    put_field(out, "command", t->command);
    fputc('\n', out);
    /* Each process, then its events (they come in process order). */
    size_t i = 0;
    for (size_t k = 0; k < t->nprocesses; k++) {
        fprintf(out, "process\tpid=%ld", t->processes[k].pid);
        if (t->processes[k].program)
            put_field(out, "program", t->processes[k].program);
        fputc('\n', out);
        for (; i < t->nevents && t->events[i].process == k; i++)
            write_event(out, &t->events[i]);
    }
    for (; i < t->nevents; i++) /* a trace made without its processes */
        write_event(out, &t->events[i]);
    if (t->error) {
        fprintf(out, "error");
        put_field(out, "text", t->error);
        fputc('\n', out);
    }
}

static bool number(const struct record *r, const char *key, long *out)
{
    return record_get_long(r, key, out) && *out >= -1;
}

static bool read_event(const struct record *r, struct trace_event *e, const char **missing,
                       int line)
{
    memset(e, 0, sizeof *e);
    e->line = line;
    e->close = strcmp(r->kind, "close") == 0;
    const char *path = record_get(r, "path");
    long size = 0, align = 0;
    *missing = !path ? "path" : !number(r, "seq", &e->seq) ? "seq" : !number(r, "modid", &e->modid) ? "modid" : NULL;
    if (*missing || e->close) {
        e->path = path ? xstrdup(path) : NULL;
        return !*missing;
    }
    const char *phase = record_get(r, "phase"), *access = record_get(r, "access");
    if (!phase || (strcmp(phase, "dlopen") != 0 && strcmp(phase, "startup") != 0))
        *missing = "phase (startup or dlopen)";
    else if (!number(r, "threads", &e->threads) || !number(r, "lmid", &e->lmid))
        *missing = "threads or lmid";
    else if (!number(r, "tls_size", &size) || !number(r, "tls_align", &align) || size < 0 || align < 0)
        *missing = "tls_size or tls_align";
    long flag = 0; /* optional: trace_read goes by the thread counts without it */
    if (!*missing && record_get(r, "multithreaded") &&
        (!record_get_long(r, "multithreaded", &flag) || (flag != 0 && flag != 1)))
        *missing = "multithreaded as 0 or 1";
    e->multithreaded = flag == 1;
    e->access = TLS_NONE;
    if (!*missing && (!tls_access_from_name(access, &e->access) ||
                      strcmp(access, tls_access_long_name(e->access)) != 0))
        *missing = "access (none, initial-exec, descriptors or dynamic)";
    e->dlopen = phase && strcmp(phase, "dlopen") == 0;
    e->tls_size = (uint64_t)size;
    e->tls_align = (uint64_t)align;
    e->path = xstrdup(path);
    return !*missing;
}

bool trace_read(const char *path, struct trace *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    size_t len;
    char *text = read_file_max(path, TRACE_MAX_BYTES, &len);
    if (!text) {
        snprintf(err, errlen, "%s: cannot read: %s", path,
                 errno == EFBIG ? "larger than any trace (64 MiB)" : strerror(errno));
        return false;
    }
    if (strlen(text) != len) {
        snprintf(err, errlen, "%s: a NUL byte: not a statictls trace", path);
        free(text);
        return false;
    }
    bool ok = true, header = false, went_multithreaded = false;
    int lineno = 0;
    for (char *line = text, *next; ok && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        struct record r;
        const char *missing = NULL;
        if (!record_parse(line, &r)) {
            snprintf(err, errlen, "%s:%d: not a record (kind, then key=value fields)", path, lineno);
            ok = false;
            continue;
        }
        if (strcmp(r.kind, "trace") == 0) {
            long code = 0;
            const char *libc = record_get(&r, "libc"), *machine = record_get(&r, "machine");
            const char *command = record_get(&r, "command"), *format = record_get(&r, "format");
            if (header) {
                snprintf(err, errlen, "%s:%d: a second trace line (one trace per file)", path,
                         lineno);
                ok = false;
            } else if (!format || (strcmp(format, "1") != 0 && strcmp(format, "2") != 0))
                missing = "format=1 or format=2";
            else if (!libc || !machine || !command || !record_get_long(&r, "exit", &code))
                missing = "libc, machine, exit or command";
            else {
                t->libc = xstrdup(libc);
                t->machine = xstrdup(machine);
                t->command = xstrdup(command);
                t->exit_status = (int)code;
                header = true;
            }
        } else if (strcmp(r.kind, "process") == 0) {
            long pid = 0;
            const char *program = record_get(&r, "program");
            if (!header)
                missing = "a trace line first";
            else if (record_get(&r, "pid") && !number(&r, "pid", &pid))
                missing = "pid as a number";
            else {
                *XAPPEND(&t->processes, &t->nprocesses) =
                    (struct trace_process){pid, program ? xstrdup(program) : NULL};
                went_multithreaded = false; /* exec leaves one thread, and a fresh flag */
            }
        } else if (strcmp(r.kind, "object") == 0 || strcmp(r.kind, "close") == 0) {
            if (header && !t->nprocesses) /* format 1: one process, unnamed */
                *XAPPEND(&t->processes, &t->nprocesses) = (struct trace_process){0, NULL};
            struct trace_event *e = XAPPEND(&t->events, &t->nevents);
            memset(e, 0, sizeof *e);
            e->line = lineno;
            if (!header)
                missing = "a trace line first";
            else
                read_event(&r, e, &missing, lineno);
            e->process = t->nprocesses ? t->nprocesses - 1 : 0;
            /* Once a second thread ran, the process is multi-threaded for
               good, whether or not the record says so. */
            went_multithreaded |= e->multithreaded || e->threads > 1;
            e->multithreaded = went_multithreaded && !e->close;
        } else if (strcmp(r.kind, "error") == 0) {
            const char *text_ = record_get(&r, "text");
            free(t->error);
            t->error = text_ ? xstrdup(text_) : NULL;
        } else {
            snprintf(err, errlen, "%s:%d: unknown record \"%s\"", path, lineno, r.kind);
            ok = false;
        }
        if (missing) {
            snprintf(err, errlen, "%s:%d: %s record: needs %s", path, lineno, r.kind, missing);
            ok = false;
        }
        record_free(&r);
    }
    if (ok && !header) {
        snprintf(err, errlen, "%s: no trace line: not a statictls trace", path);
        ok = false;
    }
    if (ok && !t->nprocesses) /* nothing was mapped: still the command's process */
        *XAPPEND(&t->processes, &t->nprocesses) = (struct trace_process){0, NULL};
    free(text);
    if (!ok)
        trace_free(t);
    return ok;
}

void trace_free(struct trace *t)
{
    for (size_t i = 0; i < t->nevents; i++)
        free(t->events[i].path);
    free(t->events);
    for (size_t k = 0; k < t->nprocesses; k++)
        free(t->processes[k].program);
    free(t->processes);
    free(t->command), free(t->libc), free(t->machine), free(t->error);
    memset(t, 0, sizeof *t);
}
