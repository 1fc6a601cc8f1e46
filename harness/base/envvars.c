#include "envvars.h"

#include <stddef.h>
#include <string.h>

const char *env_lookup(char *const *vars, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; vars && vars[i]; i++)
        if (strncmp(vars[i], name, n) == 0 && vars[i][n] == '=')
            return vars[i] + n + 1;
    return NULL;
}
