/* The ELF reader: on our own templates, on a generated fixture, and on
   files that are not ELF or are cut short. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "elfinfo.h"
#include "fixture.h"
#include "xsys.h"

static char err[512];

static void reads_ie_template(void **state)
{
    (void)state;
    struct elf_tls t;
    assert_true(elf_tls_read(TEST_FIXTURES "/template-ie.so", &t, err, sizeof err));
    assert_true(t.has_tls);
    assert_true(t.flag_static_tls);
    assert_true(t.ie_relocs > 0);
    assert_int_equal(t.tls_align, 4096);
    assert_true(elf_tls_needs_static(&t));
    assert_int_equal(elf_tls_firstbyte(&t), 0);
    elf_tls_free(&t);
}

static void reads_tlsdesc_template(void **state)
{
    (void)state;
    struct elf_tls t;
    assert_true(elf_tls_read(TEST_FIXTURES "/template-tlsdesc.so", &t, err, sizeof err));
    assert_true(t.desc_relocs > 0);
    assert_int_equal(t.ie_relocs, 0);
    assert_false(elf_tls_needs_static(&t));
    elf_tls_free(&t);
}

static void patched_fixture_reads_back(void **state)
{
    (void)state;
    struct fixture_template tmpl;
    assert_true(fixture_template_load(&tmpl, TEST_FIXTURES "/template-ie.so", err, sizeof err));
    char path[] = "/tmp/statictls-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    fixture_write(&tmpl, path, 1713, 16);
    struct elf_tls t;
    assert_true(elf_tls_read(path, &t, err, sizeof err));
    assert_int_equal(t.tls_memsz, 1713);
    assert_int_equal(t.tls_align, 16);
    assert_int_equal(elf_tls_firstbyte(&t), 0);
    elf_tls_free(&t);
    unlink(path);
    fixture_template_free(&tmpl);
}

static void bad_files_say_why(void **state)
{
    (void)state;
    struct elf_tls t;
    assert_false(elf_tls_read("/no/such/file.so", &t, err, sizeof err));
    assert_non_null(strstr(err, "not-found"));
    assert_false(elf_tls_read(TEST_DATA "/not-elf.so", &t, err, sizeof err));
    assert_non_null(strstr(err, "not-elf"));

    /* The first 100 bytes of a real object: a header whose tables are gone. */
    size_t len;
    char *image = read_file(TEST_FIXTURES "/template-ie.so", &len);
    assert_non_null(image);
    char path[] = "/tmp/statictls-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, image, 100), 100);
    close(fd);
    bool ok = elf_tls_read(path, &t, err, sizeof err);
    if (ok) { /* libelf may accept the header; it must not invent TLS */
        assert_false(t.has_tls);
        elf_tls_free(&t);
    }
    unlink(path);
    free(image);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_ie_template),
        cmocka_unit_test(reads_tlsdesc_template),
        cmocka_unit_test(patched_fixture_reads_back),
        cmocka_unit_test(bad_files_say_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
