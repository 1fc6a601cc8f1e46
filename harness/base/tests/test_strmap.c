/* The census's hash map: every key found again, none twice, across growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "strmap.h"

static void many_keys(void **state)
{
    (void)state;
    enum { N = 200000 }; /* a system's /usr has some 160k files */
    struct strmap m = {0};
    char key[32];
    for (size_t i = 0; i < N; i++) {
        snprintf(key, sizeof key, "%zu:%zu", i % 7, i);
        assert_true(strmap_put(&m, key, i));
    }
    assert_int_equal(m.n, N);
    for (size_t i = 0; i < N; i++) {
        size_t v = 0;
        snprintf(key, sizeof key, "%zu:%zu", i % 7, i);
        assert_true(strmap_get(&m, key, &v));
        assert_int_equal(v, i);
        assert_false(strmap_put(&m, key, i + 1)); /* present: kept as it was */
    }
    size_t v;
    assert_false(strmap_get(&m, "7:7", &v));
    assert_false(strmap_get(&m, "", &v));
    strmap_free(&m);
    assert_false(strmap_get(&m, "0:0", &v)); /* an empty map */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(many_keys)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
