#include "record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "xalloc.h"

/* A value as the record holds it, escapes undone (probe/protocol.h). */
static char *unescape(const char *s)
{
    char *out = xstrdup(s);
    proto_unescape(out);
    return out;
}

char *record_escape(const char *value)
{
    size_t cap = 2 * strlen(value) + 1;
    char *out = xmalloc(cap);
    proto_escape(out, cap, value);
    return out;
}

bool record_parse(const char *line, struct record *out)
{
    memset(out, 0, sizeof *out);
    char *copy = xstrdup(line);
    char *save = NULL;
    char *tok = strtok_r(copy, "\t", &save);
    if (!tok || !*tok || strchr(tok, '=')) {
        free(copy);
        return false;
    }
    out->kind = xstrdup(tok);
    while ((tok = strtok_r(NULL, "\t", &save))) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok) {
            free(copy);
            record_free(out);
            return false;
        }
        *eq = '\0';
        size_t n = out->nfields;
        *XAPPEND(&out->keys, &n) = xstrdup(tok);
        *XAPPEND(&out->values, &out->nfields) = unescape(eq + 1);
    }
    free(copy);
    return true;
}

void record_free(struct record *r)
{
    for (size_t i = 0; i < r->nfields; i++) {
        free(r->keys[i]);
        free(r->values[i]);
    }
    free(r->keys);
    free(r->values);
    free(r->kind);
    memset(r, 0, sizeof *r);
}

const char *record_get(const struct record *r, const char *key)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (strcmp(r->keys[i], key) == 0)
            return r->values[i];
    return NULL;
}

bool record_get_long(const struct record *r, const char *key, long *out)
{
    const char *v = record_get(r, key);
    if (!v || !*v)
        return false;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end)
        return false;
    *out = n;
    return true;
}
