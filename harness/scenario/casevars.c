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

char *case_vars_expand(const struct case_vars *v, const char *word, char *err, size_t errlen)
{
    char *out = xstrdup("");
    for (const char *s = word; *s;) {
        const char *ref = strstr(s, "${");
        size_t plain = ref ? (size_t)(ref - s) : strlen(s);
        const char *value = "";
        size_t skip = plain;
        if (ref) {
            const char *close = strchr(ref + 2, '}');
            size_t n = close ? (size_t)(close - ref - 2) : 0;
            if (!close || !valid_name(ref + 2, n)) {
                snprintf(err, errlen, "malformed variable reference in \"%s\" (expected ${NAME})",
                         word);
                free(out);
                return NULL;
            }
            value = lookup(v, ref + 2, n);
            if (!value) {
                snprintf(err, errlen, "${%.*s} is not defined (--define %.*s=VALUE, or the "
                                      "environment)", (int)n, ref + 2, (int)n, ref + 2);
                free(out);
                return NULL;
            }
            skip = plain + n + 3;
        }
        char *next = xasprintf("%s%.*s%s", out, (int)plain, s, value);
        free(out);
        out = next;
        s += skip;
    }
    return out;
}
