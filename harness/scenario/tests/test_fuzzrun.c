/* fuzz's findings on a disk that cannot take them: the old writer died at
   the first (exit 3, every finding lost).  Now each failed write leaves
   nothing behind, the run keeps the finding, and the first failure is
   kept once, naming the file.  A file-size limit of one byte stands in
   for a full disk: no root, no mount. */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#include "fuzzrun.h"
#include "xalloc.h"
#include "xpath.h"

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void findings_survive_a_full_disk(void **state)
{
    (void)state;
    char *out = xstrdup("/tmp/statictls-test-fuzz-XXXXXX");
    assert_non_null(mkdtemp(out));
    struct libc_build build = {.name = "host"};
    struct fuzz_run r = {.build = &build};
    struct fuzz_settings s = {.out = out};
    struct fuzz_finding f[3] = {
        {.signature = "load-loaded-vs-static-tls-exhausted", .minimal = "title a\nexpect model\n"},
        {.signature = "probe-end", .minimal = "title b\nexpect model\n"},
        {.signature = "startup", .minimal = "title c\nexpect model\n"}};

    struct rlimit was, one_byte;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
    one_byte = (struct rlimit){1, was.rlim_max};
    void (*xfsz)(int) = signal(SIGXFSZ, SIG_IGN); /* a write past it fails with EFBIG */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &one_byte), 0);
    fuzz_write_finding(&s, &r, &f[0]);
    fuzz_write_finding(&s, &r, &f[1]);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
    signal(SIGXFSZ, xfsz);

    assert_null(f[0].file);
    assert_null(f[1].file);
    assert_int_equal(r.unwritten, 2);
    assert_non_null(r.out_error); /* the first, naming its file */
    assert_non_null(strstr(r.out_error, "host-load-loaded-vs-static-tls-exhausted.case"));
    assert_non_null(strstr(r.out_error, "File too large"));
    assert_int_equal(entries(out), 0); /* no half-written file, no temporary one */

    /* Once the disk takes them again, findings are written. */
    fuzz_write_finding(&s, &r, &f[2]);
    assert_non_null(f[2].file);
    assert_int_equal(r.unwritten, 2);
    assert_int_equal(entries(out), 1);
    free(f[2].file);
    free(r.out_error);
    remove_tree(out);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(findings_survive_a_full_disk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
