/* Allocation that dies with context when memory runs out. */
#ifndef STATICTLS_XALLOC_H
#define STATICTLS_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Appends one element to a growing array: *items has *count elements. */
#define XAPPEND(items, count)                                                   \
    (*(items) = xrealloc(*(items), (*(count) + 1) * sizeof **(items)),          \
     &(*(items))[(*(count))++])

#endif
