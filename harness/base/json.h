/* JSON documents, built with jansson and written whole when the outermost
   object or array closes: commas, escaping and valid UTF-8 are its job.
   Every document that is an object starts with the same header:
   schema_version, tool, tool_version, command (the statictls command that
   wrote it), libc, libc_version and arch (docs/statictls.schema.json
   describes them all). */
#ifndef STATICTLS_JSON_H
#define STATICTLS_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32
/* Raised when a document changes incompatibly (docs/statictls.schema.json). */
#define JSON_SCHEMA_VERSION 1

struct json_t; /* jansson's, used through jsontree.h */

struct json {
    FILE *out;
    const char *command; /* the header's "command": "budget", "report", ... */
    /* Strings name this directory as "<sysroot>": results must not depend
       on where a machine keeps its glibc sysroots. */
    const char *sysroot;
    struct json_t *open[JSON_MAX_DEPTH]; /* [1] the document, [depth] the innermost open container */
    int depth;
    char *key; /* the key the next value goes under */
    /* The header's libc, from json_document(), or NULL: then the
       document's own "libc", "libc_version" and "arch" members, else the
       libc statictls itself runs on. */
    char *libc, *libc_version, *arch;
};

/* jansson exports functions of these four names too: the API keeps them,
   its symbols do not (the program's own would replace jansson's). */
#define json_object(j) statictls_json_object(j)
#define json_array(j) statictls_json_array(j)
#define json_string(j, s) statictls_json_string(j, s)
#define json_null(j) statictls_json_null(j)

/* command: the statictls command writing the document (its header says
   so); sysroot: the libc build's root ("" or NULL for the host). */
void json_init(struct json *j, FILE *out, const char *command, const char *sysroot);
/* The libc the document's measurements ran on, for its header. */
void json_document(struct json *j, const char *libc, const char *libc_version, const char *arch);
void json_object(struct json *j);
void json_array(struct json *j);
void json_end(struct json *j); /* closes the innermost object or array */
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s); /* NULL writes null */
void json_int(struct json *j, long long v);
void json_uint(struct json *j, unsigned long long v); /* exact, also past 2^63 - 1 */
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* key + value in one call */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, long long v);
void json_kv_uint(struct json *j, const char *key, unsigned long long v);
void json_kv_bool(struct json *j, const char *key, bool v);
/* Several string members: key, value, key, value, ..., NULL. */
void json_kv_strings(struct json *j, ...);

#endif
