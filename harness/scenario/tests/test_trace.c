/* The trace reader: a trace as `statictls trace` writes it reads back
   whole; a damaged one is refused with file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trace.h"
#include "xalloc.h"

static char *write_temp(const char *text)
{
    char *path = xasprintf("%s/statictls-test-trace.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* t written by trace_write, read back by trace_read into r. */
static void round_trip(const struct trace *t, struct trace *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    trace_write(f, t);
    assert_int_equal(fclose(f), 0);
    char *path = write_temp(buf);
    char err[512];
    assert_true(trace_read(path, r, err, sizeof err));
    remove(path);
    free(path);
    free(buf);
}

static void writes_and_reads_back(void **state)
{
    (void)state;
    struct trace_event events[] = {
        {.seq = 7, .threads = 1, .modid = 1, .tls_size = 144, .tls_align = 8,
         .access = TLS_IE, .path = "/lib/x86_64-linux-gnu/libc.so.6"},
        {.seq = 16, .dlopen = true, .threads = 3, .modid = 2, .tls_size = 136, .tls_align = 16,
         .access = TLS_IE, .path = "/lib/x86_64-linux-gnu/libgomp.so.1"},
        {.close = true, .seq = 20, .modid = 2, .path = "/lib/x86_64-linux-gnu/libgomp.so.1"},
    };
    struct trace t = {.command = "python3 -c import torch", .libc = "glibc-2.36",
                      .machine = "x86_64", .error = "x.so: cannot allocate memory in static TLS block",
                      .exit_status = 1, .events = events, .nevents = 3};
    struct trace r;
    round_trip(&t, &r);
    assert_string_equal(r.libc, "glibc-2.36");
    assert_int_equal(r.exit_status, 1);
    assert_string_equal(r.error, t.error);
    assert_int_equal(r.nevents, 3);
    assert_true(r.events[1].dlopen);
    assert_int_equal(r.events[1].threads, 3);
    assert_int_equal(r.events[1].tls_size, 136);
    assert_int_equal(r.events[1].tls_align, 16);
    assert_int_equal(r.events[1].access, TLS_IE);
    assert_true(r.events[2].close);
    assert_int_equal(r.events[2].modid, 2);
    trace_free(&r);
}

/* A file name may hold a tab or a newline: it reads back whole. */
static void odd_paths_round_trip(void **state)
{
    (void)state;
    struct trace_event events[] = {
        {.seq = 2, .dlopen = true, .threads = 1, .modid = 2, .tls_size = 64, .tls_align = 8,
         .access = TLS_IE, .path = "/tmp/a\tb/c\nd\\t.so"},
        {.close = true, .seq = 3, .modid = 2, .path = "/tmp/a\tb/c\nd\\t.so"},
    };
    struct trace t = {.command = "cmd\twith\ttabs", .libc = "glibc-2.36", .machine = "x86_64",
                      .error = "line one\nline two", .events = events, .nevents = 2};
    struct trace r;
    round_trip(&t, &r);
    assert_int_equal(r.nevents, 2);
    assert_string_equal(r.events[0].path, events[0].path);
    assert_string_equal(r.events[1].path, events[0].path);
    assert_string_equal(r.command, t.command);
    assert_string_equal(r.error, t.error);
    trace_free(&r);
}

/* A wrapper's programs (sh, then what it exec'd) each keep their own
   objects; the one judged is the one whose object glibc's message names,
   else the last. */
static void processes_kept_apart(void **state)
{
    (void)state;
    struct trace_event events[] = {
        {.seq = 4, .modid = 1, .tls_size = 144, .tls_align = 8, .access = TLS_IE,
         .path = "/lib/libc.so.6", .process = 0},
        {.seq = 5, .dlopen = true, .modid = 2, .tls_size = 4000, .tls_align = 8,
         .access = TLS_IE, .path = "/opt/x/big.so", .process = 0},
        {.seq = 4, .modid = 1, .tls_size = 144, .tls_align = 8, .access = TLS_IE,
         .path = "/lib/libc.so.6", .process = 1},
    };
    struct trace_process processes[] = {{7, "/usr/bin/dash"}, {7, "/usr/bin/prog"}};
    struct trace t = {.command = "sh -c exec prog", .libc = "glibc-2.36", .machine = "x86_64",
                      .events = events, .nevents = 3, .processes = processes, .nprocesses = 2};
    struct trace r;
    round_trip(&t, &r);
    assert_int_equal(r.nprocesses, 2);
    assert_string_equal(r.processes[1].program, "/usr/bin/prog");
    assert_int_equal(r.processes[0].pid, 7);
    assert_int_equal(r.events[1].process, 0);
    assert_int_equal(r.events[2].process, 1);
    assert_int_equal(trace_judged_process(&r), 1); /* no message: the last */
    r.error = xstrdup("prog: big.so: cannot allocate memory in static TLS block");
    assert_int_equal(trace_judged_process(&r), 0); /* the one that mapped big.so */
    free(r.error);
    r.error = xstrdup("dlopen: cannot load any more object with static TLS");
    trace_keep_judged(&r);
    assert_int_equal(r.judged, 1);
    assert_int_equal(r.nevents, 1);
    assert_string_equal(r.events[0].path, "/lib/libc.so.6");
    trace_free(&r);

    /* Format 1 has no process records: every object is the one process's. */
    char *path = write_temp("trace\tformat=1\tlibc=g\tmachine=m\texit=0\tcommand=c\n"
                            "object\tseq=1\tphase=startup\tlmid=0\tthreads=1\tmodid=1"
                            "\ttls_size=8\ttls_align=8\taccess=initial-exec\tpath=/x\n");
    char err[512];
    assert_true(trace_read(path, &r, err, sizeof err));
    assert_int_equal(r.nprocesses, 1);
    assert_null(r.processes[0].program);
    trace_keep_judged(&r);
    assert_int_equal(r.nevents, 1);
    trace_free(&r);
    remove(path);
    free(path);
}

static void refuses(const char *text, const char *message)
{
    char *path = write_temp(text);
    struct trace t;
    char err[512] = "";
    assert_false(trace_read(path, &t, err, sizeof err));
    if (!strstr(err, message))
        fail_msg("error \"%s\" lacks \"%s\"", err, message);
    remove(path);
    free(path);
}

static void damaged_traces_name_the_line(void **state)
{
    (void)state;
    refuses("", "no trace line");
    refuses("object\tseq=1\n", ":1: object record: needs a trace line first");
    refuses("trace\tformat=3\tlibc=g\tmachine=m\texit=0\tcommand=c\n",
            ":1: trace record: needs format=1 or format=2");
    refuses("trace\tformat=2\tlibc=g\tmachine=m\texit=0\tcommand=c\nprocess\tpid=x\n",
            ":2: process record: needs pid as a number");
    refuses("trace\tformat=1\tlibc=g\tmachine=m\texit=0\tcommand=c\nobject\tseq=1\tphase=startup\tlmid=0"
            "\tthreads=1\tmodid=1\ttls_size=8\ttls_align=8\taccess=ie\tpath=/x\n",
            ":2: object record: needs access");
    refuses("trace\tformat=1\tlibc=g\tmachine=m\texit=0\tcommand=c\nbogus\tx=1\n", ":2: unknown record");
    refuses("trace\tformat=1\tlibc=g\tmachine=m\texit=0\tcommand=c\nobject\tno-equals\n", ":2: not a record");
    refuses("trace\tformat=1\tlibc=g\tmachine=m\texit=0\tcommand=c\n"
            "trace\tformat=1\tlibc=h\tmachine=m\texit=0\tcommand=c\n", ":2: a second trace line");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_and_reads_back),
        cmocka_unit_test(odd_paths_round_trip),
        cmocka_unit_test(processes_kept_apart),
        cmocka_unit_test(damaged_traces_name_the_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
