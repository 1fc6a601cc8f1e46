#include "casevars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envvars.h"
#include "xalloc.h"

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

bool case_vars_define(struct case_vars *v, const char *definition, char *err, size_t errlen)
{
    const char *eq = strchr(definition, '=');
    if (!eq || !valid_name(definition, (size_t)(eq - definition))) {
        snprintf(err, errlen, "--define: expected NAME=VALUE (NAME: letters, digits, _), got \"%s\"",
                 definition);
        return false;
    }
    *XAPPEND(&v->defines, &v->n) = xstrdup(definition);
    return true;
}

void case_vars_free(struct case_vars *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->defines[i]);
    free(v->defines);
    memset(v, 0, sizeof *v);
}

/* The value of NAME (n bytes): the last --define of it, else the user's
   environment's. */
static const char *lookup(const struct case_vars *v, const char *name, size_t n)
{
    for (size_t i = v ? v->n : 0; i-- > 0;)
        if (strncmp(v->defines[i], name, n) == 0 && v->defines[i][n] == '=')
            return v->defines[i] + n + 1;
    if (!v || !v->environment)
        return NULL;
    char *key = xasprintf("%.*s", (int)n, name);
    const char *value = env_lookup(v->environment, key);
    free(key);
    return value;
}

/* A string that grows by doubling: appending is linear in what is
   appended, whatever the number of appends. */
struct growing {
    char *text;
    size_t len, cap;
};

static void append(struct growing *g, const char *s, size_t n)
{
    if (g->len + n + 1 > g->cap) {
        while (g->len + n + 1 > g->cap)
            g->cap = g->cap ? 2 * g->cap : 64;
        g->text = xrealloc(g->text, g->cap);
    }
    memcpy(g->text + g->len, s, n);
    g->len += n;
    g->text[g->len] = '\0';
}

char *case_vars_expand(const struct case_vars *v, const char *word, size_t max, char *err,
                       size_t errlen)
{
    struct growing out = {0};
    append(&out, "", 0);
    for (const char *s = word; *s;) {
        const char *ref = strstr(s, "${");
        size_t plain = ref ? (size_t)(ref - s) : strlen(s);
        const char *value = "";
        size_t skip = plain, n = 0;
        if (ref) {
            const char *close = strchr(ref + 2, '}');
            n = close ? (size_t)(close - ref - 2) : 0;
            if (!close || !valid_name(ref + 2, n)) {
                snprintf(err, errlen, "malformed variable reference in \"%.200s\" (expected "
                         "${NAME})", word);
                free(out.text);
                return NULL;
            }
            value = lookup(v, ref + 2, n);
            if (!value) {
                snprintf(err, errlen, "${%.*s} is not defined (--define %.*s=VALUE, or the "
                                      "environment)", (int)n, ref + 2, (int)n, ref + 2);
                free(out.text);
                return NULL;
            }
            skip = plain + n + 3;
        }
        size_t vlen = strlen(value);
        if (plain + vlen > max - out.len) { /* checked before anything is copied */
            if (ref)
                snprintf(err, errlen, "${%.*s} makes the case's words longer than %zu bytes "
                         "in all, expanded (the most a case's words may hold)", (int)n, ref + 2,
                         (size_t)CASE_VARS_MAX_EXPANDED);
            else
                snprintf(err, errlen, "the case's words are longer than %zu bytes in all, "
                         "expanded (the most a case's words may hold)",
                         (size_t)CASE_VARS_MAX_EXPANDED);
            free(out.text);
            return NULL;
        }
        append(&out, s, plain);
        append(&out, value, vlen);
        s += skip;
    }
    return out.text;
}
