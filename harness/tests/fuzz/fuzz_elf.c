/* libFuzzer target: the ELF reader takes any file, and an object it reads
   goes through what census does with it: its access, whether it needs
   static TLS, and, when its PT_TLS is one a loader could place, its block
   placed by the model of glibc 2.36 on x86_64 in an area without an end. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elfinfo.h"
#include "fuzz_file.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_file in;
    fuzz_file_set(&in, data, size);
    struct elf_tls t;
    char err[512];
    if (!elf_tls_read(in.path, &t, err, sizeof err))
        return 0;
    enum tls_access access = elf_tls_access(&t);
    if (t.has_tls && elf_tls_size_ok(&t) && elf_tls_needs_static(&t)) {
        if (access != TLS_IE || elf_tls_firstbyte(&t) >= (t.tls_align ? t.tls_align : 1))
            abort();
        struct glibc_rules rules;
        char why[256];
        if (!glibc_rules_for("2.36", "x86_64", true, &rules, why, sizeof why))
            abort();
        struct model m;
        model_start(&m, &rules, 1664, 512, 144, 144, 64);
        m.area_end += (size_t)1 << 40; /* as census: demand, not the limit */
        size_t before = m.used;
        struct tls_block b = {t.tls_memsz, t.tls_align, elf_tls_firstbyte(&t)};
        struct placed p = model_load(&m, &b, TLS_IE);
        /* glibc places a block at least its size from the last one (the
           model once placed a block whose p_vaddr is not aligned by less:
           this fuzzer found it within seconds). */
        if (p.how == PLACED_STATIC && m.used - before < t.tls_memsz)
            abort();
    }
    elf_tls_free(&t);
    return 0;
}
