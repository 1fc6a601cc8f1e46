/* rtld-audit module of `statictls trace`, injected into a real command
   with LD_AUDIT.  One line per object as ld.so maps it, and per object it
   unmaps (its path escaped: a file name may hold a tab or a newline, see
   protocol.h); la_objopen runs before relocation, so an object whose dlopen then
   fails on static TLS is recorded too.  Each line carries the pid (child
   processes inherit LD_AUDIT), the number of threads running then, and
   whether the process has gone multi-threaded: glibc never clears that
   flag, so a thread created and joined still counts for glibc <= 2.21's
   rule on static TLS module ids.

   Each program the process runs (a wrapper such as `sh -c 'exec ...'`
   or `env` execs the next in the same process) loads this module anew:
   its lines start with a "process" line naming the program, so that the
   harness keeps each program's objects apart.

   Lines are records, "kind\tkey=value...", appended to the file named by
   STATICTLS_TRACE_FILE; the harness adds what the ELF files say. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol.h"

static int out = -1;
static int after_preinit; /* objects from here on come from dlopen */
static unsigned seq;
/* The command's own libc (namespace 0), once mapped, and its
   __libc_single_threaded (glibc 2.32+), which says whether a thread was
   ever created.  This module's own libc, in the audit namespace, cannot
   know. */
static struct link_map *command_libc;
static const char *single_threaded;

/* The program this process now runs, before any of its objects. */
static void emit_process(void)
{
    char program[4097] = "";
    ssize_t n = readlink("/proc/self/exe", program, sizeof program - 1);
    program[n > 0 ? n : 0] = '\0';
    char escaped[8200]; /* a path of PATH_MAX bytes, each escaped */
    proto_escape(escaped, sizeof escaped, program);
    char line[8448];
    int len = snprintf(line, sizeof line, "process\tpid=%d\tprogram=%s\n", (int)getpid(),
                       escaped);
    if (len > 0 && (size_t)len < sizeof line && write(out, line, (size_t)len) != len)
        out = -1; /* the trace is incomplete; the command must not notice */
}

unsigned int la_version(unsigned int version)
{
    const char *path = getenv("STATICTLS_TRACE_FILE");
    if (path)
        out = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (out >= 0)
        emit_process();
    return version; /* 2 is refused before 2.35; aarch64's ld.so refuses 1 from 2.35 */
}

static int running_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* 1 once the command created a thread, 0 before, -1 where its libc has no
   __libc_single_threaded (before 2.32; the harness then goes by the
   highest thread count seen). */
static int multithreaded(void)
{
    return single_threaded ? !*single_threaded : -1;
}

static void emit(const char *kind, const struct link_map *map, Lmid_t lmid)
{
    if (out < 0)
        return;
    char path[8200]; /* a path of PATH_MAX bytes, each escaped */
    proto_escape(path, sizeof path, map->l_name[0] ? map->l_name : PROTO_MAIN_NAME);
    char line[8448];
    int n = snprintf(line, sizeof line,
                     "%s\tpid=%d\tseq=%u\tphase=%s\tlmid=%ld\tthreads=%d\tmultithreaded=%d"
                     "\tpath=%s\n",
                     kind, (int)getpid(), ++seq, after_preinit ? "dlopen" : "startup",
                     (long)lmid, running_threads(), strcmp(kind, "object") ? -1 : multithreaded(),
                     path);
    if (n > 0 && (size_t)n < sizeof line && write(out, line, (size_t)n) != n)
        out = -1; /* the trace is incomplete; the command must not notice */
}

unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
    *cookie = (uintptr_t)map;
    const char *base = strrchr(map->l_name, '/');
    if (lmid == LM_ID_BASE && !command_libc && base && strncmp(base, "/libc.so", 8) == 0)
        command_libc = map;
    emit("object", map, lmid);
    return 0; /* no symbol-binding callbacks */
}

unsigned int la_objclose(uintptr_t *cookie)
{
    emit("close", (const struct link_map *)*cookie, -1);
    return 0;
}

void la_preinit(uintptr_t *cookie)
{
    (void)cookie;
    after_preinit = 1;
    /* Startup is done and no dlopen is under way: a handle on the
       command's libc is safe to take now (a startup object's link map is
       no dlsym handle until dlopen gave it a search list). */
    void *libc = command_libc ? dlmopen(LM_ID_BASE, command_libc->l_name,
                                        RTLD_LAZY | RTLD_NOLOAD)
                              : NULL;
    if (libc)
        single_threaded = dlsym(libc, "__libc_single_threaded");
}
