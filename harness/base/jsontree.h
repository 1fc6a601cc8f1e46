/* jansson, behind names that do not collide with json.h's own (jansson
   also has json_object, json_array, json_string and json_null).  json.c
   writes documents with these; the readers below read back what statictls
   wrote earlier (a sweep's results kept for builds not swept again). */
#ifndef STATICTLS_JSONTREE_H
#define STATICTLS_JSONTREE_H

#include <stdbool.h>
#include <stdio.h>

struct json_t;

/* New values (one reference each); a string is made valid UTF-8 first: a
   byte that starts no valid sequence becomes the text \xNN. */
struct json_t *jtree_object(void);
struct json_t *jtree_array(void);
struct json_t *jtree_string(const char *s);
struct json_t *jtree_integer(long long v);
/* An unsigned 64-bit integer, written as its exact decimal digits (past
   2^63 - 1, which jansson's integers stop at, by jtree_write). */
struct json_t *jtree_unsigned(unsigned long long v);
struct json_t *jtree_bool(bool v);
struct json_t *jtree_null(void);

/* Add v to a container, taking its reference; die on failure. */
void jtree_set(struct json_t *object, const char *key, struct json_t *v);
void jtree_append(struct json_t *array, struct json_t *v);

bool jtree_is_object(const struct json_t *v);
/* A member of object, borrowed, or NULL. */
struct json_t *jtree_get(struct json_t *object, const char *key);
/* Copies every member of from into to (replacing members of the same key in place). */
void jtree_update(struct json_t *to, struct json_t *from);
struct json_t *jtree_ref(struct json_t *v);
void jtree_unref(struct json_t *v);

/* A JSON file read whole, or NULL (unreadable, not JSON). */
struct json_t *jtree_read_file(const char *path);
/* A string member's text, an integer member's value (false: absent or
   not an integer), an array's size and element (borrowed). */
const char *jtree_get_text(struct json_t *object, const char *key);
bool jtree_get_int(struct json_t *object, const char *key, long long *v);
size_t jtree_size(const struct json_t *array);
struct json_t *jtree_at(struct json_t *array, size_t i);

/* Writes v indented by two spaces, then a newline; dies on a write error. */
void jtree_write(struct json_t *v, FILE *out);

#endif
