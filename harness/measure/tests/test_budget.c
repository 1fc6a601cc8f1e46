/* The budget of a fresh process as the model lays it out from the rules
   (rules.h), on synthetic processes: no probe runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "budget.h"
#include "xalloc.h"

/* --model glibc-2.17 on a 2.36 host: 2.17's own libc block (104 bytes,
   120 in 2.21, measured on upstream builds), not the host's 144. */
static void release_startup_layouts(void **state)
{
    (void)state;
    const struct {
        const char *version;
        bool own;
        size_t free_bytes;
    } want[] = {{"2.17", true, 1688}, {"2.21", true, 1672}, {"2.25", false, 1712}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct budget b;
        budget_synthetic(&b, "2.36", "x86_64", 144, false, NULL, NULL, NULL, 0);
        assert_int_equal(budget_model_release(&b, want[i].version), want[i].own);
        assert_true(b.modelled);
        assert_int_equal(model_free(&b.model), want[i].free_bytes);
        budget_free(&b);
    }
}

/* The rseq block of 2.41 in the static area, on both sides of TP (1664
   free on each, measured on x86_64 and aarch64). */
static void rseq_block(void **state)
{
    (void)state;
    struct budget b;
    budget_synthetic(&b, "2.41", "x86_64", 136, true, NULL, NULL, NULL, 0);
    assert_int_equal(b.predicted_used, 192);
    assert_int_equal(b.predicted_static_align, 64);
    assert_int_equal(model_free(&b.model), 1664);
    budget_free(&b);
    budget_synthetic(&b, "2.41", "aarch64", 152, true, NULL, NULL, NULL, 0);
    assert_int_equal(b.predicted_used, 224); /* tcbhead 16 + 152, rounded to 32, + 32 */
    assert_int_equal(b.predicted_static_align, 32);
    assert_int_equal(model_free(&b.model), 1664);
    budget_free(&b);
}

/* nns=16 leaves no namespace for an audit module: ld.so stops at startup
   on 2.32+ and on Debian's 2.31 (a synthetic 2.31 is that backport); a
   2.25 modelled without the backport has no such check. */
static void audit_namespace_limit(void **state)
{
    (void)state;
    const struct {
        const char *version;
        bool stops;
    } want[] = {{"2.36", true}, {"2.31", true}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct budget b;
        budget_synthetic(&b, want[i].version, "x86_64", 144, false, "glibc.rtld.nns=16",
                         "/a.so", NULL, 0);
        assert_int_equal(b.startup_failure == KIND_AUDIT_LIMIT, want[i].stops);
        if (i == 0) {
            budget_model_as(&b, "2.25");
            assert_true(b.modelled);
            assert_int_equal(b.startup_failure, KIND_LOADED);
        }
        budget_free(&b);
    }
}

static struct budget_module preload(const char *path, uint64_t size, enum tls_access access)
{
    return (struct budget_module){.path = xstrdup(path), .block = {size, 8, 0}, .access = access};
}

/* Under LD_AUDIT nothing but the main program is laid out at startup (here
   there is none): libc and the preloads take static TLS from the surplus
   as ld.so relocates them, libc first, then the preloads last to first.
   2.36: surplus 1664 + 288 = 1952, area end round_up(1952, 64) = 1984. */
static void audit_relocation_order(void **state)
{
    (void)state;
    struct budget_module mods[2] = {preload("p1.so", 100, TLS_IE),
                                    preload("p2.so", 200, TLS_IE)};
    struct budget b;
    budget_synthetic(&b, "2.36", "x86_64", 144, false, NULL, "/a.so", mods, 2);
    assert_int_equal(b.nmodules, 3);
    assert_int_equal(b.model.area_end, 1984);
    assert_int_equal(b.modules[2].predicted_offset, 144); /* libc */
    assert_int_equal(b.modules[1].predicted_offset, 344); /* p2: 144 + 200 */
    assert_int_equal(b.modules[0].predicted_offset, 448); /* p1: 344 + 100 + 4 padding */
    assert_true(b.modules[0].predicted_static);
    assert_int_equal(b.startup_failure, KIND_LOADED);
    budget_free(&b);
}

/* A TLS descriptor preload under LD_AUDIT: placed when first used on x86
   before 2.34 (lazy binding), at relocation from 2.34. */
static void lazy_descriptor_preload(void **state)
{
    (void)state;
    const struct {
        const char *version;
        bool lazy;
    } want[] = {{"2.33", true}, {"2.34", false}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct budget_module mod = preload("desc.so", 64, TLS_DESC);
        struct budget b;
        budget_synthetic(&b, want[i].version, "x86_64", 144, false, NULL, "/a.so", &mod, 1);
        assert_int_equal(b.modules[0].lazy, want[i].lazy);
        assert_int_equal(b.modules[0].predicted_static, !want[i].lazy);
        budget_free(&b);
    }
}

/* A startup library of 2000 bytes under LD_AUDIT on 2.36: the model
   refuses it at the default optional_static_tls and places it from 673 on
   (what ld.so does on the host, measured by harness.doctor-startup);
   budget_set_tunables models the process again with another value. */
static void tunables_again(void **state)
{
    (void)state;
    struct budget_module mod = preload("big.so", 2000, TLS_IE);
    mod.block.align = 16;
    struct budget b;
    budget_synthetic(&b, "2.36", "x86_64", 144, false, NULL, "/a.so", &mod, 1);
    assert_int_equal(b.startup_failure, KIND_STATIC_TLS_EXHAUSTED);
    assert_string_equal(b.startup_failure_at, "big.so");
    budget_set_tunables(&b, "glibc.malloc.check=0:glibc.rtld.optional_static_tls=672");
    assert_int_equal(b.tunables.optional, 672);
    assert_int_equal(b.startup_failure, KIND_STATIC_TLS_EXHAUSTED);
    budget_set_tunables(&b, "glibc.rtld.optional_static_tls=673");
    assert_int_equal(b.startup_failure, KIND_LOADED);
    assert_true(b.modules[0].predicted_static);
    budget_free(&b);
}

/* The program's own block in place of the probe's: the first module, id 1,
   laid out with the program; none takes it out again. */
static void main_block(void **state)
{
    (void)state;
    struct budget_module mod = preload("p.so", 100, TLS_IE);
    struct budget b;
    budget_synthetic(&b, "2.36", "x86_64", 144, false, NULL, "/a.so", &mod, 1);
    size_t n = b.nmodules;
    struct tls_block main_tls = {64, 32, 0};
    budget_set_main(&b, &main_tls, TLS_IE);
    assert_int_equal(b.nmodules, n + 1);
    assert_string_equal(b.modules[0].path, "(main)");
    assert_int_equal(b.modules[0].modid, 1);
    assert_int_equal(b.modules[1].modid, 2);
    assert_true(b.modules[0].predicted_static);
    assert_int_equal(b.predicted_used, 64);
    struct tls_block none = {0, 1, 0};
    budget_set_main(&b, &none, TLS_IE);
    assert_int_equal(b.nmodules, n);
    assert_string_equal(b.modules[0].path, "p.so");
    assert_int_equal(b.modules[0].modid, 1);
    budget_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(release_startup_layouts),
        cmocka_unit_test(rseq_block),
        cmocka_unit_test(audit_namespace_limit),
        cmocka_unit_test(audit_relocation_order),
        cmocka_unit_test(lazy_descriptor_preload),
        cmocka_unit_test(tunables_again),
        cmocka_unit_test(main_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
