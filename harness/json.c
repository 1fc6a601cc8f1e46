#include "json.h"

#include <stdarg.h>
#include <string.h>

#include "xsys.h"

void json_init(struct json *j, FILE *out, const char *sysroot)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->sysroot = sysroot && sysroot[0] ? sysroot : NULL;
}

/* Before any value: a comma if a sibling came before, unless after a key. */
static void value_start(struct json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->need_comma[j->depth])
        fputc(',', j->out);
    if (j->depth > 0)
        fprintf(j->out, "\n%*s", j->depth * 2, "");
    j->need_comma[j->depth] = true;
}

static void open_container(struct json *j, char opener, char closer)
{
    value_start(j);
    fputc(opener, j->out);
    if (++j->depth >= JSON_MAX_DEPTH)
        die("json: nesting too deep");
    j->need_comma[j->depth] = false;
    j->closer[j->depth] = closer;
}

void json_object(struct json *j)
{
    open_container(j, '{', '}');
}

void json_array(struct json *j)
{
    open_container(j, '[', ']');
}

void json_end(struct json *j)
{
    bool had_members = j->need_comma[j->depth];
    char closer = j->closer[j->depth];
    j->depth--;
    if (had_members)
        fprintf(j->out, "\n%*s", j->depth * 2, "");
    fputc(closer, j->out);
    if (j->depth == 0)
        fputc('\n', j->out);
}

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no
   overlong forms, no surrogates, nothing above U+10FFFF), 0 for none. */
static size_t utf8_length(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3
               : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
    unsigned lo = 0x80, hi = 0xbf; /* the second byte's range */
    if (p[0] == 0xe0)
        lo = 0xa0;
    else if (p[0] == 0xed)
        hi = 0x9f;
    else if (p[0] == 0xf0)
        lo = 0x90;
    else if (p[0] == 0xf4)
        hi = 0x8f;
    if (n && (p[1] < lo || p[1] > hi))
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

/* A file name is bytes; JSON is Unicode: a byte that is not part of UTF-8
   is written as U+FFFD, so the output always parses. */
static void write_string(FILE *out, const char *s, const char *sysroot)
{
    size_t rootlen = sysroot ? strlen(sysroot) : 0;
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_length(p);
        if (rootlen && strncmp((const char *)p, sysroot, rootlen) == 0) {
            fputs("<sysroot>", out);
            n = rootlen;
        } else if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p);
        } else if (*p < 0x20) {
            fprintf(out, "\\u%04x", *p);
        } else if (!n) {
            fputs("\\ufffd", out);
            n = 1;
        } else {
            fwrite(p, 1, n, out);
        }
        p += n;
    }
    fputc('"', out);
}

void json_key(struct json *j, const char *key)
{
    value_start(j);
    write_string(j->out, key, NULL);
    fputs(": ", j->out);
    j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
    value_start(j);
    if (s)
        write_string(j->out, s, j->sysroot);
    else
        fputs("null", j->out);
}

void json_int(struct json *j, long long v)
{
    value_start(j);
    fprintf(j->out, "%lld", v);
}

void json_bool(struct json *j, bool v)
{
    value_start(j);
    fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
    value_start(j);
    fputs("null", j->out);
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
    json_key(j, key);
    json_string(j, s);
}

void json_kv_int(struct json *j, const char *key, long long v)
{
    json_key(j, key);
    json_int(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
    json_key(j, key);
    json_bool(j, v);
}

void json_kv_strings(struct json *j, ...)
{
    va_list ap;
    va_start(ap, j);
    for (const char *key; (key = va_arg(ap, const char *));)
        json_kv_string(j, key, va_arg(ap, const char *));
    va_end(ap);
}
