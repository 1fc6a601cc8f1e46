#define _GNU_SOURCE
#include "json.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "jsontree.h"
#include "die.h"
#include "xalloc.h"

void json_init(struct json *j, FILE *out, const char *command, const char *sysroot)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->command = command;
    j->sysroot = sysroot && sysroot[0] ? sysroot : NULL;
}

void json_document(struct json *j, const char *libc, const char *libc_version, const char *arch)
{
    free(j->libc), free(j->libc_version), free(j->arch);
    j->libc = libc ? xstrdup(libc) : NULL;
    j->libc_version = libc_version ? xstrdup(libc_version) : NULL;
    j->arch = arch ? xstrdup(arch) : NULL;
}

/* s with every occurrence of the sysroot named "<sysroot>". */
static struct json_t *path_string(const struct json *j, const char *s)
{
    if (!j->sysroot || !strstr(s, j->sysroot))
        return jtree_string(s);
    size_t rootlen = strlen(j->sysroot);
    char *out = xmalloc(strlen(s) * 2 + 16), *o = out;
    for (const char *p = s; *p;) {
        if (strncmp(p, j->sysroot, rootlen) == 0) {
            o = stpcpy(o, "<sysroot>");
            p += rootlen;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    struct json_t *v = jtree_string(out);
    free(out);
    return v;
}

/* The libc statictls itself runs on: glibc names itself through confstr;
   musl does not, and has no call that gives its version. */
struct host_libc {
    char libc[8], version[65], arch[65];
};

static void host_libc(struct host_libc *h)
{
    char buf[64];
    size_t n = confstr(_CS_GNU_LIBC_VERSION, buf, sizeof buf);
    if (n > 0 && n <= sizeof buf && strncmp(buf, "glibc ", 6) == 0) {
        snprintf(h->libc, sizeof h->libc, "glibc");
        snprintf(h->version, sizeof h->version, "%s", buf + 6);
    } else {
        snprintf(h->libc, sizeof h->libc, "musl");
        h->version[0] = '\0';
    }
    struct utsname u;
    if (uname(&u) != 0)
        die_errno("uname");
    snprintf(h->arch, sizeof h->arch, "%s", u.machine);
}

static struct json_t *string_or_null(const char *s)
{
    return s && *s ? jtree_string(s) : jtree_null();
}

/* The header, then the document's members (its own libc members, if it
   has them, in place). */
static struct json_t *with_header(const struct json *j, struct json_t *doc)
{
    struct json_t *h = jtree_object();
    jtree_set(h, "schema_version", jtree_integer(JSON_SCHEMA_VERSION));
    jtree_set(h, "tool", jtree_string("statictls"));
    jtree_set(h, "tool_version", jtree_string(STATICTLS_VERSION));
    jtree_set(h, "command", jtree_string(j->command));
    if (j->libc) {
        jtree_set(h, "libc", string_or_null(j->libc));
        jtree_set(h, "libc_version", string_or_null(j->libc_version));
        jtree_set(h, "arch", string_or_null(j->arch));
    } else if (jtree_get(doc, "libc") && jtree_get(doc, "arch")) {
        jtree_set(h, "libc", jtree_ref(jtree_get(doc, "libc")));
        jtree_set(h, "libc_version", jtree_null());
        jtree_set(h, "arch", jtree_ref(jtree_get(doc, "arch")));
    } else {
        struct host_libc host;
        host_libc(&host);
        jtree_set(h, "libc", string_or_null(host.libc));
        jtree_set(h, "libc_version", string_or_null(host.version));
        jtree_set(h, "arch", string_or_null(host.arch));
    }
    jtree_update(h, doc);
    return h;
}

static void write_document(struct json *j, struct json_t *doc)
{
    struct json_t *out = jtree_is_object(doc) ? with_header(j, doc) : jtree_ref(doc);
    jtree_write(out, j->out);
    jtree_unref(out);
    jtree_unref(doc);
    free(j->libc), free(j->libc_version), free(j->arch);
    j->libc = j->libc_version = j->arch = NULL;
}

/* Puts v (a new reference) where the next value goes. */
static void add(struct json *j, struct json_t *v)
{
    if (j->depth == 0) {
        write_document(j, v);
        return;
    }
    struct json_t *parent = j->open[j->depth];
    if (jtree_is_object(parent)) {
        if (!j->key)
            die("json: a value in an object without a key");
        jtree_set(parent, j->key, v);
        free(j->key);
        j->key = NULL;
    } else {
        jtree_append(parent, v);
    }
}

static void open_container(struct json *j, struct json_t *c)
{
    if (j->depth + 1 >= JSON_MAX_DEPTH)
        die("json: nesting too deep");
    if (j->depth > 0)
        add(j, jtree_ref(c));
    j->open[++j->depth] = c;
}

void json_object(struct json *j)
{
    open_container(j, jtree_object());
}

void json_array(struct json *j)
{
    open_container(j, jtree_array());
}

void json_end(struct json *j)
{
    if (j->depth == 0)
        die("json: end without an open object or array");
    struct json_t *c = j->open[j->depth--];
    if (j->depth == 0)
        write_document(j, c); /* the outermost: the document is complete */
    else
        jtree_unref(c); /* its parent holds it */
}

void json_key(struct json *j, const char *key)
{
    free(j->key);
    j->key = xstrdup(key);
}

void json_string(struct json *j, const char *s)
{
    add(j, s ? path_string(j, s) : jtree_null());
}

void json_int(struct json *j, long long v)
{
    add(j, jtree_integer(v));
}

void json_uint(struct json *j, unsigned long long v)
{
    add(j, jtree_unsigned(v));
}

void json_bool(struct json *j, bool v)
{
    add(j, jtree_bool(v));
}

void json_null(struct json *j)
{
    add(j, jtree_null());
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

void json_kv_uint(struct json *j, const char *key, unsigned long long v)
{
    json_key(j, key);
    json_uint(j, v);
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
