#include "jsontree.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "xalloc.h"

static json_t *checked(json_t *v)
{
    if (!v)
        die("json: out of memory");
    return v;
}

struct json_t *jtree_object(void)
{
    return checked(json_object());
}

struct json_t *jtree_array(void)
{
    return checked(json_array());
}

/* jansson refuses invalid UTF-8 (a file name in another encoding): such a
   string is rebuilt sequence by sequence, jansson judging each, and a byte
   that starts no valid sequence is written as the text \xNN. */
struct json_t *jtree_string(const char *s)
{
    json_t *v = json_string(s);
    if (v)
        return v;
    size_t len = strlen(s), n = 0;
    char *out = xmalloc(len * 4 + 1);
    for (size_t i = 0; i < len;) {
        json_t *seq = NULL;
        size_t k = 1;
        for (; k <= 4 && i + k <= len && !(seq = json_stringn(s + i, k)); k++)
            ;
        if (seq) {
            memcpy(out + n, s + i, k);
            n += k, i += k;
            json_decref(seq);
        } else {
            n += (size_t)snprintf(out + n, 5, "\\x%02x", (unsigned char)s[i]);
            i++;
        }
    }
    out[n] = '\0';
    v = checked(json_string(out));
    free(out);
    return v;
}

struct json_t *jtree_integer(long long v)
{
    return checked(json_integer(v));
}

/* An unsigned integer past LLONG_MAX travels through jansson as a string
   that starts with a NUL byte, which no string from a C string holds, and
   jtree_write writes it as the bare number. */
static const char big_mark[] = "\\u0000u";

struct json_t *jtree_unsigned(unsigned long long v)
{
    if (v <= LLONG_MAX)
        return checked(json_integer((long long)v));
    char text[32];
    int n = snprintf(text, sizeof text, "%cu%llu", '\0', v);
    return checked(json_stringn(text, (size_t)n));
}

struct json_t *jtree_bool(bool v)
{
    return checked(json_boolean(v));
}

struct json_t *jtree_null(void)
{
    return json_null();
}

void jtree_set(struct json_t *object, const char *key, struct json_t *v)
{
    if (json_object_set_new(object, key, v) != 0)
        die("json: cannot set member \"%s\"", key);
}

void jtree_append(struct json_t *array, struct json_t *v)
{
    if (json_array_append_new(array, v) != 0)
        die("json: cannot append to an array");
}

bool jtree_is_object(const struct json_t *v)
{
    return json_is_object(v);
}

struct json_t *jtree_get(struct json_t *object, const char *key)
{
    return json_object_get(object, key);
}

void jtree_update(struct json_t *to, struct json_t *from)
{
    if (json_object_update(to, from) != 0)
        die("json: cannot merge objects");
}

struct json_t *jtree_ref(struct json_t *v)
{
    return json_incref(v);
}

void jtree_unref(struct json_t *v)
{
    json_decref(v);
}

void jtree_write(struct json_t *v, FILE *out)
{
    char *text = json_dumps(v, JSON_INDENT(2));
    if (!text)
        die("json: out of memory");
    /* "\u0000uDIGITS" (jansson escapes the NUL) becomes DIGITS; a string
       of the user's never holds a NUL, and its backslashes are doubled. */
    size_t marklen = strlen(big_mark);
    for (char *p = text, *q; (q = strstr(p, big_mark)); p = q) {
        char *digits = q + marklen, *end = digits + strspn(digits, "0123456789");
        if (q > text && q[-1] == '"' && *end == '"') {
            memmove(q - 1, digits, (size_t)(end - digits));
            memmove(q - 1 + (end - digits), end + 1, strlen(end + 1) + 1);
        } else {
            q = digits;
        }
    }
    if (fputs(text, out) == EOF || fputc('\n', out) == EOF)
        die_errno("json: write");
    free(text);
}

struct json_t *jtree_read_file(const char *path)
{
    json_error_t error;
    return json_load_file(path, 0, &error);
}

const char *jtree_get_text(struct json_t *object, const char *key)
{
    json_t *v = object ? json_object_get(object, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

bool jtree_get_int(struct json_t *object, const char *key, long long *v)
{
    json_t *m = object ? json_object_get(object, key) : NULL;
    if (!json_is_integer(m))
        return false;
    *v = json_integer_value(m);
    return true;
}

size_t jtree_size(const struct json_t *array)
{
    return json_is_array(array) ? json_array_size(array) : 0;
}

struct json_t *jtree_at(struct json_t *array, size_t i)
{
    return json_is_array(array) ? json_array_get(array, i) : NULL;
}
