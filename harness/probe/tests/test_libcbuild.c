/* What a libc build is called in results a sysroot
   build whose cache files cannot be read is still no host libc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libcbuild.h"

static void sysroot_without_its_files(void **state)
{
    (void)state;
    struct libc_build b = {.name = "glibc-2.31", .root = "/home/other/.cache/statictls/root"};
    char *d = libc_build_describe(&b);
    assert_null(strstr(d, "host"));
    assert_non_null(strstr(d, "glibc-2.31 sysroot"));
    free(d);
    char *platform = libc_build_platform(&b, "glibc", "2.31", "x86_64");
    assert_string_equal(platform, "glibc-2.31-unknown-x86_64");
    free(platform);

    b.package = "2.31-13+deb11u11";
    b.distro = "debian11";
    d = libc_build_describe(&b);
    assert_string_equal(d, "Debian libc6 2.31-13+deb11u11 (sysroot)");
    free(d);

    struct libc_build host = {.name = "host", .root = ""};
    d = libc_build_describe(&host);
    assert_string_equal(d, "host libc");
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sysroot_without_its_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
