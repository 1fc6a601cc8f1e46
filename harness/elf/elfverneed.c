#include "elfverneed.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Elf32_Verneed and Elf64_Verneed are the same 16 bytes, and so are the
   two Vernaux: one layout for both classes. */
enum { VERNEED_SIZE = ELF_VERNEED_RECORD, VERNAUX_SIZE = ELF_VERNEED_RECORD };

static uint64_t get(const unsigned char *p, size_t size, bool msb)
{
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++)
        v |= (uint64_t)p[msb ? size - 1 - i : i] << (8 * i);
    return v;
}

static const char *name_at(const char *strings, uint64_t strsz, uint64_t off)
{
    if (!strings || off >= strsz || !memchr(strings + off, '\0', strsz - off))
        return NULL;
    return strings + off;
}

void elf_verneed_walk(const unsigned char *table, uint64_t size, bool msb, uint64_t count,
                      elf_verneed_visit *visit, void *ctx, char *problem, size_t len)
{
    uint64_t at = 0, read = 0;
    if (len)
        problem[0] = '\0';
    for (uint64_t k = 0; k < count; k++) {
        if (at > size || size - at < VERNEED_SIZE) {
            snprintf(problem, len, "DT_VERNEED entry %llu lies past the mapped table",
                     (unsigned long long)k);
            return;
        }
        const unsigned char *e = table + at;
        uint64_t cnt = get(e + 2, 2, msb), file = get(e + 4, 4, msb);
        uint64_t aux = get(e + 8, 4, msb), next = get(e + 12, 4, msb);
        visit(ctx, at, false, file, 0, 0);
        uint64_t a = at + aux;
        for (uint64_t i = 0; i < cnt; i++) {
            if (++read > ELF_VERNEED_MAX) {
                snprintf(problem, len, "more than %d version needs: the rest not read",
                         ELF_VERNEED_MAX);
                return;
            }
            if (a > size || size - a < VERNAUX_SIZE) {
                snprintf(problem, len,
                         "a version need of DT_VERNEED entry %llu lies past the mapped table",
                         (unsigned long long)k);
                return;
            }
            const unsigned char *x = table + a;
            uint64_t anext = get(x + 12, 4, msb);
            visit(ctx, a, true, file, get(x + 8, 4, msb), (unsigned)get(x + 4, 2, msb));
            if (!anext)
                break;
            a += anext;
        }
        if (!next)
            return;
        at += next;
    }
}

struct read_ctx {
    const char *strings;
    uint64_t strsz;
    struct elf_version_needs *out;
};

static void collect(void *ctx, uint64_t at, bool aux, uint64_t file, uint64_t name,
                    unsigned flags)
{
    (void)at;
    struct read_ctx *r = ctx;
    const char *file_name = name_at(r->strings, r->strsz, file);
    const char *version = name_at(r->strings, r->strsz, name);
    if (!aux || (flags & VER_FLG_WEAK) || !version || !file_name)
        return;
    struct elf_version_need *n = XAPPEND(&r->out->items, &r->out->n);
    n->file = xstrdup(file_name);
    n->version = xstrdup(version);
}

void elf_verneed_read(const unsigned char *table, uint64_t size, bool msb, uint64_t count,
                      const char *strings, uint64_t strsz, struct elf_version_needs *out)
{
    memset(out, 0, sizeof *out);
    struct read_ctx r = {strings, strsz, out};
    elf_verneed_walk(table, size, msb, count, collect, &r, out->problem, sizeof out->problem);
}

void elf_version_needs_free(struct elf_version_needs *n)
{
    for (size_t i = 0; i < n->n; i++)
        free(n->items[i].file), free(n->items[i].version);
    free(n->items);
    memset(n, 0, sizeof *n);
}

/* Digits, then what ends them: at most 9 digits, no sign, no blank. */
static bool number(const char **s, unsigned *v)
{
    size_t n = 0;
    *v = 0;
    while ((*s)[n] >= '0' && (*s)[n] <= '9' && n < 9)
        *v = *v * 10 + (unsigned)((*s)[n++] - '0');
    *s += n;
    return n > 0 && !(**s >= '0' && **s <= '9');
}

/* "X.Y" or "X.Y.Z" from s, the whole of it. */
static bool release_numbers(const char *s, unsigned v[3])
{
    v[0] = v[1] = v[2] = 0;
    if (!number(&s, &v[0]) || *s++ != '.' || !number(&s, &v[1]))
        return false;
    if (*s == '.' && (s++, !number(&s, &v[2])))
        return false;
    return *s == '\0';
}

bool glibc_version_of(const char *name, unsigned v[3])
{
    return strncmp(name, "GLIBC_", 6) == 0 && release_numbers(name + 6, v);
}

static int compare(const unsigned a[3], const unsigned b[3])
{
    for (int i = 0; i < 3; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

bool glibc_release_defines(const char *release, const char *name)
{
    unsigned need[3], have[3];
    if (!glibc_version_of(name, need) || !release_numbers(release, have))
        return true;
    return compare(need, have) <= 0;
}

bool glibc_version_newer(const char *a, const char *b)
{
    unsigned va[3], vb[3];
    return glibc_version_of(a, va) && (!glibc_version_of(b, vb) || compare(va, vb) > 0);
}

const struct elf_version_need *elf_newest_glibc_need(const struct elf_version_needs *needs)
{
    const struct elf_version_need *newest = NULL;
    unsigned best[3] = {0}, v[3];
    for (size_t i = 0; i < needs->n; i++)
        if (glibc_version_of(needs->items[i].version, v) && (!newest || compare(v, best) > 0))
            newest = &needs->items[i], memcpy(best, v, sizeof best);
    return newest;
}
