/* The probe's report: one record per line, "kind\tkey=value\t...". */
#ifndef STATICTLS_RECORD_H
#define STATICTLS_RECORD_H

#include <stdbool.h>
#include <stddef.h>

struct record {
    char *kind;
    size_t nfields;
    char **keys, **values;
};

/* Parses one line (without its newline), undoing the escapes of values
   (probe/protocol.h).  Returns false for a line that is not a record
   (empty kind, a field without '='). */
bool record_parse(const char *line, struct record *out);
void record_free(struct record *r);
/* A value as a record holds it; the caller frees it. */
char *record_escape(const char *value);

/* The value of key, or NULL. */
const char *record_get(const struct record *r, const char *key);
/* The value as a number: true if present and entirely a decimal integer. */
bool record_get_long(const struct record *r, const char *key, long *out);

#endif
