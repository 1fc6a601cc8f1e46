/* libFuzzer target: ${NAME} expansion of case words.  The input is
   NAME=VALUE lines, a line "--", then the word; its first byte picks the
   cap.  What case_vars_expand returns must be what a plain reading of
   the rules gives (each ${NAME} replaced by its last definition), no
   longer than the cap; where it refuses, the plain reading is malformed,
   undefined or over the cap too. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casevars.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool name_char(char c, bool first)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (!first && c >= '0' && c <= '9');
}

/* The value of the last definition of name[0..n), or NULL. */
static const char *defined(const struct case_vars *v, const char *name, size_t n)
{
    for (size_t i = v->n; i-- > 0;)
        if (strncmp(v->defines[i], name, n) == 0 && v->defines[i][n] == '=')
            return v->defines[i] + n + 1;
    return NULL;
}

/* The expansion's length by the plain reading (written to out, if not
   NULL), or -1 where the word is malformed or names an undefined NAME. */
static long long plain_length(const struct case_vars *v, const char *w, char *out)
{
    long long len = 0;
    for (const char *s = w; *s;) {
        if (s[0] == '$' && s[1] == '{') {
            const char *name = s + 2, *end = name;
            while (*end && *end != '}')
                end++;
            size_t n = (size_t)(end - name);
            bool ok = *end == '}' && n > 0;
            for (size_t i = 0; ok && i < n; i++)
                ok = name_char(name[i], i == 0);
            const char *value = ok ? defined(v, name, n) : NULL;
            if (!value)
                return -1;
            size_t vlen = strlen(value);
            if (out)
                memcpy(out + len, value, vlen);
            len += (long long)vlen;
            s = end + 1;
        } else {
            if (out)
                out[len] = *s;
            len++;
            s++;
        }
    }
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    size_t max = (size_t)data[0] * 64; /* 0 to 16320 bytes */
    char *text = malloc(size);
    if (!text)
        abort();
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    struct case_vars v = {0};
    char err[512];
    char *word = text, *sep = strstr(text, "\n--\n");
    if (sep) {
        *sep = '\0';
        word = sep + 4;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save))
            case_vars_define(&v, line, err, sizeof err); /* a malformed one is refused */
    }
    err[0] = '\0';
    char *got = case_vars_expand(&v, word, max, err, sizeof err);
    long long want = plain_length(&v, word, NULL);
    if (got) {
        if (want < 0 || (size_t)want != strlen(got) || strlen(got) > max)
            abort();
        char *plain = malloc((size_t)want + 1);
        if (!plain)
            abort();
        plain_length(&v, word, plain);
        if (memcmp(plain, got, (size_t)want) != 0)
            abort();
        free(plain);
        free(got);
    } else if (want >= 0 && (size_t)want <= max) { /* refused what the rules allow */
        abort();
    } else if (!err[0]) {
        abort();
    }
    case_vars_free(&v);
    free(text);
    return 0;
}
