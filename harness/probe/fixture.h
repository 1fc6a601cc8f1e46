/* Fixtures of any TLS size and alignment, from a prebuilt template.

   Compiling one library per probe costs ~100 ms; copying a template with its
   PT_TLS p_memsz and p_align patched costs microseconds and gives the loader
   exactly the same input as a compiled N-byte block (the block is .tbss: the
   loader zero-fills p_memsz bytes, and the template's 4096-aligned p_vaddr
   keeps the first-byte offset 0 for any alignment up to 4096). */
#ifndef STATICTLS_FIXTURE_H
#define STATICTLS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "settings.h"
#include "tlsaccess.h"

struct fixture_template {
    char *path;
    unsigned char *image;
    size_t size;
    size_t phdr_offset; /* file offset of the PT_TLS program header */
    int elfclass, encoding;
    uint64_t vaddr_align; /* largest alignment the template's p_vaddr meets */
};

/* Loads a template; false with the reason in err if it has no PT_TLS. */
bool fixture_template_load(struct fixture_template *t, const char *path, char *err, size_t errlen);
void fixture_template_free(struct fixture_template *t);

/* Writes a copy of the template to out_path with PT_TLS p_memsz = size and
   p_align = align: a power of two no larger than t->vaddr_align, which every
   caller has checked (the case parser, the option table), so another is
   the harness's own bug. */
void fixture_write(const struct fixture_template *t, const char *out_path, uint64_t size,
                   uint64_t align);

/* The fixtures of one run: the templates (one per TLS access), and a
   scratch directory under the settings' tmpdir for the generated copies
   (removed by kit_close unless the settings keep them). */

struct fixture_kit {
    struct fixture_template templates[TLS_ACCESS_COUNT];
    /* The same, each also defining and binding a unique symbol: read at
       their first use (kit_make_unique). */
    struct fixture_template unique_templates[TLS_ACCESS_COUNT];
    char *build_dir; /* the libc build's: templates and prebuilt fixtures */
    char *dir;
    bool keep;
    unsigned serial;
};

/* The kit of the libc build in build_dir; dies with a clear message when
   its templates are missing (an incomplete build). */
void kit_open(struct fixture_kit *k, const char *build_dir, const struct settings *s);
void kit_close(struct fixture_kit *k);
/* A new library file with one TLS block; the returned path is the caller's. */
char *kit_make(struct fixture_kit *k, enum tls_access access, uint64_t size, uint64_t align,
               const char *label);
/* The same from the template that also defines and binds the unique
   symbol statictls_unique (fixtures/tls_block.c, -DTEMPLATE_UNIQUE): glibc
   makes the first such library a namespace's lookups bind NODELETE. */
char *kit_make_unique(struct fixture_kit *k, enum tls_access access, uint64_t size,
                      uint64_t align, const char *label);
/* A new copy of a prebuilt library from the fixtures directory. */
char *kit_copy(struct fixture_kit *k, const char *prebuilt, const char *label);

#endif
