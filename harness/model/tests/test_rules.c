/* Each version gate of rules.c at its first release and at the release
   before it, and the startup rules that hold in every release. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rules.h"

static struct glibc_rules rules_of(const char *version, const char *machine, bool backport)
{
    struct glibc_rules r;
    char why[128];
    assert_true(glibc_rules_for(version, machine, backport, &r, why, sizeof why));
    return r;
}

static struct glibc_rules x86(const char *version)
{
    return rules_of(version, "x86_64", false);
}

static struct tunables parsed(const char *version, const char *machine, const char *tunables,
                              const char *audit)
{
    struct glibc_rules r = rules_of(version, machine, false);
    struct tunables t;
    tunables_parse(&r, tunables, audit, &t);
    return t;
}

/* replay --model takes the releases the model is held to, and no other. */
static void modelled_releases(void **state)
{
    (void)state;
    char why[128];
    assert_true(glibc_release_modelled("2.17", why, sizeof why));
    assert_true(glibc_release_modelled("2.31", why, sizeof why));
    assert_true(glibc_release_modelled("2.43", why, sizeof why));
    assert_false(glibc_release_modelled("2.16", why, sizeof why));
    assert_non_null(strstr(why, "from 2.17 to 2.43"));
    assert_false(glibc_release_modelled("2.99", why, sizeof why));
    assert_false(glibc_release_modelled("9", why, sizeof why));
    assert_non_null(strstr(why, "is not a glibc release"));
    assert_false(glibc_release_modelled("2.31x", why, sizeof why));
    assert_false(glibc_release_modelled("3.0", why, sizeof why));
}

static void machines(void **state)
{
    (void)state;
    assert_int_equal(x86("2.36").layout, LAYOUT_BELOW_TP);
    assert_int_equal(rules_of("2.36", "i686", false).layout, LAYOUT_BELOW_TP);
    assert_int_equal(rules_of("2.36", "aarch64", false).layout, LAYOUT_ABOVE_TP);
    assert_int_equal(glibc_layout_of("aarch64"), LAYOUT_ABOVE_TP);
    assert_int_equal(glibc_layout_of("mips"), LAYOUT_BELOW_TP); /* unmodelled: a guess */
    assert_int_equal(rules_of("2.36", "i686", false).word_bits, 32);
    assert_int_equal(x86("2.36").word_bits, 64);
    struct glibc_rules r;
    char why[128];
    assert_false(glibc_rules_for("2.36", "mips", false, &r, why, sizeof why));
    assert_false(glibc_rules_for("1.0.x", "mips", false, &r, why, sizeof why));
    assert_false(glibc_rules_for("musl", "x86_64", false, &r, why, sizeof why));
    assert_false(glibc_rules_for(NULL, "x86_64", false, &r, why, sizeof why));
}

/* Each architecture's TLS variant, TLS_TCB_SIZE above TP, word size and
   whether it has TLS descriptors (rules.h: layout, tcb_size, tlsdesc). */
static void architectures(void **state)
{
    (void)state;
    const struct {
        const char *machine;
        enum tls_layout layout;
        size_t tcb_size;
        unsigned word_bits;
        bool tlsdesc;
    } want[] = {
        {"x86_64", LAYOUT_BELOW_TP, 0, 64, true},  {"i686", LAYOUT_BELOW_TP, 0, 32, true},
        {"aarch64", LAYOUT_ABOVE_TP, 16, 64, true}, {"armhf", LAYOUT_ABOVE_TP, 8, 32, true},
        {"ppc64le", LAYOUT_ABOVE_TP, 0, 64, true},  {"s390x", LAYOUT_BELOW_TP, 0, 64, false},
        {"riscv64", LAYOUT_ABOVE_TP, 0, 64, false},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct glibc_rules r = rules_of("2.36", want[i].machine, false);
        assert_int_equal(r.layout, want[i].layout);
        assert_int_equal(glibc_layout_of(want[i].machine), want[i].layout);
        assert_int_equal(r.tcb_size, want[i].tcb_size);
        assert_int_equal(r.word_bits, want[i].word_bits);
        assert_int_equal(r.tlsdesc, want[i].tlsdesc);
        /* TCB_ALIGNMENT: 16 before 23c77f6018 (2.35), 32 from it; x86 64 */
        bool x86 = want[i].machine[0] == 'x' || want[i].machine[0] == 'i';
        assert_int_equal(rules_of("2.31", want[i].machine, true).tcb_align, x86 ? 64 : 16);
        assert_int_equal(rules_of("2.35", want[i].machine, false).tcb_align, x86 ? 64 : 32);
    }
    /* No lazily bound descriptors where there are none (s390x before 2.34). */
    assert_false(rules_of("2.31", "s390x", true).lazy_tlsdesc);
}

/* x86's TCB alignment is 64 in every release; aarch64's is 16 up to 2.34
   and 32 from 2.35 (23c77f6018). */
static void tcb_alignment(void **state)
{
    (void)state;
    assert_int_equal(x86("2.17").tcb_align, 64);
    assert_int_equal(x86("2.43").tcb_align, 64);
    assert_int_equal(rules_of("2.34", "aarch64", false).tcb_align, 16);
    assert_int_equal(rules_of("2.35", "aarch64", false).tcb_align, 32);
}

/* The surplus rule, the optional budget's cap and the audit-namespace
   limit: 2.32, or Debian's 2.31 backport. */
static void surplus_gates(void **state)
{
    (void)state;
    struct glibc_rules r231 = x86("2.31"), deb = rules_of("2.31", "x86_64", true),
                       r232 = x86("2.32");
    assert_int_equal(r231.surplus, SURPLUS_LEGACY);
    assert_int_equal(deb.surplus, SURPLUS_DEBIAN_BACKPORT);
    assert_int_equal(r232.surplus, SURPLUS_TUNABLE);
    assert_false(r231.optional_cap);
    assert_true(deb.optional_cap);
    assert_true(r232.optional_cap);
    assert_false(r231.audit_namespaces);
    assert_true(deb.audit_namespaces);
    assert_true(r232.audit_namespaces);
    /* A backport is a 2.31 thing: 2.32 has the tunables whatever ld.so says. */
    assert_int_equal(rules_of("2.32", "x86_64", true).surplus, SURPLUS_TUNABLE);
}

static void loader_gates(void **state)
{
    (void)state;
    assert_true(x86("2.21").count_rule); /* f8aeae3473 */
    assert_false(x86("2.22").count_rule);
    assert_false(x86("2.33").gap_on_close); /* ba33937be2 */
    assert_true(x86("2.34").gap_on_close);
    assert_true(x86("2.33").lazy_tlsdesc); /* 8f7e09f4db */
    assert_false(x86("2.34").lazy_tlsdesc);
    assert_true(rules_of("2.33", "i686", false).lazy_tlsdesc); /* ddcacd91cc */
    assert_false(rules_of("2.34", "i686", false).lazy_tlsdesc);
    assert_false(rules_of("2.26", "aarch64", false).lazy_tlsdesc);
}

static void tunables_gates(void **state)
{
    (void)state;
    assert_false(x86("2.38").strict_tunables); /* b4cf6cac73, 680c597e9c, f94446c38f */
    assert_true(x86("2.39").strict_tunables);
    assert_false(x86("2.39").last_tunable_wins); /* bcae44ea85 */
    assert_true(x86("2.40").last_tunable_wins);
    assert_false(glibc_release_has_tls_tunables("2.31"));
    assert_true(glibc_release_has_tls_tunables("2.32"));
    assert_false(glibc_release_has_tls_tunables("1.2.5")); /* musl's */
    assert_false(glibc_release_has_tls_tunables(""));
    assert_false(glibc_release_has_tls_tunables(NULL));
}

/* Measured rules: on the release a measurement showed and the one after. */
static void measured_gates(void **state)
{
    (void)state;
    assert_true(x86("2.31").dlmopen_audit_crash);
    assert_false(x86("2.32").dlmopen_audit_crash);
    assert_true(x86("2.17").audit_dynamic_tls_crash);
    assert_false(x86("2.18").audit_dynamic_tls_crash);
    assert_true(x86("2.21").freed_dtv_after_namespace_close);
    assert_false(x86("2.22").freed_dtv_after_namespace_close);
    assert_int_equal(x86("2.17").libc_tls_size, 104);
    assert_int_equal(x86("2.21").libc_tls_size, 120);
    assert_int_equal(x86("2.18").libc_tls_size, 0);
    assert_int_equal(rules_of("2.17", "aarch64", false).libc_tls_size, 0);
}

/* GLIBC_TUNABLES on each side of the 2.39 and 2.40 gates. */
static void tunables_by_gate(void **state)
{
    (void)state;
    /* A value read as far as its digits go, or whole. */
    assert_int_equal(parsed("2.38", "x86_64", "glibc.rtld.nns=2x", NULL).nns, 2);
    assert_int_equal(parsed("2.39", "x86_64", "glibc.rtld.nns=2x", NULL).nns, 4);
    /* A second '=' in a value: the string is ignored from 2.39. */
    assert_int_equal(parsed("2.38", "x86_64", "glibc.rtld.nns=2=3", NULL).nns, 2);
    assert_int_equal(parsed("2.39", "x86_64", "glibc.rtld.nns=2=3", NULL).nns, 4);
    /* A last name without a value: the string is ignored from 2.39. */
    const char *tail = "glibc.rtld.nns=3:glibc.rtld.optional_static_tls";
    assert_int_equal(parsed("2.38", "x86_64", tail, NULL).nns, 3);
    assert_int_equal(parsed("2.39", "x86_64", tail, NULL).nns, 4);
    /* A tunable named twice: each value in turn, or only the last (2.40). */
    const char *twice = "glibc.rtld.nns=3:glibc.rtld.nns=bad";
    assert_int_equal(parsed("2.39", "x86_64", twice, NULL).nns, 3);
    assert_int_equal(parsed("2.40", "x86_64", twice, NULL).nns, 4);
    /* On i686 a size_t beyond 32 bits is out of range, or wraps (2.39). */
    const char *big = "glibc.rtld.optional_static_tls=4294967360";
    assert_int_equal(parsed("2.38", "i686", big, NULL).optional, 512);
    assert_int_equal(parsed("2.39", "i686", big, NULL).optional, 64);
    /* The defaults, and nns's range [1, 16]. */
    struct tunables t = parsed("2.36", "x86_64", NULL, NULL);
    assert_int_equal(t.nns, 4);
    assert_int_equal(t.optional, 512);
    assert_int_equal(parsed("2.36", "x86_64", "glibc.rtld.nns=0", NULL).nns, 4);
    assert_int_equal(parsed("2.36", "x86_64", "glibc.rtld.nns=16", NULL).nns, 16);
    /* LD_AUDIT: the non-empty names between ':'. */
    assert_int_equal(parsed("2.36", "x86_64", NULL, "a.so::b.so:").naudit, 2);
    assert_int_equal(parsed("2.36", "x86_64", NULL, "").naudit, 0);
}

static size_t surplus_of(const char *version, bool backport, const char *tunables)
{
    struct glibc_rules r = rules_of(version, "x86_64", backport);
    struct tunables t;
    char why[256];
    tunables_parse(&r, tunables, NULL, &t);
    return model_surplus(&r, &t, why, sizeof why);
}

static void surplus_by_gate(void **state)
{
    (void)state;
    assert_int_equal(surplus_of("2.31", false, "glibc.rtld.nns=1"), 1664);
    assert_int_equal(surplus_of("2.31", true, "glibc.rtld.nns=1"), 656);
    assert_int_equal(surplus_of("2.32", false, "glibc.rtld.nns=1"), 800);
    assert_int_equal(surplus_of("2.32", false, NULL), 1664);
}

/* nns (clamped to DL_NNS) and the audit modules must fit in DL_NNS. */
static void audit_namespace_limit(void **state)
{
    (void)state;
    struct glibc_rules r231 = x86("2.31"), r232 = x86("2.32");
    struct tunables t = {.nns = 15, .optional = 512, .naudit = 1};
    assert_false(glibc_audit_limit_exceeded(&r232, &t));
    t.naudit = 2;
    assert_true(glibc_audit_limit_exceeded(&r232, &t));
    assert_false(glibc_audit_limit_exceeded(&r231, &t)); /* no such check before 2.32 */
    t = (struct tunables){.nns = 100, .optional = 512, .naudit = 1}; /* clamped to 16 */
    assert_true(glibc_audit_limit_exceeded(&r232, &t));
}

static void rseq_area(void **state)
{
    (void)state;
    /* 2.41+ on x86_64: below TP, in the area; 2.35-2.40: in struct pthread. */
    assert_true(glibc_rseq_in_static_area("2.41", LAYOUT_BELOW_TP, true, -192));
    assert_false(glibc_rseq_in_static_area("2.41", LAYOUT_BELOW_TP, true, 2336));
    assert_true(glibc_rseq_in_static_area("2.41", LAYOUT_ABOVE_TP, true, 224));
    assert_false(glibc_rseq_in_static_area("2.41", LAYOUT_ABOVE_TP, true, -100));
    assert_false(glibc_rseq_in_static_area("2.41", LAYOUT_BELOW_TP, false, -192));
    /* Above TP with no TCB before the blocks (ppc64le, riscv64): an rseq
       block at TP+0, the first under LD_AUDIT; before 2.41 an offset of 0
       is a registration that failed (qemu-user), in no area. */
    assert_true(glibc_rseq_in_static_area("2.41", LAYOUT_ABOVE_TP, true, 0));
    assert_false(glibc_rseq_in_static_area("2.36", LAYOUT_ABOVE_TP, true, 0));
    assert_false(glibc_rseq_in_static_area("2.40", LAYOUT_BELOW_TP, true, -192));
    assert_int_equal(glibc_rseq_block_size(20), 32);
    assert_int_equal(glibc_rseq_block_size(28), 32);
    assert_int_equal(glibc_rseq_block_size(32), 32);
    assert_int_equal(glibc_rseq_block_size(33), 64);
}

static void static_alignment(void **state)
{
    (void)state;
    struct glibc_rules x = x86("2.36"), a234 = rules_of("2.34", "aarch64", false),
                       a235 = rules_of("2.35", "aarch64", false);
    struct tls_block libc = {144, 8, 0}, wide = {8, 128, 0};
    assert_int_equal(glibc_static_align(&x, &libc, 1, false), 64);
    assert_int_equal(glibc_static_align(&x, &wide, 1, false), 128);
    assert_int_equal(glibc_static_align(&a234, &libc, 1, false), 16);
    assert_int_equal(glibc_static_align(&a234, &libc, 1, true), 32); /* rseq raises it */
    assert_int_equal(glibc_static_align(&a235, &libc, 1, false), 32);
    assert_int_equal(glibc_static_align(&a234, NULL, 0, false), 16);
}

/* With an audit module only the main program is laid out, and the
   libraries are relocated last first. */
static void startup_with_auditor(void **state)
{
    (void)state;
    struct tunables plain = {.nns = 4, .optional = 512, .naudit = 0};
    struct tunables audited = {.nns = 4, .optional = 512, .naudit = 1};
    assert_false(glibc_tls_laid_out_before_libraries(&plain));
    assert_true(glibc_tls_laid_out_before_libraries(&audited));
    assert_int_equal(glibc_startup_laid_out(&plain, 1, 4), 4);
    assert_int_equal(glibc_startup_laid_out(&audited, 1, 4), 1);
    size_t order[4] = {0};
    assert_int_equal(glibc_startup_relocation_order(1, 4, order), 3);
    assert_int_equal(order[0], 3);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 1);
    assert_int_equal(glibc_startup_relocation_order(4, 4, order), 0);
}

static void lazy_descriptors(void **state)
{
    (void)state;
    struct glibc_rules r233 = x86("2.33"), r234 = x86("2.34");
    assert_true(glibc_placed_at_first_use(&r233, TLS_DESC, false));
    assert_false(glibc_placed_at_first_use(&r233, TLS_DESC, true)); /* LD_BIND_NOW */
    assert_false(glibc_placed_at_first_use(&r233, TLS_IE, false));
    assert_false(glibc_placed_at_first_use(&r234, TLS_DESC, false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(modelled_releases),
        cmocka_unit_test(machines),
        cmocka_unit_test(architectures),
        cmocka_unit_test(tcb_alignment),
        cmocka_unit_test(surplus_gates),
        cmocka_unit_test(loader_gates),
        cmocka_unit_test(tunables_gates),
        cmocka_unit_test(measured_gates),
        cmocka_unit_test(tunables_by_gate),
        cmocka_unit_test(surplus_by_gate),
        cmocka_unit_test(audit_namespace_limit),
        cmocka_unit_test(rseq_area),
        cmocka_unit_test(static_alignment),
        cmocka_unit_test(startup_with_auditor),
        cmocka_unit_test(lazy_descriptors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
