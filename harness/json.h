/* A small streaming JSON writer: commas and escaping are its job. */
#ifndef STATICTLS_JSON_H
#define STATICTLS_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
    FILE *out;
    int depth;
    bool need_comma[JSON_MAX_DEPTH];
    char closer[JSON_MAX_DEPTH];
    bool after_key;
    /* Strings name this directory as "<sysroot>": results must not depend
       on where a machine keeps its glibc sysroots. */
    const char *sysroot;
};

/* sysroot: the libc build's root ("" or NULL for the host). */
void json_init(struct json *j, FILE *out, const char *sysroot);
void json_object(struct json *j);
void json_array(struct json *j);
void json_end(struct json *j); /* closes the innermost object or array */
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s); /* NULL writes null */
void json_int(struct json *j, long long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* key + value in one call */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, long long v);
void json_kv_bool(struct json *j, const char *key, bool v);
/* Several string members: key, value, key, value, ..., NULL. */
void json_kv_strings(struct json *j, ...);

#endif
