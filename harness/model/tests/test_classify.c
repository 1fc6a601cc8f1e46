/* The error classifier, on the texts glibc and musl really print. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "classify.h"

static void classifies_real_messages(void **state)
{
    (void)state;
    assert_int_equal(classify_dlerror("/usr/lib/x86_64-linux-gnu/libgomp.so.1: cannot allocate "
                                      "memory in static TLS block"),
                     KIND_STATIC_TLS_EXHAUSTED);
    assert_int_equal(classify_dlerror("dlopen: cannot load any more object with static TLS"),
                     KIND_STATIC_TLS_COUNT);
    assert_int_equal(classify_dlerror("Error relocating ./x.so: v: initial-exec TLS resolves to "
                                      "dynamic definition in ./x.so"),
                     KIND_MUSL_IE_DYNAMIC);
    assert_int_equal(classify_dlerror("libfoo.so: cannot open shared object file: No such file or "
                                      "directory"),
                     KIND_NOT_FOUND);
    assert_int_equal(classify_dlerror("/etc/passwd: invalid ELF header"), KIND_NOT_ELF);
    assert_int_equal(classify_dlerror("/tmp/x.so: file too short"), KIND_NOT_ELF);
    assert_int_equal(classify_dlerror("x.so: undefined symbol: foo"), KIND_OTHER);
    assert_int_equal(classify_dlerror(""), KIND_OTHER);
    assert_int_equal(classify_dlerror(NULL), KIND_OTHER);
}

static void names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < KIND_COUNT_; k++)
        assert_int_equal(load_kind_from_name(load_kind_name((enum load_kind)k)), k);
    assert_int_equal(load_kind_from_name("no-such-kind"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classifies_real_messages),
        cmocka_unit_test(names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
