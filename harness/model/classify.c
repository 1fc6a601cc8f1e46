#include "classify.h"

#include <stdio.h>
#include <string.h>

static const char *const names[KIND_COUNT_] = {
    [KIND_LOADED] = "loaded",
    [KIND_STATIC_TLS_EXHAUSTED] = "static-tls-exhausted",
    [KIND_STATIC_TLS_COUNT] = "static-tls-count-limit",
    [KIND_MUSL_IE_DYNAMIC] = "ie-resolves-to-dynamic",
    [KIND_NO_NAMESPACE] = "no-more-namespaces",
    [KIND_AUDIT_LIMIT] = "too-many-audit-modules",
    [KIND_NOT_FOUND] = "not-found",
    [KIND_NOT_ELF] = "not-elf",
    [KIND_OTHER] = "other",
    [KIND_CRASHED] = "crashed",
    [KIND_TIMEOUT] = "timeout",
    [KIND_NOT_RUN] = "not-run",
};

/* Message fragments as glibc and musl write them; the first match wins,
   so the static TLS messages come before generic ones. */
static const struct {
    const char *fragment;
    enum load_kind kind;
} patterns[] = {
    {"cannot allocate memory in static TLS block", KIND_STATIC_TLS_EXHAUSTED},
    {"cannot load any more object with static TLS", KIND_STATIC_TLS_COUNT},
    {"initial-exec TLS resolves to dynamic definition", KIND_MUSL_IE_DYNAMIC},
    {"no more namespaces available for dlmopen()", KIND_NO_NAMESPACE},
    {"audit modules, ", KIND_AUDIT_LIMIT},
    {"No such file or directory", KIND_NOT_FOUND},
    {"invalid ELF header", KIND_NOT_ELF},
    {"file too short", KIND_NOT_ELF},
    {"not an ELF file", KIND_NOT_ELF},
    {"Exec format error", KIND_NOT_ELF},
};

enum load_kind classify_dlerror(const char *text)
{
    if (!text)
        return KIND_OTHER;
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
        if (strstr(text, patterns[i].fragment))
            return patterns[i].kind;
    return KIND_OTHER;
}

const char *load_kind_name(enum load_kind kind)
{
    return kind >= 0 && kind < KIND_COUNT_ ? names[kind] : "?";
}

int load_kind_from_name(const char *name)
{
    for (int k = 0; k < KIND_COUNT_; k++)
        if (strcmp(names[k], name) == 0)
            return k;
    return -1;
}

const char *load_kind_message(enum load_kind kind)
{
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
        if (patterns[i].kind == kind)
            return patterns[i].fragment;
    return NULL;
}

const char *load_kind_dlerror(enum load_kind kind, const char *object, char *buf, size_t len)
{
    if (kind == KIND_STATIC_TLS_COUNT) /* dl-open.c raises it naming "dlopen" */
        object = "dlopen";
    const char *message = load_kind_message(kind);
    snprintf(buf, len, "%s%s%s", object ? object : "", object ? ": " : "",
             message ? message : load_kind_name(kind));
    return buf;
}
