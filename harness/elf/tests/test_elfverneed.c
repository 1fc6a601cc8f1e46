/* DT_VERNEED as ld.so reads it: each entry's file and the versions needed
   of it, weak ones left out, chains that leave the table or loop stopped;
   and glibc's version names held to a release. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "elfinfo.h"
#include "elfverneed.h"

/* A string table: "\0libc.so.6\0GLIBC_2.2.5\0GLIBC_2.34\0libm.so.6\0GLIBC_2.29\0" */
static const char strings[] = "\0libc.so.6\0GLIBC_2.2.5\0GLIBC_2.34\0libm.so.6\0GLIBC_2.29";
enum { LIBC = 1, V225 = 11, V234 = 23, LIBM = 34, V229 = 44 };

static void put(unsigned char *p, size_t size, uint64_t v, bool msb)
{
    for (size_t i = 0; i < size; i++)
        p[msb ? size - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static void verneed(unsigned char *p, unsigned cnt, uint32_t file, uint32_t aux, uint32_t next,
                    bool msb)
{
    put(p, 2, 1, msb), put(p + 2, 2, cnt, msb), put(p + 4, 4, file, msb);
    put(p + 8, 4, aux, msb), put(p + 12, 4, next, msb);
}

static void vernaux(unsigned char *p, unsigned flags, uint32_t name, uint32_t next, bool msb)
{
    put(p, 4, 0, msb), put(p + 4, 2, flags, msb), put(p + 6, 2, 2, msb);
    put(p + 8, 4, name, msb), put(p + 12, 4, next, msb);
}

/* libc.so.6: GLIBC_2.2.5, GLIBC_2.34; libm.so.6: GLIBC_2.29, as a linker
   lays them out (each entry followed by its auxiliaries). */
static size_t two_files(unsigned char *t, bool msb)
{
    verneed(t, 2, LIBC, 16, 48, msb);
    vernaux(t + 16, 0, V225, 16, msb);
    vernaux(t + 32, 0, V234, 0, msb);
    verneed(t + 48, 1, LIBM, 16, 0, msb);
    vernaux(t + 64, 0, V229, 0, msb);
    return 80;
}

static void reads_every_file_and_version(void **state)
{
    (void)state;
    for (int msb = 0; msb < 2; msb++) {
        unsigned char t[80];
        size_t size = two_files(t, msb);
        struct elf_version_needs n;
        elf_verneed_read(t, size, msb, 2, strings, sizeof strings, &n);
        assert_int_equal(n.n, 3);
        assert_string_equal(n.items[0].file, "libc.so.6");
        assert_string_equal(n.items[0].version, "GLIBC_2.2.5");
        assert_string_equal(n.items[1].version, "GLIBC_2.34");
        assert_string_equal(n.items[2].file, "libm.so.6");
        assert_string_equal(n.items[2].version, "GLIBC_2.29");
        assert_string_equal(n.problem, "");
        assert_string_equal(elf_newest_glibc_need(&n)->version, "GLIBC_2.34");
        elf_version_needs_free(&n);
    }
}

static void count_and_vn_next_both_stop(void **state)
{
    (void)state;
    unsigned char t[80];
    size_t size = two_files(t, false);
    struct elf_version_needs n;
    elf_verneed_read(t, size, false, 1, strings, sizeof strings, &n); /* DT_VERNEEDNUM 1 */
    assert_int_equal(n.n, 2);
    elf_version_needs_free(&n);
    elf_verneed_read(t, size, false, 0, strings, sizeof strings, &n);
    assert_int_equal(n.n, 0);
    elf_version_needs_free(&n);
}

static void weak_needs_are_left_out(void **state)
{
    (void)state;
    unsigned char t[80];
    size_t size = two_files(t, false);
    vernaux(t + 32, VER_FLG_WEAK, V234, 0, false);
    struct elf_version_needs n;
    elf_verneed_read(t, size, false, 2, strings, sizeof strings, &n);
    assert_int_equal(n.n, 2);
    assert_string_equal(elf_newest_glibc_need(&n)->version, "GLIBC_2.29");
    elf_version_needs_free(&n);
}

static void a_chain_out_of_the_table_stops_saying_so(void **state)
{
    (void)state;
    unsigned char t[80];
    size_t size = two_files(t, false);
    verneed(t + 48, 1, LIBM, 4000, 0, false); /* its auxiliary past the end */
    struct elf_version_needs n;
    elf_verneed_read(t, size, false, 2, strings, sizeof strings, &n);
    assert_int_equal(n.n, 2);
    assert_non_null(strstr(n.problem, "past the mapped table"));
    elf_version_needs_free(&n);
    /* A table cut before its first entry ends. */
    elf_verneed_read(t, 10, false, 2, strings, sizeof strings, &n);
    assert_int_equal(n.n, 0);
    assert_non_null(strstr(n.problem, "entry 0"));
    elf_version_needs_free(&n);
}

static void a_chain_only_goes_forward(void **state)
{
    (void)state;
    unsigned char t[32];
    verneed(t, 65535, LIBC, 16, 0, false);
    vernaux(t + 16, 0, V225, 0, false); /* vna_next 0 ends the list ... */
    struct elf_version_needs n;
    elf_verneed_read(t, sizeof t, false, UINT64_MAX, strings, sizeof strings, &n);
    assert_int_equal(n.n, 1);
    elf_version_needs_free(&n);
    /* An offset meant to go back (offsets are unsigned: ld.so too only
       goes forward) leaves the table, and reading stops there. */
    verneed(t, 65535, LIBC, 16, 0, false);
    vernaux(t + 16, 0, V225, (uint32_t)-16, false);
    elf_verneed_read(t, sizeof t, false, 1, strings, sizeof strings, &n);
    assert_int_equal(n.n, 1);
    assert_non_null(strstr(n.problem, "past the mapped table"));
    elf_version_needs_free(&n);
}

static void names_outside_the_strings_give_no_need(void **state)
{
    (void)state;
    unsigned char t[80];
    size_t size = two_files(t, false);
    vernaux(t + 32, 0, 5000, 0, false);
    struct elf_version_needs n;
    elf_verneed_read(t, size, false, 2, strings, sizeof strings, &n);
    assert_int_equal(n.n, 2);
    elf_version_needs_free(&n);
    elf_verneed_read(t, size, false, 2, NULL, 0, &n);
    assert_int_equal(n.n, 0);
    elf_version_needs_free(&n);
}

static void glibc_versions_against_a_release(void **state)
{
    (void)state;
    unsigned v[3];
    assert_true(glibc_version_of("GLIBC_2.2.5", v));
    assert_int_equal(v[0], 2), assert_int_equal(v[1], 2), assert_int_equal(v[2], 5);
    assert_false(glibc_version_of("GLIBC_PRIVATE", v));
    assert_false(glibc_version_of("GLIBCXX_3.4.29", v));
    assert_false(glibc_version_of("GLIBC_2.", v));
    assert_false(glibc_version_of("GLIBC_2.34x", v));
    assert_true(glibc_release_defines("2.31", "GLIBC_2.2.5"));
    assert_true(glibc_release_defines("2.34", "GLIBC_2.34"));
    assert_false(glibc_release_defines("2.31", "GLIBC_2.34"));
    assert_false(glibc_release_defines("2.17", "GLIBC_2.17.1"));
    assert_true(glibc_release_defines("2.17", "GLIBC_PRIVATE"));
    assert_true(glibc_release_defines("2.17", "GCC_3.0"));
    assert_true(glibc_release_defines("unknown", "GLIBC_2.99"));
    assert_true(glibc_version_newer("GLIBC_2.34", "GLIBC_2.3.4"));
    assert_false(glibc_version_newer("GLIBC_2.3.4", "GLIBC_2.34"));
    assert_false(glibc_version_newer("GLIBC_2.34", "GLIBC_2.34"));
    assert_true(glibc_version_newer("GLIBC_2.2.5", "GLIBC_PRIVATE"));
    assert_false(glibc_version_newer("GLIBC_PRIVATE", "GLIBC_2.2.5"));
}

/* A real object: the template the build compiles needs some GLIBC_2.x of
   libc.so.6, read through elf_tls_read. */
static void a_built_object_says_what_it_needs(void **state)
{
    (void)state;
    struct elf_tls t;
    char err[256];
    assert_true(elf_tls_read(TEST_FIXTURES "/template-ie.so", &t, err, sizeof err));
    const struct elf_version_need *n = elf_newest_glibc_need(&t.version_needs);
    assert_non_null(n);
    assert_string_equal(n->file, "libc.so.6");
    elf_tls_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_every_file_and_version),
        cmocka_unit_test(count_and_vn_next_both_stop),
        cmocka_unit_test(weak_needs_are_left_out),
        cmocka_unit_test(a_chain_out_of_the_table_stops_saying_so),
        cmocka_unit_test(a_chain_only_goes_forward),
        cmocka_unit_test(names_outside_the_strings_give_no_need),
        cmocka_unit_test(glibc_versions_against_a_release),
        cmocka_unit_test(a_built_object_says_what_it_needs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
