/* Which relocation serves which TLS access on each architecture with a
   build here, and the ppc64 flag that makes ld.so place a global-dynamic
   module as a TLS descriptor module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <elf.h>
#include <cmocka.h>

#include "elfrules.h"

static void reloc_access_per_machine(void **state)
{
    (void)state;
    const struct {
        int machine;
        unsigned type;
        enum tls_access access;
    } want[] = {
        {EM_ARM, R_ARM_TLS_TPOFF32, TLS_IE},        {EM_ARM, R_ARM_TLS_DESC, TLS_DESC},
        {EM_ARM, R_ARM_TLS_DTPMOD32, TLS_GD},       {EM_ARM, R_ARM_TLS_DTPOFF32, TLS_NONE},
        {EM_PPC64, R_PPC64_TPREL64, TLS_IE},        {EM_PPC64, R_PPC64_DTPMOD64, TLS_GD},
        {EM_PPC64, R_PPC64_DTPREL64, TLS_NONE},     {EM_S390, R_390_TLS_TPOFF, TLS_IE},
        {EM_S390, R_390_TLS_DTPMOD, TLS_GD},        {EM_S390, R_390_TLS_DTPOFF, TLS_NONE},
        {EM_RISCV, R_RISCV_TLS_TPREL64, TLS_IE},    {EM_RISCV, R_RISCV_TLS_DTPMOD64, TLS_GD},
        {EM_RISCV, R_RISCV_TLS_DTPREL64, TLS_NONE}, {EM_AARCH64, R_AARCH64_TLSDESC, TLS_DESC},
        {EM_ARM, 0, TLS_NONE},
        {EM_MIPS, 38 /* R_MIPS_TLS_DTPMOD32 */, TLS_NONE},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(elf_reloc_access(want[i].machine, want[i].type), want[i].access);
}

/* DT_PPC64_OPT is DT_LOPROC + 3: kept as it is, for the reader to judge
   by machine (other machines use the tag for other things). */
static void ppc64_opt_kept(void **state)
{
    (void)state;
    struct elf_dynamic d = {0};
    assert_true(elf_dynamic_add(&d, DT_PPC64_OPT, PPC64_OPT_TLS));
    assert_int_equal(d.loproc3 & PPC64_OPT_TLS, PPC64_OPT_TLS);
    /* With it a ppc64 global-dynamic relocation is placed as a descriptor;
       on another machine the tag means something else. */
    assert_int_equal(elf_reloc_access_of(EM_PPC64, &d, R_PPC64_DTPMOD64), TLS_DESC);
    assert_int_equal(elf_reloc_access_of(EM_PPC64, &d, R_PPC64_TPREL64), TLS_IE);
    assert_int_equal(elf_reloc_access_of(EM_RISCV, &d, R_RISCV_TLS_DTPMOD64), TLS_GD);
    struct elf_dynamic plain = {0};
    assert_int_equal(elf_reloc_access_of(EM_PPC64, &plain, R_PPC64_DTPMOD64), TLS_GD);
    elf_dynamic_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reloc_access_per_machine),
        cmocka_unit_test(ppc64_opt_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
