/* The JSON writer's strings: whatever bytes a file name holds, the output
   is valid JSON (issue 11, item 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"

static char *as_json(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct json j;
    json_init(&j, f, NULL);
    json_string(&j, s);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void strings(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "\"plain\""},
        {"tab\there \"q\" \\", "\"tab\\u0009here \\\"q\\\" \\\\\""},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
        {"latin1 \xe9t\xe9", "\"latin1 \\ufffdt\\ufffd\""},         /* not UTF-8 */
        {"cut \xe2\x82", "\"cut \\ufffd\\ufffd\""},                 /* a sequence cut short */
        {"overlong \xc0\xaf", "\"overlong \\ufffd\\ufffd\""},       /* '/' spelt long */
        {"surrogate \xed\xa0\x80", "\"surrogate \\ufffd\\ufffd\\ufffd\""},
        {"beyond \xf4\x90\x80\x80", "\"beyond \\ufffd\\ufffd\\ufffd\\ufffd\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = as_json(cases[i].in);
        assert_string_equal(out, cases[i].out);
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
