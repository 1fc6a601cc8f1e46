#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot of key, or the empty slot where it would go (cap a power of 2). */
static size_t slot(char *const *keys, size_t cap, const char *key)
{
    size_t i = (size_t)fnv1a(key) & (cap - 1);
    while (keys[i] && strcmp(keys[i], key) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

bool strmap_get(const struct strmap *m, const char *key, size_t *value)
{
    if (!m->cap)
        return false;
    size_t i = slot(m->keys, m->cap, key);
    if (!m->keys[i])
        return false;
    *value = m->values[i];
    return true;
}

static void grow(struct strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    char **keys = xcalloc(cap, sizeof *keys);
    size_t *values = xcalloc(cap, sizeof *values);
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t k = slot(keys, cap, m->keys[i]);
            keys[k] = m->keys[i];
            values[k] = m->values[i];
        }
    free(m->keys);
    free(m->values);
    m->keys = keys;
    m->values = values;
    m->cap = cap;
}

bool strmap_put(struct strmap *m, const char *key, size_t value)
{
    if ((m->n + 1) * 2 > m->cap) /* at most half full: short probes */
        grow(m);
    size_t i = slot(m->keys, m->cap, key);
    if (m->keys[i])
        return false;
    m->keys[i] = xstrdup(key);
    m->values[i] = value;
    m->n++;
    return true;
}

void strmap_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}
