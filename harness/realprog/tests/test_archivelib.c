/* The table of libarchive's functions, opened at run time: a library that
   is not there, or is not libarchive, is an error that names it; the real
   one fills every entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "archivelib.h"

static void absent_library_is_named(void **state)
{
    (void)state;
    struct archive_lib lib;
    char err[512] = "";
    assert_false(archive_lib_open(&lib, "libarchive-absent.so.13", err, sizeof err));
    assert_null(lib.handle);
    assert_non_null(strstr(err, "reading a wheel needs libarchive-absent.so.13"));
    assert_non_null(strstr(err, "which did not load"));
}

/* libz is surely there (libelf needs it) and has none of libarchive's functions. */
static void missing_function_is_named(void **state)
{
    (void)state;
    struct archive_lib lib;
    char err[512] = "";
    assert_false(archive_lib_open(&lib, "libz.so.1", err, sizeof err));
    assert_null(lib.handle);
    assert_non_null(strstr(err, "libz.so.1 has no archive_read_new"));
}

static void real_library_fills_the_table(void **state)
{
    (void)state;
    struct archive_lib lib;
    char err[512] = "";
    assert_true(archive_lib_open(&lib, ARCHIVE_LIB_SONAME, err, sizeof err));
    assert_non_null(lib.archive_read_new);
    assert_non_null(lib.archive_read_support_format_zip);
    assert_non_null(lib.archive_read_open_fd);
    assert_non_null(lib.archive_read_next_header);
    assert_non_null(lib.archive_read_data);
    assert_non_null(lib.archive_read_free);
    assert_non_null(lib.archive_error_string);
    assert_non_null(lib.archive_entry_pathname_utf8);
    assert_non_null(lib.archive_entry_filetype);
    struct archive *a = lib.archive_read_new();
    assert_non_null(a);
    assert_int_equal(lib.archive_read_support_format_zip(a), ARCHIVE_OK);
    assert_int_equal(lib.archive_read_free(a), ARCHIVE_OK);
    archive_lib_close(&lib);
    assert_null(lib.handle);
    archive_lib_close(&lib); /* closed twice: harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(absent_library_is_named),
        cmocka_unit_test(missing_function_is_named),
        cmocka_unit_test(real_library_fills_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
