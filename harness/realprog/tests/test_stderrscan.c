/* A command's stderr read as it comes: glibc's message is found however
   the stream is cut into reads, after a line longer than the line kept,
   after NUL bytes, and only the stream's end is kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stderrscan.h"
#include "xalloc.h"

#define EXHAUSTED "ImportError: /x/libgomp.so.1: cannot allocate memory in static TLS block"
#define COUNT "dlopen: cannot load any more object with static TLS"

static char *scan_in_two(const char *text, size_t len, size_t cut, char **tail)
{
    struct stderr_scan s;
    stderr_scan_init(&s);
    stderr_scan_feed(&s, text, cut);
    stderr_scan_feed(&s, text + cut, len - cut);
    stderr_scan_finish(&s);
    char *m = stderr_scan_message(&s);
    if (tail)
        *tail = stderr_scan_tail(&s);
    assert_int_equal(s.total, len);
    stderr_scan_free(&s);
    return m;
}

/* Cut anywhere, the count message first: the exhausted one is preferred,
   each line whole. */
static void found_at_every_cut(void **state)
{
    (void)state;
    const char text[] = "warming up\n" COUNT "\nTraceback:\n" EXHAUSTED "\nbye";
    size_t len = sizeof text - 1;
    for (size_t cut = 0; cut <= len; cut++) {
        char *m = scan_in_two(text, len, cut, NULL);
        assert_non_null(m);
        assert_string_equal(m, EXHAUSTED);
        free(m);
    }
    const char count_only[] = "a\n" COUNT; /* and a last line without '\n' */
    char *m = scan_in_two(count_only, sizeof count_only - 1, 3, NULL);
    assert_string_equal(m, COUNT);
    free(m);
    m = scan_in_two("nothing\nhere\n", 13, 5, NULL);
    assert_null(m);
}

/* 1 MiB on one line, then the message; the message at the end of a long
   line; a NUL before it: found, and the tail is the stream's end. */
static void found_after_long_lines_and_nuls(void **state)
{
    (void)state;
    size_t noise = 1 << 20;
    size_t len = noise + 1 + sizeof EXHAUSTED - 1;
    char *text = xmalloc(len);
    memset(text, 'x', noise);
    text[noise] = '\n';
    memcpy(text + noise + 1, EXHAUSTED, sizeof EXHAUSTED - 1);
    char *tail;
    char *m = scan_in_two(text, len, noise / 3, &tail);
    assert_string_equal(m, EXHAUSTED);
    assert_int_equal(strlen(tail), STDERR_TAIL_BYTES);
    assert_memory_equal(tail + STDERR_TAIL_BYTES - (sizeof EXHAUSTED - 1), EXHAUSTED,
                        sizeof EXHAUSTED - 1);
    free(m), free(tail);
    /* The same line without its '\n': the words end a line of 1 MiB. */
    text[noise] = ' ';
    m = scan_in_two(text, len, noise, NULL);
    assert_non_null(m);
    assert_true(strlen(m) <= STDERR_LINE_BYTES);
    assert_non_null(strstr(m, EXHAUSTED));
    free(m);
    /* A NUL before it on its line: the line from after the NUL. */
    text[noise - 1] = '\0';
    m = scan_in_two(text, len, 7, NULL);
    assert_string_equal(m, " " EXHAUSTED);
    free(m);
    free(text);
}

/* Much written in small reads: the memory kept is bounded by the sizes,
   never by the stream. */
static void bounded_whatever_the_stream(void **state)
{
    (void)state;
    struct stderr_scan s;
    stderr_scan_init(&s);
    char chunk[1000];
    memset(chunk, 'y', sizeof chunk);
    chunk[500] = '\n';
    for (int i = 0; i < 20000; i++) { /* 20 MB */
        stderr_scan_feed(&s, chunk, sizeof chunk);
        assert_true(s.line_len <= 2 * STDERR_LINE_BYTES);
        assert_true(s.tail_len <= 2 * STDERR_TAIL_BYTES);
    }
    stderr_scan_feed(&s, "\n" EXHAUSTED "\n", sizeof EXHAUSTED + 1);
    stderr_scan_finish(&s);
    char *m = stderr_scan_message(&s);
    assert_string_equal(m, EXHAUSTED);
    char *tail = stderr_scan_tail(&s);
    assert_int_equal(strlen(tail), STDERR_TAIL_BYTES);
    assert_string_equal(tail + STDERR_TAIL_BYTES - sizeof EXHAUSTED, EXHAUSTED "\n");
    free(m), free(tail);
    stderr_scan_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(found_at_every_cut),
        cmocka_unit_test(found_after_long_lines_and_nuls),
        cmocka_unit_test(bounded_whatever_the_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
