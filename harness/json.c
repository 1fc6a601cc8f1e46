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

static void write_string(FILE *out, const char *s, const char *sysroot)
{
    size_t rootlen = sysroot ? strlen(sysroot) : 0;
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (rootlen && strncmp((const char *)p, sysroot, rootlen) == 0) {
            fputs("<sysroot>", out);
            p += rootlen - 1;
        } else if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
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
