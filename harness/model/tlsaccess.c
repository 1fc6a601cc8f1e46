#include "tlsaccess.h"

#include <string.h>

static const struct {
    const char *name, *long_name;
} names[TLS_ACCESS_COUNT] = {
    [TLS_NONE] = {"none", "none"},
    [TLS_IE] = {"ie", "initial-exec"},
    [TLS_DESC] = {"tlsdesc", "descriptors"},
    [TLS_GD] = {"gd", "dynamic"},
};

const char *tls_access_name(enum tls_access a)
{
    return a < TLS_ACCESS_COUNT ? names[a].name : "?";
}

const char *tls_access_long_name(enum tls_access a)
{
    return a < TLS_ACCESS_COUNT ? names[a].long_name : "?";
}

bool tls_access_from_name(const char *name, enum tls_access *out)
{
    for (int a = 0; name && a < TLS_ACCESS_COUNT; a++)
        if (strcmp(name, names[a].name) == 0 || strcmp(name, names[a].long_name) == 0) {
            *out = (enum tls_access)a;
            return true;
        }
    return false;
}
