#define _GNU_SOURCE
#include "ldsotunables.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"
#include "xalloc.h"
#include "xfile.h"

/* names, then " " and name. */
static char *append_name(char *names, const char *name)
{
    char *more = xasprintf("%s%s%s", names, *names ? " " : "", name);
    free(names);
    return more;
}

/* From `ld.so --list-tunables`; NULL when it does not list any. */
static char *listed_tunables(const struct libc_build *b, const char *ldso, double timeout_s)
{
    const char *qemu = b->loader; /* another arch's ld.so runs under qemu */
    bool emulated = qemu && strstr(qemu, "qemu-");
    char *argv[] = {emulated ? (char *)qemu : (char *)ldso, (char *)ldso, "--list-tunables", NULL};
    int status;
    char *text = program_output(emulated ? argv : argv + 1, timeout_s, false, &status);
    char *names = xstrdup("");
    bool listed = false;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "glibc.rtld.", 11) != 0)
            continue;
        line[strcspn(line, ":")] = '\0';
        names = append_name(names, line);
        listed = true;
    }
    free(text);
    if (listed && status == 0)
        return names;
    free(names);
    return NULL;
}

char *ldso_known_tunables(const struct libc_build *b, const char *ldso, double timeout_s,
                          const char **source)
{
    static const char *const ours[] = {"glibc.rtld.nns", "glibc.rtld.optional_static_tls"};
    char *names = listed_tunables(b, ldso, timeout_s);
    if (names) {
        *source = "ld.so --list-tunables";
        return names;
    }
    names = xstrdup("");
    size_t len = 0;
    char *data = read_file(ldso, &len);
    for (size_t i = 0; data && i < sizeof ours / sizeof ours[0]; i++)
        if (memmem(data, len, ours[i], strlen(ours[i]) + 1))
            names = append_name(names, ours[i]);
    free(data);
    *source = "names in ld.so (no --list-tunables)";
    return names;
}
