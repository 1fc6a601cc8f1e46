/* A hash map from strings to indexes: the census's "seen this file" and
   "loaded by this name" lookups, linear in the number of files (a list
   scan made 159k files take 15 s). */
#ifndef STATICTLS_STRMAP_H
#define STATICTLS_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap {
    char **keys; /* NULL: an empty slot */
    size_t *values;
    size_t cap, n;
};

/* The value of key in *value; false when absent. */
bool strmap_get(const struct strmap *m, const char *key, size_t *value);
/* Adds key (copied) with value; false, and nothing changed, when present. */
bool strmap_put(struct strmap *m, const char *key, size_t value);
void strmap_free(struct strmap *m);

#endif
