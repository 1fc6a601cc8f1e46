/* statictls-probe: the child process of every measurement.

   The harness execs a fresh probe per probe, so the loader starts clean:
   nothing the harness itself has loaded is inherited.  The probe reports
   to the harness over a pipe (argv[1]), one record per line, each written
   with a single write() so a crash never leaves half a record:

     statictls-probe FD budget
     statictls-probe FD steps OP...    OP = threads:N | load:PATH | dlmopen:PATH
                                            | close:STEP
     statictls-probe FD budget-steps   the budget, then OPs on stdin, one a line

   Records are "kind\tkey=value\t...", values escaped (protocol.h); each OP
   comes escaped the same way and is decoded before it is split.
   A step is announced ("begin") before it runs, so a step that crashes or
   hangs is still known.  The measured dlopen() is a raw call: its failure
   is the measurement, not an error of the probe.  Anything else that fails
   is the probe's own error: it says so on stderr and exits 3.  The words
   are in protocol.h, shared with the harness.  */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

#include "protocol.h"

static int record_fd = -1;

static void die(const char *what)
{
    fprintf(stderr, "statictls-probe: %s: %s\n", what, strerror(errno));
    exit(PROTO_EXIT_ERROR);
}

/* Appends "\tkey=value", the value escaped (protocol.h). */
static void field(char *line, size_t cap, const char *key, const char *value)
{
    size_t len = strlen(line);
    int n = snprintf(line + len, cap - len, "\t%s=", key);
    if (n < 0 || (size_t)n >= cap - len)
        return;
    len += (size_t)n;
    proto_escape(line + len, cap - len, value ? value : "");
}

static void fieldf(char *line, size_t cap, const char *key, const char *fmt, ...)
{
    char value[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    field(line, cap, key, value);
}

static void emit(char *line, size_t cap)
{
    size_t len = strlen(line);
    if (len + 1 >= cap)
        len = cap - 2;
    line[len] = '\n';
    if (write(record_fd, line, len + 1) != (ssize_t)(len + 1))
        die("write record");
}

#define LINE_CAP 4096

/* Where glibc counts static TLS offsets from: the thread pointer, less the
   ABI's bias on powerpc64, where TP points TLS_TP_OFFSET (0x7000) past the
   TCB's end (sysdeps/powerpc/nptl/tls.h).  Every TP offset the probe
   reports, rseq's included, is from here, so that an offset is glibc's
   l_tls_offset (harness/model/rules.h, tcb_size). */
#if defined(__powerpc64__)
#define TLS_TP_BIAS 0x7000
#else
#define TLS_TP_BIAS 0
#endif

/* GCC before 11 has no __builtin_thread_pointer on x86. */
static char *thread_pointer(void)
{
#if defined(__x86_64__)
    char *tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return tp;
#elif defined(__i386__)
    char *tp;
    __asm__("mov %%gs:0, %0" : "=r"(tp));
    return tp;
#elif defined(__aarch64__)
    char *tp;
    __asm__("mrs %0, tpidr_el0" : "=r"(tp));
    return tp;
#elif defined(__powerpc64__)
    char *tp; /* r13; GCC has no __builtin_thread_pointer there */
    __asm__("mr %0, 13" : "=r"(tp));
    return tp - TLS_TP_BIAS;
#else
    return __builtin_thread_pointer();
#endif
}

/* ---- facts about the TLS modules currently loaded ---------------------- */

struct tls_query {
    const void *base; /* find the object with this l_addr, or NULL for all */
    int found;
    size_t size, align, firstbyte, filesz;
    size_t modid;
    const char *name;
};

static int report_module(struct dl_phdr_info *info, size_t sz, void *data)
{
    (void)sz;
    struct tls_query *q = data;
    const ElfW(Phdr) *tls = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_TLS)
            tls = &info->dlpi_phdr[i];
    if (q->base) {
        if ((const void *)info->dlpi_addr != q->base)
            return 0;
        q->found = 1;
        if (tls) {
            q->size = tls->p_memsz;
            q->align = tls->p_align;
            q->filesz = tls->p_filesz;
            q->firstbyte = tls->p_align ? tls->p_vaddr & (tls->p_align - 1) : 0;
        }
        q->modid = info->dlpi_tls_modid;
        return 1;
    }
    char line[LINE_CAP] = PROTO_OBJECT;
    field(line, sizeof line, PROTO_KEY_PATH,
          info->dlpi_name[0] ? info->dlpi_name : PROTO_MAIN_NAME);
    emit(line, sizeof line);
    if (!tls)
        return 0;
    strcpy(line, PROTO_MODULE);
    fieldf(line, sizeof line, PROTO_KEY_MODID, "%zu", (size_t)info->dlpi_tls_modid);
    fieldf(line, sizeof line, PROTO_KEY_SIZE, "%zu", (size_t)tls->p_memsz);
    fieldf(line, sizeof line, PROTO_KEY_ALIGN, "%zu", (size_t)tls->p_align);
    fieldf(line, sizeof line, PROTO_KEY_FIRSTBYTE, "%zu",
           (size_t)(tls->p_align ? tls->p_vaddr & (tls->p_align - 1) : 0));
    fieldf(line, sizeof line, "filesz", "%zu", (size_t)tls->p_filesz);
    if (info->dlpi_tls_data)
        fieldf(line, sizeof line, PROTO_KEY_TPOFF, "%td",
               (char *)info->dlpi_tls_data - thread_pointer());
    field(line, sizeof line, PROTO_KEY_PATH,
          info->dlpi_name[0] ? info->dlpi_name : PROTO_MAIN_NAME);
    emit(line, sizeof line);
    return 0;
}

/* Whether a file is mapped: its path (as the kernel names it) in maps. */
static int mapped(const char *maps, const char *path)
{
    size_t n = strlen(path);
    for (const char *line = maps; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *p = strchr(line, '/');
        const char *end = strchr(line, '\n');
        if (p && (!end || p < end) && strncmp(p, path, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
            return 1;
    }
    return 0;
}

/* Each LD_AUDIT entry, and whether ld.so loaded it: one it cannot load
   (or a list it splits wrongly) it ignores with a warning, and the static
   TLS layout is then that of a process without it.  Audit modules live in
   namespaces of their own, which dl_iterate_phdr does not show: the
   mappings do. */
static void report_audit(void)
{
    const char *list = getenv("LD_AUDIT");
    if (!list || !*list)
        return;
    static char maps[1 << 20];
    FILE *f = fopen("/proc/self/maps", "r");
    size_t n = f ? fread(maps, 1, sizeof maps - 1, f) : 0;
    if (f)
        fclose(f);
    maps[n] = '\0';
    char entries[4096];
    snprintf(entries, sizeof entries, "%s", list);
    for (char *save = NULL, *e = strtok_r(entries, ":", &save); e; e = strtok_r(NULL, ":", &save)) {
        char real[PATH_MAX], line[LINE_CAP] = PROTO_AUDIT;
        field(line, sizeof line, PROTO_KEY_PATH, e);
        field(line, sizeof line, PROTO_KEY_LOADED,
              mapped(maps, realpath(e, real) ? real : e) ? PROTO_OK : "0");
        emit(line, sizeof line);
    }
}

static void report_budget(void)
{
    char line[LINE_CAP];
    struct utsname u;

    strcpy(line, PROTO_LIBC);
#ifdef __GLIBC__
    field(line, sizeof line, PROTO_KEY_NAME, "glibc");
    field(line, sizeof line, PROTO_KEY_VERSION, gnu_get_libc_version());
    field(line, sizeof line, PROTO_KEY_RELEASE, gnu_get_libc_release());
#elif defined(__UCLIBC__)
    field(line, sizeof line, PROTO_KEY_NAME, "uclibc");
#else /* musl defines no macro of its own, on purpose */
    field(line, sizeof line, PROTO_KEY_NAME, "musl");
#endif
    emit(line, sizeof line);

    if (uname(&u) != 0)
        die("uname");
    strcpy(line, PROTO_ARCH);
    /* The machine this probe was built for: a 32-bit probe on a 64-bit
       kernel reads "x86_64" from uname. */
#if defined(__i386__)
    field(line, sizeof line, PROTO_KEY_MACHINE, "i686");
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
    /* and an armhf probe reads "armv7l", "armv8l" or "aarch64": the
       model's rules are those of the hard-float ABI it was built for. */
    field(line, sizeof line, PROTO_KEY_MACHINE, "armhf");
#else
    field(line, sizeof line, PROTO_KEY_MACHINE, u.machine);
#endif
    fieldf(line, sizeof line, "pointer_bytes", "%zu", sizeof(void *));
    emit(line, sizeof line);

    /* GLIBC_PRIVATE, kept by glibc for sanitizers: size includes the TCB. */
    void (*static_info)(size_t *, size_t *) =
        (void (*)(size_t *, size_t *))dlsym(RTLD_DEFAULT, "_dl_get_tls_static_info");
    strcpy(line, PROTO_STATIC);
    if (static_info) {
        size_t size = 0, align = 0;
        static_info(&size, &align);
        fieldf(line, sizeof line, PROTO_KEY_SIZE, "%zu", size);
        fieldf(line, sizeof line, PROTO_KEY_ALIGN, "%zu", align);
    }
    emit(line, sizeof line);

    /* glibc 2.35+; from 2.41 the rseq area is a block of the static TLS. */
    const ptrdiff_t *rseq_offset = dlsym(RTLD_DEFAULT, "__rseq_offset");
    const unsigned int *rseq_size = dlsym(RTLD_DEFAULT, "__rseq_size");
    if (rseq_offset && rseq_size) {
        strcpy(line, PROTO_RSEQ);
        fieldf(line, sizeof line, PROTO_KEY_OFFSET, "%td", *rseq_offset + TLS_TP_BIAS);
        fieldf(line, sizeof line, PROTO_KEY_SIZE, "%u", *rseq_size);
        emit(line, sizeof line);
    }

    struct tls_query all = {0};
    dl_iterate_phdr(report_module, &all);
    report_audit();
}

/* ---- steps --------------------------------------------------------------- */

static void *idle_thread(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

/* Starts n idle threads; false with why when the machine refuses one
   (EAGAIN: the user's process limit, the system's threads or memory),
   which is no error of the probe's or of the case's. */
static bool start_threads(long n, char *why, size_t len)
{
    /* Idle threads need little stack, but no less than PTHREAD_STACK_MIN,
       which is 128 KiB on aarch64. */
    static pthread_attr_t attr;
    int err = pthread_attr_init(&attr);
    if (!err)
        err = pthread_attr_setstacksize(&attr, 1 << 18);
    if (err) {
        errno = err;
        die("pthread_attr");
    }
    for (long i = 0; i < n; i++) {
        pthread_t t;
        err = pthread_create(&t, &attr, idle_thread, NULL);
        if (err == EAGAIN) {
            struct rlimit nproc;
            char limit[32] = "unknown";
            bool known = getrlimit(RLIMIT_NPROC, &nproc) == 0;
            if (known && nproc.rlim_cur == RLIM_INFINITY)
                snprintf(limit, sizeof limit, "unlimited");
            else if (known)
                snprintf(limit, sizeof limit, "%llu", (unsigned long long)nproc.rlim_cur);
            snprintf(why, len, "pthread_create: %s (thread %ld of %ld; the process limit "
                     "RLIMIT_NPROC is %s tasks)", strerror(err), i + 1, n, limit);
            return false;
        }
        if (err) {
            errno = err;
            die("pthread_create");
        }
    }
    return true;
}

/* The PT_TLS of an object from its own mapped headers: dl_iterate_phdr
   lists only the caller's namespace, so a dlmopen'ed object is not in it.
   A shared object's first load segment maps its ELF and program headers. */
static void tls_from_headers(const struct link_map *map, struct tls_query *q)
{
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)map->l_addr;
    if (!map->l_addr || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return;
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(map->l_addr + eh->e_phoff);
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_TLS) {
            q->found = 1;
            q->size = ph[i].p_memsz;
            q->align = ph[i].p_align;
        }
}

static void report_loaded(char *line, size_t cap, void *handle)
{
    struct link_map *map = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map)
        return;
    field(line, cap, PROTO_KEY_PATH, map->l_name);
    struct tls_query q = {.base = (const void *)map->l_addr};
    dl_iterate_phdr(report_module, &q);
    if (!q.found)
        tls_from_headers(map, &q);
#ifdef __GLIBC__
    /* RTLD_DI_TLS_MODID is an enumerator, not a macro: no #ifdef can see it. */
    size_t modid = 0;
    if (q.size && dlinfo(handle, RTLD_DI_TLS_MODID, &modid) == 0 && modid)
        fieldf(line, cap, PROTO_KEY_MODID, "%zu", modid);
#endif
    if (!q.found || !q.size)
        return;
    fieldf(line, cap, PROTO_KEY_SIZE, "%zu", q.size);
    fieldf(line, cap, PROTO_KEY_ALIGN, "%zu", q.align);
    /* Our fixtures say where their block is; real libraries cannot. */
    void *(*touch)(size_t) = (void *(*)(size_t))dlsym(handle, "statictls_fixture_touch");
    if (touch)
        fieldf(line, cap, PROTO_KEY_TPOFF, "%td", (char *)touch(q.size) - thread_pointer());
}

static void run_steps(int argc, char **argv)
{
    static void *handles[PROTO_MAX_STEPS + 1];
    if (argc > PROTO_MAX_STEPS) {
        errno = E2BIG;
        die("too many steps");
    }
    for (int i = 0; i < argc; i++) {
        int step = i + 1;
        char line[LINE_CAP] = PROTO_BEGIN;
        proto_unescape(argv[i]);
        char *op = argv[i], *arg = strchr(op, PROTO_ARG_SEP);
        if (!arg) {
            errno = EINVAL;
            die(op);
        }
        *arg++ = '\0';
        fieldf(line, sizeof line, PROTO_KEY_STEP, "%d", step);
        field(line, sizeof line, "op", op);
        field(line, sizeof line, "arg", arg);
        emit(line, sizeof line);

        strcpy(line, PROTO_STEP);
        fieldf(line, sizeof line, PROTO_KEY_STEP, "%d", step);
        if (strcmp(op, PROTO_OP_THREADS) == 0) {
            char why[256];
            if (!start_threads(strtol(arg, NULL, 10), why, sizeof why)) {
                /* Nothing after this step would be about the case. */
                field(line, sizeof line, PROTO_KEY_OK, "0");
                field(line, sizeof line, PROTO_KEY_ENVIRONMENT, PROTO_OK);
                field(line, sizeof line, PROTO_KEY_ERR, why);
                emit(line, sizeof line);
                exit(PROTO_EXIT_ENVIRONMENT);
            }
            field(line, sizeof line, PROTO_KEY_OK, PROTO_OK);
        } else if (strcmp(op, PROTO_OP_CLOSE) == 0) {
            /* The harness closes only steps that loaded something; a NULL
               handle is a load that failed, and there is nothing to close. */
            long target = strtol(arg, NULL, 10);
            void *h = target >= 1 && target <= PROTO_MAX_STEPS ? handles[target] : NULL;
            int rc = h ? dlclose(h) : 0;
            if (h && rc == 0)
                handles[target] = NULL;
            field(line, sizeof line, PROTO_KEY_OK, rc == 0 ? PROTO_OK : "0");
            if (!h)
                field(line, sizeof line, "skipped", "1");
            if (rc != 0)
                field(line, sizeof line, PROTO_KEY_ERR, dlerror());
        } else if (strcmp(op, PROTO_OP_LOAD) == 0 || strcmp(op, PROTO_OP_DLMOPEN) == 0) {
            int load = strcmp(op, PROTO_OP_LOAD) == 0;
#ifdef LM_ID_NEWLM
            void *h = load ? dlopen(arg, RTLD_NOW) : dlmopen(LM_ID_NEWLM, arg, RTLD_NOW);
            const char *why = h ? NULL : dlerror();
#else
            void *h = load ? dlopen(arg, RTLD_NOW) : NULL;
            const char *why = h ? NULL : load ? dlerror() : "dlmopen: not in this libc";
#endif
            handles[step] = h;
            field(line, sizeof line, PROTO_KEY_OK, h ? PROTO_OK : "0");
            if (h)
                report_loaded(line, sizeof line, h);
            else
                field(line, sizeof line, PROTO_KEY_ERR, why);
        } else {
            errno = EINVAL;
            die(op);
        }
        emit(line, sizeof line);
    }
}

/* The steps the harness sends on stdin, one a line, all read before any
   runs (the harness writes them all at once and closes). */
static void run_steps_from_stdin(void)
{
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    for (ssize_t n; text && (n = read(0, text + len, cap - len - 1)) != 0;) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("read steps");
        len += (size_t)n;
        if (len + 1 == cap) {
            char *more = realloc(text, cap *= 2);
            if (!more)
                break;
            text = more;
        }
    }
    if (!text)
        die("steps");
    text[len] = '\0';
    char **steps = calloc(PROTO_MAX_STEPS + 1, sizeof *steps);
    int n = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); steps && line;
         line = strtok_r(NULL, "\n", &save)) {
        if (n == PROTO_MAX_STEPS + 1)
            break; /* run_steps refuses too many, saying so */
        steps[n++] = line;
    }
    if (!steps)
        die("steps");
    run_steps(n, steps);
    free(steps);
    free(text);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: statictls-probe FD " PROTO_MODE_BUDGET " | FD " PROTO_MODE_STEPS
                        " OP...\n");
        return PROTO_EXIT_ERROR;
    }
    record_fd = atoi(argv[1]);
    if (strcmp(argv[2], PROTO_MODE_BUDGET) == 0)
        report_budget();
    else if (strcmp(argv[2], PROTO_MODE_STEPS) == 0)
        run_steps(argc - 3, argv + 3);
    else if (strcmp(argv[2], PROTO_MODE_BUDGET_STEPS) == 0) {
        report_budget();
        char ready[LINE_CAP] = PROTO_READY;
        emit(ready, sizeof ready);
        run_steps_from_stdin();
    }
    else {
        fprintf(stderr, "statictls-probe: unknown mode %s\n", argv[2]);
        return PROTO_EXIT_ERROR;
    }
    char line[LINE_CAP] = PROTO_END;
    emit(line, sizeof line);
    return 0;
}
