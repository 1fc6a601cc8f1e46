/* LD_PRELOAD helper of `statictls headroom`, injected into a real command.
   Its constructor measures, inside the command's own process, how much
   static TLS is free (bisection with dlopen/dlclose of a template whose
   PT_TLS size it patches: a failed or closed last block gives its space
   back), then, when asked, dlopens a filler that leaves exactly
   STATICTLS_SQUEEZE_LEAVE bytes (or one of exactly STATICTLS_SQUEEZE_FILL
   bytes: the same filler whatever a fix does to the free bytes), and
   dlopens the objects of STATICTLS_SQUEEZE_FIRST (':'-separated) before
   the command loads anything: `doctor`'s "load it first" fix.  A preloaded
   object sits in the initial block and takes no surplus itself.  At exit it lists the objects with
   TLS that were loaded after it, which the harness turns into a census.

   Environment: STATICTLS_SQUEEZE_TEMPLATE (an IE template, 64-bit ELF),
   STATICTLS_SQUEEZE_DIR (scratch), STATICTLS_SQUEEZE_REPORT (appended
   records), STATICTLS_SQUEEZE_LEAVE, STATICTLS_SQUEEZE_FILL and
   STATICTLS_SQUEEZE_FIRST (optional). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocol.h"

static int report = -1;
static const char *dir;
static unsigned char *image;
static size_t image_size;
static Elf64_Phdr *tls_phdr;
static unsigned serial;

static void say(const char *line)
{
    if (report >= 0 && write(report, line, strlen(line)) < 0)
        report = -1;
}

static int load_template(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr))
        return 0;
    image_size = (size_t)st.st_size;
    image = malloc(image_size);
    int ok = image && read(fd, image, image_size) == (ssize_t)image_size;
    close(fd);
    if (!ok || memcmp(image, ELFMAG, SELFMAG) != 0 || image[EI_CLASS] != ELFCLASS64)
        return 0;
    Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
    if (eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > image_size)
        return 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr *ph = (Elf64_Phdr *)(image + eh->e_phoff) + i;
        if (ph->p_type == PT_TLS)
            tls_phdr = ph;
    }
    return tls_phdr != NULL;
}

/* dlopen of a copy with an n-byte, 1-aligned IE block; NULL if it fails. */
static void *open_block(size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/squeeze-%d-%u.so", dir, (int)getpid(), ++serial);
    tls_phdr->p_memsz = n;
    tls_phdr->p_filesz = 0;
    tls_phdr->p_align = 1;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return NULL;
    int ok = write(fd, image, image_size) == (ssize_t)image_size;
    close(fd);
    void *h = ok ? dlopen(path, RTLD_NOW) : NULL;
    unlink(path);
    return h;
}

static int fits(size_t n)
{
    void *h = open_block(n);
    if (h)
        dlclose(h); /* the last block placed: its space comes back */
    return h != NULL;
}

static int list_tls(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *kind = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type != PT_TLS || !info->dlpi_tls_modid)
            continue;
        char path[8200], line[8448];
        proto_escape(path, sizeof path, info->dlpi_name[0] ? info->dlpi_name : PROTO_MAIN_NAME);
        snprintf(line, sizeof line, "%s\tpid=%d\tmodid=%zu\tpath=%s\n", kind, (int)getpid(),
                 info->dlpi_tls_modid, path);
        say(line);
    }
    return 0;
}

/* dlopens each object of list in order; a failure is the command's. */
static void load_first(const char *list)
{
    char line[4352];
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ":");
        char path[4096];
        snprintf(path, sizeof path, "%.*s", (int)(n < sizeof path ? n : sizeof path - 1), p);
        p += n + (p[n] == ':');
        if (!*path)
            continue;
        void *h = dlopen(path, RTLD_NOW);
        snprintf(line, sizeof line, "first\tpid=%d\tok=%d\tpath=%.4000s\n", (int)getpid(), h != NULL,
                 path);
        say(line);
        if (!h) {
            fprintf(stderr, "statictls-squeeze: %s\n", dlerror());
            _exit(1);
        }
    }
}

static void __attribute__((constructor)) squeeze(void)
{
    const char *template = getenv("STATICTLS_SQUEEZE_TEMPLATE");
    const char *out = getenv("STATICTLS_SQUEEZE_REPORT");
    dir = getenv("STATICTLS_SQUEEZE_DIR");
    if (!template || !out || !dir)
        return;
    report = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (!load_template(template)) {
        say("squeeze\terror=cannot read the template\n");
        return;
    }
    dl_iterate_phdr(list_tls, "startup");
    size_t lo = 0, hi = 1024;
    while (fits(hi) && hi < ((size_t)1 << 30)) {
        lo = hi;
        hi *= 2;
    }
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (fits(mid))
            lo = mid;
        else
            hi = mid;
    }
    char line[4352];
    const char *leave = getenv("STATICTLS_SQUEEZE_LEAVE");
    const char *fill = getenv("STATICTLS_SQUEEZE_FILL");
    size_t want = leave ? strtoull(leave, NULL, 10) : lo;
    size_t filler = fill ? strtoull(fill, NULL, 10) : want < lo ? lo - want : 0;
    int filled = !filler || open_block(filler) != NULL;
    snprintf(line, sizeof line, "squeeze\tpid=%d\tfree=%zu\tleave=%zu\tok=%d\n", (int)getpid(),
             lo, filled && filler < lo ? lo - filler : 0, filled);
    say(line);
    load_first(getenv("STATICTLS_SQUEEZE_FIRST"));
}

static void __attribute__((destructor)) census(void)
{
    if (report >= 0)
        dl_iterate_phdr(list_tls, "final");
}
