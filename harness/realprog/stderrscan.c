#define _GNU_SOURCE
#include "stderrscan.h"

#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "xalloc.h"

void stderr_scan_init(struct stderr_scan *s)
{
    memset(s, 0, sizeof *s);
    s->line = xmalloc(2 * STDERR_LINE_BYTES);
    s->tail = xmalloc(2 * STDERR_TAIL_BYTES + 1);
}

/* Appends n bytes to buf (room for 2 * keep), dropping its start where
   needed: at least the last keep bytes of everything appended stay. */
static void keep_end(char *buf, size_t *len, size_t keep, const char *data, size_t n)
{
    if (n >= keep) {
        memcpy(buf, data + n - keep, keep);
        *len = keep;
        return;
    }
    if (*len + n > 2 * keep) {
        size_t stay = keep - n;
        memmove(buf, buf + *len - stay, stay);
        *len = stay;
    }
    memcpy(buf + *len, data, n);
    *len += n;
}

/* The line ended: the first line with each message is kept, from its last
   NUL byte before the words (a string cannot hold one), at most its last
   STDERR_LINE_BYTES unless the words start before them. */
static void scan_line(struct stderr_scan *s)
{
    static const enum load_kind kinds[] = {KIND_STATIC_TLS_EXHAUSTED, KIND_STATIC_TLS_COUNT};
    for (size_t i = 0; i < 2; i++) {
        const char *words = load_kind_message(kinds[i]);
        const char *hit = s->found[i] ? NULL : memmem(s->line, s->line_len, words, strlen(words));
        if (!hit)
            continue;
        const char *end = s->line + s->line_len, *start = hit;
        while (start > s->line && start[-1] != '\0' && end - start < STDERR_LINE_BYTES)
            start--;
        s->found[i] = xasprintf("%.*s", (int)(end - start), start);
    }
    s->line_len = 0;
}

void stderr_scan_feed(struct stderr_scan *s, const char *data, size_t n)
{
    s->total += n;
    keep_end(s->tail, &s->tail_len, STDERR_TAIL_BYTES, data, n);
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t part = nl ? (size_t)(nl - data) : n;
        keep_end(s->line, &s->line_len, STDERR_LINE_BYTES, data, part);
        if (!nl)
            return;
        scan_line(s);
        data += part + 1;
        n -= part + 1;
    }
}

void stderr_scan_finish(struct stderr_scan *s)
{
    if (s->line_len)
        scan_line(s);
}

char *stderr_scan_message(struct stderr_scan *s)
{
    char *m = s->found[0] ? s->found[0] : s->found[1];
    if (m == s->found[0])
        s->found[0] = NULL;
    else
        s->found[1] = NULL;
    return m;
}

char *stderr_scan_tail(const struct stderr_scan *s)
{
    size_t n = s->tail_len < STDERR_TAIL_BYTES ? s->tail_len : STDERR_TAIL_BYTES;
    char *t = xmalloc(n + 1);
    memcpy(t, s->tail + s->tail_len - n, n);
    t[n] = '\0';
    return t;
}

void stderr_scan_free(struct stderr_scan *s)
{
    free(s->line), free(s->tail), free(s->found[0]), free(s->found[1]);
    memset(s, 0, sizeof *s);
}
